//! Checks from the checklist: `v` (a case), `V` (the pending cases), `t` (a case's start), `r`
//! and `R` (Okta's SPEC and CRUD files, asked first in `suites`). A check goes through what it
//! needs, each asked by an overlay that carries the check and hands it back when answered
//! (`Action::Check`): the connection form, an input or secret prompt, the suite's question.
//! Then it runs on the verify worker as a job; its results arrive as `Action::Job`, recorded
//! here (a verdict only over the outcome the case had when it started, or a person's outcome
//! when the tester agreed).

use super::action::{SecretKind, VerifyTarget};
use super::job::{JobKind, RunKind, SuiteProgress, Verification, Work};
use super::model::Model;
use super::okta_access::{api_token, okta_access};
use super::overlays::connection::ConnectionForm;
use super::overlays::prompt::{Prompt, Purpose};
use super::suites;
use crate::net::Secret;
use crate::session::{Command, RunFailure, StepStatus, SuiteKind};
use crate::verify::{
    Batch, BatchMode, CheckJob, Connection, Sink, StartReport, Verdict, VerifyError, VerifyEvent,
    batch_jobs, case_job, spawn_all, spawn_crud, spawn_okta_only, spawn_spec, spawn_start,
};

/// The tester declined what the check of `target` waited for: nothing runs.
pub fn dropped(m: &mut Model, target: &VerifyTarget) {
    let text = match (target.suite(), m.ws.session().verify().connection.is_some()) {
        (Some(suite), _) => format!(
            "{} suite not run: nothing was created.",
            crate::report::readiness::suite_name(suite)
        ),
        (None, _) if matches!(target, VerifyTarget::Start(_)) => {
            "Not started: nothing noted.".into()
        }
        (None, false) => "Not verified: no SCIM connection.".into(),
        (None, true) => "Not verified.".into(),
    };
    m.info(text);
}

/// `v` / `V` / `t` / `r` / `R`, and each answer the check waited for: asks for what is still
/// missing (an overlay carrying the check), or starts the work in the background.
pub fn verify(m: &mut Model, target: VerifyTarget) {
    if m.running().is_some() {
        return m.info("A verification is already running: wait for it, or Esc to cancel it.");
    }
    if m.ws.session().verify().connection.is_none() {
        match target {
            VerifyTarget::Case { case, .. } if is_okta_only(m, case) => {
                return verify_okta_only_case(m, target, case);
            }
            VerifyTarget::All if verify_all_okta_only(m) => return,
            _ => {}
        }
    }
    let Some(connection) = m.ws.session().verify().connection.clone() else {
        ConnectionForm::open(m, Some(target));
        return m.info(
            "No SCIM connection yet: give the app's SCIM base URL and how it authenticates.",
        );
    };
    let jobs = match &target {
        VerifyTarget::Spec(None) | VerifyTarget::Crud(None) => {
            // It creates a user: say which, and ask first.
            return suites::offer(m, &connection, &target);
        }
        VerifyTarget::Spec(Some(_)) | VerifyTarget::Crud(Some(_)) => Vec::new(),
        VerifyTarget::Start(case) => match start_job(m, &target, *case) {
            Some(job) => vec![job],
            None => return,
        },
        VerifyTarget::Case { case, .. } => match case_check(m, &target, *case) {
            Some(job) if job.recipe.steps.is_empty() && okta_access(m).is_none() => {
                return m.error(VerifyError::OktaOnly { case: job.case }.to_string());
            }
            Some(job) => vec![job],
            None => return,
        },
        VerifyTarget::All => {
            // Only cases without an outcome whose steps are ticked (verify::batch_jobs).
            let mut batch = pending_batch(m);
            if okta_access(m).is_none() {
                batch.without_okta();
            }
            let Batch {
                jobs,
                left_out: not_ready,
            } = batch;
            if jobs.is_empty() {
                let why = not_ready
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                return m.error(format!(
                    "Nothing to verify: no case without an outcome has its steps ticked and its inputs{why}. Verify one case with v to give its inputs."
                ));
            }
            jobs
        }
    };
    let from_env = || {
        m.secrets_from_env
            .then(|| Secret::from_env(&connection.auth).ok())
            .flatten()
    };
    let secret = match m.secret.clone().or_else(from_env) {
        Some(secret) => secret,
        None => return ask_secret(m, target, SecretKind::Scim, connection.auth.secret_env()),
    };
    let sink = m.inbox.job_sink();
    match target {
        VerifyTarget::Start(_) => {
            if let Some(job) = jobs.into_iter().next() {
                spawn_start_job(m, job, connection, secret, sink);
            }
            return;
        }
        VerifyTarget::Spec(Some(options)) => {
            m.info(format!(
                "Running Okta's SPEC file against {} (creates {}, deactivated at the end)…",
                connection.base_url,
                options.user_name()
            ));
            let running = spawn_spec(connection, secret, *options, sink);
            let kind = RunKind::Suite(SuiteKind::Spec, SuiteProgress::default());
            m.jobs.start_check(Verification::new(kind), running);
            return;
        }
        VerifyTarget::Crud(Some(options)) => {
            let Some(token) = api_token(m) else {
                let target = VerifyTarget::Crud(Some(options));
                return ask_secret(m, target, SecretKind::Okta, connection.auth.secret_env());
            };
            m.info(format!(
                "Running Okta's CRUD file against {} and {} (creates the Okta user {}, removed at the end)…",
                options.okta.org_url,
                connection.base_url,
                options.okta_user()
            ));
            let running = spawn_crud(connection, secret, token, *options, sink);
            let kind = RunKind::Suite(SuiteKind::Crud, SuiteProgress::default());
            m.jobs.start_check(Verification::new(kind), running);
            return;
        }
        _ => {}
    }
    let cases: Vec<String> = jobs.iter().map(|j| j.case.clone()).collect();
    m.info(format!(
        "Verifying {} case(s) against {}…",
        cases.len(),
        connection.base_url
    ));
    let kind = cases_kind(m, &jobs, &target);
    let running = spawn_all(jobs, connection, secret, okta_access(m), sink);
    m.jobs.start_check(Verification::new(kind), running);
}

