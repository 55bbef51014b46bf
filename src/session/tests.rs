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

/// A person at the checklist, and two commands.
fn checklist() -> Writer {
    Writer::Checklist
}

fn cli(name: &str) -> Writer {
    Writer::command(name)
}

fn mark(case: &str, outcome: Outcome) -> Command {
    Command::Mark {
        case: case.into(),
        outcome,
        reason: None,
        note: None,
    }
}

fn note(case: &str, text: &str) -> Command {
    Command::Note {
        case: case.into(),
        note: text.into(),
        was: None,
    }
}

fn undo() -> Command {
    Command::Undo { target: None }
}

fn redo() -> Command {
    Command::Redo { target: None }
}

/// A check's finished run of `case` with `verdict`, its steps done.
fn run(case: &str, verdict: Verdict) -> VerifyRun {
    VerifyRun {
        case: case.into(),
        at: chrono::Utc::now(),
        target: "http://127.0.0.1:1/v2".into(),
        verdict,
        summary: String::new(),
        failure: None,
        attempts: 1,
        duration_ms: 1,
        inputs: Default::default(),
        requests: Vec::new(),
        assertions: Vec::new(),
        captured: Default::default(),
        okta: None,
        okta_not_checked: None,
        not_checked: Vec::new(),
        outcome_left: None,
        remember: Default::default(),
        subject: None,
        steps_done: true,
    }
}

fn scope<'a>(plan: &'a Plan, reqs: &'a Requirements) -> Scope<'a> {
    Scope { plan, reqs }
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
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let w = checklist();
    let mut s = Session::new(&plan);
    s.apply(mark("C1", Outcome::Pass), &w, at);
    s.apply(note("C1", "first"), &w, at);
    s.apply(mark("C2", Outcome::Fail), &w, at);
    assert_eq!(s.apply(undo(), &w, at).description, "C2: Fail");
    assert_eq!(s.outcome("C2"), Outcome::NotRun);
    assert_eq!(s.apply(undo(), &w, at).description, "C1: note");
    assert_eq!(s.note("C1"), "");
    assert_eq!(s.outcome("C1"), Outcome::Pass);
    assert!(s.apply(redo(), &w, at).refused.is_none());
    assert_eq!(s.note("C1"), "first");
    // A new change drops what could be redone; the log itself only grows.
    let logged = s.history.len();
    s.apply(
        Command::Mark {
            case: "C1".into(),
            outcome: Outcome::Blocked,
            reason: Some("env down".into()),
            note: None,
        },
        &w,
        at,
    );
    assert!(!s.can_walk(&w, true));
    assert_eq!(s.history.len(), logged + 1);
    assert_eq!(s.result("C1").unwrap().reason.as_deref(), Some("env down"));
}

#[test]
fn unchanged_note_records_nothing() {
    let (plan, reqs) = sample();
    let mut s = Session::new(&plan);
    assert!(
        !s.apply(note("C1", ""), &checklist(), scope(&plan, &reqs))
            .changed
    );
    assert!(s.history.is_empty());
}

#[test]
fn a_mark_with_a_note_is_one_change_undone_whole() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let w = cli("mark");
    let mut s = Session::new(&plan);
    let effect = s.apply(
        Command::Mark {
            case: "C1".into(),
            outcome: Outcome::Fail,
            reason: None,
            note: Some("500 on POST".into()),
        },
        &w,
        at,
    );
    assert_eq!(effect.description, "C1: Fail with a note");
    assert_eq!(s.history.len(), 1);
    s.apply(undo(), &w, at);
    assert_eq!(s.result("C1"), None, "outcome and note taken back together");
}

#[test]
fn each_writer_undoes_its_own_changes() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let mut s = Session::new(&plan);
    s.apply(mark("C1", Outcome::Pass), &checklist(), at);
    s.apply(mark("C2", Outcome::Blocked), &cli("mark"), at);
    // `u` in the checklist takes back the checklist's change, not the command's later one.
    assert_eq!(s.apply(undo(), &checklist(), at).description, "C1: Pass");
    assert_eq!(s.outcome("C2"), Outcome::Blocked);
    assert_eq!(
        s.apply(undo(), &checklist(), at).refused,
        Some(Refusal::NothingToUndo)
    );
    // `scimplan undo` takes back the command's.
    assert_eq!(s.apply(undo(), &cli("undo"), at).description, "C2: Blocked");
    assert_eq!(s.outcome("C2"), Outcome::NotRun);
    // And each redoes its own.
    assert_eq!(s.apply(redo(), &checklist(), at).description, "C1: Pass");
    assert_eq!(s.outcome("C2"), Outcome::NotRun);
}

