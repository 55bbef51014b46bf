//! The checklist's modes as data. What is on screen is a stack of overlays over the checklist,
//! each owning its own state; the background work is one `Job` whose variants are its stages.
//! So no handler has to guard against state that cannot happen (a prompt with no field, a SPEC
//! offer with nothing to offer).

use ratatui_textarea::TextArea;
use tui_input::Input;

use super::connect_form::ConnectionForm;
use super::keymap::Mode;
use crate::report::Readiness;
use crate::session::{OKTA_TOKEN_ENV, Outcome, SuiteKind};
use crate::verify::{CrudOptions, SpecOptions};

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
    /// `Waiting::NeedsConsent`).
    ConfirmSuite,
    /// Who is testing and which app: asked once after the capabilities, and on its key.
    Identity(IdentityForm),
    /// Quitting with changes the session file does not hold: retry, save elsewhere, or lose them.
    Unsaved,
    /// The latest local SPEC and CRUD runs, step by step (scrolls like help).
    SuiteRuns(HelpView),
    /// The note changed elsewhere while it was edited: keep mine, theirs, or both.
    NoteConflict(Box<NoteConflict>),
    /// `v` on a case whose outcome a person set: may the check replace it? (The case index.)
    ConfirmReplace(usize),
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
            Overlay::NoteConflict(_) => Mode::NoteConflict,
            Overlay::ConfirmReplace(_) => Mode::ConfirmReplace,
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
    /// The note as it was when the editor opened: what another writer may have changed since.
    pub original: String,
}

/// A note saved from the editor after another writer changed it: both versions, and the
/// editor to go back to.
pub struct NoteConflict {
    pub editor: NoteEditor,
    pub mine: String,
    pub theirs: String,
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

/// A check waiting on the tester, stage by stage. Each stage has its overlay on top of the
/// stack (the connection form, an input prompt, the secret prompt, the SPEC question).
#[derive(Default)]
pub enum Waiting {
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
}
