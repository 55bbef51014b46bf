//! Starting a case from the checklist (as `scimplan start`): before the tester does its steps
//! in Okta, the recipe's `before` steps note what the case will act on (the SCIM ids and
//! members its check compares with, e.g. the app group C9315 renames). Runs in the background
//! through the same stages as a check (connection, inputs, secret), planned by the same
//! planner (`verify::Request::Start`).

use super::model::{Job, Model, Verification};
use super::state::RunKind;
use crate::verify::{Access, CheckJob, Sink, StartReport, spawn_start};

/// Runs the start of `job` in the background with the plan's access.
pub fn spawn(m: &mut Model, job: CheckJob, access: Access, sink: impl Sink) {
    let case = job.case.clone();
    let url = access
        .scim
        .as_ref()
        .map(|s| s.connection.base_url.clone())
        .unwrap_or_default();
    m.info(format!(
        "Starting {case}: noting what it will act on in {url}…"
    ));
    let running = spawn_start(job, access, sink);
    m.job = Job::Running(Verification::new(running, RunKind::Start(case)));
}

/// The start's observation came back: kept for the case's check, or why nothing was kept.
pub fn finished(m: &mut Model, report: StartReport) {
    match report.start {
        Some(start) => {
            let seen: Vec<String> = start
                .observed
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            m.ws.apply(crate::session::Command::RecordStart {
                case: report.case.clone(),
                start,
            });
            m.after_change();
            m.info(format!(
                "{} started: {}. Do its steps in Okta, tick them, then v checks it against this.",
                report.case,
                seen.join(", ")
            ));
        }
        None => m.error(format!(
            "{} not started: {}",
            report.case,
            report.problem.unwrap_or_default()
        )),
    }
}
