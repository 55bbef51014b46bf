//! The completed workbook as a person opens it: shared like any new file (the umask decides),
//! rows tall enough for their wrapped text, every sheet ready to print (landscape, one page
//! wide, header row on every page, pictures inside the printed width, Summary printable alone),
//! and recognised as the Okta plan it came from.

mod common;
#[path = "common/printing.rs"]
mod printing;

use std::io::Read;
use std::path::Path;

use common::{case_row, real_plan, scimplan, stderr, stdout, write_plan};

/// The text of one part of the xlsx zip.
fn part(xlsx: &Path, name: &str) -> String {
    let file = std::fs::File::open(xlsx).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in {}", xlsx.display()))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The `ht` attribute of row `r` (one-based) in a sheet's XML, if the row has one.
fn row_height(sheet_xml: &str, r: u32) -> Option<f64> {
    let start = sheet_xml.find(&format!("<row r=\"{r}\""))?;
    let tag = &sheet_xml[start..start + sheet_xml[start..].find('>')?];
    let ht = tag.find(" ht=\"")? + 5;
    tag[ht..ht + tag[ht..].find('"')?].parse().ok()
}

fn plan_with_long_text(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("plan.xlsx");
    write_plan(
        &path,
        vec![
            case_row("C1", "Short", "Create Users", "", "1. One step", "Done"),
            case_row(
                "C2",
                "Many steps",
                "Create Users",
                "",
                "1. a\n2. b\n3. c\n4. d\n5. e\n6. f",
                "Done",
            ),
            case_row(
                "C3",
                "Long title",
                "Create Users",
                "",
                "1. x",
                &"word ".repeat(60),
            ),
        ],
    );
    path
}

#[cfg(unix)]
#[test]
fn the_export_gets_the_permissions_the_umask_gives_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_long_text(dir.path());
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let out_name = format!("out-{umask}.xlsx");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_scimplan"))
            .args(["export", plan.to_str().unwrap(), "-o", &out_name])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(dir.path().join(&out_name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, expected, "umask {umask}: {mode:o}");
    }
    // The session stays the tester's own.
    let session = std::fs::metadata(dir.path().join("plan.scimplan.json"));
    if let Ok(meta) = session {
        assert_eq!(meta.permissions().mode() & 0o077, 0);
    }
}

