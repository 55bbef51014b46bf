//! Runscope exports written by the tests, in the shape of Okta's files but their own (their own
//! notes, bodies and assertions): a SPEC-shaped one (reads and a create of the app's SCIM API)
//! and a CRUD-shaped one (Okta's actions, each followed by a read of the app), with pauses as
//! short as a test wants, and builders for steps with scripts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub fn request(note: &str, method: &str, url: &str, headers: Value) -> Value {
    json!({"step_type": "request", "note": note, "method": method, "url": url,
           "headers": headers, "assertions": [], "variables": [], "scripts": [],
           "before_scripts": []})
}

pub fn status_is(step: &mut Value, status: u16) {
    step["assertions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"source": "response_status", "comparison": "equal_number", "value": status}));
}

pub fn json_is(step: &mut Value, property: &str, comparison: &str, value: Value) {
    step["assertions"].as_array_mut().unwrap().push(
        json!({"source": "response_json", "property": property, "comparison": comparison, "value": value}),
    );
}

pub fn sets(step: &mut Value, name: &str, property: &str) {
    step["variables"]
        .as_array_mut()
        .unwrap()
        .push(json!({"source": "response_json", "property": property, "name": name}));
}

pub fn pause(seconds: f64) -> Value {
    json!({"step_type": "pause", "duration": seconds})
}

/// The tests' own export in the shape of Okta's SPEC file: reads and a create of the app's
/// SCIM API with `pause_s` between them, Okta's header names and its initial variables; the
/// create names no `User-Agent` (Okta's does not either).
pub fn spec_like(pause_s: f64) -> Value {
    let scim = |ua: bool| {
        let mut h = json!({"Accept": ["application/scim+json"], "Authorization": ["{{auth}}"]});
        if ua {
            h["User-Agent"] = json!(["OKTA SCIM Integration"]);
        }
        h
    };
    let mut list = request(
        "Required Test: list users",
        "GET",
        "{{SCIMBaseURL}}/Users?count=1&startIndex=1",
        scim(true),
    );
    status_is(&mut list, 200);
    json_is(&mut list, "Resources[0].id", "not_empty", Value::Null);
    sets(&mut list, "ISVUserid", "Resources[0].id");
    let mut one = request(
        "Required Test: read a user",
        "GET",
        "{{SCIMBaseURL}}/Users/{{ISVUserid}}",
        scim(true),
    );
    status_is(&mut one, 200);
    let mut absent = request(
        "Required Test: the random user is not there",
        "GET",
        "{{SCIMBaseURL}}/Users?filter=userName eq \"{{randomUsername}}\"",
        scim(true),
    );
    json_is(&mut absent, "totalResults", "equal", json!("0"));
    let body = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{randomUsername}}","name":{"givenName":"{{randomGivenName}}","familyName":"{{randomFamilyName}}"},"emails":[{"primary":true,"value":"{{randomEmail}}","type":"work"}],"active":true}"#;
    let mut create = request(
        "Required Test: create the random user",
        "POST",
        "{{SCIMBaseURL}}/Users",
        json!({"Content-Type": ["application/json"], "Authorization": ["{{auth}}"]}),
    );
    create["body"] = json!(body);
    status_is(&mut create, 201);
    json_is(
        &mut create,
        "userName",
        "equal",
        json!("{{randomUsername}}"),
    );
    sets(&mut create, "idUserOne", "id");
    let mut read_back = request(
        "Required Test: read the created user",
        "GET",
        "{{SCIMBaseURL}}/Users/{{idUserOne}}",
        scim(true),
    );
    status_is(&mut read_back, 200);
    json_is(
        &mut read_back,
        "userName",
        "equal",
        json!("{{randomUsername}}"),
    );
    let mut again = create.clone();
    again["note"] = json!("Required Test: the same user again is a conflict");
    again["assertions"] = json!([]);
    again["variables"] = json!([]);
    status_is(&mut again, 409);
    let mut caps = request(
        "Required Test: filter in capitals",
        "GET",
        "{{SCIMBaseURL}}/Users?filter=userName eq \"{{randomUsernameCaps}}\"",
        scim(true),
    );
    status_is(&mut caps, 200);
    let mut unknown = request(
        "Required Test: an unknown id",
        "GET",
        "{{SCIMBaseURL}}/Users/{{UserIdThatDoesNotExist}}",
        scim(true),
    );
    status_is(&mut unknown, 404);
    let mut refused = request(
        "Required Test: a bad token",
        "GET",
        "{{SCIMBaseURL}}/Users?count=1",
        json!({"Authorization": ["non-token"], "User-Agent": ["OKTA SCIM Integration"]}),
    );
    status_is(&mut refused, 401);
    let mut steps = Vec::new();
    for step in [
        list, one, absent, create, read_back, again, caps, unknown, refused,
    ] {
        if !steps.is_empty() {
            steps.push(pause(pause_s));
        }
        steps.push(step);
    }
    json!({"name": "SPEC-shaped test of the tests' own", "steps": steps})
}

