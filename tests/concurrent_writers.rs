//! Several writers on one session: `scimplan mark` processes at once, and a long-lived workspace
//! (as the checklist holds) with a CLI mark in between. Every result survives.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use scimplan::session::{HistoryKind, Outcome, Session, Writer, lock};
use scimplan::workspace::{OpenOptions, Workspace};

const CASES: usize = 30;

fn case(i: usize) -> String {
    format!("C{}", 100_000 + i)
}

fn on_disk(dir: &Path) -> Session {
    let bytes = std::fs::read(dir.join("plan.scimplan.json")).expect("session written");
    serde_json::from_slice(&bytes).expect("a whole session")
}

/// Starts one `mark` per case at once and waits for them all.
fn mark_all_at_once(dir: &Path, cases: impl Iterator<Item = usize>) {
    let children: Vec<_> = cases
        .map(|i| {
            let child = Command::new(env!("CARGO_BIN_EXE_scimplan"))
                .args(["mark", "plan.xlsx", &case(i), "fail"])
                .args(["--note", &format!("note {i}")])
                .current_dir(dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (i, child)
        })
        .collect();
    for (i, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "mark {}: {}", case(i), stderr(&out));
    }
}

fn assert_all_kept(session: &Session, cases: impl Iterator<Item = usize>) {
    for i in cases {
        let result = session
            .result(&case(i))
            .unwrap_or_else(|| panic!("{} was lost", case(i)));
        assert_eq!(result.outcome, Outcome::Fail, "{}", case(i));
        assert_eq!(result.note, format!("note {i}"), "{}", case(i));
    }
}

#[test]
fn dozens_of_marks_on_a_fresh_session_keep_every_result() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("plan.xlsx"), large_plan_rows(CASES + 5));
    mark_all_at_once(dir.path(), 0..CASES);
    let session = on_disk(dir.path());
    assert_all_kept(&session, 0..CASES);
    // Each writer's mark with its note is one change, undoable by `scimplan undo`.
    let changes = session
        .history()
        .iter()
        .filter(|e| e.kind == HistoryKind::Change)
        .count();
    assert_eq!(changes, CASES);
    assert!(session.history_problem().is_none());
}

#[test]
fn dozens_of_marks_on_an_existing_session_keep_every_result() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("plan.xlsx"), large_plan_rows(CASES + 5));
    let first = scimplan(dir.path(), &["mark", "plan.xlsx", &case(CASES), "pass"]);
    assert!(first.status.success(), "{}", stderr(&first));
    mark_all_at_once(dir.path(), 0..CASES);
    let session = on_disk(dir.path());
    assert_all_kept(&session, 0..CASES);
    assert_eq!(session.outcome(&case(CASES)), Outcome::Pass);
    // The backup holds a whole session too.
    let backup = std::fs::read(dir.path().join("plan.scimplan.json.bak")).unwrap();
    serde_json::from_slice::<Session>(&backup).expect("a whole backup");
}

/// The session as the checklist opens it.
fn workspace(dir: &Path) -> Workspace {
    let options = OpenOptions {
        writer: Some(Writer::Checklist),
        ..OpenOptions::default()
    };
    Workspace::open(&dir.join("plan.xlsx"), &options).unwrap()
}

fn cli_mark(dir: &Path, id: &str, outcome: &str) {
    let out = scimplan(dir, &["mark", "plan.xlsx", id, outcome]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn an_open_workspace_and_a_cli_mark_keep_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(10));
    let mut ws = workspace(d);
    ws.apply(scimplan::session::Command::Mark {
        case: case(1),
        outcome: Outcome::Pass,
        reason: None,
        note: None,
    });
    ws.save().unwrap();

    // Another terminal marks a case while the checklist is open.
    cli_mark(d, &case(2), "fail");
    // The checklist's next change is saved on top of it, not over it.
    ws.note(&case(3), "seen in the app");
    assert_eq!(ws.unsaved().changes, 1);
    assert_eq!(ws.unsaved().cases, [case(3)]);
    ws.save().unwrap();
    assert_eq!(ws.unsaved().changes, 0);
    let disk = on_disk(d);
    assert_eq!(disk.outcome(&case(1)), Outcome::Pass);
    assert_eq!(disk.outcome(&case(2)), Outcome::Fail);
    assert_eq!(disk.result(&case(3)).unwrap().note, "seen in the app");
    assert_eq!(
        ws.session().outcome(&case(2)),
        Outcome::Fail,
        "the open workspace shows the other writer's mark"
    );
    let changes = ws
        .refresh_if_changed()
        .unwrap()
        .expect("picked up by the save");
    assert!(changes.cases.contains(&case(2)), "{changes:?}");
    assert_eq!(ws.refresh_if_changed().unwrap(), None);

    // Undo in the checklist takes back its own note, not the other writer's mark.
    let undone = ws.apply(scimplan::session::Command::Undo { target: None });
    assert_eq!(undone.description, "C100003: note");
    ws.save().unwrap();
    let disk = on_disk(d);
    assert_eq!(disk.result(&case(3)), None);
    assert_eq!(disk.outcome(&case(2)), Outcome::Fail);
}

