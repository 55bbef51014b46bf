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
use super::profile::{AppProfile, AttributeMap, read_profile};
use super::recipe::{MembersOtherwise, RecipeStep};
use super::recipe_okta::{CheckEnv, what_okta_adds};
use super::step::run_step;
use super::template::split_list;
use super::trail::TRAIL_LOOKBACK;
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
    // The SCIM side's expected values from what Okta sends (the app user profile through the
    // app's attribute mapping) or the Okta user's profile, and a group's members from the
    // Okta group, so the tester types a login or a group's name only.
    let mut inputs = job.inputs.clone();
    let mut okta_fatal = None;
    let mut profile_notes = Vec::new();
    let mut profile_requests = Vec::new();
    // What no API can see, and what this run could not compare: said, never claimed.
    let mut not_checked: Vec<String> = job.recipe.by_hand.iter().cloned().collect();
    let compares_profiles = job.recipe.steps.iter().any(|s| s.profile);
    let mut map = None;
    if let Some(okta) = okta {
        // Okta's requests end with the check (and Esc), not at the client's own timeout.
        okta.set_deadline(Some(deadline));
        okta.take_requests();
        match prepare_okta_inputs(okta, job, compares_profiles, &mut inputs) {
            Ok((found, notes)) => {
                if let Some(note) = found.as_ref().and_then(|m| m.note.clone()) {
                    not_checked.push(note);
                }
                map = found;
                profile_notes = notes;
            }
            Err(fatal) => okta_fatal = Some(fatal),
        }
        profile_requests = okta.take_requests();
    }
    let members_spec = job.recipe.okta_members.as_ref();
    if okta.is_none()
        && let Some(members) = members_spec.filter(|m| m.otherwise == MembersOtherwise::None)
    {
        // The case expects no member (an empty group): a list typed for another case is not
        // what it compares with.
        inputs.remove(&members.into);
    }
    if let Some(members) = members_spec.filter(|m| m.otherwise == MembersOtherwise::Typed)
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
    // The users whose app user profile a `profile` step compares: the recipe's `okta_profile`
    // user, and each item of a `for_each` step's list.
    let profile_login = job
        .recipe
        .okta_profile
        .as_ref()
        .and_then(|input| inputs.get(input))
        .cloned();
    let mut profile_logins: Vec<String> = Vec::new();
    for step in job.recipe.steps.iter().filter(|s| s.profile) {
        let logins = match &step.for_each {
            Some(list) => split_list(&known(list).unwrap_or_default()),
            None => profile_login.iter().cloned().collect(),
        };
        for login in logins {
            if !profile_logins.contains(&login) {
                profile_logins.push(login);
            }
        }
    }
    let mut profiles: BTreeMap<String, AppProfile> = BTreeMap::new();
    let mut backoff = FIRST_BACKOFF;
    let mut number = 0;
    // The last attempt whose requests all got complete answers: when the deadline cuts the
    // final attempt short, its findings say more than "no answer".
    let mut last_complete: Option<Attempt> = None;
    let (attempt, verdict) = loop {
        number += 1;
        // What Okta sends each user now (it may change while Okta provisions).
        let mut profile_fatal = None;
        if let (Some(okta), Some(map)) = (okta, &map)
            && okta_fatal.is_none()
        {
            profiles.clear();
            for login in &profile_logins {
                match read_profile(okta, login, map) {
                    Ok(Some(sent)) => {
                        profiles.insert(login.to_lowercase(), sent);
                    }
                    Ok(None) => {}
                    Err(error) => {
                        profile_fatal = Some(error);
                        break;
                    }
                }
            }
        }
        let ctx = scim.map(|scim| Context {
            client: scim.client,
            deadline,
            cancel,
            known: &known,
            sources: &job.sources,
            profiles: &profiles,
            profile_login: profile_login.as_deref(),
        });
        let mut attempt = match (&okta_fatal, &profile_fatal, okta) {
            (Some(fatal), _, _) => Attempt {
                fatal: Some(fatal.clone()),
                ..Attempt::default()
            },
            (None, Some(error), Some(okta)) => Attempt {
                fatal: Some(okta_failure(okta, error)),
                okta_timed_out: matches!(error, OktaError::PastDeadline { .. }),
                ..Attempt::default()
            },
            _ => match &ctx {
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
        }
        if let Some(okta) = okta {
            // The profiles read and the Okta side's requests, this attempt's.
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
    for sent in profiles.values() {
        if let Some(note) = sent.unmapped_note() {
            not_checked.push(note);
        }
    }
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
        not_checked,
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
    let supported = |capability: &str| job.capabilities.get(capability).copied().unwrap_or(true);
    let env = CheckEnv {
        since: job.since.unwrap_or_else(|| Utc::now() - TRAIL_LOOKBACK),
        supported: &supported,
    };
    for check in &job.recipe.okta {
        let expectations = match check.expectations(&lookup, &env) {
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

/// Before the first attempt: the app's attribute mapping (when a step compares what Okta
/// sent) and the inputs Okta gives (`okta_inputs`), with the notes on typed values replaced.
#[allow(clippy::type_complexity)]
fn prepare_okta_inputs(
    okta: &OktaClient,
    job: &CheckJob,
    compares_profiles: bool,
    inputs: &mut BTreeMap<String, String>,
) -> Result<(Option<AttributeMap>, Vec<AssertionRecord>), (RunFailure, String)> {
    let map = if compares_profiles {
        Some(AttributeMap::read(okta).map_err(|e| okta_failure(okta, &e))?)
    } else {
        None
    };
    let mut notes = expected_from_profile(okta, job, map.as_ref(), inputs)?;
    notes.extend(expected_members(okta, job, inputs)?);
    Ok((map, notes))
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
        let names: Vec<String> = steps[i..end]
            .iter()
            .flat_map(|s| s.captures().cloned())
            .collect();
        for item in &items {
            // Nothing an earlier item captured may stand for this one.
            for name in &names {
                attempt.captured.remove(name);
            }
            for step in &steps[i..end] {
                if attempt.fatal.is_none() {
                    run_step(ctx, step, Some(item), &mut attempt);
                }
            }
            // Each item's own captures, for the Okta side (`name[item]`, empty when none).
            for name in &names {
                let value = attempt.captured.get(name).cloned().unwrap_or_default();
                attempt.captured.insert(format!("{name}[{item}]"), value);
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
    let (nothing, no_sources) = (BTreeMap::new(), BTreeMap::new());
    let ctx = Context {
        client,
        deadline: Instant::now() + job.deadline,
        cancel,
        known: &known,
        sources: &no_sources,
        profiles: &nothing,
        profile_login: None,
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
