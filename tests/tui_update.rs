//! The checklist's `update`, action by action, with no terminal: a real workbook fixture, a real
//! session file, and the state read back from disk.

mod common;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::{Path, PathBuf};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use scimplan::session::{Outcome, default_session_path};
use scimplan::tui::config::parse_config;
use scimplan::tui::keymap::Key;
use scimplan::tui::model::{Pane, Row};
use scimplan::tui::overlays::capabilities::Capabilities;
use scimplan::tui::overlays::note::Note;
use scimplan::tui::overlays::preconditions::Preconditions;
use scimplan::tui::{Action, Mode, Model, Settings, action_for, update};
use scimplan::workspace::{OpenOptions, Workspace};

use common::{case_row, write_plan};
use tui_helpers::{on_disk, open_with, ready};

const SETUP: &str = "Preconditions - SCIM App Setup / Add People / Add Group";

fn fixture(dir: &Path) -> PathBuf {
    let path = dir.join("plan.xlsx");
    write_plan(
        &path,
        vec![
            case_row(
                "C1",
                "Setup SCIM App",
                SETUP,
                "Sign in to Okta as Admin",
                "1. Open **Applications**\n2. Add the app\n3. Save",
                "The app is **added**",
            ),
            case_row(
                "C2",
                "Add People",
                SETUP,
                "1. SCIM app is added [C1]",
                "1. Add a person",
                "Added",
            ),
            case_row(
                "C3",
                "Verify App Assignment",
                "Create Users",
                "1. App added [C1]\n2. User exists (C2)",
                "1. Assign\n2. Check",
                "User created",
            ),
            case_row(
                "C4",
                "Verify Re-Activation",
                "Create Users",
                "",
                "1. Reactivate",
                "Active",
            ),
            case_row(
                "C5",
                "Push Groups",
                "Using Group Push",
                "",
                "1. Push",
                "Pushed",
            ),
            case_row(
                "C6",
                "Push Group Rename",
                "Using Group Push",
                "",
                "1. Rename",
                "Renamed",
            ),
        ],
    );
    path
}

fn open(plan: &Path) -> Model {
    open_with(plan, Settings::default())
}

fn select(m: &mut Model, id: &str) {
    tui_helpers::select(m, id);
    assert_eq!(selected_id(m), id);
}

fn selected_id(m: &Model) -> String {
    m.ws.plan.cases[m.selected_case().expect("a case is selected")]
        .id
        .clone()
}

fn key(c: char) -> Action {
    Action::TypeKey(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn type_text(m: &mut Model, text: &str) {
    for c in text.chars() {
        update(m, key(c));
    }
}

#[test]
fn first_open_declares_capabilities_and_skips_unsupported_cases() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = open(&plan);
    assert_eq!(m.mode(), Mode::Capabilities);
    let Some(draft) = m.top_as::<Capabilities>() else {
        panic!("the capabilities screen opens first");
    };
    let push = draft
        .choices
        .iter()
        .position(|(k, _)| k == "group-push")
        .expect("group push governs cases");
    for _ in 0..push {
        update(&mut m, Action::MoveDown);
    }
    update(&mut m, Action::ToggleCapability);
    update(&mut m, Action::ConfirmCapabilities);
    assert_eq!(m.mode(), Mode::Normal);

    let saved = on_disk(&plan);
    assert!(saved.capabilities_confirmed());
    assert_eq!(saved.capabilities().get("group-push"), Some(&false));
    assert_eq!(saved.outcome("C5"), Outcome::Skipped);
    assert!(m.stats.sections[2].unsupported());
    assert_eq!(m.stats.total.applicable, 4);

    // Reopening goes straight to the checklist.
    assert_eq!(open(&plan).mode(), Mode::Normal);
}

#[test]
fn esc_on_first_capabilities_screen_leaves_them_undeclared() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = open(&plan);
    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Normal);
    assert!(m.message.as_ref().unwrap().text.contains("not declared"));
    assert_eq!(open(&plan).mode(), Mode::Capabilities);
}

#[test]
fn marking_saves_and_moves_to_the_next_not_run_case() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::MarkPass);
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::Pass);
    assert_eq!(
        on_disk(&plan).result("C1").unwrap().tester.as_deref(),
        Some("Ana")
    );
    assert_eq!(selected_id(&m), "C2");
    assert_eq!(m.stats.total.done, 1);

    select(&mut m, "C4");
    update(&mut m, Action::MarkFail);
    assert_eq!(on_disk(&plan).outcome("C4"), Outcome::Fail);
    // C5 is the next Not run case after C4.
    assert_eq!(selected_id(&m), "C5");
}

