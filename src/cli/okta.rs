//! `scimplan connect PLAN --okta-org URL --okta-app-id ID`: the tester's Okta org, checked at
//! once (the app, its provisioning) and saved in the session without the token.

use std::io::IsTerminal;
use std::path::Path;

use super::{Common, EXIT_ERROR, Failure, open, save, usage_error};
use crate::net::Secret;
use crate::okta::{OktaClient, OktaError, check_app, credential_for, token_from_env};
use crate::session::VerifyRun;
use crate::session::{NetworkSettings, OKTA_SCOPES, OKTA_TOKEN_ENV, OktaAuth, OktaConnection};

/// `--okta-client-id`, `--okta-key-file`, `--okta-key-id`.
pub struct ServiceAppArgs {
    pub client_id: String,
    pub key_file: std::path::PathBuf,
    pub key_id: Option<String>,
}

/// Checks the org and the app with the token, then saves the connection (never the token).
/// Nothing is saved when the check fails: an earlier connection stays as it was.
pub fn connect_okta(
    plan: &Path,
    common: &Common,
    org: &str,
    app_id: Option<&str>,
    service_app: Option<ServiceAppArgs>,
    network: &NetworkSettings,
) -> Result<u8, Failure> {
    let Some(app_id) = app_id else {
        return Err(usage_error(
            "--okta-org needs --okta-app-id ID: the app instance's id, shown in its Admin Console URL (…/instance/0oa…/).",
        ));
    };
    let auth = match service_app {
        None => OktaAuth::ApiToken,
        Some(args) => {
            // Kept absolute, so later commands find the key from any folder.
            let key_file = std::path::absolute(&args.key_file).unwrap_or(args.key_file);
            OktaAuth::ServiceApp {
                client_id: args.client_id.trim().to_string(),
                key_file: key_file.display().to_string(),
                key_id: args.key_id,
                scopes: OKTA_SCOPES.iter().map(|s| s.to_string()).collect(),
            }
        }
    };
    let connection = OktaConnection::new(org, app_id, auth)?.with_network(network.clone());
    let mut ws = open(plan, common)?;
    let token = match connection.auth {
        OktaAuth::ApiToken => Some(okta_token()?),
        OktaAuth::ServiceApp { .. } => None,
    };
    println!(
        "Okta org: {} (app {})",
        connection.org_url, connection.app_id
    );
    println!("signing in with: {}", connection.auth.label());
    super::doctor::print_network(&connection.network);
    let client = match credential_for(&connection, token) {
        Ok(credential) => OktaClient::new(&connection, credential)?
            .with_progress(|progress| eprintln!("  {}", progress.describe())),
        Err(error) => {
            eprintln!("error: {}", explain(&error));
            eprintln!("The Okta connection was not saved.");
            return Ok(EXIT_ERROR);
        }
    };
    let check = match check_app(&client) {
        Ok(check) => check,
        Err(error) => {
            eprintln!("error: {}", explain(&error));
            eprintln!("The Okta connection was not saved.");
            return Ok(EXIT_ERROR);
        }
    };
    for line in check.lines() {
        println!("{line}");
    }
    let mut connection = connection;
    connection.app_name = check.app.name.clone();
    let before = ws.session().verify().okta.clone();
    ws.apply(crate::session::Command::OktaConnection(Some(
        connection.clone(),
    )));
    save(&mut ws)?;
    if let Some(before) = before {
        super::doctor::note_dropped(&before.network, &connection.network);
    }
    match &connection.auth {
        OktaAuth::ApiToken => println!(
            "Okta connection saved. Token: read from {OKTA_TOKEN_ENV} (or asked) when needed; never saved."
        ),
        OktaAuth::ServiceApp { key_file, .. } => println!(
            "Okta connection saved. The private key stays in {key_file}: read when needed, never copied."
        ),
    }
    if !check.provisioning_on() {
        eprintln!(
            "warning: provisioning is off for {}: the cases that check Okta's provisioning cannot pass until it is on.",
            check.app.label
        );
    }
    Ok(0)
}

/// Okta's errors, with the next step for the ones a tester meets when connecting.
fn explain(error: &OktaError) -> String {
    error.to_string()
}

/// The token from `SCIMPLAN_OKTA_TOKEN`, else a masked prompt on the terminal.
pub fn okta_token() -> Result<Secret, Failure> {
    if let Some(token) = token_from_env() {
        return Ok(token);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(usage_error(format!(
            "the Okta API token is not set: export {OKTA_TOKEN_ENV} (it is read from the environment, or asked on a terminal, and never saved)."
        )));
    }
    let token = super::prompt::masked_prompt("Okta API token (input hidden): ")
        .map_err(|e| usage_error(format!("cannot read the token: {e}")))?;
    if token.trim().is_empty() {
        return Err(usage_error(format!(
            "no token given. Export {OKTA_TOKEN_ENV} or type the token at the prompt."
        )));
    }
    Ok(Secret::new(token.trim()))
}

/// Okta's side of a run, for the tester: the app user's state and what went wrong.
pub fn print_trail(run: &VerifyRun) {
    for line in run.okta.iter().flat_map(|trail| trail.lines()) {
        println!("    Okta: {line}");
    }
}
