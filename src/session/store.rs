//! Reading and writing the session file. Several scimplan processes may write one session (the
//! checklist open while `scimplan mark` or `verify` runs in another terminal): each save takes
//! the session's lock, reads what is on disk, merges this writer's changes into it (see
//! `merge`), writes atomically and lets go. The checklist picks up other writers' changes with
//! `refresh_if_changed`.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::atomic::{backup_path, remove_stale_temps, write_atomic};
use super::lock::{LockError, lock_wait, with_session_lock};
use super::merge::{ChangesElsewhere, merge};
use super::model::{ReconcileReport, SCHEMA_VERSION, Session};
use crate::plan::Plan;
use crate::plan::profile::Requirements;

#[derive(Debug, Error)]
pub enum SessionError {
    #[error("{path}: cannot read the session file: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: the session file is damaged ({detail}). Nothing was changed. The previous version is kept in {backup}: copy it over the session file to go back to it, or pass --session to start another session."
    )]
    Corrupt {
        path: PathBuf,
        detail: String,
        backup: PathBuf,
    },
    #[error(
        "{path}: the session was written by a newer scimplan (schema {found}, this one reads up to {SCHEMA_VERSION}). Update scimplan."
    )]
    NewerSchema { path: PathBuf, found: u32 },
}

/// What a failed save could not do.
#[derive(Debug, Error)]
pub enum SaveFailure {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{0}")]
    OnDisk(#[from] SessionError),
    #[error("{0}")]
    Write(#[source] std::io::Error),
    #[error("a file is already there (scimplan does not write a session over another one)")]
    Exists,
    #[error(
        "the session was opened to be read only, without its undo history (a bug: please report it)"
    )]
    ReadOnly,
}

/// The changes held in memory only, not yet in the session file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unsaved {
    /// Changes: each logged one (mark, note, step, evidence, undo, redo, capabilities), or each
    /// case changed otherwise (time spent), plus one each for suite links, suite runs and
    /// verification records.
    pub changes: usize,
    /// Cases whose result differs from the file.
    pub cases: Vec<String>,
}

impl std::fmt::Display for Unsaved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} change(s)", self.changes)?;
        if !self.cases.is_empty() {
            let shown: Vec<&str> = self.cases.iter().take(10).map(String::as_str).collect();
            let more = self.cases.len().saturating_sub(shown.len());
            write!(f, " to {}", shown.join(", "))?;
            if more > 0 {
                write!(f, " and {more} more case(s)")?;
            }
        }
        Ok(())
    }
}

/// A save that did not happen, with what it would have saved (kept in memory).
#[derive(Debug, Error)]
#[error(
    "{path}: cannot save the session: {failure}. Not saved: {unsaved}, kept in memory only. Fix the cause (free disk space, fix permissions, end the other writer) and save again, or save elsewhere (--session PATH); the file on disk still holds the previous state."
)]
pub struct SaveError {
    pub path: PathBuf,
    #[source]
    pub failure: Box<SaveFailure>,
    pub unsaved: Unsaved,
}

/// `<workbook stem>.scimplan.json` beside the workbook.
pub fn default_session_path(plan_path: &Path) -> PathBuf {
    let stem = plan_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    plan_path.with_file_name(format!("{stem}.scimplan.json"))
}

/// Identity of the session file as last seen: every write renames a new file into place, so a
/// write by anyone changes it.
#[derive(Debug, Clone, PartialEq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = fs::metadata(path).ok()?;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        })
    }
}

/// A session file as read from disk, before it is reconciled with a plan.
pub struct SessionFile {
    path: PathBuf,
    seen: Option<FileStamp>,
    read: Option<Read>,
    read_only: bool,
}

impl SessionFile {
    /// Reads and checks the session at `path` (none there yet is not an error).
    pub fn read(path: &Path) -> Result<SessionFile, SessionError> {
        Self::read_with(path, false)
    }

    /// As `read`, for commands that only read the session (export): its undo history is
    /// skipped, not built (two thirds of a large session file), and the store it opens
    /// refuses to save (`SaveFailure::ReadOnly`).
    pub fn read_without_history(path: &Path) -> Result<SessionFile, SessionError> {
        Self::read_with(path, true)
    }

