//! Everything that can change the checklist's state. Keys resolve to actions through the keymap;
//! `update` applies them. Bindable actions have kebab-case names so a keymap file can name them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::session::{OKTA_TOKEN_ENV, OktaConnection, OktaTrail, Outcome, SuiteKind};
use crate::verify::{CrudOptions, SpecOptions, VerifyEvent};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    MoveUp,
    MoveDown,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Switches between the case list and the detail pane.
    SwitchPane,
    OpenDetail,
    /// Leaves the detail pane, or clears a filter.
    Back,
    MarkPass,
    MarkFail,
    MarkBlocked,
    /// Asks for a reason, then marks Skipped.
    MarkSkipped,
    MarkNotRun,
    ToggleStep,
    EditNote,
    AddEvidence,
    /// Selects the case's next evidence entry (cycles).
    NextEvidence,
    /// Opens the selected evidence entry with the system's viewer and shows its path.
    OpenEvidence,
    /// Removes the selected evidence entry (undoable; the copy stays in the folder).
    RemoveEvidence,
    /// Asks again who is testing and which app.
    WhoIsTesting,
    NextNotRun,
    PrevNotRun,
    Search,
    /// Cycles the outcome filter: all, Not run, Pass, Fail, Blocked, Skipped.
    FilterOutcome,
    Undo,
    Redo,
    Capabilities,
    Summary,
    /// Writes the completed workbook next to the plan.
    Export,
    /// Checks the selected case against the app's SCIM API in the background.
    VerifyCase,
    /// Checks every applicable case that has a recipe and known inputs.
    VerifyAll,
    /// Before the case's Okta steps: notes what its check will compare with (`scimplan start`).
    StartCase,
    /// Opens the SCIM connection form (URL and auth scheme).
    ConnectionSettings,
    /// Opens the Okta Admin Console page the selected case's steps start on (and shows its URL).
    OpenAdminPage,
    /// Opens Okta's System Log filtered to the case's test user, since the case started.
    OpenSystemLog,
    /// Reads the case's System Log events from Okta into the detail pane.
    ReadSystemLog,
    Help,
    Quit,

    // Inside a text field, a prompt or an overlay.
    /// Enter in a text field: keep what was typed.
    Submit,
    /// Esc in a text field: drop what was typed (the note editor saves instead).
    Cancel,
    /// Closes the help or the summary.
    Close,
    /// Saves the note and closes the editor.
    SaveNote,
    /// In the capabilities screen: flips the selected capability.
    ToggleCapability,
    /// In the capabilities screen: records the declaration.
    ConfirmCapabilities,
    /// When preconditions are not met: mark Blocked with them as the reason.
    BlockForPreconditions,
    /// When preconditions are not met: record the outcome anyway.
    MarkAnyway,
    /// In the summary: go to the selected blocker's case.
    JumpToCase,
    /// In the summary: record the link to the Runscope SPEC results.
    SpecLink,
    /// In the summary: record the link to the Runscope CRUD results.
    CrudLink,
    /// In the summary: run scimplan's SPEC suite against the app (asks first).
    RunSpec,
    /// In the summary: run Okta's CRUD file against the Okta org and the app (asks first).
    RunCrud,
    /// In the summary: run the first suite still without a link in BlazeMeter API Monitoring
    /// (again, once its passing result is Shareable: record the link).
    RunHosted,
    /// Agrees to what the open question proposes.
    Agree,
    /// In a form: the next field.
    NextField,
    /// In a form: the previous field.
    PrevField,
    /// In a form: the next choice of the focused option (the cursor, in a text field).
    NextChoice,
    /// In a form: the previous choice of the focused option (the cursor, in a text field).
    PrevChoice,
    /// In the evidence prompt: completes the file path typed so far.
    CompletePath,
    /// In the summary: the latest local SPEC and CRUD runs, step by step.
    SpecRunDetail,
    /// Quitting with unsaved changes: try the session file again.
    RetrySave,
    /// Quitting with unsaved changes: write the session to another file.
    SaveElsewhere,
    /// Quitting with unsaved changes: quit anyway; they are lost.
    QuitLosingChanges,
    /// The note changed elsewhere while it was edited: keep the text written here.
    KeepMine,
    /// The note changed elsewhere while it was edited: keep the other writer's text.
    KeepTheirs,
    /// The note changed elsewhere while it was edited: keep both, one after the other.
    KeepBoth,
    /// Declines what the open question proposes, but goes on (checks without replacing).
    Decline,

    // Not bindable: produced by the event loop.
    /// A key typed into the focused text field.
    #[serde(skip)]
    TypeKey(crossterm::event::KeyEvent),
    /// Text pasted into the focused text field.
    #[serde(skip)]
    Paste(String),
    /// A mouse click at a terminal cell.
    #[serde(skip)]
    Click {
        column: u16,
        row: u16,
    },
    /// The mouse wheel over a terminal cell (`down` away from the top).
    #[serde(skip)]
    Scroll {
        column: u16,
        row: u16,
        down: bool,
    },
    /// The terminal size.
    #[serde(skip)]
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passes: credits time spent on the open case now and then.
    #[serde(skip)]
    Tick,
    /// A background job's progress or result, in the order the job sent them.
    #[serde(skip)]
    Job(JobEvent),

    // Not bindable: what an overlay hands on to the checklist as it closes (`Flow::Then`).
    /// Carry on with a check: what it waited for (connection, input, secret, consent) is given.
    #[serde(skip)]
    Check(VerifyTarget),
    /// The tester declined what a check waited for: nothing runs.
    #[serde(skip)]
    CheckDropped(VerifyTarget),
    /// Record an outcome decided in a question (a skip reason, the preconditions' answer).
    #[serde(skip)]
    MarkWith {
        case: usize,
        outcome: Outcome,
        reason: Option<String>,
    },
    /// The Okta API token was typed: check the connection that waited for it.
    #[serde(skip)]
    CheckOkta(OktaConnection),
}

