//! A scimplan process killed while it writes its session leaves the old or the new complete
//! session file, never a torn one.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// The temp files a writer stages the session in (`.plan.scimplan.json.XXXX.tmp`).
fn staged_writes(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".plan.scimplan.json.") && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn sigkill_during_writes_never_tears_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Large enough that a write takes a while: 2,000 cases, every one marked over the loop.
    write_plan(&d.join("plan.xlsx"), large_plan_rows(2_000));
    let session = d.join("plan.scimplan.json");
    let mut kills = 0;
    // Kills that provably landed mid-write: the writer's staged file was left behind.
    let mut mid_write = 0;
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
        if round % 2 == 0 {
            // Kill the moment the write is staged, between its first byte and the rename.
            let give_up = Instant::now() + Duration::from_secs(20);
            while staged_writes(d).is_empty()
                && child.try_wait().unwrap().is_none()
                && Instant::now() < give_up
            {
                std::thread::sleep(Duration::from_micros(200));
            }
        } else {
            // Kill at varying moments: before, during and after the write.
            std::thread::sleep(Duration::from_millis(5 + (round * 7) % 60));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        let left = staged_writes(d);
        if !left.is_empty() {
            mid_write += 1;
            // Cleared so the next round's staged file is its own.
            for name in left {
                std::fs::remove_file(d.join(name)).unwrap();
            }
        }
        if session.exists() {
            let bytes = std::fs::read(&session).unwrap();
            let parsed: serde_json::Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("round {round}: torn session file: {e}"));
            assert_eq!(parsed["schema"], 1);
        }
    }
    assert!(kills > 0, "the loop must actually kill some writers");
    assert!(
        mid_write > 0,
        "no kill landed while a write was under way ({kills} kills): the test proved nothing"
    );
    let out = scimplan(d, &["status", "plan.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
