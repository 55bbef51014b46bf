//! Okta's CRUD file run with both connections (the Okta org through its API token, the app's
//! SCIM API), its pauses polled by the runner; the Okta user it creates is always cleaned up
//! afterwards (unassigned, deactivated, deleted), whether the file passed, failed or was
//! cancelled: the clean-up has no cancel flag of its own.

use super::VerifyEvent;
use crate::net::{CancelFlag, PlainClient, Secret};
use crate::okta::{ApiError, OktaClient, OktaCredential, OktaError, TrailSubject, okta_trail};
use crate::runscope::initial::{crud_values, scim_authorization, with_crud_connections};
use crate::runscope::runner::empty_run;
use crate::runscope::{RunContext, RunOptions, TestFile, Variables, run_file};
use crate::session::{
    CleanUp, Connection, CrudReport, FileRun, OKTA_TOKEN_ENV, OktaAuth, OktaConnection, OktaTrail,
    StepStatus,
};

/// The CRUD file's initial variables besides the random values (Okta's CRUD instructions).
const CONNECTION_VARIABLES: [&str; 5] = [
    "oktaOrgUrl",
    "oktaAppId",
    "oktaToken",
    "SCIMUrl",
    "SCIMAuth",
];

/// What a CRUD run needs besides the two secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct CrudOptions {
    /// Okta's CRUD file (or a tester's copy).
    pub file: TestFile,
    /// The SHA-256 the profile pins for Okta's CRUD file.
    pub expected_sha256: Option<String>,
    pub okta: OktaConnection,
    /// The random test values, as Okta's CRUD initial script makes them.
    pub values: Variables,
    pub run: RunOptions,
}

impl CrudOptions {
    /// Options for running `file` in `okta`, with fresh random values. Refuses a service-app
    /// connection (the file signs in with an API token) and a file that uses a `{{variable}}`
    /// nothing defines.
    pub fn new(okta: OktaConnection, file: TestFile) -> Result<CrudOptions, String> {
        if okta.auth != OktaAuth::ApiToken {
            return Err(format!(
                "Okta's CRUD file signs in with an API token (Authorization: SSWS {{{{oktaToken}}}}), not a service app: set {OKTA_TOKEN_ENV} to a token of the org."
            ));
        }
        let values = crud_values(&mut fastrand::Rng::new());
        let mut known = values.clone();
        for name in CONNECTION_VARIABLES {
            known.insert(name.into(), String::new());
        }
        if let Some((name, step)) = file.undefined_variable(&known) {
            return Err(format!(
                "{}: {step} uses {{{{{name}}}}}, which neither the CRUD initial variables ({}, the initial script's random values) nor an earlier step defines",
                file.path,
                CONNECTION_VARIABLES.join(", ")
            ));
        }
        Ok(CrudOptions {
            file,
            expected_sha256: None,
            okta,
            values,
            run: RunOptions::default(),
        })
    }

    /// The login (= email) of the Okta user the file creates.
    pub fn okta_user(&self) -> &str {
        self.values
            .get("okta_user_email")
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Polls each step after a pause for `seconds` instead of three times the pause.
    pub fn set_deadline(&mut self, seconds: f64) -> Result<(), String> {
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(format!(
                "--deadline {seconds}: give a number of seconds above 0."
            ));
        }
        self.run.poll_factor = 0.0;
        self.run.min_poll = std::time::Duration::from_secs_f64(seconds);
        Ok(())
    }

    /// What the run does, in a sentence for the question before it.
    pub fn describe(&self, scim_url: &str) -> String {
        format!(
            "It creates the Okta user {}, assigns it to app {} and provisions it into {scim_url}; scimplan removes the Okta user at the end (the app keeps it, deactivated).",
            self.okta_user(),
            self.okta.app_id
        )
    }
}