#[test]
fn undo_of_a_change_changed_since_is_refused_and_names_who() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let mut s = Session::new(&plan);
    s.apply(mark("C1", Outcome::Pass), &checklist(), at);
    s.apply(mark("C1", Outcome::Fail), &cli("mark"), at);
    s.apply(mark("C2", Outcome::Pass), &checklist(), at);
    s.apply(undo(), &checklist(), at);
    let effect = s.apply(undo(), &checklist(), at);
    let refusal = effect.refused.expect("refused").to_string();
    assert!(
        refusal.starts_with("C1 was changed by `scimplan mark` at ")
            && refusal.ends_with("; not undone."),
        "{refusal}"
    );
    assert_eq!(s.outcome("C1"), Outcome::Fail, "the later mark stands");
    // The refused change left the list: nothing older to undo here.
    assert_eq!(
        s.apply(undo(), &checklist(), at).refused,
        Some(Refusal::NothingToUndo)
    );
    // Another writer's ticks on the same case do not stand in the way of an outcome's undo.
    s.apply(mark("C3", Outcome::Pass), &checklist(), at);
    s.apply(
        Command::Step {
            case: "C3".into(),
            step: 0,
            ticked: true,
        },
        &cli("done"),
        at,
    );
    assert_eq!(s.apply(undo(), &checklist(), at).description, "C3: Pass");
    let kept = s.result("C3").unwrap();
    assert_eq!(
        (kept.outcome, kept.steps_checked.len()),
        (Outcome::NotRun, 1)
    );
}

#[test]
fn a_check_never_overrules_an_outcome_someone_decided() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let mut s = Session::new(&plan);
    let verify = cli("verify");
    let record = |s: &Session, case: &str, verdict, replace| Command::RecordRun {
        run: Box::new(run(case, verdict)),
        started_with: s.standing(case),
        replace,
    };
    // Nothing recorded yet: the check's verdict is the outcome.
    let c = record(&s, "C1", Verdict::Pass, false);
    assert_eq!(s.apply(c, &verify, at).recorded, Some(Outcome::Pass));
    // A person's Fail stays unless the tester asked to replace it.
    s.apply(mark("C2", Outcome::Fail), &cli("mark"), at);
    let c = record(&s, "C2", Verdict::Pass, false);
    let effect = s.apply(c, &verify, at);
    assert_eq!(effect.recorded, None);
    let text = effect.refused.unwrap().to_string();
    assert!(
        text.contains("kept your Fail (recorded ") && text.contains("by `scimplan mark`)"),
        "{text}"
    );
    assert!(text.contains("the app now says PASS"), "{text}");
    assert_eq!(s.outcome("C2"), Outcome::Fail);
    assert_eq!(
        s.verify.latest_run("C2").unwrap().outcome_left.as_deref(),
        Some(text.as_str())
    );
    let c = record(&s, "C2", Verdict::Pass, true);
    assert_eq!(s.apply(c, &verify, at).recorded, Some(Outcome::Pass));
    // An outcome set while the check ran is kept, even when the tester asked to replace.
    let started = s.standing("C3");
    s.apply(mark("C3", Outcome::Blocked), &checklist(), at);
    let c = Command::RecordRun {
        run: Box::new(run("C3", Verdict::Pass)),
        started_with: started,
        replace: true,
    };
    let effect = s.apply(c, &verify, at);
    assert!(matches!(
        effect.refused,
        Some(Refusal::KeptOutcome {
            during_check: true,
            ..
        })
    ));
    assert_eq!(s.outcome("C3"), Outcome::Blocked);
    // The note is never touched.
    assert_eq!(s.note("C3"), "");
}

