//! scimplan's local equivalent of Okta's SCIM SPEC suite (Runscope), plus what Okta relies
//! on in practice. Creates at most one user, and deactivates it at the end.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};

use super::VerifyEvent;
use super::assertions::{describe_non_json, encode_component};
use super::cancel::CancelFlag;
use super::http::{Exchange, ScimClient};

mod checks;
use super::json_path::select;
use super::record::request_record;
pub use crate::session::{AuthScheme, CheckStatus, RequestRecord, SpecCheck, SpecReport};

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

#[derive(Debug, Clone, PartialEq)]
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
            request_deadline: super::http::REQUEST_TIMEOUT,
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
                        .problem()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ),
                None => format!(
                    "{} {}: expected status {wanted}, got no answer: {}",
                    answer.method,
                    answer.url,
                    answer.problem().unwrap_or("unknown")
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
    /// Why the app could not be reached, when a request could not be made at all.
    unreachable: Option<String>,
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
        &mut self,
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
            if exchange.unreachable() && self.unreachable.is_none() {
                self.unreachable = exchange.problem().map(str::to_string);
            }
            check.requests.push(request_record(
                exchange,
                &self.auth_header,
                self.client.secret(),
            ));
        }
        exchanges.last().cloned().expect("send returns an exchange")
    }

    fn get(&mut self, check: &mut Check, path: &str) -> Exchange {
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
        unreachable: None,
    };
    let mut report = SpecReport {
        target: client.base_url().to_string(),
        at,
        checks: Vec::new(),
        created_user: None,
        created_id: None,
        duplicate_ids: Vec::new(),
        deactivated: false,
        cancelled: false,
        unreachable: None,
        duration_ms: 0,
    };
    use checks::{
        auth_and_error_checks, create_checks, deactivate_check, existing_user_checks, extra_checks,
        unknown_checks,
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
        // Every further check would fail the same way and say nothing about the app.
        if suite.unreachable.is_some() {
            report.unreachable = suite.unreachable.clone();
            break;
        }
    }
    // The created user is deactivated even when cancelled: the suite leaves nothing active.
    if report.cancelled && report.created_id.is_some() && !report.deactivated {
        let never = CancelFlag::new();
        let mut retry = Suite {
            cancel: &never,
            ..suite
        };
        let mut check = retry.begin(
            "cleanup: deactivate the created user after the cancel",
            false,
        );
        let id = report.created_id.clone().unwrap_or_default();
        let answer = retry.request(
            &mut check,
            "PATCH",
            &format!("/Users/{}", encode_component(&id)),
            Some(&checks::deactivate_body()),
            true,
        );
        report.deactivated = check.status(&answer, &[200, 204]);
        if report.deactivated {
            check.confirmed.push(format!("user {id} deactivated"));
        }
        // Recorded like every other check, so the report shows the clean-up's requests.
        retry.finish(check);
        report.checks = retry.checks;
    } else {
        report.checks = suite.checks;
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
