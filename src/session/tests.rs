use std::path::Path;

use super::*;
use crate::plan::profile::Requirements;
use crate::plan::{Plan, Profile, load_plan_bytes};

/// A minimal xlsx written in memory, so core tests need no files.
fn plan_with(rows: &[(&str, &str)]) -> Plan {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in crate::plan::OKTA_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, section)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_string(r, 1, format!("Case {id}")).unwrap();
        sheet.write_string(r, 2, *section).unwrap();
        sheet.write_string(r, 4, "1. do it").unwrap();
        sheet.write_string(r, 5, "done").unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    load_plan_bytes(Path::new("plan.xlsx"), bytes).unwrap()
}

fn sample() -> (Plan, Requirements) {
    let plan = plan_with(&[
        ("C1", "Create Users"),
        ("C2", "Create Users"),
        ("C3", "Using Group Push"),
        (
            "C9313",
            "Preconditions - SCIM App Setup / Add People / Add Group",
        ),
    ]);
    let reqs = Requirements::new(&Profile::builtin(), &plan);
    (plan, reqs)
}

#[test]
fn outcome_words_testers_use() {
    assert_eq!(Outcome::parse("Passed"), Some(Outcome::Pass));
    assert_eq!(Outcome::parse("not run"), Some(Outcome::NotRun));
    assert_eq!(Outcome::parse("SKIP"), Some(Outcome::Skipped));
    assert_eq!(Outcome::parse("maybe"), None);
}

#[test]
fn undo_and_redo_walk_several_levels() {
    let (plan, _) = sample();
    let mut s = Session::new(&plan);
    s.set_outcome("C1", Outcome::Pass, None, false);
    s.set_note("C1", "first");
    s.set_outcome("C2", Outcome::Fail, None, false);
    assert_eq!(s.undo().as_deref(), Some("C2: Fail"));
    assert_eq!(s.outcome("C2"), Outcome::NotRun);
    assert_eq!(s.undo().as_deref(), Some("C1: note"));
    assert_eq!(s.result("C1").unwrap().note, "");
    assert_eq!(s.outcome("C1"), Outcome::Pass);
    assert!(s.redo().is_some());
    assert_eq!(s.result("C1").unwrap().note, "first");
    // A new change drops what could be redone; the log itself only grows.
    let logged = s.history.len();
    s.set_outcome("C1", Outcome::Blocked, Some("env down".into()), false);
    assert!(!s.can_redo());
    assert_eq!(s.history.len(), logged + 1);
    assert_eq!(s.result("C1").unwrap().reason.as_deref(), Some("env down"));
}

#[test]
fn unchanged_note_records_nothing() {
    let (plan, _) = sample();
    let mut s = Session::new(&plan);
    assert!(!s.set_note("C1", ""));
    assert!(s.history.is_empty());
}

#[test]
fn unsupported_capability_skips_and_support_restores() {
    let (plan, reqs) = sample();
    let mut s = Session::new(&plan);
    s.set_outcome("C3", Outcome::Fail, None, false);
    s.set_capabilities(&plan, &reqs, &[("group-push".into(), false)]);
    // C3 by its section, C9313 by its per-case override.
    for id in ["C3", "C9313"] {
        let r = s.result(id).unwrap();
        assert_eq!(r.outcome, Outcome::Skipped, "{id}");
        assert_eq!(
            r.reason.as_deref(),
            Some("Capability not supported: Group Push")
        );
    }
    assert_eq!(s.outcome("C1"), Outcome::NotRun);
    assert!(!s.applies(&reqs, 2));
    s.set_capabilities(&plan, &reqs, &[("group-push".into(), true)]);
    assert_eq!(s.outcome("C3"), Outcome::Fail);
    assert_eq!(s.outcome("C9313"), Outcome::NotRun);
    assert!(s.result("C9313").is_none(), "no empty result left behind");
}

#[test]
fn capability_change_undoes_as_one_step() {
    let (plan, reqs) = sample();
    let mut s = Session::new(&plan);
    s.set_capabilities(&plan, &reqs, &[("create-users".into(), false)]);
    assert_eq!(s.outcome("C1"), Outcome::Skipped);
    s.undo();
    assert_eq!(s.outcome("C1"), Outcome::NotRun);
    assert!(s.is_supported("create-users"));
}