#[test]
fn rows_are_as_tall_as_their_wrapped_text() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_long_text(dir.path());
    let d = dir.path();
    let out = scimplan(
        d,
        &[
            "mark",
            "plan.xlsx",
            "C1",
            "fail",
            "--note",
            "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(d, &["export", plan.to_str().unwrap(), "-o", "out.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sheet = part(&d.join("out.xlsx"), "xl/worksheets/sheet1.xml");
    // Row 2 (C1): an eight-line note; row 3 (C2): six steps; row 4 (C3): 300 characters in a
    // 50-wide column (seven lines).
    assert_eq!(row_height(&sheet, 2), Some(8.0 * 15.0), "{sheet}");
    assert_eq!(row_height(&sheet, 3), Some(6.0 * 15.0));
    let c3 = row_height(&sheet, 4).expect("a height for the long expected result");
    assert!((6.0 * 15.0..=8.0 * 15.0).contains(&c3), "{c3}");
    // The header row is one line: Excel's default height.
    assert_eq!(row_height(&sheet, 1), None);
}

#[test]
fn both_sheets_are_ready_to_print() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_with_long_text(dir.path());
    let out = scimplan(
        dir.path(),
        &["export", plan.to_str().unwrap(), "-o", "out.xlsx"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let xlsx = dir.path().join("out.xlsx");
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = part(&xlsx, sheet);
        assert!(
            xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "{sheet}: {xml}"
        );
        assert!(
            xml.contains("orientation=\"landscape\"") && xml.contains("fitToHeight=\"0\""),
            "{sheet}"
        );
    }
    let plan_sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(plan_sheet.contains("<printOptions gridLines=\"1\"/>"));
    let workbook = part(&xlsx, "xl/workbook.xml");
    // The header row repeats on every page; each sheet has its print area.
    assert!(
        workbook.contains("_xlnm.Print_Titles\" localSheetId=\"0\">Sheet1!$1:$1<"),
        "{workbook}"
    );
    assert!(workbook.contains("_xlnm.Print_Area\" localSheetId=\"0\">Sheet1!$A$1:$L$4<"));
    assert!(workbook.contains("_xlnm.Print_Area\" localSheetId=\"1\">Summary!$A$1:"));
}

#[test]
fn every_sheet_prints_like_the_plan_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = printing::workbook_with_evidence_and_checks(dir.path());
    let workbook = part(&xlsx, "xl/workbook.xml");
    let names: Vec<&str> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(names, ["Sheet1", "Summary", "API checks", "Evidence"]);
    for (i, name) in names.iter().enumerate() {
        let xml = part(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{name}");
        assert!(
            xml.contains("orientation=\"landscape\"") && xml.contains("fitToHeight=\"0\""),
            "{name}"
        );
        assert!(
            workbook.contains(&format!("_xlnm.Print_Area\" localSheetId=\"{i}\">")),
            "{name}: a print area"
        );
        if *name != "Summary" {
            // The header row on every page, the sheet's name and page in the footer.
            assert!(
                workbook.contains(&format!("_xlnm.Print_Titles\" localSheetId=\"{i}\">")),
                "{name}: {workbook}"
            );
            assert!(
                xml.contains("<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>"),
                "{name}"
            );
        }
    }
    // API checks: the first table's title and header repeat; long texts make their rows tall.
    assert!(
        workbook.contains("localSheetId=\"2\">'API checks'!$1:$2<"),
        "{workbook}"
    );
    let checks = part(&xlsx, "xl/worksheets/sheet3.xml");
    let tall = row_height(&checks, 3).expect("a height for a run with long assertions");
    assert!(tall >= 4.0 * 15.0, "{tall}");
    // Evidence: the header repeats; a case's first row is bold at the body's size (never a
    // 14-point title overlapping the row above) and tall enough for its wrapped hash.
    assert!(
        workbook.contains("localSheetId=\"3\">Evidence!$1:$1<"),
        "{workbook}"
    );
    let evidence = part(&xlsx, "xl/worksheets/sheet4.xml");
    assert!(
        row_height(&evidence, 2).is_some_and(|h| h >= 4.0 * 15.0),
        "{evidence}"
    );
    let styles = part(&xlsx, "xl/styles.xml");
    assert_eq!(
        styles.matches("<sz val=\"14\"/>").count(),
        1,
        "one title font: {styles}"
    );
    // The pictures fit inside the printed columns (B to L): none reaches past the print area.
    let drawing = part(&xlsx, "xl/drawings/drawing2.xml");
    let last_col = drawing
        .split("<xdr:to><xdr:col>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse::<u32>().unwrap())
        .max()
        .expect("pictures anchored");
    assert!(last_col <= 11, "a picture reaches column {last_col}");
}

#[test]
fn the_summary_names_the_first_hundred_blocking_cases_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan_rows(d, 150);
    let out = scimplan(d, &["export", "plan.xlsx", "-o", "out.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(d.join("out.xlsx")).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let first: Vec<String> = summary
        .rows()
        .map(|r| r.first().map(|c| c.to_string()).unwrap_or_default())
        .collect();
    let listed = first
        .iter()
        .filter(|c| c.starts_with("C1") && c.len() == 7)
        .count();
    assert_eq!(listed, 100, "{first:?}");
    assert!(
        first.iter().any(|c| c
            == "… and 50 more blocking cases: every case's result is on sheet 'Sheet1' (filter its Result column)."),
        "{first:?}"
    );
    let verdict = summary
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Verdict"))
        .map(|r| r[1].to_string())
        .unwrap();
    assert_eq!(
        verdict,
        "NOT READY: 150 blocking cases and 2 missing API suite results"
    );
}

fn write_plan_rows(dir: &Path, cases: usize) {
    common::write_plan(&dir.join("plan.xlsx"), common::large_plan_rows(cases));
}

#[test]
fn resuming_from_the_export_recognises_the_okta_plan() {
    let dir = tempfile::tempdir().unwrap();
    let Some(v2) = real_plan("okta-scim-test-plan-v2.xlsx", dir.path()) else {
        return;
    };
    let d = dir.path();
    let out = stdout(&scimplan(d, &["status", v2.to_str().unwrap()]));
    assert!(out.contains("Okta plan v2"), "{out}");
    let out = scimplan(d, &["mark", v2.to_str().unwrap(), "C9296", "pass"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        scimplan(d, &["export", v2.to_str().unwrap(), "-o", "first.xlsx"])
            .status
            .success()
    );
    let out = stdout(&scimplan(d, &["status", "first.xlsx"]));
    assert!(
        out.contains("Okta plan v2"),
        "the export is not recognised:\n{out}"
    );

    // An export of the export still names Okta's original.
    assert!(
        scimplan(d, &["export", "first.xlsx", "-o", "second.xlsx"])
            .status
            .success()
    );
    let out = stdout(&scimplan(d, &["status", "second.xlsx"]));
    assert!(out.contains("Okta plan v2"), "{out}");
    let plan = scimplan::plan::load_plan(&d.join("second.xlsx")).unwrap();
    let original = scimplan::plan::load_plan(&v2).unwrap();
    assert_eq!(plan.source_fingerprint(), original.fingerprint);
    assert_ne!(plan.fingerprint, original.fingerprint);
}

#[test]
fn a_summary_that_names_no_sha_recognises_nothing() {
    // A workbook with scimplan's columns whose Summary holds a word where the SHA-256 stands.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.xlsx");
    let mut header: Vec<String> = common::OKTA_HEADERS.iter().map(|s| s.to_string()).collect();
    header.extend(scimplan::plan::ADDED_HEADERS.iter().map(|s| s.to_string()));
    let mut row = case_row("C1", "t", "Create Users", "", "1. s", "e");
    row.push("Pass".into());
    common::write_workbook(
        &path,
        &[
            common::SheetSpec {
                name: "Plan",
                rows: vec![header, row],
            },
            common::SheetSpec {
                name: "Summary",
                rows: vec![vec!["Source SHA-256".into(), "not-a-sha".into()]],
            },
        ],
    );
    let plan = scimplan::plan::load_plan(&path).unwrap();
    assert_eq!(plan.source_fingerprint(), plan.fingerprint);
}
