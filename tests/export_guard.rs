//! `export` never writes over the plan, the session, its backup or its lock; writes only .xlsx
//! names; replaces an existing file only with --force; same-day exports never replace each other.

mod common;

use std::path::Path;

use common::*;
use scimplan::report::{ExportError, export_workspace, export_workspace_with};
use scimplan::workspace::{OpenOptions, Workspace};

/// A plan with a session holding two marks (so the backup exists too).
fn marked() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(5));
    for case in ["C100000", "C100001"] {
        let out = scimplan(d, &["mark", "plan.xlsx", case, "pass"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    dir
}

fn is_xlsx(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"PK\x03\x04"))
}

#[test]
fn the_session_its_backup_its_lock_and_the_plan_are_refused() {
    let dir = marked();
    let d = dir.path();
    let before: Vec<Vec<u8>> = ["plan.scimplan.json", "plan.scimplan.json.bak", "plan.xlsx"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    for (target, what) in [
        ("plan.scimplan.json", "is the session file"),
        ("./plan.scimplan.json.bak", "is the session's backup"),
        ("plan.scimplan.json.lock", "is the session's lock file"),
        ("plan.xlsx", "is the workbook being read"),
    ] {
        let out = scimplan(d, &["export", "plan.xlsx", "-o", target, "--force"]);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", stdout(&out));
        assert!(stderr(&out).contains(what), "{target}: {}", stderr(&out));
    }
    let after: Vec<Vec<u8>> = ["plan.scimplan.json", "plan.scimplan.json.bak", "plan.xlsx"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    assert!(before == after, "nothing was touched");
    let status = scimplan(d, &["status", "plan.xlsx"]);
    assert!(status.status.success(), "{}", stderr(&status));

    // A session elsewhere is protected just the same.
    let out = scimplan(
        d,
        &[
            "export",
            "plan.xlsx",
            "--session",
            "elsewhere.json",
            "-o",
            "elsewhere.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is the session file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn only_xlsx_names_are_written() {
    let dir = marked();
    let d = dir.path();
    let out = scimplan(d, &["export", "plan.xlsx", "-o", "report"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).trim().ends_with("report.xlsx"),
        "{}",
        stdout(&out)
    );
    assert!(is_xlsx(&d.join("report.xlsx")));
    assert!(!d.join("report").exists());
    for name in ["report.csv", "report.ods", "notes.txt"] {
        let out = scimplan(d, &["export", "plan.xlsx", "-o", name]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains("ending in .xlsx"), "{name}: {err}");
        assert!(!d.join(name).exists(), "{name} written");
    }
}

#[test]
fn a_refused_name_suggests_one_export_takes() {
    let dir = marked();
    let d = dir.path();
    // `p.scimplan-evidence` (the evidence folder's name, not there yet) with .xlsx in place of
    // its extension is the plan itself: the suggestion is a name export writes.
    for (name, plain) in [
        ("plan.scimplan-evidence", None),
        ("report.csv", Some("report.xlsx")),
    ] {
        let out = scimplan(d, &["export", "plan.xlsx", "-o", name]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        let suggestion = err
            .split("e.g. ")
            .nth(1)
            .and_then(|rest| rest.trim().strip_suffix('.'))
            .unwrap_or_else(|| panic!("{name}: no suggestion in {err}"))
            .to_string();
        assert_ne!(suggestion, "plan.xlsx", "{err}");
        if let Some(plain) = plain {
            assert_eq!(suggestion, plain);
        }
        let out = scimplan(d, &["export", "plan.xlsx", "-o", &suggestion]);
        assert!(
            out.status.success(),
            "{name}: the suggested {suggestion} is refused too: {}",
            stderr(&out)
        );
        assert!(is_xlsx(&d.join(&suggestion)));
    }
}

#[test]
fn an_existing_file_needs_force() {
    let dir = marked();
    let d = dir.path();
    std::fs::write(d.join("report.xlsx"), b"someone else's work").unwrap();
    let out = scimplan(d, &["export", "plan.xlsx", "-o", "report.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(d.join("report.xlsx")).unwrap(),
        b"someone else's work"
    );
    let out = scimplan(d, &["export", "plan.xlsx", "-o", "report.xlsx", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(is_xlsx(&d.join("report.xlsx")));

    // The library says so with a type, for the checklist to ask.
    let ws = Workspace::open(&d.join("plan.xlsx"), &OpenOptions::default()).unwrap();
    let target = d.join("report.xlsx");
    match export_workspace(&ws, Some(&target)) {
        Err(ExportError::Exists { path }) => assert_eq!(path, target),
        other => panic!("expected Exists, got {other:?}"),
    }
    assert_eq!(
        export_workspace_with(&ws, Some(&target), true).unwrap(),
        target
    );
}

#[test]
fn same_day_exports_never_replace_each_other() {
    let dir = marked();
    let d = dir.path();
    let first = scimplan(d, &["export", "plan.xlsx"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let first_path = d.join(stdout(&first).trim());
    let first_bytes = std::fs::read(&first_path).unwrap();
    let second = scimplan(d, &["export", "plan.xlsx"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let second_path = d.join(stdout(&second).trim());
    assert_ne!(first_path, second_path);
    assert!(
        second_path.to_string_lossy().ends_with("-2.xlsx"),
        "{second_path:?}"
    );
    assert!(is_xlsx(&second_path));
    assert_eq!(std::fs::read(&first_path).unwrap(), first_bytes);
    // A folder gets the default name inside it.
    std::fs::create_dir(d.join("out")).unwrap();
    let third = scimplan(d, &["export", "plan.xlsx", "-o", "out"]);
    assert!(third.status.success(), "{}", stderr(&third));
    let third_path = stdout(&third).trim().to_string();
    assert!(
        Path::new(&third_path).parent() == Some(Path::new("out"))
            && third_path.contains("plan-completed-"),
        "{third_path}"
    );
    assert!(is_xlsx(&d.join(&third_path)));
}