    fn read_with(path: &Path, read_only: bool) -> Result<SessionFile, SessionError> {
        let seen = FileStamp::of(path);
        Ok(SessionFile {
            path: path.to_path_buf(),
            seen,
            read: read_session(path, read_only)?,
            read_only,
        })
    }
}

/// A session together with where it lives.
#[derive(Debug, Clone)]
pub struct SessionStore {
    pub path: PathBuf,
    pub session: Session,
    /// False until the session has been written once (a fresh session is not written until
    /// something changes).
    pub on_disk: bool,
    /// The session as last read from or written to the file, as the file's bytes: what this
    /// writer's changes are measured against when merging with what others wrote. Kept as bytes
    /// (a quarter of the parsed size on 10,000 cases) and parsed only when another writer saved
    /// meanwhile or unsaved changes are described.
    base: Vec<u8>,
    seen: Option<FileStamp>,
    /// A file `refresh_if_changed` could not read and has reported (reported once; a save
    /// still reads it and refuses to write over it).
    unreadable: Option<FileStamp>,
    /// Other writers' changes picked up by a save, for the next `refresh_if_changed`.
    picked_up: ChangesElsewhere,
    /// Opened by `SessionFile::read_without_history`: never saved, no base kept.
    read_only: bool,
}

impl SessionStore {
    /// Opens the session at `path`, or starts a new one for `plan`, and reconciles it with the plan.
    pub fn open(
        path: &Path,
        plan: &Plan,
        reqs: &Requirements,
    ) -> Result<(SessionStore, ReconcileReport), SessionError> {
        Self::open_read(SessionFile::read(path)?, plan, reqs)
    }

    /// `open` in two steps: the file read by `SessionFile::read` (which needs no plan, so it
    /// can run while the plan loads), then reconciled with `plan`.
    pub fn open_read(
        file: SessionFile,
        plan: &Plan,
        reqs: &Requirements,
    ) -> Result<(SessionStore, ReconcileReport), SessionError> {
        let SessionFile {
            path,
            seen,
            read,
            read_only,
        } = file;
        let path = path.as_path();
        let (mut base, mut session, on_disk, history_dropped) = match read {
            Some(read) => (read.bytes, read.session, true, read.history_dropped),
            None => {
                let session = Session::new(plan);
                (serialize(&session, 0), session, false, None)
            }
        };
        if read_only {
            base = Vec::new();
        }
        let mut report = session.reconcile(plan, reqs);
        report.history_dropped = history_dropped;
        remove_stale_temps(path);
        Ok((
            SessionStore {
                path: path.to_path_buf(),
                session,
                on_disk,
                base,
                seen,
                unreadable: None,
                picked_up: ChangesElsewhere::default(),
                read_only,
            },
            report,
        ))
    }

    /// What is in memory but not in the file: the tester's changes (results, undo and redo,
    /// capabilities, links, connection and verification records). Bookkeeping (the selected
    /// case, the tester's name from the command line, the plan's fingerprint) is saved with the
    /// next change but is not counted, so quitting after only moving around asks nothing.
    /// A read-only store (`SessionFile::read_without_history`) has none: it saves nothing.
    pub fn unsaved(&self) -> Unsaved {
        if self.read_only || self.matches_base() {
            return Unsaved::default();
        }
        let Ok((then, _)) = parse_session(&self.path, &self.base) else {
            // The bytes were read or written by this process, so they parse; should they not,
            // everything in memory counts as unsaved.
            return Unsaved {
                changes: self.session.history.len().max(1),
                cases: self.session.results.keys().cloned().collect(),
            };
        };
        let (now, then) = (&self.session, &then);
        let logged = now.history.len().saturating_sub(then.history.len());
        let ids: std::collections::BTreeSet<&String> =
            now.results.keys().chain(then.results.keys()).collect();
        let cases: Vec<String> = ids
            .into_iter()
            .filter(|id| now.results.get(*id) != then.results.get(*id))
            .cloned()
            .collect();
        let unlogged = [
            now.suites != then.suites,
            now.suite_runs != then.suite_runs,
            now.verify != then.verify,
            logged == 0 && now.capabilities != then.capabilities,
        ]
        .into_iter()
        .filter(|differs| *differs)
        .count();
        Unsaved {
            changes: logged.max(cases.len()) + unlogged,
            cases,
        }
    }

