//! Test files in Okta's formats, written by the tests themselves, so a fresh clone (nothing beside
//! it) runs every suite test: a SPEC-shaped and a CRUD-shaped Runscope export, an
//! entitlements-shaped one, and initial scripts. They are scimplan's own files, not copies of
//! Okta's: their own steps, notes, variables and assertions, exercising what the runner does with
//! Okta's (list and plain-string headers, numbers and strings as assertion values, variables
//! carried between steps, an empty variable entry, pauses polled or not waited, an optional step,
//! a deliberately wrong token, a duplicate create).
//!
//! `SuiteFile` reads either kind of file, so one test can run on the fixture and on Okta's own
//! file (when `SCIMPLAN_OKTA_FILES` or `../shared/okta` has it; required in CI), asserting
//! through the file's own notes and positions rather than Okta's wording.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};

pub const SPEC_FILE: &str = "Okta-SCIM-20-SPEC-Test.json";
pub const CRUD_FILE: &str = "Okta-SCIM-20-CRUD-Test.json";
pub const ENTITLEMENTS_FILE: &str = "Okta-SCIM-20-Entitlements-Test.json";
pub const ENTITLEMENTS_CRUD_FILE: &str = "Okta-SCIM-20-With-Entitlements-CRUD-Test.json";
pub const SPEC_SCRIPT_FILE: &str = "Initial_Script_Spec.txt";
pub const CRUD_SCRIPT_FILE: &str = "Initial_Script_CRUD.txt";

/// The files a folder of Okta's test files holds, by the names Okta publishes them under.
pub const OKTA_TEST_FILES: [&str; 6] = [
    SPEC_FILE,
    CRUD_FILE,
    ENTITLEMENTS_FILE,
    ENTITLEMENTS_CRUD_FILE,
    SPEC_SCRIPT_FILE,
    CRUD_SCRIPT_FILE,
];

/// One Runscope export, Okta's or the fixture.
#[derive(Clone, Debug)]
pub struct SuiteFile {
    pub path: PathBuf,
    /// Okta's published file (else scimplan's fixture).
    pub okta: bool,
    pub json: Value,
}

impl SuiteFile {
    pub fn read(path: &Path, okta: bool) -> SuiteFile {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        SuiteFile {
            path: path.to_path_buf(),
            okta,
            json: serde_json::from_str(&text).expect("a Runscope export"),
        }
    }

    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("a UTF-8 path")
    }

    /// Okta's or the fixture, for messages.
    pub fn label(&self) -> &'static str {
        if self.okta {
            "Okta's file"
        } else {
            "the fixture"
        }
    }

    pub fn name(&self) -> &str {
        self.json["name"].as_str().unwrap_or_default()
    }

    pub fn steps(&self) -> &[Value] {
        self.json["steps"].as_array().expect("steps")
    }

    /// The step at `position` (1-based, pauses counted, as scimplan numbers them).
    pub fn step(&self, position: usize) -> &Value {
        &self.steps()[position - 1]
    }

    /// The note of the step at `position`, as scimplan shows it (trimmed).
    pub fn note(&self, position: usize) -> &str {
        self.step(position)["note"]
            .as_str()
            .unwrap_or_default()
            .trim()
    }

    pub fn requests(&self) -> usize {
        self.steps()
            .iter()
            .filter(|s| s["step_type"] == "request")
            .count()
    }

    pub fn pauses(&self) -> usize {
        self.steps().len() - self.requests()
    }

    pub fn pause_seconds(&self, position: usize) -> u64 {
        let step = self.step(position);
        assert_eq!(step["step_type"], "pause", "step {position} is a pause");
        step["duration"].as_u64().expect("a pause's duration")
    }

    /// The first position whose step satisfies `wanted`.
    pub fn position(&self, wanted: impl Fn(&Value) -> bool) -> usize {
        self.steps()
            .iter()
            .position(wanted)
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("{}: no such step", self.path.display()))
    }

    /// Every position whose step satisfies `wanted`.
    pub fn positions(&self, wanted: impl Fn(&Value) -> bool) -> Vec<usize> {
        self.steps()
            .iter()
            .enumerate()
            .filter(|(_, s)| wanted(s))
            .map(|(i, _)| i + 1)
            .collect()
    }

    /// The position of the first request with this method whose URL ends with `url_end`
    /// (query ignored).
    pub fn request(&self, method: &str, url_end: &str) -> usize {
        self.position(|s| {
            s["method"] == method
                && s["url"]
                    .as_str()
                    .is_some_and(|u| u.split('?').next().unwrap_or(u).ends_with(url_end))
        })
    }

    /// The first variable the step at `position` sets.
    pub fn sets(&self, position: usize) -> &str {
        self.step(position)["variables"][0]["name"]
            .as_str()
            .expect("a variable")
    }

    /// The position of the first request using `{{variable}}` in its URL.
    pub fn first_use(&self, variable: &str) -> usize {
        let wanted = format!("{{{{{variable}}}}}");
        self.position(|s| s["url"].as_str().is_some_and(|u| u.contains(&wanted)))
    }

    /// The position of the first request that expects `status`.
    pub fn expecting(&self, status: u16) -> usize {
        self.position(|s| {
            s["assertions"].as_array().is_some_and(|a| {
                a.iter().any(|a| {
                    a["source"] == "response_status"
                        && (a["value"] == json!(status) || a["value"] == json!(status.to_string()))
                })
            })
        })
    }

    /// The positions of the optional requests (notes starting `Optional`).
    pub fn optional(&self) -> Vec<usize> {
        self.positions(|s| {
            s["note"]
                .as_str()
                .is_some_and(|n| n.starts_with("Optional"))
        })
    }
}

