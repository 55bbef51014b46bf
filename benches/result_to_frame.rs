//! How long a finished background check waits before the checklist draws it: from the moment
//! the app answers to the frame that shows the result. Two event loops over the same model:
//! - `tick`: the loop scimplan had before, which took background results only on its 250 ms
//!   tick (replayed here: sleep to the next tick, `Action::Tick`, draw);
//! - `channel`: today's loop, where results arrive on the same channel as key presses and are
//!   drawn at once.
//!
//! Run: `cargo bench --bench result_to_frame`. Prints the delay's median, mean and worst.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/fake_app.rs"]
mod fake_app;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scimplan::net::Secret;
use scimplan::session::AuthScheme;
use scimplan::tui::inbox::AppEvent;
use scimplan::tui::{Action, Keymap, Model, Settings, update, view};
use scimplan::verify::Connection;
use scimplan::workspace::{OpenOptions, Workspace};

const TICK: Duration = Duration::from_millis(250);

fn model(plan: &std::path::Path, url: &str) -> Model {
    // A tester named up front: the checklist does not ask who is testing.
    let named = OpenOptions {
        tester: Some("Bench".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(plan, &named).unwrap();
    let mut m = scimplan::tui::open(ws, Keymap::default(), Settings::default());
    m.secrets_from_env = false;
    update(&mut m, Action::ConfirmCapabilities);
    m.ws.apply(scimplan::session::Command::Connection(Some(
        Connection::new(url, AuthScheme::Bearer, None).unwrap(),
    )));
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    m.secret = Some(Secret::new("result-to-frame-token"));
    let c9290 = m.ws.plan.case_index("C9290").unwrap();
    m.select_case(c9290);
    m
}

fn shown(m: &Model) -> bool {
    m.running().is_none() && !m.ws.session().verify().runs.is_empty()
}

/// One check, drawn by the given loop; the delay from the app's answer to the frame.
fn measure(
    plan: &std::path::Path,
    url: &str,
    answered: &Mutex<Option<Instant>>,
    tick: bool,
    phase: Duration,
) -> Duration {
    let mut m = model(plan, url);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    *answered.lock().unwrap() = None;
    update(&mut m, Action::VerifyCase);
    let started = Instant::now();
    let mut next_tick = started + phase;
    loop {
        if tick {
            std::thread::sleep(next_tick.saturating_duration_since(Instant::now()));
            next_tick += TICK;
            update(&mut m, Action::Tick);
        } else if let Some(AppEvent::Action(action)) = m.inbox.recv_timeout(TICK) {
            update(&mut m, *action);
        }
        if shown(&m) {
            terminal.draw(|frame| view::render(&m, frame)).unwrap();
            let at = answered.lock().unwrap().expect("the app answered");
            return at.elapsed();
        }
        terminal.draw(|frame| view::render(&m, frame)).unwrap();
    }
}

fn report(name: &str, mut delays: Vec<Duration>) {
    delays.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = delays.iter().map(|d| ms(*d)).sum::<f64>() / delays.len() as f64;
    println!(
        "{name:>8}: median {:.1} ms, mean {mean:.1} ms, worst {:.1} ms over {} checks",
        ms(delays[delays.len() / 2]),
        ms(*delays.last().unwrap()),
        delays.len()
    );
}

fn main() {
    // `cargo bench` passes --bench; under `cargo test` two checks per loop show it still works.
    let runs = if std::env::args().any(|a| a == "--bench") {
        30
    } else {
        2
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let answered = Arc::new(Mutex::new(None));
    let seen = answered.clone();
    // A refused token: the check ends with the first answer, so its result is ready at once.
    let app = fake_app::fake_app(move |_, _| {
        *seen.lock().unwrap() = Some(Instant::now());
        fake_app::reply(401, r#"{"detail":"no"}"#)
    });
    for (name, tick) in [("tick", true), ("channel", false)] {
        let delays = (0..runs)
            .map(|i| {
                // The tick's phase against the check's start is whatever it happens to be.
                let phase = TICK * (i as u32) / runs as u32;
                let _ = std::fs::remove_file(dir.path().join("plan.scimplan.json"));
                measure(&plan, &app.url, &answered, tick, phase)
            })
            .collect();
        report(name, delays);
    }
}
