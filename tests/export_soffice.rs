//! The completed workbook opens in LibreOffice (headless) without repair, shows text as text,
//! and a workbook LibreOffice saved again still resumes in scimplan.
//! Needs `soffice`: tests/run.sh installs it and sets SCIMPLAN_REQUIRE_SOFFICE=1, which makes its
//! absence a failure; elsewhere the test is skipped with a message.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{real_plan, scimplan, stderr};
use scimplan::report::export_workspace;
use scimplan::session::{Outcome, Session, default_session_path};
use scimplan::workspace::{OpenOptions, Workspace};

fn soffice() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("soffice"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("SCIMPLAN_REQUIRE_SOFFICE").is_none(),
            "SCIMPLAN_REQUIRE_SOFFICE is set but soffice is not on PATH (install libreoffice-calc-nogui)"
        );
        eprintln!("skipping: soffice not found (tests/run.sh installs libreoffice-calc-nogui)");
    }
    found
}

/// Converts `input` with LibreOffice into `out_dir`, with a profile of its own so runs do not
/// share state, and returns the converted file.
fn convert(soffice: &Path, input: &Path, filter: &str, ext: &str, out_dir: &Path) -> PathBuf {
    let profile = out_dir.join("lo-profile");
    let out = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(out_dir)
        .arg(input)
        .output()
        .expect("run soffice");
    let converted = out_dir.join(input.with_extension(ext).file_name().unwrap());
    assert!(
        out.status.success() && converted.is_file(),
        "LibreOffice could not open {}: {}{}",
        input.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    converted
}

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
    {
        let s = &mut ws.store.session;
        s.set_outcome("C9296", Outcome::Pass, None, false);
        s.set_outcome("C9297", Outcome::Fail, None, false);
        s.set_note("C9297", "=1+1 must stay text; ünïcödé ✓");
        s.set_outcome("C9298", Outcome::Blocked, Some("org down".into()), false);
        s.add_time_spent("C9296", 3_725);
    }
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
        let original = &ws.store.session;
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
