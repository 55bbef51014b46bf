//! Where the completed workbook goes: never over the plan, the session, its backup or its lock;
//! only under an `.xlsx` name; never over an existing file unless the tester said so; and a
//! default name that never replaces an earlier export of the same day.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::export::ExportError;
use crate::session::{FileAccess, write_atomic_with, write_new_with};

/// The completed workbook is shared: it gets the permissions any new file of the user gets.
const SHARED: FileAccess = FileAccess::LikeNewFiles;

/// How to write the completed workbook.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportTarget<'a> {
    /// Where (a file, or a folder to put the default name in); `None`: the default name beside
    /// the plan.
    pub output: Option<&'a Path>,
    /// Replace a file already there (the CLI's `--force`, or the tester's yes in the checklist).
    pub replace: bool,
    /// Files that are never written over, with what they are ("the session file", ...).
    pub protected: &'a [(PathBuf, &'static str)],
}

/// True when `a` and `b` name the same file, whether or not it exists yet.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> PathBuf {
        if let Ok(real) = p.canonicalize() {
            return real;
        }
        let folder = match p.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        match (folder.canonicalize(), p.file_name()) {
            (Ok(folder), Some(name)) => folder.join(name),
            _ => p.to_path_buf(),
        }
    };
    resolve(a) == resolve(b)
}

/// `<stem>-completed-<date>.xlsx` beside the plan. Exporting a completed workbook again drops
/// its old suffix; when that name is taken (an earlier export today, or the input itself), a
/// counter keeps them apart: `-2`, `-3`...
pub fn default_export_path(plan_path: &Path, now: DateTime<Utc>) -> PathBuf {
    default_candidates(plan_path, plan_path.parent(), now)
        .find(|candidate| !same_file(candidate, plan_path) && !candidate.exists())
        .expect("the counter is unbounded")
}

fn default_candidates<'a>(
    plan_path: &'a Path,
    folder: Option<&'a Path>,
    now: DateTime<Utc>,
) -> impl Iterator<Item = PathBuf> + 'a {
    let stem = plan_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    let base = strip_completed_suffix(&stem).to_string();
    let date = now.format("%Y-%m-%d").to_string();
    let folder = folder.unwrap_or(Path::new("")).to_path_buf();
    (1u32..).map(move |n| {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        folder.join(format!("{base}-completed-{date}{suffix}.xlsx"))
    })
}

pub(super) fn strip_completed_suffix(stem: &str) -> &str {
    if let Some(pos) = stem.rfind("-completed-") {
        let rest = &stem[pos + "-completed-".len()..];
        let date_like = rest.len() >= 10
            && rest[..10].chars().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if date_like && rest[10..].chars().all(|c| c == '-' || c.is_ascii_digit()) {
            return &stem[..pos];
        }
    }
    stem
}

/// The name to write: `.xlsx` added when the name has no extension; any other extension is
/// refused (the content would be an .xlsx workbook under a name that says otherwise).
pub fn xlsx_name(path: &Path) -> Result<PathBuf, ExportError> {
    match path.extension().map(|e| e.to_string_lossy().into_owned()) {
        None => {
            let mut name = path.as_os_str().to_os_string();
            name.push(".xlsx");
            Ok(PathBuf::from(name))
        }
        Some(ext) if ext.eq_ignore_ascii_case("xlsx") => Ok(path.to_path_buf()),
        Some(extension) => Err(ExportError::NotXlsx {
            path: path.to_path_buf(),
            extension,
            suggestion: path.with_extension("xlsx"),
        }),
    }
}

/// Checks the target against the plan and the protected files.
fn refuse_protected(
    target: &Path,
    plan: &Path,
    protected: &[(PathBuf, &str)],
) -> Result<(), ExportError> {
    if same_file(target, plan) {
        return Err(ExportError::WouldOverwriteInput {
            path: target.to_path_buf(),
        });
    }
    if let Some((_, what)) = protected.iter().find(|(p, _)| same_file(target, p)) {
        return Err(ExportError::WouldOverwriteSession {
            path: target.to_path_buf(),
            what: what.to_string(),
        });
    }
    Ok(())
}

