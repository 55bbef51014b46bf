//! `scimplan spec`: Okta's SPEC file, run as Runscope would (its Required steps are the
//! verdict), then scimplan's own checks of what Okta's provisioning relies on beyond the SPEC
//! file (reported apart, never changing the verdict), then the user the file created is
//! deactivated (PATCH, or PUT when PATCH is refused), even when the run was cancelled.
//!
//! The SCIM credential is checked before anything else: by the file's first step when it reads
//! the app with `{{auth}}` (Okta's does), else by one read of scimplan's; a refusal stops the run
//! there. A required step that failed after a pause scimplan did not wait, and that the runner
//! could not confirm by waiting that pause, is confirmed by running the whole file again with
//! every pause waited, as Runscope waits them: that run is the verdict.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;

use super::assertions::describe_non_json;
use super::event::VerifyEvent;
use crate::net::{CancelFlag, Exchange, PlainClient, REQUEST_TIMEOUT};
use crate::runscope::initial::{InitialScript, ValuesKind, ValuesSource, scim_authorization};
use crate::runscope::runner::{empty_run, longest_pause};
use crate::runscope::{
    Credential, RunContext, RunEvent, RunOptions, TestFile, Variables, run_file,
    unconfirmed_failure,
};
use crate::scim::json_path::select;
use crate::scim::{ScimClient, request_record};

mod checks;
pub use crate::session::{
    AuthScheme, CheckStatus, FileRun, RequestRecord, SpecCheck, SpecReport, StepStatus,
};

/// The SPEC file's initial variables besides the initial script's values.
const CONNECTION_VARIABLES: [&str; 2] = ["SCIMBaseURL", "auth"];

/// What a `scimplan spec` run needs besides the connection.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecOptions {
    /// Okta's SPEC file (or a tester's copy).
    pub file: TestFile,
    /// The SHA-256 the profile pins for Okta's SPEC file.
    pub expected_sha256: Option<String>,
    /// Okta's Entitlements file and the endpoints to run it for (`/Roles`, ...).
    pub entitlements: Option<TestFile>,
    pub entitlement_endpoints: Vec<String>,
    /// The random test values (as Okta's initial script makes them): the report shows them.
    pub values: Variables,
    /// Where they come from (the initial script run as written, or scimplan's own equivalent).
    pub source: ValuesSource,
    /// How long each request may take (Okta's limit is 60 s).
    pub request_deadline: Duration,
    pub run: RunOptions,
    pub auth: AuthScheme,
}

impl SpecOptions {
    /// Options for running `file`, with fresh random values from scimplan's own equivalent of
    /// Okta's initial script (`use_initial_script` runs a script instead). Refuses a file that
    /// uses a `{{variable}}` nothing defines, naming it and the step.
    pub fn new(auth: AuthScheme, file: TestFile) -> Result<SpecOptions, String> {
        let (source, values) = ValuesSource::own(ValuesKind::Spec);
        check_variables(&file, &values)?;
        Ok(SpecOptions {
            file,
            expected_sha256: None,
            entitlements: None,
            entitlement_endpoints: Vec::new(),
            values,
            source,
            request_deadline: REQUEST_TIMEOUT,
            run: RunOptions::default(),
            auth,
        })
    }

    /// Takes the test values from `script`, run as written with the app's base URL as
    /// `SCIMBaseURL` (the token is not handed to it here). Returns what the script logged.
    pub fn use_initial_script(
        &mut self,
        script: InitialScript,
        base_url: &str,
    ) -> Result<Vec<String>, String> {
        let mut variables = Variables::new();
        variables.insert("SCIMBaseURL".into(), base_url.trim_end_matches('/').into());
        let (source, values, log) = ValuesSource::script(ValuesKind::Spec, script, variables)?;
        check_variables(&self.file, &values)?;
        self.values = values;
        self.source = source;
        Ok(log)
    }

    /// Where the test values come from, in a sentence.
    pub fn values_from(&self) -> String {
        self.source.describe()
    }

