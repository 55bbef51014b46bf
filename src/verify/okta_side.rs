//! The Okta side of a case (`OKTA_SCIM.md`, "Which cases an API can verify", the O and S+O
//! cases): what must hold in the org, checked as assertions a run records beside the SCIM
//! side's. Which case expects what is data (`[[recipe.okta]]`, read by `recipe_okta`); this
//! checks one expectation, or polls a list until it holds or a deadline passes. An org that
//! cannot be read gives the run an error (`okta_failure`), never a verdict.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::net::CancelFlag;
use crate::okta::api::quoted;
use crate::okta::{AppFeature, GroupType, LogQuery, OktaClient, OktaError, OktaGroup, OktaUser};
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

/// The "To App" settings of Okta's provisioning feature a `provisioning` check can read, with
/// their names on the app's Provisioning tab.
pub const TO_APP_SETTINGS: [(&str, &str); 4] = [
    ("create.lifecycleCreate", "Create Users"),
    ("update.profile", "Update User Attributes"),
    ("update.lifecycleDeactivate", "Deactivate Users"),
    ("update.password", "Sync Password"),
];

/// A "To App" setting the case expects on, for a capability the tester declared supported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToApp {
    /// The capability's key (`create-users`).
    pub capability: String,
    /// The setting, as `TO_APP_SETTINGS` names it (`create.lifecycleCreate`).
    pub setting: String,
}

/// One thing that must hold in Okta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OktaExpectation {
    /// The user's assignment is provisioned and in sync; linked to `scim_id` when given;
    /// assigned with `scope` (`USER`, `GROUP`) when given.
    Provisioned {
        login: String,
        scim_id: Option<String>,
        scope: Option<String>,
    },
    /// The user has no assignment to the app (removed, or deprovisioned by Okta).
    Unassigned { login: String },
    /// The Okta user's lifecycle status (`SUSPENDED`, `ACTIVE`, ...).
    UserStatus { login: String, status: String },
    /// Provisioning to the app (feature and connection) on or off, and these To App settings on.
    Provisioning { enabled: bool, to_app: Vec<ToApp> },
    /// Password push on, and the user's app password pushed since `since`.
    PasswordPushed { login: String, since: DateTime<Utc> },
    /// The Group Push mapping of the group (by its exact name).
    PushMapping { group: String, state: MappingState },
    /// The app has an integration feature (`PROFILE_MASTERING`, ...).
    AppFeature { feature: String },
    /// The user's latest `event` in the System Log since `since` is no failure.
    SystemLog {
        login: String,
        event: String,
        since: DateTime<Utc>,
    },
    /// The Okta group is (or is not) assigned to the app.
    GroupAssigned { group: String, assigned: bool },
    /// The Okta group has no member.
    EmptyGroup { group: String },
    /// The user came from the app's import: an Okta user, not deactivated, assigned to the app
    /// and linked to the app's user.
    Imported { login: String },
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

/// A record whose verdict is not "expected equals actual".
fn judged(
    step: &str,
    check: &str,
    expected: &str,
    actual: String,
    passed: bool,
) -> AssertionRecord {
    AssertionRecord {
        step: format!("Okta: {step}"),
        check: check.to_string(),
        expected: expected.to_string(),
        actual,
        passed,
        note: None,
    }
}

