//! Writes a generated plan of N cases (the layout the benches and scale tests use) and, with
//! `--marked`, a session beside it where every case has an outcome, a note and time spent: the
//! inputs of `benches/compare_openpyxl.sh` and `benches/memory.sh`.
//!
//! cargo run --release --example large_plan -- OUT.xlsx 10000 [--marked]

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

use std::path::PathBuf;

use scimplan::plan::profile::Requirements;
use scimplan::plan::{Profile, load_plan};
use scimplan::session::{Outcome, SessionStore, default_session_path};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(count)) = (args.first(), args.get(1)) else {
        eprintln!("usage: large_plan OUT.xlsx CASES [--marked]");
        std::process::exit(2);
    };
    let out = PathBuf::from(out);
    let count: usize = count.parse().expect("CASES is a number");
    fixtures::write_plan(&out, fixtures::large_plan_rows(count));
    if args.iter().any(|a| a == "--marked") {
        let plan = load_plan(&out).expect("the generated plan loads");
        let reqs = Requirements::new(&Profile::builtin(), &plan);
        let path = default_session_path(&out);
        let _ = std::fs::remove_file(&path);
        let (mut store, _) = SessionStore::open(&path, &plan, &reqs).expect("open the session");
        let session = &mut store.session;
        session.tester = Some("Bench Tester".into());
        session.capabilities_confirmed = true;
        for (i, case) in plan.cases.iter().enumerate() {
            let outcome = Outcome::ALL[1 + i % 4];
            let reason = matches!(outcome, Outcome::Blocked | Outcome::Skipped)
                .then(|| "waiting for a test org".to_string());
            session.set_outcome(&case.id, outcome, reason, i % 7 == 0);
            session.set_note(&case.id, &format!("Checked in the app.\nRun {i}: ok"));
            session.add_time_spent(&case.id, 60 + i as u64);
        }
        store.save().expect("save the session");
    }
    println!("{}", out.display());
}
