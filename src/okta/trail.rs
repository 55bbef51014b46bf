//! Where a provisioning error shows in Okta, collected for a verification: the System Log
//! events since the case started for its test user or group and the app (provisioning events,
//! failures with their reason, authentication failures against the app), and the app user's
//! sync state. Kept with the run as `session::OktaTrail`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::api::{LogEvent, LogQuery, quoted};
use super::client::OktaClient;
use super::error::OktaError;
use crate::session::{AppUserSync, OktaLogEntry, OktaTrail, VerifyRun};

/// Events kept per run (the most recent ones).
pub const EVENTS_KEPT: usize = 50;

/// How far back a case's System Log is read when no earlier check of the case marks a later
/// start: the tester usually does a case's steps in Okta just before checking it.
pub const TRAIL_LOOKBACK: chrono::Duration = chrono::Duration::minutes(15);

/// When the case started, for its System Log: `TRAIL_LOOKBACK` before this check, or the
/// previous check of the same case when that is later (its events were shown then).
pub fn trail_since(
    earlier_runs: &[VerifyRun],
    case: &str,
    started: DateTime<Utc>,
) -> DateTime<Utc> {
    let window = started - TRAIL_LOOKBACK;
    earlier_runs
        .iter()
        .filter(|r| r.case == case && r.at < started)
        .map(|r| r.at)
        .max()
        .map_or(window, |previous| previous.max(window))
}

/// The Okta users and groups a check's inputs name: `user`, `members` (a list), `group`.
pub fn subjects_of(inputs: &BTreeMap<String, String>) -> Vec<TrailSubject> {
    let mut subjects = Vec::new();
    if let Some(user) = inputs.get("user") {
        subjects.push(TrailSubject::User(user.trim().to_string()));
    }
    for member in inputs.get("members").into_iter().flat_map(|m| m.split(',')) {
        let member = member.trim();
        if !member.is_empty() && !subjects.contains(&TrailSubject::User(member.to_string())) {
            subjects.push(TrailSubject::User(member.to_string()));
        }
    }
    if let Some(group) = inputs.get("group") {
        subjects.push(TrailSubject::Group(group.trim().to_string()));
    }
    subjects
}

/// Who the case is about.
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
            TrailSubject::Group(name) => {
                ids.extend(client.groups_named(name)?.into_iter().map(|g| g.id));
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

/// An event about the case's user or group, or one about the app that went wrong (an
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_name_the_subjects() {
        let inputs: BTreeMap<String, String> = [
            ("user".to_string(), "ann@example.com".to_string()),
            (
                "members".to_string(),
                "bob@example.com, ann@example.com,".to_string(),
            ),
            ("group".to_string(), "Engineering".to_string()),
        ]
        .into();
        assert_eq!(
            subjects_of(&inputs),
            [
                TrailSubject::User("ann@example.com".into()),
                TrailSubject::User("bob@example.com".into()),
                TrailSubject::Group("Engineering".into()),
            ]
        );
    }
}
