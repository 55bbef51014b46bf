//! The Okta side of a case (`OKTA_SCIM.md`, "Which cases an API can verify", the O and S+O
//! cases): what must hold in the org, checked as assertions a run records beside the SCIM
//! side's. Engine-agnostic: the recipe engine (or anything else) asks for a case's
//! expectations, checks them, and polls until they hold or its deadline passes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::api::OktaUser;
use super::client::OktaClient;
use super::error::OktaError;
use crate::session::AssertionRecord;
use crate::verify::cancel::CancelFlag;

/// A Group Push mapping's expected state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingState {
    /// `ACTIVE`, without an error summary.
    Active,
    Inactive,
    /// No mapping for the group (unlinked).
    Absent,
}

/// One thing that must hold in Okta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OktaExpectation {
    /// The user's assignment is provisioned and in sync; linked to `scim_id` when given.
    Provisioned {
        login: String,
        scim_id: Option<String>,
    },
    /// The Okta user's lifecycle status (`SUSPENDED`, `ACTIVE`, ...).
    UserStatus { login: String, status: String },
    /// Provisioning to the app (feature and connection) on or off.
    Provisioning { enabled: bool },
    /// Password push on, and the user's app password set.
    PasswordPushed { login: String },
    /// The Group Push mapping of the group (by its exact name).
    PushMapping { group: String, state: MappingState },
    /// The app has an integration feature (`PROFILE_MASTERING`, ...).
    AppFeature { feature: String },
}

