//! The real checklist in a pseudo-terminal and a `scimplan mark` from another terminal at the
//! same time: both results survive, before and after the checklist's next change and its quit.

mod common;
#[path = "common/pty.rs"]
mod pty;
#[path = "common/screen.rs"]
mod screen;

use std::path::Path;

use common::*;
use pty::send;
use rexpect::session::PtySession;
use scimplan::session::{Outcome, Session};
use screen::Screen;

fn spawn(dir: &Path) -> PtySession {
    pty::spawn_checklist(dir, "plan.xlsx", &[])
}

fn session(dir: &Path) -> Option<Session> {
    pty::session_of(&dir.join("plan.xlsx"))
}

fn wait_for(dir: &Path, what: &str, check: impl Fn(&Session) -> bool) -> Session {
    pty::wait_for_session(&dir.join("plan.xlsx"), what, check)
}

#[test]
fn the_open_checklist_and_a_cli_mark_keep_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(12));
    let mut p = spawn(d);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    wait_for(d, "capabilities declared", |s| s.capabilities_confirmed());
    // No names given: the first run asks who is testing; Esc skips the question.
    screen.wait_for(&mut p, "Who is testing?");
    send(&mut p, "\x1b");
    wait_for(d, "the question skipped", |s| s.identity_asked());
    send(&mut p, "p");
    wait_for(d, "C100000 Pass", |s| s.outcome("C100000") == Outcome::Pass);

    // Another terminal records a result while the checklist is open.
    let out = scimplan(
        d,
        &[
            "mark",
            "plan.xlsx",
            "C100010",
            "fail",
            "--note",
            "from the CLI",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The open checklist shows it without a key press.
    screen.wait_for(&mut p, "Changed elsewhere and picked up: C100010");
    let shown = screen.wait_for(&mut p, "✗ C100010");
    assert!(
        shown.contains("✎"),
        "the CLI's note shows as a note mark:\n{shown}"
    );

    // The checklist's next change is saved on top of it, not over it.
    send(&mut p, "p");
    let s = wait_for(d, "C100001 Pass", |s| s.outcome("C100001") == Outcome::Pass);
    assert_eq!(s.outcome("C100000"), Outcome::Pass);
    let cli = s
        .result("C100010")
        .expect("the CLI's mark survived the checklist's save");
    assert_eq!(
        (cli.outcome, cli.note.as_str()),
        (Outcome::Fail, "from the CLI")
    );

    send(&mut p, "q");
    p.exp_eof().unwrap();
    let s = session(d).unwrap();
    assert_eq!(s.outcome("C100001"), Outcome::Pass);
    assert_eq!(s.outcome("C100010"), Outcome::Fail);
}
