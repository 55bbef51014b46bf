//! Okta's CRUD file run with both connections (the Okta org through its API token, the app's
//! SCIM API), its pauses polled by the runner; the Okta user it creates is always cleaned up
//! afterwards (unassigned, deactivated, deleted), whether the file passed, failed or was
//! cancelled: the clean-up has no cancel flag of its own.
//!
//! Both credentials are checked first, one read each (the app's `GET /Users`, the Okta app
//! instance): a refused one stops the run before anything is created. A required step that
//! failed after a pause scimplan polled or skipped is confirmed by running the whole file again
//! with every pause waited, as Runscope waits them (Okta's provisioning then meets the app
//! spaced as in Runscope): that run is the verdict.

use super::event::VerifyEvent;
use super::spec::{Refusal, check_scim_credential};
use crate::net::{CancelFlag, PlainClient, Secret};
use crate::okta::{ApiError, OktaClient, OktaCredential, OktaError, TrailSubject, okta_trail};
use crate::runscope::initial::{
    InitialScript, ValuesKind, ValuesSource, scim_authorization, with_crud_connections,
};
use crate::runscope::runner::{empty_run, longest_pause};
use crate::runscope::{RunContext, RunOptions, TestFile, Variables, run_file, unconfirmed_failure};
use crate::scim::ScimClient;
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
    /// Where they come from (the initial script run as written, or scimplan's own equivalent).
    pub source: ValuesSource,
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
        let (source, values) = ValuesSource::own(ValuesKind::Crud);
        check_variables(&file, &values)?;
        Ok(CrudOptions {
            file,
            expected_sha256: None,
            okta,
            values,
            source,
            run: RunOptions::default(),
        })
    }

    /// Takes the test values from `script`, run as written with the connections' URLs and the
    /// app id (`oktaOrgUrl`, `oktaAppId`, `SCIMUrl`; no secret is handed to it here). Returns
    /// what the script logged.
    pub fn use_initial_script(
        &mut self,
        script: InitialScript,
        scim_url: &str,
    ) -> Result<Vec<String>, String> {
        let mut variables = Variables::new();
        variables.insert(
            "oktaOrgUrl".into(),
            self.okta.org_url.trim_end_matches('/').into(),
        );
        variables.insert("oktaAppId".into(), self.okta.app_id.clone());
        variables.insert("SCIMUrl".into(), scim_url.trim_end_matches('/').into());
        let (source, values, log) = ValuesSource::script(ValuesKind::Crud, script, variables)?;
        check_variables(&self.file, &values)?;
        self.values = values;
        self.source = source;
        Ok(log)
    }

    /// Where the test values come from, in a sentence.
    pub fn values_from(&self) -> String {
        self.source.describe()
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

/// Refuses a file that uses a `{{variable}}` neither the initial variables nor an earlier step
/// defines.
fn check_variables(file: &TestFile, values: &Variables) -> Result<(), String> {
    let mut known = values.clone();
    for name in CONNECTION_VARIABLES {
        known.insert(name.into(), String::new());
    }
    match file.undefined_variable(&known) {
        Some((name, step)) => Err(format!(
            "{}: {step} uses {{{{{name}}}}}, which neither the CRUD initial variables ({}, the initial script's values) nor an earlier step defines",
            file.path,
            CONNECTION_VARIABLES.join(", ")
        )),
        None => Ok(()),
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
    let target = format!("{} and {}", okta.org_url, connection.base_url);
    let login = options.okta_user().to_string();
    let report = |run: FileRun| CrudReport {
        run,
        okta_user: login.clone(),
        cleanup: CleanUp::NothingLeft,
        refusals: Vec::new(),
        okta: None,
    };
    // Both credentials first, one read each; a refusal stops the run before anything is made.
    if let Err(stop) = check_credentials(connection, secret, token, okta, cancel) {
        let mut run = empty_run(&options.file, &target);
        let mut refusals = Vec::new();
        match stop {
            Refusal::Unreachable(why) => run.unreachable = Some(why),
            Refusal::Refused(why) => {
                // Also "could not run" for callers that know only `unreachable` (nothing is
                // recorded), and Okta's words among the refusals (the checklist forgets a
                // typed token Okta refused).
                run.unreachable = Some(why.clone());
                run.refused = Some(why.clone());
                refusals.push(why);
            }
        }
        return CrudReport {
            refusals,
            ..report(run)
        };
    }
    // One client reaches both: the CA files of both connections, the Okta org's proxy first.
    let network = okta.network.merged(&connection.network);
    let client = match PlainClient::with_network(&network) {
        Ok(client) => client,
        Err(e) => return report(not_run(&options.file, &target, e.to_string())),
    };
    let secrets = [
        secret.clone(),
        token.clone(),
        Secret::new(scim_auth.clone()),
    ];
    let context = RunContext {
        client: &client,
        secrets: &secrets,
        cancel,
        options: &options.run,
    };
    let variables = |values: &Variables| {
        with_crud_connections(
            values.clone(),
            &okta.org_url,
            &okta.app_id,
            token.expose(),
            &connection.base_url,
            &scim_auth,
        )
    };
    let mut run = run_file(
        &options.file,
        &variables(&options.values),
        &target,
        &context,
        &mut |event| on_event(event.into()),
    );
    let mut login = login.clone();
    let mut earlier: Option<(String, bool)> = None;
    if options.run.confirm
        && !options.run.honour_pauses
        && !run.passed()
        && !run.cancelled
        && run.unreachable.is_none()
        && let Some(why) = unconfirmed_failure(&run)
    {
        let settle = longest_pause(&options.file);
        on_event(VerifyEvent::Progress(format!(
            "{why}: running the whole file again with every pause waited, as Runscope waits them, after {settle} s for the app to settle…"
        )));
        cancel.sleep(std::time::Duration::from_secs_f64(settle));
        earlier = Some((login.clone(), created_okta_user(&run)));
        let values = options.source.fresh();
        login = values.get("okta_user_email").cloned().unwrap_or_default();
        let waited = RunOptions {
            honour_pauses: true,
            ..options.run.clone()
        };
        let context = RunContext {
            options: &waited,
            ..context
        };
        let mut again = run_file(
            &options.file,
            &variables(&values),
            &target,
            &context,
            &mut |event| on_event(event.into()),
        );
        again.notes.push(format!(
            "The first run's {why}. This is the run of the whole file again with every pause waited, as Runscope waits them: its verdict is Runscope's."
        ));
        run = again;
    }
    run.file.expected_sha256 = options
        .expected_sha256
        .clone()
        .filter(|pinned| !pinned.eq_ignore_ascii_case(&run.file.sha256));
    // Why provisioning failed is in Okta, and gone with the user: read it before the clean-up.
    let okta_side = (!run.passed() && !run.cancelled && run.unreachable.is_none())
        .then(|| provisioning_trail(okta, token, &login, run.at));
    if let Some((first, _)) = earlier.filter(|(_, created)| *created) {
        on_event(VerifyEvent::Progress(format!(
            "cleaning up: removing the first run's Okta user {first}…"
        )));
        let line = match clean_up(okta, token.clone(), &first) {
            Ok(CleanUp::Removed { id, .. }) => {
                format!("The first run's Okta user {first} ({id}) was removed.")
            }
            Ok(_) => format!("The first run's Okta user {first} was already gone."),
            Err(e) => format!(
                "The first run's Okta user {first} could not be removed: {}. Remove it by hand (Directory > People: deactivate, then delete).",
                token.redact(&e.to_string())
            ),
        };
        run.notes.push(line);
    }
    // Only a user the file created is looked for: a clean-up never names one that does not exist.
    let cleanup = if created_okta_user(&run) {
        on_event(VerifyEvent::Progress(format!(
            "cleaning up: removing the Okta user {login}…"
        )));
        match clean_up(okta, token.clone(), &login) {
            Ok(done) => done,
            Err(e) => CleanUp::Failed {
                why: token.redact(&e.to_string()),
            },
        }
    } else {
        CleanUp::NothingLeft
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

/// Whether the run created its Okta user: a POST to Okta's `/api/v1/users` that answered 2xx.
fn created_okta_user(run: &FileRun) -> bool {
    run.steps.iter().flat_map(|s| &s.attempts).any(|a| {
        a.method == "POST"
            && a.url
                .split('?')
                .next()
                .is_some_and(|path| path.trim_end_matches('/').ends_with("/api/v1/users"))
            && a.status.is_some_and(|s| (200..300).contains(&s))
    })
}

/// One read with each credential: the app's SCIM API (`GET /Users?startIndex=1&count=1`), then
/// the Okta org (the app instance, as the file's first step reads it).
fn check_credentials(
    connection: &Connection,
    secret: &Secret,
    token: &Secret,
    okta: &OktaConnection,
    cancel: &CancelFlag,
) -> Result<(), Refusal> {
    let scim =
        ScimClient::new(connection, secret).map_err(|e| Refusal::Unreachable(e.to_string()))?;
    check_scim_credential(&scim, &connection.auth, cancel)?;
    let client = OktaClient::new(okta, OktaCredential::ApiToken(token.clone()))
        .map_err(|e| Refusal::Unreachable(token.redact(&e.to_string())))?
        .with_cancel(cancel.clone());
    match client.app() {
        Ok(_) => Ok(()),
        Err(e @ (OktaError::InvalidToken { .. } | OktaError::Forbidden { .. })) => {
            Err(Refusal::Refused(format!(
                "{} Nothing else was sent.",
                token.redact(&e.to_string())
            )))
        }
        Err(e @ OktaError::NotFound { .. }) => Err(Refusal::Refused(format!(
            "{} Check the app id given to `scimplan connect --okta-app-id` (the app's General tab or its URL in the Admin Console). Nothing else was sent.",
            token.redact(&e.to_string())
        ))),
        Err(e) if matches!(e, OktaError::Unreachable { .. }) => {
            Err(Refusal::Unreachable(token.redact(&e.to_string())))
        }
        // Anything else is for the file to meet (its first step reads the same).
        Err(_) => Ok(()),
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