/// The SPEC-shaped fixture and, when present, Okta's SPEC file (required in CI).
pub fn spec_files() -> Vec<SuiteFile> {
    files_of(SPEC_FILE)
}

/// The CRUD-shaped fixture and, when present, Okta's CRUD file (required in CI).
pub fn crud_files() -> Vec<SuiteFile> {
    files_of(CRUD_FILE)
}

/// Okta's file `name` when present (required in CI), else the fixture of the same name, saying
/// once that Okta's is not there: for tests too slow to run twice. The CI's second pass, in a
/// fresh clone, runs them on the fixture.
pub fn okta_or_fixture(name: &str) -> SuiteFile {
    match crate::common::okta_file(name) {
        Some(path) => SuiteFile::read(&path, true),
        None => SuiteFile::read(&fixture_folder().join(name), false),
    }
}

/// The entitlements-shaped fixture and, when present, Okta's Entitlements file.
pub fn entitlement_files() -> Vec<SuiteFile> {
    files_of(ENTITLEMENTS_FILE)
}

fn files_of(name: &str) -> Vec<SuiteFile> {
    let mut files = vec![SuiteFile::read(&fixture_folder().join(name), false)];
    if let Some(path) = crate::common::okta_file(name) {
        files.push(SuiteFile::read(&path, true));
    }
    files
}

/// The folder of Okta's files when present, else the fixture folder (same file names).
pub fn okta_folder_or_fixture() -> PathBuf {
    match crate::common::okta_files_dir() {
        Some(dir) if OKTA_TEST_FILES.iter().all(|f| dir.join(f).is_file()) => dir,
        found => {
            assert!(
                std::env::var_os("SCIMPLAN_REQUIRE_OKTA_FILES").is_none(),
                "SCIMPLAN_REQUIRE_OKTA_FILES is set but Okta's test files are not all in {found:?}"
            );
            crate::common::say_skip(
                "using scimplan's own fixtures in place of Okta's test files: not found (set SCIMPLAN_OKTA_FILES)",
            );
            fixture_folder()
        }
    }
}

/// A folder (one per test process) holding the fixtures under the names Okta publishes its
/// files under, so anything that looks for Okta's files (`SCIMPLAN_DATA_DIR`, the checklist's
/// folder of Okta's files, `--file`) finds them.
pub fn fixture_folder() -> PathBuf {
    static FOLDER: OnceLock<tempfile::TempDir> = OnceLock::new();
    FOLDER
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temp folder");
            write_fixtures(dir.path());
            dir
        })
        .path()
        .to_path_buf()
}

