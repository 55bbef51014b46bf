//! Everything the checklist does off the UI thread, as one kind of thing: a `Job` is pending
//! from when it starts until its last result arrives as an `Action::Job` on the checklist's one
//! channel, where `update` takes it like a key press. At most one job of each kind is pending;
//! Esc cancels the latest (a check stops at its next wait or request, an Okta read drops its
//! request, an export writes nothing). A save waiting for another writer's lock is a job too,
//! with no thread: it is tried again on every tick, on the UI thread, and never cancelled.

use std::thread::JoinHandle;

use super::action::{Action, JobEvent};
use super::inbox::Inbox;
use crate::net::CancelFlag;
use crate::session::{Holder, SuiteKind, Verdict};
use crate::verify::Running;

/// What kind of work a job is: one of each may be pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Case checks, a case's start, or one of Okta's files (the verify worker).
    Check,
    /// The Okta org and app checked before the connection form saves them.
    OktaCheck,
    /// A case's System Log read from Okta.
    SystemLog,
    /// The completed workbook being built and written.
    Export,
    /// A save waiting for another writer's lock.
    Save,
    /// One of Okta's files run in BlazeMeter API Monitoring, watched until it ends.
    Hosted,
}

/// A job's work, with what it has shown so far.
pub enum Work {
    Check(Verification),
    OktaCheck {
        org: String,
    },
    SystemLog {
        case: String,
    },
    Export,
    /// Who held the session's lock at the last try, and since when this checklist waits.
    Save {
        holder: Holder,
        since: chrono::DateTime<chrono::Local>,
    },
    /// Which suite runs in BlazeMeter, and its latest news.
    Hosted {
        suite: SuiteKind,
        progress: String,
    },
}

impl Work {
    pub fn kind(&self) -> JobKind {
        match self {
            Work::Check(_) => JobKind::Check,
            Work::OktaCheck { .. } => JobKind::OktaCheck,
            Work::SystemLog { .. } => JobKind::SystemLog,
            Work::Export => JobKind::Export,
            Work::Save { .. } => JobKind::Save,
            Work::Hosted { .. } => JobKind::Hosted,
        }
    }
}

/// How a job runs: the verify worker's thread, a thread of the checklist's own, or polled on
/// ticks (the save).
enum Handle {
    Worker(Running),
    Thread {
        cancel: CancelFlag,
        thread: JoinHandle<()>,
    },
    Polled,
}

/// One piece of work off the UI thread, pending until its last result arrives.
pub struct Job {
    pub work: Work,
    /// Esc asked it to stop; its results still arrive (a cancelled check is recorded so).
    pub cancelled: bool,
    /// Ticks seen while pending, for the spinner.
    pub ticks: usize,
    handle: Handle,
}

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

impl Job {
    pub fn spinner(&self) -> char {
        SPINNER[self.ticks % SPINNER.len()]
    }

    /// The check's progress, when this is a check.
    pub fn verification(&self) -> Option<&Verification> {
        match &self.work {
            Work::Check(verification) => Some(verification),
            _ => None,
        }
    }

    /// The case being checked now, if this is a case check or a start.
    pub fn current_case(&self) -> Option<&str> {
        self.verification()?.current_case()
    }

    fn cancellable(&self) -> bool {
        !matches!(self.handle, Handle::Polled)
    }

    /// One line for the footer: what runs, how far it came, and how to stop it.
    pub fn status_line(&self) -> String {
        let stop = if self.cancelled {
            "cancelling…"
        } else {
            "Esc cancels"
        };
        let spinner = self.spinner();
        match &self.work {
            Work::Check(verification) => verification.status_line(spinner, stop),
            Work::OktaCheck { org } => {
                format!("{spinner} Checking the Okta org {org} ({stop})")
            }
            Work::SystemLog { case } => {
                format!("{spinner} Reading Okta's System Log for {case} ({stop})")
            }
            Work::Export => format!("{spinner} Writing the completed workbook ({stop})"),
            Work::Hosted { suite, progress } => {
                let stop = if self.cancelled {
                    "stopping the wait…"
                } else {
                    "Esc stops waiting; the run goes on in BlazeMeter"
                };
                let name = crate::report::readiness::suite_name(*suite);
                let last = if progress.is_empty() {
                    "starting…"
                } else {
                    progress
                };
                format!("{spinner} Okta's {name} file in BlazeMeter: {last} ({stop})")
            }
            Work::Save { holder, since } => format!(
                "Saving waits for {} since {}: keys keep working, and your changes are saved as soon as it lets go.",
                holder.who(),
                since.format("%H:%M:%S")
            ),
        }
    }
}

