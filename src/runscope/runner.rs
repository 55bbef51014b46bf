//! Runs a Runscope test file step by step, as Runscope would: the same requests (only the headers
//! a step names), each assertion with Runscope's semantics, variables carried from step to step.
//! Two differences, both in the tester's favour and both reported: a pause that waits for Okta's
//! asynchronous provisioning becomes polling of the step after it (until its assertions hold or a
//! deadline), or is skipped when the step just before it already saw that state (a change comes
//! next, which cannot be repeated to poll it); a pause that only spaces requests to the same app
//! is not waited at all.
//! No request is retried silently: a 429 or a 5xx is what the file sees.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::compare::as_text;
use super::evaluate::{evaluate, source_value};
use super::export::{Request, Requirement, Step, TestFile};
use super::script;
use super::template::{Variables, render};
use crate::net::{CancelFlag, Exchange, PlainClient, REQUEST_TIMEOUT, Secret, cut};
use crate::session::{FileRef, FileRun, RequestRecord, StepRecord, StepRequirement, StepStatus};

/// How pauses and requests are handled.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// A polled step is retried until this multiple of its pause has passed...
    pub poll_factor: f64,
    /// ...but never for less than this.
    pub min_poll: Duration,
    /// The first wait between attempts (it grows to five times this).
    pub poll_interval: Duration,
    /// Wait every pause out as Runscope does, and poll nothing.
    pub honour_pauses: bool,
    /// How long one request may take (Okta gives up after 60 s).
    pub request_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            poll_factor: 3.0,
            min_poll: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            honour_pauses: false,
            request_timeout: REQUEST_TIMEOUT,
        }
    }
}

/// Progress of a run, for live display.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// An attempt at a polled step did not hold yet; the next starts in `retry_in`.
    Attempt {
        position: usize,
        number: u32,
        failing: String,
        retry_in: Duration,
    },
    /// A step ended (pauses included).
    Step(Box<StepRecord>),
}

/// What the runner needs besides the file.
pub struct RunContext<'a> {
    pub client: &'a PlainClient,
    /// Every secret the variables carry; redacted from everything recorded.
    pub secrets: &'a [Secret],
    pub cancel: &'a CancelFlag,
    pub options: &'a RunOptions,
}

impl RunContext<'_> {
    fn redact(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_string(), |text, secret| secret.redact(&text))
    }
}

/// A pause's effect on the request after it.
#[derive(Debug, Clone, Copy)]
enum PollPlan {
    Once,
    Until(Duration),
}

/// Runs `file` from the `initial` variables. Stops early when cancelled or when the app cannot be
/// reached at all; everything done until then is in the result.
pub fn run_file(
    file: &TestFile,
    initial: &Variables,
    target: &str,
    context: &RunContext<'_>,
    on_event: &mut dyn FnMut(RunEvent),
) -> FileRun {
    let started = Instant::now();
    let mut run = empty_run(file, target);
    run.variables = initial
        .iter()
        .map(|(k, v)| (k.clone(), context.redact(v)))
        .collect();
    let mut variables = initial.clone();
    // Which step sets each variable, to explain a value that never came.
    let mut setters: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut plan = PollPlan::Once;
    // The system the previous request went to, and that request as it ended.
    let mut last_system: Option<String> = None;
    let mut last_request: Option<StepRecord> = None;
    for (index, step) in file.steps.iter().enumerate() {
        if context.cancel.is_cancelled() {
            run.cancelled = true;
            break;
        }
        let record = match step {
            Step::Pause { seconds, skipped } => {
                let next = file.steps[index + 1..].iter().find_map(|s| match s {
                    Step::Request(r) if !r.skipped => Some(r.as_ref()),
                    _ => None,
                });
                let (record, next_plan) = pause(
                    index + 1,
                    *seconds,
                    *skipped,
                    next,
                    &variables,
                    Before {
                        system: &last_system,
                        request: last_request.as_ref(),
                    },
                    context,
                );
                plan = next_plan;
                record
            }
            Step::Request(request) => {
                let record = run_request(
                    request,
                    &mut variables,
                    &mut setters,
                    plan,
                    context,
                    &mut run.unreachable,
                    on_event,
                );
                plan = PollPlan::Once;
                last_system = system(&request.url, &variables);
                if !request.skipped {
                    last_request = Some(record.clone());
                }
                record
            }
        };
        on_event(RunEvent::Step(Box::new(record.clone())));
        run.steps.push(record);
        if run.unreachable.is_some() {
            break;
        }
    }
    if context.cancel.is_cancelled() {
        run.cancelled = true;
    }
    run.duration_ms = started.elapsed().as_millis() as u64;
    run
}