#[test]
fn unsupported_capability_skips_and_support_restores() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let w = checklist();
    let caps = |key: &str, on: bool| Command::Capabilities {
        changes: vec![(key.into(), on)],
        confirm: true,
    };
    let mut s = Session::new(&plan);
    s.apply(mark("C3", Outcome::Fail), &w, at);
    s.apply(caps("group-push", false), &w, at);
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
    s.apply(caps("group-push", true), &w, at);
    assert_eq!(s.outcome("C3"), Outcome::Fail);
    assert_eq!(s.outcome("C9313"), Outcome::NotRun);
    assert!(s.result("C9313").is_none(), "no empty result left behind");
}

#[test]
fn capability_change_undoes_as_one_step_with_its_confirmation() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let w = cli("capabilities");
    let mut s = Session::new(&plan);
    s.apply(
        Command::Capabilities {
            changes: vec![("create-users".into(), false)],
            confirm: true,
        },
        &w,
        at,
    );
    assert_eq!(s.outcome("C1"), Outcome::Skipped);
    assert!(s.capabilities_confirmed());
    s.apply(undo(), &w, at);
    assert_eq!(s.outcome("C1"), Outcome::NotRun);
    assert!(s.is_supported("create-users"));
    assert!(
        !s.capabilities_confirmed(),
        "the first-open question comes back"
    );
}

#[test]
fn reconcile_keeps_results_of_vanished_cases_and_finds_new_ones() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let mut s = Session::new(&plan);
    s.apply(mark("C2", Outcome::Pass), &checklist(), at);
    s.apply(
        Command::Capabilities {
            changes: vec![("group-push".into(), false)],
            confirm: true,
        },
        &checklist(),
        at,
    );
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
    let (mut store, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    assert!(!store.on_disk());
    store.apply(mark("C1", Outcome::Pass), scope(&plan, &reqs));
    store.save(scope(&plan, &reqs)).unwrap();
    store.apply(note("C1", "Zoë ✓ 日本"), scope(&plan, &reqs));
    store.save(scope(&plan, &reqs)).unwrap();
    let backup = dir.path().join("s.json.bak");
    let old: Session = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    assert_eq!(old.result("C1").unwrap().note, "");
    let (reopened, report) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    assert!(!report.plan_changed);
    assert_eq!(reopened.session(), store.session());
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
    SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
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
    let err = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap_err();
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
    let err = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap_err();
    assert!(matches!(err, SessionError::NewerSchema { found: 99, .. }));
}

#[test]
fn a_save_writes_only_when_something_changed_and_merges_from_the_base_it_kept() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut first, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    first.apply(mark("C1", Outcome::Pass), scope(&plan, &reqs));
    first.save(scope(&plan, &reqs)).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    first.save(scope(&plan, &reqs)).unwrap();
    let (mut reopened, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    reopened.save(scope(&plan, &reqs)).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().ino(),
        inode,
        "nothing changed, nothing written"
    );
    assert_eq!(reopened.unsaved(), Unsaved::default());
    // Another writer saves; this one's change is merged against the base it kept as bytes.
    reopened.apply(note("C2", "theirs"), scope(&plan, &reqs));
    reopened.save(scope(&plan, &reqs)).unwrap();
    first.apply(mark("C1", Outcome::Fail), scope(&plan, &reqs));
    assert_eq!(first.unsaved().cases, ["C1"]);
    first.save(scope(&plan, &reqs)).unwrap();
    assert_eq!(first.session().result("C2").unwrap().note, "theirs");
    assert_eq!(first.session().outcome("C1"), Outcome::Fail);
    let (on_disk, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    assert_eq!(on_disk.session(), first.session());
}