/// The pending jobs, oldest first.
#[derive(Default)]
pub struct Jobs {
    pending: Vec<Job>,
}

impl Jobs {
    pub fn get(&self, kind: JobKind) -> Option<&Job> {
        self.pending.iter().find(|j| j.work.kind() == kind)
    }

    pub fn get_mut(&mut self, kind: JobKind) -> Option<&mut Job> {
        self.pending.iter_mut().find(|j| j.work.kind() == kind)
    }

    pub fn is_pending(&self, kind: JobKind) -> bool {
        self.get(kind).is_some()
    }

    /// The pending jobs, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Job> {
        self.pending.iter()
    }

    /// The running check's progress.
    pub fn check_mut(&mut self) -> Option<&mut Verification> {
        match &mut self.get_mut(JobKind::Check)?.work {
            Work::Check(verification) => Some(verification),
            _ => None,
        }
    }

    fn add(&mut self, work: Work, handle: Handle) {
        // One of a kind: the caller says "already running" instead of starting a second.
        debug_assert!(!self.is_pending(work.kind()), "a second {:?}", work.kind());
        self.pending.push(Job {
            work,
            cancelled: false,
            ticks: 0,
            handle,
        });
    }

    /// A check the verify worker runs; it reports through `Inbox::job_sink` and ends with
    /// `VerifyEvent::Ended`.
    pub fn start_check(&mut self, verification: Verification, running: Running) {
        self.add(Work::Check(verification), Handle::Worker(running));
    }

    /// Runs `run` on a thread of its own; what it returns arrives as `Action::Job`, and the
    /// job is pending until it is taken (`finish`).
    pub fn spawn(
        &mut self,
        work: Work,
        inbox: &Inbox,
        run: impl FnOnce(&CancelFlag) -> JobEvent + Send + 'static,
    ) {
        let cancel = CancelFlag::new();
        let flag = cancel.clone();
        let tx = inbox.sender();
        let thread = std::thread::spawn(move || {
            let result = Action::Job(run(&flag));
            let _ = tx.send(super::inbox::AppEvent::Action(Box::new(result)));
        });
        self.add(work, Handle::Thread { cancel, thread });
    }

    /// Like `spawn`, for work that has news before it ends: `run` sends it with its second
    /// argument (each arrives as `Action::Job`); the job is pending until `finish`.
    pub fn spawn_reporting(
        &mut self,
        work: Work,
        inbox: &Inbox,
        run: impl FnOnce(&CancelFlag, &dyn Fn(JobEvent)) -> JobEvent + Send + 'static,
    ) {
        let cancel = CancelFlag::new();
        let flag = cancel.clone();
        let tx = inbox.sender();
        let thread = std::thread::spawn(move || {
            let news = |event: JobEvent| {
                let _ = tx.send(super::inbox::AppEvent::Action(Box::new(Action::Job(event))));
            };
            let result = run(&flag, &news);
            news(result);
        });
        self.add(work, Handle::Thread { cancel, thread });
    }

    /// Work done on the UI thread, on ticks (the save waiting for a lock).
    pub fn poll(&mut self, work: Work) {
        self.add(work, Handle::Polled);
    }

    /// Asks the job of `kind` to stop; false when none is pending or it cannot be cancelled.
    pub fn cancel(&mut self, kind: JobKind) -> bool {
        let Some(job) = self.get_mut(kind).filter(|j| j.cancellable()) else {
            return false;
        };
        match &job.handle {
            Handle::Worker(running) => running.cancel.cancel(),
            Handle::Thread { cancel, .. } => cancel.cancel(),
            Handle::Polled => {}
        }
        job.cancelled = true;
        true
    }

    /// Esc: cancels the latest job that can be cancelled (again, if it already was: Esc does
    /// nothing else while one is stopping); which one it was.
    pub fn cancel_latest(&mut self) -> Option<JobKind> {
        let kind = self
            .pending
            .iter()
            .rev()
            .find(|j| j.cancellable())
            .map(|j| j.work.kind())?;
        self.cancel(kind).then_some(kind)
    }

    /// Takes the job of `kind` off the pending list once its last result arrived (its thread
    /// has ended, or is about to).
    pub fn finish(&mut self, kind: JobKind) -> Option<Job> {
        let at = self.pending.iter().position(|j| j.work.kind() == kind)?;
        let mut job = self.pending.remove(at);
        match std::mem::replace(&mut job.handle, Handle::Polled) {
            Handle::Worker(running) => {
                let _ = running.thread.join();
            }
            Handle::Thread { thread, .. } => {
                let _ = thread.join();
            }
            Handle::Polled => {}
        }
        Some(job)
    }

    /// Time passes for the spinners.
    pub fn tick(&mut self) {
        for job in &mut self.pending {
            job.ticks += 1;
        }
    }
}