    /// Where the session's evidence files are copied.
    pub fn evidence_dir(&self) -> PathBuf {
        super::evidence::evidence_dir(&self.path)
    }

    /// Writes this writer's changes into the session file, merged with whatever other writers
    /// saved meanwhile; afterwards `session` holds both. Does nothing when nothing changed.
    pub fn save(&mut self) -> Result<(), SaveError> {
        if self.read_only {
            return Err(self.read_only_error(&self.path));
        }
        let bytes = serialize(&self.session, self.base.len());
        if self.on_disk && bytes == self.base {
            return Ok(());
        }
        let path = self.path.clone();
        let outcome = with_session_lock(&path, lock_wait(), || self.merge_and_write(bytes))
            .map_err(SaveFailure::from)
            .and_then(|r| r);
        outcome.map_err(|failure| SaveError {
            path,
            failure: Box::new(failure),
            unsaved: self.unsaved(),
        })
    }

    /// Under the lock: read, merge, write. `ours` is the session serialized.
    fn merge_and_write(&mut self, ours: Vec<u8>) -> Result<(), SaveFailure> {
        let stamp = FileStamp::of(&self.path);
        let merged = if stamp.is_some() && stamp != self.seen {
            match read_session(&self.path, false)? {
                Some(theirs) => {
                    let (base, _) = parse_session(&self.path, &self.base)?;
                    let (merged, changes) = merge(&base, &self.session, &theirs.session);
                    self.picked_up.absorb(changes);
                    Some(merged)
                }
                None => None,
            }
        } else {
            None
        };
        // Unless another writer saved meanwhile, the session's own bytes are written.
        let bytes = match &merged {
            Some(merged) => {
                let size = ours.len();
                drop(ours);
                serialize(merged, size)
            }
            None => ours,
        };
        write_atomic(&self.path, &bytes, true).map_err(SaveFailure::Write)?;
        self.seen = FileStamp::of(&self.path);
        if let Some(merged) = merged {
            self.session = merged;
        }
        self.base = bytes;
        self.on_disk = true;
        Ok(())
    }

    fn read_only_error(&self, path: &Path) -> SaveError {
        SaveError {
            path: path.to_path_buf(),
            failure: Box::new(SaveFailure::ReadOnly),
            unsaved: Unsaved::default(),
        }
    }

    /// Whether the session serializes to the base's bytes (streamed: no copy is built).
    fn matches_base(&self) -> bool {
        let mut compare = CompareWriter {
            expected: &self.base,
            equal: true,
        };
        serde_json::to_writer(&mut compare, &self.session).expect("a session always serializes");
        compare.equal && compare.expected.is_empty()
    }