/// A run of `file` against `target` with no step made yet.
pub fn empty_run(file: &TestFile, target: &str) -> FileRun {
    FileRun {
        file: FileRef {
            name: file.name.clone(),
            path: file.path.clone(),
            sha256: file.sha256.clone(),
            expected_sha256: None,
        },
        target: target.to_string(),
        at: Utc::now(),
        duration_ms: 0,
        variables: Default::default(),
        steps: Vec::new(),
        cancelled: false,
        unreachable: None,
    }
}

/// Which system a request goes to: the variable its URL starts with (`{{oktaOrgUrl}}`,
/// `{{SCIMUrl}}`: in the tests both are loopback servers, in a tester's setup they may share a
/// proxy), else the scheme, host and port it goes to.
fn system(template: &str, variables: &Variables) -> Option<String> {
    if let Some(rest) = template.trim_start().strip_prefix("{{")
        && let Some((name, _)) = rest.split_once("}}")
    {
        return Some(format!("{{{{{}}}}}", name.trim()));
    }
    render(template, variables)
        .ok()
        .and_then(|url| origin(&url))
}

/// The request before a pause: where it went and how it ended.
struct Before<'a> {
    system: &'a Option<String>,
    request: Option<&'a StepRecord>,
}

fn origin(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    Some(format!(
        "{}://{}:{}",
        parsed.scheme(),
        parsed.host_str()?,
        parsed.port_or_known_default()?
    ))
}

fn pause(
    position: usize,
    seconds: f64,
    skipped: bool,
    next: Option<&Request>,
    variables: &Variables,
    before: Before<'_>,
    context: &RunContext<'_>,
) -> (StepRecord, PollPlan) {
    let started = Instant::now();
    let mut record = StepRecord {
        position,
        note: String::new(),
        requirement: StepRequirement::Required,
        status: if skipped {
            StepStatus::Skipped
        } else {
            StepStatus::Pause
        },
        method: String::new(),
        url: String::new(),
        problems: Vec::new(),
        assertions: Vec::new(),
        attempts: Vec::new(),
        pause_seconds: Some(seconds),
        wait: None,
        variables_set: BTreeMap::new(),
        duration_ms: 0,
    };
    if skipped {
        return (record, PollPlan::Once);
    }
    let length = Duration::from_secs_f64(seconds);
    let next_system = next.and_then(|r| system(&r.url, variables));
    // A pause between requests to different systems waits for one to reach the other (Okta
    // provisioning into the app); between requests to the same app it only spaces them apart.
    let waits_for_another_system =
        next_system.is_some() && before.system.is_some() && next_system != *before.system;
    // Before a change, why the pause needs no waiting, if it does not.
    let needless = before.request.and_then(|r| needless_wait(r, length));
    let plan = if context.options.honour_pauses {
        context.cancel.sleep(length);
        record.wait = Some(format!("waited {seconds} s, as the file says"));
        PollPlan::Once
    } else if !waits_for_another_system {
        record.wait = Some("not waited: it only spaces requests to the same app apart".to_string());
        PollPlan::Once
    } else if next.is_some_and(|r| is_read(&r.method)) {
        let deadline = length
            .mul_f64(context.options.poll_factor)
            .max(context.options.min_poll);
        record.wait = Some(format!(
            "the next step is polled instead, for up to {} s",
            deadline.as_secs()
        ));
        PollPlan::Until(deadline)
    } else if let Some(why) = needless {
        record.wait = Some(format!("not waited: {why}"));
        PollPlan::Once
    } else {
        // Polling a request that changes something could repeat the change: wait as the file says.
        context.cancel.sleep(length);
        record.wait = Some(format!(
            "waited {seconds} s, as the file says (the next step changes something, so it is not polled)"
        ));
        PollPlan::Once
    };
    record.duration_ms = started.elapsed().as_millis() as u64;
    (record, plan)
}

