//! Runs a recipe: its SCIM steps in order (see `step`) and its Okta side (`[[recipe.okta]]`,
//! when the org is connected), both polled until every assertion holds or the deadline passes;
//! and a recipe's `before` steps when the tester starts a case. A case with both sides passes
//! only when both hold; the summary says which side failed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::attempt::{Attempt, Context};
use super::event::{StartReport, VerifyEvent};
use super::job::CheckJob;
use super::okta_inputs::{expected_from_profile, expected_members};
use super::okta_side::{self, okta_failure};
use super::recipe::RecipeStep;
use super::recipe_okta::what_okta_adds;
use super::step::run_step;
use super::template::split_list;
use crate::net::{CancelFlag, Secret};
use crate::okta::{OktaClient, OktaError};
use crate::scim::{ScimClient, request_record};
use crate::session::{AssertionRecord, AuthScheme, CaseStart, RunFailure, Verdict, VerifyRun};

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

    /// The first failure, saying which side it is on when the case has both ("SCIM: ...";
    /// the Okta side's assertions and errors already start with "Okta: "). When both sides
    /// fail, Okta's comes first: a sync error in Okta usually explains the app's state.
    fn first_failure_by_side(&self, two_sided: bool) -> Option<String> {
        let failure = self.first_failure()?;
        if !two_sided {
            return Some(failure);
        }
        if self.fatal.is_some() {
            return Some(if failure.starts_with("Okta: ") {
                failure
            } else {
                format!("SCIM: {failure}")
            });
        }
        let describe = |a: &AssertionRecord| {
            format!(
                "{}: {}: expected {}, got {}",
                a.step, a.check, a.expected, a.actual
            )
        };
        let failed = |okta: bool| {
            self.assertions
                .iter()
                .find(|a| !a.passed && a.step.starts_with("Okta: ") == okta)
        };
        Some(match (failed(true), failed(false)) {
            (Some(okta), Some(scim)) => format!("{}; and SCIM: {}", describe(okta), describe(scim)),
            (Some(okta), None) => describe(okta),
            (None, Some(scim)) => format!("SCIM: {}", describe(scim)),
            (None, None) => failure,
        })
    }

    /// No request of this attempt got an answer before the deadline.
    fn unanswered(&self) -> bool {
        !self.exchanges.is_empty() && self.exchanges.iter().all(|e| e.status.is_none())
    }
}

/// `run_case` on the app's SCIM side alone.
pub fn run_check(
    client: &ScimClient,
    auth: &AuthScheme,
    job: &CheckJob,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(VerifyEvent),
) -> VerifyRun {
    run_case(Some(ScimSide { client, auth }), None, job, cancel, on_event)
}

/// The app's SCIM API a case's SCIM steps run against.
#[derive(Clone, Copy)]
pub struct ScimSide<'a> {
    pub client: &'a ScimClient,
    pub auth: &'a AuthScheme,
}

