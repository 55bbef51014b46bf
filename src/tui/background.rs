//! Background results coming back: each job's news goes to the module that started it. Every
//! result arrives here as an `Action::Job` through `update`, whichever way the inbox was drained.

use super::action::JobEvent;
use super::model::Model;

pub fn handle(m: &mut Model, event: JobEvent) {
    match event {
        JobEvent::Check(event) => super::wire::handle(m, event),
        JobEvent::OktaChecked { .. } | JobEvent::SystemLog { .. } => super::okta::handle(m, event),
        JobEvent::Exported(result) => super::wire::exported(m, result),
    }
}

/// Handles the background results already sent, holding back key presses (before quitting:
/// what finished is recorded).
pub fn take_finished(m: &mut Model) {
    while let Some(action) = m.inbox.next_result(std::time::Duration::ZERO) {
        if let super::action::Action::Job(event) = action {
            handle(m, event);
        }
    }
}
