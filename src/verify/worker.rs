//! Checks on a background thread, for the TUI: progress goes to a sink the caller gives (the
//! checklist's own event channel, so results arrive like key presses), Esc cancels.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel as mpsc_channel};
use std::thread::JoinHandle;

use super::crud::{CrudOptions, run_crud};
use super::engine::{ScimSide, observe_start, run_case};
use super::job::CheckJob;
use super::spec::{SpecOptions, run_spec};
use super::trail::{subjects_of, trail_since};
use super::{VerifyError, VerifyEvent};
use crate::net::{CancelFlag, Secret};
use crate::okta::{OktaClient, OktaError, credential_for, okta_trail};
use crate::scim::ScimClient;
use crate::session::{Connection, OktaConnection, VerifyRun};

/// The Okta org to check the cases' Okta side in: the connection, and its API token (memory
/// only; `None` for a service app, which signs in with its key file on the worker's thread,
/// since that is a request).
#[derive(Debug, Clone)]
pub struct OktaAccess {
    pub connection: OktaConnection,
    pub api_token: Option<Secret>,
}

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

/// Verifies one case in the background. Store the `Finished` run with `session::Command::RecordRun`.
pub fn spawn(
    job: CheckJob,
    connection: Connection,
    secret: Secret,
    okta: Option<OktaAccess>,
    sink: impl Sink,
) -> Running {
    spawn_all(vec![job], connection, secret, okta, sink)
}

/// Verifies cases one after another in the background: each ends with its `Finished` run;
/// cancelling stops the current one (recorded as cancelled) and the rest. With `okta`, each
/// case's Okta side is checked too and the run keeps the System Log since the case started
/// (`CheckJob::since`).
pub fn spawn_all(
    jobs: Vec<CheckJob>,
    connection: Connection,
    secret: Secret,
    okta: Option<OktaAccess>,
    sink: impl Sink,
) -> Running {
    spawn_cases(jobs, Some((connection, secret)), okta, sink)
}

/// `spawn_all` for cases checked in Okta only (no SCIM step): no SCIM connection needed.
pub fn spawn_okta_only(jobs: Vec<CheckJob>, okta: OktaAccess, sink: impl Sink) -> Running {
    spawn_cases(jobs, None, Some(okta), sink)
}

fn spawn_cases(
    jobs: Vec<CheckJob>,
    scim: Option<(Connection, Secret)>,
    okta: Option<OktaAccess>,
    sink: impl Sink,
) -> Running {
    start(sink, move |tx, flag| {
        let client = match &scim {
            Some((connection, secret)) => Some((
                ScimClient::new(connection, secret)?,
                connection.auth.clone(),
            )),
            None => None,
        };
        let okta = match okta {
            Some(access) => {
                let progress = Arc::clone(&tx);
                let okta_error = |e: OktaError| VerifyError::Settings(format!("Okta: {e}"));
                let credential =
                    credential_for(&access.connection, access.api_token).map_err(okta_error)?;
                Some(
                    OktaClient::new(&access.connection, credential)
                        .map_err(okta_error)?
                        .with_cancel(flag.clone())
                        .with_progress(move |p| progress(VerifyEvent::Waiting(p.describe()))),
                )
            }
            None => None,
        };
        for job in &jobs {
            if flag.is_cancelled() {
                break;
            }
            let mut run = run_case(
                client
                    .as_ref()
                    .map(|(client, auth)| ScimSide { client, auth }),
                okta.as_ref(),
                job,
                flag,
                &mut |event| tx(event),
            );
            if let Some(okta) = okta.as_ref().filter(|_| !flag.is_cancelled()) {
                attach_trail(okta, job, &mut run);
            }
            tx(VerifyEvent::Finished(Box::new(run)));
        }
        Ok(())
    })
}

/// Keeps Okta's side with the run: the System Log since the case started (the job's
/// `since`, else the lookback before the run) for its user, members or group and the app.
pub fn attach_trail(okta: &OktaClient, job: &CheckJob, run: &mut VerifyRun) {
    let since = job
        .since
        .unwrap_or_else(|| trail_since(&[], &run.case, run.at));
    run.okta = Some(okta_trail(okta, since, &subjects_of(&run.inputs)));
}

/// Observes a case's start in the background (its recipe's `before` steps); ends with
/// `Started`. Store what it saw with `session::Command::RecordStart`.
pub fn spawn_start(
    job: CheckJob,
    connection: Connection,
    secret: Secret,
    sink: impl Sink,
) -> Running {
    start(sink, move |tx, flag| {
        let client = ScimClient::new(&connection, &secret)?;
        let report = observe_start(&client, &job, flag);
        tx(VerifyEvent::Started(Box::new(report)));
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
