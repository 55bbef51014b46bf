//! A completed workbook with every sheet a reviewer prints: the plan, Summary, API checks (case
//! verifications with long failed assertions) and Evidence (two pictures, one wider than a
//! page, a PDF and a link), exported by the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crate::common::{case_row, scimplan, stderr, write_plan, write_png};

/// Writes the plan, records results, evidence and verification runs, exports, and returns the
/// completed workbook's path.
pub fn workbook_with_evidence_and_checks(dir: &Path) -> PathBuf {
    let plan = dir.join("plan.xlsx");
    write_plan(
        &plan,
        vec![
            case_row(
                "C1",
                "Assign a user",
                "Create Users",
                "",
                "1. Assign",
                "Created",
            ),
            case_row(
                "C2",
                "Rename a user",
                "Update Users",
                "",
                "1. Rename\n2. Check",
                "Renamed in the app",
            ),
            case_row(
                "C3",
                "Deactivate",
                "Deactivate Users",
                "",
                "1. Unassign",
                "Inactive",
            ),
        ],
    );
    let shots = dir.join("shots");
    write_png(&shots.join("assignment.png"), 640, 400);
    // Wider than any page: it must be scaled, never cut at the page edge.
    write_png(&shots.join("admin console wide.png"), 2400, 900);
    std::fs::write(
        shots.join("audit.pdf"),
        b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = scimplan(dir, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    run(&[
        "evidence",
        "plan.xlsx",
        "C1",
        "shots/assignment.png",
        "shots/admin console wide.png",
    ]);
    run(&[
        "evidence",
        "plan.xlsx",
        "C2",
        "shots/audit.pdf",
        "https://runs.example/spec/1",
    ]);
    run(&["mark", "plan.xlsx", "C1", "pass", "--tester", "Ann"]);
    run(&[
        "mark",
        "plan.xlsx",
        "C2",
        "fail",
        "--note",
        "Renamed only after a retry",
    ]);

    // Verification runs, as `verify` records them, with long failed assertions.
    let session_path = dir.join("plan.scimplan.json");
    let mut session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&session_path).unwrap()).unwrap();
    let long = "the userName of the user the app returned for the filter ".repeat(4);
    let runs: Vec<serde_json::Value> = ["C1", "C2", "C3"]
        .iter()
        .enumerate()
        .map(|(i, case)| {
            serde_json::json!({
                "case": case,
                "at": "2026-03-04T10:00:00Z",
                "target": "https://app.example.com/scim/v2",
                "verdict": if i == 0 { "pass" } else { "fail" },
                "summary": format!("{case}: {long}"),
                "attempts": 3,
                "duration_ms": 1200,
                "assertions": [
                    {"step": "GET /Users", "check": "totalResults equals 1", "expected": "1", "actual": "0", "passed": i == 0},
                    {"step": "GET /Users/{id}", "check": long.clone(), "expected": "ann@example.com", "actual": "ann.old@example.com", "passed": i == 0}
                ]
            })
        })
        .collect();
    session["verify"]["runs"] = serde_json::Value::Array(runs);
    std::fs::write(&session_path, serde_json::to_vec(&session).unwrap()).unwrap();

    run(&["export", "plan.xlsx", "-o", "completed.xlsx"]);
    dir.join("completed.xlsx")
}
