//! A scimplan process killed while it writes its session leaves the old or the new complete
//! session file, never a torn one.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

#[test]
fn sigkill_during_writes_never_tears_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Large enough that a write takes a while: 2,000 cases, every one marked over the loop.
    write_plan(&d.join("plan.xlsx"), large_plan_rows(2_000));
    let session = d.join("plan.scimplan.json");
    let mut kills = 0;
    for round in 0..40u64 {
        let case = format!("C{}", 100_000 + round);
        let mut child = Command::new(env!("CARGO_BIN_EXE_scimplan"))
            .args([
                "mark",
                "plan.xlsx",
                &case,
                "pass",
                "--note",
                &"x".repeat(4_000),
            ])
            .current_dir(d)
            .spawn()
            .unwrap();
        // Kill at varying moments: before, during and after the write.
        std::thread::sleep(Duration::from_millis(5 + (round * 7) % 60));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        if session.exists() {
            let bytes = std::fs::read(&session).unwrap();
            let parsed: serde_json::Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("round {round}: torn session file: {e}"));
            assert_eq!(parsed["schema"], 1);
        }
    }
    assert!(kills > 0, "the loop must actually kill some writers");
    // No temp files left that could be mistaken for the session.
    let out = scimplan(d, &["status", "plan.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
