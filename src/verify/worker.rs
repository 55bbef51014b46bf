//! Work on a background thread, for the TUI: case checks and starts (the one runner,
//! `runner::Runner`, on its own thread) and Okta's SPEC and CRUD files. Progress goes to a
//! sink the caller gives (the checklist's own event channel, so results arrive like key
//! presses), Esc cancels.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel as mpsc_channel};
use std::thread::JoinHandle;

use super::crud::{CrudOptions, run_crud};
use super::error::VerifyError;
use super::event::VerifyEvent;
use super::job::CheckJob;
use super::runner::{Access, Runner};
use super::spec::{SpecOptions, run_spec};
use crate::net::{CancelFlag, Secret};
use crate::scim::ScimClient;
use crate::session::Connection;

/// Cancels the background work it was returned with; the worker stops at its next wait or
/// request (a request in flight ends at its own timeout, bounded by the check's deadline).
#[derive(Debug, Clone)]
pub struct CancelHandle {
    flag: CancelFlag,
}

impl CancelHandle {
    pub fn cancel(&self) {
        self.flag.cancel();
    }
}

/// Where a worker's events go: called on the worker's thread, in order (`Sync` so Okta's
/// rate-limit waits can be reported from inside a request). The last event is
/// always `Ended`.
pub trait Sink: Fn(VerifyEvent) + Send + Sync + 'static {}
impl<F: Fn(VerifyEvent) + Send + Sync + 'static> Sink for F {}

/// A sink that feeds a channel, and the channel's end: for callers without an event loop of
/// their own. The channel closes after `Ended`.
pub fn channel() -> (impl Sink, Receiver<VerifyEvent>) {
    let (tx, rx) = mpsc_channel();
    (
        move |event| {
            let _ = tx.send(event);
        },
        rx,
    )
}

/// Work running on its own thread.
pub struct Running {
    pub cancel: CancelHandle,
    pub thread: JoinHandle<()>,
}

/// Checks cases one after another in the background with the one runner: each ends with its
/// `Finished` run (record it with `session::Command::RecordRun`); cancelling stops the current
/// one (recorded as cancelled) and the rest.
pub fn spawn_checks(jobs: Vec<CheckJob>, access: Access, sink: impl Sink) -> Running {
    start(sink, move |tx, flag| {
        let progress = Arc::clone(&tx);
        let runner = Runner::open(&access, flag, move |p| progress(VerifyEvent::Waiting(p)))?;
        for job in &jobs {
            if flag.is_cancelled() {
                break;
            }
            let run = runner.run(job, flag, &mut |event| tx(event));
            tx(VerifyEvent::Finished(Box::new(run)));
        }
        Ok(())
    })
}

/// Observes a case's start in the background (its recipe's `before` steps); ends with
/// `Started`. Store what it saw with `session::Command::RecordStart`.
pub fn spawn_start(job: CheckJob, access: Access, sink: impl Sink) -> Running {
    start(sink, move |tx, flag| {
        let runner = Runner::open(&access, flag, |_| {})?;
        tx(VerifyEvent::Started(Box::new(runner.start(&job, flag))));
        Ok(())
    })
}

/// Runs the SPEC suite in the background; ends with `SpecFinished`.
pub fn spawn_spec(
    connection: Connection,
    secret: Secret,
    options: SpecOptions,
    sink: impl Sink,
) -> Running {
    start(sink, move |tx, flag| {
        let client = ScimClient::new(&connection, &secret)?;
        let report = run_spec(&client, &options, flag, &mut |event| tx(event));
        tx(VerifyEvent::SpecFinished(Box::new(report)));
        Ok(())
    })
}

/// Runs Okta's CRUD file in the background and cleans up its Okta user (after a cancel too);
/// ends with `CrudFinished`.
pub fn spawn_crud(
    connection: Connection,
    secret: Secret,
    okta_token: Secret,
    options: CrudOptions,
    sink: impl Sink,
) -> Running {
    start(sink, move |tx, flag| {
        let report = run_crud(
            &connection,
            &secret,
            &okta_token,
            &options,
            flag,
            &mut |event| tx(event),
        );
        tx(VerifyEvent::CrudFinished(Box::new(report)));
        Ok(())
    })
}

fn start<S: Sink>(
    sink: S,
    work: impl FnOnce(Arc<S>, &CancelFlag) -> Result<(), VerifyError> + Send + 'static,
) -> Running {
    let flag = CancelFlag::new();
    let worker_flag = flag.clone();
    let sink = Arc::new(sink);
    let thread = std::thread::spawn(move || {
        if let Err(error) = work(Arc::clone(&sink), &worker_flag) {
            sink(VerifyEvent::Failed(error.to_string()));
        }
        sink(VerifyEvent::Ended);
    });
    Running {
        cancel: CancelHandle { flag },
        thread,
    }
}