/// What a check of `jobs` for `target` shows, with each case's outcome as the check starts.
fn cases_kind(m: &Model, jobs: &[CheckJob], target: &VerifyTarget) -> RunKind {
    let session = m.ws.session();
    let replace = match target {
        VerifyTarget::Case {
            case,
            replace: true,
        } => Some(m.ws.plan.cases[*case].id.clone()),
        _ => None,
    };
    RunKind::Cases {
        replace,
        cases: jobs.iter().map(|j| j.case.clone()).collect(),
        finished: Vec::new(),
        started_with: jobs
            .iter()
            .map(|j| (j.case.clone(), session.standing(&j.case)))
            .collect(),
    }
}

/// The job of case `case`, or `None` when it cannot be made yet: no recipe (said), or an input
/// missing (its prompt is open).
fn case_check(m: &mut Model, target: &VerifyTarget, case: usize) -> Option<CheckJob> {
    if !recipe_and_inputs(m, target, case) {
        return None;
    }
    let id = m.ws.plan.cases[case].id.clone();
    let deadline = m.settings.verify_deadline;
    case_job(&m.recipes, &m.ws.plan, m.ws.session(), &id, deadline)
        .map_err(|e| m.error(e.to_string()))
        .ok()
}

/// The checks `V` would run: applicable cases with no outcome whose steps are all ticked.
fn pending_batch(m: &Model) -> Batch {
    batch_jobs(
        &m.recipes,
        &m.ws.plan,
        &m.ws.reqs,
        m.ws.session(),
        None,
        BatchMode::Pending,
        m.settings.verify_deadline,
    )
}

/// Whether `case` has a recipe and the session knows its inputs; otherwise says there is no
/// recipe, or asks for the first missing input (the job carries on when it is typed).
fn recipe_and_inputs(m: &mut Model, target: &VerifyTarget, case: usize) -> bool {
    let id = m.ws.plan.cases[case].id.clone();
    if m.recipes.for_case(&id).is_none() {
        m.error(format!(
            "{id} has no verification recipe: check it by hand. Cases with a recipe: {}",
            m.recipes.cases().collect::<Vec<_>>().join(", ")
        ));
        return false;
    }
    let verify = m.ws.session().verify();
    // A list Okta would give (a group's members) is typed when the org is not connected.
    let from_okta = m
        .recipes
        .for_case(&id)
        .and_then(|r| r.okta_members.as_ref())
        .map(|members| members.into.clone())
        .filter(|into| {
            okta_access(m).is_none() && verify.subjects.get(into).is_none_or(|v| v.is_empty())
        });
    let missing = m.recipes.missing_inputs(&id, &verify.subjects);
    let Some(name) = missing.first().cloned().or(from_okta) else {
        return true;
    };
    let mut title = format!("{id}: {}", m.recipes.prompt(&name));
    if m.recipes.is_list(&name) {
        title.push_str(" (comma-separated)");
    }
    let target = target.clone();
    Prompt::open(m, Purpose::Input { target, name }, title);
    false
}

