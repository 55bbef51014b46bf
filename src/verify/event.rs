//! Progress of background work, as the worker reports it (and the CLI prints it).

use std::time::Duration;

use crate::runscope::RunEvent;
use crate::session::{CaseStart, SpecCheck, SpecReport, VerifyRun};

/// Progress of background work, in order; `Ended` comes last.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyEvent {
    /// One polling attempt of a case check ended.
    Attempt {
        case: String,
        number: u32,
        passed: usize,
        failed: usize,
        /// The first assertion that did not hold, or the error.
        first_failure: Option<String>,
        /// When the next attempt starts; `None` when this was the last.
        retry_in: Option<Duration>,
    },
    /// One SPEC check ended (the checks beyond Okta's file).
    SpecCheck(SpecCheck),
    /// One step of a Runscope file ended (Okta's SPEC or Entitlements file).
    FileStep(Box<crate::session::StepRecord>),
    /// A polled step of a Runscope file did not hold yet; it is tried again in `retry_in`.
    FileAttempt {
        position: usize,
        number: u32,
        failing: String,
        retry_in: Duration,
    },
    /// A wait that is not a failure (Okta's rate limit used up: waiting for its reset).
    Waiting(String),
    Finished(Box<VerifyRun>),
    SpecFinished(Box<SpecReport>),
    /// Okta's CRUD file ended, its Okta user cleaned up.
    CrudFinished(Box<crate::session::CrudReport>),
    /// What the work does now, for the footer (the CRUD run's clean-up).
    Progress(String),
    /// What starting a case observed (the checklist's start key), or why nothing was kept.
    Started(Box<StartReport>),
    /// The work could not start (e.g. the HTTP client could not be set up).
    Failed(String),
    /// The worker is done: nothing follows.
    Ended,
}

impl From<RunEvent> for VerifyEvent {
    fn from(event: RunEvent) -> VerifyEvent {
        match event {
            RunEvent::Step(step) => VerifyEvent::FileStep(step),
            RunEvent::Attempt {
                position,
                number,
                failing,
                retry_in,
            } => VerifyEvent::FileAttempt {
                position,
                number,
                failing,
                retry_in,
            },
        }
    }
}

/// What starting a case observed: stored in the session when every `before` assertion held.
#[derive(Debug, Clone, PartialEq)]
pub struct StartReport {
    pub case: String,
    /// The observation to keep, or `None` when it failed (see `problem`).
    pub start: Option<CaseStart>,
    /// Why nothing was kept: the first assertion that did not hold, or the error.
    pub problem: Option<String>,
}