/// The tests' own export in the shape of Okta's CRUD file: Okta creates and assigns a user,
/// the app is read after a pause, Okta updates the user, the app is read, Okta deactivates
/// the user, the app is read.
pub fn crud_like(pause_s: f64) -> Value {
    let okta = || json!({"Accept": ["application/json"], "Content-Type": ["application/json"], "Authorization": "SSWS {{oktaToken}}"});
    let scim = || json!({"Accept": ["application/scim+json"], "Authorization": "{{SCIMAuth}}"});
    let mut app = request(
        "Read the app instance",
        "GET",
        "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}",
        okta(),
    );
    status_is(&mut app, 200);
    let mut create = request(
        "Create a user in Okta",
        "POST",
        "{{oktaOrgUrl}}/api/v1/users?activate=true",
        okta(),
    );
    create["body"] = json!(
        r#"{"profile":{"firstName":"{{okta_user_firstname}}","lastName":"{{okta_user_lastname}}","email":"{{okta_user_email}}","login":"{{okta_user_email}}"},"credentials":{"password":{"value":"Tq4mWz9pXr"}}}"#
    );
    status_is(&mut create, 200);
    sets(&mut create, "okta_add_userid", "id");
    let mut assign = request(
        "Assign it to the app",
        "POST",
        "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}/users",
        okta(),
    );
    assign["body"] = json!(
        r#"{"id":"{{okta_add_userid}}","scope":"USER","credentials":{"userName":"{{okta_user_email}}"},"profile":{"givenName":"{{okta_user_firstname}}","familyName":"{{okta_user_lastname}}","email":"{{okta_user_email}}"}}"#
    );
    status_is(&mut assign, 200);
    let mut created = request(
        "The app has the user",
        "GET",
        "{{SCIMUrl}}/Users?filter=userName eq \"{{okta_user_email}}\"",
        scim(),
    );
    json_is(
        &mut created,
        "Resources[0].userName",
        "equal",
        json!("{{okta_user_email}}"),
    );
    sets(&mut created, "scim_id", "Resources[0].id");
    let mut update = request(
        "Change the first name in Okta",
        "PUT",
        "{{oktaOrgUrl}}/api/v1/users/{{okta_add_userid}}",
        okta(),
    );
    update["body"] = json!(
        r#"{"profile":{"firstName":"{{okta_user_firstname_update}}","lastName":"{{okta_user_lastname}}","email":"{{okta_user_email}}","login":"{{okta_user_email}}"}}"#
    );
    status_is(&mut update, 200);
    let mut updated = request(
        "The app has the new first name",
        "GET",
        "{{SCIMUrl}}/Users/{{scim_id}}",
        scim(),
    );
    json_is(
        &mut updated,
        "name.givenName",
        "equal",
        json!("{{okta_user_firstname_update}}"),
    );
    let mut deactivate = request(
        "Deactivate the user in Okta",
        "POST",
        "{{oktaOrgUrl}}/api/v1/users/{{okta_add_userid}}/lifecycle/deactivate",
        okta(),
    );
    status_is(&mut deactivate, 200);
    let mut inactive = request(
        "The app's user is inactive",
        "GET",
        "{{SCIMUrl}}/Users/{{scim_id}}",
        scim(),
    );
    json_is(&mut inactive, "active", "equal", json!("false"));
    json!({"name": "CRUD-shaped test of the tests' own", "steps": [
        app, create, assign, pause(pause_s), created, update, pause(pause_s), updated,
        deactivate, pause(pause_s), inactive
    ]})
}

pub fn write_export(dir: &Path, name: &str, export: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(export).unwrap()).unwrap();
    path
}

/// `step` with a response script.
pub fn with_script(mut step: Value, script: &str) -> Value {
    step["scripts"].as_array_mut().unwrap().push(json!(script));
    step
}

/// `step` with a before-request script.
pub fn with_before_script(mut step: Value, script: &str) -> Value {
    step["before_scripts"]
        .as_array_mut()
        .unwrap()
        .push(json!(script));
    step
}

/// An export of `steps`, no pauses.
pub fn export(name: &str, steps: Vec<Value>) -> Value {
    json!({"name": name, "steps": steps})
}