#[test]
fn a_session_read_without_history_has_every_result_and_is_never_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut full, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    full.apply(
        Command::Mark {
            case: "C1".into(),
            outcome: Outcome::Fail,
            reason: Some("broken".into()),
            note: None,
        },
        scope(&plan, &reqs),
    );
    full.apply(note("C2", "seen"), scope(&plan, &reqs));
    full.save(scope(&plan, &reqs)).unwrap();
    let on_disk = std::fs::read(&path).unwrap();
    let file = SessionFile::read_without_history(&path).unwrap();
    let (mut read, _) = SessionStore::open_read(file, scope(&plan, &reqs), checklist()).unwrap();
    assert_eq!(read.session().results, full.session().results);
    assert!(read.session().history.is_empty() && !read.session().can_walk(&checklist(), false));
    read.apply(note("C1", "not to be kept"), scope(&plan, &reqs));
    let err = read.save(scope(&plan, &reqs)).unwrap_err();
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
    let (again, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    assert_eq!(again.session().history, full.session().history);
    assert!(again.session().can_walk(&checklist(), false));
}

#[test]
fn unwritable_folder_keeps_the_change_in_memory_and_says_what_was_not_saved() {
    let (plan, reqs) = sample();
    let path = Path::new("/nonexistent-scimplan-dir/s.json");
    let (mut store, _) = SessionStore::open(path, scope(&plan, &reqs), checklist()).unwrap();
    assert_eq!(store.unsaved(), Unsaved::default());
    store.apply(mark("C1", Outcome::Pass), scope(&plan, &reqs));
    store.apply(note("C2", "seen"), scope(&plan, &reqs));
    let err = store.save(scope(&plan, &reqs)).unwrap_err();
    assert!(matches!(*err.failure, SaveFailure::Lock(_)), "{err:?}");
    assert_eq!(err.unsaved.changes, 2);
    assert_eq!(err.unsaved.cases, ["C1", "C2"]);
    let text = err.to_string();
    assert!(
        text.contains("Not saved: 2 change(s) to C1, C2, kept in memory only"),
        "{text}"
    );
    assert_eq!(store.session().outcome("C1"), Outcome::Pass);
    assert_eq!(store.unsaved().changes, 2, "still to be saved");
}

#[test]
fn save_as_moves_the_session_to_a_new_file_and_never_over_one() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let (mut store, _) = SessionStore::open(
        Path::new("/nonexistent-scimplan-dir/s.json"),
        scope(&plan, &reqs),
        checklist(),
    )
    .unwrap();
    store.apply(Command::LastCase(Some("C2".into())), scope(&plan, &reqs));
    assert_eq!(store.unsaved().changes, 0, "moving around is not a change");
    store.apply(mark("C1", Outcome::Pass), scope(&plan, &reqs));
    store.apply(
        Command::SuiteLink {
            suite: SuiteKind::Spec,
            link: "https://runscope.example/spec".into(),
        },
        scope(&plan, &reqs),
    );
    assert_eq!(store.unsaved().changes, 2);
    assert!(store.save(scope(&plan, &reqs)).is_err());
    let taken = dir.path().join("taken.json");
    std::fs::write(&taken, b"{}").unwrap();
    let err = store.save_as(&taken).unwrap_err();
    assert!(matches!(*err.failure, SaveFailure::Exists), "{err}");
    assert_eq!(std::fs::read(&taken).unwrap(), b"{}");
    let elsewhere = dir.path().join("elsewhere.json");
    store.save_as(&elsewhere).unwrap();
    assert_eq!(store.path(), elsewhere);
    assert_eq!(store.unsaved().changes, 0);
    store.apply(note("C1", "later"), scope(&plan, &reqs));
    store.save(scope(&plan, &reqs)).unwrap();
    let (reopened, _) = SessionStore::open(&elsewhere, scope(&plan, &reqs), checklist()).unwrap();
    assert_eq!(reopened.session().result("C1").unwrap().note, "later");
}

#[test]
fn a_file_damaged_under_an_open_session_is_reported_once_and_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let path = dir.path().join("s.json");
    let (mut store, _) = SessionStore::open(&path, scope(&plan, &reqs), checklist()).unwrap();
    store.apply(mark("C1", Outcome::Pass), scope(&plan, &reqs));
    store.save(scope(&plan, &reqs)).unwrap();
    std::fs::write(&path, b"{\"schema\": 1, \"results\": [").unwrap();
    assert!(matches!(
        store.refresh_if_changed(scope(&plan, &reqs)),
        Err(SessionError::Corrupt { .. })
    ));
    assert!(
        store
            .refresh_if_changed(scope(&plan, &reqs))
            .unwrap()
            .is_none(),
        "said once"
    );
    store.apply(mark("C2", Outcome::Fail), scope(&plan, &reqs));
    let err = store.save(scope(&plan, &reqs)).unwrap_err();
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