#[test]
fn reconcile_keeps_results_of_vanished_cases_and_finds_new_ones() {
    let (plan, reqs) = sample();
    let mut s = Session::new(&plan);
    s.set_outcome("C2", Outcome::Pass, None, false);
    s.set_capabilities(&plan, &reqs, &[("group-push".into(), false)]);
    let changed = plan_with(&[("C1", "Create Users"), ("C4", "Using Group Push")]);
    let reqs2 = Requirements::new(&Profile::builtin(), &changed);
    let report = s.reconcile(&changed, &reqs2);
    assert!(report.plan_changed);
    assert_eq!(report.new_cases, ["C4"]);
    assert!(report.missing_cases.contains(&"C2".to_string()));
    assert_eq!(s.outcome("C2"), Outcome::Pass, "kept, never dropped");
    assert_eq!(
        s.outcome("C4"),
        Outcome::Skipped,
        "new case of an unsupported capability"
    );
    assert_eq!(s.plan_fingerprint, changed.fingerprint);
    assert_eq!(s.plan_changes.len(), 1);
}

#[test]
fn store_round_trip_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut store, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    assert!(!store.on_disk);
    store.session.set_outcome("C1", Outcome::Pass, None, false);
    store.save().unwrap();
    store.session.set_note("C1", "Zoë ✓ 日本");
    store.save().unwrap();
    let backup = dir.path().join("s.json.bak");
    let old: Session = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    assert_eq!(old.result("C1").unwrap().note, "");
    let (reopened, report) = SessionStore::open(&path, &plan, &reqs).unwrap();
    assert!(!report.plan_changed);
    assert_eq!(reopened.session, store.session);
}

#[test]
fn temp_files_left_by_a_killed_writer_are_cleaned_when_the_session_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let make = |name: &str, age_secs: u64| {
        let file = std::fs::File::create(dir.path().join(name)).unwrap();
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs);
        file.set_modified(when).unwrap();
    };
    make(".s.json.a1B2c3.tmp", 3600); // a writer killed an hour ago
    make(".s.json.d4E5f6.tmp", 1); // a writer at work right now
    make(".other.json.g7H8i9.tmp", 3600); // another session's
    make("notes.tmp", 3600); // not ours
    SessionStore::open(&path, &plan, &reqs).unwrap();
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [".other.json.g7H8i9.tmp", ".s.json.d4E5f6.tmp", "notes.tmp"]
    );
}

#[test]
fn damaged_session_file_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    std::fs::write(&path, b"{\"schema\": 1, \"results\": [").unwrap();
    let err = SessionStore::open(&path, &plan, &reqs).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("damaged") && text.contains("s.json.bak"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"schema\": 1, \"results\": ["
    );
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    std::fs::write(&path, br#"{"schema": 99}"#).unwrap();
    let err = SessionStore::open(&path, &plan, &reqs).unwrap_err();
    assert!(matches!(err, SessionError::NewerSchema { found: 99, .. }));
}

#[test]
fn a_save_writes_only_when_something_changed_and_merges_from_the_base_it_kept() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut first, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    first.session.set_outcome("C1", Outcome::Pass, None, false);
    first.save().unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    first.save().unwrap();
    let (mut reopened, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    reopened.save().unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().ino(),
        inode,
        "nothing changed, nothing written"
    );
    assert_eq!(reopened.unsaved(), Unsaved::default());
    // Another writer saves; this one's change is merged against the base it kept as bytes.
    reopened.session.set_note("C2", "theirs");
    reopened.save().unwrap();
    first.session.set_outcome("C1", Outcome::Fail, None, false);
    assert_eq!(first.unsaved().cases, ["C1"]);
    first.save().unwrap();
    assert_eq!(first.session.result("C2").unwrap().note, "theirs");
    assert_eq!(first.session.outcome("C1"), Outcome::Fail);
    let (on_disk, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    assert_eq!(on_disk.session, first.session);
}

#[test]
fn a_session_read_without_history_has_every_result_and_is_never_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut full, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    full.session
        .set_outcome("C1", Outcome::Fail, Some("broken".into()), false);
    full.session.set_note("C2", "seen");
    full.save().unwrap();
    let on_disk = std::fs::read(&path).unwrap();
    let file = SessionFile::read_without_history(&path).unwrap();
    let (mut read, _) = SessionStore::open_read(file, &plan, &reqs).unwrap();
    assert_eq!(read.session.results, full.session.results);
    assert!(read.session.history.is_empty() && !read.session.can_undo());
    read.session.set_note("C1", "not to be kept");
    let err = read.save().unwrap_err();
    assert!(matches!(*err.failure, SaveFailure::ReadOnly), "{err}");
    let elsewhere = dir.path().join("elsewhere.json");
    assert!(matches!(
        *read.save_as(&elsewhere).unwrap_err().failure,
        SaveFailure::ReadOnly
    ));
    assert!(!elsewhere.exists());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        on_disk,
        "the file is untouched"
    );
    // The next full read on this thread builds the history again.
    let (again, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    assert_eq!(again.session.history, full.session.history);
    assert!(again.session.can_undo());
}

