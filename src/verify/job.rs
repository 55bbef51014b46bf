//! Preparing a check: the recipe, the inputs (validated before any request), the values it
//! compares with (remembered for its user or group, or observed when the case started), and
//! whether the tester marked the case's steps done.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::error::VerifyError;
use super::recipe::{Recipe, RecipeBook};
use super::trail::TRAIL_LOOKBACK;
use crate::plan::Plan;
use crate::session::{Session, VerifyState, remembered_key};

/// Everything a check needs, owned, so it can run on another thread.
#[derive(Debug, Clone)]
pub struct CheckJob {
    pub case: String,
    pub recipe: Recipe,
    /// Known inputs (required ones all present, every one valid).
    pub inputs: BTreeMap<String, String>,
    /// Values from earlier cases or from the case's start that the recipe uses.
    pub remembered: BTreeMap<String, String>,
    /// The user or group this check is about (remembered values are kept under it).
    pub subject: Option<String>,
    /// The tester marked every step of the case done; a failing check records Fail only then.
    pub steps_done: bool,
    /// One look at the app, no polling (a recheck asks how things are now).
    pub single_attempt: bool,
    pub deadline: Duration,
    /// When the case started, for its System Log (`case_started`); `None`: the lookback
    /// before the check (`trail::TRAIL_LOOKBACK`).
    pub since: Option<DateTime<Utc>>,
    /// Where each of `remembered` comes from, in the tester's words ("the case's start
    /// (…12:03:00)", "C9291's check (…12:00:00)"): a comparison with it says so.
    pub sources: BTreeMap<String, String>,
    /// The capabilities the tester declared (a capability not listed counts as supported):
    /// the To App settings C9306 expects on are those of the supported ones.
    pub capabilities: BTreeMap<String, bool>,
}

impl CheckJob {
    /// Prepares the check of `case` from what the session knows: inputs in `state.subjects`,
    /// remembered values and start observations. Fails naming every missing or invalid input,
    /// or the case to verify (or start) first. `steps_done` is false: see `case_job`.
    pub fn prepare(
        book: &RecipeBook,
        case: &str,
        state: &VerifyState,
        deadline: Duration,
    ) -> Result<CheckJob, VerifyError> {
        Self::build(book, case, state, deadline, true)
    }

    /// Prepares the observation of `case`'s start (its `before` steps): inputs only, since
    /// what the case compares with is what this observes.
    pub fn for_start(
        book: &RecipeBook,
        case: &str,
        state: &VerifyState,
        deadline: Duration,
    ) -> Result<CheckJob, VerifyError> {
        let job = Self::build(book, case, state, deadline, false)?;
        if job.recipe.before.is_empty() {
            return Err(VerifyError::NothingToStart {
                case: case.to_string(),
            });
        }
        Ok(job)
    }

    fn build(
        book: &RecipeBook,
        case: &str,
        state: &VerifyState,
        deadline: Duration,
        needs_earlier_values: bool,
    ) -> Result<CheckJob, VerifyError> {
        let recipe = book.recipe(case)?;
        let subjects = &state.subjects;
        let missing = recipe.missing_inputs(subjects, !needs_earlier_values);
        if !missing.is_empty() {
            return Err(missing_inputs(book, case, &missing));
        }
        let mut used = BTreeMap::new();
        for name in recipe.inputs.iter().chain(&recipe.optional) {
            if let Some(value) = subjects.get(name).filter(|v| !v.trim().is_empty()) {
                book.check_input(name, value)
                    .map_err(|why| VerifyError::BadInput {
                        case: case.to_string(),
                        why,
                    })?;
                used.insert(name.clone(), value.trim().to_string());
            }
        }
        let subject = subject_of(book, recipe, &used);
        let started = state
            .started
            .get(case)
            .filter(|s| s.subject == subject)
            .map(|s| &s.observed);
        let started_at = state
            .started
            .get(case)
            .filter(|s| s.subject == subject)
            .map(|s| s.at);
        let recall = |name: &str| -> Option<(String, String)> {
            let observed = started.and_then(|o| o.get(name)).cloned();
            if let (Some(value), Some(at)) = (observed, started_at) {
                return Some((value, format!("the case's start ({})", utc_time(at))));
            }
            state
                .remembered
                .get(&remembered_key(name, subject.as_deref()))
                .map(|r| {
                    (
                        r.value.clone(),
                        format!("{}'s check ({})", r.case, utc_time(r.at)),
                    )
                })
        };
        let mut earlier = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for name in &recipe.remembered {
            // A value the tester typed (e.g. existing_user_id) stands in for an observed one.
            if used.contains_key(name) {
                continue;
            }
            match recall(name) {
                Some((value, source)) => {
                    earlier.insert(name.clone(), value);
                    sources.insert(name.clone(), source);
                }
                None if needs_earlier_values => {
                    return Err(needs_earlier(book, recipe, case, name, subject.as_deref()));
                }
                None => {}
            }
        }
        for name in &recipe.recalls {
            if let Some((value, source)) = recall(name) {
                earlier.insert(name.clone(), value);
                sources.insert(name.clone(), source);
            }
        }
        Ok(CheckJob {
            case: case.to_string(),
            recipe: recipe.clone(),
            inputs: used,
            remembered: earlier,
            subject,
            steps_done: false,
            single_attempt: false,
            deadline,
            since: None,
            sources,
            capabilities: BTreeMap::new(),
        })
    }
}

