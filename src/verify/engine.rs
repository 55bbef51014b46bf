//! Runs a recipe: its steps in order (see `step`), polled until every assertion holds or the
//! deadline passes; and a recipe's `before` steps when the tester starts a case. Nothing here
//! is specific to the SCIM side beyond the client, so Okta-side steps can run the same way.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::VerifyEvent;
use super::cancel::CancelFlag;
use super::http::ScimClient;
use super::job::CheckJob;
use super::recipe::{RecipeStep, split_list};
use super::record::request_record;
use super::step::{Attempt, Context, run_step};
use crate::session::{AuthScheme, CaseStart, RunFailure, Verdict, VerifyRun};

/// Okta's CRUD suite waits up to a minute for the app; so does a check by default.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

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

    /// No request of this attempt got an answer before the deadline.
    fn unanswered(&self) -> bool {
        !self.exchanges.is_empty() && self.exchanges.iter().all(|e| e.status.is_none())
    }
}

/// Runs `job` against the app until it passes, fails at the deadline, hits an error, or is
/// cancelled; reports each attempt through `on_event`. An app that cannot be reached, refuses
/// the credentials, or never answers before the deadline gives an error, not a verdict.
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
    let known = |name: &str| {
        job.inputs
            .get(name)
            .or_else(|| job.remembered.get(name))
            .cloned()
    };
    let ctx = Context {
        client,
        deadline,
        cancel,
        known: &known,
    };
    let mut backoff = FIRST_BACKOFF;
    let mut number = 0;
    // The last attempt whose requests all got complete answers: when the deadline cuts the
    // final attempt short, its findings say more than "no answer".
    let mut last_complete: Option<Attempt> = None;
    let (attempt, verdict) = loop {
        number += 1;
        let mut attempt = run_steps(&ctx, &job.recipe.steps);
        if attempt.exchanges.iter().any(|e| e.timed_out()) {
            if let Some(previous) = &last_complete {
                attempt = previous.clone();
            }
        } else {
            last_complete = Some(attempt.clone());
        }
        let failed = attempt.assertions.iter().filter(|a| !a.passed).count();
        let remaining = deadline.saturating_duration_since(Instant::now());
        let out_of_time = job.single_attempt || remaining < Duration::from_millis(50);
        let verdict = if cancel.is_cancelled() {
            Some(Verdict::Cancelled)
        } else if attempt.fatal.is_some() {
            Some(Verdict::Error)
        } else if attempt.passed() {
            Some(Verdict::Pass)
        } else if out_of_time {
            Some(final_verdict(&attempt))
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
            let verdict = final_verdict(&attempt);
            break (attempt, verdict);
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    };
    let elapsed = started.elapsed().as_secs_f32();
    let summary = match verdict {
        Verdict::Pass => format!(
            "all {} assertion(s) held ({} attempt(s))",
            attempt.assertions.len(),
            number
        ),
        Verdict::Cancelled => "cancelled by the tester".to_string(),
        Verdict::Fail => format!(
            "{} (still so after {elapsed:.1} s)",
            attempt.first_failure().unwrap_or_default(),
        ),
        Verdict::Error if attempt.fatal.is_none() => format!(
            "the app did not answer within {elapsed:.1} s: {}",
            attempt.first_failure().unwrap_or_default()
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
            Verdict::Error => Some(
                attempt
                    .fatal
                    .as_ref()
                    .map_or(RunFailure::TimedOut, |(failure, _)| failure.clone()),
            ),
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
        outcome_left: None,
        remember: job.recipe.remember.clone(),
        subject: job.subject.clone(),
        steps_done: job.steps_done,
    }
}

/// At the deadline: a fail when the app answered and the answer was wrong; an error when it
/// never answered (a hung app is reported like an unreachable one).
fn final_verdict(attempt: &Attempt) -> Verdict {
    if attempt.unanswered() {
        Verdict::Error
    } else {
        Verdict::Fail
    }
}

/// One pass over `steps`. Consecutive steps over the same list run together for each value.
fn run_steps(ctx: &Context, steps: &[RecipeStep]) -> Attempt {
    let mut attempt = Attempt::default();
    let mut i = 0;
    while i < steps.len() && attempt.fatal.is_none() && !ctx.cancel.is_cancelled() {
        let Some(list) = &steps[i].for_each else {
            run_step(ctx, &steps[i], None, &mut attempt);
            i += 1;
            continue;
        };
        let end = (i..steps.len())
            .find(|j| steps[*j].for_each.as_ref() != Some(list))
            .unwrap_or(steps.len());
        let items = split_list(&(ctx.known)(list).unwrap_or_default());
        for item in &items {
            for step in &steps[i..end] {
                if attempt.fatal.is_none() {
                    run_step(ctx, step, Some(item), &mut attempt);
                }
            }
        }
        i = end;
    }
    attempt
}

/// What starting a case observed: stored in the session when every `before` assertion held.
#[derive(Debug, Clone)]
pub struct StartReport {
    pub case: String,
    /// The observation to keep, or `None` when it failed (see `problem`).
    pub start: Option<CaseStart>,
    /// Why nothing was kept: the first assertion that did not hold, or the error.
    pub problem: Option<String>,
}

/// Runs the `before` steps of `job`'s recipe once, now, before the tester does the case's
/// steps in Okta: the SCIM ids and members the case will act on.
pub fn observe_start(client: &ScimClient, job: &CheckJob, cancel: &CancelFlag) -> StartReport {
    let known = |name: &str| job.inputs.get(name).cloned();
    let ctx = Context {
        client,
        deadline: Instant::now() + job.deadline,
        cancel,
        known: &known,
    };
    let attempt = run_steps(&ctx, &job.recipe.before);
    let problem = if attempt.unanswered() {
        Some(format!(
            "the app did not answer: {}",
            attempt.first_failure().unwrap_or_default()
        ))
    } else if attempt.passed() {
        None
    } else {
        attempt.first_failure()
    };
    let secret = client.secret();
    StartReport {
        case: job.case.clone(),
        start: problem.is_none().then(|| CaseStart {
            at: Utc::now(),
            subject: job.subject.clone(),
            observed: attempt
                .captured
                .clone()
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
        }),
        problem: problem.map(|p| secret.redact(&p)),
    }
}
