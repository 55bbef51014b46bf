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
use scimplan::session::{Command, Outcome, Scope, SessionStore, Writer, default_session_path};

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
        let scope = Scope {
            plan: &plan,
            reqs: &reqs,
        };
        let (mut store, _) =
            SessionStore::open(&path, scope, Writer::Checklist).expect("open the session");
        store.apply(
            Command::Identity {
                tester: Some("Bench Tester".into()),
                app: None,
                asked: true,
            },
            scope,
        );
        store.apply(
            Command::Capabilities {
                changes: Vec::new(),
                confirm: true,
            },
            scope,
        );
        for (i, case) in plan.cases.iter().enumerate() {
            let outcome = Outcome::ALL[1 + i % 4];
            let reason = matches!(outcome, Outcome::Blocked | Outcome::Skipped)
                .then(|| "waiting for a test org".to_string());
            let note = format!("Checked in the app.\nRun {i}: ok");
            store.apply(
                Command::Mark {
                    case: case.id.clone(),
                    outcome,
                    reason,
                    note: Some(note),
                },
                scope,
            );
            store.apply(
                Command::TimeSpent {
                    case: case.id.clone(),
                    seconds: 60 + i as u64,
                },
                scope,
            );
        }
        store.save(scope).expect("save the session");
        // Every seventh verdict automatic, as checks leave them (set in the file: a check
        // would also keep its run, which this plan's generator leaves out).
        let mut file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("written")).expect("json");
        for case in plan.cases.iter().step_by(7) {
            file["results"][&case.id]["automatic"] = true.into();
        }
        std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");
    }
    println!("{}", out.display());
}
