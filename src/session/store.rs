//! Reading and writing the session file, and the one place a session is changed from outside
//! `session`: `SessionStore::apply` runs a `Command` and keeps it until it is saved. Several
//! scimplan processes may write one session (the checklist open while `scimplan mark` or
//! `verify` runs in another terminal): each save takes the session's lock, reads what is on
//! disk, applies this writer's unsaved commands again on top of it (each checking its rules
//! against that state: a check's verdict over an outcome set meanwhile, an undo of a change
//! changed since, are refused there), writes atomically and lets go. The checklist picks up
//! other writers' changes with `refresh_if_changed`.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::atomic::{backup_path, remove_stale_temps, write_atomic};
use super::changes::{ChangesElsewhere, changes_between};
use super::command::{Command, Effect, Refusal, Scope};
use super::history::new_entry_id;
use super::lock::{LockError, lock_wait, with_session_lock};
use super::model::{ReconcileReport, SCHEMA_VERSION, Session};
use super::writer::Writer;

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

/// A save that did not happen, with what it would have saved (kept in memory). Its message is
/// the checklist's, which keeps the changes and tries again; a command that exits says
/// `for_command` instead.
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

impl SaveError {
    /// The message for a command, which exits: nothing was recorded, run it again.
    pub fn for_command(&self) -> String {
        format!(
            "{}: cannot save the session: {}. Nothing was recorded; the file still holds the state before this command. Fix the cause (free disk space, fix permissions, let the other writer finish or end it) and run the command again.",
            self.path.display(),
            self.failure
        )
    }

    /// Another writer held the session's lock: who.
    pub fn busy_holder(&self) -> Option<&super::lock::Holder> {
        match self.failure.as_ref() {
            SaveFailure::Lock(LockError::Busy { holder, .. }) => Some(holder),
            _ => None,
        }
    }
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

/// A command applied in memory and not yet in the file, with the history entry id it logs as
/// (the same id whenever it is applied again).
#[derive(Debug, Clone)]
struct Pending {
    id: u64,
    command: Command,
}

/// What a save did beyond writing: this writer's changes that no longer applied on top of
/// what another writer saved meanwhile (and why), and cases both changed (ours won).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Saved {
    pub refused: Vec<Refusal>,
    pub conflicts: std::collections::BTreeSet<String>,
}

/// A session together with where it lives and the writer that changes it.
#[derive(Debug, Clone)]
pub struct SessionStore {
    path: PathBuf,
    session: Session,
    writer: Writer,
    /// Commands applied since the last save, oldest first.
    pending: Vec<Pending>,
    /// False until the session has been written once (a fresh session is not written until
    /// something changes).
    on_disk: bool,
    /// The session as last read from or written to the file, as the file's bytes: what tells
    /// which of the file's contents another writer changed. Kept as bytes (a quarter of the
    /// parsed size on 10,000 cases) and parsed only when another writer saved meanwhile.
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
    /// Opens the session at `path`, or starts a new one for the plan, and reconciles it with it.
    pub fn open(
        path: &Path,
        scope: Scope<'_>,
        writer: Writer,
    ) -> Result<(SessionStore, ReconcileReport), SessionError> {
        Self::open_read(SessionFile::read(path)?, scope, writer)
    }

