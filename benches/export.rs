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
use scimplan::session::{Outcome, Session};

fn marked(plan: &Plan) -> Session {
    let mut session = Session::new(plan);
    session.tester = Some("Bench Tester".into());
    for (i, case) in plan.cases.iter().enumerate() {
        let outcome = Outcome::ALL[1 + i % 4];
        session.set_outcome(&case.id, outcome, None, i % 7 == 0);
        session.set_note(&case.id, &format!("Checked in the app.\nRun {i}: ok"));
        session.add_time_spent(&case.id, 60 + i as u64);
    }
    session
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
