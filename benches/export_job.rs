//! The checklist while the completed workbook is written with large pictures (E): how long the
//! UI thread is held by the key itself, the longest wait between two frames while the export
//! job runs, and when its result arrives; beside it, how long the same export takes when it is
//! written in place, which is what E held the UI thread for before the export was a job.
//!
//! Run: `cargo bench --bench export_job`. Prints the median of each over the runs.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scimplan::tui::job::JobKind;
use scimplan::tui::{Action, Keymap, Model, Settings, update, view};
use scimplan::workspace::{OpenOptions, Workspace};

/// About 60 frames a second, as a terminal redraws while keys come.
const FRAME: Duration = Duration::from_millis(16);

fn model(plan: &std::path::Path, shots: &[std::path::PathBuf]) -> Model {
    let named = OpenOptions {
        tester: Some("Bench".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(plan, &named).unwrap();
    let mut m = scimplan::tui::open(ws, Keymap::default(), Settings::default());
    update(&mut m, Action::ConfirmCapabilities);
    let c9290 = m.ws.plan.case_index("C9290").unwrap();
    m.select_case(c9290);
    for shot in shots {
        update(&mut m, Action::AddEvidence);
        update(&mut m, Action::Paste(shot.display().to_string()));
        update(&mut m, Action::Submit);
    }
    m
}

struct Run {
    key: Duration,
    worst_frame_gap: Duration,
    result: Duration,
    in_place: Duration,
}

fn measure(plan: &std::path::Path, shots: &[std::path::PathBuf]) -> Run {
    let mut m = model(plan, shots);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let pressed = Instant::now();
    update(&mut m, Action::Export);
    let key = pressed.elapsed();
    assert!(m.jobs.is_pending(JobKind::Export));
    let mut last_frame = Instant::now();
    let mut worst_frame_gap = Duration::ZERO;
    while m.jobs.is_pending(JobKind::Export) {
        terminal.draw(|frame| view::render(&m, frame)).unwrap();
        worst_frame_gap = worst_frame_gap.max(last_frame.elapsed());
        last_frame = Instant::now();
        std::thread::sleep(FRAME);
        update(&mut m, Action::Tick);
    }
    let result = pressed.elapsed();
    let text = m
        .message
        .as_ref()
        .map(|x| x.text.clone())
        .unwrap_or_default();
    assert!(text.starts_with("Completed workbook written"), "{text}");
    let started = Instant::now();
    scimplan::report::export_workspace(&m.ws, None).unwrap();
    Run {
        key,
        worst_frame_gap,
        result,
        in_place: started.elapsed(),
    }
}

fn main() {
    // `cargo bench` passes --bench; under `cargo test` one run shows it still works.
    let runs = if std::env::args().any(|a| a == "--bench") {
        5
    } else {
        1
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let shots: Vec<_> = [(4000, 3000), (3600, 2700), (3200, 2400)]
        .iter()
        .enumerate()
        .map(|(i, (w, h))| {
            let shot = dir.path().join(format!("shots/console-{i}.png"));
            common::write_grainy_png(&shot, *w, *h);
            shot
        })
        .collect();
    let mut all: Vec<Run> = (0..runs)
        .map(|_| {
            let _ = std::fs::remove_file(dir.path().join("plan.scimplan.json"));
            measure(&plan, &shots)
        })
        .collect();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = |all: &mut Vec<Run>, f: fn(&Run) -> Duration| {
        let mut v: Vec<Duration> = all.iter().map(f).collect();
        v.sort();
        ms(v[v.len() / 2])
    };
    println!(
        "export of 3 large pictures, median of {runs}: E holds the UI thread {:.1} ms; longest gap between frames while it is written {:.1} ms; result after {:.0} ms; the same export in place {:.0} ms",
        median(&mut all, |r| r.key),
        median(&mut all, |r| r.worst_frame_gap),
        median(&mut all, |r| r.result),
        median(&mut all, |r| r.in_place),
    );
}