/// Writes every fixture into `dir`, under Okta's file names.
pub fn write_fixtures(dir: &Path) {
    let pretty = |v: Value| serde_json::to_string_pretty(&v).unwrap() + "\n";
    std::fs::write(dir.join(SPEC_FILE), pretty(spec_fixture())).unwrap();
    std::fs::write(dir.join(CRUD_FILE), pretty(crud_fixture())).unwrap();
    std::fs::write(dir.join(ENTITLEMENTS_FILE), pretty(entitlements_fixture())).unwrap();
    // The CRUD fixture stands for the With-Entitlements CRUD file too (same variables and
    // steps; only Okta's own file adds the grants).
    std::fs::write(dir.join(ENTITLEMENTS_CRUD_FILE), pretty(crud_fixture())).unwrap();
    std::fs::write(dir.join(SPEC_SCRIPT_FILE), SPEC_SCRIPT).unwrap();
    std::fs::write(dir.join(CRUD_SCRIPT_FILE), CRUD_SCRIPT).unwrap();
}

const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn scim_headers(auth: &str) -> Value {
    json!({
        "Accept": ["application/scim+json"],
        "Content-Type": ["application/scim+json; charset=utf-8"],
        "Authorization": [auth],
        "User-Agent": ["scimplan fixture"]
    })
}

fn check(source: &str, property: &str, comparison: &str, value: Value) -> Value {
    json!({"source": source, "property": property, "comparison": comparison, "value": value})
}

fn status(code: Value) -> Value {
    json!({"source": "response_status", "comparison": "equal_number", "value": code})
}

fn request(note: &str, method: &str, url: &str, headers: Value, assertions: Vec<Value>) -> Value {
    json!({
        "step_type": "request",
        "skipped": false,
        "note": note,
        "auth": {},
        "multipart_form": [],
        "method": method,
        "url": url,
        "headers": headers,
        "body": "",
        "assertions": assertions,
        "variables": [],
        "scripts": [],
        "before_scripts": []
    })
}

fn pause(seconds: u64) -> Value {
    json!({"step_type": "pause", "skipped": false, "duration": seconds})
}

