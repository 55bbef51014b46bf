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
        holder: String,
        waited_secs: f64,
    },
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

fn read_holder(path: &Path) -> String {
    let mut text = String::new();
    let _ = std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let text = text.trim();
    if text.is_empty() {
        "unknown".into()
    } else {
        text.to_string()
    }
}