#[test]
fn unwritable_folder_keeps_the_change_in_memory_and_says_what_was_not_saved() {
    let (plan, reqs) = sample();
    let path = Path::new("/nonexistent-scimplan-dir/s.json");
    let (mut store, _) = SessionStore::open(path, &plan, &reqs).unwrap();
    assert_eq!(store.unsaved(), Unsaved::default());
    store.session.set_outcome("C1", Outcome::Pass, None, false);
    store.session.set_note("C2", "seen");
    let err = store.save().unwrap_err();
    assert!(matches!(*err.failure, SaveFailure::Lock(_)), "{err:?}");
    assert_eq!(err.unsaved.changes, 2);
    assert_eq!(err.unsaved.cases, ["C1", "C2"]);
    let text = err.to_string();
    assert!(
        text.contains("Not saved: 2 change(s) to C1, C2, kept in memory only"),
        "{text}"
    );
    assert_eq!(store.session.outcome("C1"), Outcome::Pass);
    assert_eq!(store.unsaved().changes, 2, "still to be saved");
}

#[test]
fn save_as_moves_the_session_to_a_new_file_and_never_over_one() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let (mut store, _) =
        SessionStore::open(Path::new("/nonexistent-scimplan-dir/s.json"), &plan, &reqs).unwrap();
    store.session.last_case = Some("C2".into());
    assert_eq!(store.unsaved().changes, 0, "moving around is not a change");
    store.session.set_outcome("C1", Outcome::Pass, None, false);
    store.session.suites.spec = Some("https://runscope.example/spec".into());
    assert_eq!(store.unsaved().changes, 2);
    assert!(store.save().is_err());
    let taken = dir.path().join("taken.json");
    std::fs::write(&taken, b"{}").unwrap();
    let err = store.save_as(&taken).unwrap_err();
    assert!(matches!(*err.failure, SaveFailure::Exists), "{err}");
    assert_eq!(std::fs::read(&taken).unwrap(), b"{}");
    let elsewhere = dir.path().join("elsewhere.json");
    store.save_as(&elsewhere).unwrap();
    assert_eq!(store.path, elsewhere);
    assert_eq!(store.unsaved().changes, 0);
    store.session.set_note("C1", "later");
    store.save().unwrap();
    let (reopened, _) = SessionStore::open(&elsewhere, &plan, &reqs).unwrap();
    assert_eq!(reopened.session.result("C1").unwrap().note, "later");
}

#[test]
fn a_file_damaged_under_an_open_session_is_reported_once_and_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut store, _) = SessionStore::open(&path, &plan, &reqs).unwrap();
    store.session.set_outcome("C1", Outcome::Pass, None, false);
    store.save().unwrap();
    std::fs::write(&path, b"{\"schema\": 1, \"results\": [").unwrap();
    assert!(matches!(
        store.refresh_if_changed(),
        Err(SessionError::Corrupt { .. })
    ));
    assert!(store.refresh_if_changed().unwrap().is_none(), "said once");
    store.session.set_outcome("C2", Outcome::Fail, None, false);
    let err = store.save().unwrap_err();
    assert!(matches!(*err.failure, SaveFailure::OnDisk(_)), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"schema\": 1, \"results\": ["
    );
    assert_eq!(err.unsaved.cases, ["C2"]);
}

#[test]
fn outcome_words_and_cells() {
    for word in ["", " ", "-", "✓", "x", "none", "todo", "?", "1", "pass!"] {
        assert_eq!(Outcome::parse(word), None, "{word:?}");
    }
    assert_eq!(Outcome::parse("n/a"), Some(Outcome::Skipped));
    assert_eq!(Outcome::parse(" Not-Run "), Some(Outcome::NotRun));
    assert_eq!(Outcome::from_cell(""), Some(Outcome::NotRun));
    assert_eq!(Outcome::from_cell("✔️"), Some(Outcome::Pass));
    assert_eq!(Outcome::from_cell("❌"), Some(Outcome::Fail));
    assert_eq!(Outcome::from_cell("x"), None);
}

/// Three copies of one session as two writers diverge from it.
fn diverged() -> (Session, Session, Session) {
    let (plan, _) = sample();
    let mut base = Session::new(&plan);
    base.set_outcome("C1", Outcome::Pass, None, false);
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    ours.set_outcome("C2", Outcome::Fail, None, false);
    ours.set_note("C2", "500 on POST");
    theirs.set_outcome("C3", Outcome::Blocked, Some("no org".into()), false);
    (base, ours, theirs)
}