    /// `open` in two steps: the file read by `SessionFile::read` (which needs no plan, so it
    /// can run while the plan loads), then reconciled with the plan.
    pub fn open_read(
        file: SessionFile,
        scope: Scope<'_>,
        writer: Writer,
    ) -> Result<(SessionStore, ReconcileReport), SessionError> {
        let SessionFile {
            path,
            seen,
            read,
            read_only,
        } = file;
        let path = path.as_path();
        let (mut base, session, on_disk, history_dropped) = match read {
            Some(read) => (read.bytes, read.session, true, read.history_dropped),
            None => {
                let session = Session::new(scope.plan);
                (serialize(&session, 0), session, false, None)
            }
        };
        if read_only {
            base = Vec::new();
        }
        let mut store = SessionStore {
            path: path.to_path_buf(),
            session,
            writer,
            pending: Vec::new(),
            on_disk,
            base,
            seen,
            unreadable: None,
            picked_up: ChangesElsewhere::default(),
            read_only,
        };
        let mut report = store.session.reconcile(scope.plan, scope.reqs);
        if report.changed {
            // Bookkeeping, saved with the next change (and applied again then).
            store.pending.push(Pending {
                id: new_entry_id(),
                command: Command::Reconcile,
            });
        }
        report.history_dropped = history_dropped;
        remove_stale_temps(path);
        Ok((store, report))
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the session file exists (a fresh session is written with its first change).
    pub fn on_disk(&self) -> bool {
        self.on_disk
    }

    /// Who this store's changes are recorded as.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Applies `command` as this store's writer, in memory; `save` writes it. A command that
    /// changed nothing is not kept.
    pub fn apply(&mut self, mut command: Command, scope: Scope<'_>) -> Effect {
        let id = new_entry_id();
        let effect = self.session.apply_as(&mut command, &self.writer, id, scope);
        if effect.changed {
            self.pending.push(Pending { id, command });
        }
        effect
    }

    /// Whether something applied is not saved yet.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What is in memory but not in the file: the tester's changes (results, undo and redo,
    /// capabilities, links, connection and verification records). Bookkeeping (the selected
    /// case, the plan's fingerprint, time spent) is saved with the next change but is not
    /// counted, so quitting after only moving around asks nothing. A read-only store
    /// (`SessionFile::read_without_history`) has none: it saves nothing.
    pub fn unsaved(&self) -> Unsaved {
        if self.read_only {
            return Unsaved::default();
        }
        let mut cases: Vec<String> = Vec::new();
        let mut changes = 0;
        for pending in self.pending.iter().filter(|p| !p.command.is_bookkeeping()) {
            changes += 1;
            for case in pending.command.cases() {
                if !cases.iter().any(|c| c == case) {
                    cases.push(case.to_string());
                }
            }
        }
        Unsaved { changes, cases }
    }

    /// Where the session's evidence files are copied.
    pub fn evidence_dir(&self) -> PathBuf {
        super::evidence::evidence_dir(&self.path)
    }

    /// Writes this writer's changes into the session file, applied again on top of whatever
    /// other writers saved meanwhile (waiting up to `SCIMPLAN_LOCK_WAIT` for the lock);
    /// afterwards the session holds both. Does nothing when nothing changed.
    pub fn save(&mut self, scope: Scope<'_>) -> Result<Saved, SaveError> {
        self.save_waiting(scope, lock_wait())
    }

    /// As `save`, waiting at most `wait` for another writer's lock (the checklist tries without
    /// waiting and tries again on its next tick, so the screen never freezes).
    pub fn save_waiting(
        &mut self,
        scope: Scope<'_>,
        wait: std::time::Duration,
    ) -> Result<Saved, SaveError> {
        if self.read_only {
            return Err(self.read_only_error(&self.path));
        }
        if self.pending.is_empty() && self.on_disk {
            return Ok(Saved::default());
        }
        let path = self.path.clone();
        let outcome = with_session_lock(&path, wait, || self.replay_and_write(scope))
            .map_err(SaveFailure::from)
            .and_then(|r| r);
        outcome.map_err(|failure| SaveError {
            path,
            failure: Box::new(failure),
            unsaved: self.unsaved(),
        })
    }

    /// Under the lock: take in what another writer saved, apply our commands again on top of
    /// it, write.
    fn replay_and_write(&mut self, scope: Scope<'_>) -> Result<Saved, SaveFailure> {
        let stamp = FileStamp::of(&self.path);
        let mut saved = Saved::default();
        if stamp.is_some()
            && stamp != self.seen
            && let Some(theirs) = read_session(&self.path, false)?
        {
            let changes = self.take_theirs(theirs, stamp.clone(), scope)?;
            saved.refused = changes.refused.clone();
            saved.conflicts = changes.conflicts.clone();
            self.picked_up.absorb(changes);
        }
        let bytes = serialize(&self.session, self.base.len());
        write_atomic(&self.path, &bytes, true).map_err(SaveFailure::Write)?;
        self.seen = FileStamp::of(&self.path);
        self.base = bytes;
        self.on_disk = true;
        self.pending.clear();
        Ok(saved)
    }

    /// Makes `theirs` (the file as another writer left it) the base, with this writer's
    /// unsaved commands applied again on top; says what they changed and what of ours no
    /// longer applied.
    fn take_theirs(
        &mut self,
        theirs: Read,
        stamp: Option<FileStamp>,
        scope: Scope<'_>,
    ) -> Result<ChangesElsewhere, SessionError> {
        let (base, _) = parse_session(&self.path, &self.base)?;
        let (mut changes, decided_there) = changes_between(&base, &theirs.session);
        drop(base);
        self.session = theirs.session;
        self.base = theirs.bytes;
        self.seen = stamp;
        self.on_disk = true;
        let mut kept = Vec::with_capacity(self.pending.len());
        for mut pending in std::mem::take(&mut self.pending) {
            let effect =
                self.session
                    .apply_as(&mut pending.command, &self.writer, pending.id, scope);
            if let Some(refusal) = effect.refused {
                changes.refused.push(refusal);
            }
            // Both set the same outcome or note: ours, the later, stands; say so.
            let clash = match &pending.command {
                Command::Mark { case, note, .. } => {
                    decided_there.verdicts.contains(case)
                        || (note.is_some() && decided_there.notes.contains(case))
                }
                Command::Note { case, .. } => decided_there.notes.contains(case),
                _ => false,
            };
            if clash && effect.changed {
                let case = pending.command.cases()[0].to_string();
                changes.conflicts.insert(case);
            }
            if effect.changed {
                kept.push(pending);
            }
        }
        self.pending = kept;
        Ok(changes)
    }

    fn read_only_error(&self, path: &Path) -> SaveError {
        SaveError {
            path: path.to_path_buf(),
            failure: Box::new(SaveFailure::ReadOnly),
            unsaved: Unsaved::default(),
        }
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
                self.pending.clear();
                Ok(())
            }
            Err(e) => Err(failure(e)),
        }
    }

    /// Picks up what other writers saved since this one last read or wrote the file, keeping
    /// this writer's unsaved changes on top. Cheap when nothing changed (one `stat`): call it on
    /// every tick. Returns what changed, or `None`.
    pub fn refresh_if_changed(
        &mut self,
        scope: Scope<'_>,
    ) -> Result<Option<ChangesElsewhere>, SessionError> {
        if self.read_only {
            return Ok(None);
        }
        let stamp = FileStamp::of(&self.path);
        if stamp.is_some() && stamp != self.seen && stamp != self.unreadable {
            let read = read_session(&self.path, false).inspect_err(|_| {
                self.unreadable = stamp.clone();
            })?;
            match read {
                Some(theirs) => {
                    let changes = self.take_theirs(theirs, stamp, scope)?;
                    self.picked_up.absorb(changes);
                }
                None => self.seen = stamp,
            }
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
    session.number_old_history();
    let dropped = session
        .history_problem()
        .inspect(|_| session.drop_history());
    Ok((session, dropped))
}