/// Why a pause before a change needs no waiting, judged by the read just before it:
/// - its assertions all held: it already saw the state the pause gives time to reach (the CRUD
///   file's 40 s before the unassign follows the check that the reactivation reached the app);
/// - it was polled for longer than the pause: the file's time has already been given;
/// - it could not be sent (an earlier step failed to set what it needs): the app holds nothing
///   of this run to wait for.
fn needless_wait(read: &StepRecord, pause: Duration) -> Option<String> {
    if !is_read(&read.method) {
        return None;
    }
    let step = read.position;
    match read.status {
        StepStatus::Pass if !read.assertions.is_empty() => Some(format!(
            "step {step} just before it already saw what it waits for (its assertions held)"
        )),
        StepStatus::Fail | StepStatus::Warn
            if read.wait.is_some() && Duration::from_millis(read.duration_ms) >= pause =>
        {
            Some(format!(
                "step {step} just before it was already polled for {:.1} s, longer than the pause",
                read.duration_ms as f64 / 1000.0
            ))
        }
        StepStatus::NotRun if read.attempts.is_empty() => Some(format!(
            "step {step} just before it could not be sent, so nothing in the app is being waited for"
        )),
        _ => None,
    }
}

fn is_read(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

fn run_request(
    request: &Request,
    variables: &mut Variables,
    setters: &mut BTreeMap<String, (usize, String)>,
    plan: PollPlan,
    context: &RunContext<'_>,
    unreachable: &mut Option<String>,
    on_event: &mut dyn FnMut(RunEvent),
) -> StepRecord {
    let started = Instant::now();
    let mut record = StepRecord {
        position: request.position,
        note: request.note.clone(),
        requirement: match request.requirement {
            Requirement::Required => StepRequirement::Required,
            Requirement::Optional => StepRequirement::Optional,
        },
        status: StepStatus::Skipped,
        method: request.method.clone(),
        url: context.redact(&request.url),
        problems: Vec::new(),
        assertions: Vec::new(),
        attempts: Vec::new(),
        pause_seconds: None,
        wait: None,
        variables_set: BTreeMap::new(),
        duration_ms: 0,
    };
    if request.skipped {
        record.problems.push("skipped in the file".into());
        return record;
    }
    let missing = |name: String| match setters.get(&name) {
        Some((position, property)) => format!(
            "not run: {{{{{name}}}}} has no value: step {position} sets it from '{property}', which its response did not have"
        ),
        None => format!("not run: {{{{{name}}}}} has no value"),
    };
    let prepared = (|| -> Result<Prepared, String> {
        let url = render(&request.url, variables)?;
        let mut headers = Vec::new();
        for (name, value) in &request.headers {
            headers.push((render(name, variables)?, render(value, variables)?));
        }
        let body = match &request.body {
            Some(body) => Some(render(body, variables)?),
            None => None,
        };
        Ok(Prepared { url, headers, body })
    })();
    let Prepared { url, headers, body } = match prepared {
        Ok(parts) => parts,
        Err(name) => {
            record.status = StepStatus::NotRun;
            record.problems.push(missing(name));
            return record;
        }
    };
    record.url = context.redact(&url);
    let poll_until = match plan {
        PollPlan::Until(limit) => Some(started + limit),
        PollPlan::Once => None,
    };
    let mut interval = context.options.poll_interval;
    let mut number = 0u32;
    let (exchange, results, script_problem) = loop {
        number += 1;
        let deadline = Instant::now() + context.options.request_timeout;
        let exchange = context.client.send(
            &request.method,
            &url,
            &headers,
            body.as_deref(),
            deadline,
            context.cancel,
        );
        record
            .attempts
            .push(request_record(&exchange, &headers, context));
        if exchange.unreachable() {
            *unreachable = Some(context.redact(exchange.problem().unwrap_or("unreachable")));
        }
        let results = evaluate(request, &exchange, variables, &|t| context.redact(t));
        let script_problem = scripts(request, &exchange);
        let holds = results.iter().all(|r| r.passed) && script_problem.is_none();
        let retry = match poll_until {
            Some(until) if !holds && !exchange.unreachable() => {
                let now = Instant::now();
                (now + interval < until).then_some(interval)
            }
            _ => None,
        };
        let Some(wait) = retry else {
            break (exchange, results, script_problem);
        };
        let failing = results
            .iter()
            .find(|r| !r.passed)
            .map(|r| {
                format!(
                    "{}: expected {}, got {}",
                    r.describe(),
                    r.expected,
                    r.actual
                )
            })
            .or(script_problem.clone())
            .unwrap_or_default();
        on_event(RunEvent::Attempt {
            position: request.position,
            number,
            failing,
            retry_in: wait,
        });
        if !context.cancel.sleep(wait) {
            break (exchange, results, script_problem);
        }
        interval = (interval.mul_f64(1.5)).min(context.options.poll_interval * 5);
    };
    if poll_until.is_some() {
        record.wait = Some(format!(
            "polled {number} time(s) over {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    // Runscope sets variables from the response whether or not the assertions held.
    for extraction in &request.variables {
        setters.insert(
            extraction.name.clone(),
            (request.position, extraction.property.clone()),
        );
        let found = source_value(extraction.source, &extraction.property, &exchange);
        if let Some(value) = as_text(&found) {
            record
                .variables_set
                .insert(extraction.name.clone(), context.redact(&value));
            variables.insert(extraction.name.clone(), value);
        } else {
            variables.remove(&extraction.name);
        }
    }
    if let Some(error) = exchange.problem() {
        record.problems.push(context.redact(error));
    }
    match exchange.status {
        Some(429) => record.problems.push(
            "the app answered 429 Too Many Requests: Runscope sees the same, and scimplan does not retry".into(),
        ),
        Some(status) if status >= 500 => record.problems.push(format!(
            "the app answered {status}: Runscope sees the same, and scimplan does not retry"
        )),
        _ => {}
    }
    let holds = results.iter().all(|r| r.passed) && script_problem.is_none();
    if let Some(problem) = script_problem {
        record.problems.push(problem);
    }
    record.assertions = results;
    record.status = match (holds && exchange.status.is_some(), request.requirement) {
        (true, _) => StepStatus::Pass,
        (false, Requirement::Required) => StepStatus::Fail,
        (false, Requirement::Optional) => StepStatus::Warn,
    };
    if exchange.unreachable() {
        record.status = StepStatus::NotRun;
    }
    record.duration_ms = started.elapsed().as_millis() as u64;
    record
}

/// A request step with its templates filled in.
struct Prepared {
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// Scripts: the files' empty ones were dropped when reading; Okta's one real script is done
/// natively; any other is reported as not run, so the step cannot pass silently.
fn scripts(request: &Request, exchange: &Exchange) -> Option<String> {
    if let Some(first) = request.before_scripts.first() {
        return Some(format!(
            "script not run: a before-request script ({} characters); scimplan does not run JavaScript, so check this step in Runscope",
            first.len()
        ));
    }
    for text in &request.scripts {
        match script::native(text) {
            Some(check) => {
                if let Err(problem) = check(exchange) {
                    return Some(format!("script failed: {problem}"));
                }
            }
            None => {
                return Some(format!(
                    "script not run: a response script ({} characters) scimplan does not know; it does not run JavaScript, so check this step in Runscope",
                    text.len()
                ));
            }
        }
    }
    None
}

fn request_record(
    exchange: &Exchange,
    headers: &[(String, String)],
    context: &RunContext<'_>,
) -> RequestRecord {
    RequestRecord {
        method: exchange.method.clone(),
        url: context.redact(&exchange.url),
        status: exchange.status,
        duration_ms: exchange.duration.as_millis() as u64,
        request_headers: headers
            .iter()
            .map(|(name, value)| context.redact(&format!("{name}: {value}")))
            .collect(),
        request_body: exchange
            .request_body
            .as_deref()
            .map(|b| cut(&context.redact(b))),
        content_type: exchange.content_type.clone(),
        response_body: cut(&context.redact(&exchange.body)),
        error: exchange.problem().map(|e| context.redact(e)),
    }
}
