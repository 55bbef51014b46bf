//! Runs a Runscope test file step by step, as Runscope would: the same requests (the headers a
//! step names, plus the `User-Agent` Runscope sends when a step names none), each step's
//! before-request scripts, then the request, its variables, its response scripts and its
//! assertions in Runscope's documented order, variables carried from step to step.
//!
//! Where scimplan goes faster than Runscope, and how the verdict stays Runscope's:
//! - a pause that waits for Okta's asynchronous provisioning becomes polling of the step after
//!   it (until its assertions hold or a deadline), or is skipped when the step just before it
//!   already saw that state (a change comes next, which cannot be repeated to poll it); the
//!   step after a pause is not polled when the request it waits for was never sent or was
//!   refused (nothing is coming);
//! - a change sent to one system after reads of another (Okta's actions in the CRUD file) is
//!   never sent sooner after the previous change to that system than Runscope would send it,
//!   unless the reads in between saw the previous change's effect;
//! - a pause that only spaces requests to the same app is not waited; a step that then fails
//!   and changed nothing (a read, or a refusal) is sent again with the pause waited in full, and
//!   that attempt is its verdict (`confirmation` says so). Failures that cannot be confirmed that
//!   way are found by `unconfirmed_failure`, for the caller to run the whole file again with
//!   every pause waited.
//!
//! No request is retried silently: a 429 or a 5xx is what the file sees.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::compare::as_text;
use super::evaluate::{evaluate, source_value};
use super::export::{Request, Requirement, Step, TestFile};
use super::script::{self, ScriptInput, ScriptRequest};
use super::template::{Variables, names, render};
use crate::net::{CancelFlag, Exchange, PlainClient, REQUEST_TIMEOUT, Secret, cut};
use crate::session::{FileRef, FileRun, RequestRecord, StepRecord, StepRequirement, StepStatus};

/// The `User-Agent` a step is sent with when it names none, as Runscope sends one of its own
/// (its documentation names no string; its requests are seen with this one).
pub const RUNSCOPE_USER_AGENT: &str = "Runscope/1.0";

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
    /// A step that fails right after a pause scimplan did not wait is sent again with the pause
    /// waited, when it changed nothing the first time.
    pub confirm: bool,
    /// How long one request may take (Okta gives up after 60 s).
    pub request_timeout: Duration,
    /// Credentials checked where the file first uses them: a 401 or 403 there stops the run.
    pub credentials: Vec<Credential>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            poll_factor: 3.0,
            min_poll: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            honour_pauses: false,
            confirm: true,
            request_timeout: REQUEST_TIMEOUT,
            credentials: Vec::new(),
        }
    }
}

/// A credential the file carries in a variable, and where the tester sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// The variable a step's header uses (`auth`, `oktaToken`).
    pub variable: String,
    /// What the tester sets (`SCIMPLAN_SCIM_TOKEN`).
    pub source: String,
    /// What it signs in to, for the message (`the app's SCIM API`).
    pub system: String,
}

