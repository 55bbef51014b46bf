//! Reading and writing the session file. Every write is atomic: a temp file in the same
//! folder, fsync, then rename over the old file, whose previous version is kept as `.bak`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

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
    #[error(
        "{path}: cannot save the session: {source}. Your last change is kept in memory only: free disk space or fix permissions (or pass --session to save elsewhere); the file on disk still holds the previous change."
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// `<workbook stem>.scimplan.json` beside the workbook.
pub fn default_session_path(plan_path: &Path) -> PathBuf {
    let stem = plan_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    plan_path.with_file_name(format!("{stem}.scimplan.json"))
}

fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` atomically; with `keep_backup`, the file it replaces stays as `.bak`.
pub fn write_atomic(path: &Path, bytes: &[u8], keep_backup: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if keep_backup && path.exists() {
        keep_previous(path)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A temporary file older than this was left by a writer that died (a live one renames its
/// file within moments).
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temporary files `write_atomic` leaves beside `path` when killed mid-write.
/// Best effort: anything unexpected is left alone.
pub fn remove_stale_temps(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if !(file_name.starts_with(&prefix) && file_name.ends_with(".tmp")) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Points `.bak` at the current file without ever leaving the path without a complete file.
fn keep_previous(path: &Path) -> std::io::Result<()> {
    let backup = backup_path(path);
    let staging = backup.with_extension("bak.tmp");
    let _ = fs::remove_file(&staging);
    if fs::hard_link(path, &staging).is_err() {
        fs::copy(path, &staging)?;
    }
    fs::rename(&staging, &backup)
}

/// A session together with where it lives.
#[derive(Debug, Clone)]
pub struct SessionStore {
    pub path: PathBuf,
    pub session: Session,
    /// False until the session has been written once (a fresh session is not written until
    /// something changes).
    pub on_disk: bool,
}

impl SessionStore {
    /// Opens the session at `path`, or starts a new one for `plan`, and reconciles it with the plan.
    pub fn open(
        path: &Path,
        plan: &Plan,
        reqs: &Requirements,
    ) -> Result<(SessionStore, ReconcileReport), SessionError> {
        let (mut session, on_disk) = match fs::read(path) {
            Ok(bytes) => (Self::parse(path, &bytes)?, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Session::new(plan), false),
            Err(source) => {
                return Err(SessionError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let report = session.reconcile(plan, reqs);
        remove_stale_temps(path);
        Ok((
            SessionStore {
                path: path.to_path_buf(),
                session,
                on_disk,
            },
            report,
        ))
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<Session, SessionError> {
        let corrupt = |detail: String| SessionError::Corrupt {
            path: path.to_path_buf(),
            detail,
            backup: backup_path(path),
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let schema = value.get("schema").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if schema > SCHEMA_VERSION {
            return Err(SessionError::NewerSchema {
                path: path.to_path_buf(),
                found: schema,
            });
        }
        serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))
    }

    /// Where the session's evidence files are copied.
    pub fn evidence_dir(&self) -> PathBuf {
        super::evidence::evidence_dir(&self.path)
    }

    /// Writes the session now, atomically.
    pub fn save(&mut self) -> Result<(), SessionError> {
        let bytes = serde_json::to_vec(&self.session).expect("a session always serializes");
        write_atomic(&self.path, &bytes, true).map_err(|source| SessionError::Write {
            path: self.path.clone(),
            source,
        })?;
        self.on_disk = true;
        Ok(())
    }
}
