//! The checklist's one channel: the terminal reader and every background job send, and events
//! come out in the order they happened, so the frame after a finished check is drawn as soon as
//! it arrives. Nothing taken out of it is dropped: when only background results are wanted
//! (quitting records what finished first), terminal events are held back for later.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use super::action::{Action, JobEvent};
use crate::verify::Sink;

/// Terminal events and background results, in the order they happened.
pub enum AppEvent {
    Terminal(crossterm::event::Event),
    /// A background job's progress or result (`Action::Job`; boxed: it is large beside a key).
    Action(Box<Action>),
    /// The terminal could not be read any more.
    InputFailed(std::io::Error),
}

pub struct Inbox {
    tx: Sender<AppEvent>,
    rx: Receiver<AppEvent>,
    /// Terminal events taken out while only background results were wanted, oldest first.
    held: VecDeque<AppEvent>,
}

impl Default for Inbox {
    fn default() -> Inbox {
        let (tx, rx) = channel();
        Inbox {
            tx,
            rx,
            held: VecDeque::new(),
        }
    }
}

impl Inbox {
    pub fn sender(&self) -> Sender<AppEvent> {
        self.tx.clone()
    }

    /// Where the verify worker reports.
    pub fn job_sink(&self) -> impl Sink {
        let tx = self.tx.clone();
        move |event| {
            let _ = tx.send(AppEvent::Action(Box::new(Action::Job(JobEvent::Check(
                event,
            )))));
        }
    }

    /// The next event, waiting up to `timeout` for one.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<AppEvent> {
        if let Some(event) = self.held.pop_front() {
            return Some(event);
        }
        self.rx.recv_timeout(timeout).ok()
    }

    /// The next background result, waiting up to `timeout`; anything else met on the way is
    /// held back for `recv_timeout`.
    pub fn next_result(&mut self, timeout: Duration) -> Option<JobEvent> {
        let until = Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(AppEvent::Action(action)) => match *action {
                    Action::Job(event) => return Some(event),
                    other => self.held.push_back(AppEvent::Action(Box::new(other))),
                },
                Ok(other) => self.held.push_back(other),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{Event, KeyCode, KeyEvent};

    use super::*;

    fn key(c: char) -> AppEvent {
        AppEvent::Terminal(Event::Key(KeyEvent::from(KeyCode::Char(c))))
    }

    fn typed(event: Option<AppEvent>) -> Option<char> {
        match event {
            Some(AppEvent::Terminal(Event::Key(KeyEvent {
                code: KeyCode::Char(c),
                ..
            }))) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn taking_only_results_holds_keys_back_in_their_order() {
        let mut inbox = Inbox::default();
        let tx = inbox.sender();
        let result = JobEvent::Exported(Ok(None));
        for event in [
            key('a'),
            AppEvent::Action(Box::new(Action::Job(result.clone()))),
            key('b'),
        ] {
            tx.send(event).unwrap();
        }
        assert_eq!(inbox.next_result(Duration::ZERO), Some(result));
        assert_eq!(inbox.next_result(Duration::ZERO), None);
        assert_eq!(typed(inbox.recv_timeout(Duration::ZERO)), Some('a'));
        assert_eq!(typed(inbox.recv_timeout(Duration::ZERO)), Some('b'));
        assert!(inbox.recv_timeout(Duration::ZERO).is_none());
    }
}
