//! The checklist's modes as data. What is on screen is a stack of overlays over the checklist,
//! each owning its own state; the background work is one `Job` whose variants are its stages.
//! So no handler has to guard against state that cannot happen (a prompt with no field, a SPEC
//! offer with nothing to offer).

use std::time::Instant;

use ratatui_textarea::TextArea;
use tui_input::Input;

use super::connect_form::ConnectionForm;
use super::keymap::Mode;
use crate::report::Readiness;
use crate::session::{OKTA_TOKEN_ENV, Outcome, SuiteKind, Verdict};
use crate::verify::{CrudOptions, Running, SpecOptions};

/// One layer over the checklist. The top one gets the keys; Esc or Enter pops it.
pub enum Overlay {
    /// Typing a search; the query stays in `Model::search` as a filter after Enter.
    Search,
    Prompt(Prompt),
    Note(Box<NoteEditor>),
    /// Preconditions are not met: Blocked, anyway, or cancel.
    Preconditions(PendingMark),
    Capabilities(CapabilitiesDraft),
    Help(HelpView),
    Summary(SummaryView),
    Connection(ConnectionForm),
    /// Okta's SPEC or CRUD file asks before creating its user (the offer is in
    /// `Job::NeedsConsent`).
    ConfirmSuite,
    /// Who is testing and which app: asked once after the capabilities, and on its key.
    Identity(IdentityForm),
    /// Quitting with changes the session file does not hold: retry, save elsewhere, or lose them.
    Unsaved,
    /// The latest local SPEC and CRUD runs, step by step (scrolls like help).
    SuiteRuns(HelpView),
}

impl Overlay {
    /// The keymap the overlay answers to.
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Search => Mode::Search,
            Overlay::Prompt(prompt) if prompt.kind == PromptKind::Evidence => Mode::Attach,
            Overlay::Prompt(_) => Mode::Prompt,
            Overlay::Note(_) => Mode::EditingNote,
            Overlay::Preconditions(_) => Mode::Confirm,
            Overlay::Capabilities(_) => Mode::Capabilities,
            Overlay::Help(_) => Mode::Help,
            Overlay::Summary(_) => Mode::Summary,
            Overlay::Connection(_) => Mode::Connection,
            Overlay::ConfirmSuite => Mode::ConfirmSpec,
            Overlay::Identity(_) => Mode::Identity,
            Overlay::Unsaved => Mode::Unsaved,
            Overlay::SuiteRuns(_) => Mode::SpecRun,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    SkipReason,
    Evidence,
    SpecLink,
    CrudLink,
    /// A recipe input (`user`, `group`...) a verification needs; remembered in the session.
    VerifyInput,
    /// The SCIM token or password: masked, kept in memory only.
    Secret,
    /// The Okta API token: masked, kept in memory only.
    OktaToken,
    /// Where to save the session when its own file cannot be written.
    SaveAs,
}

impl PromptKind {
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::SkipReason => "Why is this case skipped?",
            PromptKind::Evidence => "Evidence (file path or URL)",
            PromptKind::SpecLink => "Runscope SPEC results link (http or https)",
            PromptKind::CrudLink => "Runscope CRUD results link (http or https)",
            PromptKind::VerifyInput => "Input for the verification",
            PromptKind::Secret => "SCIM secret (kept in memory only, never saved)",
            PromptKind::OktaToken => "Okta API token (kept in memory only, never saved)",
            PromptKind::SaveAs => "Save the session to (a new file's path)",
        }
    }

    /// What an empty Enter is told.
    pub fn empty_hint(self) -> &'static str {
        match self {
            PromptKind::SkipReason => "A skipped case needs a reason: type it, or Esc to cancel.",
            PromptKind::Evidence => "Type a file path or URL, or Esc to cancel.",
            PromptKind::SpecLink | PromptKind::CrudLink => {
                "Paste the http(s) link of the Runscope results, or Esc to cancel."
            }
            PromptKind::VerifyInput | PromptKind::Secret => {
                "Type a value, or Esc to cancel the verification."
            }
            PromptKind::OktaToken => "Paste the Okta API token, or Esc to leave Okta unconnected.",
            PromptKind::SaveAs => "Type the path of a new file, or Esc to go back.",
        }
    }
}

/// A single-line field.
pub struct Prompt {
    pub kind: PromptKind,
    /// The case it is about (the selected one when opened).
    pub case: usize,
    pub input: Input,
    /// The title shown above the field.
    pub title: String,
}

/// The tester's and the app's names being typed.
pub struct IdentityForm {
    pub tester: Input,
    pub app: Input,
    /// The focused field: 0 tester, 1 app.
    pub field: usize,
}

pub struct NoteEditor {
    pub case: usize,
    pub textarea: TextArea<'static>,
}

/// A mark waiting for the tester's answer because referenced preconditions are not met.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMark {
    pub case: usize,
    pub outcome: Outcome,
    /// Referenced cases and their outcomes (Fail, Blocked or Not run).
    pub unmet: Vec<(String, Outcome)>,
}

/// The capability declaration being edited.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CapabilitiesDraft {
    /// Capability keys with the support the tester is declaring.
    pub choices: Vec<(String, bool)>,
    pub cursor: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HelpView {
    pub scroll: usize,
}

/// The summary: the readiness verdict, assessed when it opens and whenever its inputs change.
pub struct SummaryView {
    pub readiness: Readiness,
    /// The selected blocker.
    pub cursor: usize,
}

