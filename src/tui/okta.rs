//! A case's Okta side from the checklist: the Admin Console page its steps need (opened, its URL
//! shown), and its System Log on demand, read in a background job (Esc cancels it) into the
//! detail pane. The connection itself is the connection form's.

use chrono::{DateTime, Utc};

use super::action::JobEvent;
use super::job::{JobKind, Work};
use super::model::Model;
use super::okta_access::{client, sign_in};
use crate::okta::okta_trail;
use crate::session::{OktaConnection, OktaTrail};
use crate::verify::console::{NO_ORG, case_inputs, console_page};
use crate::verify::trail::subjects_of;

/// A case's System Log came back: its job is over. A cancelled read is said so and left.
pub fn trail_read(m: &mut Model, case: String, trail: OktaTrail) {
    let cancelled = m
        .jobs
        .finish(JobKind::SystemLog)
        .is_some_and(|job| job.cancelled);
    match (case, trail) {
        (case, _) if cancelled => m.info(format!("{case}: reading Okta's System Log cancelled.")),
        (case, trail) => {
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
    if m.jobs.is_pending(JobKind::SystemLog) {
        return m.info("Okta's System Log is being read: wait for it, or Esc to cancel it.");
    }
    let subjects = subjects_of(&case_inputs(&m.recipes, m.ws.session().verify(), &case));
    m.info(format!(
        "Reading Okta's System Log for {case} since {}…",
        since.format("%H:%M:%S UTC")
    ));
    let work = Work::SystemLog { case: case.clone() };
    m.jobs.spawn(work, &m.inbox, move |cancel| {
        let trail = match client(&connection, token, cancel) {
            Ok(client) => okta_trail(&client, since, &subjects),
            Err(error) => OktaTrail {
                since: Some(since),
                error: Some(error.to_string()),
                ..OktaTrail::default()
            },
        };
        JobEvent::SystemLog { case, trail }
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
        Err(why) => return m.error(why.to_string()),
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
