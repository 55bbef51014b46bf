//! Which System Log a case's check reads (`okta::okta_trail`): since when (the case's start,
//! else its previous check, else a lookback) and about whom (the users and groups its inputs
//! name).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::okta::TrailSubject;
use crate::session::{VerifyRun, VerifyState};

/// When `case` started as far as the check records say: when the tester started it (`scimplan
/// start`), else since its previous check (at most `TRAIL_LOOKBACK` before `now`). The fallback
/// of `job::case_started`, which also looks at the steps' ticks: use that one.
pub fn started_or_lookback(state: &VerifyState, case: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    state
        .started
        .get(case)
        .map(|s| s.at)
        .unwrap_or_else(|| trail_since(&state.runs, case, now))
}

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
