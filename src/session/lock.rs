//! An advisory lock on a file beside the session (`<session>.lock`), held only while a writer
//! reads, merges and writes the session, so two writers never overwrite each other's work.
//! The holder writes who it is into the lock file, so a writer kept waiting can say who holds it.
//! The lock file is never removed: removing it while another writer waits on it would let two
//! writers in at once.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use thiserror::Error;

/// How long a writer waits for another one before giving up (`SCIMPLAN_LOCK_WAIT`, seconds,
/// changes it).
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Error)]
pub enum LockError {
    #[error("cannot open the lock file {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "another scimplan is writing this session and did not finish within {waited_secs:.1} s (holder: {holder}). Wait for it to finish, or end it, then try again (the lock file is {path})"
    )]
    Busy {
        path: PathBuf,
        holder: Holder,
        waited_secs: f64,
    },
}

/// Who holds a session's lock, as the holder wrote itself into the lock file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Holder {
    pub pid: Option<u32>,
    /// The holder's command line, as `scimplan verify PLAN ...`.
    pub command: Option<String>,
    /// When it took the lock (UTC, as written).
    pub since: Option<String>,
    /// The process that wrote this is gone: the file names a holder that left (the lock itself
    /// is freed with its process, so someone else holds it now, or nobody).
    pub exited: bool,
}

impl Holder {
    /// Reads what a holder wrote: `pid N, `command`, since TIME` (anything else: unknown).
    fn parse(text: &str) -> Holder {
        let text = text.trim();
        let pid = text
            .strip_prefix("pid ")
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.trim().parse::<u32>().ok());
        let command = text
            .split_once('`')
            .and_then(|(_, rest)| rest.rsplit_once('`'))
            .map(|(command, _)| command.to_string());
        let since = text
            .rsplit_once(", since ")
            .map(|(_, since)| since.to_string());
        Holder {
            pid,
            command,
            since,
            exited: pid.is_some_and(|pid| !process_alive(pid)),
        }
    }
}

impl Holder {
    /// The holder in words, without when it took the lock: "pid 812 (`scimplan verify ...`)",
    /// "a process that has exited (pid 812 ...)", or "another process" when it wrote no name.
    pub fn who(&self) -> String {
        let command = self
            .command
            .as_deref()
            .map(|c| format!(" (`{c}`)"))
            .unwrap_or_default();
        match (self.pid, self.exited) {
            (Some(pid), true) => format!("a process that has exited (pid {pid}{command})"),
            (Some(pid), false) => format!("pid {pid}{command}"),
            (None, _) => "another process".to_string(),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.who())?;
        match (&self.since, self.exited || self.pid.is_none()) {
            (Some(since), false) => write!(f, " since {since}"),
            _ => Ok(()),
        }
    }
}

/// Whether a process with that id is running (where `/proc` tells; elsewhere assumed so).
fn process_alive(pid: u32) -> bool {
    let proc_fs = Path::new("/proc/self");
    !proc_fs.exists() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Who holds the lock of `session` now, as written in its lock file.
pub fn holder_of(session: &Path) -> Holder {
    read_holder(&lock_path(session))
}

/// `<session file name>.lock` beside the session.
pub fn lock_path(session: &Path) -> PathBuf {
    let mut name = session.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    session.with_file_name(name)
}

/// How long to wait for the lock: `SCIMPLAN_LOCK_WAIT` seconds when set, else 10 s.
pub fn lock_wait() -> Duration {
    std::env::var("SCIMPLAN_LOCK_WAIT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_LOCK_WAIT)
}

/// Who this process is, as written into the lock file.
fn holder_line() -> String {
    let mut command: String = std::env::args().collect::<Vec<_>>().join(" ");
    if command.chars().count() > 160 {
        command = command.chars().take(160).collect::<String>() + "…";
    }
    format!(
        "pid {}, `{command}`, since {}",
        std::process::id(),
        Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    )
}

/// Runs `work` while holding the session's lock, waiting up to `wait` for another holder.
pub fn with_session_lock<T>(
    session: &Path,
    wait: Duration,
    work: impl FnOnce() -> T,
) -> Result<T, LockError> {
    let path = lock_path(session);
    let open_error = |source| LockError::Open {
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(open_error)?;
    let mut lock = fd_lock::RwLock::new(file);
    let started = Instant::now();
    let mut pause = Duration::from_millis(2);
    let mut guard = loop {
        match lock.try_write() {
            Ok(guard) => break guard,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) =>
            {
                if started.elapsed() >= wait {
                    return Err(LockError::Busy {
                        holder: read_holder(&path),
                        path,
                        waited_secs: wait.as_secs_f64(),
                    });
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(open_error(e)),
        }
    };
    // Best effort: the lock works without the holder's name.
    let _ = guard
        .set_len(0)
        .and_then(|()| guard.seek(SeekFrom::Start(0)).map(drop))
        .and_then(|()| guard.write_all(holder_line().as_bytes()));
    Ok(work())
}

fn read_holder(path: &Path) -> Holder {
    let mut text = String::new();
    let _ = std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    Holder::parse(&text)
}