/// What `v`, `V`, `t`, `r` or `R` asked to verify.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyTarget {
    /// A case; `replace`: the tester agreed its verdict may replace the outcome a person set.
    Case {
        case: usize,
        replace: bool,
    },
    All,
    /// Okta's SPEC file; `Some` once the tester agreed to the user it creates.
    Spec(Option<Box<SpecOptions>>),
    /// Okta's CRUD file; `Some` once the tester agreed to the Okta user it creates.
    Crud(Option<Box<CrudOptions>>),
    /// Starting a case: what its check will compare with, noted before its Okta steps.
    Start(usize),
}

impl VerifyTarget {
    /// A check of `case` that leaves a person's outcome alone.
    pub fn case(case: usize) -> VerifyTarget {
        VerifyTarget::Case {
            case,
            replace: false,
        }
    }

    /// The suite this runs, if it is one of Okta's files.
    pub fn suite(&self) -> Option<SuiteKind> {
        match self {
            VerifyTarget::Spec(_) => Some(SuiteKind::Spec),
            VerifyTarget::Crud(_) => Some(SuiteKind::Crud),
            VerifyTarget::Case { .. } | VerifyTarget::All | VerifyTarget::Start(_) => None,
        }
    }
}

/// Which secret a check waits for.
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

/// What a background job sends back (`tui::job`): its progress and its result, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// A check's progress or result; the last is `VerifyEvent::Ended`.
    Check(VerifyEvent),
    /// The Okta org and app were checked for the connection form; the connection carries the
    /// app's name when the check passed.
    OktaChecked {
        connection: OktaConnection,
        result: Result<Vec<String>, String>,
        /// The check was refused for the token (so a typed token is forgotten).
        token_refused: bool,
    },
    /// The System Log of a case, asked for from the detail pane.
    SystemLog { case: String, trail: OktaTrail },
    /// The completed workbook: where it was written, or why not; `Ok(None)` when the export
    /// was cancelled before anything was written.
    Exported(Result<Option<PathBuf>, String>),
    /// The test a hosted run made or reused in BlazeMeter (recorded at once: a stopped wait
    /// keeps it).
    HostedTest(crate::session::HostedTest),
    /// A hosted run's progress, before it ends.
    HostedProgress(String),
    /// The hosted run ended: its result, or why it could not run (and whether BlazeMeter
    /// refused the access token, so a typed one is forgotten).
    HostedDone {
        outcome: Box<Result<crate::verify::hosted::HostedOutcome, String>>,
        token_refused: bool,
    },
}