#[test]
fn the_advance_setting_keeps_the_cursor_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = open_with(
        &plan,
        Settings {
            advance_after_mark: false,
            ..Settings::default()
        },
    );
    update(&mut m, Action::ConfirmCapabilities);
    select(&mut m, "C1");
    update(&mut m, Action::MarkPass);
    assert_eq!(selected_id(&m), "C1");
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::Pass);
}

#[test]
fn unmet_preconditions_offer_blocked_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::MarkFail);
    select(&mut m, "C3");
    update(&mut m, Action::MarkPass);
    assert_eq!(m.mode(), Mode::Preconditions);
    let Some(pending) = m.top_as::<Preconditions>() else {
        panic!("the preconditions question is open");
    };
    assert_eq!(
        pending.unmet,
        [
            ("C1".to_string(), Outcome::Fail),
            ("C2".to_string(), Outcome::NotRun)
        ]
    );
    assert_eq!(on_disk(&plan).outcome("C3"), Outcome::NotRun);
    update(&mut m, Action::BlockForPreconditions);
    let saved = on_disk(&plan);
    let result = saved.result("C3").unwrap();
    assert_eq!(result.outcome, Outcome::Blocked);
    assert_eq!(
        result.reason.as_deref(),
        Some("Precondition not met: C1 is Fail, C2 is Not run")
    );

    // The tester may also insist.
    select(&mut m, "C2");
    update(&mut m, Action::MarkPass);
    assert_eq!(m.mode(), Mode::Preconditions);
    update(&mut m, Action::MarkAnyway);
    assert_eq!(on_disk(&plan).outcome("C2"), Outcome::Pass);

    // Or cancel, recording nothing.
    select(&mut m, "C3");
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Normal);
    assert_eq!(on_disk(&plan).outcome("C3"), Outcome::Blocked);
}

#[test]
fn skip_asks_for_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C4");
    update(&mut m, Action::MarkSkipped);
    assert_eq!(m.mode(), Mode::Prompt);
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Prompt, "an empty reason is refused");
    assert!(m.message.as_ref().unwrap().error);
    type_text(&mut m, "No reactivation in v1");
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Normal);
    let saved = on_disk(&plan);
    let result = saved.result("C4").unwrap();
    assert_eq!(result.outcome, Outcome::Skipped);
    assert_eq!(result.reason.as_deref(), Some("No reactivation in v1"));

    // Esc in the prompt records nothing.
    select(&mut m, "C6");
    update(&mut m, Action::MarkSkipped);
    type_text(&mut m, "whatever");
    update(&mut m, Action::Cancel);
    assert_eq!(on_disk(&plan).outcome("C6"), Outcome::NotRun);
}

#[test]
fn the_note_editor_keeps_unicode_and_paste_and_saves_on_esc() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C2");
    update(&mut m, Action::EditNote);
    assert_eq!(m.mode(), Mode::Note);
    type_text(&mut m, "Überprüft – naïve café ✓ 日本");
    update(
        &mut m,
        Action::TypeKey(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    update(&mut m, Action::Paste("pasted\r\nlines".into()));
    // Esc is bound to saving: an accidental Esc loses nothing.
    let esc = Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    let action = action_for(&m, &esc).unwrap();
    assert_eq!(action, Action::SaveNote);
    update(&mut m, action);
    assert_eq!(m.mode(), Mode::Normal);
    assert_eq!(
        on_disk(&plan).result("C2").unwrap().note,
        "Überprüft – naïve café ✓ 日本\npasted\nlines"
    );

    // Reopening the editor starts from the saved note.
    update(&mut m, Action::EditNote);
    let Some(editor) = m.top_as::<Note>() else {
        panic!("the note editor is open");
    };
    assert_eq!(editor.textarea.lines()[0], "Überprüft – naïve café ✓ 日本");
}

#[test]
fn evidence_is_attached_from_a_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::AddEvidence);
    let shot = dir.path().join("screenshots/c1 app.png");
    common::write_png(&shot, 40, 30);
    update(&mut m, Action::Paste(format!("'{}'", shot.display())));
    update(&mut m, Action::Submit);
    let saved = on_disk(&plan);
    let evidence = &saved.result("C1").unwrap().evidence;
    assert_eq!(evidence.len(), 1);
    assert_eq!(
        std::path::Path::new(&evidence[0].reference),
        shot.canonicalize().unwrap()
    );
    let file = evidence[0].file.as_ref().expect("the file is copied");
    assert_eq!(file.kind, scimplan::session::EvidenceKind::Png);
    let copy = m.ws.evidence_dir().join(&file.stored);
    assert_eq!(std::fs::read(copy).unwrap(), std::fs::read(&shot).unwrap());
}