/// Runs `job` until it passes, fails at the deadline, hits an error, or is cancelled; reports
/// each attempt through `on_event`. Each attempt runs the SCIM steps and then, with `okta`,
/// the Okta checks: the case passes only when both hold. Without `okta`, a case with an Okta
/// side is decided by its SCIM side and the run says what Okta would add
/// (`okta_not_checked`). A case checked in Okta only needs no SCIM side. An app or an org that
/// cannot be reached, refuses the credentials, or never answers before the deadline gives an
/// error, never a fail; so does a side the case needs and the caller did not give (the
/// planner, `planner::Planner`, sees to it that none is missing).
pub fn run_case(
    scim: Option<ScimSide>,
    okta: Option<&OktaClient>,
    job: &CheckJob,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(VerifyEvent),
) -> VerifyRun {
    let started_at = Utc::now();
    let started = Instant::now();
    let deadline = started + job.deadline;
    let checks_okta = okta.is_some() && !job.recipe.okta.is_empty();
    let two_sided = !job.recipe.okta.is_empty() && !job.recipe.is_okta_only();
    let okta_not_checked = (okta.is_none() && !job.recipe.okta.is_empty()).then(|| {
        format!(
            "Okta side not checked: connect the org (scimplan connect PLAN --okta-org URL --okta-app-id ID, with {} set) to also check {}",
            crate::session::OKTA_TOKEN_ENV,
            what_okta_adds(&job.recipe.okta)
        )
    });
    // The SCIM side's expected names and email from the Okta user's profile, so the tester
    // types a login only.
    let mut inputs = job.inputs.clone();
    let mut okta_fatal = None;
    let mut profile_notes = Vec::new();
    let mut profile_requests = Vec::new();
    if let Some(okta) = okta {
        // Okta's requests end with the check (and Esc), not at the client's own timeout.
        okta.set_deadline(Some(deadline));
        okta.take_requests();
        match expected_from_profile(okta, job, &mut inputs).and_then(|mut notes| {
            notes.extend(expected_members(okta, job, &mut inputs)?);
            Ok(notes)
        }) {
            Ok(notes) => profile_notes = notes,
            Err(fatal) => okta_fatal = Some(fatal),
        }
        profile_requests = okta.take_requests();
    }
    if let Some(members) = &job.recipe.okta_members
        && !inputs.contains_key(&members.into)
        && okta_fatal.is_none()
    {
        okta_fatal = Some((
            RunFailure::CannotCheck,
            format!(
                "{} compares the group's members: connect the Okta org (its group {} gives them) or type them (--input {}=login1,login2)",
                job.case,
                job.inputs.get(&members.group).cloned().unwrap_or_default(),
                members.into
            ),
        ));
    }
    let known = |name: &str| {
        inputs
            .get(name)
            .or_else(|| job.remembered.get(name))
            .cloned()
    };
    let ctx = scim.map(|scim| Context {
        client: scim.client,
        deadline,
        cancel,
        known: &known,
    });
    let mut backoff = FIRST_BACKOFF;
    let mut number = 0;
    // The last attempt whose requests all got complete answers: when the deadline cuts the
    // final attempt short, its findings say more than "no answer".
    let mut last_complete: Option<Attempt> = None;
    let (attempt, verdict) = loop {
        number += 1;
        let mut attempt = match &okta_fatal {
            Some(fatal) => Attempt {
                fatal: Some(fatal.clone()),
                ..Attempt::default()
            },
            None => match &ctx {
                Some(ctx) => run_steps(ctx, &job.recipe.steps),
                None => Attempt::default(),
            },
        };
        if ctx.is_none() && !job.recipe.is_okta_only() {
            attempt.fatal = Some((
                RunFailure::CannotCheck,
                format!(
                    "{} reads the app's SCIM API: connect it first (scimplan connect PLAN --scim-url URL).",
                    job.case
                ),
            ));
        }
        if job.recipe.is_okta_only() && okta.is_none() {
            attempt.fatal = Some((
                RunFailure::CannotCheck,
                format!(
                    "{} is checked in Okta only: {}",
                    job.case,
                    okta_not_checked.clone().unwrap_or_default()
                ),
            ));
        }
        if let Some(okta) = okta.filter(|_| checks_okta)
            && attempt.fatal.is_none()
            && !cancel.is_cancelled()
        {
            check_okta(okta, job, &known, &mut attempt);
            attempt.okta_requests = okta.take_requests();
        }
        if attempt.exchanges.iter().any(|e| e.timed_out()) || attempt.okta_timed_out {
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
            first_failure: attempt.first_failure_by_side(two_sided),
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
    if let Some(okta) = okta {
        okta.set_deadline(None);
    }
    let elapsed = started.elapsed().as_secs_f32();
    let first_failure = attempt.first_failure_by_side(two_sided).unwrap_or_default();
    let okta_held = attempt
        .assertions
        .iter()
        .filter(|a| a.step.starts_with("Okta: "))
        .count();
    let summary = match verdict {
        Verdict::Pass if okta_held > 0 && okta_held < attempt.assertions.len() => format!(
            "all {} assertion(s) held, SCIM {} and Okta {okta_held} ({number} attempt(s))",
            attempt.assertions.len(),
            attempt.assertions.len() - okta_held,
        ),
        Verdict::Pass => format!(
            "all {} assertion(s) held ({} attempt(s))",
            attempt.assertions.len(),
            number
        ),
        Verdict::Cancelled => "cancelled by the tester".to_string(),
        Verdict::Fail => format!("{first_failure} (still so after {elapsed:.1} s)"),
        Verdict::Error if attempt.fatal.is_none() => {
            format!("the app did not answer within {elapsed:.1} s: {first_failure}")
        }
        Verdict::Error => first_failure,
    };
    let auth_header = match scim.map(|s| s.auth) {
        Some(AuthScheme::Header { name }) => name.clone(),
        _ => "Authorization".to_string(),
    };
    let no_secret = Secret::new(String::new());
    let secret = scim.map_or(&no_secret, |s| s.client.secret());
    let redact = |text: &str| {
        let text = secret.redact(text);
        okta.map_or(text.clone(), |o| o.secret().redact(&text))
    };
    let target = match (scim, okta) {
        (Some(scim), _) => scim.client.base_url().to_string(),
        (None, Some(okta)) => okta.org_url().to_string(),
        (None, None) => String::new(),
    };
    let mut inputs = inputs.clone();
    inputs.extend(job.remembered.clone());
    VerifyRun {
        case: job.case.clone(),
        at: started_at,
        target,
        verdict,
        summary: redact(&summary),
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
            .chain(profile_requests)
            .chain(attempt.okta_requests)
            .collect(),
        assertions: profile_notes
            .into_iter()
            .chain(attempt.assertions)
            .collect(),
        captured: attempt.captured,
        okta: None,
        okta_not_checked,
        outcome_left: None,
        remember: job.recipe.remember.clone(),
        subject: job.subject.clone(),
        steps_done: job.steps_done,
    }
}

/// One look at the Okta side: each `[[recipe.okta]]` entry with the inputs, remembered
/// values and what this attempt's SCIM steps captured (the SCIM id Okta must have linked).
fn check_okta(
    okta: &OktaClient,
    job: &CheckJob,
    known: &dyn Fn(&str) -> Option<String>,
    attempt: &mut Attempt,
) {
    let captured = attempt.captured.clone();
    let lookup = |name: &str| captured.get(name).cloned().or_else(|| known(name));
    for check in &job.recipe.okta {
        let expectations = match check.expectations(&lookup) {
            Ok(expectations) => expectations,
            Err(name) => {
                attempt.fatal = Some((
                    RunFailure::CannotCheck,
                    format!("Okta: the check needs '{name}', which this run does not know"),
                ));
                return;
            }
        };
        for expectation in &expectations {
            match okta_side::check(okta, expectation) {
                Ok(records) => attempt.assertions.extend(records),
                Err(error) => {
                    attempt.okta_timed_out = matches!(error, OktaError::PastDeadline { .. });
                    attempt.fatal = Some(okta_failure(okta, &error));
                    return;
                }
            }
        }
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
