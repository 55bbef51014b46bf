//! Loading plans and saving sessions: the work behind every keystroke and every command.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use scimplan::plan::profile::Requirements;
use scimplan::plan::{Profile, load_plan, load_plan_bytes};
use scimplan::session::{Command, Outcome, Scope, SessionStore, Writer};

fn real_v2() -> Option<PathBuf> {
    let dir = std::env::var_os("SCIMPLAN_REAL_PLANS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/plans"));
    Some(dir.join("okta-scim-test-plan-v2.xlsx")).filter(|p| p.is_file())
}

fn generated_plan(cases: usize) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in scimplan::plan::OKTA_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..cases {
        let r = i as u32 + 1;
        sheet
            .write_string(r, 0, format!("C{}", 100_000 + i))
            .unwrap();
        sheet
            .write_string(r, 1, format!("Generated case {i}"))
            .unwrap();
        sheet
            .write_string(
                r,
                2,
                ["Create Users", "Update Users", "Using Group Push"][i % 3],
            )
            .unwrap();
        sheet
            .write_string(r, 3, "1. SCIM app is added [C100000]")
            .unwrap();
        sheet
            .write_string(
                r,
                4,
                "1. Sign in to Okta as Admin\n2. Open the **app**\n3. Check",
            )
            .unwrap();
        sheet
            .write_string(r, 5, "The user is **provisioned**")
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn load(c: &mut Criterion) {
    if let Some(v2) = real_v2() {
        c.bench_function("load okta v2 plan (61 cases)", |b| {
            b.iter(|| load_plan(&v2).unwrap())
        });
    }
    let big = generated_plan(10_000);
    c.bench_function("load 10,000-case plan", |b| {
        b.iter(|| load_plan_bytes(Path::new("big.xlsx"), big.clone()).unwrap())
    });
}

fn save(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for cases in [61usize, 10_000] {
        let plan = load_plan_bytes(Path::new("p.xlsx"), generated_plan(cases)).unwrap();
        let reqs = Requirements::new(&Profile::builtin(), &plan);
        let path = dir.path().join(format!("s{cases}.json"));
        let at = Scope {
            plan: &plan,
            reqs: &reqs,
        };
        let (mut store, _) = SessionStore::open(&path, at, Writer::Checklist).unwrap();
        // A session where every case has a result and a note: the heaviest realistic file.
        for case in &plan.cases {
            store.apply(marked(&case.id, Outcome::Pass), at);
        }
        let first = plan.cases[0].id.clone();
        let mut flip = false;
        c.bench_function(&format!("mark + atomic save, {cases} results"), |b| {
            b.iter(|| {
                flip = !flip;
                let outcome = if flip { Outcome::Fail } else { Outcome::Pass };
                store.apply(mark(&first, outcome), at);
                store.save(at).unwrap();
            })
        });
    }
}

/// A person's mark of `case`.
fn mark(case: &str, outcome: Outcome) -> Command {
    Command::Mark {
        case: case.into(),
        outcome,
        reason: None,
        note: None,
    }
}

/// A mark with the note every case has in these sessions.
fn marked(case: &str, outcome: Outcome) -> Command {
    Command::Mark {
        case: case.into(),
        outcome,
        reason: None,
        note: Some("Checked in the app; user active.".into()),
    }
}

/// A save that finds another writer's change on disk: lock, read, apply ours again, write.
fn save_after_another_writer(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for cases in [61usize, 10_000] {
        let plan = load_plan_bytes(Path::new("p.xlsx"), generated_plan(cases)).unwrap();
        let reqs = Requirements::new(&Profile::builtin(), &plan);
        let path = dir.path().join(format!("m{cases}.json"));
        let at = Scope {
            plan: &plan,
            reqs: &reqs,
        };
        let (mut ours, _) = SessionStore::open(&path, at, Writer::Checklist).unwrap();
        for case in &plan.cases {
            ours.apply(marked(&case.id, Outcome::Pass), at);
        }
        ours.save(at).unwrap();
        let (mut theirs, _) = SessionStore::open(&path, at, Writer::command("mark")).unwrap();
        let (first, last) = (plan.cases[0].id.clone(), plan.cases[cases - 1].id.clone());
        let mut flip = false;
        c.bench_function(
            &format!("mark + save over another writer's mark, {cases} results"),
            |b| {
                b.iter_batched(
                    || {
                        flip = !flip;
                        let outcome = if flip {
                            Outcome::Fail
                        } else {
                            Outcome::Blocked
                        };
                        theirs.apply(mark(&last, outcome), at);
                        theirs.save(at).unwrap();
                        outcome
                    },
                    |outcome| {
                        ours.apply(mark(&first, outcome), at);
                        ours.save(at).unwrap();
                    },
                    criterion::BatchSize::PerIteration,
                )
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = load, save, save_after_another_writer
}
criterion_main!(benches);
