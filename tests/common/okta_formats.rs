//! Test files written here in the formats of Okta's own (Runscope exports, initial scripts), so
//! the tests run in a fresh clone; Okta's real files are extra checks where present.
#![allow(dead_code)]

use std::path::Path;

use serde_json::{Value, json};

fn headers() -> Value {
    json!({"Accept": ["application/scim+json"], "Authorization": ["{{auth}}"],
           "Content-Type": ["application/scim+json; charset=utf-8"]})
}

/// A test in Okta's SPEC file format: list users, create one from the initial script's random
/// values, read it back. `create_status` is what the POST must answer (201 passes).
pub fn spec_like_file(create_status: u16) -> Value {
    let headers = headers();
    json!({
        "version": "1.0",
        "name": "Fixture SCIM 2.0 SPEC Test",
        "description": "Written by the tests in the format of Okta's SPEC file.",
        "trigger_url": "https://api.runscope.com/radar/not-yours/trigger",
        "steps": [
            {"step_type": "request", "skipped": false, "note": "Required Test: Test Users endpoint",
             "method": "GET", "url": "{{SCIMBaseURL}}/Users?count=1&startIndex=1",
             "headers": headers, "assertions": [
                {"comparison": "equal_number", "source": "response_status", "value": 200},
                {"comparison": "has_value", "source": "response_json", "property": "schemas",
                 "value": "urn:ietf:params:scim:api:messages:2.0:ListResponse"}],
             "variables": [], "scripts": [], "before_scripts": []},
            {"step_type": "pause", "skipped": false, "duration": 1},
            {"step_type": "request", "skipped": false, "note": "Required Test: Create Okta user",
             "method": "POST", "url": "{{SCIMBaseURL}}/Users", "headers": headers,
             "body": "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"{{randomUsername}}\",\"name\":{\"givenName\":\"{{randomGivenName}}\",\"familyName\":\"{{randomFamilyName}}\"},\"emails\":[{\"primary\":true,\"value\":\"{{randomEmail}}\",\"type\":\"work\"}],\"active\":true}",
             "assertions": [
                {"comparison": "equal_number", "source": "response_status", "value": create_status},
                {"comparison": "equal", "source": "response_json", "property": "userName",
                 "value": "{{randomUsername}}"}],
             "variables": [{"source": "response_json", "property": "id", "name": "idUserOne"}],
             "scripts": [], "before_scripts": []},
            {"step_type": "request", "skipped": false, "note": "Required Test: Get it back",
             "method": "GET", "url": "{{SCIMBaseURL}}/Users/{{idUserOne}}", "headers": headers,
             "assertions": [{"comparison": "equal_number", "source": "response_status", "value": 200}],
             "variables": [], "scripts": [], "before_scripts": []}
        ]
    })
}

/// An initial script in the shape of Okta's (`Initial_Script_Spec.txt`).
pub const SPEC_SCRIPT: &str = r#"var firstname = "Runscope" + Math.floor(Math.random() * 900 + 100);
var lastname = "Fixture" + Math.floor(Math.random() * 900 + 100);
var email = firstname + lastname + "@atko.com";
variables.set("randomGivenName", firstname);
variables.set("randomFamilyName", lastname);
variables.set("randomEmail", email);
variables.set("randomUsername", email);
"#;

/// A test in the format of Okta's Entitlements file: one request per entitlement endpoint.
pub fn entitlements_like_file() -> Value {
    json!({
        "version": "1.0",
        "name": "Fixture SCIM 2.0 Entitlements Test",
        "description": "Written by the tests in the format of Okta's Entitlements file.",
        "steps": [
            {"step_type": "request", "skipped": false,
             "note": "Duplicate the request for multiple Entitlement Endpoints",
             "method": "GET", "headers": headers(), "multipart_form": [], "auth": {},
             "url": "{{SCIMBaseURL}}{{EntitlementEndpoint}}?count=1&startIndex=1",
             "assertions": [
                {"comparison": "equal_number", "source": "response_status", "value": 200},
                {"comparison": "not_empty", "source": "response_json", "value": null,
                 "property": "Resources"},
                {"comparison": "has_value", "source": "response_json",
                 "value": "urn:ietf:params:scim:api:messages:2.0:ListResponse", "property": "schemas"},
                {"comparison": "equal_number", "source": "response_json", "value": "1",
                 "property": "itemsPerPage"}],
             "variables": [], "scripts": [], "before_scripts": []}
        ]
    })
}

/// A CRUD-format file named `name` (its steps are never run by the tests that use it).
pub fn crud_like_file(name: &str) -> Value {
    json!({
        "name": name,
        "description": "Written by the tests in the format of Okta's CRUD files.",
        "steps": [
            {"step_type": "request", "note": "Check your SCIM app instance in Okta",
             "method": "GET", "url": "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}",
             "headers": {"Authorization": ["SSWS {{oktaToken}}"], "Accept": ["application/json"]},
             "assertions": [{"comparison": "equal_number", "source": "response_status", "value": 200}],
             "variables": [], "scripts": [], "before_scripts": []},
            {"step_type": "request", "note": "Verify the app's users",
             "method": "GET", "url": "{{SCIMUrl}}/Users?filter=userName eq \"{{okta_user_email}}\"",
             "headers": {"Authorization": ["{{SCIMAuth}}"]},
             "assertions": [{"comparison": "equal_number", "source": "response_status", "value": 200}],
             "variables": [], "scripts": [], "before_scripts": []}
        ]
    })
}

/// Writes the fixture files into `data` under the names of Okta's files.
pub fn write_okta_like_files(data: &Path, spec: &Value) {
    std::fs::create_dir_all(data).unwrap();
    let write = |name: &str, value: &Value| {
        std::fs::write(data.join(name), serde_json::to_vec_pretty(value).unwrap()).unwrap()
    };
    write("Okta-SCIM-20-SPEC-Test.json", spec);
    write(
        "Okta-SCIM-20-Entitlements-Test.json",
        &entitlements_like_file(),
    );
    write(
        "Okta-SCIM-20-CRUD-Test.json",
        &crud_like_file("Fixture SCIM 2.0 CRUD Test"),
    );
    write(
        "Okta-SCIM-20-With-Entitlements-CRUD-Test.json",
        &crud_like_file("Fixture SCIM 2.0 with entitlements CRUD test"),
    );
    std::fs::write(data.join("Initial_Script_Spec.txt"), SPEC_SCRIPT).unwrap();
}