impl Credential {
    /// Whether `request` carries this credential in one of its headers.
    pub fn used_by(&self, request: &Request) -> bool {
        request
            .headers
            .iter()
            .any(|(_, value)| names(value).contains(&self.variable))
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

/// The pause just before a request, when scimplan did not wait it in full and the request may
/// be confirmed by waiting it.
#[derive(Debug, Clone, Copy)]
struct Shortened {
    position: usize,
    seconds: f64,
}

/// The last change sent to a system: when, at which step index, and whether every read of
/// another system since then saw its effect.
struct Change {
    at: Instant,
    index: usize,
    position: usize,
    seen: bool,
}

/// Runs `file` from the `initial` variables. Stops early when cancelled, when the app cannot be
/// reached at all, or when a credential is refused where it is first used; everything done until
/// then is in the result.
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
    let mut shortened: Option<Shortened> = None;
    // The system the previous request went to, and that request as it ended.
    let mut last_system: Option<String> = None;
    let mut last_request: Option<StepRecord> = None;
    let mut changes: HashMap<String, Change> = HashMap::new();
    let mut checked: BTreeSet<String> = BTreeSet::new();
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
                let (record, next_plan, confirmable) = pause(
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
                shortened = confirmable.then_some(Shortened {
                    position: index + 1,
                    seconds: *seconds,
                });
                record
            }
            Step::Request(request) => {
                let this_system = system(&request.url, &variables);
                let spacing = if request.skipped || is_read(&request.method) {
                    None
                } else {
                    this_system
                        .as_ref()
                        .and_then(|s| changes.get(s))
                        .filter(|change| !change.seen && !context.options.honour_pauses)
                        .map(|change| {
                            let gap: f64 = pauses_between(file, change.index, index);
                            (
                                change.at + Duration::from_secs_f64(gap),
                                change.position,
                                gap,
                            )
                        })
                };
                // Only a wait still to come is waited (and said).
                let spacing = spacing.filter(|(until, _, _)| *until > Instant::now());
                if let Some((until, _, _)) = spacing {
                    context
                        .cancel
                        .sleep(until.saturating_duration_since(Instant::now()));
                    if context.cancel.is_cancelled() {
                        run.cancelled = true;
                        break;
                    }
                }
                let sent_at = Instant::now();
                let checks: Vec<&Credential> = context
                    .options
                    .credentials
                    .iter()
                    .filter(|c| !checked.contains(&c.variable) && c.used_by(request))
                    .collect();
                let mut record = run_request(
                    request,
                    &mut variables,
                    &mut setters,
                    Pending {
                        plan,
                        shortened: shortened.filter(|_| matches!(plan, PollPlan::Once)),
                    },
                    context,
                    &mut run.unreachable,
                    on_event,
                );
                if let Some((_, position, gap)) = spacing {
                    record.wait = Some(format!(
                        "sent {gap} s after step {position}, as Runscope sends it: the reads since then did not see step {position}'s effect"
                    ));
                }
                plan = PollPlan::Once;
                shortened = None;
                if !request.skipped && record.status != StepStatus::NotRun {
                    for credential in checks {
                        checked.insert(credential.variable.clone());
                        let status = record.attempts.last().and_then(|a| a.status);
                        if let Some(status @ (401 | 403)) = status {
                            run.refused = Some(format!(
                                "{} answered {status} to the credential in {{{{{}}}}} (step {}): {} refused it. Check {}; nothing else was sent.",
                                request.method,
                                credential.variable,
                                request.position,
                                credential.system,
                                credential.source
                            ));
                        }
                    }
                }
                if !request.skipped
                    && record.status != StepStatus::NotRun
                    && let Some(system) = &this_system
                {
                    for (other, change) in changes.iter_mut() {
                        if other != system && is_read(&request.method) {
                            change.seen &= record.status == StepStatus::Pass;
                        }
                    }
                    if !is_read(&request.method) {
                        changes.insert(
                            system.clone(),
                            Change {
                                at: sent_at,
                                index,
                                position: request.position,
                                seen: true,
                            },
                        );
                    }
                }
                last_system = this_system;
                if !request.skipped {
                    last_request = Some(record.clone());
                }
                record
            }
        };
        on_event(RunEvent::Step(Box::new(record.clone())));
        run.steps.push(record);
        if run.unreachable.is_some() || run.refused.is_some() {
            break;
        }
    }
    if context.cancel.is_cancelled() {
        run.cancelled = true;
    }
    run.duration_ms = started.elapsed().as_millis() as u64;
    run
}

/// The seconds of the pauses between two step indexes (exclusive), as Runscope waits them.
fn pauses_between(file: &TestFile, from: usize, to: usize) -> f64 {
    file.steps[from + 1..to]
        .iter()
        .map(|s| match s {
            Step::Pause {
                seconds,
                skipped: false,
            } => *seconds,
            _ => 0.0,
        })
        .sum()
}

/// The file's longest pause, in seconds: how long a whole-file run again first lets the app
/// settle, so it meets the app as a run of its own would (not right after the first run's
/// requests).
pub fn longest_pause(file: &TestFile) -> f64 {
    file.steps
        .iter()
        .map(|s| match s {
            Step::Pause {
                seconds,
                skipped: false,
            } => *seconds,
            _ => 0.0,
        })
        .fold(0.0, f64::max)
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
        refused: None,
        notes: Vec::new(),
    }
}

