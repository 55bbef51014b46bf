//! Hostile input, property-based: workbooks with random cell contents (control characters,
//! cells of a megabyte, right-to-left text, emoji, formulas, error cells, dates), random bytes
//! inside the zip, truncated files, and truncated or altered session files. Never a panic; a
//! workbook that loads also exports and reads back; every error names the file.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Formula, Workbook};
use scimplan::plan::profile::Requirements;
use scimplan::plan::{Profile, load_plan, load_plan_bytes};
use scimplan::report::export::workbook_bytes;
use scimplan::session::{Command, Outcome, Scope, Session, SessionStore, Writer};

/// A cell a tester, a spreadsheet or an attacker might leave in a plan.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(u32),
    Formula(String, String),
    /// Replaced by this many characters after the workbook is written (past Excel's limit).
    Huge(usize),
    Empty,
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f]{0,20}",
        Just("\u{202E}txet lanigiro\u{202C} مرحبا שלום".to_string()),
        Just("🚀👩‍💻🏳️‍🌈 ✓ ✗ 日本語".to_string()),
        Just("=HYPERLINK(\"http://evil.test\",\"x\")".to_string()),
        Just("+1 555".to_string()),
        Just("@SUM(A1)".to_string()),
        Just("C9296 [C9297] (C1) **bold** ** **".to_string()),
        "[a-z ]{0,40}\n{0,3}[\\t a-z]{0,40}",
        Just("x".repeat(32_767)),
    ]
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        4 => hostile_text().prop_map(Cell::Text),
        1 => any::<f64>().prop_map(Cell::Number),
        1 => any::<bool>().prop_map(Cell::Bool),
        1 => (1u32..2_900_000).prop_map(Cell::Date),
        1 => (
            prop_oneof![Just("=1/0"), Just("=NA()"), Just("=A1"), Just("=\"a\"&\"b\"")],
            prop_oneof![Just("#DIV/0!"), Just("#N/A"), Just("#REF!"), Just("ab"), Just("")]
        )
            .prop_map(|(f, r)| Cell::Formula(f.to_string(), r.to_string())),
        1 => (32_768usize..1_100_000).prop_map(Cell::Huge),
        2 => Just(Cell::Empty),
    ]
}

/// Writes a plan: Okta's header row, then rows of hostile cells; IDs are unique unless `raw_ids`.
fn write_hostile_plan(path: &Path, rows: &[Vec<Cell>], raw_ids: bool) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in common::OKTA_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let mut huge = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let r32 = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c16 = c as u16;
            if c == 0 && !raw_ids {
                sheet
                    .write_string(r32, 0, format!("C{}", 1000 + r))
                    .unwrap();
                continue;
            }
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(r32, c16, t).unwrap();
                }
                Cell::Number(n) => {
                    // Excel has no NaN or infinity: rust_xlsxwriter refuses them, as it should.
                    let _ = sheet.write_number(r32, c16, *n);
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r32, c16, *b).unwrap();
                }
                Cell::Date(days) => {
                    let date = ExcelDateTime::from_serial_datetime(*days as f64 / 1000.0);
                    if let Ok(date) = date {
                        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
                        sheet
                            .write_datetime_with_format(r32, c16, &date, &format)
                            .unwrap();
                    }
                }
                Cell::Formula(f, result) => {
                    let formula = Formula::new(f).set_result(result);
                    sheet.write_formula(r32, c16, formula).unwrap();
                }
                Cell::Huge(n) => {
                    let marker = format!("HUGE{r}x{c}");
                    sheet.write_string(r32, c16, &marker).unwrap();
                    huge.push((marker, *n));
                }
                Cell::Empty => {}
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let bytes = if huge.is_empty() {
        bytes
    } else {
        // Past Excel's limit: only a hand-made (or hostile) file holds such a cell.
        rewrite_part(&bytes, "xl/sharedStrings.xml", |xml| {
            let mut xml = xml.to_string();
            for (marker, n) in &huge {
                xml = xml.replace(marker, &"é".repeat(*n / 2));
            }
            xml
        })
    };
    std::fs::write(path, bytes).unwrap();
}

