//! scimplan's local equivalent of Okta's SCIM SPEC suite (Runscope), plus what Okta relies
//! on in practice. Creates at most one user, and deactivates it at the end.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::VerifyEvent;
use super::cancel::CancelFlag;
use super::connection::{AuthScheme, Exchange, ScimClient};
use super::engine::{describe_non_json, encode_component};
use super::json_path::select;
use super::record::RequestRecord;
use crate::session::{SuiteKind, SuiteRun};

const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Okta's optional check: `GET /Groups` answers within 600 ms.
const GROUPS_FAST: Duration = Duration::from_millis(600);
/// The fields Okta's SPEC suite requires of a user.
const USER_FIELDS: [&str; 6] = [
    "id",
    "name.familyName",
    "name.givenName",
    "userName",
    "active",
    "emails[0].value",
];

#[derive(Debug, Clone)]
pub struct SpecOptions {
    /// The userName of the one user the suite creates.
    pub user_name: String,
    /// How long each request may take (Okta's limit is 60 s).
    pub request_deadline: Duration,
    pub auth: AuthScheme,
}

impl SpecOptions {
    pub fn new(auth: AuthScheme) -> SpecOptions {
        SpecOptions {
            user_name: random_user_name(),
            request_deadline: super::connection::REQUEST_TIMEOUT,
            auth,
        }
    }
}

/// A userName no app holds yet: `scimplan-spec-<random>@example.com`.
pub fn random_user_name() -> String {
    format!("scimplan-spec-{}@example.com", random_hex())
}

fn random_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("{:016x}", hasher.finish())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Not required by Okta: reported, not counted as a failure.
    Warn,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecCheck {
    pub name: String,
    /// Okta requires it; a failure of an optional check is a warning.
    pub required: bool,
    pub status: CheckStatus,
    /// Each problem found, or what was confirmed.
    pub detail: Vec<String>,
    pub requests: Vec<RequestRecord>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecReport {
    pub target: String,
    pub at: DateTime<Utc>,
    pub checks: Vec<SpecCheck>,
    /// The userName of the user the suite created, if it did.
    pub created_user: Option<String>,
    pub created_id: Option<String>,
    /// The created user was deactivated at the end.
    pub deactivated: bool,
    pub cancelled: bool,
    pub duration_ms: u64,
}

impl SpecReport {
    pub fn failures(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Warn)
            .count()
    }

    pub fn passed(&self) -> bool {
        !self.cancelled && self.failures() == 0
    }

    /// The record readiness counts in place of the Runscope SPEC link.
    pub fn suite_run(&self) -> SuiteRun {
        SuiteRun {
            suite: SuiteKind::Spec,
            at: self.at,
            target: self.target.clone(),
            passed: self.passed(),
            checks: self.checks.len(),
            failures: self.failures(),
            warnings: self.warnings(),
            duration_ms: self.duration_ms,
        }
    }
}

/// A check being made: its requests and the problems found.
struct Check {
    name: String,
    required: bool,
    problems: Vec<String>,
    confirmed: Vec<String>,
    requests: Vec<RequestRecord>,
    started: Instant,
}

impl Check {
    fn expect(&mut self, ok: bool, problem: impl FnOnce() -> String) -> bool {
        if !ok {
            self.problems.push(problem());
        }
        ok
    }

    fn status(&mut self, answer: &Exchange, wanted: &[u16]) -> bool {
        let ok = answer.status.is_some_and(|s| wanted.contains(&s));
        self.expect(ok, || {
            let wanted = wanted
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ");
            match answer.status {
                Some(status) => format!(
                    "{} {}: expected status {wanted}, got {status}{}",
                    answer.method,
                    answer.url,
                    answer
                        .error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ),
                None => format!(
                    "{} {}: expected status {wanted}, got no answer: {}",
                    answer.method,
                    answer.url,
                    answer.error.as_deref().unwrap_or("unknown")
                ),
            }
        })
    }

    /// The answer's JSON, or a problem naming what came instead.
    fn json<'a>(&mut self, answer: &'a Exchange) -> Option<&'a Value> {
        if answer.json.is_none() {
            self.problems.push(format!(
                "{} {}: expected a JSON body, got {}",
                answer.method,
                answer.url,
                describe_non_json(answer)
            ));
        }
        answer.json.as_ref()
    }

    fn schema(&mut self, body: &Value, urn: &str) {
        let found = select(body, "schemas[*]").unwrap_or_default();
        let ok = found.iter().any(|v| v.as_str() == Some(urn));
        self.expect(ok, || {
            format!("schemas: expected to contain {urn}, got {}", show(&found))
        });
    }

    fn number(&mut self, body: &Value, path: &str) {
        let found = select(body, path).unwrap_or_default();
        let ok = found.len() == 1 && found[0].is_number();
        self.expect(ok, || {
            format!("{path}: expected a number, got {}", show(&found))
        });
    }

    fn present(&mut self, body: &Value, path: &str, within: &str) {
        let found = select(body, path).unwrap_or_default();
        let ok = found.first().is_some_and(|v| !v.is_null());
        self.expect(ok, || {
            format!("{within}{path}: expected present, got absent")
        });
    }

    fn equals(&mut self, body: &Value, path: &str, wanted: &Value) {
        let found = select(body, path).unwrap_or_default();
        let ok = found.len() == 1 && found[0] == wanted;
        self.expect(ok, || {
            format!("{path}: expected {wanted}, got {}", show(&found))
        });
    }

    fn error_body(&mut self, answer: &Exchange, status: Option<&str>) {
        if let Some(body) = self.json(answer) {
            self.schema(body, ERROR);
            self.present(body, "detail", "");
            if let Some(status) = status {
                // SCIM says "status" is a string; Okta's suite checks it as one.
                self.equals(body, "status", &json!(status));
            }
        }
    }
}

