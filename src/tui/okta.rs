//! The checklist's side of the tester's Okta org: checking the org when the connection form
//! saves it, the Admin Console page a case's steps need, and the case's System Log on demand.
//! Okta is read on a background thread; results come back through the event channel.

use chrono::{DateTime, Utc};

use super::model::{AppEvent, Model, PromptKind};
use crate::net::Secret;
use crate::okta::{
    OktaClient, OktaCredential, OktaError, check_app, credential_for, okta_trail, token_from_env,
};
use crate::session::{OKTA_TOKEN_ENV, OktaAuth, OktaConnection, OktaTrail};
use crate::verify::console::{NO_ORG, case_inputs, console_page};
use crate::verify::trail::subjects_of;

/// What a background read of the Okta org brought back.
#[derive(Debug, Clone)]
pub enum OktaEvent {
    /// The org and app were checked for the connection form; the connection carries the app's
    /// name when the check passed.
    Checked {
        connection: OktaConnection,
        result: Result<Vec<String>, String>,
        /// The check was refused for the token (so a typed token is forgotten).
        token_refused: bool,
    },
    /// The System Log of a case, asked for from the detail pane.
    Trail { case: String, trail: OktaTrail },
}

/// The token for an API-token connection: typed in this checklist, else the environment.
pub fn api_token(m: &Model) -> Option<Secret> {
    m.okta_secret
        .clone()
        .or_else(|| m.secrets_from_env.then(token_from_env).flatten())
}

/// The credential to sign in to `connection` with, or why there is none. A service app signs
/// in on the background thread (it is a request), so this only gathers what it needs.
fn sign_in(m: &Model, connection: &OktaConnection) -> Result<Option<Secret>, String> {
    match connection.auth {
        OktaAuth::ApiToken => api_token(m).map(Some).ok_or_else(|| {
            format!(
                "the Okta API token is not set: export {OKTA_TOKEN_ENV} before starting scimplan, or type it when the connection form (C) asks."
            )
        }),
        OktaAuth::ServiceApp { .. } => Ok(None),
    }
}

fn client(connection: &OktaConnection, token: Option<Secret>) -> Result<OktaClient, OktaError> {
    let credential: OktaCredential = credential_for(connection, token)?;
    OktaClient::new(connection, credential)
}

/// Checks the org and app in the background (the connection form's Enter); the connection is
/// saved when the answer arrives and the check passed, as `scimplan connect` does.
pub fn check_connection(m: &mut Model, connection: OktaConnection) {
    let token = match sign_in(m, &connection) {
        Ok(token) => token,
        Err(why) => return m.error(format!("Okta connection not saved: {why}")),
    };
    let tx = m.inbox.sender();
    m.info(format!(
        "Checking the Okta org {} and app {}…",
        connection.org_url, connection.app_id
    ));
    std::thread::spawn(move || {
        let outcome = client(&connection, token).and_then(|c| check_app(&c));
        let (connection, result, token_refused) = match outcome {
            Ok(check) => {
                let mut connection = connection;
                connection.app_name = check.app.name.clone();
                let mut lines = check.lines();
                if !check.provisioning_on() {
                    lines.push(format!(
                        "Provisioning is off for {}: the cases that check Okta's provisioning cannot pass until it is on.",
                        check.app.label
                    ));
                }
                (connection, Ok(lines), false)
            }
            Err(error) => {
                let refused = matches!(error, OktaError::InvalidToken { .. });
                (connection, Err(error.to_string()), refused)
            }
        };
        let _ = tx.send(AppEvent::Okta(OktaEvent::Checked {
            connection,
            result,
            token_refused,
        }));
    });
}

/// Checks `connection` now, or first asks for the API token when none is known.
pub fn connect(m: &mut Model, connection: OktaConnection) {
    if connection.auth == OktaAuth::ApiToken && api_token(m).is_none() {
        m.okta_pending = Some(connection);
        let case = m.selected_case().unwrap_or_default();
        let title = format!(
            "{OKTA_TOKEN_ENV} not set: paste the Okta API token (memory only, never saved)"
        );
        return super::wire::open_prompt(m, PromptKind::OktaToken, title, case);
    }
    check_connection(m, connection);
}