#[test]
fn refresh_picks_up_changes_made_elsewhere_and_keeps_unsaved_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(10));
    cli_mark(d, &case(0), "pass");
    let mut ws = workspace(d);
    assert_eq!(
        ws.refresh_if_changed().unwrap(),
        None,
        "nothing changed yet"
    );

    // Unsaved here (a save that failed, say), then a mark elsewhere on the same case and another.
    ws.note(&case(5), "mine");
    cli_mark(d, &case(5), "blocked");
    cli_mark(d, &case(6), "pass");
    let changes = ws.refresh_if_changed().unwrap().expect("changes elsewhere");
    assert_eq!(
        changes.cases.iter().cloned().collect::<Vec<_>>(),
        [case(5), case(6)]
    );
    assert!(
        changes.conflicts.is_empty(),
        "outcome there, note here: {changes:?}"
    );
    let result = ws.session().result(&case(5)).unwrap();
    assert_eq!(
        (result.outcome, result.note.as_str()),
        (Outcome::Blocked, "mine")
    );
    assert_eq!(ws.session().outcome(&case(6)), Outcome::Pass);
    assert_eq!(ws.unsaved().changes, 1, "the note is still to be saved");
    ws.save().unwrap();
    let disk = on_disk(d);
    assert_eq!(disk.result(&case(5)).unwrap().note, "mine");
    assert_eq!(disk.outcome(&case(5)), Outcome::Blocked);
    assert_eq!(disk.outcome(&case(6)), Outcome::Pass);
}

#[test]
fn both_writers_changing_one_case_keep_the_later_save_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(10));
    let mut ws = workspace(d);
    ws.apply(scimplan::session::Command::Mark {
        case: case(4),
        outcome: Outcome::Pass,
        reason: None,
        note: None,
    });
    cli_mark(d, &case(4), "fail");
    ws.save().unwrap();
    assert_eq!(on_disk(d).outcome(&case(4)), Outcome::Pass);
    let changes = ws.refresh_if_changed().unwrap().unwrap();
    assert!(changes.conflicts.contains(&case(4)), "{changes:?}");
    assert!(
        changes.describe().contains(&case(4)),
        "{}",
        changes.describe()
    );
}

#[test]
fn a_writer_kept_waiting_says_who_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(5));
    let session = d.join("plan.scimplan.json");
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        lock::with_session_lock(&session, std::time::Duration::from_secs(5), || {
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
        })
        .unwrap();
    });
    held_rx.recv().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(["mark", "plan.xlsx", &case(1), "pass"])
        .current_dir(&d)
        .env("SCIMPLAN_LOCK_WAIT", "0.3")
        .output()
        .unwrap();
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("another scimplan is writing this session")
            && err.contains(&format!("pid {}", std::process::id()))
            && err.contains("Nothing was recorded")
            && err.contains("run the command again"),
        "{err}"
    );
    // The process exits: it does not claim to keep the change, nor send it elsewhere.
    assert!(
        !err.contains("kept in memory") && !err.contains("--session"),
        "{err}"
    );
    assert!(!d.join("plan.scimplan.json").exists(), "nothing written");
    // Once the lock is free, the same command goes through.
    cli_mark(&d, &case(1), "pass");
    assert_eq!(on_disk(&d).outcome(&case(1)), Outcome::Pass);
}

/// The lock file names a process that has exited (the lock is held by something that did not
/// write its name, such as `flock`): the message says so instead of naming a gone pid as
/// the holder.
#[test]
fn a_holder_that_has_exited_is_named_as_such() {
    use std::os::fd::AsRawFd;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(5));
    let lock_file = d.join("plan.scimplan.json.lock");
    // A pid above the kernel's limit: no such process.
    std::fs::write(
        &lock_file,
        "pid 4194305, `scimplan verify plan.xlsx C100001`, since 2026-12-06 12:14:03 UTC",
    )
    .unwrap();
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_file)
        .unwrap();
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let out = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(["mark", "plan.xlsx", &case(1), "pass"])
        .current_dir(d)
        .env("SCIMPLAN_LOCK_WAIT", "0.2")
        .output()
        .unwrap();
    drop(held);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "a process that has exited (pid 4194305 (`scimplan verify plan.xlsx C100001`))"
        ),
        "{err}"
    );
    // Freed with its process, the lock no longer stands in the way.
    cli_mark(d, &case(1), "pass");
}

#[test]
fn marks_capabilities_and_links_at_once_keep_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 40 cases: the last fifth are Group Push cases, left out of the marks below.
    write_plan(&d.join("plan.xlsx"), large_plan_rows(40));
    let spawn = |args: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_scimplan"))
            .args(&args)
            .current_dir(d)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut children: Vec<_> = (0..20)
        .map(|i| {
            let note = format!("note {i}");
            spawn(
                ["mark", "plan.xlsx", &case(i), "fail", "--note", &note]
                    .map(String::from)
                    .to_vec(),
            )
        })
        .collect();
    children.insert(
        7,
        spawn(
            ["capabilities", "plan.xlsx", "--unsupport", "group-push"]
                .map(String::from)
                .to_vec(),
        ),
    );
    children.insert(
        13,
        spawn(
            [
                "suites",
                "plan.xlsx",
                "--spec-link",
                "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            ]
            .map(String::from)
            .to_vec(),
        ),
    );
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let session = on_disk(d);
    assert_all_kept(&session, 0..20);
    assert_eq!(session.capabilities().get("group-push"), Some(&false));
    assert_eq!(session.outcome(&case(39)), Outcome::Skipped);
    assert_eq!(
        session.suites().spec.as_deref(),
        Some(
            "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
        )
    );
    assert_eq!(session.history_problem(), None);
}
