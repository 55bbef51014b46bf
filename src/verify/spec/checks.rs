//! What Okta's provisioning relies on beyond the SPEC file: scimplan's own checks, run after
//! Okta's file and reported apart (never part of the SPEC verdict), each saying what goes wrong
//! in Okta when it fails. Then the deactivation of the user the file created.

use serde_json::{Value, json};

use super::{SpecReport, Suite, plain};
use crate::net::Exchange;
use crate::scim::json_path::select;
use crate::scim::request::{ERROR, LIST_RESPONSE, PATCH_OP, encode_component, filter_path};
use crate::session::StepStatus;

/// The checks beyond the SPEC file, in order; `PATCH active=false` last, since it deactivates
/// the created user.
pub(super) fn beyond_the_file(suite: &mut Suite, report: &mut SpecReport) {
    case_insensitive_filter(suite, report);
    paging(suite);
    groups_shape(suite);
    error_body_of_conflict(suite, report);
    patch_deactivates(suite, report);
}

fn case_insensitive_filter(suite: &mut Suite, report: &SpecReport) {
    let name = "userName filter is case-insensitive (finds the created user in upper case)";
    let Some(user) = report.created_user.clone() else {
        suite.not_possible(name, "Okta's file created no user");
        return;
    };
    let mut check = suite.begin(name, true);
    let answer = suite.get(
        &mut check,
        &filter_path("Users", "userName", &user.to_uppercase()),
    );
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        let total = body.get("totalResults").map(plain);
        check.expect(total.as_deref() == Some("1"), || {
            format!(
                "totalResults: expected 1, got {}. In Okta: usernames are case-insensitive; Okta looks an existing account up by userName before creating one, so this app gets a duplicate instead of a link",
                total.unwrap_or_else(|| "absent".into())
            )
        });
    }
    suite.finish(check);
}

