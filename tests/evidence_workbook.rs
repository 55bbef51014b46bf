//! Evidence travels with the completed workbook: real PNG and JPEG files (one of several
//! thousand pixels a side), a PDF-like and a text file attached from the real binary, exported,
//! found inside the workbook package, opened by LibreOffice, and resumed into a new session on
//! another "machine" (a fresh folder, the originals deleted) with the pictures back on disk.

mod common;
#[path = "common/soffice.rs"]
mod soffice;

use soffice::{convert, soffice};
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use scimplan::session::{EvidenceKind, Outcome, Session, default_session_path, evidence_dir};
use sha2::{Digest, Sha256};

fn session_of(plan: &Path) -> Session {
    serde_json::from_slice(&std::fs::read(default_session_path(plan)).unwrap()).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn evidence_is_embedded_in_the_workbook_and_comes_back_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = common::okta_like_plan(d, "plan.xlsx");
    let shots = d.join("shots");
    let small = shots.join("assignment.png");
    let large = shots.join("admin console full.png");
    let photo = shots.join("app users.jpg");
    let pdf = shots.join("audit.pdf");
    let log = shots.join("scim.log");
    common::write_png(&small, 640, 400);
    common::write_grainy_png(&large, 4000, 3000);
    common::write_jpeg(&photo, 800, 600);
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
    )
    .unwrap();
    std::fs::write(&log, "POST /scim/v2/Users 201\n").unwrap();
    let large_bytes = std::fs::metadata(&large).unwrap().len();

    let attach = |case: &str, files: &[&Path]| {
        let mut args = vec!["evidence".to_string(), "plan.xlsx".into(), case.into()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::scimplan(d, &args);
        assert!(out.status.success(), "{}", common::stderr(&out));
    };
    attach("C9290", &[&small, &large]);
    attach("C9291", &[&photo, &pdf, &log]);
    let out = common::scimplan(
        d,
        &["mark", "plan.xlsx", "C9290", "pass", "--tester", "Ann"],
    );
    assert!(out.status.success());
    let out = common::scimplan(d, &["mark", "plan.xlsx", "C9291", "fail", "--app", "Acme"]);
    assert!(out.status.success());
    let before = session_of(&plan);

    // Reopened by another command, exported.
    let out = common::scimplan(d, &["status", "plan.xlsx"]);
    assert!(out.status.success());
    let done = d.join("out/done.xlsx");
    std::fs::create_dir_all(done.parent().unwrap()).unwrap();
    let out = common::scimplan(d, &["export", "plan.xlsx", "-o", done.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let size = std::fs::metadata(&done).unwrap().len();
    eprintln!(
        "figure: completed workbook {} KB with a {}×{} PNG of {} KB attached",
        size / 1024,
        4000,
        3000,
        large_bytes / 1024
    );

    // Inside the package: the three pictures (the small PNG and the JPEG byte for byte, the
    // large one downscaled), none of the PDF or text.
    let mut book = open_workbook_auto(&done).unwrap();
    let pictures = book.pictures().expect("pictures in xl/media");
    assert_eq!(
        pictures.len(),
        3,
        "{:?}",
        pictures.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    let hashes: Vec<String> = pictures.iter().map(|(_, data)| sha256_hex(data)).collect();
    let file_of = |case: &str, n: usize| {
        before.result(case).unwrap().evidence[n]
            .file
            .clone()
            .unwrap()
    };
    assert!(
        hashes.contains(&file_of("C9290", 0).sha256),
        "the small PNG as it is"
    );
    assert!(
        hashes.contains(&file_of("C9291", 0).sha256),
        "the JPEG as it is"
    );
    assert!(
        !hashes.contains(&file_of("C9290", 1).sha256),
        "the large PNG is downscaled"
    );
    let kept = [file_of("C9290", 0).sha256, file_of("C9291", 0).sha256];
    let scaled = pictures
        .iter()
        .find(|(_, data)| !kept.contains(&sha256_hex(data)))
        .unwrap();
    let scaled_image = image::load_from_memory(&scaled.1).unwrap();
    assert_eq!((scaled_image.width(), scaled_image.height()), (1600, 1200));
    assert!(
        size < large_bytes,
        "the workbook ({size} B) is smaller than the large image alone ({large_bytes} B)"
    );

    // The Evidence sheet: grouped by case with ID, title and outcome; files with size and hash.
    let sheet = book.worksheet_range("Evidence").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "Case");
    let pdf_row = rows
        .iter()
        .find(|r| r.get(5).is_some_and(|n| n == "audit.pdf"))
        .unwrap();
    assert_eq!(pdf_row[0], "C9291");
    assert_eq!(pdf_row[2], "Fail");
    assert_eq!(pdf_row[4], "PDF");
    assert_eq!(pdf_row[7], file_of("C9291", 1).sha256);
    let first = rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "C9290"))
        .unwrap();
    assert_eq!(first[1], "Fixture case C9290");
    assert_eq!(first[2], "Pass");
    // The case row's Evidence cell links to the block.
    let plan_sheet = book.worksheet_range("Sheet1").unwrap();
    let evidence_col = plan_sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| c == &Data::String("Evidence".into()))
        .unwrap();
    let c9290_row = plan_sheet
        .rows()
        .find(|r| r[0] == Data::String("C9290".into()))
        .unwrap();
    assert!(
        c9290_row[evidence_col]
            .to_string()
            .contains("assignment.png")
    );
    drop(book);
    let sheet_xml = unzip_entry(&done, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("location=\"'Evidence'!A"),
        "an internal link to the block"
    );
    // File names, sizes, hashes and kinds travel; the tester's local paths never do.
    let local = d.display().to_string();
    let real = d.canonicalize().unwrap().display().to_string();
    for part in zip_names(&done) {
        if part.ends_with(".xml") || part.ends_with(".rels") {
            let text = unzip_entry(&done, &part);
            assert!(
                !text.contains(&local) && !text.contains(&real) && !text.contains("shots/"),
                "{part} carries a local path"
            );
        }
    }

    // LibreOffice opens it and keeps the pictures when it saves it again.
    if let Some(soffice) = soffice() {
        let lo = d.join("lo");
        std::fs::create_dir_all(&lo).unwrap();
        let pdf_out = convert(&soffice, &done, "pdf", "pdf", &lo);
        assert!(std::fs::metadata(&pdf_out).unwrap().len() > 0);
        let resaved = convert(
            &soffice,
            &done,
            "xlsx:Calc MS Excel 2007 XML",
            "xlsx",
            &lo.join("x"),
        );
        let mut book = open_workbook_auto(&resaved).unwrap();
        assert_eq!(
            book.pictures().map_or(0, |p| p.len()),
            3,
            "LibreOffice kept the pictures"
        );
        assert!(book.worksheet_range("Evidence").is_ok());
    }

    // A colleague gets only the workbook: a fresh folder, the originals gone.
    std::fs::remove_dir_all(&shots).unwrap();
    let other = tempfile::tempdir().unwrap();
    let received = other.path().join("done.xlsx");
    std::fs::copy(&done, &received).unwrap();
    let out = common::scimplan(other.path(), &["status", "done.xlsx"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("restored 5 evidence entries (3 pictures"),
        "{}",
        common::stderr(&out)
    );
    let resumed = session_of(&received);
    let folder = evidence_dir(&default_session_path(&received));
    for case in ["C9290", "C9291"] {
        let a = &before.result(case).unwrap().evidence;
        let b = &resumed.result(case).unwrap().evidence;
        assert_eq!(a.len(), b.len(), "{case}");
        for (x, y) in a.iter().zip(b) {
            // The original path stays with the tester's session; the workbook names the file.
            assert!(Path::new(&x.reference).is_absolute(), "{}", x.reference);
            assert_eq!(x.name(), y.reference);
            assert_eq!(x.added_at.timestamp(), y.added_at.timestamp());
        }
    }
    // Full-size pictures come back byte for byte under the same hash.
    for (case, n) in [("C9290", 0), ("C9291", 0)] {
        let original = file_of(case, n);
        let back = resumed.result(case).unwrap().evidence[n]
            .file
            .clone()
            .unwrap();
        assert_eq!(back, original);
        let bytes = std::fs::read(folder.join(&back.stored)).unwrap();
        assert_eq!(sha256_hex(&bytes), original.sha256);
    }
    // The large one comes back as its downscaled picture, recorded as such.
    let large_back = resumed.result("C9290").unwrap().evidence[1]
        .file
        .clone()
        .unwrap();
    // (Grainy as a photo, it travelled as a JPEG.)
    assert_eq!(large_back.kind, EvidenceKind::Jpeg);
    assert_ne!(large_back.sha256, file_of("C9290", 1).sha256);
    assert!(folder.join(&large_back.stored).is_file());
    // The PDF and the log are listed with what was recorded of them (not carried).
    assert_eq!(
        resumed.result("C9291").unwrap().evidence[1].file,
        Some(file_of("C9291", 1))
    );
    assert_eq!(resumed.app_name(), Some("Acme"));
    // Listed as not carried, never as a copy that is not there; the pictures are there.
    let out = common::scimplan(other.path(), &["evidence", "done.xlsx", "C9291"]);
    let listed = common::stdout(&out);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let entries: Vec<&str> = listed.split("\n2. ").collect();
    assert!(!entries[0].contains("not carried"), "{listed}");
    let pdf_and_log = entries[1];
    assert_eq!(
        pdf_and_log
            .matches("not carried (attach the file again to restore it)")
            .count(),
        2,
        "{listed}"
    );
    assert!(!pdf_and_log.contains("scimplan-evidence/"), "{listed}");
    // O in the checklist says the same of the PDF.
    let ws = scimplan::workspace::Workspace::open(
        &received,
        &scimplan::workspace::OpenOptions::default(),
    )
    .unwrap();
    let mut m = scimplan::tui::open(
        ws,
        scimplan::tui::Keymap::default(),
        scimplan::tui::Settings::default(),
    );
    for _ in 0..2 {
        match m.mode() {
            scimplan::tui::Mode::Capabilities => {
                scimplan::tui::update(&mut m, scimplan::tui::Action::ConfirmCapabilities)
            }
            scimplan::tui::Mode::Identity => {
                scimplan::tui::update(&mut m, scimplan::tui::Action::Cancel)
            }
            _ => {}
        }
    }
    assert_eq!(m.mode(), scimplan::tui::Mode::Normal);
    let index = m.ws.plan.case_index("C9291").unwrap();
    m.select_case(index);
    scimplan::tui::update(&mut m, scimplan::tui::Action::NextEvidence);
    scimplan::tui::update(&mut m, scimplan::tui::Action::OpenEvidence);
    let message = m.message.clone().expect("O says something");
    assert!(
        message.text == "audit.pdf: not carried (attach the file again to restore it).",
        "{message:?}"
    );

    // The import, evidence and results together, is one undoable step, undone whole.
    let out = common::scimplan(other.path(), &["undo", "done.xlsx"]);
    assert_eq!(
        common::stdout(&out).trim(),
        "Undone: results imported from done.xlsx",
        "{}",
        common::stderr(&out)
    );
    let undone = session_of(&received);
    assert!(undone.result("C9290").is_none_or(|r| r.evidence.is_empty()));
    assert_eq!(undone.outcome("C9290"), Outcome::NotRun);
}

/// The names of the workbook package's entries.
fn zip_names(path: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    archive
        .file_names()
        .map(|name| name.unwrap().into_owned())
        .collect()
}

/// One entry of the workbook package (a zip), as text.
fn unzip_entry(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}
