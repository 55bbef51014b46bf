//! Helpers for tests that drive the checklist's `update` directly: a model on a plan, the
//! session as written to disk, selecting a case.
#![allow(dead_code)]

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scimplan::session::{Session, default_session_path};
use scimplan::tui::{Action, Keymap, Mode, Model, Settings, update, view};
use scimplan::workspace::{OpenOptions, Workspace};

/// A model on `plan` with tester Ana, still on the first capabilities screen. It never reads
/// secrets from the environment, so a token set where the tests run changes nothing. Okta's
/// test files are read from where they lie (`SCIMPLAN_OKTA_FILES`), or are the tests' own
/// fixtures under Okta's names when absent; never downloaded.
pub fn open_with(plan: &Path, mut settings: Settings) -> Model {
    settings.okta_files = crate::common::okta_folder_or_fixture();
    let options = OpenOptions {
        tester: Some("Ana".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(plan, &options).expect("open the plan");
    let mut model = scimplan::tui::open(ws, Keymap::default(), settings);
    model.secrets_from_env = false;
    model
}

/// A model past the capabilities screen (all supported).
pub fn ready(plan: &Path) -> Model {
    let mut m = open_with(plan, Settings::default());
    assert_eq!(m.mode(), Mode::Capabilities);
    update(&mut m, Action::ConfirmCapabilities);
    assert_eq!(m.mode(), Mode::Normal);
    m
}

/// The session file as written, not as the model holds it.
pub fn on_disk(plan: &Path) -> Session {
    let bytes = std::fs::read(default_session_path(plan)).expect("session file written");
    serde_json::from_slice(&bytes).expect("session parses")
}

pub fn select(m: &mut Model, id: &str) {
    let index = m.ws.plan.case_index(id).expect("case exists");
    m.select_case(index);
}

/// The message line's text.
pub fn message(m: &Model) -> String {
    m.message
        .as_ref()
        .map(|x| x.text.clone())
        .unwrap_or_default()
}

/// The screen as text, at 120x40.
pub fn screen(m: &mut Model) -> String {
    update(
        m,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|frame| view::render(m, frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for (i, cell) in buffer.content.iter().enumerate() {
        text.push_str(cell.symbol());
        if (i + 1) % 120 == 0 {
            text.push('\n');
        }
    }
    text
}

/// Ticks the event loop until the background job ends (its own deadline bounds how long that
/// takes).
pub fn wait_for_job(m: &mut Model) {
    for _ in 0..3000 {
        update(m, Action::Tick);
        if m.running().is_none() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the background job never finished");
}

/// Ticks the event loop until no background job is pending (an export, an Okta read, a check).
pub fn wait_for_jobs(m: &mut Model) {
    for _ in 0..3000 {
        update(m, Action::Tick);
        if m.jobs.iter().next().is_none() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("a background job never finished");
}