#[test]
fn space_ticks_steps_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::ToggleStep);
    update(&mut m, Action::ToggleStep);
    let ticked: Vec<usize> = on_disk(&plan)
        .result("C1")
        .unwrap()
        .steps_checked
        .iter()
        .copied()
        .collect();
    assert_eq!(ticked, [0, 1]);
    assert_eq!(m.step_cursor, 2);
    // In the detail pane, j/k move between steps.
    update(&mut m, Action::OpenDetail);
    assert_eq!(m.focus, Pane::Detail);
    update(&mut m, Action::MoveUp);
    update(&mut m, Action::ToggleStep);
    let saved = on_disk(&plan);
    assert!(!saved.result("C1").unwrap().steps_checked.contains(&1));
    assert_eq!(
        selected_id(&m),
        "C1",
        "j/k in the detail pane keep the case"
    );
}

#[test]
fn search_filters_enter_keeps_and_esc_clears() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    update(&mut m, Action::Search);
    assert_eq!(m.mode(), Mode::Search);
    type_text(&mut m, "push");
    let shown: Vec<String> = m
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Case(c) => Some(m.ws.plan.cases[*c].id.clone()),
            Row::Section(_) => None,
        })
        .collect();
    assert_eq!(shown, ["C5", "C6"]);
    assert_eq!(selected_id(&m), "C5");
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Normal);
    assert!(m.filter_active());
    update(&mut m, Action::MoveDown);
    assert_eq!(selected_id(&m), "C6");
    // Esc in the list clears the kept filter.
    update(&mut m, Action::Back);
    assert!(!m.filter_active());
    assert_eq!(selected_id(&m), "C6");

    // Text of the steps is searched too, and an exact ID wins.
    update(&mut m, Action::Search);
    type_text(&mut m, "reactivate");
    assert_eq!(selected_id(&m), "C4");
    update(&mut m, Action::Cancel);
    assert!(!m.filter_active());
    update(&mut m, Action::Search);
    type_text(&mut m, "c3");
    assert_eq!(selected_id(&m), "C3");
}

#[test]
fn outcome_filter_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::FilterOutcome);
    assert_eq!(m.outcome_filter, Some(Outcome::NotRun));
    assert!(!m.rows.contains(&Row::Case(0)));
    update(&mut m, Action::FilterOutcome);
    assert_eq!(m.outcome_filter, Some(Outcome::Pass));
    assert_eq!(
        m.rows.iter().filter(|r| matches!(r, Row::Case(_))).count(),
        1
    );
    for _ in 0..4 {
        update(&mut m, Action::FilterOutcome);
    }
    assert_eq!(m.outcome_filter, None);
}

#[test]
fn undo_and_redo_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::MarkFail);
    update(&mut m, Action::Undo);
    assert_eq!(on_disk(&plan).outcome("C2"), Outcome::NotRun);
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::Pass);
    drop(m);

    let mut m = open(&plan);
    update(&mut m, Action::Undo);
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::NotRun);
    update(&mut m, Action::Redo);
    update(&mut m, Action::Redo);
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::Pass);
    assert_eq!(on_disk(&plan).outcome("C2"), Outcome::Fail);
    assert!(m.message.as_ref().unwrap().text.contains("Redone"));
}

#[test]
fn reopening_resumes_at_the_last_case() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C4");
    update(&mut m, Action::Quit);
    assert!(m.quit);
    let m = open(&plan);
    assert_eq!(selected_id(&m), "C4");
}

