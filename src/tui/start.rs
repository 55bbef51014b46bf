//! Starting a case from the checklist (as `scimplan start`): before the tester does its steps
//! in Okta, the recipe's `before` steps note what the case will act on (the SCIM ids and
//! members its check compares with, e.g. the app group C9315 renames). Runs in the background
//! through the same stages as a check (connection, inputs, secret).

use super::model::{Job, Model, Verification, VerifyTarget};
use super::state::RunKind;
use crate::net::Secret;
use crate::verify::{CheckJob, Connection, Sink, StartReport, spawn_start};

/// The start's job, once the case has a recipe with `before` steps and its inputs are known;
/// `None` when something was asked or refused (the message says which).
pub fn job(m: &mut Model, target: &VerifyTarget, case: usize) -> Option<CheckJob> {
    if !super::wire::recipe_and_inputs(m, target, case) {
        return None;
    }
    let id = m.ws.plan.cases[case].id.clone();
    match CheckJob::for_start(
        &m.recipes,
        &id,
        m.ws.session().verify(),
        m.settings.verify_deadline,
    ) {
        Ok(job) => Some(job),
        Err(e) => {
            m.error(e.to_string());
            None
        }
    }
}

pub fn spawn(
    m: &mut Model,
    job: CheckJob,
    connection: Connection,
    secret: Secret,
    sink: impl Sink,
) {
    let case = job.case.clone();
    m.info(format!(
        "Starting {case}: noting what it will act on in {}…",
        connection.base_url
    ));
    let running = spawn_start(job, connection, secret, sink);
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
