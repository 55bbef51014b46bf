//! The checks of the SPEC suite, in Okta's order, then what Okta relies on in practice.

use serde_json::{Value, json};

use super::{
    GROUPS_FAST, LIST_RESPONSE, PATCH_OP, SpecReport, Suite, USER, USER_FIELDS, filter_path, plain,
    random_user_name, unknown_id,
};
use crate::verify::assertions::encode_component;
use crate::verify::http::Exchange;
use crate::verify::json_path::select;

/// Okta's checks 1 and 2: a user the app already holds, listed and read back.
pub(super) fn existing_user_checks(suite: &mut Suite, _report: &mut SpecReport) {
    let mut check = suite.begin("1. GET /Users?count=1&startIndex=1 lists a user", true);
    let answer = suite.get(&mut check, "/Users?count=1&startIndex=1");
    let mut first_id = None;
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        check.schema(body, LIST_RESPONSE);
        for field in ["itemsPerPage", "startIndex", "totalResults"] {
            check.number(body, field);
        }
        match select(body, "Resources[0]").unwrap_or_default().first() {
            Some(user) => {
                for field in USER_FIELDS {
                    check.present(user, field, "Resources[0].");
                }
                first_id = user.get("id").map(plain);
            }
            None => check.problems.push(
                "the app holds no user: Okta's SPEC suite needs at least one. Create a user in the app (with name, email and active), then run again."
                    .into(),
            ),
        }
    }
    suite.finish(check);
    let Some(id) = first_id else {
        suite.not_possible(
            "2. GET /Users/{id} returns the listed user",
            "check 1 found no user id",
        );
        return;
    };
    let mut check = suite.begin("2. GET /Users/{id} returns the listed user", true);
    let answer = suite.get(&mut check, &format!("/Users/{}", encode_component(&id)));
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        for field in USER_FIELDS {
            check.present(body, field, "");
        }
        check.equals(body, "id", &json!(id));
    }
    suite.finish(check);
}

/// Okta's checks 3 and 4: an unknown userName finds nothing; an unknown id is a 404.
pub(super) fn unknown_checks(suite: &mut Suite, _report: &mut SpecReport) {
    let mut check = suite.begin("3. filter on an unknown userName finds nothing", true);
    let unknown = random_user_name();
    let answer = suite.get(&mut check, &filter_path("Users", "userName", &unknown));
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        check.schema(body, LIST_RESPONSE);
        check.equals(body, "totalResults", &json!(0));
    }
    suite.finish(check);
    let mut check = suite.begin("4. GET /Users/{unknown id} is a 404 with an error", true);
    let answer = suite.get(&mut check, &format!("/Users/{}", unknown_id()));
    if check.status(&answer, &[404]) {
        check.error_body(&answer, None);
    }
    suite.finish(check);
}

fn new_user_body(user_name: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Scimplan", "familyName": "Spec"},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": "Scimplan Spec",
        "active": true
    })
}

