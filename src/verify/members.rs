//! A group's members compared the way a tester thinks of them: by userName, with the SCIM id
//! in brackets. Every expected member must be in the group, the members it held before stay
//! (unless removed in Okta), removed ones are gone (a user the app deleted counts as gone),
//! and with `exactly` nobody else is.

use std::collections::BTreeMap;

use serde_json::Value;

use super::assertions::{list_names, quote, same};
use super::attempt::{Attempt, Context, PAGE_SIZE, name_of};
use super::recipe::MembersSpec;
use super::template::split_list;
use crate::net::Exchange;
use crate::scim::encode_component;
use crate::scim::json_path::select;
use crate::session::{AssertionRecord, RunFailure};

/// What looking a userName up in the app found.
enum Found {
    One(String),
    None,
    /// Several users answer the name: all of them, named.
    Several(String),
}

/// Compares the members of `group` with `spec`, adding one assertion (and the requests it
/// took) to `attempt`. `known` holds the values of the lists `spec` names.
pub fn check_members(
    ctx: &Context,
    spec: &MembersSpec,
    group: &Value,
    known: &BTreeMap<String, String>,
    label: &str,
    attempt: &mut Attempt,
) {
    let held: Vec<String> = select(group, "members[*].value")
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let list = |name: &Option<String>| -> Vec<String> {
        name.as_ref()
            .and_then(|n| known.get(n))
            .map(|v| split_list(v))
            .unwrap_or_default()
    };
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut wanted: Vec<String> = Vec::new();
    for user in list(&spec.expect) {
        match find_user(ctx, &user, attempt) {
            Some(Found::One(id)) => {
                names.insert(id.clone(), format!("{} [{id}]", quote(&user)));
                wanted.push(id);
            }
            Some(Found::None) => problems.push(format!("\"{user}\" is not a user in the app")),
            Some(Found::Several(all)) => {
                problems.push(format!("\"{user}\" names several users: {all}"))
            }
            None => return,
        }
    }
    let mut dropped = Vec::new();
    let mut gone_users = Vec::new();
    for user in list(&spec.drop) {
        match find_user(ctx, &user, attempt) {
            Some(Found::One(id)) => {
                names.insert(id.clone(), format!("{} [{id}]", quote(&user)));
                dropped.push(id);
            }
            // Removed from the app altogether: certainly not a member any more.
            Some(Found::None) => gone_users.push(format!("\"{user}\" (deleted from the app)")),
            Some(Found::Several(all)) => {
                problems.push(format!("\"{user}\" names several users: {all}"))
            }
            None => return,
        }
    }
    let kept: Vec<String> = list(&spec.keep)
        .into_iter()
        .filter(|id| !dropped.contains(id))
        .collect();
    for id in &kept {
        if !wanted.contains(id) {
            wanted.push(id.clone());
        }
    }
    let mut missing: Vec<&String> = wanted.iter().filter(|id| !held.contains(id)).collect();
    let still: Vec<&String> = dropped.iter().filter(|id| held.contains(id)).collect();
    let unexpected: Vec<&String> = if spec.exactly {
        held.iter().filter(|id| !wanted.contains(id)).collect()
    } else {
        Vec::new()
    };
    let to_name: Vec<String> = missing
        .iter()
        .chain(&unexpected)
        .chain(held.iter().collect::<Vec<_>>().iter())
        .filter(|id| !names.contains_key(**id))
        .map(|id| id.to_string())
        .collect();
    let mut vanished = Vec::new();
    for id in to_name {
        let Some((name, exists)) = name_id(ctx, &id, attempt) else {
            return;
        };
        if !exists {
            vanished.push(id.clone());
        }
        names.insert(id, name);
    }
    // A removed member the app deleted altogether cannot be looked up by userName: as many
    // vanished former members as such removed users are excused.
    let mut excused = gone_users.len();
    missing.retain(|id| {
        let excuse = excused > 0 && kept.contains(id) && vanished.contains(id);
        if excuse {
            excused -= 1;
        }
        !excuse
    });
    let named = |ids: &[&String]| list_names(ids.iter().map(|id| names[*id].clone()).collect());
    if !missing.is_empty() {
        problems.push(format!("missing {}", named(&missing)));
    }
    if !unexpected.is_empty() {
        problems.push(format!("not expected {}", named(&unexpected)));
    }
    if !still.is_empty() {
        problems.push(format!("still there {}", named(&still)));
    }
    let mut expected = String::new();
    if !wanted.is_empty() {
        let ids: Vec<&String> = wanted.iter().collect();
        expected = named(&ids);
        if spec.exactly {
            expected.push_str(" and nobody else");
        }
    } else if spec.exactly {
        expected = "no members".into();
    }
    if !dropped.is_empty() || !gone_users.is_empty() {
        let ids: Vec<&String> = dropped.iter().collect();
        let mut gone: Vec<String> = ids.iter().map(|id| names[*id].clone()).collect();
        gone.extend(gone_users);
        if !expected.is_empty() {
            expected.push_str("; ");
        }
        expected.push_str(&format!("without {}", list_names(gone)));
    }
    let held_ids: Vec<&String> = held.iter().collect();
    let holds = match held.len() {
        0 => "no members".to_string(),
        n => format!("{n} member(s): {}", named(&held_ids)),
    };
    let actual = if problems.is_empty() {
        holds
    } else {
        format!("{}; the group has {holds}", problems.join("; "))
    };
    attempt.assertions.push(AssertionRecord {
        step: label.to_string(),
        check: "members (by userName)".into(),
        expected,
        actual,
        passed: problems.is_empty(),
        note: None,
    });
}