/// Runs the file, then removes its Okta user. Progress goes to `on_event` as the file's steps
/// (`FileStep`, `FileAttempt`) and a `Progress` line for the clean-up.
pub fn run_crud(
    connection: &Connection,
    secret: &Secret,
    token: &Secret,
    options: &CrudOptions,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(VerifyEvent),
) -> CrudReport {
    let okta = &options.okta;
    let scim_auth = scim_authorization(connection, secret.expose());
    let variables = with_crud_connections(
        options.values.clone(),
        &okta.org_url,
        &okta.app_id,
        token.expose(),
        &connection.base_url,
        &scim_auth,
    );
    let target = format!("{} and {}", okta.org_url, connection.base_url);
    let mut run = match PlainClient::new() {
        Ok(client) => {
            let secrets = [secret.clone(), token.clone(), Secret::new(scim_auth)];
            let context = RunContext {
                client: &client,
                secrets: &secrets,
                cancel,
                options: &options.run,
            };
            run_file(&options.file, &variables, &target, &context, &mut |event| {
                on_event(event.into())
            })
        }
        Err(e) => not_run(&options.file, &target, e.to_string()),
    };
    run.file.expected_sha256 = options
        .expected_sha256
        .clone()
        .filter(|pinned| !pinned.eq_ignore_ascii_case(&run.file.sha256));
    let login = options.okta_user().to_string();
    // Why provisioning failed is in Okta, and gone with the user: read it before the clean-up.
    let okta_side = (!run.passed() && !run.cancelled && run.unreachable.is_none())
        .then(|| provisioning_trail(okta, token, &login, run.at));
    on_event(VerifyEvent::Progress(format!(
        "cleaning up: removing the Okta user {login}…"
    )));
    let cleanup = match clean_up(okta, token.clone(), &login) {
        Ok(done) => done,
        Err(e) => CleanUp::Failed {
            why: token.redact(&e.to_string()),
        },
    };
    let refusals = okta_refusals(&run);
    CrudReport {
        run,
        okta_user: login,
        cleanup,
        refusals,
        okta: okta_side,
    }
}

/// The app user's sync state and the System Log for the file's Okta user since the run began.
fn provisioning_trail(
    okta: &OktaConnection,
    token: &Secret,
    login: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> OktaTrail {
    match OktaClient::new(okta, OktaCredential::ApiToken(token.clone())) {
        // A minute early: the org's clock and this machine's may differ.
        Ok(client) => okta_trail(
            &client,
            since - chrono::Duration::minutes(1),
            &[TrailSubject::User(login.to_string())],
        ),
        Err(e) => OktaTrail {
            error: Some(token.redact(&e.to_string())),
            ..OktaTrail::default()
        },
    }
}

fn not_run(file: &TestFile, target: &str, why: String) -> FileRun {
    let mut run = empty_run(file, target);
    run.unreachable = Some(why);
    run
}

/// Removes the Okta user the file created: unassigns it, deactivates and deletes it. Never
/// cancelled: it runs after a cancel too.
fn clean_up(okta: &OktaConnection, token: Secret, login: &str) -> Result<CleanUp, OktaError> {
    let client = OktaClient::new(okta, OktaCredential::ApiToken(token))?;
    let Some(user) = client.user(login)? else {
        return Ok(CleanUp::NothingLeft);
    };
    let unassigned = client.app_user(&user.id)?.is_some();
    if unassigned {
        client.unassign_user(&user.id)?;
    }
    client.delete_user(&user.id)?;
    Ok(CleanUp::Removed {
        id: user.id,
        unassigned,
    })
}

/// Okta's refusals in a CRUD run, in Okta's words: the failed steps sent to the Okta API whose
/// answer is an Okta error, with what to do about the one testers meet most (the file's fixed
/// password against the org's password policy).
pub fn okta_refusals(run: &FileRun) -> Vec<String> {
    let mut refusals = Vec::new();
    for step in run.steps.iter().filter(|s| s.status == StepStatus::Fail) {
        if !step.url.contains("/api/v1/") {
            continue;
        }
        let Some(last) = step.attempts.last() else {
            continue;
        };
        let Ok(api) = serde_json::from_str::<ApiError>(&last.response_body) else {
            continue;
        };
        if api.error_code.is_empty() {
            continue;
        }
        let about_password = api.error_summary.to_lowercase().contains("password")
            || api
                .error_causes
                .iter()
                .any(|c| c.to_lowercase().contains("password"));
        let hint = if about_password {
            " The file's fixed password does not meet this org's password policy: relax the policy for the test (Security > Authenticators > Password) or edit a copy of the file and run it with --file."
        } else {
            ""
        };
        refusals.push(format!(
            "Okta refused step {} ({}): {}.{hint}",
            step.position,
            step.title(),
            api.describe()
        ));
    }
    refusals
}