/// A moment as the checks' messages write it (Okta's System Log and the app's times are UTC).
fn utc_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The key remembered values of this check are kept under: the subject input's value (a
/// userName without regard to case, as SCIM compares them; a group name exactly).
pub fn subject_of(
    book: &RecipeBook,
    recipe: &Recipe,
    inputs: &BTreeMap<String, String>,
) -> Option<String> {
    let name = recipe.subject.as_ref()?;
    let value = inputs.get(name)?;
    Some(
        if book.inputs.get(name).is_some_and(|s| s.case_insensitive) {
            value.to_lowercase()
        } else {
            value.clone()
        },
    )
}

/// The error naming the inputs `case` lacks, each with what to type.
pub fn missing_inputs(book: &RecipeBook, case: &str, names: &[String]) -> VerifyError {
    VerifyError::MissingInputs {
        case: case.to_string(),
        missing: names
            .iter()
            .map(|name| format!("--input {name}=... ({})", book.prompt(name)))
            .collect(),
    }
}

fn needs_earlier(
    book: &RecipeBook,
    recipe: &Recipe,
    case: &str,
    name: &str,
    subject: Option<&str>,
) -> VerifyError {
    let cases = book.rememberers(name);
    let of = subject.map(|s| format!(" for {s}")).unwrap_or_default();
    let mut how = Vec::new();
    if !cases.is_empty() {
        how.push(format!("verify {}{of} first", cases.join(" or ")));
    }
    let observed = recipe
        .before
        .iter()
        .any(|s| s.captures().any(|c| c == name));
    if observed {
        how.push(format!(
            "run `scimplan start PLAN {case}` before doing its steps in Okta, so scimplan sees what the case acts on"
        ));
    }
    VerifyError::NeedsEarlierCase {
        case: case.to_string(),
        name: format!("{name}{of}"),
        how: how.join(", or "),
    }
}

/// True when the tester ticked every step of the case (the explicit "I did it in Okta").
/// A case without steps is never done by itself.
pub fn steps_done(plan: &Plan, session: &Session, case: &str) -> bool {
    let Some(index) = plan.case_index(case) else {
        return false;
    };
    let steps = plan.cases[index].steps.len();
    steps > 0
        && session
            .result(&plan.cases[index].id)
            .is_some_and(|r| (0..steps).all(|i| r.steps_checked.contains(&i)))
}

/// When `case` started, for its System Log and for what "since the case started" means to a
/// check (a password pushed, a deprovisioning that failed): the start the tester recorded
/// (`scimplan start`, `t`); otherwise `TRAIL_LOOKBACK` before its first tick or `now`,
/// whichever is earlier. Ticks come after the Okta steps (`scimplan done` ticks every step
/// once they are done), so the window reaches back before them. The first tick counted is
/// the first since the case's last check, when the tester ticked again for another round,
/// else its first tick at all.
pub fn case_started(session: &Session, case: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    if let Some(start) = session.verify().started.get(case) {
        return start.at;
    }
    let last_check = session.verify().latest_run(case).map(|r| r.at);
    let prefix = format!("{case}: step ");
    let ticks: Vec<DateTime<Utc>> = session
        .history()
        .iter()
        .filter(|e| e.description.starts_with(&prefix) && e.description.ends_with(" ticked"))
        .map(|e| e.at)
        .collect();
    let first_tick = ticks
        .iter()
        .filter(|at| last_check.is_none_or(|last| **at > last))
        .min()
        .or_else(|| ticks.iter().min())
        .copied();
    first_tick.map_or(now, |tick| tick.min(now)) - TRAIL_LOOKBACK
}