#[test]
fn navigation_keys() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    assert_eq!(selected_id(&m), "C1");
    update(&mut m, Action::Bottom);
    assert_eq!(selected_id(&m), "C6");
    update(&mut m, Action::Top);
    assert_eq!(selected_id(&m), "C1");
    update(&mut m, Action::PageDown);
    assert_eq!(selected_id(&m), "C6", "a page is longer than the fixture");
    update(&mut m, Action::MoveUp);
    assert_eq!(selected_id(&m), "C5");
    select(&mut m, "C2");
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::MarkAnyway);
    select(&mut m, "C1");
    update(&mut m, Action::NextNotRun);
    assert_eq!(selected_id(&m), "C3", "C2 is done");
    update(&mut m, Action::PrevNotRun);
    assert_eq!(selected_id(&m), "C1");
    update(&mut m, Action::PrevNotRun);
    assert_eq!(selected_id(&m), "C6", "wraps around");
    update(&mut m, Action::SwitchPane);
    assert_eq!(m.focus, Pane::Detail);
    update(&mut m, Action::Back);
    assert_eq!(m.focus, Pane::List);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    update(
        &mut m,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    // Rows: header(2) + list border(1); row 0 is the first section heading, row 1 is C1...
    let c4_row = m.rows.iter().position(|r| *r == Row::Case(3)).unwrap() as u16;
    update(
        &mut m,
        Action::Click {
            column: 5,
            row: 3 + c4_row,
        },
    );
    assert_eq!(selected_id(&m), "C4");
    update(
        &mut m,
        Action::Scroll {
            column: 5,
            row: 5,
            down: false,
        },
    );
    assert_eq!(selected_id(&m), "C1");
    update(
        &mut m,
        Action::Click {
            column: 100,
            row: 10,
        },
    );
    assert_eq!(m.focus, Pane::Detail);
}

#[test]
fn help_opens_and_returns_to_the_mode_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = open(&plan);
    update(&mut m, Action::Help);
    assert_eq!(m.mode(), Mode::Help);
    update(&mut m, Action::Close);
    assert_eq!(m.mode(), Mode::Capabilities);
    update(&mut m, Action::ConfirmCapabilities);
    update(&mut m, Action::Summary);
    assert_eq!(m.mode(), Mode::Summary);
    update(&mut m, Action::Close);
    assert_eq!(m.mode(), Mode::Normal);
    update(&mut m, Action::Capabilities);
    assert_eq!(m.mode(), Mode::Capabilities);
}

#[test]
fn a_failed_save_keeps_the_change_and_retries() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    let session_path = default_session_path(&plan);
    // A directory where the session file should be makes every save fail, even as root.
    std::fs::remove_file(&session_path).unwrap();
    std::fs::create_dir(&session_path).unwrap();
    std::fs::write(session_path.join("blocker"), "x").unwrap();
    select(&mut m, "C1");
    update(&mut m, Action::MarkPass);
    assert!(m.save_error.is_some());
    let message = m.message.clone().unwrap();
    assert!(
        message.error && message.text.contains("Not saved"),
        "{message:?}"
    );
    assert_eq!(m.outcome_of(0), Outcome::Pass, "the change is kept");

    std::fs::remove_dir_all(&session_path).unwrap();
    update(&mut m, Action::MarkPass);
    assert!(m.save_error.is_none());
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::Pass);
}

#[test]
fn keys_resolve_per_mode_and_text_fields_take_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    let press = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    assert_eq!(action_for(&m, &press('p')), Some(Action::MarkPass));
    assert_eq!(action_for(&m, &press('Z')), None);
    let mut release = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert_eq!(action_for(&m, &Event::Key(release)), None);
    update(&mut m, Action::Search);
    assert!(matches!(
        action_for(&m, &press('p')),
        Some(Action::TypeKey(_))
    ));
}

#[test]
fn a_config_file_rebinds_keys_and_help_follows() {
    let (keymap, settings, _) =
        parse_config("[keys.normal]\n\"ctrl-p\" = \"mark-pass\"\np = \"none\"\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let ws = Workspace::open(&plan, &OpenOptions::default()).unwrap();
    let mut m = scimplan::tui::open(ws, keymap, settings);
    update(&mut m, Action::ConfirmCapabilities);
    // No names given: the first run asks who is testing; Esc skips it.
    assert_eq!(m.mode(), Mode::Identity);
    update(&mut m, Action::Cancel);
    let ctrl_p = Event::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
    assert_eq!(action_for(&m, &ctrl_p), Some(Action::MarkPass));
    let rows = m.keymap.grouped(Mode::Normal);
    let pass = rows.iter().find(|(_, a)| **a == Action::MarkPass).unwrap();
    assert_eq!(pass.0, "Ctrl-p");
    assert_eq!(
        m.keymap.resolve(Mode::Normal, Key::parse("p").unwrap()),
        None
    );
}

#[test]
fn time_on_a_case_is_recorded_with_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    select(&mut m, "C1");
    // As if C1 had been open for a minute and a half.
    let since = std::time::Instant::now() - std::time::Duration::from_secs(90);
    m.opened = Some((0, since));
    update(&mut m, Action::MarkPass);
    let spent = on_disk(&plan).result("C1").unwrap().time_spent_secs;
    assert!((90..100).contains(&spent), "{spent}");
    // The clock now runs for the next case, not C1.
    assert_eq!(m.opened.map(|(case, _)| case), Some(1));
}

