//! Checks on a background thread, for the TUI: progress arrives on a channel, Esc cancels.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use super::cancel::CancelFlag;
use super::engine::run_check;
use super::http::ScimClient;
use super::job::CheckJob;
use super::secret::Secret;
use super::spec::{SpecOptions, run_spec};
use super::{VerifyError, VerifyEvent};
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

/// A check running on its own thread. Its events end with `Finished` (or `Failed` when the
/// client cannot be set up); the channel closes after that.
pub struct Running {
    pub events: Receiver<VerifyEvent>,
    pub cancel: CancelHandle,
    pub thread: JoinHandle<()>,
}

/// Verifies one case in the background. Store the `Finished` run with `record::record_run`.
pub fn spawn(job: CheckJob, connection: Connection, secret: Secret) -> Running {
    spawn_all(vec![job], connection, secret)
}

/// Verifies cases one after another in the background: each ends with its `Finished` run;
/// cancelling stops the current one (recorded as cancelled) and the rest.
pub fn spawn_all(jobs: Vec<CheckJob>, connection: Connection, secret: Secret) -> Running {
    start(move |tx, flag| {
        let client = ScimClient::new(&connection, &secret)?;
        for job in &jobs {
            if flag.is_cancelled() {
                break;
            }
            let run = run_check(&client, &connection.auth, job, flag, &mut |event| {
                let _ = tx.send(event);
            });
            let _ = tx.send(VerifyEvent::Finished(Box::new(run)));
        }
        Ok(())
    })
}

/// Runs the SPEC suite in the background; ends with `SpecFinished`.
pub fn spawn_spec(connection: Connection, secret: Secret, options: SpecOptions) -> Running {
    start(move |tx, flag| {
        let client = ScimClient::new(&connection, &secret)?;
        let report = run_spec(&client, &options, flag, &mut |event| {
            let _ = tx.send(event);
        });
        let _ = tx.send(VerifyEvent::SpecFinished(Box::new(report)));
        Ok(())
    })
}

fn start(
    work: impl FnOnce(&Sender<VerifyEvent>, &CancelFlag) -> Result<(), VerifyError> + Send + 'static,
) -> Running {
    let (tx, rx) = channel();
    let flag = CancelFlag::new();
    let worker_flag = flag.clone();
    let thread = std::thread::spawn(move || {
        if let Err(error) = work(&tx, &worker_flag) {
            let _ = tx.send(VerifyEvent::Failed(error.to_string()));
        }
    });
    Running {
        events: rx,
        cancel: CancelHandle { flag },
        thread,
    }
}
