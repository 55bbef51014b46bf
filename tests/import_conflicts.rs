//! `--import-results` never replaces a result the session changed after the workbook was
//! exported: it reports the conflict case by case, keeps the newer, and the import is one
//! undoable step, notes included.

mod common;

use std::path::Path;

use common::*;
use scimplan::session::{Outcome, Session};

/// Result and Notes columns of the generated plan's completed workbook (after its six columns).
const RESULT_COL: usize = 6;
const NOTES_COL: usize = 7;

fn session_at(path: &Path) -> Session {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = scimplan(dir, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

#[test]
fn import_after_a_newer_mark_keeps_the_newer_and_is_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(6));
    run(
        d,
        &["mark", "plan.xlsx", "C100000", "pass", "--note", "worked"],
    );
    run(
        d,
        &[
            "mark",
            "plan.xlsx",
            "C100001",
            "fail",
            "--note",
            "500 on POST",
        ],
    );
    run(d, &["export", "plan.xlsx", "-o", "done.xlsx"]);

    // A colleague edits the workbook by hand: C100001 passes now, C100002 is blocked.
    hand_edited(
        &d.join("done.xlsx"),
        &d.join("edited.xlsx"),
        |sheet, r, c| match (sheet, r, c) {
            ("Sheet1", 2, RESULT_COL) => Some("Passed".into()),
            ("Sheet1", 2, NOTES_COL) => Some("fixed in 2.1".into()),
            ("Sheet1", 3, RESULT_COL) => Some("Blocked".into()),
            ("Sheet1", 3, NOTES_COL) => Some("no test org".into()),
            ("Sheet1", 1, RESULT_COL) => Some("Fail".into()),
            _ => None,
        },
    );
    // Meanwhile the session (beside the plan) records a newer verdict for C100000.
    run(
        d,
        &["mark", "plan.xlsx", "C100000", "blocked", "--note", "newer"],
    );
    let session_path = d.join("plan.scimplan.json");

    let out = run(
        d,
        &[
            "status",
            "edited.xlsx",
            "--session",
            "plan.scimplan.json",
            "--import-results",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("row 2 (C100000): the session's result (Blocked, changed ")
            && err.contains("is newer than the workbook's (Fail, as of ")
            && err.contains("kept the session's"),
        "{err}"
    );
    assert!(
        err.contains("took 2 results") && err.contains("1 case"),
        "{err}"
    );
    let s = session_at(&session_path);
    let kept = s.result("C100000").unwrap();
    assert_eq!(
        (kept.outcome, kept.note.as_str()),
        (Outcome::Blocked, "newer")
    );
    let taken = s.result("C100001").unwrap();
    assert_eq!(
        (taken.outcome, taken.note.as_str()),
        (Outcome::Pass, "fixed in 2.1")
    );
    assert_eq!(s.outcome("C100002"), Outcome::Blocked);

    assert!(
        s.capabilities_confirmed(),
        "the workbook's declarations were taken"
    );
    // One undo takes the whole import back, notes and declarations included (so the
    // checklist's first-open question about capabilities comes back).
    let undo = run(d, &["undo", "plan.xlsx"]);
    assert!(
        stdout(&undo).contains("results imported from edited.xlsx"),
        "{}",
        stdout(&undo)
    );
    let s = session_at(&session_path);
    let back = s.result("C100001").unwrap();
    assert_eq!(
        (back.outcome, back.note.as_str()),
        (Outcome::Fail, "500 on POST")
    );
    assert_eq!(s.result("C100002"), None);
    assert!(!s.capabilities_confirmed());
    let kept = s.result("C100000").unwrap();
    assert_eq!(
        (kept.outcome, kept.note.as_str()),
        (Outcome::Blocked, "newer")
    );
    // And redo brings it again.
    run(d, &["redo", "plan.xlsx"]);
    let s = session_at(&session_path);
    assert_eq!(s.result("C100001").unwrap().note, "fixed in 2.1");
}

#[test]
fn reopening_a_workbook_with_its_own_session_keeps_a_newer_mark() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(4));
    run(d, &["mark", "plan.xlsx", "C100000", "pass"]);
    run(d, &["export", "plan.xlsx", "-o", "done.xlsx"]);
    // The colleague's session starts from the workbook, then marks a case.
    run(d, &["status", "done.xlsx"]);
    run(
        d,
        &[
            "mark",
            "done.xlsx",
            "C100000",
            "fail",
            "--note",
            "regressed",
        ],
    );
    let out = run(d, &["status", "done.xlsx", "--import-results"]);
    assert!(
        stderr(&out).contains("(C100000): the session's result (Fail"),
        "{}",
        stderr(&out)
    );
    let s = session_at(&d.join("done.scimplan.json"));
    let kept = s.result("C100000").unwrap();
    assert_eq!(
        (kept.outcome, kept.note.as_str()),
        (Outcome::Fail, "regressed")
    );
    // Importing an unchanged workbook again changes nothing and reports nothing new.
    let again = run(d, &["status", "done.xlsx", "--import-results"]);
    assert!(
        stderr(&again).contains("took 0 results"),
        "{}",
        stderr(&again)
    );
}

/// A colleague's completed workbook comes into the plan's own session with
/// `scimplan PLAN --import-results THEIRS`: a Result cell they cleared keeps the reason still
/// written in its Notes, cases the plan does not have are left out and named, and no later
/// command says the plan changed.
#[test]
fn a_colleagues_workbook_comes_into_the_plans_session() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(4));
    run(
        d,
        &[
            "mark",
            "plan.xlsx",
            "C100001",
            "blocked",
            "--reason",
            "no test org",
        ],
    );
    run(d, &["export", "plan.xlsx", "-o", "done.xlsx"]);
    // The colleague clears C100001's Result (the reason stays in its Notes) and passes C100002.
    hand_edited(
        &d.join("done.xlsx"),
        &d.join("theirs.xlsx"),
        |sheet, r, c| match (sheet, r, c) {
            ("Sheet1", 2, RESULT_COL) => Some(String::new()),
            ("Sheet1", 3, RESULT_COL) => Some("Pass".into()),
            _ => None,
        },
    );
    let out = run(
        d,
        &["status", "plan.xlsx", "--import-results", "theirs.xlsx"],
    );
    let err = stderr(&out);
    assert!(err.contains("took 2 results"), "{err}");
    assert!(!err.contains("changed since"), "{err}");
    let s = session_at(&d.join("plan.scimplan.json"));
    let cleared = s.result("C100001").unwrap();
    assert_eq!(cleared.outcome, Outcome::NotRun);
    assert!(cleared.note.contains("no test org"), "{cleared:?}");
    assert_eq!(s.outcome("C100002"), Outcome::Pass);
    // Nothing says the plan changed, whether opened as itself or as the completed workbook.
    for plan in ["plan.xlsx", "done.xlsx"] {
        let out = run(d, &["status", plan, "--session", "plan.scimplan.json"]);
        assert!(
            !stderr(&out).contains("changed since"),
            "{plan}: {}",
            stderr(&out)
        );
    }
    // A workbook that is not a completed one is refused with what to pass instead.
    let out = scimplan(d, &["status", "plan.xlsx", "--import-results", "plan.xlsx"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a completed workbook"),
        "{}",
        stderr(&out)
    );
    // The checklist takes the same option (`scimplan PLAN --import-results THEIRS`).
    let help = run(d, &["--help"]);
    assert!(
        stdout(&help).contains("--import-results [<FILE>]"),
        "{}",
        stdout(&help)
    );
}