impl Action {
    /// What the action does, for the help overlay.
    pub fn describe(&self) -> &'static str {
        use Action::*;
        match self {
            MoveUp => "Move up",
            MoveDown => "Move down",
            Top => "First case",
            Bottom => "Last case",
            PageUp => "Page up",
            PageDown => "Page down",
            SwitchPane => "Switch between list and detail",
            OpenDetail => "Open the case's detail",
            Back => "Back to the list, clear the filter, stop verifying",
            MarkPass => "Mark Pass",
            MarkFail => "Mark Fail",
            MarkBlocked => "Mark Blocked",
            MarkSkipped => "Mark Skipped (asks for a reason)",
            MarkNotRun => "Back to Not run",
            ToggleStep => "Tick the current step",
            EditNote => "Edit the note",
            AddEvidence => "Attach evidence (file path or URL)",
            NextEvidence => "Select the next evidence entry",
            OpenEvidence => "Open the selected evidence (and show its path)",
            RemoveEvidence => "Remove the selected evidence (u undoes)",
            WhoIsTesting => "Tester and app names",
            CompletePath => "Complete the file path",
            NextNotRun => "Next Not run case",
            PrevNotRun => "Previous Not run case",
            Search => "Search ID, title and text",
            FilterOutcome => "Filter by outcome (cycles)",
            Undo => "Undo the checklist's own last change",
            Redo => "Redo the checklist's last undone change",
            Capabilities => "Capabilities",
            Summary => "Summary",
            Export => "Export the completed workbook",
            VerifyCase => "Verify the case against the SCIM API",
            VerifyAll => "Verify every case that has a recipe",
            StartCase => "Start the case (note what it acts on, before Okta)",
            ConnectionSettings => "Connections: the app's SCIM API and the Okta org",
            OpenAdminPage => "Open the case's Okta Admin Console page (shows URL)",
            OpenSystemLog => "Open the case's Okta System Log page (shows URL)",
            ReadSystemLog => "Read the case's System Log into the detail pane",
            Help => "Help",
            Quit => "Quit",
            Submit => "Keep",
            Cancel => "Cancel",
            Close => "Close",
            SaveNote => "Save the note and close",
            ToggleCapability => "Supported / not supported",
            ConfirmCapabilities => "Confirm the declaration",
            BlockForPreconditions => "Mark Blocked by the preconditions",
            MarkAnyway => "Record the outcome anyway",
            JumpToCase => "Go to the blocker's case",
            SpecLink => "Record the Runscope SPEC link",
            CrudLink => "Record the Runscope CRUD link",
            RunSpec => "Run the SPEC suite against the app",
            RunCrud => "Run the CRUD suite against the Okta org and the app",
            RunHosted => {
                "Run the next suite without a link in BlazeMeter API Monitoring (again: record its Shareable result)"
            }
            Agree => "Yes, go ahead",
            NextField => "Next field",
            PrevField => "Previous field",
            NextChoice => "Next choice (cursor right in a text field)",
            PrevChoice => "Previous choice (cursor left in a text field)",
            SpecRunDetail => "The latest local SPEC and CRUD runs, step by step",
            RetrySave => "Try saving the session file again",
            SaveElsewhere => "Save the session to another file",
            QuitLosingChanges => "Quit and lose the unsaved changes",
            KeepMine => "Keep the note written here",
            KeepTheirs => "Keep the note the other writer saved",
            KeepBoth => "Keep both notes, one after the other",
            Decline => "No, but go on",
            TypeKey(_)
            | Paste(_)
            | Click { .. }
            | Scroll { .. }
            | Resize { .. }
            | Tick
            | Job(_)
            | Check(_)
            | CheckDropped(_)
            | MarkWith { .. }
            | CheckOkta(_) => "",
        }
    }

    /// The short label shown in the footer.
    pub fn short(&self) -> &'static str {
        use Action::*;
        match self {
            MarkPass => "pass",
            MarkFail => "fail",
            MarkBlocked => "blocked",
            MarkSkipped => "skip",
            MarkNotRun => "reset",
            ToggleStep => "tick",
            EditNote => "note",
            AddEvidence => "evidence",
            NextEvidence => "next evidence",
            OpenEvidence => "open evidence",
            RemoveEvidence => "remove evidence",
            WhoIsTesting => "who",
            CompletePath => "complete",
            NextNotRun => "next",
            Search => "search",
            FilterOutcome => "filter",
            Undo => "undo",
            Summary => "summary",
            Export => "export",
            VerifyCase => "verify",
            VerifyAll => "verify all",
            StartCase => "start",
            JumpToCase => "go to case",
            SpecLink => "SPEC link",
            CrudLink => "CRUD link",
            RunSpec => "run SPEC",
            RunCrud => "run CRUD",
            RunHosted => "run in BlazeMeter",
            ConnectionSettings => "connection",
            OpenAdminPage => "Admin Console",
            OpenSystemLog => "System Log page",
            ReadSystemLog => "System Log",
            Agree => "yes",
            NextField => "next field",
            NextChoice | PrevChoice => "choose",
            SpecRunDetail => "runs",
            RetrySave => "retry",
            SaveElsewhere => "save elsewhere",
            QuitLosingChanges => "quit, losing them",
            KeepMine => "keep mine",
            KeepTheirs => "keep theirs",
            KeepBoth => "keep both",
            Decline => "no",
            Help => "help",
            Quit => "quit",
            Submit => "keep",
            Cancel => "cancel",
            SaveNote => "save",
            Close => "close",
            ToggleCapability => "toggle",
            ConfirmCapabilities => "confirm",
            BlockForPreconditions => "mark Blocked",
            MarkAnyway => "mark anyway",
            SwitchPane => "pane",
            Back => "back",
            _ => self.describe(),
        }
    }
}
