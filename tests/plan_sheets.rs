//! A workbook whose cases stand on more than one sheet with the plan's header is never read
//! partially: it is refused with the sheets named, and a sheet that only repeats the plan's
//! cases is reported.

mod common;

use std::path::Path;

use common::*;
use scimplan::plan::{PlanError, load_plan};

fn header() -> Vec<String> {
    OKTA_HEADERS.iter().map(|s| s.to_string()).collect()
}

fn sheet(name: &str, cases: &[Vec<String>]) -> (String, Vec<Vec<String>>) {
    let mut rows = vec![header()];
    rows.extend(cases.iter().cloned());
    (name.to_string(), rows)
}

fn write(path: &Path, sheets: Vec<(String, Vec<Vec<String>>)>) {
    let specs: Vec<SheetSpec> = sheets
        .iter()
        .map(|(name, rows)| SheetSpec {
            name,
            rows: rows.clone(),
        })
        .collect();
    write_workbook(path, &specs);
}

#[test]
fn a_plan_split_over_two_sheets_is_refused_with_both_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = large_plan_rows(60);
    write(
        &d.join("plan.xlsx"),
        vec![sheet("Part 1", &cases[..30]), sheet("Part 2", &cases[30..])],
    );
    for args in [
        vec!["status", "plan.xlsx"],
        vec!["summary", "plan.xlsx"],
        vec!["mark", "plan.xlsx", "C100000", "pass"],
    ] {
        let out = scimplan(d, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("spread over several sheets")
                && err.contains("sheet 'Part 1' (30 case(s), rows 2-31)")
                && err.contains("sheet 'Part 2' (30 case(s), rows 2-31, 30 not on sheet 'Part 1')"),
            "{args:?}: {err}"
        );
    }
    assert!(!d.join("plan.scimplan.json").exists());
    match load_plan(&d.join("plan.xlsx")) {
        Err(PlanError::SpreadOverSheets { sheets, .. }) => assert_eq!(sheets, ["Part 1", "Part 2"]),
        other => panic!("expected SpreadOverSheets, got {other:?}"),
    }
}

#[test]
fn a_sheet_copying_the_plan_is_reported_and_the_plan_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = large_plan_rows(40);
    // A partial old copy first, the whole plan second, a full copy third.
    write(
        &d.join("plan.xlsx"),
        vec![
            sheet("Old", &cases[..10]),
            sheet("Plan", &cases),
            sheet("Plan (copy)", &cases),
        ],
    );
    let out = scimplan(d, &["status", "plan.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("sheet 'Plan', 40 cases"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("sheet 'Old' has the plan's header too and repeats some of the cases of sheet 'Plan' (10 case(s)); it is not read")
            && err.contains("sheet 'Plan (copy)' has the plan's header too and repeats all of the cases of sheet 'Plan' (40 case(s))"),
        "{err}"
    );
    let plan = load_plan(&d.join("plan.xlsx")).unwrap();
    assert_eq!(plan.sheet, "Plan");
    assert_eq!(plan.repeated_sheets.len(), 2);
}

#[test]
fn okta_workbooks_have_one_plan_sheet() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["okta-scim-test-plan-v2.xlsx", "okta-scim-test-plan.xlsx"] {
        let Some(path) = real_plan(name, dir.path()) else {
            continue;
        };
        let plan = load_plan(&path).unwrap();
        assert!(plan.repeated_sheets.is_empty(), "{name}");
    }
}