/// Which secret a run waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The SCIM token or password of the app's connection.
    Scim,
    /// The Okta org's API token (Okta's CRUD file sends it as SSWS).
    Okta,
}

impl SecretKind {
    /// The prompt's title: what is not set and what to type.
    pub fn ask(self, scim_env: &str) -> String {
        match self {
            SecretKind::Scim => {
                format!("{scim_env} not set: type the SCIM secret (memory only, never saved)")
            }
            SecretKind::Okta => format!(
                "{OKTA_TOKEN_ENV} not set: type the Okta API token (memory only, never saved)"
            ),
        }
    }
}

/// What `v`, `V`, `r` or `R` asked to verify.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyTarget {
    Case(usize),
    All,
    /// Okta's SPEC file; `Some` once the tester agreed to the user it creates.
    Spec(Option<Box<SpecOptions>>),
    /// Okta's CRUD file; `Some` once the tester agreed to the Okta user it creates.
    Crud(Option<Box<CrudOptions>>),
    /// Starting a case: what its check will compare with, noted before its Okta steps.
    Start(usize),
}

impl VerifyTarget {
    /// The suite this runs, if it is one of Okta's files.
    pub fn suite(&self) -> Option<SuiteKind> {
        match self {
            VerifyTarget::Spec(_) => Some(SuiteKind::Spec),
            VerifyTarget::Crud(_) => Some(SuiteKind::Crud),
            VerifyTarget::Case(_) | VerifyTarget::All | VerifyTarget::Start(_) => None,
        }
    }
}

/// The background work, stage by stage. Each waiting stage has its overlay on top of the stack
/// (the connection form, an input prompt, the secret prompt, the SPEC question).
#[derive(Default)]
pub enum Job {
    #[default]
    Idle,
    NeedsConnection(VerifyTarget),
    NeedsInput {
        target: VerifyTarget,
        /// The recipe input asked for.
        name: String,
    },
    NeedsSecret(VerifyTarget, SecretKind),
    /// Okta's SPEC or CRUD file (`Spec(Some)`, `Crud(Some)`) would create a user: yes or no.
    NeedsConsent(VerifyTarget),
    Running(Verification),
}

impl Job {
    pub fn running(&self) -> Option<&Verification> {
        match self {
            Job::Running(verification) => Some(verification),
            _ => None,
        }
    }

    pub fn running_mut(&mut self) -> Option<&mut Verification> {
        match self {
            Job::Running(verification) => Some(verification),
            _ => None,
        }
    }
}

/// How far a run of one of Okta's files has come.
#[derive(Debug, Clone, Default)]
pub struct SuiteProgress {
    pub done: usize,
    pub failed: usize,
    pub warned: usize,
}

/// What a running job is.
pub enum RunKind {
    /// Case checks, in order.
    Cases {
        cases: Vec<String>,
        /// Verdicts of the runs finished so far.
        finished: Vec<Verdict>,
        /// Each case's outcome when the check started: its verdict is recorded only over it.
        started_with: std::collections::BTreeMap<String, crate::session::Standing>,
    },
    /// One of Okta's files (SPEC, CRUD), step by step.
    Suite(SuiteKind, SuiteProgress),
    /// Starting a case (its recipe's `before` steps).
    Start(String),
}

/// A verification in progress and what it has shown so far.
pub struct Verification {
    pub running: Running,
    pub kind: RunKind,
    /// The latest polling attempt or check, for the footer.
    pub progress: String,
    pub started: Instant,
    /// Ticks seen, for the spinner.
    pub ticks: usize,
    pub cancelled: bool,
}

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

impl Verification {
    pub fn new(running: Running, kind: RunKind) -> Verification {
        Verification {
            running,
            kind,
            progress: String::new(),
            started: Instant::now(),
            ticks: 0,
            cancelled: false,
        }
    }

    pub fn spinner(&self) -> char {
        SPINNER[self.ticks % SPINNER.len()]
    }

    /// The case being checked now, if this is a case check.
    pub fn current_case(&self) -> Option<&str> {
        match &self.kind {
            RunKind::Cases {
                cases, finished, ..
            } => cases.get(finished.len()).map(String::as_str),
            RunKind::Start(case) => Some(case),
            RunKind::Suite(..) => None,
        }
    }

    /// One line for the footer: which case, which attempt, what failed, when it retries.
    pub fn status_line(&self) -> String {
        let stop = if self.cancelled {
            "cancelling…"
        } else {
            "Esc cancels"
        };
        match &self.kind {
            RunKind::Suite(suite, spec) => {
                let last = if self.progress.is_empty() {
                    "first step…".to_string()
                } else {
                    format!("last: {}", self.progress)
                };
                let name = crate::report::readiness::suite_name(*suite);
                format!(
                    "{} Okta's {name} file: {} steps done, {} failed, {} warning(s); {last} ({stop})",
                    self.spinner(),
                    spec.done,
                    spec.failed,
                    spec.warned
                )
            }
            RunKind::Start(case) => format!(
                "{} Starting {case}: noting what it acts on before its Okta steps ({stop})",
                self.spinner()
            ),
            RunKind::Cases {
                cases, finished, ..
            } => {
                let at = (finished.len() + 1).min(cases.len());
                let case = cases.get(at - 1).map(String::as_str).unwrap_or("");
                let what = if self.progress.is_empty() {
                    format!("{case}: first attempt…")
                } else {
                    self.progress.clone()
                };
                format!(
                    "{} Verifying {at}/{}: {what} ({stop})",
                    self.spinner(),
                    cases.len()
                )
            }
        }
    }
}
