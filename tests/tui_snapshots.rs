//! Every screen of the checklist drawn on ratatui's TestBackend at 80x24 and 120x40, compared
//! with insta snapshots; plus checks of styles (bold text, colour, NO_COLOR) on the buffer.

mod common;

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use scimplan::session::Outcome;
use scimplan::tui::overlays::capabilities::Capabilities;
use scimplan::tui::overlays::confirm_suite::ConfirmSuite;
use scimplan::tui::overlays::summary::Summary;
use scimplan::tui::{Action, Keymap, Mode, Model, Settings, update, view};
use scimplan::workspace::{OpenOptions, Workspace};
use unicode_width::UnicodeWidthStr;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn open(plan: &Path) -> Model {
    let options = OpenOptions {
        tester: Some("Ana Tester".into()),
        app_name: Some("Acme SCIM".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(plan, &options).expect("open the plan");
    let settings = Settings {
        okta_files: common::okta_folder_or_fixture(),
        ..Settings::default()
    };
    let mut model = scimplan::tui::open(ws, Keymap::default(), settings);
    model.color = true;
    model
}

/// The connection form with a URL typed, Basic chosen, and the cursor on the username.
fn open_basic_connection_form(m: &mut Model) {
    update(m, Action::ConnectionSettings);
    update(m, Action::Paste("https://app.example.com/scim/v2".into()));
    update(m, Action::NextField);
    let right = crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Right,
        crossterm::event::KeyModifiers::NONE,
    ));
    let choose = scimplan::tui::action_for(m, &right).expect("→ is bound in the form");
    update(m, choose);
    update(m, Action::NextField);
}

fn draw(model: &mut Model, width: u16, height: u16) -> Buffer {
    update(model, Action::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(model, frame)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer as text, with volatile parts (temporary folders) masked.
fn screen(buffer: &Buffer, dir: &Path) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::new();
    let mut skip = 0;
    for (i, cell) in buffer.content.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
        } else {
            let symbol = cell.symbol();
            out.push_str(symbol);
            // A wide character covers the next cell.
            skip = symbol.width().saturating_sub(1);
        }
        if (i + 1) % width == 0 {
            out.push('\n');
        }
    }
    out.replace(&dir.display().to_string(), "[TMP]")
}

fn snap(model: &mut Model, name: &str, dir: &Path) {
    for (width, height) in SIZES {
        let text = screen(&draw(model, width, height), dir);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), text);
    }
}

/// The v2 plan with a few results, past the capabilities screen.
fn worked_plan(dir: &Path) -> Option<Model> {
    let plan = common::real_plan("okta-scim-test-plan-v2.xlsx", dir)?;
    let mut m = open(&plan);
    let Some(draft) = m.top_as_mut::<Capabilities>() else {
        panic!("the capabilities screen opens first");
    };
    draft.cursor = draft.choices.iter().position(|(k, _)| k == "group-push")?;
    update(&mut m, Action::ToggleCapability);
    update(&mut m, Action::ConfirmCapabilities);
    update(&mut m, Action::MarkPass); // C9296
    update(&mut m, Action::MarkFail); // C9297
    update(&mut m, Action::EditNote);
    update(
        &mut m,
        Action::Paste("Group not created: 409 from /Groups. Réessayé ✓".into()),
    );
    update(&mut m, Action::SaveNote);
    update(&mut m, Action::AddEvidence);
    let shot = dir.join("evidence/c9298-setup.png");
    common::write_png(&shot, 320, 200);
    update(&mut m, Action::Paste(shot.display().to_string()));
    update(&mut m, Action::Submit);
    update(&mut m, Action::ToggleStep);
    Some(m)
}

#[test]
fn capabilities_screen() {
    let dir = tempfile::tempdir().unwrap();
    let Some(plan) = common::real_plan("okta-scim-test-plan-v2.xlsx", dir.path()) else {
        return;
    };
    let mut m = open(&plan);
    update(&mut m, Action::MoveDown);
    update(&mut m, Action::ToggleCapability);
    snap(&mut m, "capabilities", dir.path());
}

#[test]
fn main_screen() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut m) = worked_plan(dir.path()) else {
        return;
    };
    snap(&mut m, "main", dir.path());
    update(&mut m, Action::SwitchPane);
    snap(&mut m, "main_detail_focused", dir.path());
}

