//! The checklist's links to the rest of scimplan: the readiness verdict on the summary, the
//! completed-workbook export, the Runscope links, and the background job through its stages
//! (connection, inputs, secret, consent, running). Results arrive as `Action::Job` on the same
//! channel as keys, so the screen shows them the moment they come.

use tui_input::Input;

use super::connect_form;
use super::model::{Job, Model, Overlay, Prompt, PromptKind, SummaryView};
use super::okta_only;
use super::state::{RunKind, SuiteProgress, Verification};
pub use super::state::{SecretKind, VerifyTarget};
use super::suites;
use crate::net::Secret;
use crate::report::{assess, export_workspace};
use crate::session::{Command, OktaAuth, RunFailure, StepStatus, SuiteKind};
use crate::verify::worker::OktaAccess;
use crate::verify::{
    Batch, BatchMode, CheckJob, Verdict, VerifyError, VerifyEvent, batch_jobs, case_job, spawn_all,
    spawn_crud, spawn_spec,
};

pub fn open_summary(m: &mut Model) {
    let readiness = assess(&m.ws.plan, &m.ws.reqs, m.ws.session());
    m.push(Overlay::Summary(SummaryView {
        readiness,
        cursor: 0,
    }));
}

/// Assesses again when the summary is open and what it shows may have changed.
pub fn refresh_readiness(m: &mut Model) {
    let readiness = assess(&m.ws.plan, &m.ws.reqs, m.ws.session());
    if let Some(summary) = m.summary_mut() {
        summary.readiness = readiness;
        summary.cursor = summary
            .cursor
            .min(summary.readiness.blockers.len().saturating_sub(1));
    }
}

pub fn move_summary_cursor(m: &mut Model, by: isize) {
    if let Some(summary) = m.summary_mut() {
        let last = summary.readiness.blockers.len().saturating_sub(1) as isize;
        summary.cursor = (summary.cursor as isize + by).clamp(0, last) as usize;
    }
}

/// Enter on a blocker: back to the checklist with its case selected.
pub fn jump_to_blocker(m: &mut Model) {
    let target = m
        .summary()
        .and_then(|s| s.readiness.blockers.get(s.cursor))
        .map(|b| (b.case_index, b.id.clone()));
    match target {
        Some((case, id)) => {
            m.overlays.clear();
            m.select_case(case);
            m.info(format!("{id}: a blocker of the submission."));
        }
        None => m.info("No blocker to go to: every applicable case passed."),
    }
}

/// `E`: writes the completed workbook and says where (or why not).
pub fn export(m: &mut Model) {
    m.credit_time();
    m.save();
    match export_workspace(&m.ws, None) {
        Ok(path) => m.info(format!("Completed workbook written: {}", path.display())),
        Err(e) => m.error(format!("Export failed: {e}")),
    }
}

pub fn open_prompt(m: &mut Model, kind: PromptKind, title: String, case: usize) {
    m.push(Overlay::Prompt(Prompt {
        kind,
        case,
        input: Input::default(),
        title,
    }));
}

/// `l` / `L` on the summary: asks for a Runscope link, starting from the recorded one.
pub fn ask_link(m: &mut Model, kind: PromptKind) {
    let links = m.ws.session().suites();
    let current = match kind {
        PromptKind::SpecLink => links.spec.clone(),
        _ => links.crud.clone(),
    };
    open_prompt(m, kind, kind.label().to_string(), 0);
    if let (Some(Overlay::Prompt(prompt)), Some(link)) = (m.top_mut(), current) {
        prompt.input = Input::new(link);
    }
}

/// Enter in a link prompt: records a link, or says why it is none and keeps the field open.
pub fn record_link(m: &mut Model, kind: PromptKind, value: &str) {
    let suite = if kind == PromptKind::SpecLink {
        "SPEC"
    } else {
        "CRUD"
    };
    let link = match crate::session::check_link(&format!("The {suite} link"), value) {
        Ok(link) => link,
        Err(error) => return m.error(error.to_string()),
    };
    m.pop();
    let kind = match kind {
        PromptKind::SpecLink => SuiteKind::Spec,
        _ => SuiteKind::Crud,
    };
    m.ws.apply(Command::SuiteLink { suite: kind, link });
    m.after_change();
    refresh_readiness(m);
    m.info(format!("{suite} suite link recorded."));
}