/// Why `run` may not be Runscope's verdict: a required step failed after a pause scimplan did
/// not wait in full, and was not confirmed with that pause waited (a change that took effect
/// cannot be sent again; a read after polling depends on the change before it, sent sooner than
/// Runscope sends it). The caller then runs the whole file again with every pause waited.
/// A failure explained without timing is not one: the request the step waited for was never
/// sent, or was refused (other than 429 or 503).
pub fn unconfirmed_failure(run: &FileRun) -> Option<String> {
    let mut shortened_before: Option<usize> = None;
    let mut last_request: Option<&StepRecord> = None;
    let mut trigger: Option<&StepRecord> = None;
    let mut after_pause = false;
    for step in &run.steps {
        if step.status == StepStatus::Pause {
            let full = (step.pause_seconds.unwrap_or_default() * 1000.0) as u64;
            if step.duration_ms + 20 < full && shortened_before.is_none() {
                shortened_before = Some(step.position);
            }
            trigger = last_request;
            after_pause = true;
            continue;
        }
        if step.status == StepStatus::Skipped {
            continue;
        }
        // Refused for what it is (malformed, not signed in, not allowed): waiting changes
        // nothing; or the request it waited for never came.
        let refused = step
            .attempts
            .last()
            .and_then(|a| a.status)
            .is_some_and(|s| matches!(s, 400 | 401 | 403));
        let explained = refused
            || after_pause
                && trigger.is_some_and(|t| origin(&t.url) != origin(&step.url) && never_came(t));
        if step.status == StepStatus::Fail
            && step.requirement == StepRequirement::Required
            && step.confirmation.is_none()
            && !explained
            && let Some(pause) = shortened_before
        {
            return Some(format!(
                "step {} failed after scimplan shortened the pauses from step {pause} on ({})",
                step.position,
                if step
                    .wait
                    .as_deref()
                    .is_some_and(|w| w.starts_with("polled"))
                {
                    "it was polled, and the changes before it were sent sooner than Runscope sends them"
                } else {
                    "it may have changed the app, so it cannot be sent again alone"
                }
            ));
        }
        after_pause = false;
        last_request = Some(step);
    }
    None
}

