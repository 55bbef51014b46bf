//! Where a provisioning error shows in Okta: the System Log events since a time for some users
//! and groups and the app (provisioning events, failures with their reason, authentication
//! failures against the app), and the first user's app user sync state. A verification keeps
//! it with its run as `session::OktaTrail`; which case's window and subjects it reads is
//! `verify::trail`'s.

use chrono::{DateTime, Utc};

use super::api::{LogEvent, LogQuery, quoted};
use super::client::OktaClient;
use super::error::OktaError;
use crate::session::{AppUserSync, OktaLogEntry, OktaTrail};

/// Events kept per run (the most recent ones).
pub const EVENTS_KEPT: usize = 50;

/// Who a trail is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrailSubject {
    /// An Okta user by login.
    User(String),
    /// An Okta group by name.
    Group(String),
}

/// The trail since `since`; a failure to read it is kept in `error`, never raised: the run's
/// verdict does not depend on it.
pub fn okta_trail(
    client: &OktaClient,
    since: DateTime<Utc>,
    subjects: &[TrailSubject],
) -> OktaTrail {
    let mut trail = OktaTrail {
        since: Some(since),
        ..OktaTrail::default()
    };
    if let Err(e) = fill(client, since, subjects, &mut trail) {
        trail.error = Some(client.secret().redact(&e.to_string()));
    }
    trail
}

fn fill(
    client: &OktaClient,
    since: DateTime<Utc>,
    subjects: &[TrailSubject],
    trail: &mut OktaTrail,
) -> Result<(), OktaError> {
    let mut ids = Vec::new();
    let mut first_user = None;
    for subject in subjects {
        match subject {
            TrailSubject::User(login) => {
                if let Some(user) = client.user_by_login(login)? {
                    first_user.get_or_insert(user.id.clone());
                    ids.push(user.id);
                }
            }
            // Both the tester's group and its APP_GROUP twin: Group Push events name the
            // latter.
            TrailSubject::Group(name) => {
                ids.extend(client.groups_named(name, None)?.into_iter().map(|g| g.id));
            }
        }
    }
    let app_id = client.app_id().to_string();
    let filter = std::iter::once(&app_id)
        .chain(&ids)
        .map(|id| format!("target.id eq {}", quoted(id)))
        .collect::<Vec<_>>()
        .join(" or ");
    let events = client.logs(&LogQuery::since(since).filter(filter))?;
    let mut kept: Vec<OktaLogEntry> = events
        .iter()
        .filter(|e| concerns(e, &app_id, &ids))
        .map(entry)
        .collect();
    if kept.len() > EVENTS_KEPT {
        kept.drain(..kept.len() - EVENTS_KEPT);
    }
    trail.events = kept;
    if let Some(user_id) = first_user
        && let Some(app_user) = client.app_user(&user_id)?
    {
        trail.app_user = Some(AppUserSync {
            user_id,
            status: app_user.status,
            sync_state: app_user.sync_state.unwrap_or_default(),
            external_id: app_user.external_id,
        });
    }
    Ok(())
}

/// An event about one of the trail's users or groups, or one about the app that went wrong (an
/// authentication failure against the app names no user).
fn concerns(event: &LogEvent, app_id: &str, ids: &[String]) -> bool {
    let names = |id: &str| event.target.iter().any(|t| t.id == id);
    if ids.iter().any(|id| names(id)) {
        return true;
    }
    let failed = matches!(event.outcome.result.as_str(), "FAILURE" | "DENY")
        || event.event_type.starts_with("application.integration.");
    names(app_id) && (ids.is_empty() || failed)
}

fn entry(event: &LogEvent) -> OktaLogEntry {
    OktaLogEntry {
        published: event.published,
        event_type: event.event_type.clone(),
        display_message: event.display_message.clone().unwrap_or_default(),
        result: event.outcome.result.clone(),
        reason: event.outcome.reason.clone().filter(|r| !r.is_empty()),
        targets: event
            .target
            .iter()
            .map(|t| {
                let name = t
                    .alternate_id
                    .as_deref()
                    .or(t.display_name.as_deref())
                    .unwrap_or(&t.id);
                format!("{} {name}", t.kind)
            })
            .collect(),
        uuid: event.uuid.clone(),
    }
}
