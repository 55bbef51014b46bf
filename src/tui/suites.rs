//! Okta's SPEC and CRUD files from the checklist's summary (`r`, `R`): the offer naming the user
//! a file would create (asked in `overlays::confirm_suite`), and what a finished run leaves
//! (recorded, on the message line). The stages before and while running are the check's, in
//! `checks`.

use super::action::{Action, VerifyTarget};
use super::keymap::Mode;
use super::model::Model;
use super::overlays::confirm_suite::ConfirmSuite;
use crate::report::readiness::suite_name;
use crate::session::{
    CleanUp, Connection, CrudReport, FileRun, OKTA_TOKEN_ENV, SpecReport, StepRecord, StepStatus,
    SuiteKind,
};
use crate::verify::suite_files::{Sources, crud_options, declared_endpoints, spec_options};

/// `r` / `R`: reads Okta's file for the suite and its initial script (each downloaded into the
/// folder of Okta's files when absent; the script run as written, as the CLI runs it) and asks
/// before running it, naming the user it would create.
pub fn offer(m: &mut Model, connection: &Connection, target: &VerifyTarget) {
    let dir = m.settings.okta_files.clone();
    let sources = Sources::okta(&m.ws.profile, &dir);
    let session = m.ws.session();
    let offer = match target.suite() {
        Some(SuiteKind::Crud) => {
            let Some(okta) = session.verify().okta.clone() else {
                let keys = m
                    .keymap
                    .keys_for(Mode::Summary, &Action::ConnectionSettings);
                return m.error(format!(
                    "The CRUD suite drives your Okta org and the app, and no Okta org is connected: {keys} opens the connection form (its Okta part), or run `scimplan connect PLAN --okta-org URL --okta-app-id ID` (the API token comes from {OKTA_TOKEN_ENV} or is asked for); then R again."
                ));
            };
            crud_options(sources, session, connection, okta).map(|prepared| {
                let offer = VerifyTarget::Crud(Some(Box::new(prepared.options)));
                (
                    offer,
                    [prepared.told.warnings, prepared.told.notes].concat(),
                )
            })
        }
        _ => spec_options(sources, connection, &declared_endpoints(session)).map(|prepared| {
            let offer = VerifyTarget::Spec(Some(Box::new(prepared.options)));
            (
                offer,
                [prepared.told.warnings, prepared.told.notes].concat(),
            )
        }),
    };
    let name = target.suite().map_or("SPEC", suite_name);
    let (offer, notes) = match offer {
        Ok(offer) => offer,
        Err(e) => return m.error(format!("Okta's {name} file: {e}")),
    };
    if !notes.is_empty() {
        let sentences: Vec<String> = notes
            .iter()
            .map(|n| n.trim_end_matches('.').to_string() + ".")
            .collect();
        m.info(sentences.join(" "));
    }
    m.push(ConfirmSuite { offer });
}

/// The first assertion that did not hold, or why the step could not run.
pub fn first_problem(step: &StepRecord) -> Option<String> {
    step.what_failed().into_iter().next()
}

/// ` First failure: step 4: ...: expected ..., got ...` for a run's message line.
fn first_failure(run: &FileRun) -> Option<String> {
    let step = run
        .steps
        .iter()
        .find(|s| matches!(s.status, StepStatus::Fail | StepStatus::NotRun))?;
    Some(format!(
        " First failure: {}: {}",
        step.title(),
        first_problem(step).unwrap_or_default()
    ))
}

/// A CRUD run ended (its Okta user already cleaned up): recorded unless it was cancelled or
/// could not reach a system at all; the message says what the clean-up removed.
pub fn crud_finished(m: &mut Model, report: CrudReport) {
    let run = &report.run;
    let cleanup = format!(" Clean-up: {}", report.cleanup_line());
    if report.refusals.iter().any(|r| r.contains("E0000011")) && m.okta_secret.take().is_some() {
        m.info("The typed Okta token was refused and is forgotten: R asks for it again.");
    }
    if run.unreachable.is_some() && run.requests().count() <= 1 {
        return m.error(format!(
            "CRUD suite not run: cannot reach {}: {} Nothing was recorded.{cleanup}",
            run.target,
            run.unreachable.as_deref().unwrap_or_default()
        ));
    }
    if run.cancelled {
        return m.info(format!("CRUD suite cancelled: nothing recorded.{cleanup}"));
    }
    let mut text = format!(
        "CRUD suite {}: {} of {} required steps failed.",
        run.verdict().to_uppercase(),
        run.failures(),
        run.requests().count()
    );
    if let Some(refusal) = report.refusals.first() {
        text.push(' ');
        text.push_str(refusal);
    } else if let Some(failure) = first_failure(run) {
        text.push_str(&failure);
    }
    // Why Okta could not provision, from its System Log (d shows all of Okta's side).
    if let Some(why) = report
        .okta
        .as_ref()
        .and_then(|t| t.failures().into_iter().next())
    {
        text.push_str(&format!(" Okta: {why}."));
    }
    text.push_str(&cleanup);
    let failed = !run.passed() || matches!(report.cleanup, CleanUp::Failed { .. });
    m.ws.apply(crate::session::Command::RecordCrud(Box::new(report)));
    m.after_change();
    if failed {
        m.error(text);
    } else {
        m.info(text);
    }
}

/// The SPEC suite ended: recorded (unless the app could not be reached at all), with the
/// first failure and what became of its user on the message line.
pub fn spec_finished(m: &mut Model, report: SpecReport) {
    if let Some(why) = &report.unreachable {
        return m.error(format!(
            "SPEC suite not run: cannot reach {}: {why} Nothing was created or recorded; C checks the connection.",
            report.target
        ));
    }
    m.ws.apply(crate::session::Command::RecordSpec(Box::new(
        report.clone(),
    )));
    m.after_change();
    let mut text = format!(
        "SPEC suite {}: {}.",
        report.verdict().label().to_uppercase(),
        report.counts()
    );
    if let Some(failure) = report.file.as_ref().and_then(first_failure) {
        text.push_str(&failure);
    }
    if let Some(state) = report.created_user_state()
        && !report.deactivated
    {
        text.push_str(&format!(" {state}."));
    }
    if report.passed() {
        m.info(text);
    } else {
        m.error(text);
    }
}
