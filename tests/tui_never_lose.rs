//! The real checklist in a pty beside other writers (issue: never lose a result, part two):
//! `u` takes back the checklist's own change only, and never one another writer changed
//! since; the note editor asks when the note changed while it was open (keep mine, theirs or
//! both); a save that finds another writer's lock held waits without freezing the keys.

mod common;
#[path = "common/pty.rs"]
mod pty;
#[path = "common/screen.rs"]
mod screen;

use std::os::fd::AsRawFd;
use std::path::Path;

use common::*;
use pty::send;
use rexpect::session::PtySession;
use scimplan::session::{Outcome, Session};
use screen::Screen;

fn spawn(dir: &Path) -> PtySession {
    pty::spawn_checklist(dir, "plan.xlsx", &["--tester", "Ada"])
}

fn session(dir: &Path) -> Option<Session> {
    pty::session_of(&dir.join("plan.xlsx"))
}

fn wait_for(dir: &Path, what: &str, check: impl Fn(&Session) -> bool) -> Session {
    pty::wait_for_session(&dir.join("plan.xlsx"), what, check)
}

fn cli(dir: &Path, args: &[&str]) {
    let out = scimplan(dir, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

/// The checklist open on a 12-case plan, its capabilities confirmed.
fn open(dir: &Path) -> (PtySession, Screen) {
    write_plan(&dir.join("plan.xlsx"), large_plan_rows(12));
    let mut p = spawn(dir);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    wait_for(dir, "capabilities declared", |s| s.capabilities_confirmed());
    (p, screen)
}

#[test]
fn u_takes_back_the_checklists_own_change_and_not_one_changed_since() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut p, mut screen) = open(d);
    send(&mut p, "p");
    wait_for(d, "C100000 Pass", |s| s.outcome("C100000") == Outcome::Pass);
    // Another terminal marks another case: `u` takes back the checklist's Pass, not that.
    cli(
        d,
        &[
            "mark",
            "plan.xlsx",
            "C100005",
            "blocked",
            "--reason",
            "no org",
        ],
    );
    screen.wait_for(&mut p, "picked up: C100005");
    send(&mut p, "u");
    screen.wait_for(&mut p, "Undone: C100000: Pass");
    let s = wait_for(d, "C100000 undone", |s| {
        s.outcome("C100000") == Outcome::NotRun
    });
    assert_eq!(s.outcome("C100005"), Outcome::Blocked);

    // The checklist passes C100000 again; another terminal then fails it: `u` refuses,
    // naming who.
    send(&mut p, "k");
    send(&mut p, "p");
    wait_for(d, "C100000 Pass again", |s| {
        s.outcome("C100000") == Outcome::Pass
    });
    cli(
        d,
        &["mark", "plan.xlsx", "C100000", "fail", "--note", "broken"],
    );
    screen.wait_for(&mut p, "picked up: C100000");
    send(&mut p, "u");
    screen.wait_for(&mut p, "C100000 was changed by `scimplan mark` at ");
    screen.wait_for(&mut p, "not undone.");
    let s = session(d).unwrap();
    let kept = s.result("C100000").unwrap();
    assert_eq!(
        (kept.outcome, kept.note.as_str()),
        (Outcome::Fail, "broken")
    );
    send(&mut p, "q");
    p.exp_eof().unwrap();
}

/// Opens the note editor on the selected case, types `mine`, has another terminal save
/// `theirs` as the note meanwhile, and saves: the choice is asked.
fn conflicting_note(p: &mut PtySession, screen: &mut Screen, d: &Path, case: &str, mine: &str) {
    send(p, "e");
    screen.wait_for(p, &format!("Note for {case}"));
    send(p, mine);
    cli(
        d,
        &[
            "mark",
            "plan.xlsx",
            case,
            "fail",
            "--note",
            "theirs from the CLI",
        ],
    );
    screen.wait_for(p, &format!("picked up: {case}"));
    send(p, "\x1b");
    screen.wait_for(p, "the note changed elsewhere");
    screen.wait_for(p, "theirs from the CLI");
}

#[test]
fn the_note_editor_asks_when_the_note_changed_while_it_was_open() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut p, mut screen) = open(d);

    // m keeps mine.
    conflicting_note(&mut p, &mut screen, d, "C100000", "mine here");
    send(&mut p, "m");
    let s = wait_for(d, "mine kept", |s| s.note("C100000") == "mine here");
    assert_eq!(s.outcome("C100000"), Outcome::Fail, "their outcome stays");

    // t keeps theirs.
    send(&mut p, "j");
    conflicting_note(&mut p, &mut screen, d, "C100001", "not this one");
    send(&mut p, "t");
    screen.wait_for(&mut p, "Kept the note saved elsewhere for C100001");
    assert_eq!(session(d).unwrap().note("C100001"), "theirs from the CLI");

    // b keeps both, mine first.
    send(&mut p, "j");
    conflicting_note(&mut p, &mut screen, d, "C100002", "both of us");
    send(&mut p, "b");
    let s = wait_for(d, "both kept", |s| {
        s.note("C100002").starts_with("both of us")
    });
    assert!(
        s.note("C100002").ends_with("theirs from the CLI"),
        "{}",
        s.note("C100002")
    );

    send(&mut p, "q");
    p.exp_eof().unwrap();
}

#[test]
fn a_held_lock_never_freezes_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut p, mut screen) = open(d);
    // Another writer holds the session's lock (as a stuck `scimplan verify` would).
    let lock = d.join("plan.scimplan.json.lock");
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .unwrap();
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let me = std::process::id();
    std::fs::write(
        &lock,
        format!("pid {me}, `scimplan verify plan.xlsx`, since 2026-12-06 12:14:03 UTC"),
    )
    .unwrap();
    send(&mut p, "p");
    screen.wait_for(
        &mut p,
        &format!("Saving waits for pid {me} (`scimplan verify plan.xlsx`) since "),
    );
    // Keys keep working meanwhile: the next case is marked and shown at once.
    send(&mut p, "f");
    screen.wait_for(&mut p, "✗ C100001");
    assert_eq!(
        session(d).unwrap().outcome("C100000"),
        Outcome::NotRun,
        "still waiting"
    );
    // The other writer lets go: both are saved without a key press.
    drop(held);
    let s = wait_for(d, "both saved", |s| s.outcome("C100001") == Outcome::Fail);
    assert_eq!(s.outcome("C100000"), Outcome::Pass);
    screen.wait_for(&mut p, "let go of the session");
    send(&mut p, "q");
    p.exp_eof().unwrap();
}
