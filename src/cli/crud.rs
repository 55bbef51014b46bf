//! `scimplan crud PLAN [--file F] [--yes] [--json]`: Okta's CRUD file run through the Runscope
//! runner with both connections, its pauses polled; the Okta user it creates is always cleaned
//! up (unassigned, deactivated, deleted), after a failure, Ctrl-C or SIGTERM too.

use std::path::{Path, PathBuf};

use super::okta::print_okta_refusals;
use super::{Common, EXIT_ERROR, EXIT_FINDING, Failure, open, save, usage_error};
use crate::session::{AuthScheme, FileRun, OKTA_TOKEN_ENV, OktaAuth, SuiteKind, SuiteRun};
use crate::verify::http::PlainClient;
use crate::verify::okta::{OktaClient, OktaCredential, OktaError, token_from_env};
use crate::verify::runscope::initial::{AuthValue, authorization_value, crud_variables};
use crate::verify::runscope::{RunContext, RunEvent, RunOptions, run_file};
use crate::verify::{CancelFlag, Secret};

pub struct CrudArgs {
    pub file: Option<PathBuf>,
    /// Seconds a step after a pause is polled, instead of the runner's default.
    pub deadline: Option<f64>,
    pub yes: bool,
    pub json: bool,
}

pub fn crud(plan: &Path, common: &Common, args: CrudArgs) -> Result<u8, Failure> {
    let mut ws = open(plan, common)?;
    let (connection, secret) = super::verify::connection_and_secret(&ws)?;
    let okta = ws.store.session.verify.okta.clone().ok_or_else(|| {
        usage_error(
            "no Okta org in this session. Run `scimplan connect PLAN --okta-org URL --okta-app-id ID` first.",
        )
    })?;
    if okta.auth != OktaAuth::ApiToken {
        return Err(usage_error(format!(
            "Okta's CRUD file signs in with an API token (Authorization: SSWS {{{{oktaToken}}}}), not a service app: set {OKTA_TOKEN_ENV} to a token of the org."
        )));
    }
    let token = token_from_env().ok_or_else(|| {
        usage_error(format!(
            "the Okta API token is not set: export {OKTA_TOKEN_ENV} (Okta's CRUD file sends it as SSWS)."
        ))
    })?;
    let (file, pinned) = super::verify::test_file(&ws, args.file.as_deref(), "crud")?;
    let auth = match &connection.auth {
        AuthScheme::Bearer => AuthValue::Bearer(secret.expose()),
        AuthScheme::Basic => AuthValue::Basic {
            username: connection.username.as_deref().unwrap_or_default(),
            password: secret.expose(),
        },
        AuthScheme::Header { .. } => AuthValue::Raw(secret.expose()),
    };
    let scim_auth = authorization_value(&auth);
    let mut rng = fastrand::Rng::new();
    let variables = crud_variables(
        &okta.org_url,
        &okta.app_id,
        token.expose(),
        &connection.base_url,
        &scim_auth,
        &mut rng,
    );
    let login = variables
        .get("okta_user_email")
        .cloned()
        .unwrap_or_default();
    eprintln!(
        "Running {} ({}) against {} and {}.\nIt creates the Okta user {login}, assigns it to app {} and provisions it into the app; scimplan removes the Okta user at the end (the app keeps it, deactivated).",
        file.name, file.path, okta.org_url, connection.base_url, okta.app_id
    );
    if !args.yes && !super::verify::confirm()? {
        eprintln!("Not run: nothing was created.");
        return Ok(EXIT_ERROR);
    }
    let cancel = CancelFlag::new();
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 2, cancel.atomic());
        let _ = signal_hook::flag::register(signal, cancel.atomic());
    }
    let client = PlainClient::new()?;
    let secrets = [
        secret.clone(),
        token.clone(),
        Secret::new(scim_auth.clone()),
    ];
    let mut options = RunOptions::default();
    if let Some(seconds) = args.deadline {
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(usage_error(format!(
                "--deadline {seconds}: give a number of seconds above 0."
            )));
        }
        options.poll_factor = 0.0;
        options.min_poll = std::time::Duration::from_secs_f64(seconds);
    }
    let context = RunContext {
        client: &client,
        secrets: &secrets,
        cancel: &cancel,
        options: &options,
    };
    let quiet = args.json;
    let target = format!("{} and {}", okta.org_url, connection.base_url);
    let mut run = run_file(&file, &variables, &target, &context, &mut |event| {
        if quiet {
            return;
        }
        match event {
            RunEvent::Step(step) => super::verify::print_step(&step),
            RunEvent::Attempt {
                position,
                number,
                failing,
                retry_in,
            } => eprintln!(
                "      step {position} attempt {number}: {failing}; again in {:.1} s",
                retry_in.as_secs_f32()
            ),
        }
    });
    run.file.expected_sha256 = pinned.filter(|p| p != &run.file.sha256);
    // Clean up with a fresh flag: a cancel stops the file, never the clean-up.
    let removed = clean_up(&okta, token, &login);
    if !quiet {
        print_okta_refusals(&run);
    }
    match &removed {
        Ok(Some(line)) => eprintln!("clean-up: {line}"),
        Ok(None) => eprintln!("clean-up: no Okta user {login} was left to remove."),
        Err(e) => eprintln!(
            "warning: clean-up failed: {e}\nRemove the Okta user {login} by hand (Directory > People: deactivate, then delete)."
        ),
    }
    if run.unreachable.is_some() && run.requests().count() <= 1 {
        eprintln!(
            "error: the CRUD file could not reach {}: {}\nNo CRUD result was recorded.",
            run.target,
            run.unreachable.as_deref().unwrap_or_default()
        );
        return Ok(EXIT_ERROR);
    }
    if !run.cancelled {
        ws.store.session.suite_runs.push(suite_run(&run));
        save(&mut ws)?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&run).expect("run serializes")
        );
    } else {
        println!(
            "CRUD file {}: {} of {} required steps failed, against {}",
            run.verdict(),
            run.failures(),
            run.requests().count(),
            run.target
        );
        println!("test user: {login}");
    }
    Ok(if run.cancelled || run.unreachable.is_some() {
        EXIT_ERROR
    } else if run.passed() {
        0
    } else {
        EXIT_FINDING
    })
}

fn suite_run(run: &FileRun) -> SuiteRun {
    SuiteRun {
        suite: SuiteKind::Crud,
        at: run.at,
        target: run.target.clone(),
        passed: run.passed(),
        checks: run.requests().count(),
        failures: run.failures(),
        warnings: run.warnings(),
        duration_ms: run.duration_ms,
        file: Some(run.file.name.clone()),
        sha256: Some(run.file.sha256.clone()),
    }
}

/// Removes the Okta user the file created: unassigns it, deactivates and deletes it. What was
/// removed, or `None` when there was no such user.
fn clean_up(
    okta: &crate::session::OktaConnection,
    token: Secret,
    login: &str,
) -> Result<Option<String>, OktaError> {
    let client = OktaClient::new(okta, OktaCredential::ApiToken(token))?;
    let Some(user) = client.user(login)? else {
        return Ok(None);
    };
    let mut done = Vec::new();
    if client.app_user(&user.id)?.is_some() {
        client.unassign_user(&user.id)?;
        done.push("unassigned");
    }
    client.delete_user(&user.id)?;
    done.push("deactivated and deleted");
    Ok(Some(format!(
        "Okta user {login} ({}) {}.",
        user.id,
        done.join(", ")
    )))
}
