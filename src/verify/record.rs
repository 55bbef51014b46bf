//! Filling the session's verification records (`session::verification`): runs, remembered
//! values and SPEC reports. What is kept of each request (secrets redacted, bodies cut) is
//! made where the request was sent (`scim::request_record`, the Okta client, the runner).

use crate::session::verification::{RUNS_KEPT_PER_CASE, RememberedValue};
use crate::session::{CaseStart, Outcome, Session, SpecReport, Verdict, VerifyRun, remembered_key};

/// Stores a SPEC run: its summary for the readiness verdict, and the whole report as evidence.
pub fn record_spec(session: &mut Session, report: SpecReport) {
    session.suite_runs.push(report.suite_run());
    session.verify.last_spec = Some(report);
}

/// Why a failing check on a case whose steps are not marked done records no Fail.
pub const STEPS_NOT_DONE: &str = "outcome left alone: the case's steps are not marked done, so this failure may only mean they were not done yet";

/// Stores a finished run: the run itself, the case outcome (automatic) for a pass, or for a
/// fail once the case's steps are marked done (before that, a failure is reported only), and
/// on a pass the values the recipe remembers, under the run's user or group. The note is
/// never touched. Returns the outcome recorded, if any.
pub fn record_run(session: &mut Session, mut run: VerifyRun) -> Option<Outcome> {
    let mut outcome = run.verdict.outcome();
    if outcome == Some(Outcome::Fail) && !run.steps_done {
        outcome = None;
        run.outcome_left = Some(STEPS_NOT_DONE.to_string());
    }
    if let Some(outcome) = outcome {
        session.set_outcome(&run.case, outcome, None, true);
    }
    if run.verdict == Verdict::Pass {
        for (name, capture) in &run.remember {
            if let Some(value) = run.captured.get(capture) {
                session.verify.remembered.insert(
                    remembered_key(name, run.subject.as_deref()),
                    RememberedValue {
                        value: value.clone(),
                        case: run.case.clone(),
                        at: run.at,
                        subject: run.subject.clone(),
                    },
                );
            }
        }
    }
    let runs = &mut session.verify.runs;
    runs.push(run);
    let case = runs.last().map(|r| r.case.clone()).unwrap_or_default();
    let of_case = runs.iter().filter(|r| r.case == case).count();
    if of_case > RUNS_KEPT_PER_CASE {
        let mut to_drop = of_case - RUNS_KEPT_PER_CASE;
        runs.retain(|r| {
            if to_drop > 0 && r.case == case {
                to_drop -= 1;
                false
            } else {
                true
            }
        });
    }
    outcome
}

/// Keeps what starting a case observed (replacing an earlier start of the same case).
pub fn record_start(session: &mut Session, case: &str, start: CaseStart) {
    session.verify.started.insert(case.to_string(), start);
}
