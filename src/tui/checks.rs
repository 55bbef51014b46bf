//! Checks from the checklist: `v` (a case), `V` (the pending cases), `t` (a case's start), `r`
//! and `R` (Okta's SPEC and CRUD files, asked first in `suites`). Which cases a check runs, on
//! which side, and what it still needs is the verification planner's (`verify::Planner`): this
//! presents its plan. What is missing is asked by an overlay that carries the check and hands
//! it back when answered (`Action::Check`): the connection form, an input or secret prompt,
//! the suite's question. Then it runs on the verify worker as a job; its results arrive as
//! `Action::Job`, recorded here (a verdict only over the outcome the case had when it started,
//! or over a person's outcome when the tester agreed).

use super::action::{SecretKind, VerifyTarget};
use super::job::{JobKind, RunKind, SuiteProgress, Verification, Work};
use super::model::Model;
use super::okta_access::api_token;
use super::overlays::connection::ConnectionForm;
use super::overlays::prompt::{Prompt, Purpose};
use super::suites;
use crate::net::Secret;
use crate::session::{Command, RunFailure, StepStatus, SuiteKind};
use crate::verify::planner::Needed;
use crate::verify::{
    Access, CheckJob, Missing, Planner, Request, Secrets, Sink, StartReport, Verdict, VerifyEvent,
    VerifyPlan, Why, spawn_checks, spawn_crud, spawn_spec, spawn_start,
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
    match target {
        VerifyTarget::Spec(_) | VerifyTarget::Crud(_) => run_suite(m, target),
        VerifyTarget::Case { .. } | VerifyTarget::All | VerifyTarget::Start(_) => check(m, target),
    }
}

/// What `target` (a case, the pending cases, a case's start) would do now: the planner's
/// answer for the session, the recipes and the secrets this checklist holds. `None` for
/// Okta's suites, which are no case checks.
pub fn plan_for(m: &Model, target: &VerifyTarget) -> Option<VerifyPlan> {
    let id = |case: &usize| m.ws.plan.cases[*case].id.clone();
    let request = match target {
        VerifyTarget::Case { case, .. } => Request::Cases(vec![id(case)]),
        VerifyTarget::Start(case) => Request::Start(vec![id(case)]),
        VerifyTarget::All => Request::Pending,
        VerifyTarget::Spec(_) | VerifyTarget::Crud(_) => return None,
    };
    let from_env = m.secrets_from_env;
    let secrets = Secrets {
        scim: m.secret.clone().or_else(|| {
            let connection = m.ws.session().verify().connection.as_ref()?;
            from_env
                .then(|| Secret::from_env(&connection.auth).ok())
                .flatten()
        }),
        okta_token: api_token(m),
    };
    let planner = Planner {
        book: &m.recipes,
        plan: &m.ws.plan,
        reqs: &m.ws.reqs,
        session: m.ws.session(),
        secrets: &secrets,
        deadline: m.settings.verify_deadline,
    };
    Some(planner.plan(request))
}