fn sets(mut step: Value, name: &str, property: &str) -> Value {
    step["variables"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": name, "source": "response_json", "property": property}));
    step
}

fn with_body(mut step: Value, body: Value) -> Value {
    step["body"] = Value::String(serde_json::to_string_pretty(&body).unwrap());
    step
}

/// A SPEC-shaped suite: list, read, look for nobody, create, read back, a conflicting create,
/// an optional groups read with a script, a refused token, an unknown id; a pause between
/// each (the SPEC run does not wait them).
pub fn spec_fixture() -> Value {
    let h = || scim_headers("{{auth}}");
    let user_body = json!({
        "schemas": [USER],
        "userName": "{{randomUsername}}",
        "name": {"givenName": "{{randomGivenName}}", "familyName": "{{randomFamilyName}}"},
        "emails": [{"primary": true, "value": "{{randomEmail}}", "type": "work"}],
        "displayName": "{{randomGivenName}} {{randomFamilyName}}",
        "active": true
    });
    // No script: scimplan runs none but the one of Okta's it knows by its text, and reports any
    // other as not run (a warning), which this passing suite must not have.
    let groups = request(
        "Optional Test: The app lists its groups",
        "GET",
        "{{SCIMBaseURL}}/Groups?startIndex=1&count=5",
        h(),
        vec![
            status(json!(200)),
            check("response_time", "", "is_less_than", json!("5000")),
        ],
    );
    let steps = vec![
        sets(
            request(
                "Required Test: The app lists its users, one page",
                "GET",
                "{{SCIMBaseURL}}/Users?startIndex=1&count=2",
                h(),
                vec![
                    status(json!("200")),
                    check("response_json", "Resources", "not_empty", Value::Null),
                    check("response_json", "schemas", "has_value", json!(LIST)),
                    check("response_json", "totalResults", "is_a_number", Value::Null),
                    check("response_json", "Resources[0].id", "not_empty", Value::Null),
                    check(
                        "response_json",
                        "Resources[0].userName",
                        "not_empty",
                        Value::Null,
                    ),
                ],
            ),
            "listedUser",
            "Resources[0].id",
        ),
        pause(3),
        request(
            "Required Test: The listed user reads back by id",
            "GET",
            "{{SCIMBaseURL}}/Users/{{listedUser}}",
            h(),
            vec![
                status(json!("200")),
                check("response_json", "id", "equal", json!("{{listedUser}}")),
                check("response_json", "userName", "not_empty", Value::Null),
            ],
        ),
        pause(3),
        request(
            "Required Test: A userName nobody has finds nobody",
            "GET",
            "{{SCIMBaseURL}}/Users?filter=userName eq \"{{InvalidUserEmail}}\"",
            h(),
            vec![
                status(json!(200)),
                check("response_json", "totalResults", "equal_number", json!("0")),
            ],
        ),
        pause(3),
        sets(
            with_body(
                request(
                    "Required Test: Create a user from the initial values",
                    "POST",
                    "{{SCIMBaseURL}}/Users",
                    scim_headers("{{auth}}"),
                    vec![
                        status(json!("201")),
                        check("response_json", "active", "equal", json!("true")),
                        check(
                            "response_json",
                            "userName",
                            "equal",
                            json!("{{randomUsername}}"),
                        ),
                        check("response_json", "schemas", "contains", json!(USER)),
                    ],
                ),
                user_body.clone(),
            ),
            "createdUser",
            "id",
        ),
        pause(3),
        request(
            "Required Test: The created user reads back with its names",
            "GET",
            "{{SCIMBaseURL}}/Users/{{createdUser}}",
            h(),
            vec![
                status(json!("200")),
                check(
                    "response_json",
                    "name.givenName",
                    "equal",
                    json!("{{randomGivenName}}"),
                ),
                check(
                    "response_json",
                    "name.familyName",
                    "equal",
                    json!("{{randomFamilyName}}"),
                ),
            ],
        ),
        pause(3),
        with_body(
            request(
                "Required Test: The same userName again is a conflict",
                "POST",
                "{{SCIMBaseURL}}/Users",
                scim_headers("{{auth}}"),
                vec![status(json!("409"))],
            ),
            user_body,
        ),
        pause(3),
        groups,
        pause(3),
        request(
            "Required Test: A token the app never issued gets 401",
            "GET",
            "{{SCIMBaseURL}}/Users?filter=userName eq \"{{randomUsername}}\"",
            scim_headers("not-a-token-of-this-app"),
            vec![
                status(json!("401")),
                check("response_json", "schemas", "has_value", json!(ERROR)),
                check("response_json", "status", "equal", json!("401")),
            ],
        ),
        pause(3),
        request(
            "Required Test: An id nobody has gets 404",
            "GET",
            "{{SCIMBaseURL}}/Users/{{UserIdThatDoesNotExist}}",
            h(),
            vec![
                status(json!("404")),
                check("response_json", "detail", "not_empty", Value::Null),
                check("response_json", "schemas", "has_value", json!(ERROR)),
            ],
        ),
    ];
    json!({
        "version": "1.0",
        "exported_at": 1767225600,
        "name": "scimplan fixture: SPEC-shaped SCIM 2.0 suite",
        "description": "scimplan's own test file in the shape of Okta's SPEC export",
        "trigger_url": "",
        "steps": steps
    })
}

/// A CRUD-shaped suite: Okta's API (an API token, sent as a plain string or a list) creates and
/// assigns a user, changes its first name, deactivates, reactivates and reassigns, unassigns; the
/// app's SCIM API is read after each change, after a pause that the runner polls.
pub fn crud_fixture() -> Value {
    let okta = |list: bool| {
        let token = if list {
            json!(["SSWS {{oktaToken}}"])
        } else {
            json!("SSWS {{oktaToken}}")
        };
        json!({"Accept": ["application/json"], "Content-Type": ["application/json"], "Authorization": token})
    };
    let scim = || json!({"Accept": ["application/scim+json"], "Authorization": "{{SCIMAuth}}"});
    let assign = |given: &str| {
        json!({
            "id": "{{oktaUser}}",
            "scope": "USER",
            "credentials": {"userName": "{{okta_user_email}}"},
            "profile": {
                "givenName": given,
                "familyName": "{{okta_user_lastname}}",
                "email": "{{okta_user_email}}",
                "emailType": "work"
            }
        })
    };
    let active = |value: &str| check("response_json", "active", "equal", json!(value));
    let mut reactivated = request(
        "Active again in the app",
        "GET",
        "{{SCIMUrl}}/Users/{{appUser}}",
        scim(),
        vec![status(json!(200)), active("true")],
    );
    // An entry with neither name nor property: exports have them; the runner ignores it.
    reactivated["variables"] = json!([{"name": null, "source": "response_json", "property": ""}]);
    let steps = vec![
        request(
            "The app instance is there",
            "GET",
            "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}",
            okta(false),
            vec![
                status(json!(200)),
                check("response_json", "id", "equal", json!("{{oktaAppId}}")),
            ],
        ),
        sets(
            with_body(
                request(
                    "Create an active Okta user",
                    "POST",
                    "{{oktaOrgUrl}}/api/v1/users?activate=true",
                    okta(false),
                    vec![status(json!(200))],
                ),
                json!({
                    "profile": {
                        "firstName": "{{okta_user_firstname}}",
                        "lastName": "{{okta_user_lastname}}",
                        "email": "{{okta_user_email}}",
                        "login": "{{okta_user_email}}"
                    },
                    "credentials": {"password": {"value": "Fixture9pw"}}
                }),
            ),
            "oktaUser",
            "id",
        ),
        with_body(
            request(
                "Assign the user to the app",
                "POST",
                "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}/users",
                okta(false),
                vec![status(json!(200))],
            ),
            assign("{{okta_user_firstname}}"),
        ),
        pause(15),
        sets(
            request(
                "The app received the user",
                "GET",
                "{{SCIMUrl}}/Users?filter=userName eq \"{{okta_user_email}}\"",
                scim(),
                vec![
                    status(json!(200)),
                    check(
                        "response_json",
                        "Resources[0].userName",
                        "equal",
                        json!("{{okta_user_email}}"),
                    ),
                    check(
                        "response_json",
                        "Resources[0].name.givenName",
                        "equal",
                        json!("{{okta_user_firstname}}"),
                    ),
                ],
            ),
            "appUser",
            "Resources[0].id",
        ),
        with_body(
            request(
                "Change the user's first name in Okta",
                "PUT",
                "{{oktaOrgUrl}}/api/v1/users/{{oktaUser}}",
                okta(false),
                vec![status(json!(200))],
            ),
            json!({"profile": {
                "firstName": "{{okta_user_firstname_update}}",
                "lastName": "{{okta_user_lastname}}",
                "email": "{{okta_user_email}}",
                "login": "{{okta_user_email}}"
            }}),
        ),
        pause(15),
        request(
            "The new first name reached the app",
            "GET",
            "{{SCIMUrl}}/Users/{{appUser}}",
            scim(),
            vec![
                status(json!(200)),
                check(
                    "response_json",
                    "name.givenName",
                    "equal",
                    json!("{{okta_user_firstname_update}}"),
                ),
            ],
        ),
        request(
            "Deactivate the Okta user",
            "POST",
            "{{oktaOrgUrl}}/api/v1/users/{{oktaUser}}/lifecycle/deactivate",
            okta(false),
            vec![status(json!(200))],
        ),
        pause(15),
        request(
            "Inactive in the app",
            "GET",
            "{{SCIMUrl}}/Users/{{appUser}}",
            scim(),
            vec![status(json!(200)), active("false")],
        ),
        request(
            "Activate the Okta user again",
            "POST",
            "{{oktaOrgUrl}}/api/v1/users/{{oktaUser}}/lifecycle/activate",
            okta(false),
            vec![status(json!(200))],
        ),
        with_body(
            request(
                "Assign the user to the app again",
                "POST",
                "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}/users",
                okta(false),
                vec![status(json!(200))],
            ),
            assign("{{okta_user_firstname_update}}"),
        ),
        pause(15),
        reactivated,
        pause(30),
        request(
            "Unassign the user from the app",
            "DELETE",
            "{{oktaOrgUrl}}/api/v1/apps/{{oktaAppId}}/users/{{oktaUser}}",
            okta(true),
            vec![status(json!("204"))],
        ),
        pause(30),
        request(
            "Inactive in the app once unassigned",
            "GET",
            "{{SCIMUrl}}/Users/{{appUser}}",
            json!({"Accept": ["application/scim+json"], "Authorization": ["{{SCIMAuth}}"]}),
            vec![status(json!(200)), active("false")],
        ),
    ];
    json!({
        "version": "1.0",
        "exported_at": 1767225600,
        "name": "scimplan fixture: CRUD-shaped suite",
        "description": "scimplan's own test file in the shape of Okta's CRUD export",
        "trigger_url": "",
        "steps": steps
    })
}

/// An entitlements-shaped suite: one request, run once per entitlement endpoint.
pub fn entitlements_fixture() -> Value {
    json!({
        "version": "1.0",
        "exported_at": 1767225600,
        "name": "scimplan fixture: entitlements-shaped suite",
        "description": "scimplan's own test file in the shape of Okta's entitlements export",
        "trigger_url": "",
        "step_count": 1,
        "steps": [request(
            "Run once for each entitlement endpoint",
            "GET",
            "{{SCIMBaseURL}}{{EntitlementEndpoint}}?startIndex=1&count=1",
            scim_headers("{{auth}}"),
            vec![
                status(json!(200)),
                check("response_json", "schemas", "has_value", json!(LIST)),
                check("response_json", "totalResults", "is_a_number", Value::Null),
                check("response_json", "Resources", "not_empty", Value::Null),
            ],
        )]
    })
}

/// An initial script in the language Runscope runs, setting every value the SPEC-shaped fixture
/// uses: the checklist's `r`, `spec` and the hosted runs run it as written.
const SPEC_SCRIPT: &str = r#"// scimplan fixture: the random values a SPEC-shaped run starts with.
function pick(letters, count) {
    var out = "";
    for (var i = 0; i < count; i++) {
        out += letters.charAt(Math.floor(Math.random() * letters.length));
    }
    return out;
}
var given = "Runscope" + pick("0123456789", 3);
var family = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1) + pick("abcdefghijklmnopqrstuvwxyz", 8) + pick("0123456789", 3);
var email = given + family + "@atko.com";
variables.set("randomGivenName", given);
variables.set("randomFamilyName", family);
variables.set("randomEmail", email);
variables.set("randomUsername", email);
variables.set("randomUsernameCaps", email.toUpperCase());
variables.set("InvalidUserEmail", "nobody-" + pick("0123456789", 6) + "@atko.com");
variables.set("UserIdThatDoesNotExist", "no-such-id-" + pick("0123456789", 12));
"#;

const CRUD_SCRIPT: &str = r#"// scimplan fixture: the random values a CRUD-shaped run starts with.
function pick(letters, count) {
    var out = "";
    for (var i = 0; i < count; i++) {
        out += letters.charAt(Math.floor(Math.random() * letters.length));
    }
    return out;
}
var first = "Runscope" + pick("0123456789", 3);
var last = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1) + pick("abcdefghijklmnopqrstuvwxyz", 8) + pick("0123456789", 3);
variables.set("okta_user_firstname", first);
variables.set("okta_user_firstname_update", first + "update");
variables.set("okta_user_lastname", last);
variables.set("okta_user_email", first + last + "@atko.com");
"#;
