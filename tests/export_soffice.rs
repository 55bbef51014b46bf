//! The completed workbook opens in LibreOffice (headless) without repair, shows text as text,
//! prints every sheet one page wide in landscape, and a workbook LibreOffice saved again still
//! resumes in scimplan.
//! Needs `soffice`: tests/run.sh installs it and sets SCIMPLAN_REQUIRE_SOFFICE=1, which makes its
//! absence a failure; elsewhere the test is skipped with a message.

mod common;
#[path = "common/printing.rs"]
mod printing;
#[path = "common/soffice.rs"]
mod soffice;

use soffice::{convert, page_boxes, soffice};

use common::{WorkspaceEdits, real_plan, scimplan, stderr};
use scimplan::report::export_workspace;
use scimplan::session::{Outcome, Session, default_session_path};
use scimplan::workspace::{OpenOptions, Workspace};

#[test]
fn export_opens_in_libreoffice_and_survives_its_save() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(plan) = real_plan("okta-scim-test-plan-v2.xlsx", dir.path()) else {
        return;
    };
    let options = OpenOptions {
        tester: Some("Zoë".into()),
        ..OpenOptions::default()
    };
    let mut ws = Workspace::open(&plan, &options).unwrap();
    ws.mark("C9296", Outcome::Pass);
    ws.mark("C9297", Outcome::Fail);
    ws.note("C9297", "=1+1 must stay text; ünïcödé ✓");
    ws.mark_why("C9298", Outcome::Blocked, Some("org down"));
    ws.time_spent("C9296", 3_725);
    ws.save().unwrap();
    let export = export_workspace(&ws, Some(&dir.path().join("completed.xlsx"))).unwrap();

    let csv_dir = dir.path().join("csv");
    let csv = convert(
        &soffice,
        &export,
        "csv:Text - txt - csv (StarCalc):44,34,76",
        "csv",
        &csv_dir,
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("ID,Title,Section,Preconditions,Steps,Expected Result,Result,Notes,Tested by,Tested at,Time spent,Evidence"),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(
        text.contains("=1+1 must stay text; ünïcödé ✓"),
        "a note became a formula"
    );
    assert!(
        text.contains(",Blocked,Reason: org down,Zoë,"),
        "blocked row"
    );
    assert!(text.contains(",1:02:05,"), "time spent shown as a duration");

    // Saved again by LibreOffice, as .xlsx or as OpenDocument, the workbook still resumes.
    let resaved = [
        ("xlsx:Calc MS Excel 2007 XML", "xlsx"),
        ("ods:calc8", "ods"),
    ];
    for (filter, ext) in resaved {
        let saved = convert(&soffice, &export, filter, ext, &dir.path().join(ext));
        let out = scimplan(dir.path(), &["status", saved.to_str().unwrap()]);
        assert!(out.status.success(), "{ext}: {}", stderr(&out));
        let restored: Session =
            serde_json::from_slice(&std::fs::read(default_session_path(&saved)).unwrap()).unwrap();
        let original = &ws.session();
        for id in ["C9296", "C9297", "C9298"] {
            let (a, b) = (original.result(id).unwrap(), restored.result(id).unwrap());
            assert_eq!(a.outcome, b.outcome, "{ext} {id}");
            assert_eq!(a.note, b.note, "{ext} {id}");
            assert_eq!(a.reason, b.reason, "{ext} {id}");
            assert_eq!(a.tester, b.tester, "{ext} {id}");
            assert_eq!(
                a.updated_at.map(|t| t.timestamp()),
                b.updated_at.map(|t| t.timestamp()),
                "{ext} {id}"
            );
            assert_eq!(a.time_spent_secs, b.time_spent_secs, "{ext} {id}");
        }
    }
}

/// A hostile plan (bidi overrides, emoji, control characters, formulas as text, a title of
/// 32,000 characters, a cell past Excel's limit) exported: LibreOffice opens it and shows the
/// text as text; printed to PDF, its pages are landscape.
#[test]
fn an_exported_hostile_plan_reopens_in_libreoffice_and_prints_landscape() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("hostile.xlsx");
    common::write_plan(
        &plan,
        vec![
            common::case_row(
                "C1",
                "\u{202E}reversed\u{202C} مرحبا שלום",
                "Pre-conditions \u{7}",
                "",
                "1. tab\there\n2. 🚀👩‍💻 e\u{301}\n3. \u{1b}[31mred",
                "=HYPERLINK(\"http://evil.test\",\"click\")",
            ),
            common::case_row(
                "C2",
                &"W".repeat(32_000),
                "Create Users",
                "[C1]",
                &"日本語".repeat(3_000),
                "@SUM(A1)",
            ),
        ],
    );
    let out = scimplan(
        dir.path(),
        &["mark", "hostile.xlsx", "C1", "fail", "--note", "=1+1 ✓"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(
        dir.path(),
        &["export", "hostile.xlsx", "-o", "completed.xlsx"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let export = dir.path().join("completed.xlsx");

    let csv = convert(
        &soffice,
        &export,
        "csv:Text - txt - csv (StarCalc):44,34,76",
        "csv",
        &dir.path().join("csv"),
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("مرحبا שלום"), "RTL text lost");
    assert!(
        text.contains("=HYPERLINK(\"\"http://evil.test\"\",\"\"click\"\")"),
        "{}",
        &text[..text.len().min(600)]
    );
    assert!(text.contains("=1+1 ✓"), "a note became a formula");
    assert!(text.contains(&"W".repeat(32_000)));

    let pdf = convert(&soffice, &export, "pdf", "pdf", &dir.path().join("pdf"));
    // Every page's MediaBox is wider than tall.
    let boxes = page_boxes(&std::fs::read(&pdf).unwrap());
    assert!(!boxes.is_empty(), "no pages in the PDF");
    assert!(
        boxes.iter().all(|(w, h)| w > h),
        "pages not landscape: {boxes:?}"
    );
}

/// Every sheet of a workbook with evidence and API checks prints as a reviewer wants it: each
/// one page wide (so a few pages in all, never the SHA-256 column on pages of its own), every
/// page landscape, the pictures inside the page.
#[test]
fn every_sheet_prints_one_page_wide_in_landscape() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let xlsx = printing::workbook_with_evidence_and_checks(dir.path());
    let pdf = convert(&soffice, &xlsx, "pdf", "pdf", &dir.path().join("pdf"));
    if let Some(keep) = std::env::var_os("SCIMPLAN_KEEP_PDF") {
        std::fs::copy(&pdf, keep).unwrap();
    }
    let boxes = page_boxes(&std::fs::read(&pdf).unwrap());
    assert!(
        boxes.iter().all(|(w, h)| w > h),
        "pages not landscape: {boxes:?}"
    );
    // The plan (3 cases), the Summary, the API checks (3 runs) and the Evidence (4 entries, two
    // pictures): one page each, the Evidence two at most. Unfitted, the Evidence sheet alone
    // took 12 pages and the API checks 5.
    assert!(
        (4..=5).contains(&boxes.len()),
        "{} pages: {boxes:?}",
        boxes.len()
    );
}
