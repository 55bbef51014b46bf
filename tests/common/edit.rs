//! Changing sessions held in memory the way scimplan does: through the session's commands
//! (`Session::apply`), recorded as a test writer. States no command makes (a link cleared, a
//! date moved back) are written as the session file would hold them (`edit_file`).

use scimplan::plan::Plan;
use scimplan::plan::profile::{Profile, Requirements};
use scimplan::session::{Command, Effect, Outcome, Scope, Session, SuiteKind, Writer};

/// Applies `command` to `session` (a session of `plan`) as `scimplan test`.
pub fn apply(session: &mut Session, plan: &Plan, command: Command) -> Effect {
    let reqs = Requirements::new(&Profile::builtin(), plan);
    let scope = Scope { plan, reqs: &reqs };
    session.apply(command, &Writer::command("test"), scope)
}

pub fn mark(session: &mut Session, plan: &Plan, case: &str, outcome: Outcome) -> Effect {
    mark_why(session, plan, case, outcome, None)
}

/// A mark with the reason Blocked and Skipped keep.
pub fn mark_why(
    session: &mut Session,
    plan: &Plan,
    case: &str,
    outcome: Outcome,
    reason: Option<&str>,
) -> Effect {
    let command = Command::Mark {
        case: case.into(),
        outcome,
        reason: reason.map(str::to_string),
        note: None,
    };
    apply(session, plan, command)
}

pub fn note(session: &mut Session, plan: &Plan, case: &str, text: &str) -> Effect {
    let command = Command::Note {
        case: case.into(),
        note: text.into(),
        was: None,
    };
    apply(session, plan, command)
}

pub fn tick(session: &mut Session, plan: &Plan, case: &str, step: usize) -> Effect {
    let command = Command::Step {
        case: case.into(),
        step,
        ticked: true,
    };
    apply(session, plan, command)
}

pub fn time_spent(session: &mut Session, plan: &Plan, case: &str, seconds: u64) -> Effect {
    let command = Command::TimeSpent {
        case: case.into(),
        seconds,
    };
    apply(session, plan, command)
}

/// Declares capabilities supported (true) or not, and the declaration as made.
pub fn declare(session: &mut Session, plan: &Plan, changes: &[(String, bool)]) -> Effect {
    let command = Command::Capabilities {
        changes: changes.to_vec(),
        confirm: true,
    };
    apply(session, plan, command)
}

pub fn link(session: &mut Session, plan: &Plan, suite: SuiteKind, url: &str) -> Effect {
    let command = Command::SuiteLink {
        suite,
        link: url.into(),
    };
    apply(session, plan, command)
}

/// The session as its file would hold it after `edit` (for states no command makes).
pub fn edit_file(session: &Session, edit: impl FnOnce(&mut serde_json::Value)) -> Session {
    let mut value = serde_json::to_value(session).expect("a session serializes");
    edit(&mut value);
    serde_json::from_value(value).expect("the edited session reads back")
}

/// The same changes on a workspace (its own writer, saved with `ws.save()`).
pub trait WorkspaceEdits {
    fn run(&mut self, command: Command) -> Effect;

    fn mark(&mut self, case: &str, outcome: Outcome) -> Effect {
        self.mark_why(case, outcome, None)
    }

    fn mark_why(&mut self, case: &str, outcome: Outcome, reason: Option<&str>) -> Effect {
        self.run(Command::Mark {
            case: case.into(),
            outcome,
            reason: reason.map(str::to_string),
            note: None,
        })
    }

    fn note(&mut self, case: &str, text: &str) -> Effect {
        self.run(Command::Note {
            case: case.into(),
            note: text.into(),
            was: None,
        })
    }

    fn time_spent(&mut self, case: &str, seconds: u64) -> Effect {
        self.run(Command::TimeSpent {
            case: case.into(),
            seconds,
        })
    }

    fn declare(&mut self, changes: &[(&str, bool)]) -> Effect {
        self.run(Command::Capabilities {
            changes: changes.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            confirm: true,
        })
    }

    fn link(&mut self, suite: SuiteKind, url: &str) -> Effect {
        self.run(Command::SuiteLink {
            suite,
            link: url.into(),
        })
    }

    /// A bare reference as evidence (a path or a link, no copy), as older sessions held them.
    fn reference(&mut self, case: &str, reference: &str, caption: &str) -> Effect {
        self.run(Command::Attach {
            case: case.into(),
            evidence: scimplan::session::Evidence {
                added_at: chrono::Utc::now(),
                reference: reference.into(),
                caption: caption.into(),
                file: None,
            },
        })
    }
}

impl WorkspaceEdits for scimplan::workspace::Workspace {
    fn run(&mut self, command: Command) -> Effect {
        self.apply(command)
    }
}
