//! The checklist's links to the rest of scimplan: the readiness verdict on the summary, the
//! completed-workbook export, the Runscope links, and verification in the background (polled on
//! every tick, so the screen never waits for the app's API).

use std::sync::mpsc::TryRecvError;

use tui_input::Input;

use super::action::Action;
use super::connect_form;
use super::keymap::Mode;
use super::model::{Model, Prompt, PromptKind};
use crate::report::{assess, export_workspace};
use crate::session::{CheckStatus, RunFailure};
use crate::verify::{
    CheckJob, Running, Secret, SpecOptions, Verdict, VerifyEvent, prepare_all, record_run,
    record_spec, spawn_all, spawn_spec,
};

/// What `v` or `V` asked to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyTarget {
    Case(usize),
    All,
    /// scimplan's SPEC suite.
    Spec,
}

impl VerifyTarget {
    /// The case a prompt about this target belongs to.
    fn case(self) -> usize {
        match self {
            VerifyTarget::Case(case) => case,
            _ => 0,
        }
    }
}

/// How far a SPEC run has come.
#[derive(Debug, Clone, Default)]
pub struct SpecProgress {
    pub done: usize,
    pub failed: usize,
    pub warned: usize,
}

/// A verification in progress and what it has shown so far.
pub struct Verification {
    pub running: Running,
    /// Cases in the run, in order.
    pub cases: Vec<String>,
    /// Runs finished so far, by verdict.
    pub finished: Vec<Verdict>,
    /// The latest polling attempt, for the footer.
    pub progress: String,
    /// Ticks seen, for the spinner.
    pub ticks: usize,
    pub cancelled: bool,
    /// Set when this is a SPEC suite run rather than case checks.
    pub spec: Option<SpecProgress>,
}

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

impl Verification {
    pub fn spinner(&self) -> char {
        SPINNER[self.ticks % SPINNER.len()]
    }

    /// One line for the footer: which case, which attempt, what failed, when it retries.
    pub fn status_line(&self) -> String {
        let stop = if self.cancelled {
            "cancelling…"
        } else {
            "Esc cancels"
        };
        if let Some(spec) = &self.spec {
            let last = if self.progress.is_empty() {
                "first check…".to_string()
            } else {
                format!("last: {}", self.progress)
            };
            return format!(
                "{} SPEC suite: {} checks done, {} failed, {} warning(s); {last} ({stop})",
                self.spinner(),
                spec.done,
                spec.failed,
                spec.warned
            );
        }
        let at = (self.finished.len() + 1).min(self.cases.len());
        let case = self.cases.get(at - 1).map(String::as_str).unwrap_or("");
        let what = if self.progress.is_empty() {
            format!("{case}: first attempt…")
        } else {
            self.progress.clone()
        };
        format!(
            "{} Verifying {at}/{}: {what} ({stop})",
            self.spinner(),
            self.cases.len()
        )
    }
}

pub fn open_summary(m: &mut Model) {
    refresh_readiness(m);
    m.summary_cursor = 0;
    m.mode = Mode::Summary;
}

pub fn refresh_readiness(m: &mut Model) {
    m.readiness = Some(assess(&m.ws.plan, &m.ws.reqs, &m.ws.store.session));
}

fn blocker_count(m: &Model) -> usize {
    m.readiness.as_ref().map_or(0, |r| r.blockers.len())
}

pub fn move_summary_cursor(m: &mut Model, by: isize) {
    let last = blocker_count(m).saturating_sub(1) as isize;
    m.summary_cursor = (m.summary_cursor as isize + by).clamp(0, last) as usize;
}

