//! The other workbook formats calamine detects: .ods and .xls, made from a fixture by
//! LibreOffice headless (installed by tests/run.sh).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn soffice() -> Option<&'static str> {
    let found = Command::new("soffice").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("SCIMPLAN_REQUIRE_SOFFICE").is_none(),
            "SCIMPLAN_REQUIRE_SOFFICE is set but soffice is not installed"
        );
        eprintln!("skipping: soffice not installed");
        return None;
    }
    Some("soffice")
}

fn convert(source: &Path, format: &str, dir: &Path) -> PathBuf {
    let profile = dir.join(format!("lo-profile-{format}"));
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(dir)
        .arg(source)
        .output()
        .expect("run soffice");
    let converted = source.with_extension(format);
    assert!(
        converted.is_file(),
        "soffice did not write {}: {}",
        converted.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    converted
}

#[test]
fn ods_and_xls_plans_load_like_xlsx() {
    if soffice().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = d.join("plan.xlsx");
    write_plan(
        &source,
        vec![
            case_row(
                "C1",
                "Add People",
                "Create Users",
                "",
                "1. Add **person**\n2. Save",
                "Created",
            ),
            case_row(
                "C2",
                "Assign",
                "Using Group Push",
                "After [C1]",
                "1. Assign",
                "Assigned",
            ),
        ],
    );
    let expected = scimplan::plan::load_plan(&source).unwrap();
    for format in ["ods", "xls"] {
        let converted = convert(&source, format, d);
        let plan =
            scimplan::plan::load_plan(&converted).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(plan.cases.len(), 2, "{format}");
        for (a, b) in plan.cases.iter().zip(&expected.cases) {
            assert_eq!(
                (&a.id, &a.title, &a.section, &a.refs),
                (&b.id, &b.title, &b.section, &b.refs),
                "{format}"
            );
            assert_eq!(a.steps, b.steps, "{format}");
        }
        let file = converted.file_name().unwrap().to_str().unwrap();
        let out = scimplan(d, &["mark", file, "C2", "pass"]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
    }
}