#[test]
fn overlays() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut m) = worked_plan(dir.path()) else {
        return;
    };
    update(&mut m, Action::EditNote);
    update(&mut m, Action::Paste("Second thoughts — naïve".into()));
    snap(&mut m, "note_editor", dir.path());
    update(&mut m, Action::SaveNote);

    update(&mut m, Action::MarkSkipped);
    update(&mut m, Action::Paste("Not in scope".into()));
    snap(&mut m, "skip_prompt", dir.path());
    update(&mut m, Action::Cancel);

    // C9298 refers to nothing, C9339 refers to C9298 (Not run).
    let c9339 = m.ws.plan.case_index("C9339").unwrap();
    m.select_case(c9339);
    update(&mut m, Action::MarkPass);
    snap(&mut m, "preconditions_not_met", dir.path());
    update(&mut m, Action::Cancel);

    update(&mut m, Action::Help);
    snap(&mut m, "help", dir.path());
    update(&mut m, Action::Close);

    update(&mut m, Action::Summary);
    snap(&mut m, "summary", dir.path());
    update(&mut m, Action::Close);

    open_basic_connection_form(&mut m);
    update(&mut m, Action::Paste("okta-provisioner".into()));
    snap(&mut m, "connection_form", dir.path());
    update(&mut m, Action::Submit);

    update(&mut m, Action::Summary);
    update(&mut m, Action::RunSpec);
    // The offered user's name is random; a fixed one keeps the snapshot stable.
    m.top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::spec_mut)
        .expect("asked first")
        .values
        .insert(
            "randomUsername".into(),
            "Runscope123Abcdefgh123@atko.com".into(),
        );
    snap(&mut m, "confirm_spec", dir.path());
    update(&mut m, Action::Cancel);
    update(&mut m, Action::Close);

    update(&mut m, Action::Search);
    for c in "deactivate".chars() {
        update(
            &mut m,
            Action::TypeKey(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            )),
        );
    }
    snap(&mut m, "search", dir.path());
}

#[test]
fn small_terminals_get_a_compact_layout_or_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut m) = worked_plan(dir.path()) else {
        return;
    };
    let compact = screen(&draw(&mut m, 60, 16), dir.path());
    insta::assert_snapshot!("compact_list_60x16", compact);
    update(&mut m, Action::OpenDetail);
    let detail = screen(&draw(&mut m, 60, 16), dir.path());
    insta::assert_snapshot!("compact_detail_60x16", detail);
    let tiny = screen(&draw(&mut m, 30, 6), dir.path());
    assert!(tiny.contains("needs at least 40x10"), "{tiny}");
    // Degenerate sizes draw without panicking.
    for (w, h) in [(0, 0), (1, 1), (40, 10), (79, 23)] {
        draw(&mut m, w, h);
    }
    // So do the pop-ups: the connection form (with every field) and the SPEC question.
    update(&mut m, Action::Back);
    open_basic_connection_form(&mut m);
    for (w, h) in [(40, 10), (41, 11), (60, 16), (79, 23)] {
        draw(&mut m, w, h);
    }
    let form = screen(&draw(&mut m, 60, 16), dir.path());
    insta::assert_snapshot!("compact_connection_form_60x16", form);
    update(&mut m, Action::Paste("okta".into()));
    update(&mut m, Action::Submit);
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunSpec);
    assert_eq!(m.mode(), Mode::ConfirmSuite);
    for (w, h) in [(40, 10), (41, 11), (60, 16), (79, 23)] {
        draw(&mut m, w, h);
    }
}

fn find(buffer: &Buffer, text: &str) -> Option<(u16, u16)> {
    let width = buffer.area.width;
    for y in 0..buffer.area.height {
        let line: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        if let Some(byte) = line.find(text) {
            return Some((line[..byte].chars().count() as u16, y));
        }
    }
    None
}

#[test]
fn bold_markers_render_bold_and_outcomes_have_glyph_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(
        &plan,
        vec![common::case_row(
            "C1",
            "Setup",
            "Create Users",
            "",
            "1. From the **People** page, click **Add Person**.",
            "Done",
        )],
    );
    let mut m = open(&plan);
    update(&mut m, Action::ConfirmCapabilities);
    update(&mut m, Action::MarkPass);
    let buffer = draw(&mut m, 120, 40);
    let (x, y) = find(&buffer, "People page").expect("the step is shown");
    assert!(buffer[(x, y)].modifier.contains(Modifier::BOLD));
    assert!(
        !buffer[(x + 7, y)].modifier.contains(Modifier::BOLD),
        "'page' is plain"
    );
    let (x, y) = find(&buffer, "✓ C1").expect("the case row shows the glyph");
    assert_eq!(buffer[(x, y)].fg, Color::Green);
    assert_eq!(m.outcome_of(0), Outcome::Pass);
    // The selected row is highlighted across the pane, past the end of its text.
    assert!(buffer[(x + 20, y)].modifier.contains(Modifier::REVERSED));
    let below = find(&buffer, "▾ Create Users").map(|(_, y)| y).unwrap();
    assert!(
        below < y
            && !buffer[(x + 20, below)]
                .modifier
                .contains(Modifier::REVERSED)
    );

    // NO_COLOR: the same screen without a single colour, glyphs intact.
    m.color = false;
    let buffer = draw(&mut m, 120, 40);
    assert!(find(&buffer, "✓ C1").is_some());
    assert!(
        buffer
            .content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "no colour with NO_COLOR"
    );
}

