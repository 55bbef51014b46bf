//! `scimplan connect` and `spec`: the app's SCIM API, checked from the command line (the
//! per-case checks are in `check`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{Common, EXIT_ERROR, EXIT_FINDING, Failure, open, save, usage_error};
use crate::session::CheckStatus;
use crate::session::write_atomic;
use crate::verify::{
    AuthScheme, CancelFlag, Connection, ScimClient, Secret, SpecOptions, VerifyError, VerifyEvent,
    record_spec, run_spec,
};
use crate::workspace::Workspace;

/// `scimplan connect`: stores the connection settings (never the secret) in the session.
pub fn connect(
    plan: &Path,
    common: &Common,
    scim_url: &str,
    auth: &str,
    username: Option<String>,
) -> Result<u8, Failure> {
    let auth = AuthScheme::parse(auth)?;
    let connection = Connection::new(scim_url, auth.clone(), username)?;
    let mut ws = open(plan, common)?;
    ws.store.session.verify.connection = Some(connection.clone());
    save(&mut ws)?;
    println!("SCIM connection saved: {}", connection.base_url);
    if let Some(warning) = connection.plain_http_warning() {
        eprintln!("warning: {warning}");
    }
    println!("auth: {}", connection.describe_auth());
    let var = auth.secret_env();
    let set = if std::env::var_os(var).is_some() {
        "set"
    } else {
        "not set yet"
    };
    println!("secret: read from {var} ({set}) when checks run; never saved.");
    Ok(0)
}

pub(super) fn connection_and_secret(ws: &Workspace) -> Result<(Connection, Secret), Failure> {
    let connection = ws
        .store
        .session
        .verify
        .connection
        .clone()
        .ok_or(VerifyError::NoConnection)?;
    let secret = Secret::from_env(&connection.auth)?;
    Ok((connection, secret))
}

pub struct SpecArgs {
    pub yes: bool,
    pub junit: Option<PathBuf>,
    pub json: bool,
}

/// `scimplan spec`: the local SPEC suite, recorded for the readiness summary.
pub fn spec(plan: &Path, common: &Common, args: SpecArgs) -> Result<u8, Failure> {
    let mut ws = open(plan, common)?;
    let (connection, secret) = connection_and_secret(&ws)?;
    let options = SpecOptions::new(connection.auth.clone());
    eprintln!(
        "The SPEC suite creates one user in {}: {} (deactivated at the end).",
        connection.base_url, options.user_name
    );
    if !args.yes && !confirm()? {
        eprintln!("Not run: nothing was created.");
        return Ok(EXIT_ERROR);
    }
    let client = ScimClient::new(&connection, &secret)?;
    let cancel = CancelFlag::new();
    let quiet = args.json;
    let report = run_spec(&client, &options, &cancel, &mut |event| {
        if let VerifyEvent::SpecCheck(check) = event
            && !quiet
        {
            println!("{:<5} {}", check.status.label(), check.name);
            if check.status != CheckStatus::Pass {
                for line in &check.detail {
                    println!("      {line}");
                }
            }
        }
    });
    if let Some(why) = &report.unreachable {
        // A connection problem says nothing about the app's SCIM: no SPEC result is recorded.
        eprintln!(
            "error: the SPEC suite could not reach {}: {why}\nNothing was created and no SPEC result was recorded.",
            report.target
        );
        return Ok(EXIT_ERROR);
    }
    record_spec(&mut ws.store.session, report.clone());
    save(&mut ws)?;
    if let Some(path) = &args.junit {
        write_atomic(path, crate::report::junit::spec(&report).as_bytes(), false)
            .map_err(|e| usage_error(format!("{}: cannot write JUnit: {e}", path.display())))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        );
    } else {
        println!(
            "SPEC suite {}: {} against {}",
            report.verdict(),
            report.counts(),
            report.target
        );
        if let Some(state) = report.created_user_state() {
            println!("{state}");
        }
    }
    Ok(if report.passed() { 0 } else { EXIT_FINDING })
}

/// Asks on the terminal; refuses when there is none to ask on.
fn confirm() -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(usage_error(
            "refusing to create a user without asking, and there is no terminal to ask on: rerun with --yes to agree.",
        ));
    }
    eprint!("Continue? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| usage_error(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
