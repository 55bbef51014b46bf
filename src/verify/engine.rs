//! Runs a recipe: sends its requests, checks its assertions, and polls until every assertion
//! holds or the deadline passes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::assertions::{check, describe_non_json, encode_component, plain};
use super::cancel::CancelFlag;
use super::http::{Exchange, ScimClient};
use super::json_path::select;
use super::recipe::{Recipe, RecipeBook, RecipeStep, render, split_list};
use super::record::request_record;
use super::{VerifyError, VerifyEvent};
use crate::session::AuthScheme;
use crate::session::{
    AssertionRecord, RememberedValue, RunFailure, Verdict, VerifyRun, VerifyState,
};

/// Okta's CRUD suite waits up to a minute for the app; so does a check by default.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Everything a check needs, owned, so it can run on another thread.
#[derive(Debug, Clone)]
pub struct CheckJob {
    pub case: String,
    pub recipe: Recipe,
    /// Known inputs (required ones all present).
    pub inputs: BTreeMap<String, String>,
    /// Values remembered by earlier runs that the recipe uses.
    pub remembered: BTreeMap<String, String>,
    pub deadline: Duration,
}

impl CheckJob {
    /// Prepares the check of `case`, taking inputs from `subjects` (the session's, merged with
    /// any given now). Fails naming every missing input, or the case to verify first.
    pub fn prepare(
        book: &RecipeBook,
        case: &str,
        subjects: &BTreeMap<String, String>,
        remembered: &BTreeMap<String, RememberedValue>,
        deadline: Duration,
    ) -> Result<CheckJob, VerifyError> {
        let Some(recipe) = book.for_case(case) else {
            return Err(VerifyError::NoRecipe {
                case: case.to_string(),
                known: book.cases().collect::<Vec<_>>().join(", "),
            });
        };
        let missing: Vec<String> = recipe
            .inputs
            .iter()
            .filter(|name| subjects.get(*name).is_none_or(|v| v.trim().is_empty()))
            .map(|name| format!("--input {name}=... ({})", book.prompt(name)))
            .collect();
        if !missing.is_empty() {
            return Err(VerifyError::MissingInputs {
                case: case.to_string(),
                missing,
            });
        }
        let mut used = BTreeMap::new();
        for name in recipe.inputs.iter().chain(&recipe.optional) {
            if let Some(value) = subjects.get(name).filter(|v| !v.trim().is_empty()) {
                used.insert(name.clone(), value.trim().to_string());
            }
        }
        let mut earlier = BTreeMap::new();
        for name in &recipe.remembered {
            let Some(value) = remembered.get(name) else {
                return Err(VerifyError::NeedsEarlierCase {
                    case: case.to_string(),
                    name: name.clone(),
                    cases: book.rememberers(name).join(" or "),
                });
            };
            earlier.insert(name.clone(), value.value.clone());
        }
        Ok(CheckJob {
            case: case.to_string(),
            recipe: recipe.clone(),
            inputs: used,
            remembered: earlier,
            deadline,
        })
    }
}

/// Prepares every case of `cases` that has a recipe and whose inputs and remembered values
/// are known (for "verify everything"); the others come back with the reason.
pub fn prepare_all<'a>(
    book: &RecipeBook,
    cases: impl IntoIterator<Item = &'a str>,
    state: &VerifyState,
    deadline: Duration,
) -> (Vec<CheckJob>, Vec<VerifyError>) {
    let mut jobs = Vec::new();
    let mut not_ready = Vec::new();
    for case in cases {
        if book.for_case(case).is_none() {
            continue;
        }
        match CheckJob::prepare(book, case, &state.subjects, &state.remembered, deadline) {
            Ok(job) => jobs.push(job),
            Err(error) => not_ready.push(error),
        }
    }
    (jobs, not_ready)
}

/// What one pass over the recipe's steps found.
#[derive(Clone)]
struct Attempt {
    exchanges: Vec<Exchange>,
    assertions: Vec<AssertionRecord>,
    captured: BTreeMap<String, String>,
    /// Why polling cannot help (unreachable, credentials refused), and what to tell the tester.
    fatal: Option<(RunFailure, String)>,
}

impl Attempt {
    fn passed(&self) -> bool {
        self.fatal.is_none() && self.assertions.iter().all(|a| a.passed)
    }

