//! Frame time of the main screen drawn into ratatui's TestBackend: Okta's v2 plan (or a 61-case
//! fixture when the real workbook is absent) and a 10,000-case plan. Scrolling is measured as a
//! move of the cursor plus a frame, which is what holding `j` costs.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scimplan::tui::{Action, Keymap, Model, Settings, update, view};
use scimplan::workspace::{OpenOptions, Workspace};

fn model_for(plan: &Path) -> Model {
    // A tester named up front: the checklist does not ask who is testing.
    let named = OpenOptions {
        tester: Some("Bench".into()),
        ..OpenOptions::default()
    };
    let ws = Workspace::open(plan, &named).expect("open the plan");
    let mut model = scimplan::tui::open(ws, Keymap::default(), Settings::default());
    update(&mut model, Action::ConfirmCapabilities);
    update(
        &mut model,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    model
}

fn bench_plan(c: &mut Criterion, name: &str, plan: &Path) {
    let mut model = model_for(plan);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function(&format!("{name}/frame"), |b| {
        b.iter(|| {
            terminal
                .draw(|frame| view::render(black_box(&model), frame))
                .unwrap();
        })
    });
    // Half-way down, then scroll one case per frame, bouncing at the ends.
    update(&mut model, Action::Bottom);
    let mut down = false;
    c.bench_function(&format!("{name}/scroll-one-case-and-frame"), |b| {
        b.iter(|| {
            let before = model.selected;
            update(
                &mut model,
                if down {
                    Action::MoveDown
                } else {
                    Action::MoveUp
                },
            );
            if model.selected == before {
                down = !down;
            }
            terminal
                .draw(|frame| view::render(black_box(&model), frame))
                .unwrap();
        })
    });
}

fn render(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let small = common::real_plan("okta-scim-test-plan-v2.xlsx", dir.path()).unwrap_or_else(|| {
        let path = dir.path().join("fixture-61.xlsx");
        common::write_plan(&path, common::large_plan_rows(61));
        path
    });
    bench_plan(c, "v2-plan", &small);

    let large = dir.path().join("fixture-10000.xlsx");
    common::write_plan(&large, common::large_plan_rows(10_000));
    bench_plan(c, "10000-cases", &large);
}

criterion_group!(benches, render);
criterion_main!(benches);