/// Whether the input being asked for can take `value` (one value, a list, a number...).
pub fn check_input(m: &Model, value: &str) -> Result<(), String> {
    match &m.job {
        Job::NeedsInput { name, .. } => m.recipes.check_input(name, value),
        _ => Ok(()),
    }
}

/// The input a recipe asked for was typed: remember it and carry on.
pub fn input_given(m: &mut Model, value: String) {
    if let Job::NeedsInput { target, name } = std::mem::take(&mut m.job) {
        m.ws.apply(Command::Subject { name, value });
        m.after_change();
        verify(m, target);
    }
}

/// Whether the job waits for the secret of `kind`.
pub fn waits_for(m: &Model, kind: SecretKind) -> bool {
    matches!(&m.job, Job::NeedsSecret(_, k) if *k == kind)
}

/// A secret was typed: keep it in memory and carry on.
pub fn secret_given(m: &mut Model, value: String) {
    if let Job::NeedsSecret(target, kind) = std::mem::take(&mut m.job) {
        let slot = match kind {
            SecretKind::Scim => &mut m.secret,
            SecretKind::Okta => &mut m.okta_secret,
        };
        *slot = Some(Secret::new(value));
        verify(m, target);
    }
}

/// Esc where the job waited on the tester: nothing runs.
pub fn abandon(m: &mut Model) {
    let target = match std::mem::take(&mut m.job) {
        Job::NeedsInput { target, .. }
        | Job::NeedsSecret(target, _)
        | Job::NeedsConnection(target)
        | Job::NeedsConsent(target) => target,
        Job::Running(running) => {
            // Never dropped while it runs: put it back.
            m.job = Job::Running(running);
            return;
        }
        Job::Idle => return m.info("Not verified."),
    };
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

/// `v` / `V` / `r`: moves the job to its next stage: asks for what is missing, or starts the
/// work in the background.
pub fn verify(m: &mut Model, target: VerifyTarget) {
    if m.running().is_some() {
        return m.info("A verification is already running: wait for it, or Esc to cancel it.");
    }
    if m.ws.session().verify().connection.is_none() {
        match target {
            VerifyTarget::Case(case) if okta_only::is_okta_only(m, case) => {
                return okta_only::verify_case(m, case);
            }
            VerifyTarget::All if okta_only::verify_all(m) => return,
            _ => {}
        }
    }
    let Some(connection) = m.ws.session().verify().connection.clone() else {
        m.job = Job::NeedsConnection(target);
        connect_form::open(m);
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
        VerifyTarget::Start(case) => match super::start::job(m, &target, *case) {
            Some(job) => vec![job],
            None => return,
        },
        VerifyTarget::Case(case) => match case_check(m, *case) {
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
                super::start::spawn(m, job, connection, secret, sink);
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
            m.job = Job::Running(Verification::new(
                running,
                RunKind::Suite(SuiteKind::Spec, SuiteProgress::default()),
            ));
            return;
        }
        VerifyTarget::Crud(Some(options)) => {
            let Some(token) = super::okta::api_token(m) else {
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
            m.job = Job::Running(Verification::new(
                running,
                RunKind::Suite(SuiteKind::Crud, SuiteProgress::default()),
            ));
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
    let kind = cases_kind(m, &jobs);
    let running = spawn_all(jobs, connection, secret, okta_access(m), sink);
    m.job = Job::Running(Verification::new(running, kind));
}

/// What a check of `jobs` shows, with each case's outcome as the check starts.
pub fn cases_kind(m: &Model, jobs: &[CheckJob]) -> RunKind {
    let session = m.ws.session();
    RunKind::Cases {
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
pub(super) fn case_check(m: &mut Model, case: usize) -> Option<CheckJob> {
    if !recipe_and_inputs(m, &VerifyTarget::Case(case), case) {
        return None;
    }
    let id = m.ws.plan.cases[case].id.clone();
    let deadline = m.settings.verify_deadline;
    case_job(&m.recipes, &m.ws.plan, m.ws.session(), &id, deadline)
        .map_err(|e| m.error(e.to_string()))
        .ok()
}

/// The checks `V` would run: applicable cases with no outcome whose steps are all ticked.
pub(super) fn pending_batch(m: &Model) -> Batch {
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
pub fn recipe_and_inputs(m: &mut Model, target: &VerifyTarget, case: usize) -> bool {
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
    m.job = Job::NeedsInput {
        target: target.clone(),
        name,
    };
    open_prompt(m, PromptKind::VerifyInput, title, case);
    false
}

/// Asks for a secret in the masked prompt; the run carries on when it is typed.
pub(super) fn ask_secret(m: &mut Model, target: VerifyTarget, kind: SecretKind, scim_env: &str) {
    let title = kind.ask(scim_env);
    let case = match &target {
        VerifyTarget::Case(case) | VerifyTarget::Start(case) => *case,
        _ => 0,
    };
    m.job = Job::NeedsSecret(target, kind);
    let prompt = match kind {
        SecretKind::Scim => PromptKind::Secret,
        SecretKind::Okta => PromptKind::OktaToken,
    };
    open_prompt(m, prompt, title, case);
}

/// The Okta org for the cases' Okta side: the session's connection with the API token typed
/// in the checklist, else `SCIMPLAN_OKTA_TOKEN` (a service app signs in on the worker's
/// thread). `None`: the SCIM side alone, and each run says what the Okta side would add.
pub(super) fn okta_access(m: &Model) -> Option<OktaAccess> {
    let connection = m.ws.session().verify().okta.clone()?;
    let api_token = super::okta::api_token(m);
    if connection.auth == OktaAuth::ApiToken && api_token.is_none() {
        return None;
    }
    Some(OktaAccess {
        connection,
        api_token,
    })
}

/// Esc while verifying: asks the worker to stop; its cancelled run arrives as an action.
pub fn cancel(m: &mut Model) -> bool {
    let Some(running) = m.job.running_mut() else {
        return false;
    };
    running.running.cancel.cancel();
    running.cancelled = true;
    m.info("Cancelling the verification…");
    true
}

/// After a signal: cancels the running job and handles its results until it ended (a suite
/// run's clean-up included), for at most `limit`.
pub fn finish_cancelled(m: &mut Model, limit: std::time::Duration) {
    cancel(m);
    let until = std::time::Instant::now() + limit;
    while m.running().is_some() && std::time::Instant::now() < until {
        if let Some(super::model::AppEvent::Job(event)) =
            m.inbox.recv_timeout(std::time::Duration::from_millis(100))
        {
            handle(m, event);
        }
    }
}

/// Handles the job results already sent (before quitting: what finished is recorded).
pub fn take_finished(m: &mut Model) {
    while let Some(event) = m.inbox.try_recv() {
        if let super::model::AppEvent::Job(event) = event {
            handle(m, event);
        }
    }
}

/// One result from the background job.
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
            if let Some(running) = m.job.running_mut() {
                running.progress = line;
            }
        }
        VerifyEvent::Waiting(what) => {
            if let Some(running) = m.job.running_mut() {
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
            let started_with = match m.job.running().map(|r| &r.kind) {
                Some(RunKind::Cases { started_with, .. }) => {
                    started_with.get(&case).cloned().unwrap_or_default()
                }
                _ => m.ws.session().standing(&case),
            };
            let effect = m.ws.apply(Command::RecordRun {
                run,
                started_with,
                replace: false,
            });
            m.after_change();
            refresh_readiness(m);
            if let Some(running) = m.job.running_mut() {
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
            if let Some(running) = m.job.running_mut()
                && let RunKind::Suite(..) = &running.kind
            {
                running.progress =
                    format!("beyond the file: {} {}", check.status.label(), check.name);
            }
        }
        VerifyEvent::FileStep(step) => {
            if let Some(running) = m.job.running_mut()
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
            if let Some(running) = m.job.running_mut() {
                running.progress = format!(
                    "step {position} attempt {number}: {failing}; again in {:.1} s",
                    retry_in.as_secs_f32()
                );
            }
        }
        VerifyEvent::Started(report) => super::start::finished(m, *report),
        VerifyEvent::SpecFinished(report) => suites::spec_finished(m, *report),
        VerifyEvent::CrudFinished(report) => suites::crud_finished(m, *report),
        VerifyEvent::Progress(line) => {
            if let Some(running) = m.job.running_mut() {
                running.progress = line;
            }
        }
        VerifyEvent::Ended => {
            let Job::Running(finished) = std::mem::take(&mut m.job) else {
                return;
            };
            let _ = finished.running.thread.join();
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
