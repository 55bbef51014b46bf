//! The completed workbook on Okta's real v2 plan: marked in many ways, exported, read back with
//! calamine cell for cell, reopened as a plan (results restored), edited "by hand", re-exported.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{WorkspaceEdits, real_plan, scimplan, stderr, stdout};
use rust_xlsxwriter::Workbook;
use scimplan::plan::{ADDED_HEADERS, load_plan};
use scimplan::report::export::{CUT_MARKER, EXCEL_CELL_LIMIT, notes_cell, tested_by_cell};
use scimplan::report::export_workspace;
use scimplan::session::{CaseResult, Outcome, Session, SuiteKind, default_session_path};
use scimplan::workspace::{OpenOptions, Workspace};

const V2: &str = "okta-scim-test-plan-v2.xlsx";
const NON_ASCII: &str = "Ünïcödé — 日本語 ✓ 🚀\n\tindented line\nlast line ";

/// Marks the plan the many ways a tester does and returns the workspace, saved.
fn marked_workspace(plan: &Path) -> Workspace {
    let options = OpenOptions {
        tester: Some("Zoë Tester".into()),
        app_name: Some("Acme HR".into()),
        ..OpenOptions::default()
    };
    let mut ws = Workspace::open(plan, &options).unwrap();
    ws.declare(&[("group-push", false)]);
    ws.mark("C9296", Outcome::Pass);
    ws.mark("C9297", Outcome::Fail);
    ws.note(
        "C9297",
        "POST /Users returned 500\nsecond line\n\nafter a blank line",
    );
    ws.mark_why("C9298", Outcome::Blocked, Some("Okta org is down"));
    ws.note("C9298", "=HYPERLINK(\"http://evil.test\",\"click\")");
    ws.mark_why("C9299", Outcome::Skipped, Some("not this release"));
    ws.note("C9306", "+1 555 0100 (a note on a case not run yet)");
    ws.mark("C9339", Outcome::Pass);
    ws.note("C9339", "-5 users left");
    ws.mark("C9340", Outcome::Fail);
    ws.note("C9340", "@SUM(A1:A3)");
    ws.mark("C9341", Outcome::Pass);
    ws.note("C9341", NON_ASCII);
    ws.mark("C9290", Outcome::Pass);
    ws.reference("C9290", "/tmp/evidence/assign.png", "the user in the app");
    ws.reference("C9290", "https://acme.test/users/42", "");
    ws.time_spent("C9290", 754);
    ws.mark("C9291", Outcome::Pass);
    ws.note("C9291", &"long note ".repeat(4_000));
    ws.link(SuiteKind::Spec, "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    ws.save().unwrap();
    // C9290's Pass as a check records it (without the run a check keeps, so the workbook
    // has no API checks sheet): written into the file, and the workspace read again.
    let file = ws.session_path().to_path_buf();
    let mut session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    session["results"]["C9290"]["automatic"] = true.into();
    std::fs::write(&file, serde_json::to_vec(&session).unwrap()).unwrap();
    Workspace::open(plan, &options).unwrap()
}

fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

fn same_results(a: &CaseResult, b: &CaseResult, id: &str) {
    assert_eq!(a.outcome, b.outcome, "{id} outcome");
    assert_eq!(a.note, b.note, "{id} note");
    assert_eq!(a.reason, b.reason, "{id} reason");
    assert_eq!(a.tester, b.tester, "{id} tester");
    assert_eq!(
        a.updated_at.map(|t| t.timestamp()),
        b.updated_at.map(|t| t.timestamp()),
        "{id} tested at"
    );
    assert_eq!(a.time_spent_secs, b.time_spent_secs, "{id} time spent");
    assert_eq!(a.automatic, b.automatic, "{id} automatic");
    let refs = |r: &CaseResult| -> Vec<(String, String)> {
        r.evidence
            .iter()
            .map(|e| (e.reference.clone(), e.caption.clone()))
            .collect()
    };
    assert_eq!(refs(a), refs(b), "{id} evidence");
}

fn session_at(path: &Path) -> Session {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

struct Exported {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    source: PathBuf,
    export: PathBuf,
    ws: Workspace,
}

fn exported() -> Option<Exported> {
    let dir = tempfile::tempdir().unwrap();
    let source = real_plan(V2, dir.path())?;
    let ws = marked_workspace(&source);
    let export = export_workspace(&ws, None).unwrap();
    Some(Exported {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        source,
        export,
        ws,
    })
}

#[test]
fn export_holds_the_plan_cell_for_cell_and_the_session() {
    let Some(e) = exported() else { return };
    let today = chrono::Utc::now().format("%Y-%m-%d");
    assert_eq!(
        e.export.file_name().unwrap().to_string_lossy(),
        format!("okta-scim-test-plan-v2-completed-{today}.xlsx")
    );
    assert_eq!(e.export.parent(), e.source.parent());

    let plan = &e.ws.plan;
    let mut book: Xlsx<_> = open_workbook(&e.export).unwrap();
    // The session has evidence, so an Evidence sheet follows the Summary.
    assert_eq!(
        book.sheet_names(),
        [plan.sheet.clone(), "Summary".into(), "Evidence".into()]
    );
    let formulas = book.worksheet_formula(&plan.sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell of the plan sheet may be a formula"
    );

    let source = read_sheet(&e.source, &plan.sheet);
    let out = read_sheet(&e.export, &plan.sheet);
    let header: Vec<String> = out[0].iter().map(text).collect();
    let mut expected: Vec<String> = source[0][..6].iter().map(text).collect();
    expected.extend(ADDED_HEADERS.iter().map(|h| h.to_string()));
    assert_eq!(header, expected);
    assert_eq!(out.len(), plan.cases.len() + 1);

    let session = &e.ws.session();
    let blank = CaseResult::default();
    for (i, case) in plan.cases.iter().enumerate() {
        let row = &out[i + 1];
        let src = &source[case.row as usize - 1];
        assert_eq!(&row[..6], &src[..6], "{}: original columns", case.id);
        let result = session.result(&case.id).unwrap_or(&blank);
        assert_eq!(text(&row[6]), result.outcome.label(), "{} result", case.id);
        let notes = text(&row[7]);
        if notes_cell(result).chars().count() > EXCEL_CELL_LIMIT {
            assert_eq!(notes.chars().count(), EXCEL_CELL_LIMIT, "{}", case.id);
            assert!(notes.ends_with(CUT_MARKER));
        } else {
            assert_eq!(notes, notes_cell(result), "{} notes", case.id);
        }
        assert_eq!(
            text(&row[8]),
            tested_by_cell(result),
            "{} tested by",
            case.id
        );
        match (&row[9], result.updated_at) {
            (Data::DateTime(at), Some(updated)) => {
                assert!(at.is_datetime(), "{} tested at is a date-time", case.id);
                let secs = ((at.as_f64() - 25_569.0) * 86_400.0).round() as i64;
                assert_eq!(secs, updated.timestamp(), "{} tested at", case.id);
            }
            (Data::Empty, None) => {}
            (other, updated) => panic!("{}: tested at {other:?} for {updated:?}", case.id),
        }
        match &row[10] {
            Data::DateTime(d) => {
                assert_eq!(
                    (d.as_f64() * 86_400.0).round() as u64,
                    result.time_spent_secs
                )
            }
            Data::Empty => assert_eq!(result.time_spent_secs, 0, "{}", case.id),
            other => panic!("{}: time spent {other:?}", case.id),
        }
    }
    let row_of = |id: &str| &out[plan.case_index(id).unwrap() + 1];
    assert_eq!(
        text(&row_of("C9298")[7]),
        "=HYPERLINK(\"http://evil.test\",\"click\")\n\nReason: Okta org is down"
    );
    assert_eq!(text(&row_of("C9341")[7]), NON_ASCII);
    assert_eq!(text(&row_of("C9290")[8]), "Zoë Tester (automatic)");
    assert_eq!(
        text(&row_of("C9290")[11]),
        "/tmp/evidence/assign.png — the user in the app\nhttps://acme.test/users/42"
    );
    assert_eq!(text(&row_of("C9313")[6]), "Skipped");
    assert_eq!(
        text(&row_of("C9313")[7]),
        "Reason: Capability not supported: Group Push"
    );

    let summary: Vec<Vec<String>> = read_sheet(&e.export, "Summary")
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    let value = |label: &str| summary.iter().find(|r| r[0] == label).map(|r| r[1].clone());
    assert_eq!(value("App").as_deref(), Some("Acme HR"));
    assert_eq!(value("Tester").as_deref(), Some("Zoë Tester"));
    assert_eq!(value("Source workbook").as_deref(), Some(V2));
    assert_eq!(value("Source SHA-256"), Some(plan.fingerprint.clone()));
    assert!(value("Verdict").unwrap().starts_with("NOT READY"));
    assert_eq!(value("CRUD").as_deref(), Some("MISSING"));
    assert!(summary.iter().any(|r| r[0] == "C9297" && r[3] == "failed"));
    assert!(summary.iter().any(|r| r[0] == "Using Group Push"));
    // The chart of outcomes per section is in the package.
    let bytes = std::fs::read(&e.export).unwrap();
    let chart = b"xl/charts/chart1.xml";
    assert!(bytes.windows(chart.len()).any(|w| w == chart));
}

#[test]
fn reopening_the_export_restores_the_session() {
    let Some(e) = exported() else { return };
    let out = scimplan(&e.dir, &["status", e.export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from the completed workbook"),
        "{}",
        stderr(&out)
    );
    let restored = session_at(&default_session_path(&e.export));
    let original = &e.ws.session();
    assert_eq!(restored.app_name(), Some("Acme HR"));
    assert_eq!(restored.tester(), Some("Zoë Tester"));
    assert_eq!(restored.capabilities().get("group-push"), Some(&false));
    assert_eq!(restored.suites().spec, original.suites().spec);
    assert_eq!(restored.suites().crud, None);
    for case in &e.ws.plan.cases {
        let blank = CaseResult::default();
        let a = original.result(&case.id).unwrap_or(&blank);
        let b = restored.result(&case.id).unwrap_or(&blank);
        if case.id == "C9291" {
            // The note longer than Excel allows comes back cut, with the marker.
            assert!(b.note.ends_with(CUT_MARKER));
            assert!(a.note.starts_with(b.note.strip_suffix(CUT_MARKER).unwrap()));
            continue;
        }
        same_results(a, b, &case.id);
    }
    // The same verdict from both.
    let before = scimplan(
        &e.dir,
        &["summary", "--format", "json", e.source.to_str().unwrap()],
    );
    let after = scimplan(
        &e.dir,
        &["summary", "--format", "json", e.export.to_str().unwrap()],
    );
    let strip = |o: &std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["plan"] = serde_json::Value::Null;
        v
    };
    assert_eq!(before.status.code(), Some(1));
    assert_eq!(strip(&before), strip(&after));
}

/// Copies a completed workbook cell by cell, as Excel would save it after `edit` changed cells.
fn hand_edited(src: &Path, dst: &Path, edit: impl Fn(&str, usize, usize, &Data) -> Option<String>) {
    let mut book: Xlsx<_> = open_workbook(src).unwrap();
    let mut out = Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let sheet = out.add_worksheet();
        sheet.set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r32, c16) = (r as u32, c as u16);
                if let Some(text) = edit(&name, r, c, cell) {
                    sheet.write_string(r32, c16, text).unwrap();
                    continue;
                }
                match cell {
                    Data::String(s) => sheet.write_string(r32, c16, s).unwrap(),
                    Data::Float(f) => sheet.write_number(r32, c16, *f).unwrap(),
                    Data::Int(i) => sheet.write_number(r32, c16, *i as f64).unwrap(),
                    Data::DateTime(d) => sheet.write_number(r32, c16, d.as_f64()).unwrap(),
                    _ => sheet,
                };
            }
        }
    }
    out.save(dst).unwrap();
}