/// Presents the plan: asks for the first thing missing (the connection form, an input, a
/// secret), says why a case cannot run, or starts the jobs on the worker.
fn check(m: &mut Model, target: VerifyTarget) {
    let Some(plan) = plan_for(m, &target) else {
        return;
    };
    let first = plan.missing.first().cloned();
    if let Some(Missing::Connection | Missing::ScimConnection { .. }) = &first {
        ConnectionForm::open(m, Some(target));
        return m.info(
            "No SCIM connection yet: give the app's SCIM base URL and how it authenticates.",
        );
    }
    if plan.request.named().is_some()
        && let Some(left) = plan.left_out.first()
    {
        return m.error(left.to_string());
    }
    match first {
        Some(Missing::Inputs { case, inputs }) => return ask_input(m, target, &case, &inputs[0]),
        Some(Missing::Members { case, into, .. }) => return ask_input(m, target, &case, &into),
        Some(Missing::ScimSecret { var }) => return ask_secret(m, target, SecretKind::Scim, var),
        Some(Missing::OktaToken { .. }) => return ask_secret(m, target, SecretKind::Okta, ""),
        Some(missing) => return m.error(missing.to_string()),
        None => {}
    }
    if plan.jobs.is_empty() {
        let why = plan
            .left_out
            .first()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return m.error(format!(
            "Nothing to verify: no case without an outcome has its steps ticked and its inputs{why}. Verify one case with v to give its inputs."
        ));
    }
    let sink = m.inbox.job_sink();
    let VerifyPlan {
        jobs,
        access,
        left_out,
        ..
    } = plan;
    if matches!(target, VerifyTarget::Start(_)) {
        if let Some(job) = jobs.into_iter().next() {
            spawn_start_job(m, job, access, sink);
        }
        return;
    }
    m.info(match (&access.scim, &access.okta) {
        (Some(scim), _) => format!(
            "Verifying {} case(s) against {}…",
            jobs.len(),
            scim.connection.base_url
        ),
        (None, okta) => {
            let need_scim = left_out
                .iter()
                .filter(|l| matches!(l.why, Why::NeedsScim))
                .count();
            let more = if need_scim == 0 {
                String::new()
            } else {
                format!("; {need_scim} more need the app's SCIM connection (C)")
            };
            format!(
                "Verifying {} case(s) in the Okta org {}{more}…",
                jobs.len(),
                okta.as_ref()
                    .map(|o| o.connection.org_url.as_str())
                    .unwrap_or_default()
            )
        }
    });
    let kind = cases_kind(m, &jobs, &target);
    let running = spawn_checks(jobs, access, sink);
    m.jobs.start_check(Verification::new(kind), running);
}

/// Okta's SPEC or CRUD file: the app's connection, the tester's consent (it creates a user),
/// the secrets, then the run in the background.
fn run_suite(m: &mut Model, target: VerifyTarget) {
    let Some(connection) = m.ws.session().verify().connection.clone() else {
        ConnectionForm::open(m, Some(target));
        return m.info(
            "No SCIM connection yet: give the app's SCIM base URL and how it authenticates.",
        );
    };
    if matches!(target, VerifyTarget::Spec(None) | VerifyTarget::Crud(None)) {
        // It creates a user: say which, and ask first.
        return suites::offer(m, &connection, &target);
    }
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
        VerifyTarget::Spec(Some(options)) => {
            m.info(format!(
                "Running Okta's SPEC file against {} (creates {}, deactivated at the end)…",
                connection.base_url,
                options.user_name()
            ));
            let running = spawn_spec(connection, secret, *options, sink);
            let kind = RunKind::Suite(SuiteKind::Spec, SuiteProgress::default());
            m.jobs.start_check(Verification::new(kind), running);
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
        }
        _ => {}
    }
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

/// Asks for an input `case` needs in the prompt; the job carries on when it is typed.
fn ask_input(m: &mut Model, target: VerifyTarget, case: &str, input: &Needed) {
    let mut title = format!("{case}: {}", input.prompt);
    // A list's prompt may say so itself ("..., comma-separated").
    if input.list && !title.contains("comma-separated") {
        title.push_str(" (comma-separated)");
    }
    let name = input.name.clone();
    Prompt::open(m, Purpose::Input { target, name }, title);
}

/// Asks for a secret in the masked prompt; the run carries on when it is typed.
fn ask_secret(m: &mut Model, target: VerifyTarget, kind: SecretKind, scim_env: &str) {
    let title = kind.ask(scim_env);
    Prompt::open(m, Purpose::Secret { target, kind }, title);
}

/// Runs the start of `job` in the background with the plan's access.
fn spawn_start_job(m: &mut Model, job: CheckJob, access: Access, sink: impl Sink) {
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
                text.push_str(" The typed Okta token is forgotten: v asks for it again.");
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