/// How far a run of one of Okta's files has come.
#[derive(Debug, Clone, Default)]
pub struct SuiteProgress {
    pub done: usize,
    pub failed: usize,
    pub warned: usize,
}

/// What a check job runs.
pub enum RunKind {
    /// Case checks, in order.
    Cases {
        cases: Vec<String>,
        /// Verdicts of the runs finished so far.
        finished: Vec<Verdict>,
        /// Each case's outcome when the check started: its verdict is recorded only over it.
        started_with: std::collections::BTreeMap<String, crate::session::Standing>,
        /// The case whose verdict may replace the outcome a person set (the tester agreed).
        replace: Option<String>,
    },
    /// One of Okta's files (SPEC, CRUD), step by step.
    Suite(SuiteKind, SuiteProgress),
    /// Starting a case (its recipe's `before` steps).
    Start(String),
}

/// A check in progress and what it has shown so far.
pub struct Verification {
    pub kind: RunKind,
    /// The latest polling attempt or check, for the footer.
    pub progress: String,
}

impl Verification {
    pub fn new(kind: RunKind) -> Verification {
        Verification {
            kind,
            progress: String::new(),
        }
    }

    /// The case being checked now, if this is a case check.
    pub fn current_case(&self) -> Option<&str> {
        match &self.kind {
            RunKind::Cases {
                cases, finished, ..
            } => cases.get(finished.len()).map(String::as_str),
            RunKind::Start(case) => Some(case),
            RunKind::Suite(..) => None,
        }
    }

    /// Which case, which attempt, what failed, when it retries.
    fn status_line(&self, spinner: char, stop: &str) -> String {
        match &self.kind {
            RunKind::Suite(suite, spec) => {
                let last = if self.progress.is_empty() {
                    "first step…".to_string()
                } else {
                    format!("last: {}", self.progress)
                };
                let name = crate::report::readiness::suite_name(*suite);
                format!(
                    "{spinner} Okta's {name} file: {} steps done, {} failed, {} warning(s); {last} ({stop})",
                    spec.done, spec.failed, spec.warned
                )
            }
            RunKind::Start(case) => format!(
                "{spinner} Starting {case}: noting what it acts on before its Okta steps ({stop})"
            ),
            RunKind::Cases {
                cases, finished, ..
            } => {
                let at = (finished.len() + 1).min(cases.len());
                let case = cases.get(at - 1).map(String::as_str).unwrap_or("");
                let what = if self.progress.is_empty() {
                    format!("{case}: first attempt…")
                } else {
                    self.progress.clone()
                };
                format!("{spinner} Verifying {at}/{}: {what} ({stop})", cases.len())
            }
        }
    }
}