fn absent(step: &str, check: &str, expected: &str, what: String) -> AssertionRecord {
    judged(step, check, expected, what, false)
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

/// The tester's group named exactly `name` (never the `APP_GROUP` Okta keeps for a pushed
/// group of that name); `Err` with the record saying what is wrong when not exactly one.
fn okta_group(
    client: &OktaClient,
    step: &str,
    name: &str,
) -> Result<Result<OktaGroup, AssertionRecord>, OktaError> {
    let groups = client.groups_named(name, Some(GroupType::Okta))?;
    Ok(match <[OktaGroup; 1]>::try_from(groups) {
        Ok([one]) => Ok(one),
        Err(groups) if groups.is_empty() => Err(absent(
            step,
            "the Okta group exists",
            "a group with this exact name",
            format!("no Okta group named {name}"),
        )),
        Err(groups) => Err(absent(
            step,
            "one Okta group",
            "one group with this exact name",
            format!("{} groups named {name}", groups.len()),
        )),
    })
}

/// `2026-03-01 12:00:00 UTC`.
fn when(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The `setting` of the To App feature (`update.password`).
fn to_app_status(feature: &AppFeature, setting: &str) -> String {
    let capabilities = &feature.capabilities;
    let toggle = match setting {
        "create.lifecycleCreate" => &capabilities.create.lifecycle_create,
        "update.profile" => &capabilities.update.profile,
        "update.lifecycleDeactivate" => &capabilities.update.lifecycle_deactivate,
        _ => &capabilities.update.password,
    };
    if toggle.status.is_empty() {
        "not set".into()
    } else {
        toggle.status.clone()
    }
}

/// Checks one expectation now. Errors are Okta's refusals (token, permission), not verdicts.
pub fn check(
    client: &OktaClient,
    expectation: &OktaExpectation,
) -> Result<Vec<AssertionRecord>, OktaError> {
    Ok(match expectation {
        OktaExpectation::Provisioned {
            login,
            scim_id,
            scope,
        } => {
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
            if let Some(scope) = scope {
                records.push(record(
                    &step,
                    "scope (USER: assigned by itself, GROUP: through a group)",
                    scope.clone(),
                    app_user.scope.clone().unwrap_or_default(),
                ));
            }
            records
        }
        OktaExpectation::Unassigned { login } => {
            let step = format!("app user {login}");
            let Some(user) = find_user(client, login)? else {
                return Ok(vec![no_user(&step, login)]);
            };
            let (actual, passed) = match client.app_user(&user.id)? {
                None => ("not assigned".to_string(), true),
                Some(app_user) => {
                    let sync = app_user.sync_state.unwrap_or_default();
                    // Okta may keep an assignment it deprovisioned; one it could not is no
                    // removal.
                    let done = app_user.status == "DEPROVISIONED" && sync != "ERROR";
                    (
                        format!(
                            "assigned ({}, scope {}, syncState {sync})",
                            app_user.status,
                            app_user.scope.unwrap_or_default(),
                        ),
                        done,
                    )
                }
            };
            vec![judged(
                &step,
                "assigned to the app",
                "not assigned (or deprovisioned)",
                actual,
                passed,
            )]
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
        OktaExpectation::Provisioning { enabled, to_app } => {
            let expected = if *enabled { "ENABLED" } else { "DISABLED" };
            let feature = client.user_provisioning()?;
            let status = feature
                .as_ref()
                .map(|f| f.status.clone())
                .unwrap_or_else(|| "DISABLED".into());
            let connection = client
                .provisioning_connection()?
                .map(|c| c.status)
                .unwrap_or_else(|| "DISABLED".into());
            let mut records = vec![
                record(
                    "app provisioning",
                    "USER_PROVISIONING feature",
                    expected,
                    status,
                ),
                record(
                    "app provisioning",
                    "default connection",
                    expected,
                    connection,
                ),
            ];
            for wanted in to_app {
                let label = TO_APP_SETTINGS
                    .iter()
                    .find(|(s, _)| *s == wanted.setting)
                    .map_or(wanted.setting.as_str(), |(_, label)| label);
                let actual = feature
                    .as_ref()
                    .map_or_else(|| "DISABLED".into(), |f| to_app_status(f, &wanted.setting));
                records.push(record(
                    "app provisioning",
                    &format!(
                        "To App: {label} (declared supported: {})",
                        wanted.capability
                    ),
                    "ENABLED",
                    actual,
                ));
            }
            records
        }
        OktaExpectation::PasswordPushed { login, since } => {
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
                        let changed = app_user
                            .password_changed
                            .as_deref()
                            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                            .map(|t| t.with_timezone(&Utc));
                        let actual = match (&app_user.password_changed, changed) {
                            (None, _) => "not set".to_string(),
                            (Some(_), Some(at)) => when(&at),
                            (Some(text), None) => text.clone(),
                        };
                        records.push(judged(
                            &step,
                            "passwordChanged",
                            &format!("set since the case started ({})", when(since)),
                            actual,
                            changed.is_some_and(|at| at >= *since),
                        ));
                        records.push(last_event(
                            client,
                            &step,
                            &user.id,
                            "application.provision.user.push_password",
                            *since,
                            true,
                        )?);
                    }
                },
            }
            records
        }
        OktaExpectation::PushMapping { group, state } => {
            let step = format!("Group Push of {group}");
            // Exact name, the tester's group only: Okta's search ignores letter case, and the
            // APP_GROUP Okta keeps for the pushed group has the same name.
            let groups = client.groups_named(group, Some(GroupType::Okta))?;
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
        OktaExpectation::SystemLog {
            login,
            event,
            since,
        } => {
            let step = format!("user {login}");
            match find_user(client, login)? {
                None => vec![no_user(&step, login)],
                Some(user) => vec![last_event(client, &step, &user.id, event, *since, false)?],
            }
        }
        OktaExpectation::GroupAssigned { group, assigned } => {
            let step = format!("group {group}");
            match okta_group(client, &step, group)? {
                Err(record) => vec![record],
                Ok(found) => {
                    let is = client.app_group(&found.id)?.is_some();
                    let say = |on: bool| if on { "assigned" } else { "not assigned" };
                    vec![record(
                        &step,
                        "assigned to the app",
                        say(*assigned),
                        say(is),
                    )]
                }
            }
        }
        OktaExpectation::EmptyGroup { group } => {
            let step = format!("group {group}");
            match okta_group(client, &step, group)? {
                Err(record) => vec![record],
                Ok(found) => {
                    let members: Vec<String> = client
                        .group_members(&found.id)?
                        .into_iter()
                        .map(|u| u.profile.login)
                        .collect();
                    let actual = match members.len() {
                        0 => "no member".to_string(),
                        n => format!("{n}: {}", members.join(", ")),
                    };
                    vec![judged(
                        &step,
                        "members (the case pushes an empty group)",
                        "no member",
                        actual,
                        members.is_empty(),
                    )]
                }
            }
        }
        OktaExpectation::Imported { login } => {
            let step = format!("user {login}");
            let Some(user) = find_user(client, login)? else {
                return Ok(vec![no_user(&step, login)]);
            };
            let mut records = vec![judged(
                &step,
                "status",
                "a user of the org, not deactivated",
                user.status.clone(),
                user.status != "DEPROVISIONED",
            )];
            match client.app_user(&user.id)? {
                None => records.push(absent(
                    &format!("app user {login}"),
                    "assigned to the app (the import confirmed)",
                    "an assignment",
                    "not assigned".into(),
                )),
                Some(app_user) => records.push(judged(
                    &format!("app user {login}"),
                    "externalId (the app's user it was imported from)",
                    "set",
                    app_user
                        .external_id
                        .clone()
                        .unwrap_or_else(|| "none".into()),
                    app_user.external_id.is_some_and(|id| !id.is_empty()),
                )),
            }
            records
        }
    })
}

/// The user's latest `event` in the System Log since `since` must not be a failure (a later
/// success after a retry counts); with `required`, there must be one.
fn last_event(
    client: &OktaClient,
    step: &str,
    user_id: &str,
    event: &str,
    since: DateTime<Utc>,
    required: bool,
) -> Result<AssertionRecord, OktaError> {
    let filter = format!(
        "eventType eq {} and target.id eq {}",
        quoted(event),
        quoted(user_id)
    );
    let events = client.logs(&LogQuery::since(since).filter(filter))?;
    let latest = events.iter().max_by_key(|e| e.published);
    let short = event.rsplit('.').next().unwrap_or(event);
    let actual = match latest {
        None => "none".to_string(),
        Some(event) => match &event.outcome.reason {
            Some(reason) if !reason.is_empty() => format!("{}: {reason}", event.outcome.result),
            _ => event.outcome.result.clone(),
        },
    };
    let (expected, passed) = if required {
        (
            "one, not FAILURE",
            latest.is_some_and(|e| e.outcome.result != "FAILURE"),
        )
    } else {
        (
            "not FAILURE",
            latest.is_none_or(|e| e.outcome.result != "FAILURE"),
        )
    };
    Ok(judged(
        step,
        &format!(
            "latest {short} event since the case started ({}, System Log)",
            when(&since)
        ),
        expected,
        actual,
        passed,
    ))
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
