//! The core through the real binary: reading plans of every shape, errors, marking,
//! capabilities, status, and a plan that changes under its session.

mod common;

use std::path::Path;

use common::*;

fn okta_rows() -> Vec<Vec<String>> {
    vec![
        case_row(
            "C1",
            "Add People",
            "Preconditions - SCIM App Setup / Add People / Add Group",
            "Sign in",
            "1. Add **person**",
            "Created",
        ),
        case_row(
            "C2",
            "Assign user",
            "Create Users",
            "1. App added [C1]\n2. (C1) again",
            "1. Assign\n2. Check",
            "User exists",
        ),
        case_row(
            "C3",
            "Push group",
            "Using Group Push",
            "C2",
            "1. Push",
            "Group exists",
        ),
    ]
}

fn assert_status_ok(dir: &Path, plan: &str, cases: usize) -> String {
    let out = scimplan(dir, &["status", plan]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("{cases} cases")), "{text}");
    text
}

#[test]
fn real_v2_and_v1_workbooks_load_with_sections_in_order() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["okta-scim-test-plan-v2.xlsx", "okta-scim-test-plan.xlsx"] {
        let Some(path) = real_plan(name, dir.path()) else {
            return;
        };
        let plan = scimplan::plan::load_plan(&path).unwrap();
        assert_eq!(plan.cases.len(), 61, "{name}");
        let sections: Vec<&str> = plan.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            sections[0],
            "Preconditions - SCIM App Setup / Add People / Add Group"
        );
        assert_eq!(sections[4], "Create Users");
        assert!(sections.contains(&"Using Group Push"));
        let c9290 = plan.case("C9290").unwrap();
        assert_eq!(c9290.row, 19);
        assert!(c9290.refs.contains(&"C9298".to_string()));
        assert!(!c9290.steps.is_empty());
        assert_status_ok(dir.path(), name, 61);
    }
}

#[test]
fn shuffled_columns_title_rows_second_sheet_extra_columns_and_blank_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.xlsx");
    // Header on row 4 of the second sheet, columns shuffled, an extra "Owner" column.
    let header = [
        "Expected Results",
        "Owner",
        "Section",
        "Case ID",
        "Steps",
        "Title",
        "Pre-conditions",
    ];
    let to_row = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let rows = vec![
        to_row(&["Okta SCIM test plan"]),
        to_row(&[]),
        to_row(&["Generated for a test"]),
        to_row(&header),
        to_row(&["Works", "ana", "Create Users", "C10", "1. Go", "First", ""]),
        to_row(&[]),
        to_row(&[
            "Still works",
            "bo",
            "Update Users",
            "C11",
            "1. Again\n3. Skip a number",
            "Second",
            "After [C10]",
        ]),
    ];
    write_workbook(
        &path,
        &[
            SheetSpec {
                name: "Cover",
                rows: vec![to_row(&["Nothing here"])],
            },
            SheetSpec { name: "Plan", rows },
        ],
    );
    let plan = scimplan::plan::load_plan(&path).unwrap();
    assert_eq!(plan.sheet, "Plan");
    assert_eq!(plan.header_row, 4);
    assert_eq!(plan.columns.len(), 7, "extra column kept");
    assert_eq!(plan.columns[1].header, "Owner");
    assert_eq!(plan.columns[1].field, None);
    let c11 = plan.case("C11").unwrap();
    assert_eq!(c11.row, 7);
    assert_eq!(c11.title, "Second");
    assert_eq!(c11.refs, ["C10"]);
    let numbers: Vec<_> = c11.steps.iter().map(|s| s.number).collect();
    assert_eq!(numbers, [Some(1), Some(3)]);
    assert_eq!(c11.cells[1].as_text(), "bo");
    assert_status_ok(dir.path(), "odd.xlsx", 2);
}