    /// Writes the session to a new file at `path` and keeps working there (the checklist's "save
    /// elsewhere" when the usual place cannot be written). Refuses a path that holds a file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), SaveError> {
        let failure = |failure| SaveError {
            path: path.to_path_buf(),
            failure: Box::new(failure),
            unsaved: self.unsaved(),
        };
        if self.read_only {
            return Err(self.read_only_error(path));
        }
        if path.exists() {
            return Err(failure(SaveFailure::Exists));
        }
        let bytes = serialize(&self.session, self.base.len());
        let written = with_session_lock(path, lock_wait(), || {
            super::atomic::write_new(path, &bytes).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    SaveFailure::Exists
                } else {
                    SaveFailure::Write(e)
                }
            })
        });
        match written.map_err(SaveFailure::from).and_then(|r| r) {
            Ok(()) => {
                self.path = path.to_path_buf();
                self.seen = FileStamp::of(path);
                self.base = bytes;
                self.on_disk = true;
                Ok(())
            }
            Err(e) => Err(failure(e)),
        }
    }

    /// Picks up what other writers saved since this one last read or wrote the file, keeping
    /// this writer's unsaved changes on top. Cheap when nothing changed (one `stat`): call it on
    /// every tick. Returns what changed, or `None`.
    pub fn refresh_if_changed(&mut self) -> Result<Option<ChangesElsewhere>, SessionError> {
        if self.read_only {
            return Ok(None);
        }
        let stamp = FileStamp::of(&self.path);
        if stamp.is_some() && stamp != self.seen && stamp != self.unreadable {
            let read = read_session(&self.path, false).inspect_err(|_| {
                self.unreadable = stamp.clone();
            })?;
            if let Some(theirs) = read {
                let (base, _) = parse_session(&self.path, &self.base)?;
                let (merged, changes) = merge(&base, &self.session, &theirs.session);
                drop(base);
                self.session = merged;
                self.base = theirs.bytes;
                self.on_disk = true;
                self.picked_up.absorb(changes);
            }
            self.seen = stamp;
        }
        if self.picked_up.is_empty() {
            return Ok(None);
        }
        Ok(Some(std::mem::take(&mut self.picked_up)))
    }
}

/// The session as JSON, in a buffer sized from `size_hint` (the last write's size): a buffer
/// that grows by doubling ends up to twice the text's size, and the store keeps it as its base
/// (on a 10,000-case session, 8 MB for 5 MB of text, twice over while saving).
fn serialize(session: &Session, size_hint: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size_hint + size_hint / 32 + 4096);
    serde_json::to_writer(&mut bytes, session).expect("a session always serializes");
    if bytes.capacity() > bytes.len() + bytes.len() / 8 + 4096 {
        bytes.shrink_to_fit();
    }
    bytes
}

/// A writer that only compares what is written with `expected`.
struct CompareWriter<'a> {
    expected: &'a [u8],
    equal: bool,
}

impl std::io::Write for CompareWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.equal {
            match self.expected.strip_prefix(buf) {
                Some(rest) => self.expected = rest,
                None => self.equal = false,
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A session file as read.
struct Read {
    bytes: Vec<u8>,
    session: Session,
    /// A damaged undo history was dropped (the results are kept): why.
    history_dropped: Option<String>,
}

/// Reads and checks a session file; `None` when there is none.
fn read_session(path: &Path, without_history: bool) -> Result<Option<Read>, SessionError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SessionError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let (session, history_dropped) = if without_history {
        (parse_without_history(path, &bytes)?, None)
    } else {
        parse_session(path, &bytes)?
    };
    Ok(Some(Read {
        bytes,
        session,
        history_dropped,
    }))
}

/// A session without its undo history (undo and redo lists empty), for reading only.
fn parse_without_history(path: &Path, bytes: &[u8]) -> Result<Session, SessionError> {
    let mut session = super::history::without_history(|| parse_session(path, bytes))?.0;
    session.drop_history();
    Ok(session)
}

/// A session from the bytes of the file at `path` (named in errors), as `read_session` says.
fn parse_session(path: &Path, bytes: &[u8]) -> Result<(Session, Option<String>), SessionError> {
    let corrupt = |detail: String| SessionError::Corrupt {
        path: path.to_path_buf(),
        detail,
        backup: backup_path(path),
    };
    // The schema is read first, skipping the rest without building it, so a newer file is
    // named as such; then the session is read straight from the bytes. (Going through a
    // `serde_json::Value` tree held a second copy of a 10,000-case session in memory.)
    #[derive(serde::Deserialize)]
    struct SchemaOnly {
        #[serde(default)]
        schema: Option<serde_json::Value>,
    }
    let probe: SchemaOnly = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    let schema = probe.schema.and_then(|v| v.as_u64()).unwrap_or(0);
    if schema > u64::from(SCHEMA_VERSION) {
        return Err(SessionError::NewerSchema {
            path: path.to_path_buf(),
            found: u32::try_from(schema).unwrap_or(u32::MAX),
        });
    }
    let mut session: Session = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    let dropped = session
        .history_problem()
        .inspect(|_| session.drop_history());
    Ok((session, dropped))
}