fn show(found: &[&Value]) -> String {
    match found {
        [] => "absent".into(),
        [one] => one.to_string(),
        many => Value::Array(many.iter().map(|v| (*v).clone()).collect()).to_string(),
    }
}

struct Suite<'a> {
    client: &'a ScimClient,
    options: &'a SpecOptions,
    cancel: &'a CancelFlag,
    on_event: &'a mut dyn FnMut(VerifyEvent),
    checks: Vec<SpecCheck>,
    auth_header: String,
}

impl Suite<'_> {
    fn begin(&self, name: &str, required: bool) -> Check {
        Check {
            name: name.to_string(),
            required,
            problems: Vec::new(),
            confirmed: Vec::new(),
            requests: Vec::new(),
            started: Instant::now(),
        }
    }

    fn request(
        &self,
        check: &mut Check,
        method: &str,
        path: &str,
        body: Option<&Value>,
        authenticated: bool,
    ) -> Exchange {
        let deadline = Instant::now() + self.options.request_deadline;
        let exchanges =
            self.client
                .send_with(method, path, body, deadline, self.cancel, authenticated);
        for exchange in &exchanges {
            check.requests.push(RequestRecord::from_exchange(
                exchange,
                &self.auth_header,
                self.client.secret(),
            ));
        }
        exchanges.last().cloned().expect("send returns an exchange")
    }

    fn get(&self, check: &mut Check, path: &str) -> Exchange {
        self.request(check, "GET", path, None, true)
    }

    fn finish(&mut self, check: Check) {
        let status = match (check.problems.is_empty(), check.required) {
            (true, _) => CheckStatus::Pass,
            (false, true) => CheckStatus::Fail,
            (false, false) => CheckStatus::Warn,
        };
        let detail = if check.problems.is_empty() {
            check.confirmed
        } else {
            check.problems
        };
        let done = SpecCheck {
            name: check.name,
            required: check.required,
            status,
            detail: detail
                .iter()
                .map(|d| self.client.secret().redact(d))
                .collect(),
            requests: check.requests,
            duration_ms: check.started.elapsed().as_millis() as u64,
        };
        (self.on_event)(VerifyEvent::SpecCheck(done.clone()));
        self.checks.push(done);
    }

    fn not_possible(&mut self, name: &str, why: &str) {
        let mut check = self.begin(name, true);
        check.problems.push(format!("not run: {why}"));
        self.finish(check);
    }
}

fn filter_path(resource: &str, attribute: &str, value: &str) -> String {
    let filter = format!("{attribute} eq \"{}\"", value.replace('"', "\\\""));
    format!("/{resource}?filter={}", encode_component(&filter))
}

fn unknown_id() -> String {
    format!("{}{}", random_hex(), random_hex())
}

/// Runs every check, reporting each as it ends. Stops early only when cancelled.
pub fn run_spec(
    client: &ScimClient,
    options: &SpecOptions,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(VerifyEvent),
) -> SpecReport {
    let at = Utc::now();
    let started = Instant::now();
    let auth_header = match &options.auth {
        AuthScheme::Header { name } => name.clone(),
        _ => "Authorization".into(),
    };
    let mut suite = Suite {
        client,
        options,
        cancel,
        on_event,
        checks: Vec::new(),
        auth_header,
    };
    let mut report = SpecReport {
        target: client.base_url().to_string(),
        at,
        checks: Vec::new(),
        created_user: None,
        created_id: None,
        deactivated: false,
        cancelled: false,
        duration_ms: 0,
    };
    let steps: [fn(&mut Suite, &mut SpecReport); 6] = [
        existing_user_checks,
        unknown_checks,
        create_checks,
        auth_and_error_checks,
        extra_checks,
        deactivate_check,
    ];
    for step in steps {
        if cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        step(&mut suite, &mut report);
    }
    // The created user is deactivated even when cancelled: the suite leaves nothing active.
    if report.cancelled && report.created_id.is_some() && !report.deactivated {
        let never = CancelFlag::new();
        let retry = Suite {
            cancel: &never,
            ..suite
        };
        let mut check = retry.begin("cleanup", false);
        let id = report.created_id.clone().unwrap_or_default();
        let answer = retry.request(
            &mut check,
            "PATCH",
            &format!("/Users/{}", encode_component(&id)),
            Some(&deactivate_body()),
            true,
        );
        report.deactivated = matches!(answer.status, Some(200 | 204));
        report.checks = retry.checks;
    } else {
        report.checks = suite.checks;
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// Okta's checks 1 and 2: a user the app already holds, listed and read back.
fn existing_user_checks(suite: &mut Suite, _report: &mut SpecReport) {
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
fn unknown_checks(suite: &mut Suite, _report: &mut SpecReport) {
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
fn create_checks(suite: &mut Suite, report: &mut SpecReport) {
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
fn auth_and_error_checks(suite: &mut Suite, _report: &mut SpecReport) {
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
fn extra_checks(suite: &mut Suite, _report: &mut SpecReport) {
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
    }
    suite.finish(check);
}

fn deactivate_body() -> Value {
    json!({
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": false}}]
    })
}

/// Okta deactivates with PATCH active=false; this also leaves the created user inactive.
fn deactivate_check(suite: &mut Suite, report: &mut SpecReport) {
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
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