/// Okta's checks 5 to 9: the one user the suite creates.
pub(super) fn create_checks(suite: &mut Suite, report: &mut SpecReport) {
    let user_name = suite.options.user_name.clone();
    let mut check = suite.begin("5. filter on the new userName finds nothing yet", true);
    let answer = suite.get(&mut check, &filter_path("Users", "userName", &user_name));
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        check.equals(body, "totalResults", &json!(0));
    }
    suite.finish(check);

    let mut check = suite.begin("6. POST /Users creates the user", true);
    let body = new_user_body(&user_name);
    let answer = suite.request(&mut check, "POST", "/Users", Some(&body), true);
    if check.status(&answer, &[201])
        && let Some(created) = check.json(&answer)
    {
        check.schema(created, USER);
        check.present(created, "id", "");
        check.equals(created, "active", &json!(true));
        check.equals(created, "userName", &json!(user_name));
        check.equals(created, "name.givenName", &json!("Scimplan"));
        check.equals(created, "name.familyName", &json!("Spec"));
        report.created_id = created.get("id").map(plain);
    }
    if answer.status.is_some_and(|s| (200..300).contains(&s)) {
        report.created_user = Some(user_name.clone());
        if report.created_id.is_none() {
            report.created_id = answer.json.as_ref().and_then(|b| b.get("id")).map(plain);
        }
    }
    suite.finish(check);

    let Some(id) = report.created_id.clone() else {
        for name in [
            "7. GET /Users/{new id} returns the new user",
            "8. the same POST again is a 409",
            "9. filter on the userName in upper case answers 200",
        ] {
            suite.not_possible(name, "check 6 created no user");
        }
        return;
    };
    let mut check = suite.begin("7. GET /Users/{new id} returns the new user", true);
    let answer = suite.get(&mut check, &format!("/Users/{}", encode_component(&id)));
    if check.status(&answer, &[200])
        && let Some(read) = check.json(&answer)
    {
        check.equals(read, "id", &json!(id));
        check.equals(read, "userName", &json!(user_name));
        check.equals(read, "active", &json!(true));
        check.equals(read, "name.givenName", &json!("Scimplan"));
        check.equals(read, "name.familyName", &json!("Spec"));
    }
    suite.finish(check);

    let mut check = suite.begin("8. the same POST again is a 409", true);
    let answer = suite.request(&mut check, "POST", "/Users", Some(&body), true);
    if check.status(&answer, &[409]) {
        check.error_body(&answer, None);
    } else if let Some(duplicate) = answer
        .json
        .as_ref()
        .and_then(|b| b.get("id"))
        .map(plain)
        .filter(|d| *d != id && answer.status.is_some_and(|s| (200..300).contains(&s)))
    {
        check.problems.push(format!(
            "the app created a duplicate user (id {duplicate}); it will be deactivated too"
        ));
        report.duplicate_ids.push(duplicate);
    }
    suite.finish(check);

    let mut check = suite.begin("9. filter on the userName in upper case answers 200", true);
    let upper = user_name.to_uppercase();
    let answer = suite.get(&mut check, &filter_path("Users", "userName", &upper));
    check.status(&answer, &[200]);
    suite.finish(check);

    // Okta's usernames are case-insensitive; an app that is not may create duplicates.
    let mut check = suite.begin(
        "userName filter is case-insensitive (finds the user in upper case)",
        false,
    );
    let answer = suite.get(&mut check, &filter_path("Users", "userName", &upper));
    if check.status(&answer, &[200])
        && let Some(body) = check.json(&answer)
    {
        check.equals(body, "totalResults", &json!(1));
    }
    suite.finish(check);
}

/// Okta's checks 10 and 11: a wrong token is a 401, another unknown id a 404, both with a
/// SCIM error body.
pub(super) fn auth_and_error_checks(suite: &mut Suite, _report: &mut SpecReport) {
    let mut check = suite.begin("10. a wrong token is refused with 401 and an error", true);
    let answer = suite.request(
        &mut check,
        "GET",
        "/Users?count=1&startIndex=1",
        None,
        false,
    );
    if check.status(&answer, &[401]) {
        check.error_body(&answer, Some("401"));
    }
    suite.finish(check);
    let mut check = suite.begin("11. another unknown id is a 404 with an error", true);
    let answer = suite.get(&mut check, &format!("/Users/{}", unknown_id()));
    if check.status(&answer, &[404]) {
        check.error_body(&answer, Some("404"));
    }
    suite.finish(check);
}

/// Okta's optional Groups check, then paging and error bodies, which Okta relies on.
pub(super) fn extra_checks(suite: &mut Suite, _report: &mut SpecReport) {
    let mut check = suite.begin("GET /Groups is well formed", true);
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
    let took = answer.duration;
    suite.finish(check);
    let mut check = suite.begin("GET /Groups answers within 600 ms (optional)", false);
    check.expect(took <= GROUPS_FAST, || {
        format!("GET /Groups took {} ms", took.as_millis())
    });
    check.confirmed.push(format!("{} ms", took.as_millis()));
    suite.finish(check);

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
    suite.finish(check);
}

pub(super) fn deactivate_body() -> Value {
    json!({
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": false}}]
    })
}

/// Okta deactivates with PATCH active=false; this also leaves the created user inactive.
pub(super) fn deactivate_check(suite: &mut Suite, report: &mut SpecReport) {
    let name = "PATCH active=false deactivates the user (200 or 204)";
    let Some(id) = report.created_id.clone() else {
        suite.not_possible(name, "no user was created");
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
            check.equals(body, "active", &json!(false));
            report.deactivated = body.get("active") == Some(&json!(false));
        }
    }
    suite.finish(check);
    // Duplicates a broken app created are deactivated too; failures here only mean they stay.
    if report.duplicate_ids.is_empty() {
        return;
    }
    let mut cleanup = suite.begin("cleanup: deactivate the duplicates the app created", false);
    for duplicate in report.duplicate_ids.clone() {
        let path = format!("/Users/{}", encode_component(&duplicate));
        let answer = suite.request(&mut cleanup, "PATCH", &path, Some(&deactivate_body()), true);
        if cleanup.status(&answer, &[200, 204]) {
            cleanup
                .confirmed
                .push(format!("duplicate {duplicate} deactivated"));
        }
    }
    suite.finish(cleanup);
}
