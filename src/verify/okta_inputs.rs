//! Inputs a check takes from the Okta org instead of the tester: the SCIM side's expected
//! values from what Okta sends the user (its app user profile, compared by the step that
//! reads the user, `profile`), else from the Okta user's profile, and a group's expected
//! members from the Okta group, so the tester types a login or a group's name only.

use std::collections::BTreeMap;

use super::job::CheckJob;
use super::okta_side::{okta_failure, profile_expectations};
use super::profile::{AttributeMap, read_profile};
use super::template::split_list;
use crate::okta::{GroupType, OktaClient};
use crate::session::{AssertionRecord, RunFailure};

/// The SCIM side's expected `given_name`, `family_name` and `email` for the user the recipe's
/// `okta_profile` input names. When the user is assigned and the recipe's step reading it
/// compares the profile (`profile`), every attribute Okta sends is compared there, so these
/// inputs are dropped (a typed one is noted); otherwise they come from the Okta user's
/// profile. Okta's values win over typed ones (a value typed for another user stays in the
/// session); each typed value replaced is noted.
pub(super) fn expected_from_profile(
    okta: &OktaClient,
    job: &CheckJob,
    map: Option<&AttributeMap>,
    inputs: &mut BTreeMap<String, String>,
) -> Result<Vec<AssertionRecord>, (RunFailure, String)> {
    let Some(login) = job
        .recipe
        .okta_profile
        .as_ref()
        .and_then(|input| job.inputs.get(input))
    else {
        return Ok(Vec::new());
    };
    let mut notes = Vec::new();
    let compares_profile = job
        .recipe
        .steps
        .iter()
        .any(|s| s.profile && s.for_each.is_none());
    if let Some(map) = map.filter(|_| compares_profile)
        && let Some(sent) = read_profile(okta, login, map).map_err(|e| okta_failure(okta, &e))?
    {
        for (name, path) in [
            ("given_name", "name.givenName"),
            ("family_name", "name.familyName"),
            ("email", "emails"),
        ] {
            if !sent.covers(path) {
                continue;
            }
            if let Some(typed) = inputs.remove(name) {
                notes.push(AssertionRecord {
                    step: format!("Okta: app user {login}"),
                    check: format!("the app user profile, the SCIM side's expected {name}"),
                    expected: "what Okta sent".into(),
                    actual: "what Okta sent".into(),
                    passed: true,
                    note: Some(format!(
                        "{name}={typed} was typed; the app is compared with what Okta sent (the app user profile)"
                    )),
                });
            }
        }
        return Ok(notes);
    }
    // No such user: the Okta side says so.
    let Some(profile) = profile_expectations(okta, login).map_err(|e| okta_failure(okta, &e))?
    else {
        return Ok(Vec::new());
    };
    for (name, field, value) in [
        ("given_name", "firstName", profile.given_name),
        ("family_name", "lastName", profile.family_name),
        ("email", "email", profile.email),
    ] {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        if !job.recipe.optional.iter().any(|o| o == name) {
            continue;
        }
        if let Some(typed) = inputs.insert(name.to_string(), value.clone())
            && typed != value
        {
            notes.push(AssertionRecord {
                step: format!("Okta: user {login}"),
                check: format!("profile {field}, the SCIM side's expected {name}"),
                expected: value.clone(),
                actual: value,
                passed: true,
                note: Some(format!(
                    "{name}={typed} was typed; the app is compared with the Okta profile's value"
                )),
            });
        }
    }
    Ok(notes)
}

/// Fills the recipe's `okta_members` list with the logins of the Okta group named exactly as
/// its input says (a letter-case twin never stands in; two groups of that name are an error).
/// Okta's members win over a typed list, which is noted when it differed.
pub(super) fn expected_members(
    okta: &OktaClient,
    job: &CheckJob,
    inputs: &mut BTreeMap<String, String>,
) -> Result<Vec<AssertionRecord>, (RunFailure, String)> {
    let Some(spec) = &job.recipe.okta_members else {
        return Ok(Vec::new());
    };
    let Some(name) = job.inputs.get(&spec.group) else {
        return Ok(Vec::new());
    };
    // The tester's group: the APP_GROUP Okta keeps for a pushed group has the same name.
    let groups = okta
        .groups_named(name, Some(GroupType::Okta))
        .map_err(|e| okta_failure(okta, &e))?;
    let group = match groups.as_slice() {
        [one] => one,
        [] => {
            return Err((
                RunFailure::CannotCheck,
                format!(
                    "Okta: no group is named exactly \"{name}\" (letter case counts): check the name, or type the members (--input {}=...)",
                    spec.into
                ),
            ));
        }
        several => {
            return Err((
                RunFailure::CannotCheck,
                format!(
                    "Okta: {} groups are named \"{name}\": rename all but one, so the check knows whose members to compare",
                    several.len()
                ),
            ));
        }
    };
    let members = okta
        .group_members(&group.id)
        .map_err(|e| okta_failure(okta, &e))?;
    let logins: Vec<String> = members.into_iter().map(|u| u.profile.login).collect();
    let value = logins.join(", ");
    let mut notes = Vec::new();
    if let Some(typed) = inputs.insert(spec.into.clone(), value.clone())
        && split_list(&typed) != logins
    {
        notes.push(AssertionRecord {
            step: format!("Okta: group {name}"),
            check: format!("members, the SCIM side's expected {}", spec.into),
            expected: value.clone(),
            actual: value,
            passed: true,
            note: Some(format!(
                "{}={typed} was typed; the app is compared with the Okta group's members",
                spec.into
            )),
        });
    }
    Ok(notes)
}