fn expect_error(dir: &Path, file: &str, needles: &[&str]) {
    let out = scimplan(dir, &["status", file]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(file), "names the file: {err}");
    for needle in needles {
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn duplicate_ids_name_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = okta_rows();
    rows.push(case_row("C2", "Again", "Create Users", "", "1. x", "y"));
    rows.push(case_row("C2", "Thrice", "Create Users", "", "1. x", "y"));
    write_plan(&dir.path().join("dup.xlsx"), rows);
    expect_error(
        dir.path(),
        "dup.xlsx",
        &["duplicate case IDs", "C2 on rows 3, 5, 6", "Sheet1"],
    );
}

#[test]
fn missing_column_lists_the_headers_found() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        vec![
            "ID".to_string(),
            "Title".into(),
            "Section".into(),
            "Steps".into(),
        ],
        vec!["C1".to_string(), "t".into(), "s".into(), "1. x".into()],
    ];
    write_workbook(
        &dir.path().join("nocol.xlsx"),
        &[SheetSpec {
            name: "Cases",
            rows,
        }],
    );
    expect_error(
        dir.path(),
        "nocol.xlsx",
        &[
            "sheet 'Cases'",
            "header row 1",
            "Expected Result",
            "'ID', 'Title', 'Section', 'Steps'",
        ],
    );
}

#[test]
fn no_plan_sheet_lists_what_each_sheet_has() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![vec!["Name".to_string(), "Budget".into()]];
    write_workbook(
        &dir.path().join("other.xlsx"),
        &[SheetSpec {
            name: "Costs",
            rows,
        }],
    );
    expect_error(
        dir.path(),
        "other.xlsx",
        &["no sheet", "sheet 'Costs' row 1: 'Name', 'Budget'"],
    );
}

#[test]
fn empty_id_in_a_filled_row_names_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = okta_rows();
    rows.push(case_row("", "Orphan", "Create Users", "", "1. x", "y"));
    write_plan(&dir.path().join("noid.xlsx"), rows);
    expect_error(
        dir.path(),
        "noid.xlsx",
        &["row 5", "column A", "no case ID"],
    );
}

#[test]
fn header_without_cases_is_an_empty_plan() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("empty.xlsx"), vec![]);
    expect_error(dir.path(), "empty.xlsx", &["no cases"]);
}

#[test]
fn text_file_named_xlsx_and_truncated_archive() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.xlsx"), "ID,Title\nC1,hello\n").unwrap();
    expect_error(
        dir.path(),
        "notes.xlsx",
        &["not a spreadsheet workbook", "text file"],
    );

    write_plan(&dir.path().join("full.xlsx"), okta_rows());
    let bytes = std::fs::read(dir.path().join("full.xlsx")).unwrap();
    std::fs::write(dir.path().join("cut.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    expect_error(dir.path(), "cut.xlsx", &["damaged", "re-save"]);
}

#[test]
fn encrypted_workbook_asks_to_remove_the_password() {
    // An encrypted .xlsx is an OLE compound file holding EncryptionInfo and EncryptedPackage.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.xlsx");
    let mut file = cfb::create(&path).unwrap();
    for stream in ["/EncryptionInfo", "/EncryptedPackage"] {
        let mut s = file.create_stream(stream).unwrap();
        std::io::Write::write_all(&mut s, &[7u8; 600]).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    expect_error(
        dir.path(),
        "locked.xlsx",
        &["password-protected", "remove the password"],
    );
}

#[test]
fn a_ten_thousand_case_plan_loads() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("big.xlsx"), large_plan_rows(10_000));
    let text = assert_status_ok(dir.path(), "big.xlsx", 10_000);
    assert!(text.contains("Total"));
}