/// The token was typed: keep it in memory and check the connection waiting for it.
pub fn token_given(m: &mut Model, value: String) {
    m.okta_secret = Some(Secret::new(value));
    if let Some(connection) = m.okta_pending.take() {
        check_connection(m, connection);
    }
}

/// A background read came back.
pub fn handle(m: &mut Model, event: OktaEvent) {
    match event {
        OktaEvent::Checked {
            connection,
            result: Ok(lines),
            ..
        } => {
            let command = crate::session::Command::OktaConnection(Some(connection.clone()));
            if m.ws.apply(command).changed {
                m.after_change();
            }
            m.info(format!(
                "Okta connection saved ({}, never the token): {}",
                connection.auth.label(),
                lines.join("; ")
            ));
        }
        OktaEvent::Checked {
            connection,
            result: Err(why),
            token_refused,
        } => {
            let mut text = format!("Okta connection to {} not saved: {why}", connection.org_url);
            if token_refused && m.okta_secret.take().is_some() {
                text.push_str(" The typed token is forgotten.");
            }
            m.error(text);
        }
        OktaEvent::Trail { case, trail } => {
            let count = trail.events.len();
            let failed = trail.events.iter().filter(|e| e.failed()).count();
            let text = match &trail.error {
                Some(error) => format!("{case}: Okta's System Log could not be read: {error}"),
                None => format!(
                    "{case}: {count} System Log event(s) since {}, {failed} failed (in the detail pane).",
                    trail
                        .since
                        .map(|t| t.format("%H:%M:%S UTC").to_string())
                        .unwrap_or_default()
                ),
            };
            if trail.error.is_some() {
                m.error(text);
            } else {
                m.info(text);
            }
            m.okta_trails.insert(case, trail);
        }
    }
}

/// The selected case's id and when it started (for its System Log).
fn case_and_start(m: &Model) -> Option<(String, DateTime<Utc>)> {
    let case = &m.ws.plan.cases[m.selected_case()?];
    let started = crate::verify::job::case_started(m.ws.session(), &case.id, Utc::now());
    Some((case.id.clone(), started))
}

fn connection_or_say(m: &mut Model) -> Option<OktaConnection> {
    let connection = m.ws.session().verify().okta.clone();
    if connection.is_none() {
        m.error(NO_ORG);
    }
    connection
}

/// Reads the selected case's System Log events (and its app user's sync state) in the
/// background; they show in the detail pane.
pub fn fetch_trail(m: &mut Model) {
    let Some((case, since)) = case_and_start(m) else {
        return;
    };
    let Some(connection) = connection_or_say(m) else {
        return;
    };
    let token = match sign_in(m, &connection) {
        Ok(token) => token,
        Err(why) => return m.error(format!("Okta's System Log is not read: {why}")),
    };
    let subjects = subjects_of(&case_inputs(&m.recipes, m.ws.session().verify(), &case));
    let tx = m.inbox.sender();
    m.info(format!(
        "Reading Okta's System Log for {case} since {}…",
        since.format("%H:%M:%S UTC")
    ));
    std::thread::spawn(move || {
        let trail = match client(&connection, token) {
            Ok(client) => okta_trail(&client, since, &subjects),
            Err(error) => OktaTrail {
                since: Some(since),
                error: Some(error.to_string()),
                ..OktaTrail::default()
            },
        };
        let _ = tx.send(AppEvent::Okta(OktaEvent::Trail { case, trail }));
    });
}

/// Opens the Admin Console page the selected case's steps start on (or, with `system_log`,
/// the System Log filtered to its test user since it started) and shows the URL, which is what
/// a tester over SSH copies.
pub fn open_admin_page(m: &mut Model, system_log: bool) {
    let Some(index) = m.selected_case() else {
        return;
    };
    let case = &m.ws.plan.cases[index];
    let page = match console_page(&m.ws.profile, &m.recipes, m.ws.session(), case, system_log) {
        Ok(page) => page,
        Err(why) => return m.error(why),
    };
    // The URL first: a narrow line cuts the end, and over SSH it is what the tester needs.
    match crate::opener::open_detached(&page.url) {
        Ok(opener) => m.info(format!(
            "{} ({}, opening with {opener})",
            page.url, page.name
        )),
        Err(why) => m.info(format!("{} ({}; {why})", page.url, page.name)),
    }
}