/// Enter on a blocker: back to the checklist with its case selected.
pub fn jump_to_blocker(m: &mut Model) {
    let target = m
        .readiness
        .as_ref()
        .and_then(|r| r.blockers.get(m.summary_cursor))
        .map(|b| (b.case_index, b.id.clone()));
    match target {
        Some((case, id)) => {
            m.mode = Mode::Normal;
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

fn open_prompt(m: &mut Model, kind: PromptKind, title: String, case: usize) {
    m.prompt = Some(Prompt {
        kind,
        case,
        input: Input::default(),
        title,
        back: m.mode,
    });
    m.mode = Mode::Prompt;
}

/// `l` / `L` on the summary: asks for a Runscope link, starting from the recorded one.
pub fn ask_link(m: &mut Model, kind: PromptKind) {
    let links = &m.ws.store.session.suites;
    let current = match kind {
        PromptKind::SpecLink => links.spec.clone(),
        _ => links.crud.clone(),
    };
    open_prompt(m, kind, kind.label().to_string(), 0);
    if let (Some(prompt), Some(link)) = (m.prompt.as_mut(), current) {
        prompt.input = Input::new(link);
    }
}

/// Enter in a prompt this module opened. Returns false when the prompt stays open.
pub fn submit(m: &mut Model, kind: PromptKind, value: String) -> bool {
    match kind {
        PromptKind::SpecLink | PromptKind::CrudLink => {
            let suite = if kind == PromptKind::SpecLink {
                "SPEC"
            } else {
                "CRUD"
            };
            let link = match crate::session::check_link(&format!("The {suite} link"), &value) {
                Ok(link) => link,
                Err(error) => {
                    m.error(error.to_string());
                    return false;
                }
            };
            let links = &mut m.ws.store.session.suites;
            if kind == PromptKind::SpecLink {
                links.spec = Some(link);
            } else {
                links.crud = Some(link);
            }
            m.commit();
            refresh_readiness(m);
            m.info(format!("{suite} suite link recorded."));
        }
        PromptKind::VerifyInput => {
            let Some(VerifyTarget::Case(case)) = m.verify_next else {
                return true;
            };
            let id = m.ws.plan.cases[case].id.clone();
            let subjects = &m.ws.store.session.verify.subjects;
            if let Some(name) = m.recipes.missing_inputs(&id, subjects).first() {
                m.ws.store
                    .session
                    .verify
                    .subjects
                    .insert(name.clone(), value);
                m.commit();
            }
            resume_verification(m);
        }
        PromptKind::Secret => {
            m.secret = Some(Secret::new(value));
            resume_verification(m);
        }
        PromptKind::SkipReason | PromptKind::Evidence => {}
    }
    true
}

/// Esc in a verification prompt forgets what was to be verified.
pub fn cancel_prompt(m: &mut Model, kind: PromptKind) {
    if matches!(kind, PromptKind::VerifyInput | PromptKind::Secret) {
        m.verify_next = None;
        let text = if m.spec_agreed.take().is_some() {
            "SPEC suite not run: nothing was created."
        } else {
            "Not verified."
        };
        m.info(text);
    }
}

fn resume_verification(m: &mut Model) {
    if let Some(target) = m.verify_next.take() {
        verify(m, target);
    }
}

/// `v` / `V`: starts verifying in the background, first asking for what is missing.
pub fn verify(m: &mut Model, target: VerifyTarget) {
    if m.verification.is_some() {
        return m.info("A verification is already running: wait for it, or Esc to cancel it.");
    }
    let Some(connection) = m.ws.store.session.verify.connection.clone() else {
        m.verify_next = Some(target);
        connect_form::open(m);
        return m.info(
            "No SCIM connection yet: give the app's SCIM base URL and how it authenticates.",
        );
    };
    if target == VerifyTarget::Spec && m.spec_agreed.is_none() {
        // It creates a user in the app: say which, and ask first.
        m.spec_offer = Some(SpecOptions::new(connection.auth.clone()));
        m.verify_next = Some(target);
        m.mode = Mode::ConfirmSpec;
        return;
    }
    let jobs = match target {
        VerifyTarget::Spec => Vec::new(),
        VerifyTarget::Case(case) => {
            let id = m.ws.plan.cases[case].id.clone();
            if m.recipes.for_case(&id).is_none() {
                return m.error(format!(
                    "{id} has no verification recipe: check it by hand. Cases with a recipe: {}",
                    m.recipes.cases().collect::<Vec<_>>().join(", ")
                ));
            }
            let verify = &m.ws.store.session.verify;
            if let Some(name) = m.recipes.missing_inputs(&id, &verify.subjects).first() {
                let mut title = format!("{id}: {}", m.recipes.prompt(name));
                if m.recipes.is_list(name) {
                    title.push_str(" (comma-separated)");
                }
                m.verify_next = Some(target);
                return open_prompt(m, PromptKind::VerifyInput, title, case);
            }
            match CheckJob::prepare(
                &m.recipes,
                &id,
                &verify.subjects,
                &verify.remembered,
                m.settings.verify_deadline,
            ) {
                Ok(job) => vec![job],
                Err(e) => return m.error(e.to_string()),
            }
        }
        VerifyTarget::All => {
            let cases: Vec<String> =
                m.ws.applicable()
                    .filter(|(_, c)| m.recipes.for_case(&c.id).is_some())
                    .map(|(_, c)| c.id.clone())
                    .collect();
            let (jobs, not_ready) = prepare_all(
                &m.recipes,
                cases.iter().map(String::as_str),
                &m.ws.store.session.verify,
                m.settings.verify_deadline,
            );
            if jobs.is_empty() {
                let why = not_ready
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                return m.error(format!(
                    "Nothing to verify: no applicable case has a recipe and its inputs{why}. Verify one case with v to give its inputs."
                ));
            }
            jobs
        }
    };
    let secret = match m.secret.clone() {
        Some(secret) => secret,
        None => match Secret::from_env(&connection.auth) {
            Ok(secret) => secret,
            Err(_) => {
                let title = format!(
                    "{} not set: type the SCIM secret (memory only, never saved)",
                    connection.auth.secret_env()
                );
                m.verify_next = Some(target);
                return open_prompt(m, PromptKind::Secret, title, target.case());
            }
        },
    };
    if let Some(options) = m.spec_agreed.take() {
        m.info(format!(
            "Running the SPEC suite against {} (creates {}, deactivated at the end)…",
            connection.base_url, options.user_name
        ));
        m.verification = Some(Verification {
            running: spawn_spec(connection, secret, options),
            cases: Vec::new(),
            finished: Vec::new(),
            progress: String::new(),
            ticks: 0,
            cancelled: false,
            spec: Some(SpecProgress::default()),
        });
        return;
    }
    let cases: Vec<String> = jobs.iter().map(|j| j.case.clone()).collect();
    m.info(format!(
        "Verifying {} case(s) against {}…",
        cases.len(),
        connection.base_url
    ));
    m.verification = Some(Verification {
        running: spawn_all(jobs, connection, secret),
        cases,
        finished: Vec::new(),
        progress: String::new(),
        ticks: 0,
        cancelled: false,
        spec: None,
    });
}

/// y or Esc when the SPEC suite asks before creating its user.
pub fn confirm_spec(m: &mut Model, action: Action) {
    match action {
        Action::Agree => {
            m.mode = Mode::Summary;
            m.spec_agreed = m.spec_offer.take();
            resume_verification(m);
        }
        Action::Cancel => {
            m.mode = Mode::Summary;
            m.spec_offer = None;
            m.verify_next = None;
            m.info("SPEC suite not run: nothing was created.");
        }
        _ => {}
    }
}

/// Esc while verifying: asks the worker to stop; its cancelled run arrives on a later tick.
pub fn cancel(m: &mut Model) -> bool {
    let Some(running) = m.verification.as_mut() else {
        return false;
    };
    running.running.cancel.cancel();
    running.cancelled = true;
    m.info("Cancelling the verification…");
    true
}

/// Every tick: takes what the worker sent without waiting, records finished runs.
pub fn poll(m: &mut Model) {
    let Some(running) = m.verification.as_mut() else {
        return;
    };
    running.ticks += 1;
    let mut events = Vec::new();
    let mut done = false;
    loop {
        match running.running.events.try_recv() {
            Ok(event) => events.push(event),
            Err(TryRecvError::Empty) => break,
            Err(TryRecvError::Disconnected) => {
                done = true;
                break;
            }
        }
    }
    for event in events {
        handle(m, event);
    }
    if done && let Some(finished) = m.verification.take() {
        let _ = finished.running.thread.join();
        if finished.cases.len() > 1 {
            let count = |v: Verdict| finished.finished.iter().filter(|f| **f == v).count();
            m.info(format!(
                "{} verified: {} pass, {} fail, {} error, {} cancelled.",
                finished.finished.len(),
                count(Verdict::Pass),
                count(Verdict::Fail),
                count(Verdict::Error),
                count(Verdict::Cancelled)
            ));
        }
    }
}

fn handle(m: &mut Model, event: VerifyEvent) {
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
            if let Some(running) = m.verification.as_mut() {
                running.progress = line;
            }
        }
        VerifyEvent::Finished(run) => {
            let (case, verdict, summary) = (run.case.clone(), run.verdict, run.summary.clone());
            let refused = matches!(run.failure, Some(RunFailure::CredentialsRefused { .. }));
            record_run(&mut m.ws.store.session, *run);
            m.commit();
            if m.readiness.is_some() {
                refresh_readiness(m);
            }
            if let Some(running) = m.verification.as_mut() {
                running.finished.push(verdict);
                running.progress.clear();
            }
            let mut text = format!("{case} verified: {} {summary}", verdict.label());
            // A typed secret the app refused is dropped, so the next v asks for it again.
            if refused && m.secret.take().is_some() {
                text.push_str(" The typed secret is forgotten: v asks for it again.");
            }
            match verdict {
                Verdict::Error => m.error(text),
                _ => m.info(text),
            }
        }
        VerifyEvent::Failed(why) => m.error(format!("Verification could not start: {why}")),
        VerifyEvent::SpecCheck(check) => {
            if let Some(running) = m.verification.as_mut()
                && let Some(spec) = running.spec.as_mut()
            {
                spec.done += 1;
                match check.status {
                    CheckStatus::Fail => spec.failed += 1,
                    CheckStatus::Warn => spec.warned += 1,
                    CheckStatus::Pass => {}
                }
                running.progress = format!("{} {}", check.status.label(), check.name);
            }
        }
        VerifyEvent::SpecFinished(report) if report.unreachable.is_some() => {
            let why = report.unreachable.as_deref().unwrap_or_default();
            m.error(format!(
                "SPEC suite not run: cannot reach {}: {why} Nothing was created or recorded; C checks the connection.",
                report.target
            ));
        }
        VerifyEvent::SpecFinished(report) => {
            record_spec(&mut m.ws.store.session, (*report).clone());
            m.commit();
            refresh_readiness(m);
            let mut text = format!(
                "SPEC suite {}: {}.",
                report.verdict().label().to_uppercase(),
                report.counts()
            );
            if let Some(check) = report.checks.iter().find(|c| c.status == CheckStatus::Fail) {
                let detail = check.detail.first().map(String::as_str).unwrap_or("");
                text.push_str(&format!(" First failure: {}: {detail}", check.name));
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
    }
}
