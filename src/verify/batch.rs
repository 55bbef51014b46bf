//! Checking many cases at once (`V` in the checklist, `scimplan verify PLAN` with no case)
//! without rewriting history: only cases with no outcome yet whose steps the tester marked
//! done are checked; an outcome set earlier, by a person or a check, is never touched. A
//! recheck looks at every case with an outcome once and reports drift, changing nothing.

use std::time::Duration;

use super::VerifyError;
use super::job::{CheckJob, case_started, steps_done};
use super::recipe::RecipeBook;
use crate::plan::Plan;
use crate::plan::profile::Requirements;
use crate::session::{Outcome, Session, Verdict, VerifyRun};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchMode {
    /// Cases without an outcome whose steps are all ticked: their results are recorded.
    Pending,
    /// Cases with a Pass or Fail, looked at once: drift is reported, nothing recorded.
    Recheck,
}

/// What a batch will check, and every case with a recipe it leaves out, with the reason.
#[derive(Debug, Default)]
pub struct Batch {
    pub jobs: Vec<CheckJob>,
    pub left_out: Vec<VerifyError>,
}

impl Batch {
    /// Without the Okta org, cases checked in Okta only are left out (saying so) instead of
    /// giving an error each.
    pub fn without_okta(&mut self) {
        let (okta_only, rest): (Vec<CheckJob>, Vec<CheckJob>) = std::mem::take(&mut self.jobs)
            .into_iter()
            .partition(|job| job.recipe.steps.is_empty());
        self.jobs = rest;
        self.left_out.extend(
            okta_only
                .into_iter()
                .map(|job| VerifyError::OktaOnly { case: job.case }),
        );
    }
}

/// The checks of a batch over the plan's applicable cases (the same rules for `V` and the
/// command line). `cases` narrows the batch to those IDs (a recheck of named cases).
pub fn batch_jobs(
    book: &RecipeBook,
    plan: &Plan,
    reqs: &Requirements,
    session: &Session,
    cases: Option<&[String]>,
    mode: BatchMode,
    deadline: Duration,
) -> Batch {
    let mut batch = Batch::default();
    for (index, case) in plan.cases.iter().enumerate() {
        let id = case.id.as_str();
        if book.for_case(id).is_none() {
            continue;
        }
        match cases {
            Some(wanted) => {
                if !wanted.iter().any(|w| w.eq_ignore_ascii_case(id)) {
                    continue;
                }
            }
            None => {
                if !session.applies(reqs, index) {
                    continue;
                }
            }
        }
        let outcome = session.result(id).map(|r| r.outcome).unwrap_or_default();
        let done = steps_done(plan, session, id);
        let refusal = match mode {
            BatchMode::Pending if outcome != Outcome::NotRun => Some(VerifyError::HasOutcome {
                case: id.to_string(),
                outcome: outcome.label().to_string(),
            }),
            BatchMode::Pending if !done => {
                let ticked = session.result(id).map_or(0, |r| r.steps_checked.len());
                Some(VerifyError::StepsNotDone {
                    case: id.to_string(),
                    ticked,
                    steps: case.steps.len(),
                })
            }
            BatchMode::Recheck if !matches!(outcome, Outcome::Pass | Outcome::Fail) => {
                Some(VerifyError::NothingToRecheck {
                    case: id.to_string(),
                    outcome: outcome.label().to_string(),
                })
            }
            _ => None,
        };
        if let Some(refusal) = refusal {
            batch.left_out.push(refusal);
            continue;
        }
        match CheckJob::prepare(book, id, session.verify(), deadline) {
            Ok(mut job) => {
                job.steps_done = done;
                job.since = Some(case_started(session, id, chrono::Utc::now()));
                job.single_attempt = mode == BatchMode::Recheck;
                batch.jobs.push(job);
            }
            Err(error) => batch.left_out.push(error),
        }
    }
    batch
}

/// How a recheck's run compares with the case's recorded outcome: `None` when they agree,
/// else one line saying what changed (the run is not recorded).
pub fn drift(session: &Session, run: &VerifyRun) -> Option<String> {
    let recorded = session
        .result(&run.case)
        .map(|r| r.outcome)
        .unwrap_or_default();
    let now = match run.verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail => Outcome::Fail,
        Verdict::Error | Verdict::Cancelled => {
            return Some(format!(
                "{}: recorded {recorded}, could not check now: {}",
                run.case, run.summary
            ));
        }
    };
    (now != recorded).then(|| {
        format!(
            "{}: recorded {recorded}, the app now says {}: {}",
            run.case,
            run.verdict.label(),
            run.summary
        )
    })
}