/// Why a lookup got no answer, as the run reports it.
fn failure_of(answer: &Exchange) -> RunFailure {
    if answer.unreachable() {
        RunFailure::Unreachable
    } else if answer.timed_out() {
        RunFailure::TimedOut
    } else {
        RunFailure::CannotCheck
    }
}

/// The user whose userName is `user` (SCIM compares userNames without regard to case).
/// `None` when the attempt must stop (the app could not be asked).
fn find_user(ctx: &Context, user: &str, attempt: &mut Attempt) -> Option<Found> {
    let filter = format!(
        "userName eq \"{}\"",
        user.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let path = format!(
        "/Users?filter={}&startIndex=1&count={PAGE_SIZE}",
        encode_component(&filter)
    );
    let answer = ctx.send(&path, attempt)?;
    if answer.status.is_none() {
        attempt.fatal = Some((
            failure_of(&answer),
            format!(
                "finding member \"{user}\": {}",
                answer.problem().unwrap_or("no answer")
            ),
        ));
        return None;
    }
    let resources: Vec<Value> = answer
        .json
        .as_ref()
        .and_then(|j| j.get("Resources"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let same: Vec<&Value> = resources
        .iter()
        .filter(|r| {
            r.get("userName").and_then(Value::as_str).is_some_and(|n| {
                same(
                    &Value::String(n.to_string()),
                    &Value::String(user.to_string()),
                    true,
                )
            })
        })
        .collect();
    Some(match same.as_slice() {
        [] => Found::None,
        [one] => match one.get("id").and_then(Value::as_str) {
            Some(id) => Found::One(id.to_string()),
            None => Found::None,
        },
        many => Found::Several(list_names(many.iter().map(|r| name_of(r)).collect())),
    })
}

/// `"userName" [id]` for a member id, or `[id] (no such user)`, and whether it exists.
fn name_id(ctx: &Context, id: &str, attempt: &mut Attempt) -> Option<(String, bool)> {
    let answer = ctx.send(&format!("/Users/{}", encode_component(id)), attempt)?;
    if answer.status.is_none() {
        attempt.fatal = Some((
            failure_of(&answer),
            format!(
                "reading member [{id}]: {}",
                answer.problem().unwrap_or("no answer")
            ),
        ));
        return None;
    }
    Some(match answer.json.as_ref() {
        Some(user) if answer.status == Some(200) => (name_of(user), true),
        _ => (
            format!("[{id}] (no such user: {})", answer.status.unwrap_or(0)),
            answer.status != Some(404),
        ),
    })
}