#[test]
fn only_visible_rows_are_drawn_for_a_large_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("large.xlsx");
    common::write_plan(&plan, common::large_plan_rows(2_000));
    let mut m = open(&plan);
    update(&mut m, Action::ConfirmCapabilities);
    update(&mut m, Action::Bottom);
    let buffer = draw(&mut m, 120, 40);
    assert!(
        find(&buffer, "C101999").is_some(),
        "the last case is on screen"
    );
    assert!(find(&buffer, "C100000 Generated case 0").is_none());
    update(&mut m, Action::Top);
    let buffer = draw(&mut m, 120, 40);
    assert!(find(&buffer, "C100000 Generated case 0").is_some());
}

fn two_case_plan(dir: &Path) -> std::path::PathBuf {
    let plan = dir.join("plan.xlsx");
    common::write_plan(
        &plan,
        vec![
            common::case_row(
                "C1",
                "Create a user",
                "Create Users",
                "",
                "1. Assign",
                "Created",
            ),
            common::case_row(
                "C2",
                "Rename a user",
                "Update Users",
                "",
                "1. Rename",
                "Renamed",
            ),
        ],
    );
    plan
}

/// The buffer's rows as text.
fn rows(buffer: &Buffer) -> Vec<String> {
    screen(buffer, Path::new("/nowhere"))
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_long_name_leaves_room_for_the_others_in_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let plan = two_case_plan(dir.path());
    let options = OpenOptions {
        tester: Some("T".repeat(150)),
        app_name: Some("Acme SCIM".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(&plan, &options).unwrap();
    let mut m = scimplan::tui::open(ws, Keymap::default(), Settings::default());
    update(&mut m, Action::ConfirmCapabilities);
    for (width, height) in SIZES {
        let header = rows(&draw(&mut m, width, height))[0].clone();
        for part in ["scimplan", "plan.xlsx", "App: Acme SCIM", "Tester: TTTT"] {
            assert!(header.contains(part), "{width}: {part} in '{header}'");
        }
        assert!(
            header.contains('…'),
            "the long name is shortened: '{header}'"
        );
        update(&mut m, Action::Summary);
        let title = rows(&draw(&mut m, width, height))[0].clone();
        assert!(
            title.contains("App: Acme SCIM") && title.contains("Tester: TTTT"),
            "{width}: '{title}'"
        );
        update(&mut m, Action::Close);
    }
}

#[test]
fn the_summary_screen_wraps_messages_and_words_the_verdict_as_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let plan = two_case_plan(dir.path());
    let mut m = open(&plan);
    update(&mut m, Action::ConfirmCapabilities);
    update(&mut m, Action::MarkFail);
    update(&mut m, Action::Summary);
    let text = scimplan::report::render(
        &m.find::<Summary>().unwrap().readiness,
        scimplan::report::SummaryFormat::Text,
    );
    let cli_verdict = text
        .lines()
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    assert_eq!(
        cli_verdict,
        "NOT READY: 2 blocking cases and 2 missing API suite results"
    );
    let screen = rows(&draw(&mut m, 80, 24)).join("\n");
    assert!(
        screen.contains(&format!("Verdict: {cli_verdict}")),
        "{screen}"
    );
    // An error longer than the screen is wide: its end (what to do) is shown.
    let what_to_do = "record the link with l, then try again";
    m.error(format!(
        "cannot reach https://app.example.com/scim/v2/Users: connection refused after 3 attempts; {what_to_do}"
    ));
    let screen = rows(&draw(&mut m, 60, 20));
    let inside: Vec<&str> = screen
        .iter()
        .map(|r| r.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect();
    let squeezed: String = inside
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let screen = screen.join("\n");
    assert!(
        squeezed.contains("connection refused") && squeezed.contains(what_to_do),
        "{screen}"
    );
}

#[test]
fn summary_when_ready() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(
        &plan,
        vec![
            common::case_row(
                "C1",
                "Create a user",
                "Create Users",
                "",
                "1. Assign",
                "Created",
            ),
            common::case_row(
                "C2",
                "Rename a user",
                "Update Users",
                "",
                "1. Rename",
                "Renamed",
            ),
        ],
    );
    let mut m = open(&plan);
    update(&mut m, Action::ConfirmCapabilities);
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::Summary);
    update(&mut m, Action::SpecLink);
    update(
        &mut m,
        Action::Paste("https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d".into()),
    );
    update(&mut m, Action::Submit);
    update(&mut m, Action::CrudLink);
    update(
        &mut m,
        Action::Paste("https://www.runscope.com/radar/ab12cd34ef56/6e1c3a5f-2d3b-4e4c-8f90-1b2c3d4e5f60/history/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9".into()),
    );
    update(&mut m, Action::Submit);
    assert!(m.find::<Summary>().is_some_and(|s| s.readiness.ready));
    snap(&mut m, "summary_ready", dir.path());
}