/// Two stores (two scimplan processes) on one session file.
fn two_writers(dir: &Path, plan: &Plan, reqs: &Requirements) -> (SessionStore, SessionStore) {
    let path = dir.join("s.json");
    let (mut first, _) = SessionStore::open(&path, scope(plan, reqs), checklist()).unwrap();
    first.apply(mark("C1", Outcome::Pass), scope(plan, reqs));
    first.save(scope(plan, reqs)).unwrap();
    let (second, _) = SessionStore::open(&path, scope(plan, reqs), cli("mark")).unwrap();
    (first, second)
}

#[test]
fn a_save_applies_this_writers_changes_again_on_what_another_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let (mut ours, mut theirs) = two_writers(dir.path(), &plan, &reqs);
    ours.apply(mark("C2", Outcome::Fail), at);
    ours.apply(note("C2", "500 on POST"), at);
    ours.apply(
        Command::Step {
            case: "C1".into(),
            step: 0,
            ticked: true,
        },
        at,
    );
    theirs.apply(
        Command::Mark {
            case: "C3".into(),
            outcome: Outcome::Blocked,
            reason: Some("no org".into()),
            note: None,
        },
        at,
    );
    theirs.apply(
        Command::Step {
            case: "C1".into(),
            step: 2,
            ticked: true,
        },
        at,
    );
    theirs.save(at).unwrap();
    let saved = ours.save(at).unwrap();
    assert!(
        saved.refused.is_empty() && saved.conflicts.is_empty(),
        "{saved:?}"
    );
    let s = ours.session();
    assert_eq!(s.outcome("C2"), Outcome::Fail);
    assert_eq!(s.outcome("C3"), Outcome::Blocked);
    assert_eq!(
        s.result("C1").unwrap().steps_checked.len(),
        2,
        "ticks add up"
    );
    assert_eq!(s.history_problem(), None);
    // Each writer's undo walks its own changes, newest first.
    let mut s = s.clone();
    assert_eq!(
        s.apply(undo(), &checklist(), at).description,
        "C1: step 1 ticked"
    );
    assert_eq!(s.apply(undo(), &checklist(), at).description, "C2: note");
    assert_eq!(
        s.apply(undo(), &cli("undo"), at).description,
        "C1: step 3 ticked"
    );
    let changes = ours
        .refresh_if_changed(at)
        .unwrap()
        .expect("picked up at the save");
    assert_eq!(changes.cases.iter().collect::<Vec<_>>(), ["C1", "C3"]);
}

#[test]
fn the_later_save_of_one_outcome_wins_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let (mut ours, mut theirs) = two_writers(dir.path(), &plan, &reqs);
    ours.apply(mark("C2", Outcome::Blocked), at);
    theirs.apply(mark("C2", Outcome::Fail), at);
    theirs.save(at).unwrap();
    let saved = ours.save(at).unwrap();
    assert_eq!(saved.conflicts.iter().collect::<Vec<_>>(), ["C2"]);
    assert_eq!(ours.session().outcome("C2"), Outcome::Blocked);
}