/// Asks for a secret in the masked prompt; the run carries on when it is typed.
fn ask_secret(m: &mut Model, target: VerifyTarget, kind: SecretKind, scim_env: &str) {
    let title = kind.ask(scim_env);
    Prompt::open(m, Purpose::Secret { target, kind }, title);
}

/// Case `case` is checked in Okta only and an org is connected.
fn is_okta_only(m: &Model, case: usize) -> bool {
    let id = &m.ws.plan.cases[case].id;
    m.ws.session().verify().okta.is_some()
        && m.recipes.for_case(id).is_some_and(|r| r.steps.is_empty())
}

/// `v` on such a case.
fn verify_okta_only_case(m: &mut Model, target: VerifyTarget, case: usize) {
    let Some(job) = case_check(m, &target, case) else {
        return;
    };
    run_okta_only(m, target, vec![job], String::new());
}

/// `V` without a SCIM connection: the pending cases checked in Okta only, when an org is
/// connected and there are some; `false` leaves it to the usual path (which asks for the
/// app's connection).
fn verify_all_okta_only(m: &mut Model) -> bool {
    if m.ws.session().verify().okta.is_none() {
        return false;
    }
    let Batch { jobs, .. } = pending_batch(m);
    let (okta_only, need_scim): (Vec<CheckJob>, Vec<CheckJob>) = jobs
        .into_iter()
        .partition(|job| job.recipe.steps.is_empty());
    if okta_only.is_empty() {
        return false;
    }
    let left = if need_scim.is_empty() {
        String::new()
    } else {
        format!(
            "; {} more need the app's SCIM connection (C)",
            need_scim.len()
        )
    };
    run_okta_only(m, VerifyTarget::All, okta_only, left);
    true
}

fn run_okta_only(m: &mut Model, target: VerifyTarget, jobs: Vec<CheckJob>, left: String) {
    let Some(okta) = okta_access(m) else {
        return ask_secret(m, target, SecretKind::Okta, "");
    };
    m.info(format!(
        "Verifying {} case(s) in the Okta org {}{left}…",
        jobs.len(),
        okta.connection.org_url
    ));
    let kind = cases_kind(m, &jobs, &target);
    let running = spawn_okta_only(jobs, okta, m.inbox.job_sink());
    m.jobs.start_check(Verification::new(kind), running);
}