    fn first_failure(&self) -> Option<String> {
        if let Some((_, message)) = &self.fatal {
            return Some(message.clone());
        }
        self.assertions.iter().find(|a| !a.passed).map(|a| {
            format!(
                "{}: {}: expected {}, got {}",
                a.step, a.check, a.expected, a.actual
            )
        })
    }
}

/// Runs `job` against the app until it passes, fails at the deadline, hits an error, or is
/// cancelled; reports each attempt through `on_event`.
pub fn run_check(
    client: &ScimClient,
    auth: &AuthScheme,
    job: &CheckJob,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(VerifyEvent),
) -> VerifyRun {
    let started_at = Utc::now();
    let started = Instant::now();
    let deadline = started + job.deadline;
    let mut backoff = FIRST_BACKOFF;
    let mut number = 0;
    // The last attempt whose requests all got complete answers: when the deadline cuts the
    // final attempt short, its findings say more than "no answer".
    let mut last_complete: Option<Attempt> = None;
    let (attempt, verdict) = loop {
        number += 1;
        let mut attempt = run_attempt(client, job, deadline, cancel);
        if attempt.exchanges.iter().any(Exchange::timed_out) {
            if let Some(previous) = &last_complete {
                attempt = previous.clone();
            }
        } else {
            last_complete = Some(attempt.clone());
        }
        let failed = attempt.assertions.iter().filter(|a| !a.passed).count();
        let remaining = deadline.saturating_duration_since(Instant::now());
        let verdict = if cancel.is_cancelled() {
            Some(Verdict::Cancelled)
        } else if attempt.fatal.is_some() {
            Some(Verdict::Error)
        } else if attempt.passed() {
            Some(Verdict::Pass)
        } else if remaining < Duration::from_millis(50) {
            Some(Verdict::Fail)
        } else {
            None
        };
        let wait = backoff.min(remaining);
        on_event(VerifyEvent::Attempt {
            case: job.case.clone(),
            number,
            passed: attempt.assertions.len() - failed,
            failed,
            first_failure: attempt.first_failure(),
            retry_in: verdict.is_none().then_some(wait),
        });
        if let Some(verdict) = verdict {
            break (attempt, verdict);
        }
        if !cancel.sleep(wait) {
            break (attempt, Verdict::Cancelled);
        }
        if deadline.saturating_duration_since(Instant::now()) < Duration::from_millis(50) {
            break (attempt, Verdict::Fail);
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    };
    let summary = match verdict {
        Verdict::Pass => format!(
            "all {} assertion(s) held ({} attempt(s))",
            attempt.assertions.len(),
            number
        ),
        Verdict::Cancelled => "cancelled by the tester".to_string(),
        Verdict::Fail => format!(
            "{} (still so after {:.1} s)",
            attempt.first_failure().unwrap_or_default(),
            started.elapsed().as_secs_f32()
        ),
        Verdict::Error => attempt.first_failure().unwrap_or_default(),
    };
    let auth_header = match auth {
        AuthScheme::Header { name } => name.clone(),
        _ => "Authorization".to_string(),
    };
    let secret = client.secret();
    let mut inputs = job.inputs.clone();
    inputs.extend(job.remembered.clone());
    VerifyRun {
        case: job.case.clone(),
        at: started_at,
        target: client.base_url().to_string(),
        verdict,
        summary: secret.redact(&summary),
        failure: match verdict {
            Verdict::Cancelled => Some(RunFailure::Cancelled),
            Verdict::Error => attempt.fatal.as_ref().map(|(failure, _)| failure.clone()),
            Verdict::Pass | Verdict::Fail => None,
        },
        attempts: number,
        duration_ms: started.elapsed().as_millis() as u64,
        inputs,
        requests: attempt
            .exchanges
            .iter()
            .map(|e| request_record(e, &auth_header, secret))
            .collect(),
        assertions: attempt.assertions,
        captured: attempt.captured,
        okta: None,
        remember: job.recipe.remember.clone(),
    }
}

fn run_attempt(
    client: &ScimClient,
    job: &CheckJob,
    deadline: Instant,
    cancel: &CancelFlag,
) -> Attempt {
    let mut attempt = Attempt {
        exchanges: Vec::new(),
        assertions: Vec::new(),
        captured: BTreeMap::new(),
        fatal: None,
    };
    let steps = &job.recipe.steps;
    let mut i = 0;
    while i < steps.len() && attempt.fatal.is_none() && !cancel.is_cancelled() {
        let Some(list) = &steps[i].for_each else {
            run_step(client, job, &steps[i], None, deadline, cancel, &mut attempt);
            i += 1;
            continue;
        };
        let end = (i..steps.len())
            .find(|j| steps[*j].for_each.as_ref() != Some(list))
            .unwrap_or(steps.len());
        let items = split_list(job.inputs.get(list).map(String::as_str).unwrap_or(""));
        for item in &items {
            for step in &steps[i..end] {
                if attempt.fatal.is_none() {
                    run_step(
                        client,
                        job,
                        step,
                        Some(item),
                        deadline,
                        cancel,
                        &mut attempt,
                    );
                }
            }
        }
        i = end;
    }
    attempt
}

fn lookup<'a>(
    job: &'a CheckJob,
    captured: &'a BTreeMap<String, String>,
    item: Option<&'a str>,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name: &str| {
        if name == "item" {
            return item.map(str::to_string);
        }
        captured
            .get(name)
            .or_else(|| job.inputs.get(name))
            .or_else(|| job.remembered.get(name))
            .cloned()
    }
}