#[test]
fn results_changed_by_hand_are_taken_and_unknown_words_reported() {
    let Some(e) = exported() else { return };
    let plan = &e.ws.plan;
    let fail_row = plan.case_index("C9297").unwrap() + 1;
    let odd_row = plan.case_index("C9296").unwrap() + 1;
    let auto_row = plan.case_index("C9290").unwrap() + 1;
    let edited = e.dir.join("edited.xlsx");
    let sheet = plan.sheet.clone();
    hand_edited(&e.export, &edited, |name, r, c, _| {
        if name != sheet || c != 6 {
            return None;
        }
        match r {
            r if r == fail_row => Some("Passed".into()),
            r if r == odd_row => Some("Done-ish".into()),
            r if r == auto_row => Some("Fail".into()),
            _ => None,
        }
    });
    let arg = edited.to_str().unwrap();
    let out = scimplan(&e.dir, &["status", arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "row {}, column G (C9296): 'Done-ish' is not an outcome",
            odd_row + 1
        )),
        "{err}"
    );
    let session_path = default_session_path(&edited);
    let s = session_at(&session_path);
    assert_eq!(s.outcome("C9297"), Outcome::Pass);
    assert_eq!(
        s.outcome("C9296"),
        Outcome::NotRun,
        "an unknown word is not guessed"
    );
    assert_eq!(s.outcome("C9290"), Outcome::Fail);
    // Dates saved as plain numbers still read back.
    assert_eq!(
        s.result("C9297").unwrap().updated_at.map(|t| t.timestamp()),
        e.ws.session()
            .result("C9297")
            .unwrap()
            .updated_at
            .map(|t| t.timestamp())
    );

    // With a session beside it, the workbook's results are taken only when asked.
    let mark = scimplan(&e.dir, &["mark", arg, "C9297", "blocked"]);
    assert!(mark.status.success(), "{}", stderr(&mark));
    scimplan(&e.dir, &["status", arg]);
    assert_eq!(session_at(&session_path).outcome("C9297"), Outcome::Blocked);
    // Asked, it takes them, except where the session changed after the export (the Blocked
    // above): that newer result is kept and reported.
    let out = scimplan(&e.dir, &["status", arg, "--import-results"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(C9297): the session's result (Blocked"),
        "{}",
        stderr(&out)
    );
    assert_eq!(session_at(&session_path).outcome("C9297"), Outcome::Blocked);
}