#[test]
fn the_detail_follows_the_step_cursor_and_stops_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let Some(plan) = common::real_plan("okta-scim-test-plan-v2.xlsx", dir.path()) else {
        return;
    };
    let mut m = open(&plan);
    update(&mut m, Action::ConfirmCapabilities);
    // C9290 has preconditions and nine steps: at 80x24 most steps are below the fold.
    let c9290 = m.ws.plan.case_index("C9290").unwrap();
    m.select_case(c9290);
    let steps = m.ws.plan.cases[c9290].steps.len();
    assert!(steps >= 8, "{steps}");
    draw(&mut m, 80, 24);
    update(&mut m, Action::SwitchPane);
    let cursor_row = |buffer: &Buffer| {
        (0..buffer.area.height)
            .find(|&y| (0..buffer.area.width).any(|x| buffer[(x, y)].symbol() == "›"))
    };
    for step in 1..steps {
        update(&mut m, Action::MoveDown);
        let buffer = draw(&mut m, 80, 24);
        assert!(
            cursor_row(&buffer).is_some(),
            "step {} is off screen:\n{}",
            step + 1,
            screen(&buffer, dir.path())
        );
    }
    // Paging down stops at the end, so one page up moves at once.
    for _ in 0..20 {
        update(&mut m, Action::PageDown);
        draw(&mut m, 80, 24);
    }
    let bottom = view::detail_view(&m);
    assert_eq!(bottom.scroll, bottom.max_scroll);
    assert!(bottom.max_scroll > 0);
    update(&mut m, Action::PageUp);
    draw(&mut m, 80, 24);
    assert!(view::detail_view(&m).scroll < bottom.scroll);
    // Back at the top the cursor (on the last step) is out of view; moving it brings it back.
    for _ in 0..20 {
        update(&mut m, Action::PageUp);
    }
    assert!(cursor_row(&draw(&mut m, 80, 24)).is_none());
    update(&mut m, Action::MoveUp);
    let buffer = draw(&mut m, 80, 24);
    assert!(
        cursor_row(&buffer).is_some(),
        "{}",
        screen(&buffer, dir.path())
    );
}

/// A plan no Okta workbook would hold: right-to-left and bidi controls, emoji with joiners,
/// combining marks, control characters (a bell, an escape that would colour a terminal), a
/// formula, a title of 32,000 characters, wide characters by the hundred.
#[test]
fn hostile_plan_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.xlsx");
    common::write_plan(
        &path,
        vec![
            common::case_row(
                "C1",
                "\u{202E}reversed title\u{202C} مرحبا بالعالم",
                "Pre-conditions \u{7} bell",
                "",
                "1. tab\there\r\n2. 🚀👩‍💻🏳️‍🌈 e\u{301}\u{301}\u{301}\n3. \u{1b}[31mred\u{1b}[0m",
                "=HYPERLINK(\"http://evil.test\",\"click\")",
            ),
            common::case_row(
                "C2",
                &"W".repeat(32_000),
                "Create Users",
                "[C1] zero\u{200B}width",
                &"日本語".repeat(500),
                "\u{8}\u{8}backspaces",
            ),
            common::case_row("C3", "שלום", "Create Users", "", "1. ok", "ok"),
        ],
    );
    let mut m = open(&path);
    update(&mut m, Action::ConfirmCapabilities);
    let text = screen(&draw(&mut m, 80, 24), dir.path());
    // Nothing that a terminal would act on reaches the screen.
    for control in ['\u{1b}', '\u{7}', '\u{8}', '\r', '\u{202E}'] {
        assert!(!text.contains(control), "{control:?} on screen:\n{text}");
    }
    insta::assert_snapshot!("hostile_plan_80x24", text);
    update(&mut m, Action::MoveDown);
    let text = screen(&draw(&mut m, 80, 24), dir.path());
    for control in ['\u{1b}', '\u{7}', '\u{8}', '\r', '\u{202E}'] {
        assert!(!text.contains(control), "{control:?} on screen:\n{text}");
    }
    insta::assert_snapshot!("hostile_plan_second_case_80x24", text);
}