#[test]
fn merged_undo_log_walks_both_writers_changes_newest_first() {
    let (base, ours, theirs) = diverged();
    let (mut merged, changes) = merge::merge(&base, &ours, &theirs);
    assert_eq!(changes.cases.iter().collect::<Vec<_>>(), ["C3"]);
    assert!(changes.conflicts.is_empty());
    assert_eq!(merged.history.len(), 4);
    assert_eq!(merged.undo_stack, [0, 1, 2, 3]);
    assert_eq!(merged.history_problem(), None);
    assert_eq!(merged.undo().as_deref(), Some("C2: note"));
    assert_eq!(merged.undo().as_deref(), Some("C2: Fail"));
    assert_eq!(merged.result("C2"), None);
    assert_eq!(merged.undo().as_deref(), Some("C3: Blocked"));
    assert_eq!(merged.outcome("C1"), Outcome::Pass);
}

#[test]
fn an_undo_on_one_side_stays_undone_after_the_merge() {
    let (base, _, theirs) = diverged();
    let mut ours = base.clone();
    ours.undo();
    let (merged, _) = merge::merge(&base, &ours, &theirs);
    assert_eq!(merged.outcome("C1"), Outcome::NotRun);
    assert_eq!(merged.outcome("C3"), Outcome::Blocked);
    assert_eq!(merged.undo_stack, [1]);
    assert_eq!(merged.redo_stack, [0]);
    assert_eq!(merged.history_problem(), None);
}

#[test]
fn a_history_dropped_elsewhere_keeps_ours_walkable() {
    let (base, ours, mut theirs) = diverged();
    theirs.drop_history();
    let (mut merged, _) = merge::merge(&base, &ours, &theirs);
    assert_eq!(merged.history_problem(), None);
    assert_eq!(merged.undo_stack, [0, 1]);
    assert_eq!(merged.undo().as_deref(), Some("C2: note"));
    assert_eq!(merged.outcome("C3"), Outcome::Blocked);
}

#[test]
fn one_case_changed_on_both_sides_merges_field_by_field() {
    let (plan, _) = sample();
    let mut base = Session::new(&plan);
    base.set_outcome("C1", Outcome::Pass, None, false);
    base.add_time_spent("C1", 10);
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    ours.set_note("C1", "mine");
    ours.add_time_spent("C1", 5);
    ours.toggle_step("C1", 0);
    ours.add_evidence("C1", "shot.png", "");
    theirs.set_outcome("C1", Outcome::Fail, None, false);
    theirs.add_time_spent("C1", 7);
    theirs.toggle_step("C1", 2);
    let (merged, changes) = merge::merge(&base, &ours, &theirs);
    let result = merged.result("C1").unwrap();
    assert_eq!(result.outcome, Outcome::Fail);
    assert_eq!(result.note, "mine");
    assert_eq!(result.time_spent_secs, 22);
    assert_eq!(
        result.steps_checked.iter().copied().collect::<Vec<_>>(),
        [0, 2]
    );
    assert_eq!(result.evidence.len(), 1);
    assert!(changes.conflicts.is_empty(), "{changes:?}");
    // Both set the outcome: ours is kept and the case reported.
    ours.set_outcome("C1", Outcome::Blocked, None, false);
    let (merged, changes) = merge::merge(&base, &ours, &theirs);
    assert_eq!(merged.outcome("C1"), Outcome::Blocked);
    assert!(changes.conflicts.contains("C1"));
}

#[test]
fn undo_reaches_back_undo_depth_changes_and_the_log_keeps_growing() {
    let (plan, _) = sample();
    let mut s = Session::new(&plan);
    for i in 0..UNDO_DEPTH + 5 {
        s.set_note("C1", &format!("note {i}"));
    }
    assert_eq!(s.history.len(), UNDO_DEPTH + 5);
    let mut undone = 0;
    while s.undo().is_some() {
        undone += 1;
    }
    assert_eq!(undone, UNDO_DEPTH);
    assert_eq!(s.result("C1").unwrap().note, "note 4");
}

#[test]
fn an_okta_connection_saved_by_another_writer_survives_the_merge() {
    let (base, ours, mut theirs) = diverged();
    let okta =
        super::OktaConnection::new("https://dev-1.okta.com", "0oa1", super::OktaAuth::ApiToken)
            .unwrap();
    theirs.verify.okta = Some(okta.clone());
    let (merged, _) = merge::merge(&base, &ours, &theirs);
    assert_eq!(merged.verify.okta, Some(okta.clone()));
    // And ours wins when only we changed it.
    let (base, mut ours, theirs) = diverged();
    ours.verify.okta = Some(okta.clone());
    assert_eq!(
        merge::merge(&base, &ours, &theirs).0.verify.okta,
        Some(okta)
    );
}
