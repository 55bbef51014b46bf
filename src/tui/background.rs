//! Background results coming back: each job's news goes to the module that started it. Every
//! result arrives here as an `Action::Job`, whichever way the inbox was drained.

use std::time::Duration;

use super::action::JobEvent;
use super::model::Model;
use super::overlays::connection::okta_checked;

pub fn handle(m: &mut Model, event: JobEvent) {
    match event {
        JobEvent::Check(event) => super::checks::handle(m, event),
        JobEvent::OktaChecked {
            connection,
            result,
            token_refused,
        } => okta_checked(m, connection, result, token_refused),
        JobEvent::SystemLog { case, trail } => super::okta::trail_read(m, case, trail),
        JobEvent::Exported(result) => super::export::finished(m, result),
        JobEvent::HostedTest(test) => super::hosted::test_made(m, test),
        JobEvent::HostedProgress(line) => super::hosted::progress(m, line),
        JobEvent::HostedDone {
            outcome,
            token_refused,
        } => super::hosted::done(m, *outcome, token_refused),
    }
}

/// Handles the background results already sent, holding back key presses (before quitting:
/// what finished is recorded).
pub fn take_finished(m: &mut Model) {
    while let Some(event) = m.inbox.next_result(Duration::ZERO) {
        handle(m, event);
    }
}
