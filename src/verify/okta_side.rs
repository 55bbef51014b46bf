//! The Okta side of a case (`OKTA_SCIM.md`, "Which cases an API can verify", the O and S+O
//! cases): what must hold in the org, checked as assertions a run records beside the SCIM
//! side's. Which case expects what is data (`[[recipe.okta]]`, read by `recipe_okta`); this
//! checks one expectation, or polls a list until it holds or a deadline passes. An org that
//! cannot be read gives the run an error (`okta_failure`), never a verdict.

use std::time::{Duration, Instant};

use crate::net::CancelFlag;
use crate::okta::{LogQuery, OktaClient, OktaError, OktaUser};
use crate::session::{AssertionRecord, RunFailure};

/// Okta could not be read: an error naming Okta, never a verdict about the case.
pub(super) fn okta_failure(okta: &OktaClient, error: &OktaError) -> (RunFailure, String) {
    let failure = match error {
        OktaError::Cancelled { .. } => RunFailure::Cancelled,
        OktaError::PastDeadline { .. } => RunFailure::TimedOut,
        OktaError::InvalidToken { .. } | OktaError::OAuth { .. } => RunFailure::Okta {
            credentials_refused: true,
        },
        _ => RunFailure::Okta {
            credentials_refused: false,
        },
    };
    (failure, okta.secret().redact(&format!("Okta: {error}")))
}

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
    /// The user has no assignment to the app (removed with its group's).
    Unassigned { login: String },
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

/// By login exactly (letter-case twins and short names never stand in), on every page.
fn find_user(client: &OktaClient, login: &str) -> Result<Option<OktaUser>, OktaError> {
    client.user_by_login(login)
}

/// No Okta user has `login`: the check cannot go further.
fn no_user(step: &str, login: &str) -> AssertionRecord {
    absent(
        step,
        "the Okta user exists",
        "a user with this login",
        format!("no Okta user {login}"),
    )
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
                return Ok(vec![no_user(&step, login)]);
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
        OktaExpectation::Unassigned { login } => {
            let step = format!("app user {login}");
            let Some(user) = find_user(client, login)? else {
                return Ok(vec![no_user(&step, login)]);
            };
            let actual = match client.app_user(&user.id)? {
                None => "not assigned".to_string(),
                Some(app_user) => format!(
                    "assigned ({}, scope {})",
                    app_user.status,
                    app_user.scope.unwrap_or_default()
                ),
            };
            vec![record(&step, "assigned to the app", "not assigned", actual)]
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
                None => records.push(no_user(&step, login)),
                Some(user) => match client.app_user(&user.id)? {
                    None => records.push(absent(
                        &step,
                        "assigned to the app",
                        "an assignment",
                        "not assigned".into(),
                    )),
                    Some(app_user) => {
                        records.push(AssertionRecord {
                            step: format!("Okta: {step}"),
                            check: "passwordChanged".into(),
                            expected: "set".into(),
                            passed: app_user.password_changed.is_some(),
                            actual: app_user
                                .password_changed
                                .unwrap_or_else(|| "not set".into()),
                            note: None,
                        });
                        records.push(last_password_push(client, &step, &user.id)?);
                    }
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

/// How long back the System Log is read for a user's latest password push.
const PASSWORD_PUSH_LOOKBACK_DAYS: i64 = 7;

/// The user's latest `application.provision.user.push_password` event must not be a failure:
/// `passwordChanged` stays set from an earlier push when a later one fails.
fn last_password_push(
    client: &OktaClient,
    step: &str,
    user_id: &str,
) -> Result<AssertionRecord, OktaError> {
    let since = chrono::Utc::now() - chrono::Duration::days(PASSWORD_PUSH_LOOKBACK_DAYS);
    let filter = format!(
        "eventType eq \"application.provision.user.push_password\" and target.id eq \"{user_id}\""
    );
    let events = client.logs(&LogQuery::since(since).filter(filter))?;
    let latest = events.iter().max_by_key(|e| e.published);
    let actual = match latest {
        None => "none".to_string(),
        Some(event) => match &event.outcome.reason {
            Some(reason) if !reason.is_empty() => format!("{}: {reason}", event.outcome.result),
            _ => event.outcome.result.clone(),
        },
    };
    Ok(AssertionRecord {
        step: format!("Okta: {step}"),
        check: "latest push_password event (System Log)".into(),
        expected: "not FAILURE".into(),
        passed: latest.is_none_or(|e| e.outcome.result != "FAILURE"),
        actual,
        note: None,
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