/// The zip with one part's text rewritten.
fn rewrite_part(bytes: &[u8], name: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let file_name = file.name().unwrap().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if file_name == name {
            content = edit(&String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(file_name, options).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn small_valid_plan() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.xlsx");
    common::write_plan(
        &path,
        (0..8)
            .map(|i| {
                common::case_row(
                    &format!("C{i}"),
                    "Title ✓",
                    "Create Users",
                    "[C0]",
                    "1. a\n2. b",
                    "ok",
                )
            })
            .collect(),
    );
    std::fs::read(&path).unwrap()
}

#[test]
fn an_id_longer_than_a_cell_can_hold_is_refused_naming_row_and_column() {
    // Found by the property below: Excel cuts a 65,536-character ID, so the completed workbook
    // named another case.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long-id.xlsx");
    write_hostile_plan(
        &path,
        &[vec![
            Cell::Huge(65_536),
            Cell::Text("t".into()),
            Cell::Text("Create Users".into()),
            Cell::Empty,
            Cell::Text("1. s".into()),
            Cell::Text("e".into()),
        ]],
        true,
    );
    let err = load_plan(&path).unwrap_err().to_string();
    assert!(
        err.contains("long-id.xlsx") && err.contains("row 2, column A") && err.contains("32768"),
        "{err}"
    );
}

fn assert_names_file(err: &dyn std::fmt::Display, file: &str) {
    let text = err.to_string();
    assert!(
        text.contains(file),
        "the error does not name {file}: {text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_cells_load_export_and_read_back(
        rows in prop::collection::vec(prop::collection::vec(cell(), 6), 1..6),
        raw_ids in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hostile.xlsx");
        write_hostile_plan(&path, &rows, raw_ids);
        match load_plan(&path) {
            Err(err) => assert_names_file(&err, "hostile.xlsx"),
            Ok(plan) => {
                let reqs = Requirements::new(&Profile::builtin(), &plan);
                let mut session = Session::new(&plan);
                for case in &plan.cases {
                    common::mark(&mut session, &plan, &case.id, Outcome::Fail);
                    common::note(&mut session, &plan, &case.id, &case.title);
                }
                let bytes = workbook_bytes(&plan, &reqs, &session, chrono::Utc::now()).unwrap();
                let again = load_plan_bytes(Path::new("export.xlsx"), bytes).unwrap();
                prop_assert_eq!(again.cases.len(), plan.cases.len());
                // IDs survive whole (a longer one than Excel holds is refused when loading).
                for (a, b) in plan.cases.iter().zip(&again.cases) {
                    prop_assert!(a.id == b.id, "ID {:.80} became {:.80}", a.id, b.id);
                    prop_assert!(a.id.chars().count() <= scimplan::plan::MAX_ID_CHARS);
                }
            }
        }
    }

    #[test]
    fn random_bytes_inside_the_zip_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = small_valid_plan();
        for (at, value) in flips {
            // Leave the zip signature alone so the damage is found inside the zip.
            let i = 4 + at.index(bytes.len() - 4);
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Err(err) = load_plan_bytes(Path::new("damaged.xlsx"), bytes) {
            assert_names_file(&err, "damaged.xlsx");
        }
    }

    #[test]
    fn truncated_or_altered_sessions_never_panic(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        truncate in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let plan_path = dir.path().join("p.xlsx");
        std::fs::write(&plan_path, small_valid_plan()).unwrap();
        let plan = load_plan(&plan_path).unwrap();
        let reqs = Requirements::new(&Profile::builtin(), &plan);
        let session_path = dir.path().join("p.scimplan.json");
        {
            let scope = Scope { plan: &plan, reqs: &reqs };
            let (mut store, _) = SessionStore::open(&session_path, scope, Writer::Checklist).unwrap();
            store.apply(Command::Mark { case: "C1".into(), outcome: Outcome::Pass, reason: None, note: None }, scope);
            store.apply(Command::Note { case: "C2".into(), note: "a note ✓".into(), was: None }, scope);
            store.apply(Command::Mark { case: "C3".into(), outcome: Outcome::Blocked, reason: Some("why".into()), note: None }, scope);
            store.apply(Command::Undo { target: None }, scope);
            store.save(scope).unwrap();
        }
        let mut bytes = std::fs::read(&session_path).unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        std::fs::write(&session_path, &bytes).unwrap();
        let scope = Scope { plan: &plan, reqs: &reqs };
        match SessionStore::open(&session_path, scope, Writer::Checklist) {
            Err(err) => assert_names_file(&err, "p.scimplan.json"),
            Ok((mut store, _)) => {
                // Whatever was read is usable: undo and redo walk it without a panic.
                for _ in 0..4 {
                    store.apply(Command::Undo { target: None }, scope);
                }
                for _ in 0..4 {
                    store.apply(Command::Redo { target: None }, scope);
                }
                let _ = workbook_bytes(&plan, &reqs, store.session(), chrono::Utc::now()).unwrap();
            }
        }
    }
}