/// A refused name's suggestion made one export takes: `p.scimplan-evidence` would suggest
/// `p.xlsx`, the plan itself, so the default name in that folder is suggested instead.
fn suggest_writable(
    err: ExportError,
    plan: &Path,
    target: &ExportTarget,
    now: DateTime<Utc>,
) -> ExportError {
    let ExportError::NotXlsx {
        path,
        extension,
        suggestion,
    } = err
    else {
        return err;
    };
    let taken = |candidate: &Path| {
        same_file(candidate, plan)
            || refuse_protected(candidate, plan, target.protected).is_err()
            || (!target.replace && candidate.exists())
    };
    let suggestion = if taken(&suggestion) {
        default_candidates(plan, suggestion.parent(), now)
            .find(|candidate| !taken(candidate))
            .expect("the counter is unbounded")
    } else {
        suggestion
    };
    ExportError::NotXlsx {
        path,
        extension,
        suggestion,
    }
}

/// Writes `bytes` where `target` says and returns the path written.
pub(super) fn write_export(
    plan: &Path,
    target: &ExportTarget,
    now: DateTime<Utc>,
    bytes: &[u8],
) -> Result<PathBuf, ExportError> {
    let write_error = |path: &Path, source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let Some(output) = target.output.filter(|p| !p.is_dir()) else {
        // The default name (in the given folder, or beside the plan): the next free one.
        let folder = target.output.or(plan.parent());
        for candidate in default_candidates(plan, folder, now) {
            if same_file(&candidate, plan) {
                continue;
            }
            refuse_protected(&candidate, plan, target.protected)?;
            match write_new_with(&candidate, bytes, SHARED) {
                Ok(()) => return Ok(candidate),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(write_error(&candidate, e)),
            }
        }
        unreachable!("the counter is unbounded");
    };
    // The session or the plan named as the output is said so, whatever its extension.
    refuse_protected(output, plan, target.protected)?;
    let path = xlsx_name(output).map_err(|e| suggest_writable(e, plan, target, now))?;
    refuse_protected(&path, plan, target.protected)?;
    let written = if target.replace {
        write_atomic_with(&path, bytes, false, SHARED)
    } else {
        write_new_with(&path, bytes, SHARED)
    };
    match written {
        Ok(()) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(ExportError::Exists { path })
        }
        Err(e) => Err(write_error(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_name_is_beside_the_plan_with_the_date() {
        let now = DateTime::parse_from_rfc3339("2026-03-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let path = default_export_path(Path::new("/plans/okta-v2.xlsx"), now);
        assert_eq!(path, Path::new("/plans/okta-v2-completed-2026-03-04.xlsx"));
        // Re-exporting an export does not pile up suffixes.
        let again = default_export_path(Path::new("/plans/okta-v2-completed-2026-01-02.xlsx"), now);
        assert_eq!(again, Path::new("/plans/okta-v2-completed-2026-03-04.xlsx"));
        assert_eq!(
            strip_completed_suffix("x-completed-soon"),
            "x-completed-soon"
        );
    }

    #[test]
    fn names_become_xlsx_or_are_refused() {
        assert_eq!(
            xlsx_name(Path::new("report")).unwrap(),
            Path::new("report.xlsx")
        );
        assert_eq!(
            xlsx_name(Path::new("a/R.XLSX")).unwrap(),
            Path::new("a/R.XLSX")
        );
        for refused in [
            "report.csv",
            "report.xls",
            "report.ods",
            "plan.scimplan.json",
        ] {
            let err = xlsx_name(Path::new(refused)).unwrap_err();
            assert!(
                matches!(err, ExportError::NotXlsx { .. }),
                "{refused}: {err}"
            );
        }
    }
}