fn run_step(
    client: &ScimClient,
    job: &CheckJob,
    step: &RecipeStep,
    item: Option<&str>,
    deadline: Instant,
    cancel: &CancelFlag,
    attempt: &mut Attempt,
) {
    let label = match item {
        Some(item) => format!("{} ({item})", step.name),
        None => step.name.clone(),
    };
    let request = {
        let values = lookup(job, &attempt.captured, item);
        let encoded = |name: &str| values(name).map(|v| encode_component(&v));
        // Query values sit inside SCIM filter strings: escape their quotes (RFC 7644 §3.4.2.2).
        let quoted =
            |name: &str| values(name).map(|v| v.replace('\\', "\\\\").replace('"', "\\\""));
        render(&step.path, &encoded).and_then(|path| {
            let mut query = Vec::new();
            for (key, template) in &step.query {
                query.push(format!(
                    "{}={}",
                    encode_component(key),
                    encode_component(&render(template, &quoted)?)
                ));
            }
            Ok(if query.is_empty() {
                path
            } else {
                format!("{path}?{}", query.join("&"))
            })
        })
    };
    let path = match request {
        Ok(path) => path,
        Err(name) => {
            attempt.assertions.push(AssertionRecord {
                step: label,
                check: "request".into(),
                expected: format!("a value for {{{{{name}}}}}"),
                actual: "none: an earlier step found nothing to capture".into(),
                passed: false,
            });
            return;
        }
    };
    let exchanges = client.send(&step.method, &path, None, deadline, cancel);
    let Some(answer) = exchanges.last().cloned() else {
        return;
    };
    attempt.exchanges.extend(exchanges);
    if answer.unreachable() {
        attempt.fatal = Some((
            RunFailure::Unreachable,
            format!("{label}: {}", answer.problem().unwrap_or_default()),
        ));
        return;
    }
    if let Some(status @ (401 | 403)) = answer.status {
        // Name the variable this scheme reads: Basic reads the password, not the token.
        let secret_env = client.auth().secret_env();
        attempt.fatal = Some((
            RunFailure::CredentialsRefused {
                status,
                secret_env: secret_env.to_string(),
            },
            format!(
                "{label}: the app refused the credentials ({status}). Check the secret in {secret_env} (or the one typed) and the auth scheme set by `scimplan connect`."
            ),
        ));
        return;
    }
    if let Some(json) = &answer.json {
        for (name, path) in &step.capture {
            if let Ok(values) = select(json, path)
                && let Some(first) = values.first()
            {
                attempt.captured.insert(name.clone(), plain(first));
            }
        }
    }
    let values = lookup(job, &attempt.captured, item);
    if answer.status.is_none() {
        // No answer: one record says so, rather than one per assertion.
        attempt.assertions.push(AssertionRecord {
            step: label,
            check: "answer".into(),
            expected: "an answer".into(),
            actual: describe_non_json(&answer),
            passed: false,
        });
        return;
    }
    let mut json_reported = false;
    for assertion in &step.expect {
        if let Some(when) = &assertion.when
            && !job.inputs.contains_key(when)
        {
            continue;
        }
        let is_body_check = assertion.status.is_none();
        if is_body_check && answer.json.is_none() {
            if json_reported {
                continue;
            }
            json_reported = true;
        }
        attempt
            .assertions
            .push(check(assertion, &answer, &values, &label));
    }
}