fn paging(suite: &mut Suite) {
    let mut check = suite.begin("startIndex/count paging, in a stable order", true);
    let first = suite.get(&mut check, "/Users?startIndex=1&count=1");
    let again = suite.get(&mut check, "/Users?startIndex=1&count=1");
    let second = suite.get(&mut check, "/Users?startIndex=2&count=1");
    let id_of = |e: &Exchange| {
        e.json
            .as_ref()
            .and_then(|b| select(b, "Resources[0].id").ok())
            .and_then(|v| v.first().map(|v| plain(v)))
    };
    let all_ok = [&first, &again, &second]
        .iter()
        .all(|e| check.status(e, &[200]) && check.json(e).is_some());
    if all_ok {
        for (answer, start) in [(&first, 1), (&second, 2)] {
            let body = answer.json.as_ref().expect("checked above");
            let items = select(body, "Resources[*]").unwrap_or_default().len();
            check.expect(items <= 1, || {
                format!("startIndex={start}&count=1: expected at most 1 resource, got {items}")
            });
            check.equals(body, "startIndex", &json!(start));
        }
        check.expect(id_of(&first) == id_of(&again), || {
            format!(
                "the first page changed between two requests: {:?} then {:?}",
                id_of(&first),
                id_of(&again)
            )
        });
        let total = first
            .json
            .as_ref()
            .and_then(|b| b.get("totalResults"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if total >= 2 {
            check.expect(
                id_of(&second).is_some() && id_of(&first) != id_of(&second),
                || {
                    format!(
                        "startIndex=2 should give the second user, got {:?} (page 1 had {:?})",
                        id_of(&second),
                        id_of(&first)
                    )
                },
            );
        } else {
            // With one user the second page can only be empty.
            check.expect(id_of(&second).is_none(), || {
                format!(
                    "totalResults is {total}, yet startIndex=2 gave a user: {:?}",
                    id_of(&second)
                )
            });
            check.confirmed.push(format!(
                "only {total} user in the app: two pages could not be compared (add a user to check it)"
            ));
        }
    }
    if all_ok {
        import_sees_every_user(suite, &mut check, &first);
    }
    if !check.problems.is_empty() {
        check.problems.push(
            "In Okta: imports read users 100 at a time with startIndex/count; wrong paging loses or repeats users".into(),
        );
    }
    suite.finish(check);
}

/// At most this many users are read through, as Okta's import would (10 pages of 100).
const IMPORT_READ_LIMIT: u64 = 1000;

/// Reads /Users the way Okta's import does (`startIndex=1&count=100`, then from where the last
/// page ended) and checks that every user of `totalResults` comes: an app that counts
/// `startIndex` from 0 skips the first user, though each page on its own looks right.
fn import_sees_every_user(suite: &mut Suite, check: &mut super::Check, first: &Exchange) {
    let total = first
        .json
        .as_ref()
        .and_then(|b| b.get("totalResults"))
        .and_then(|t| t.as_u64().or_else(|| t.as_str()?.parse().ok()))
        .unwrap_or(0);
    if total == 0 {
        return;
    }
    if total > IMPORT_READ_LIMIT {
        check.confirmed.push(format!(
            "{total} users: more than {IMPORT_READ_LIMIT}, so they were not all read through as Okta's import would"
        ));
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut start = 1u64;
    let mut first_page: Vec<String> = Vec::new();
    while (seen.len() as u64) < total && start <= total + 100 {
        let answer = suite.get(check, &format!("/Users?startIndex={start}&count=100"));
        if !check.status(&answer, &[200]) || check.json(&answer).is_none() {
            return;
        }
        let ids: Vec<String> = answer
            .json
            .as_ref()
            .and_then(|b| select(b, "Resources[*].id").ok())
            .map(|ids| ids.into_iter().map(plain).collect())
            .unwrap_or_default();
        if ids.is_empty() {
            break;
        }
        if start == 1 {
            first_page = ids.clone();
        }
        start += ids.len() as u64;
        seen.extend(ids);
    }
    let read = seen.len() as u64;
    check.expect(read >= total, || {
        let zero_based = read + 1 == total
            && !first_page.is_empty()
            && first_page.len() as u64 == total.min(100) - 1;
        format!(
            "reading /Users 100 at a time from startIndex=1, as Okta's import does, gave {read} of the {total} users{}",
            if zero_based {
                ": the first user never comes, so the app seems to count startIndex from 0 (SCIM counts from 1: startIndex=1 is the first result, RFC 7644 section 3.4.2.4)"
            } else {
                ""
            }
        )
    });
}

fn groups_shape(suite: &mut Suite) {
    // Needed only by integrations that import groups or push them.
    let mut check = suite.begin(
        "GET /Groups?startIndex=1&count=100 is a ListResponse",
        false,
    );
    let answer = suite.get(&mut check, "/Groups?startIndex=1&count=100");
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        check.schema(body, LIST_RESPONSE);
        check.number(body, "totalResults");
        for (i, group) in select(body, "Resources[*]")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            check.present(group, "id", &format!("Resources[{i}]."));
            check.present(group, "displayName", &format!("Resources[{i}]."));
        }
    }
    if !check.problems.is_empty() {
        check.problems.push(
            "In Okta: group import and Group Push read /Groups this way (only integrations with those features need it)".into(),
        );
    }
    suite.finish(check);
}

/// The 409 Okta's file asked for must carry a SCIM error body: Okta shows its `detail`.
fn error_body_of_conflict(suite: &mut Suite, report: &SpecReport) {
    let name = "the 409 for a duplicate user is a SCIM error with detail";
    let conflict = report.file.as_ref().and_then(|run| {
        run.steps
            .iter()
            .filter(|s| s.status != StepStatus::Pause)
            .flat_map(|s| s.attempts.iter())
            .find(|a| a.method == "POST" && a.status == Some(409))
            .cloned()
    });
    let Some(conflict) = conflict else {
        suite.not_possible(name, "Okta's file got no 409 for its duplicate user");
        return;
    };
    let mut check = suite.begin(name, true);
    match serde_json::from_str::<Value>(&conflict.response_body) {
        Ok(body) => {
            check.schema(&body, ERROR);
            check.present(&body, "detail", "");
        }
        Err(_) => check.problems.push(format!(
            "the 409 body is not JSON: {:?}",
            conflict.response_body.chars().take(80).collect::<String>()
        )),
    }
    if !check.problems.is_empty() {
        check.problems.push(
            "In Okta: the admin sees the app's detail as the reason a create failed; without it only the status".into(),
        );
    }
    check.requests.push(conflict);
    suite.finish(check);
}

pub(super) fn deactivate_body() -> Value {
    json!({
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": false}}]
    })
}

/// Okta deactivates users of OIN apps with PATCH active=false; this also deactivates the user
/// Okta's file created.
fn patch_deactivates(suite: &mut Suite, report: &mut SpecReport) {
    let name = "PATCH active=false deactivates the created user (200 or 204)";
    let Some(id) = report.created_id.clone() else {
        suite.not_possible(name, "Okta's file created no user");
        return;
    };
    let mut check = suite.begin(name, true);
    let path = format!("/Users/{}", encode_component(&id));
    let answer = suite.request(&mut check, "PATCH", &path, Some(&deactivate_body()), true);
    if check.status(&answer, &[200, 204]) {
        let read = suite.get(&mut check, &path);
        if check.status(&read, &[200])
            && let Some(body) = check.json(&read)
        {
            let active = body.get("active").map(plain);
            check.expect(active.as_deref() == Some("false"), || {
                format!(
                    "active: expected false after the PATCH, got {}",
                    active.clone().unwrap_or_else(|| "absent".into())
                )
            });
            if active.as_deref() == Some("false") {
                report.deactivated = true;
                report.deactivation = Some(format!(
                    "PATCH active=false answered {}",
                    answer.status.unwrap_or_default()
                ));
            }
        }
    }
    if !check.problems.is_empty() {
        check.problems.push(
            "In Okta: unassigning or deactivating a user sends this PATCH; an app that refuses it keeps the user active".into(),
        );
    }
    suite.finish(check);
}

/// Leaves nothing active: the created user (PATCH active=false, or PUT of the user with
/// active=false when PATCH is refused), any duplicate, and the users of an `earlier` run of the
/// file (one confirmed by running it again). Runs even after a cancel.
pub(super) fn deactivate_at_the_end(mut suite: Suite, report: &mut SpecReport, earlier: &[String]) {
    let mut cleanup = suite.begin("cleanup", false);
    if let Some(id) = report.created_id.clone().filter(|_| !report.deactivated) {
        let path = format!("/Users/{}", encode_component(&id));
        let patch = suite.request(&mut cleanup, "PATCH", &path, Some(&deactivate_body()), true);
        if is_success(&patch) {
            report.deactivated = true;
            report.deactivation = Some(format!(
                "PATCH active=false answered {}",
                patch.status.unwrap_or_default()
            ));
        } else {
            let read = suite.get(&mut cleanup, &path);
            match read.json.clone().filter(|_| is_success(&read)) {
                Some(mut user) => {
                    user["active"] = json!(false);
                    let put = suite.request(&mut cleanup, "PUT", &path, Some(&user), true);
                    report.deactivated = is_success(&put);
                    report.deactivation = Some(format!(
                        "PATCH was refused ({}); PUT with active=false answered {}",
                        describe_status(&patch),
                        describe_status(&put)
                    ));
                }
                None => {
                    report.deactivation = Some(format!(
                        "PATCH was refused ({}), and the user could not be read back for a PUT ({})",
                        describe_status(&patch),
                        describe_status(&read)
                    ));
                }
            }
        }
    } else if report.created_id.is_none() && report.created_user.is_some() {
        report.deactivation = Some("the app gave no id for the created user".into());
    }
    // Duplicates a broken app created, and the users of an earlier run, are deactivated too;
    // failures here only mean they stay.
    for duplicate in report
        .duplicate_ids
        .iter()
        .chain(earlier)
        .cloned()
        .collect::<Vec<_>>()
    {
        let path = format!("/Users/{}", encode_component(&duplicate));
        let answer = suite.request(&mut cleanup, "PATCH", &path, Some(&deactivate_body()), true);
        if cleanup.status(&answer, &[200, 204]) {
            cleanup.confirmed.push(format!("{duplicate} deactivated"));
        }
    }
    report.cleanup = cleanup.requests;
}

fn is_success(answer: &Exchange) -> bool {
    answer.status.is_some_and(|s| (200..300).contains(&s))
}

fn describe_status(answer: &Exchange) -> String {
    match answer.status {
        Some(status) => status.to_string(),
        None => format!("no answer: {}", answer.problem().unwrap_or("unknown")),
    }
}
