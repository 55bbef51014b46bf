//! `scimplan connect PLAN --okta-org URL --okta-app-id ID`: the tester's Okta org, checked at
//! once (the app, its provisioning) and saved in the session without the token.

use std::io::{IsTerminal, Write};
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
    let token = masked_prompt("Okta API token (input hidden): ")
        .map_err(|e| usage_error(format!("cannot read the token: {e}")))?;
    if token.trim().is_empty() {
        return Err(usage_error(format!(
            "no token given. Export {OKTA_TOKEN_ENV} or type the token at the prompt."
        )));
    }
    Ok(Secret::new(token.trim()))
}

/// Reads a line without echoing it (a `*` per character), in raw mode so it never shows.
pub(crate) fn masked_prompt(question: &str) -> std::io::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    let mut err = std::io::stderr();
    write!(err, "{question}")?;
    err.flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let mut text = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    text.clear();
                    break Err(std::io::Error::new(
                        std::io::ErrorKind::Interrupted,
                        "cancelled",
                    ));
                }
                KeyCode::Esc => {
                    text.clear();
                    break Ok(());
                }
                KeyCode::Backspace if text.pop().is_some() => {
                    let _ = write!(err, "\u{8} \u{8}");
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    let _ = write!(err, "*");
                }
                _ => {}
            },
            Ok(Event::Paste(pasted)) => {
                let _ = write!(err, "{}", "*".repeat(pasted.chars().count()));
                text.push_str(&pasted);
            }
            Ok(_) => {}
            Err(e) => break Err(e),
        }
        let _ = err.flush();
    };
    crossterm::terminal::disable_raw_mode()?;
    writeln!(err)?;
    result.map(|()| text)
}

/// Okta's side of a run, for the tester: the app user's state and what went wrong.
pub fn print_trail(run: &VerifyRun) {
    for line in run.okta.iter().flat_map(|trail| trail.lines()) {
        println!("    Okta: {line}");
    }
}

/// `scimplan console PLAN CASE [--system-log] [--open]`: the Admin Console page the case needs,
/// printed (the URL on stdout, for scripts and terminals over SSH) and opened when asked.
pub fn console(
    plan: &Path,
    common: &Common,
    case: &str,
    system_log: bool,
    open_it: bool,
) -> Result<u8, Failure> {
    let ws = open(plan, common)?;
    let Some(index) = ws.plan.case_index(case.trim()) else {
        return Err(usage_error(super::unknown_case_message(&ws, case)));
    };
    let book = crate::verify::RecipeBook::builtin();
    let page = crate::verify::console::console_page(
        &ws.profile,
        &book,
        ws.session(),
        &ws.plan.cases[index],
        system_log,
    )?;
    eprintln!("{}: {}", ws.plan.cases[index].id, page.name);
    println!("{}", page.url);
    if open_it {
        match crate::opener::open_detached(&page.url) {
            Ok(opener) => eprintln!("opening with {opener}"),
            Err(why) => eprintln!("not opened: {why}; the URL is above"),
        }
    }
    Ok(0)
}