/// The request a step waited for never came to the app: it was not sent, or was refused (a 429
/// or a 503 says "later", which waiting could change).
fn never_came(trigger: &StepRecord) -> bool {
    match trigger.status {
        StepStatus::NotRun => trigger.attempts.is_empty(),
        StepStatus::Fail | StepStatus::Warn => trigger
            .attempts
            .last()
            .and_then(|a| a.status)
            .is_some_and(|s| (400..600).contains(&s) && s != 429 && s != 503),
        _ => false,
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
) -> (StepRecord, PollPlan, bool) {
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
        log: Vec::new(),
        confirmation: None,
        duration_ms: 0,
    };
    if skipped {
        return (record, PollPlan::Once, false);
    }
    let length = Duration::from_secs_f64(seconds);
    let next_system = next.and_then(|r| system(&r.url, variables));
    // A pause between requests to different systems waits for one to reach the other (Okta
    // provisioning into the app); between requests to the same app it only spaces them apart.
    let waits_for_another_system =
        next_system.is_some() && before.system.is_some() && next_system != *before.system;
    // Before a change, why the pause needs no waiting, if it does not.
    let needless = before.request.and_then(|r| needless_wait(r, length));
    // Whether a failure of the next step can be confirmed by waiting this pause then.
    let mut confirmable = false;
    let plan = if context.options.honour_pauses {
        context.cancel.sleep(length);
        record.wait = Some(format!("waited {seconds} s, as the file says"));
        PollPlan::Once
    } else if !waits_for_another_system {
        record.wait = Some("not waited: it only spaces requests to the same app apart".to_string());
        confirmable = true;
        PollPlan::Once
    } else if let Some(trigger) = before.request.filter(|r| never_came(r)) {
        record.wait = Some(format!(
            "not waited, and the next step is sent once: step {} {}, so nothing is coming to wait for",
            trigger.position,
            if trigger.attempts.is_empty() {
                "was never sent".to_string()
            } else {
                format!(
                    "was refused ({})",
                    trigger
                        .attempts
                        .last()
                        .and_then(|a| a.status)
                        .unwrap_or_default()
                )
            }
        ));
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
        confirmable = true;
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
    (record, plan, confirmable)
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

/// What the pause before a request left for it to do.
struct Pending {
    plan: PollPlan,
    shortened: Option<Shortened>,
}

/// One attempt at a step, judged.
struct Attempt {
    exchange: Exchange,
    /// The variables as they stand after this attempt's extractions and scripts.
    variables: Variables,
    set: BTreeMap<String, String>,
    results: Vec<crate::session::AssertionResult>,
    script_problems: Vec<String>,
    log: Vec<String>,
}

impl Attempt {
    fn holds(&self) -> bool {
        self.exchange.status.is_some()
            && self.results.iter().all(|r| r.passed)
            && self.script_problems.is_empty()
    }

    fn failing(&self) -> String {
        self.results
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
            .or_else(|| self.script_problems.first().cloned())
            .or_else(|| self.exchange.problem().map(str::to_string))
            .unwrap_or_default()
    }

    /// Whether this failed attempt cannot have changed the app: a read, or an answer that
    /// refused the request (a 4xx, a 429, a 503) or none at all.
    fn changed_nothing(&self) -> bool {
        is_read(&self.exchange.method)
            || match self.exchange.status {
                Some(status) => (400..500).contains(&status) || status == 503,
                None => true,
            }
    }
}

fn run_request(
    request: &Request,
    variables: &mut Variables,
    setters: &mut BTreeMap<String, (usize, String)>,
    pending: Pending,
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
        log: Vec::new(),
        confirmation: None,
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
    let prepared = match prepare(request, variables) {
        Ok(prepared) => prepared,
        Err(name) => {
            record.status = StepStatus::NotRun;
            record.problems.push(missing(name));
            return record;
        }
    };
    // Before-request scripts may change the request (Runscope: after the variables are filled
    // in, before it is sent).
    let mut prepared = prepared;
    for (i, text) in request.before_scripts.iter().enumerate() {
        let label = script_label("before-request script", i, request.before_scripts.len());
        let outcome = script::run(
            text,
            &label,
            &ScriptInput {
                variables,
                request: Some(&prepared),
                response: None,
            },
        );
        keep_log(&mut record.log, &outcome.log, context);
        for (name, value) in &outcome.set {
            record
                .variables_set
                .insert(name.clone(), context.redact(value));
            variables.insert(name.clone(), value.clone());
        }
        if let Some(changed) = outcome.request {
            prepared = changed;
        }
        if let Some(error) = outcome.error {
            record.status = StepStatus::NotRun;
            record.problems.push(format!(
                "not sent: {label}, {}",
                context.redact(&error.describe())
            ));
            return record;
        }
    }
    record.url = context.redact(&prepared.url);
    let poll_until = match pending.plan {
        PollPlan::Until(limit) => Some(started + limit),
        PollPlan::Once => None,
    };
    let mut interval = context.options.poll_interval;
    let mut number = 0u32;
    let mut attempt = loop {
        number += 1;
        let attempt = attempt(request, &prepared, variables, context, &mut record);
        if attempt.exchange.unreachable() {
            *unreachable =
                Some(context.redact(attempt.exchange.problem().unwrap_or("unreachable")));
        }
        // A 429 asks for a wait: polling honours it.
        let wanted = attempt
            .exchange
            .retry_after
            .filter(|_| attempt.exchange.status == Some(429))
            .map_or(interval, |after| after.max(interval));
        let retry = match poll_until {
            Some(until) if !attempt.holds() && !attempt.exchange.unreachable() => {
                (Instant::now() + wanted < until).then_some(wanted)
            }
            _ => None,
        };
        let Some(wait) = retry else {
            break attempt;
        };
        on_event(RunEvent::Attempt {
            position: request.position,
            number,
            failing: context.redact(&attempt.failing()),
            retry_in: wait,
        });
        if !context.cancel.sleep(wait) {
            break attempt;
        }
        interval = (interval.mul_f64(1.5)).min(context.options.poll_interval * 5);
    };
    if poll_until.is_some() {
        record.wait = Some(format!(
            "polled {number} time(s) over {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    // Confirmation: a failure right after a pause scimplan did not wait, by a request that
    // changed nothing, is sent again with the pause waited in full; Runscope's timing decides.
    if let Some(pause) = pending.shortened
        && context.options.confirm
        && !context.options.honour_pauses
        && !attempt.holds()
        && !attempt.exchange.unreachable()
        && attempt.changed_nothing()
        && !context.cancel.is_cancelled()
    {
        let first = context.redact(&attempt.failing());
        context.cancel.sleep(Duration::from_secs_f64(pause.seconds));
        if !context.cancel.is_cancelled() {
            attempt = self::attempt(request, &prepared, variables, context, &mut record);
            record.confirmation = Some(if attempt.holds() {
                format!(
                    "failed without the {} s pause (step {}): {first}; passed with the pause waited, as Runscope waits it",
                    pause.seconds, pause.position
                )
            } else {
                format!(
                    "failed after a shortened pause; confirmed with the {} s pause (step {}) waited",
                    pause.seconds, pause.position
                )
            });
        }
    }
    keep_log(&mut record.log, &attempt.log, context);
    // Runscope sets variables from the response whether or not the assertions held.
    for extraction in &request.variables {
        setters.insert(
            extraction.name.clone(),
            (request.position, extraction.property.clone()),
        );
    }
    *variables = attempt.variables.clone();
    for (name, value) in &attempt.set {
        record
            .variables_set
            .insert(name.clone(), context.redact(value));
    }
    let exchange = &attempt.exchange;
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
    let holds = attempt.holds();
    record
        .problems
        .extend(attempt.script_problems.iter().cloned());
    record.assertions = attempt.results;
    record.status = match (holds, request.requirement) {
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

/// Sends the step once and judges the answer in Runscope's order: the step's variables, then
/// its response scripts, then its assertions (which see what both set).
fn attempt(
    request: &Request,
    prepared: &ScriptRequest,
    variables: &Variables,
    context: &RunContext<'_>,
    record: &mut StepRecord,
) -> Attempt {
    let deadline = Instant::now() + context.options.request_timeout;
    let exchange = context.client.send(
        &prepared.method,
        &prepared.url,
        &prepared.headers,
        prepared.body.as_deref(),
        deadline,
        context.cancel,
    );
    record
        .attempts
        .push(request_record(&exchange, &prepared.headers, context));
    let mut scratch = variables.clone();
    let mut set = BTreeMap::new();
    for extraction in &request.variables {
        let found = source_value(extraction.source, &extraction.property, &exchange);
        if let Some(value) = as_text(&found) {
            set.insert(extraction.name.clone(), value.clone());
            scratch.insert(extraction.name.clone(), value);
        } else {
            scratch.remove(&extraction.name);
        }
    }
    let mut script_problems = Vec::new();
    let mut log = Vec::new();
    if exchange.status.is_some() {
        for (i, text) in request.scripts.iter().enumerate() {
            let label = script_label("response script", i, request.scripts.len());
            let outcome = script::run(
                text,
                &label,
                &ScriptInput {
                    variables: &scratch,
                    request: Some(prepared),
                    response: Some(&exchange),
                },
            );
            log.extend(outcome.log);
            for (name, value) in outcome.set {
                scratch.insert(name.clone(), value.clone());
                set.insert(name, value);
            }
            if let Some(error) = outcome.error {
                script_problems
                    .push(context.redact(&format!("{label} failed, {}", error.describe())));
            }
        }
    }
    let results = evaluate(request, &exchange, &scratch, &|t| context.redact(t));
    Attempt {
        exchange,
        variables: scratch,
        set,
        results,
        script_problems,
        log,
    }
}

/// A step keeps this many lines of its scripts' log, each cut to `LOG_LINE` characters: a
/// script logging in a loop must not swell the session.
const LOG_LINES: usize = 200;
const LOG_LINE: usize = 2000;

fn keep_log(log: &mut Vec<String>, lines: &[String], context: &RunContext<'_>) {
    for line in lines {
        if log.len() == LOG_LINES {
            log.push(format!(
                "… the script logged more; only the first {LOG_LINES} lines are kept"
            ));
        }
        if log.len() > LOG_LINES {
            return;
        }
        let mut line = context.redact(line);
        if line.chars().count() > LOG_LINE {
            line = format!("{}…", line.chars().take(LOG_LINE).collect::<String>());
        }
        log.push(line);
    }
}

/// `response script` (the only one), or `response script 2`.
fn script_label(kind: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{kind} {}", index + 1)
    } else {
        kind.to_string()
    }
}

/// The request a step describes, its templates filled in, with Runscope's `User-Agent` when it
/// names none. The error is the first variable without a value.
fn prepare(request: &Request, variables: &Variables) -> Result<ScriptRequest, String> {
    let url = render(&request.url, variables)?;
    let mut headers = Vec::new();
    for (name, value) in &request.headers {
        headers.push((render(name, variables)?, render(value, variables)?));
    }
    if !headers
        .iter()
        .any(|(name, _)| name.trim().eq_ignore_ascii_case("user-agent"))
    {
        headers.push(("User-Agent".to_string(), RUNSCOPE_USER_AGENT.to_string()));
    }
    let body = match &request.body {
        Some(body) => Some(render(body, variables)?),
        None => None,
    };
    Ok(ScriptRequest {
        method: request.method.clone(),
        url,
        headers,
        body,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn step(position: usize, status: StepStatus, url: &str, answer: Option<u16>) -> StepRecord {
        StepRecord {
            position,
            note: String::new(),
            requirement: StepRequirement::Required,
            status,
            method: "GET".into(),
            url: url.into(),
            problems: Vec::new(),
            assertions: Vec::new(),
            attempts: answer
                .map(|status| RequestRecord {
                    method: "GET".into(),
                    url: url.into(),
                    status: Some(status),
                    duration_ms: 1,
                    request_headers: Vec::new(),
                    request_body: None,
                    content_type: None,
                    response_body: String::new(),
                    error: None,
                })
                .into_iter()
                .collect(),
            pause_seconds: None,
            wait: None,
            variables_set: BTreeMap::new(),
            log: Vec::new(),
            confirmation: None,
            duration_ms: 1,
        }
    }

    fn pause(position: usize, seconds: f64, waited_ms: u64) -> StepRecord {
        StepRecord {
            pause_seconds: Some(seconds),
            duration_ms: waited_ms,
            ..step(position, StepStatus::Pause, "", None)
        }
    }

    fn run(steps: Vec<StepRecord>) -> FileRun {
        let file = TestFile {
            name: "t".into(),
            path: "t.json".into(),
            sha256: String::new(),
            steps: Vec::new(),
        };
        FileRun {
            steps,
            ..empty_run(&file, "t")
        }
    }

    const OKTA: &str = "http://127.0.0.1:1/api/v1/users";
    const APP: &str = "http://127.0.0.1:2/scim/v2/Users";

    #[test]
    fn a_failure_after_a_shortened_pause_needs_the_whole_file_unless_explained() {
        // Failed after a pause not waited: unconfirmed.
        let failed = run(vec![
            step(1, StepStatus::Pass, OKTA, Some(200)),
            pause(2, 5.0, 0),
            step(3, StepStatus::Fail, APP, Some(200)),
        ]);
        let why = unconfirmed_failure(&failed).unwrap();
        assert!(why.starts_with("step 3 failed after scimplan shortened the pauses from step 2"));
        // The same with the pause waited in full: Runscope's timing, nothing to confirm.
        let waited = run(vec![
            step(1, StepStatus::Pass, OKTA, Some(200)),
            pause(2, 5.0, 5000),
            step(3, StepStatus::Fail, APP, Some(200)),
        ]);
        assert_eq!(unconfirmed_failure(&waited), None);
        // Confirmed already by waiting its pause.
        let mut confirmed = failed.clone();
        confirmed.steps[2].confirmation = Some("confirmed".into());
        assert_eq!(unconfirmed_failure(&confirmed), None);
        // Refused for what it is (403), or waiting for a change Okta refused (400).
        let forbidden = run(vec![
            step(1, StepStatus::Pass, OKTA, Some(200)),
            pause(2, 5.0, 0),
            step(3, StepStatus::Fail, APP, Some(403)),
        ]);
        assert_eq!(unconfirmed_failure(&forbidden), None);
        let never_came = run(vec![
            step(1, StepStatus::Fail, OKTA, Some(400)),
            pause(2, 5.0, 0),
            step(3, StepStatus::Fail, APP, Some(200)),
        ]);
        assert_eq!(unconfirmed_failure(&never_came), None);
        // A 429 from Okta says "later": waiting could change it.
        let later = run(vec![
            step(1, StepStatus::Fail, OKTA, Some(429)),
            pause(2, 5.0, 0),
            step(3, StepStatus::Fail, APP, Some(200)),
        ]);
        assert!(unconfirmed_failure(&later).is_some());
        // An optional step's failure never changes the verdict.
        let mut optional = failed;
        optional.steps[2].requirement = StepRequirement::Optional;
        optional.steps[2].status = StepStatus::Warn;
        assert_eq!(unconfirmed_failure(&optional), None);
    }
}