/// The Okta side of `case`, from its inputs; empty for cases whose Okta side is not checked.
pub fn expectations_for(case: &str, inputs: &BTreeMap<String, String>) -> Vec<OktaExpectation> {
    let input = |name: &str| {
        inputs
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let user = input("user");
    let group = input("group");
    let members: Vec<String> = input("members")
        .map(|m| {
            m.split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let provisioned = |login: &String, scim_id: Option<String>| OktaExpectation::Provisioned {
        login: login.clone(),
        scim_id,
    };
    let status = |s: &str| {
        user.iter()
            .map(|login| OktaExpectation::UserStatus {
                login: login.clone(),
                status: s.into(),
            })
            .collect()
    };
    let mapping = |state| {
        group
            .iter()
            .map(|g| OktaExpectation::PushMapping {
                group: g.clone(),
                state,
            })
            .collect()
    };
    match case {
        "C9290" | "C9334" | "C9336" => user
            .iter()
            .map(|u| provisioned(u, input("user_id")))
            .collect(),
        "C9335" => user
            .iter()
            .map(|u| provisioned(u, input("existing_user_id")))
            .collect(),
        "C9295" => status("SUSPENDED"),
        "C9300" => status("ACTIVE"),
        "C9301" | "C9302" => user
            .iter()
            .map(|u| OktaExpectation::PasswordPushed { login: u.clone() })
            .collect(),
        "C9306" => vec![OktaExpectation::Provisioning { enabled: true }],
        "C9339" => vec![OktaExpectation::Provisioning { enabled: false }],
        "C9307" => members.iter().map(|m| provisioned(m, None)).collect(),
        "C9312" | "C9317" | "C9332" | "C9316" | "C9315" | "C9330" | "C9333" | "C9320" | "C9329" => {
            mapping(MappingState::Active)
        }
        "C9319" | "C9328" => mapping(MappingState::Inactive),
        "C9318" | "C9327" | "C9321" | "C9326" | "C9331" => mapping(MappingState::Absent),
        "C9359" | "C9360" | "C9361" => vec![OktaExpectation::AppFeature {
            feature: "PROFILE_MASTERING".into(),
        }],
        _ => Vec::new(),
    }
}

fn record(
    step: &str,
    check: &str,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> AssertionRecord {
    let (expected, actual) = (expected.into(), actual.into());
    AssertionRecord {
        step: format!("Okta: {step}"),
        check: check.to_string(),
        passed: expected == actual,
        expected,
        actual,
        note: None,
    }
}

fn absent(step: &str, check: &str, expected: &str, what: String) -> AssertionRecord {
    AssertionRecord {
        step: format!("Okta: {step}"),
        check: check.to_string(),
        expected: expected.to_string(),
        actual: what,
        passed: false,
        note: None,
    }
}

fn find_user(client: &OktaClient, login: &str) -> Result<Option<OktaUser>, OktaError> {
    client.user(login)
}

/// Checks one expectation now. Errors are Okta's refusals (token, permission), not verdicts.
pub fn check(
    client: &OktaClient,
    expectation: &OktaExpectation,
) -> Result<Vec<AssertionRecord>, OktaError> {
    Ok(match expectation {
        OktaExpectation::Provisioned { login, scim_id } => {
            let step = format!("app user {login}");
            let Some(user) = find_user(client, login)? else {
                return Ok(vec![absent(
                    &step,
                    "the Okta user exists",
                    "a user with this login",
                    format!("no Okta user {login}"),
                )]);
            };
            let Some(app_user) = client.app_user(&user.id)? else {
                return Ok(vec![absent(
                    &step,
                    "assigned to the app",
                    "an assignment",
                    "not assigned".into(),
                )]);
            };
            let mut records = vec![
                record(&step, "status", "PROVISIONED", app_user.status.clone()),
                record(
                    &step,
                    "syncState",
                    "SYNCHRONIZED",
                    app_user.sync_state.clone().unwrap_or_default(),
                ),
            ];
            let linked = app_user.external_id.clone().unwrap_or_default();
            match scim_id {
                Some(id) => records.push(record(
                    &step,
                    "externalId (the SCIM id Okta linked)",
                    id.clone(),
                    linked,
                )),
                None if linked.is_empty() => records.push(absent(
                    &step,
                    "externalId (the SCIM id Okta linked)",
                    "a SCIM id",
                    "none".into(),
                )),
                None => {}
            }
            records
        }
        OktaExpectation::UserStatus { login, status } => {
            let step = format!("user {login}");
            match find_user(client, login)? {
                Some(user) => vec![record(&step, "status", status.clone(), user.status)],
                None => vec![absent(
                    &step,
                    "status",
                    status,
                    format!("no Okta user {login}"),
                )],
            }
        }
        OktaExpectation::Provisioning { enabled } => {
            let expected = if *enabled { "ENABLED" } else { "DISABLED" };
            let feature = client
                .user_provisioning()?
                .map(|f| f.status)
                .unwrap_or_else(|| "DISABLED".into());
            let connection = client
                .provisioning_connection()?
                .map(|c| c.status)
                .unwrap_or_else(|| "DISABLED".into());
            vec![
                record(
                    "app provisioning",
                    "USER_PROVISIONING feature",
                    expected,
                    feature,
                ),
                record(
                    "app provisioning",
                    "default connection",
                    expected,
                    connection,
                ),
            ]
        }
        OktaExpectation::PasswordPushed { login } => {
            let step = format!("app user {login}");
            let push = client
                .user_provisioning()?
                .map(|f| f.capabilities.update.password.status)
                .unwrap_or_else(|| "DISABLED".into());
            let mut records = vec![record("app provisioning", "sync password", "ENABLED", push)];
            match find_user(client, login)? {
                None => records.push(absent(
                    &step,
                    "the Okta user exists",
                    "a user with this login",
                    format!("no Okta user {login}"),
                )),
                Some(user) => match client.app_user(&user.id)? {
                    None => records.push(absent(
                        &step,
                        "assigned to the app",
                        "an assignment",
                        "not assigned".into(),
                    )),
                    Some(app_user) => records.push(AssertionRecord {
                        step: format!("Okta: {step}"),
                        check: "passwordChanged".into(),
                        expected: "set".into(),
                        passed: app_user.password_changed.is_some(),
                        actual: app_user
                            .password_changed
                            .unwrap_or_else(|| "not set".into()),
                        note: None,
                    }),
                },
            }
            records
        }
        OktaExpectation::PushMapping { group, state } => {
            let step = format!("Group Push of {group}");
            // Exact name: Okta's search ignores letter case, twins must not stand in.
            let groups = client.groups_named(group)?;
            let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
            let mappings: Vec<_> = client
                .group_push_mappings()?
                .into_iter()
                .filter(|m| {
                    m.source_group_id
                        .as_deref()
                        .is_some_and(|s| ids.contains(&s))
                })
                .collect();
            if groups.is_empty() && *state != MappingState::Absent {
                return Ok(vec![absent(
                    &step,
                    "the Okta group exists",
                    "a group with this exact name",
                    format!("no Okta group named {group}"),
                )]);
            }
            match (state, mappings.as_slice()) {
                (MappingState::Absent, []) => vec![record(&step, "mapping", "none", "none")],
                (MappingState::Absent, found) => vec![record(
                    &step,
                    "mapping",
                    "none",
                    found
                        .iter()
                        .map(|m| m.status.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                )],
                (_, []) => vec![absent(
                    &step,
                    "mapping",
                    if *state == MappingState::Active {
                        "ACTIVE"
                    } else {
                        "INACTIVE"
                    },
                    "no mapping".into(),
                )],
                (_, [one]) => {
                    let expected = if *state == MappingState::Active {
                        "ACTIVE"
                    } else {
                        "INACTIVE"
                    };
                    let mut records = vec![record(
                        &step,
                        "mapping status",
                        expected,
                        one.status.clone(),
                    )];
                    if *state == MappingState::Active {
                        records.push(record(
                            &step,
                            "mapping errorSummary",
                            "none",
                            one.error_summary.clone().unwrap_or_else(|| "none".into()),
                        ));
                    }
                    records
                }
                (_, several) => vec![absent(
                    &step,
                    "one mapping",
                    "one",
                    format!("{} mappings", several.len()),
                )],
            }
        }
        OktaExpectation::AppFeature { feature } => {
            let app = client.app()?;
            let has = if app.features.iter().any(|f| f == feature) {
                "enabled"
            } else {
                "not enabled"
            };
            vec![record("app features", feature, "enabled", has)]
        }
    })
}

/// Checks every expectation until all hold or `deadline` passes (every `interval`); the
/// records of the last attempt. Okta provisions asynchronously: a first look may be early.
pub fn poll(
    client: &OktaClient,
    expectations: &[OktaExpectation],
    deadline: Instant,
    interval: Duration,
    cancel: &CancelFlag,
) -> Result<Vec<AssertionRecord>, OktaError> {
    loop {
        let mut records = Vec::new();
        for expectation in expectations {
            records.extend(check(client, expectation)?);
        }
        if records.iter().all(|r| r.passed)
            || Instant::now() + interval >= deadline
            || !cancel.sleep(interval)
        {
            return Ok(records);
        }
    }
}

/// What the SCIM side should hold for a user, from the Okta user's profile, so a tester types
/// a login and not first names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileExpectations {
    pub user_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
}

/// The expected SCIM values for `login`; `None` when Okta has no such user.
pub fn profile_expectations(
    client: &OktaClient,
    login: &str,
) -> Result<Option<ProfileExpectations>, OktaError> {
    Ok(find_user(client, login)?.map(|user| ProfileExpectations {
        user_name: user.profile.login.clone(),
        given_name: user.profile.first_name.clone(),
        family_name: user.profile.last_name.clone(),
        email: user.profile.email.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_o_case_names_its_okta_side() {
        let user = inputs(&[("user", "ann@example.com")]);
        assert_eq!(
            expectations_for("C9290", &user),
            [OktaExpectation::Provisioned {
                login: "ann@example.com".into(),
                scim_id: None
            }]
        );
        assert_eq!(
            expectations_for(
                "C9335",
                &inputs(&[("user", "ann@example.com"), ("existing_user_id", "42")])
            ),
            [OktaExpectation::Provisioned {
                login: "ann@example.com".into(),
                scim_id: Some("42".into())
            }]
        );
        assert_eq!(
            expectations_for("C9295", &user),
            [OktaExpectation::UserStatus {
                login: "ann@example.com".into(),
                status: "SUSPENDED".into()
            }]
        );
        assert_eq!(
            expectations_for("C9339", &user),
            [OktaExpectation::Provisioning { enabled: false }]
        );
        let group = inputs(&[("group", "Engineering")]);
        assert_eq!(
            expectations_for("C9319", &group),
            [OktaExpectation::PushMapping {
                group: "Engineering".into(),
                state: MappingState::Inactive
            }]
        );
        assert_eq!(
            expectations_for("C9318", &group),
            [OktaExpectation::PushMapping {
                group: "Engineering".into(),
                state: MappingState::Absent
            }]
        );
        assert_eq!(
            expectations_for("C9307", &inputs(&[("members", "a@x.com, b@x.com")])).len(),
            2
        );
        // Without its input a case has no Okta side to check (the engine asks for the input).
        assert!(expectations_for("C9290", &BTreeMap::new()).is_empty());
        assert!(
            expectations_for("C9291", &user).is_empty(),
            "an S-only case"
        );
    }
}