#[test]
fn a_check_that_loses_the_race_to_a_person_records_nothing_at_the_save() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let path = dir.path().join("s.json");
    let (mut verify, _) = SessionStore::open(&path, at, cli("verify")).unwrap();
    // The check starts with C2 Not run...
    let started = verify.session().standing("C2");
    // ...a person marks it Fail with a note while it polls...
    let (mut person, _) = SessionStore::open(&path, at, cli("mark")).unwrap();
    person.apply(
        Command::Mark {
            case: "C2".into(),
            outcome: Outcome::Fail,
            reason: None,
            note: Some("human says fail".into()),
        },
        at,
    );
    person.save(at).unwrap();
    // ...and the check passes: in its own copy nothing changed, so it records Pass...
    let effect = verify.apply(
        Command::RecordRun {
            run: Box::new(run("C2", Verdict::Pass)),
            started_with: started,
            replace: false,
        },
        at,
    );
    assert_eq!(effect.recorded, Some(Outcome::Pass));
    // ...until the save applies it to the file, where the person's Fail is.
    let saved = verify.save(at).unwrap();
    assert!(matches!(
        saved.refused.as_slice(),
        [Refusal::KeptOutcome {
            during_check: true,
            kept: Outcome::Fail,
            ..
        }]
    ));
    let s = verify.session();
    assert_eq!(
        (s.outcome("C2"), s.note("C2")),
        (Outcome::Fail, "human says fail")
    );
    assert_eq!(s.verify.runs.len(), 1, "the run is kept as evidence");
    assert!(
        s.history.iter().all(|e| e.description != "C2: Pass"),
        "nothing to undo into the person's result"
    );
    // And undo by a command takes back the person's mark only, whole.
    let mut s = s.clone();
    assert_eq!(
        s.apply(undo(), &cli("undo"), at).description,
        "C2: Fail with a note"
    );
    assert_eq!(s.result("C2"), None);
}

#[test]
fn an_undo_of_a_change_another_writer_changed_before_the_save_is_refused_there() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let (mut ours, mut theirs) = two_writers(dir.path(), &plan, &reqs);
    // Ours undoes its C1 Pass in memory while theirs marks C1 Fail on disk.
    assert!(ours.apply(undo(), at).refused.is_none());
    theirs.apply(mark("C1", Outcome::Fail), at);
    theirs.save(at).unwrap();
    let saved = ours.save(at).unwrap();
    let text = saved.refused[0].to_string();
    assert!(
        text.starts_with("C1 was changed by `scimplan mark`"),
        "{text}"
    );
    assert_eq!(ours.session().outcome("C1"), Outcome::Fail);
}

#[test]
fn undo_reaches_back_undo_depth_changes_and_the_log_keeps_growing() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let w = checklist();
    let mut s = Session::new(&plan);
    for i in 0..UNDO_DEPTH + 5 {
        s.apply(note("C1", &format!("note {i}")), &w, at);
    }
    assert_eq!(s.history.len(), UNDO_DEPTH + 5);
    let mut undone = 0;
    while s.apply(undo(), &w, at).refused.is_none() {
        undone += 1;
    }
    assert_eq!(undone, UNDO_DEPTH);
    assert_eq!(s.note("C1"), "note 4");
}

#[test]
fn an_okta_connection_saved_by_another_writer_survives_our_save() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let (mut ours, mut theirs) = two_writers(dir.path(), &plan, &reqs);
    let okta =
        super::OktaConnection::new("https://dev-1.okta.com", "0oa1", super::OktaAuth::ApiToken)
            .unwrap();
    theirs.apply(Command::OktaConnection(Some(okta.clone())), at);
    theirs.save(at).unwrap();
    ours.apply(mark("C2", Outcome::Pass), at);
    ours.save(at).unwrap();
    assert_eq!(ours.session().verify.okta, Some(okta));
}