/// A checklist whose session file cannot be written: a directory stands where it goes.
fn unsavable(dir: &Path) -> (PathBuf, Model) {
    let plan = fixture(dir);
    let m = ready(&plan);
    let session_path = default_session_path(&plan);
    std::fs::remove_file(&session_path).unwrap();
    std::fs::create_dir(&session_path).unwrap();
    std::fs::write(session_path.join("blocker"), "x").unwrap();
    (plan, m)
}

fn drawn(m: &mut Model, width: u16, height: u16) -> String {
    update(m, Action::Resize { width, height });
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| scimplan::tui::view::render(m, frame))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn unsaved_marks_stay_on_screen_whole_and_q_asks_before_losing_them() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, mut m) = unsavable(dir.path());
    for id in ["C1", "C2", "C3"] {
        select(&mut m, id);
        update(&mut m, Action::MarkPass);
    }
    // The whole reason shows, not a line cut at the terminal's edge.
    let screen = drawn(&mut m, 80, 24);
    let flat: String = screen
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("Not saved"), "{screen}");
    assert!(flat.contains("kept in memory only"), "{screen}");
    assert!(flat.contains("q asks what to do with them"), "{screen}");

    // q does not quit: it asks.
    update(&mut m, Action::Quit);
    assert!(!m.quit);
    assert_eq!(m.mode(), Mode::Unsaved);
    let screen = drawn(&mut m, 80, 24);
    assert!(screen.contains("3 change(s)"), "{screen}");
    // Retrying while the cause is still there keeps asking; Esc goes back to the checklist.
    update(&mut m, Action::RetrySave);
    assert_eq!(m.mode(), Mode::Unsaved);
    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Normal);

    // Saved elsewhere: everything is there, and q then quits.
    update(&mut m, Action::Quit);
    update(&mut m, Action::SaveElsewhere);
    assert_eq!(m.mode(), Mode::Prompt);
    let elsewhere = dir.path().join("elsewhere.scimplan.json");
    update(&mut m, Action::Paste(elsewhere.display().to_string()));
    update(&mut m, Action::Submit);
    assert!(m.quit, "nothing is left unsaved: {:?}", m.message);
    assert_eq!(m.lost_changes, 0);
    let saved: scimplan::session::Session =
        serde_json::from_slice(&std::fs::read(&elsewhere).unwrap()).unwrap();
    for id in ["C1", "C2", "C3"] {
        assert_eq!(saved.outcome(id), Outcome::Pass, "{id}");
    }
    assert!(
        default_session_path(&plan).is_dir(),
        "nothing was written over the directory"
    );
}

#[test]
fn quitting_and_losing_unsaved_changes_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (_plan, mut m) = unsavable(dir.path());
    select(&mut m, "C1");
    update(&mut m, Action::MarkFail);
    update(&mut m, Action::Quit);
    assert_eq!(m.mode(), Mode::Unsaved);
    update(&mut m, Action::QuitLosingChanges);
    assert!(m.quit);
    assert_eq!(m.lost_changes, 1);
}

#[test]
fn behind_the_too_small_screen_only_quit_and_resize_count() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture(dir.path());
    let mut m = ready(&plan);
    update(
        &mut m,
        Action::Resize {
            width: 30,
            height: 8,
        },
    );
    let press = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    // p would mark a case nobody can see.
    assert_eq!(action_for(&m, &press('p')), None);
    // With a prompt open, q quits instead of being typed into it.
    update(
        &mut m,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    update(&mut m, Action::MarkSkipped);
    assert_eq!(m.mode(), Mode::Prompt);
    update(
        &mut m,
        Action::Resize {
            width: 30,
            height: 8,
        },
    );
    assert_eq!(action_for(&m, &press('q')), Some(Action::Quit));
    assert_eq!(action_for(&m, &press('x')), None);
    assert_eq!(
        action_for(&m, &Event::Resize(100, 30)),
        Some(Action::Resize {
            width: 100,
            height: 30
        })
    );
    assert_eq!(on_disk(&plan).outcome("C1"), Outcome::NotRun);
}