    /// The userName of the user Okta's file creates.
    pub fn user_name(&self) -> &str {
        self.values
            .get("randomUsername")
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// Refuses a file that uses a `{{variable}}` neither the initial variables nor an earlier step
/// defines.
fn check_variables(file: &TestFile, values: &Variables) -> Result<(), String> {
    let mut known = values.clone();
    for name in CONNECTION_VARIABLES {
        known.insert(name.into(), String::new());
    }
    match file.undefined_variable(&known) {
        Some((name, step)) => Err(format!(
            "{}: {step} uses {{{{{name}}}}}, which neither the SPEC initial variables (SCIMBaseURL, auth, the initial script's values) nor an earlier step defines",
            file.path
        )),
        None => Ok(()),
    }
}

/// The SPEC file's initial variables from the connection, as Okta's instructions ask testers to
/// enter them in Runscope: `SCIMBaseURL` without a trailing slash, `auth` the whole
/// Authorization header value.
pub fn initial_variables(client: &ScimClient, values: &Variables) -> Variables {
    let mut variables = values.clone();
    variables.insert("SCIMBaseURL".into(), client.base_url().to_string());
    variables.insert(
        "auth".into(),
        scim_authorization(client.connection(), client.secret().expose()),
    );
    variables
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

fn show(found: &[&Value]) -> String {
    match found {
        [] => "absent".into(),
        [one] => one.to_string(),
        many => Value::Array(many.iter().map(|v| (*v).clone()).collect()).to_string(),
    }
}

/// The SCIM credential as the SPEC file carries it (`{{auth}}`).
fn scim_credential(auth: &AuthScheme) -> Credential {
    Credential {
        variable: "auth".into(),
        source: auth.secret_env().into(),
        system: "the app's SCIM API".into(),
    }
}

/// One read of the app with the tester's credential (`GET /Users?startIndex=1&count=1`), for
/// files whose first step does not check it: why the run cannot go on, if it cannot.
pub(crate) fn check_scim_credential(
    client: &ScimClient,
    auth: &AuthScheme,
    cancel: &CancelFlag,
) -> Result<(), Refusal> {
    let deadline = Instant::now() + REQUEST_TIMEOUT;
    let answers = client.send_with(
        "GET",
        "/Users?startIndex=1&count=1",
        None,
        deadline,
        cancel,
        true,
    );
    let last = answers.last().expect("send returns an exchange");
    if last.unreachable() {
        return Err(Refusal::Unreachable(
            last.problem().unwrap_or("unreachable").to_string(),
        ));
    }
    match last.status {
        Some(status @ (401 | 403)) => Err(Refusal::Refused(format!(
            "GET /Users?startIndex=1&count=1 answered {status}: the app's SCIM API refused the credential. Check {}; nothing else was sent.",
            auth.secret_env()
        ))),
        _ => Ok(()),
    }
}

/// Why a credential check stops a run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refusal {
    Unreachable(String),
    Refused(String),
}

/// Runs Okta's SPEC file, the checks beyond it, the Entitlements file per endpoint, and the
/// deactivation of the created user, reporting each step and check as it ends.
pub fn run_spec(
    client: &ScimClient,
    options: &SpecOptions,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(VerifyEvent),
) -> SpecReport {
    let at = Utc::now();
    let started = Instant::now();
    let mut report = SpecReport {
        target: client.base_url().to_string(),
        at,
        file: None,
        checks: Vec::new(),
        entitlements: Vec::new(),
        created_user: None,
        created_id: None,
        duplicate_ids: Vec::new(),
        deactivated: false,
        deactivation: None,
        cleanup: Vec::new(),
        cancelled: false,
        unreachable: None,
        duration_ms: 0,
    };
    let plain = match PlainClient::with_network(&client.connection().network) {
        Ok(plain) => plain,
        Err(e) => {
            report.unreachable = Some(e.to_string());
            return report;
        }
    };
    // The credential first: by the file's first step when it reads the app with it, else by a
    // read of scimplan's before the file.
    let credential = scim_credential(&options.auth);
    let mut run_options = options.run.clone();
    let first_checks = options
        .file
        .requests()
        .find(|r| !r.skipped)
        .is_some_and(|r| credential.used_by(r) && r.method == "GET");
    if first_checks {
        run_options.credentials.push(credential);
    } else {
        match check_scim_credential(client, &options.auth, cancel) {
            Ok(()) => {}
            Err(Refusal::Unreachable(why)) => {
                report.unreachable = Some(why);
                return report;
            }
            Err(Refusal::Refused(why)) => {
                let mut run = empty_run(&options.file, client.base_url());
                // Also "could not run" for callers that know only `unreachable`: no result.
                report.unreachable = Some(why.clone());
                run.refused = Some(why);
                report.file = Some(run);
                report.duration_ms = started.elapsed().as_millis() as u64;
                return report;
            }
        }
    }
    let secrets = [client.secret().clone()];
    let context = RunContext {
        client: &plain,
        secrets: &secrets,
        cancel,
        options: &run_options,
    };
    let initial = initial_variables(client, &options.values);
    let mut forward = |event: RunEvent| on_event(event.into());
    let mut run = run_file(
        &options.file,
        &initial,
        client.base_url(),
        &context,
        &mut forward,
    );
    let mut earlier = Vec::new();
    if options.run.confirm
        && !options.run.honour_pauses
        && !run.passed()
        && !run.cancelled
        && run.unreachable.is_none()
        && run.refused.is_none()
        && let Some(why) = unconfirmed_failure(&run)
    {
        let settle = longest_pause(&options.file);
        on_event(VerifyEvent::Progress(format!(
            "{why}: running the whole file again with every pause waited, as Runscope waits them, after {settle} s for the app to settle…"
        )));
        cancel.sleep(std::time::Duration::from_secs_f64(settle));
        earlier = created_users(&run).into_iter().flatten().collect();
        let values = options.source.fresh();
        let waited = RunOptions {
            honour_pauses: true,
            credentials: Vec::new(),
            ..options.run.clone()
        };
        let context = RunContext {
            options: &waited,
            ..context
        };
        let mut forward = |event: RunEvent| on_event(event.into());
        let mut again = run_file(
            &options.file,
            &initial_variables(client, &values),
            client.base_url(),
            &context,
            &mut forward,
        );
        again.notes.push(format!(
            "The first run's {why}. This is the run of the whole file again with every pause waited, as Runscope waits them: its verdict is Runscope's. The first run's user is deactivated too."
        ));
        run = again;
    }
    if let Some(expected) = &options.expected_sha256
        && !expected.eq_ignore_ascii_case(&run.file.sha256)
    {
        run.file.expected_sha256 = Some(expected.clone());
    }
    report.unreachable = run.unreachable.clone().or_else(|| run.refused.clone());
    report.cancelled = run.cancelled;
    find_created_user(&run, &mut report);
    let refused = run.refused.is_some();
    report.file = Some(run);
    let never = CancelFlag::new();
    let mut suite = Suite {
        client,
        options,
        cancel,
        on_event,
        checks: Vec::new(),
        auth_header: match &options.auth {
            AuthScheme::Header { name } => name.clone(),
            _ => "Authorization".into(),
        },
        unreachable: None,
    };
    if report.unreachable.is_none() && !report.cancelled && !refused {
        checks::beyond_the_file(&mut suite, &mut report);
        if let Some(entitlements) = &options.entitlements {
            let context = RunContext {
                client: &plain,
                secrets: &secrets,
                cancel,
                options: &options.run,
            };
            for endpoint in &options.entitlement_endpoints {
                if cancel.is_cancelled() {
                    break;
                }
                let mut variables = initial.clone();
                variables.insert("EntitlementEndpoint".into(), endpoint.clone());
                let mut forward = |event: RunEvent| {
                    if let RunEvent::Step(step) = event {
                        (suite.on_event)(VerifyEvent::FileStep(step));
                    }
                };
                report.entitlements.push(run_file(
                    entitlements,
                    &variables,
                    &format!("{}{endpoint}", client.base_url()),
                    &context,
                    &mut forward,
                ));
            }
        }
    }
    if cancel.is_cancelled() {
        report.cancelled = true;
    }
    // The created user is deactivated even when cancelled: the suite leaves nothing active.
    let cleanup = Suite {
        cancel: &never,
        ..suite
    };
    report.checks = cleanup.checks.clone();
    checks::deactivate_at_the_end(cleanup, &mut report, &earlier);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// The ids of the users a run's POSTs to /Users created (`None` where the app gave no id).
fn created_users(run: &FileRun) -> Vec<Option<String>> {
    let mut created = Vec::new();
    for step in &run.steps {
        for attempt in &step.attempts {
            let creates = attempt.method == "POST"
                && attempt.url.trim_end_matches('/').ends_with("/Users")
                && attempt.status.is_some_and(|s| (200..300).contains(&s));
            if !creates {
                continue;
            }
            let id = serde_json::from_str::<Value>(&attempt.response_body)
                .ok()
                .and_then(|body| body.get("id").map(plain));
            created.push(id);
        }
    }
    created
}

/// The user Okta's file created: the id its `Create Okta user` step captured (`idUserOne`), and
/// any further user a POST created when the file expected a 409.
fn find_created_user(run: &FileRun, report: &mut SpecReport) {
    let created = created_users(run);
    let Some(first) = created.first() else {
        return;
    };
    report.created_user = Some(
        run.variables
            .get("randomUsername")
            .cloned()
            .unwrap_or_default(),
    );
    report.created_id = first.clone().or_else(|| {
        run.steps
            .iter()
            .find_map(|s| s.variables_set.get("idUserOne").cloned())
    });
    report.duplicate_ids = created[1..]
        .iter()
        .flatten()
        .filter(|id| Some(*id) != report.created_id.as_ref())
        .cloned()
        .collect();
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