/// The start's job, once the case has a recipe with `before` steps and its inputs are known;
/// `None` when something was asked or refused (the message says which).
fn start_job(m: &mut Model, target: &VerifyTarget, case: usize) -> Option<CheckJob> {
    if !recipe_and_inputs(m, target, case) {
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

fn spawn_start_job(
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
    m.jobs
        .start_check(Verification::new(RunKind::Start(case)), running);
}

/// Stops the running check, if any (quitting, a signal).
pub fn cancel_check(m: &mut Model) {
    if m.jobs.cancel(JobKind::Check) {
        m.info("Cancelling the verification…");
    }
}

/// One result from the running check.
pub fn handle(m: &mut Model, event: VerifyEvent) {
    match event {
        VerifyEvent::Attempt {
            case,
            number,
            passed,
            failed,
            first_failure,
            retry_in,
        } => {
            let mut line = format!("{case} attempt {number}: {passed} held, {failed} not");
            if let Some(failure) = first_failure {
                line.push_str(&format!("; {failure}"));
            }
            if let Some(wait) = retry_in {
                line.push_str(&format!("; again in {:.1} s", wait.as_secs_f32()));
            }
            if let Some(running) = m.jobs.check_mut() {
                running.progress = line;
            }
        }
        VerifyEvent::Waiting(what) => {
            if let Some(running) = m.jobs.check_mut() {
                running.progress = what;
            }
        }
        VerifyEvent::Finished(run) => {
            let (case, verdict, summary) = (run.case.clone(), run.verdict, run.summary.clone());
            let okta_not_checked = run.okta_not_checked.is_some();
            let refused = matches!(run.failure, Some(RunFailure::CredentialsRefused { .. }));
            let okta_refused = matches!(
                run.failure,
                Some(RunFailure::Okta {
                    credentials_refused: true
                })
            );
            let started_with = match m.running().and_then(|r| r.verification()).map(|v| &v.kind) {
                Some(RunKind::Cases { started_with, .. }) => {
                    started_with.get(&case).cloned().unwrap_or_default()
                }
                _ => m.ws.session().standing(&case),
            };
            // The tester confirmed the verdict may replace a person's outcome (asked on `v`).
            let replace = matches!(
                m.running().and_then(|r| r.verification()).map(|v| &v.kind),
                Some(RunKind::Cases { replace: Some(c), .. }) if *c == case
            );
            let effect = m.ws.apply(Command::RecordRun {
                run,
                started_with,
                replace,
            });
            m.after_change();
            if let Some(running) = m.jobs.check_mut() {
                if let RunKind::Cases { finished, .. } = &mut running.kind {
                    finished.push(verdict);
                }
                running.progress.clear();
            }
            let mut text = format!("{case} verified: {} {summary}", verdict.label());
            if okta_not_checked {
                text.push_str(" (SCIM side only: Okta side not checked, connect the org with C)");
            }
            // A typed secret the app refused is dropped, so the next v asks for it again.
            if refused && m.secret.take().is_some() {
                text.push_str(" The typed secret is forgotten: v asks for it again.");
            }
            if okta_refused && m.okta_secret.take().is_some() {
                text.push_str(
                    " The typed Okta token is forgotten: type it again in the connection form (C).",
                );
            }
            // The verdict left an outcome someone decided alone: say whose, and why.
            if let Some(refusal) = &effect.refused {
                text = refusal.to_string();
            }
            match verdict {
                _ if effect.refused.is_some() => m.error(text),
                Verdict::Error => m.error(text),
                _ => m.info(text),
            }
        }
        VerifyEvent::Failed(why) => m.error(format!("Verification could not start: {why}")),
        VerifyEvent::SpecCheck(check) => {
            // Beyond Okta's file: shown as progress, never counted with the file's steps.
            if let Some(running) = m.jobs.check_mut()
                && let RunKind::Suite(..) = &running.kind
            {
                running.progress =
                    format!("beyond the file: {} {}", check.status.label(), check.name);
            }
        }
        VerifyEvent::FileStep(step) => {
            if let Some(running) = m.jobs.check_mut()
                && let RunKind::Suite(_, spec) = &mut running.kind
                && step.status != StepStatus::Pause
            {
                spec.done += 1;
                match step.status {
                    StepStatus::Fail | StepStatus::NotRun => spec.failed += 1,
                    StepStatus::Warn => spec.warned += 1,
                    _ => {}
                }
                running.progress = format!("{} {}", step.status.label(), step.title());
                if let Some(why) = suites::first_problem(&step) {
                    running.progress.push_str(&format!(": {why}"));
                }
            }
        }
        VerifyEvent::FileAttempt {
            position,
            number,
            failing,
            retry_in,
        } => {
            if let Some(running) = m.jobs.check_mut() {
                running.progress = format!(
                    "step {position} attempt {number}: {failing}; again in {:.1} s",
                    retry_in.as_secs_f32()
                );
            }
        }
        VerifyEvent::Started(report) => started(m, *report),
        VerifyEvent::SpecFinished(report) => suites::spec_finished(m, *report),
        VerifyEvent::CrudFinished(report) => suites::crud_finished(m, *report),
        VerifyEvent::Progress(line) => {
            if let Some(running) = m.jobs.check_mut() {
                running.progress = line;
            }
        }
        VerifyEvent::Ended => {
            let Some(Work::Check(finished)) = m.jobs.finish(JobKind::Check).map(|j| j.work) else {
                return;
            };
            if let RunKind::Cases {
                cases, finished, ..
            } = &finished.kind
                && cases.len() > 1
            {
                let count = |v: Verdict| finished.iter().filter(|f| **f == v).count();
                m.info(format!(
                    "{} verified: {} pass, {} fail, {} error, {} cancelled.",
                    finished.len(),
                    count(Verdict::Pass),
                    count(Verdict::Fail),
                    count(Verdict::Error),
                    count(Verdict::Cancelled)
                ));
            }
        }
    }
}

/// The start's observation came back: kept for the case's check, or why nothing was kept.
fn started(m: &mut Model, report: StartReport) {
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