#[test]
fn re_exporting_an_export_keeps_one_set_of_added_columns() {
    let Some(e) = exported() else { return };
    let first = std::fs::read(&e.export).unwrap();
    let again = e.dir.join("again.xlsx");
    let out = scimplan(
        &e.dir,
        &[
            "export",
            e.export.to_str().unwrap(),
            "-o",
            again.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), again.display().to_string());
    let reread = load_plan(&again).unwrap();
    assert_eq!(reread.columns.len(), 6);
    assert_eq!(reread.recorded.as_ref().unwrap().first_col, 6);
    let rows_a = read_sheet(&e.export, &e.ws.plan.sheet);
    let rows_b = read_sheet(&again, &e.ws.plan.sheet);
    assert_eq!(rows_a[0], rows_b[0], "same header, no duplicated columns");
    assert_eq!(rows_b[0].len(), 12);
    for (a, b) in rows_a.iter().zip(&rows_b) {
        assert_eq!(a[..9], b[..9]);
    }

    // The default name of a re-export never is the input itself.
    let out = scimplan(&e.dir, &["export", e.export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = PathBuf::from(stdout(&out).trim());
    assert_ne!(written, e.export);
    assert!(
        written.to_string_lossy().ends_with("-2.xlsx"),
        "{}",
        written.display()
    );
    assert_eq!(
        std::fs::read(&e.export).unwrap(),
        first,
        "the input is untouched"
    );
}

#[test]
fn export_never_overwrites_the_input() {
    let Some(e) = exported() else { return };
    let before = std::fs::read(&e.source).unwrap();
    let arg = e.source.to_str().unwrap();
    let out = scimplan(&e.dir, &["export", arg, "-o", arg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("scimplan never overwrites it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&e.source).unwrap(), before);

    let out = scimplan(&e.dir, &["export", arg, "-o", "/nonexistent-dir/out.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write the completed workbook"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn extra_columns_and_a_lower_header_row_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("custom.xlsx");
    let header = [
        "Case ID",
        "Title",
        "Section",
        "Steps",
        "Owner",
        "Expected Result",
    ];
    let mut rows: Vec<Vec<String>> = vec![vec!["Acme test plan".into()], vec![]];
    rows.push(header.iter().map(|s| s.to_string()).collect());
    rows.push(
        [
            "C1",
            "First",
            "Create Users",
            "1. Do",
            "=not a formula",
            "Done",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    common::write_workbook(
        &plan_path,
        &[common::SheetSpec {
            name: "Cases",
            rows,
        }],
    );
    let arg = plan_path.to_str().unwrap();
    assert!(
        scimplan(dir.path(), &["mark", arg, "C1", "pass"])
            .status
            .success()
    );
    let out_path = dir.path().join("out.xlsx");
    let out = scimplan(
        dir.path(),
        &["export", arg, "-o", out_path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read_sheet(&out_path, "Cases");
    let header_out: Vec<String> = rows[0].iter().map(text).collect();
    let mut expected: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    expected.extend(ADDED_HEADERS.iter().map(|s| s.to_string()));
    assert_eq!(header_out, expected);
    assert_eq!(text(&rows[1][4]), "=not a formula");
    assert_eq!(text(&rows[1][6]), "Pass");
    let reread = load_plan(&out_path).unwrap();
    let headers: Vec<&str> = reread.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(headers, header);
    assert_eq!(reread.recorded.unwrap().rows[0].result.as_text(), "Pass");

    let out = scimplan(dir.path(), &["status", arg, "--import-results"]);
    assert!(
        stderr(&out).contains("is not a completed workbook"),
        "{}",
        stderr(&out)
    );
}

/// One part of the .xlsx package, read with python3's zipfile (tests/run.sh needs python3).
fn package_part(xlsx: &Path, part: &str) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
        ])
        .arg(xlsx)
        .arg(part)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn plan_sheet_has_drop_down_colours_frozen_header_and_filter() {
    let Some(e) = exported() else { return };
    let xml = package_part(&e.export, "xl/worksheets/sheet1.xml");
    let last = e.ws.plan.cases.len() + 1;
    assert!(
        xml.contains(
            "<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" errorTitle=\"Not an outcome\""
        ) && xml.contains(&format!("sqref=\"G2:G{last}\"><formula1>\"Not run,Pass,Fail,Blocked,Skipped\"</formula1>")),
        "drop-down of outcomes on the Result column"
    );
    for outcome in ["Pass", "Fail", "Blocked", "Skipped"] {
        assert!(
            xml.contains(&format!("<formula>\"{outcome}\"</formula>")),
            "colour rule for {outcome}"
        );
    }
    assert!(xml.contains(&format!("<conditionalFormatting sqref=\"G2:G{last}\">")));
    assert!(xml.contains(
        "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
    ));
    assert!(xml.contains(&format!("<autoFilter ref=\"A1:L{last}\"/>")));
    // The Result header's note says how an automatic verdict is told apart (one note, not
    // one per automatic verdict).
    let comments = package_part(&e.export, "xl/comments1.xml");
    assert!(comments.contains("<comment ref=\"G1\""), "{comments}");
    assert!(comments.contains("In italics: the verdict of scimplan's automatic verification"));
    assert_eq!(comments.matches("<comment ref=").count(), 2, "{comments}");
}