#[test]
fn mark_capabilities_status_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), okta_rows());

    let out = scimplan(
        d,
        &[
            "mark",
            "plan.xlsx",
            "C2",
            "pass",
            "--note",
            "Zoë saw it ✓",
            "--tester",
            "Ana",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(
        d,
        &["capabilities", "plan.xlsx", "--unsupport", "group-push"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("[ ] group-push"), "{}", stdout(&out));

    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("plan.scimplan.json")).unwrap()).unwrap();
    assert_eq!(session["results"]["C2"]["outcome"], "pass");
    assert_eq!(session["results"]["C2"]["note"], "Zoë saw it ✓");
    assert_eq!(session["results"]["C2"]["tester"], "Ana");
    assert_eq!(session["results"]["C3"]["outcome"], "skipped");
    assert_eq!(
        session["results"]["C3"]["reason"],
        "Capability not supported: Group Push"
    );

    let status = stdout(&scimplan(d, &["status", "plan.xlsx"]));
    assert!(
        status.contains("1 of 2 applicable cases done; 1 not applicable"),
        "{status}"
    );

    // Supporting it again restores the outcome the case had.
    scimplan(d, &["mark", "plan.xlsx", "C3", "fail"]);
    scimplan(
        d,
        &["capabilities", "plan.xlsx", "--unsupport", "group-push"],
    );
    scimplan(d, &["capabilities", "plan.xlsx", "--support", "group-push"]);
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("plan.scimplan.json")).unwrap()).unwrap();
    assert_eq!(session["results"]["C3"]["outcome"], "fail");
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), okta_rows());
    let out = scimplan(d, &["mark", "plan.xlsx", "c2", "pass"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Did you mean C2?"),
        "{}",
        stderr(&out)
    );
    let out = scimplan(d, &["mark", "plan.xlsx", "C2", "great"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not an outcome"));
    let out = scimplan(d, &["capabilities", "plan.xlsx", "--support", "teleport"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("create-users"),
        "lists the known keys"
    );
    let out = scimplan(d, &["status", "missing.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.xlsx"));
    // One capability declared both supported and not: refused, nothing recorded.
    let out = scimplan(
        d,
        &[
            "capabilities",
            "plan.xlsx",
            "--unsupport",
            "group-push",
            "--support",
            "group-push",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("'group-push' is given to both --support and --unsupport"),
        "{}",
        stderr(&out)
    );
    assert!(
        !d.join("plan.scimplan.json").exists(),
        "failed commands write nothing"
    );
}

#[test]
fn counts_of_one_are_singular() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One case in a section of its own: its capability governs one case.
    let mut rows = okta_rows();
    rows.push(case_row(
        "C9",
        "Teleport",
        "Teleportation",
        "",
        "1. Go",
        "Gone",
    ));
    write_plan(&d.join("plan.xlsx"), rows);
    for args in [
        &["capabilities", "plan.xlsx"][..],
        &["summary", "plan.xlsx"][..],
        &["summary", "plan.xlsx", "--format", "markdown"][..],
    ] {
        let out = stdout(&scimplan(d, args));
        assert!(out.contains("(1 case)"), "{args:?}: {out}");
        assert!(!out.contains("(1 cases)"), "{args:?}: {out}");
    }
}

#[test]
fn changed_plan_keeps_results_of_vanished_cases() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), okta_rows());
    scimplan(d, &["mark", "plan.xlsx", "C3", "pass", "--note", "pushed"]);
    let mut rows = okta_rows();
    rows.pop();
    rows.push(case_row(
        "C4",
        "New case",
        "Create Users",
        "",
        "1. New",
        "New",
    ));
    write_plan(&d.join("plan.xlsx"), rows);
    let out = scimplan(d, &["status", "plan.xlsx"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(err.contains("changed since this session"), "{err}");
    assert!(
        err.contains("new case(s), starting as Not run: C4"),
        "{err}"
    );
    assert!(err.contains("no longer in the plan: C3"), "{err}");
    // Saving after the change still keeps C3's result.
    scimplan(d, &["mark", "plan.xlsx", "C4", "pass"]);
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("plan.scimplan.json")).unwrap()).unwrap();
    assert_eq!(session["results"]["C3"]["note"], "pushed");
}

#[test]
fn unknown_sections_become_capabilities_and_a_profile_can_be_passed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows = okta_rows();
    rows.push(case_row(
        "C9",
        "Roles",
        "Entitlement Roles Sync",
        "",
        "1. Sync",
        "Synced",
    ));
    write_plan(&d.join("plan.xlsx"), rows);
    let out = stdout(&scimplan(d, &["capabilities", "plan.xlsx"]));
    assert!(
        out.contains("entitlement-roles-sync  Entitlement Roles Sync  (1 case)"),
        "{out}"
    );

    std::fs::write(
        d.join("profile.toml"),
        "name='mine'\n[[capability]]\nkey='roles'\nname='Roles'\n[[section]]\nnames=['Entitlement Roles Sync']\nneeds=['roles']\n",
    )
    .unwrap();
    let out = scimplan(
        d,
        &[
            "capabilities",
            "plan.xlsx",
            "--profile",
            "profile.toml",
            "--unsupport",
            "roles",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("[ ] roles"), "{}", stdout(&out));
    let out = scimplan(d, &["status", "plan.xlsx", "--profile", "nope.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.toml"));
}

#[test]
fn help_is_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["status", "--help"],
        &["mark", "--help"],
        &["capabilities", "--help"],
        &["fetch", "--help"],
    ] {
        let out = scimplan(dir.path(), args);
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage:"), "{args:?}");
    }
}
