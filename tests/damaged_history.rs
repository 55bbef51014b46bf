//! A session whose undo history was damaged by hand: the loader drops the history with a
//! warning, keeps every result, and undo (library, CLI) never panics.

mod common;

use std::path::Path;

use common::*;
use scimplan::session::{Command, Outcome, Refusal, Scope, Session, SessionStore, Writer};
use scimplan::workspace::{OpenOptions, Workspace};

fn session_file(dir: &Path) -> std::path::PathBuf {
    dir.join("plan.scimplan.json")
}

/// A plan with C100000 Pass and C100001 Fail, then the session edited by `damage`.
fn damaged(damage: impl Fn(&mut serde_json::Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(5));
    for (case, outcome) in [("C100000", "pass"), ("C100001", "fail")] {
        let out = scimplan(d, &["mark", "plan.xlsx", case, outcome]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(session_file(d)).unwrap()).unwrap();
    damage(&mut value);
    std::fs::write(session_file(d), serde_json::to_vec(&value).unwrap()).unwrap();
    dir
}

/// A hand edit of the session file.
type Damage = fn(&mut serde_json::Value);

fn past_the_end(value: &mut serde_json::Value) {
    value["undo_stack"] = serde_json::json!([0, 1, 57]);
}

fn assert_results_kept(session: &Session) {
    assert_eq!(session.outcome("C100000"), Outcome::Pass);
    assert_eq!(session.outcome("C100001"), Outcome::Fail);
}

#[test]
fn the_cli_warns_keeps_the_results_and_undo_does_not_panic() {
    let dir = damaged(past_the_end);
    let d = dir.path();
    let status = scimplan(d, &["status", "plan.xlsx"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let err = stderr(&status);
    assert!(
        err.contains("the undo history is damaged")
            && err.contains("points to change 58 but the history holds 2")
            && err.contains("every result is kept"),
        "{err}"
    );
    let undo = scimplan(d, &["undo", "plan.xlsx"]);
    assert!(undo.status.success(), "{}", stderr(&undo));
    assert!(!stderr(&undo).contains("panicked"), "{}", stderr(&undo));
    assert_eq!(stdout(&undo).trim(), "Nothing to undo.");
    let redo = scimplan(d, &["redo", "plan.xlsx"]);
    assert!(redo.status.success(), "{}", stderr(&redo));

    // The next change writes a healthy history; the results were never touched.
    let mark = scimplan(d, &["mark", "plan.xlsx", "C100002", "blocked"]);
    assert!(mark.status.success(), "{}", stderr(&mark));
    let healed: Session = serde_json::from_slice(&std::fs::read(session_file(d)).unwrap()).unwrap();
    assert_results_kept(&healed);
    assert_eq!(healed.history_problem(), None);
    assert_eq!(healed.history().len(), 1);
    let undo = scimplan(d, &["undo", "plan.xlsx"]);
    assert_eq!(stdout(&undo).trim(), "Undone: C100002: Blocked");
    let status = scimplan(d, &["status", "plan.xlsx"]);
    assert!(!stderr(&status).contains("damaged"), "{}", stderr(&status));
}

#[test]
fn the_library_drops_each_kind_of_damage_and_undo_returns_nothing() {
    let damages: [(&str, Damage); 5] = [
        ("past the end", past_the_end),
        ("redo past the end", |v| {
            v["redo_stack"] = serde_json::json!([9])
        }),
        ("listed twice", |v| {
            v["undo_stack"] = serde_json::json!([0, 1]);
            v["redo_stack"] = serde_json::json!([1]);
        }),
        ("an undo of a change the log does not hold", |v| {
            v["history"][1]["kind"] = serde_json::json!("undo");
            v["history"][1]["target_id"] = serde_json::json!(12345);
        }),
        ("two entries with one id", |v| {
            v["history"][1]["id"] = v["history"][0]["id"].clone();
        }),
    ];
    for (what, damage) in damages {
        let dir = damaged(damage);
        let plan = dir.path().join("plan.xlsx");
        let mut ws = Workspace::open(&plan, &OpenOptions::default()).unwrap();
        assert!(ws.reconcile.history_dropped.is_some(), "{what}");
        assert_results_kept(ws.session());
        let undo = ws.apply(Command::Undo { target: None });
        assert_eq!(undo.refused, Some(Refusal::NothingToUndo), "{what}");
        let redo = ws.apply(Command::Redo { target: None });
        assert_eq!(redo.refused, Some(Refusal::NothingToRedo), "{what}");
        assert_results_kept(ws.session());
    }
}

#[test]
fn a_healthy_history_is_kept_and_walks_from_the_cli() {
    let dir = damaged(|_| {});
    let d = dir.path();
    let plan = scimplan::plan::load_plan(&d.join("plan.xlsx")).unwrap();
    let reqs =
        scimplan::plan::profile::Requirements::new(&scimplan::plan::Profile::builtin(), &plan);
    let scope = Scope {
        plan: &plan,
        reqs: &reqs,
    };
    let (store, report) = SessionStore::open(&session_file(d), scope, Writer::Checklist).unwrap();
    assert_eq!(report.history_dropped, None);
    assert_eq!(store.session().history().len(), 2);
    assert!(store.session().can_walk(&Writer::command("undo"), false));
    assert!(
        !store.session().can_walk(&Writer::Checklist, false),
        "the marks were commands'"
    );
    let undo = scimplan(d, &["undo", "plan.xlsx"]);
    assert_eq!(stdout(&undo).trim(), "Undone: C100001: Fail");
    let redo = scimplan(d, &["redo", "plan.xlsx"]);
    assert_eq!(stdout(&redo).trim(), "Redone: C100001: Fail");
    let s: Session = serde_json::from_slice(&std::fs::read(session_file(d)).unwrap()).unwrap();
    assert_results_kept(&s);
}