#[test]
fn sessions_written_before_history_ids_keep_their_undo() {
    let (plan, reqs) = sample();
    let at = scope(&plan, &reqs);
    let mut s = Session::new(&plan);
    s.apply(mark("C1", Outcome::Pass), &checklist(), at);
    s.apply(mark("C2", Outcome::Fail), &cli("mark"), at);
    // As an older scimplan wrote it: no ids, no writers, undo lists by index.
    let mut old = serde_json::to_value(&s).unwrap();
    for entry in old["history"].as_array_mut().unwrap() {
        let entry = entry.as_object_mut().unwrap();
        entry.remove("id");
        entry.remove("writer");
    }
    old["undo_stack"] = serde_json::json!([0, 1]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.json");
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let (mut store, report) = SessionStore::open(&path, at, checklist()).unwrap();
    assert_eq!(report.history_dropped, None);
    assert_eq!(store.apply(undo(), at).description, "C2: Fail");
    assert_eq!(store.apply(undo(), at).description, "C1: Pass");
}

/// A hosted run of `suite` whose page ends with `run`.
fn hosted_run(suite: SuiteKind, run: &str, result: HostedResult) -> HostedRun {
    HostedRun {
        suite,
        bucket: "bkt".into(),
        test_id: "t".into(),
        run_id: run.into(),
        result,
        at: chrono::Utc::now(),
        finished_at: None,
        page: format!("https://www.runscope.com/radar/bkt/t/history/{run}"),
        target: "https://app/scim/v2".into(),
        file: "Okta SCIM 2.0 SPEC Test".into(),
        sha256: "ab".into(),
        requests: 12,
        assertions_passed: 40,
        assertions_failed: 0,
        failures: Vec::new(),
    }
}

#[test]
fn hosted_tests_are_one_per_suite_and_bucket_and_runs_are_capped_per_suite() {
    let (plan, reqs) = sample();
    let mut s = Session::new(&plan);
    let w = cli("runscope");
    let test = |suite, bucket: &str, id: &str| HostedTest {
        suite,
        bucket: bucket.into(),
        test_id: id.into(),
        file: "f".into(),
        sha256: "s".into(),
        at: chrono::Utc::now(),
    };
    s.apply(
        Command::HostedTest(test(SuiteKind::Spec, "a", "t1")),
        &w,
        scope(&plan, &reqs),
    );
    s.apply(
        Command::HostedTest(test(SuiteKind::Crud, "a", "t2")),
        &w,
        scope(&plan, &reqs),
    );
    s.apply(
        Command::HostedTest(test(SuiteKind::Spec, "b", "t3")),
        &w,
        scope(&plan, &reqs),
    );
    // The same suite and bucket again: the newer test replaces the older.
    s.apply(
        Command::HostedTest(test(SuiteKind::Spec, "a", "t4")),
        &w,
        scope(&plan, &reqs),
    );
    let hosted = s.hosted();
    assert_eq!(hosted.tests.len(), 3);
    assert_eq!(hosted.test(SuiteKind::Spec, "a").unwrap().test_id, "t4");
    assert_eq!(hosted.test(SuiteKind::Crud, "a").unwrap().test_id, "t2");
    assert_eq!(hosted.bucket.as_deref(), Some("a"), "the bucket used last");

    for i in 0..HOSTED_RUNS_KEPT + 2 {
        let run = hosted_run(SuiteKind::Spec, &format!("r{i}"), HostedResult::Pass);
        s.apply(
            Command::RecordHosted(Box::new(run)),
            &w,
            scope(&plan, &reqs),
        );
    }
    let crud = hosted_run(SuiteKind::Crud, "c0", HostedResult::Fail);
    s.apply(
        Command::RecordHosted(Box::new(crud)),
        &w,
        scope(&plan, &reqs),
    );
    let runs = &s.hosted().runs;
    let spec: Vec<&str> = runs
        .iter()
        .filter(|r| r.suite == SuiteKind::Spec)
        .map(|r| r.run_id.as_str())
        .collect();
    assert_eq!(
        spec,
        ["r2", "r3", "r4", "r5", "r6"],
        "the latest {HOSTED_RUNS_KEPT}"
    );
    assert_eq!(s.hosted().latest(SuiteKind::Crud).unwrap().run_id, "c0");
    assert_eq!(
        s.hosted()
            .run_for_link(
                SuiteKind::Spec,
                "https://www.runscope.com/radar/bkt/t/history/r4"
            )
            .map(|r| r.run_id.as_str()),
        Some("r4")
    );
    // The third link, and the declarations, survive a save and a read.
    s.apply(
        Command::SuiteLink {
            suite: SuiteKind::Entitlements,
            link: "https://www.runscope.com/radar/bkt/t/history/e1".into(),
        },
        &w,
        scope(&plan, &reqs),
    );
    s.apply(
        Command::EntitlementEndpoints(vec!["/Roles".into()]),
        &w,
        scope(&plan, &reqs),
    );
    let again: Session = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(again.hosted(), s.hosted());
    assert_eq!(again.declarations().entitlement_endpoints, ["/Roles"]);
    assert!(again.suites().entitlements.is_some());
    // A session without any of it writes none of it.
    let empty = serde_json::to_value(Session::new(&plan)).unwrap();
    assert!(empty.get("hosted").is_none() && empty.get("declared").is_none());
}
