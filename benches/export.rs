//! Speed of writing the completed workbook: Okta's v2 plan (61 cases) and a 10,000-case plan,
//! every case with a result and a note. Run with `cargo bench --bench export`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use scimplan::plan::profile::Requirements;
use scimplan::plan::{Plan, Profile, load_plan};
use scimplan::report::export::{export_workbook, workbook_bytes};
use scimplan::session::{Command, Outcome, Scope, Session, Writer};

/// Every case marked with a note and time spent, every seventh verdict automatic (set as
/// the session file holds it: checks would also keep their runs, left out here).
fn marked(plan: &Plan) -> Session {
    let reqs = Requirements::new(&Profile::builtin(), plan);
    let at = Scope { plan, reqs: &reqs };
    let writer = Writer::Checklist;
    let mut session = Session::new(plan);
    let names = Command::Identity {
        tester: Some("Bench Tester".into()),
        app: None,
        asked: true,
    };
    session.apply(names, &writer, at);
    for (i, case) in plan.cases.iter().enumerate() {
        let mark = Command::Mark {
            case: case.id.clone(),
            outcome: Outcome::ALL[1 + i % 4],
            reason: None,
            note: Some(format!("Checked in the app.\nRun {i}: ok")),
        };
        session.apply(mark, &writer, at);
        let time = Command::TimeSpent {
            case: case.id.clone(),
            seconds: 60 + i as u64,
        };
        session.apply(time, &writer, at);
    }
    let mut file = serde_json::to_value(&session).expect("a session serializes");
    for case in plan.cases.iter().step_by(7) {
        file["results"][&case.id]["automatic"] = true.into();
    }
    serde_json::from_value(file).expect("reads back")
}

fn bench_plan(c: &mut Criterion, name: &str, path: &Path) {
    let plan = load_plan(path).expect("load the plan");
    let reqs = Requirements::new(&Profile::builtin(), &plan);
    let session = marked(&plan);
    let out = path.with_file_name(format!("{name}-out.xlsx"));
    c.bench_function(
        &format!("export {name} ({} cases), in memory", plan.cases.len()),
        |b| b.iter(|| workbook_bytes(&plan, &reqs, &session, Utc::now()).unwrap()),
    );
    c.bench_function(
        &format!("export {name} ({} cases), to a file", plan.cases.len()),
        |b| b.iter(|| export_workbook(&plan, &reqs, &session, &replacing(&out)).unwrap()),
    );
}

fn export(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    match common::real_plan("okta-scim-test-plan-v2.xlsx", dir.path()) {
        Some(v2) => bench_plan(c, "v2", &v2),
        None => eprintln!("skipping the v2 plan: not found"),
    }
    let large = dir.path().join("large.xlsx");
    common::write_plan(&large, common::large_plan_rows(10_000));
    let mut group = c.benchmark_group("large");
    group.sample_size(10);
    let plan = load_plan(&large).unwrap();
    let reqs = Requirements::new(&Profile::builtin(), &plan);
    let session = marked(&plan);
    let out = dir.path().join("large-out.xlsx");
    group.bench_function("export 10,000 cases, in memory", |b| {
        b.iter(|| workbook_bytes(&plan, &reqs, &session, Utc::now()).unwrap())
    });
    group.bench_function("export 10,000 cases, to a file", |b| {
        b.iter(|| export_workbook(&plan, &reqs, &session, &replacing(&out)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, export);
criterion_main!(benches);

/// The bench writes one file again and again.
fn replacing(out: &std::path::Path) -> scimplan::report::ExportTarget<'_> {
    scimplan::report::ExportTarget {
        output: Some(out),
        replace: true,
        protected: &[],
    }
}
