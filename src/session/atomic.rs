//! Atomic file writes: a temp file in the same folder, fsync, then rename over the old file
//! (whose previous version can be kept as `.bak`), so a crash or a kill leaves the old or the new
//! complete file, never a torn one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Who may read a file scimplan writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAccess {
    /// Readable by its owner only (a temp file's permissions): the session.
    OwnerOnly,
    /// The permissions any new file of the user gets (0666 less the umask): a completed
    /// workbook the tester shares.
    LikeNewFiles,
}

fn temp_beside(
    path: &Path,
    bytes: &[u8],
    access: FileAccess,
) -> std::io::Result<tempfile::NamedTempFile> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    if access == FileAccess::LikeNewFiles {
        use std::os::unix::fs::PermissionsExt;
        // Created with this mode, so the kernel applies the umask as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut tmp = builder.tempfile_in(folder_of(path))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

fn sync_folder(path: &Path) {
    // Make the rename itself durable.
    if let Ok(dir) = fs::File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

/// Writes `bytes` to `path` atomically; with `keep_backup`, the file it replaces stays as `.bak`.
/// The file is readable by its owner only.
pub fn write_atomic(path: &Path, bytes: &[u8], keep_backup: bool) -> std::io::Result<()> {
    write_atomic_with(path, bytes, keep_backup, FileAccess::OwnerOnly)
}

/// `write_atomic` with the file's access chosen.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    keep_backup: bool,
    access: FileAccess,
) -> std::io::Result<()> {
    let tmp = temp_beside(path, bytes, access)?;
    if keep_backup && path.exists() {
        keep_previous(path)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_folder(path);
    Ok(())
}

/// Writes `bytes` to `path` atomically unless a file is there already (then fails with
/// `AlreadyExists`, even when that file appeared a moment ago).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_new_with(path, bytes, FileAccess::OwnerOnly)
}

/// `write_new` with the file's access chosen.
pub fn write_new_with(path: &Path, bytes: &[u8], access: FileAccess) -> std::io::Result<()> {
    let tmp = temp_beside(path, bytes, access)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_folder(path);
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
