//! Which System Log a case's check reads (`okta::okta_trail`): since when (the case's start,
//! `job::case_started`, which uses `TRAIL_LOOKBACK`) and about whom (the users and groups its
//! inputs name).

use std::collections::BTreeMap;

use crate::okta::TrailSubject;

/// How far before the first tick of a case's steps (or the check) its window starts when the
/// tester recorded no start: the Okta steps come before the ticks.
pub const TRAIL_LOOKBACK: chrono::Duration = chrono::Duration::minutes(15);

/// The Okta users and groups a check's inputs name: `user`, `members` (a list), `group`.
pub fn subjects_of(inputs: &BTreeMap<String, String>) -> Vec<TrailSubject> {
    let mut subjects = Vec::new();
    if let Some(user) = inputs.get("user") {
        subjects.push(TrailSubject::User(user.trim().to_string()));
    }
    let lists = ["members", "removed_members"].map(|name| inputs.get(name));
    for member in lists.into_iter().flatten().flat_map(|m| m.split(',')) {
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
