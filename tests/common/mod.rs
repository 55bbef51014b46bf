//! Helpers shared by the integration tests: fixture workbooks written with rust_xlsxwriter,
//! the real Okta workbooks when present, and the scimplan binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rust_xlsxwriter::Workbook;

mod edit;
mod fixtures;
// Not every test binary changes sessions in memory.
#[allow(unused_imports)]
pub use edit::*;
pub use fixtures::*;
mod suite_files;
#[allow(unused_imports)]
pub use suite_files::*;
mod run_report;
#[allow(unused_imports)]
pub use run_report::RunReport;

/// Says why something is skipped, once per test process, on the process's stderr past the test
/// harness's capture, so a passing run still shows every skip.
pub fn say_skip(line: &str) {
    use std::collections::BTreeSet;
    use std::io::Write;
    use std::sync::Mutex;
    static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    if SAID
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(line.to_string())
    {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

/// The folder holding Okta's real workbooks: `SCIMPLAN_REAL_PLANS`, else `../shared/plans`
/// beside the checkout. `None` when neither exists.
pub fn real_plans_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SCIMPLAN_REAL_PLANS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/plans")),
    ];
    candidates.into_iter().flatten().find(|d| d.is_dir())
}

/// Copies a real Okta workbook into `dir` (the originals are read-only) and returns the copy.
/// Panics when the real workbooks are absent and `SCIMPLAN_REQUIRE_REAL_PLANS` is set (as in CI);
/// otherwise returns `None` so the caller can skip.
pub fn real_plan(name: &str, dir: &Path) -> Option<PathBuf> {
    let Some(source) = real_plans_dir()
        .map(|d| d.join(name))
        .filter(|p| p.is_file())
    else {
        assert!(
            std::env::var_os("SCIMPLAN_REQUIRE_REAL_PLANS").is_none(),
            "SCIMPLAN_REQUIRE_REAL_PLANS is set but {name} was not found (set SCIMPLAN_REAL_PLANS)"
        );
        say_skip(&format!(
            "skipping what needs Okta's real workbook {name}: not found (set SCIMPLAN_REAL_PLANS)"
        ));
        return None;
    };
    let target = dir.join(name);
    std::fs::copy(&source, &target).expect("copy the real workbook");
    let mut perms = std::fs::metadata(&target).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&target, perms).unwrap();
    Some(target)
}

/// The folder holding Okta's test files (Runscope exports, initial scripts):
/// `SCIMPLAN_OKTA_FILES`, else `../shared/okta` beside the checkout.
pub fn okta_files_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SCIMPLAN_OKTA_FILES").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/okta")),
    ];
    candidates.into_iter().flatten().find(|d| d.is_dir())
}

/// One of Okta's test files, read where it lies (never copied into the repo). Panics when it is
/// absent and `SCIMPLAN_REQUIRE_OKTA_FILES` is set (as in CI); otherwise `None`, so the caller
/// can skip, saying so.
pub fn okta_file(name: &str) -> Option<PathBuf> {
    let found = okta_files_dir()
        .map(|d| d.join(name))
        .filter(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("SCIMPLAN_REQUIRE_OKTA_FILES").is_none(),
            "SCIMPLAN_REQUIRE_OKTA_FILES is set but {name} was not found (set SCIMPLAN_OKTA_FILES)"
        );
        say_skip(&format!(
            "skipping what needs Okta's {name}: not found (set SCIMPLAN_OKTA_FILES)"
        ));
    }
    found
}

/// The case IDs and sections of Okta's v2 plan, in its order: what the profile and the
/// recipes key on. Titles and text are the fixture's own.
const OKTA_V2_CASES: &[(&str, &str)] = &[
    (
        "C9296",
        "Preconditions - SCIM App Setup / Add People / Add Group",
    ),
    (
        "C9297",
        "Preconditions - SCIM App Setup / Add People / Add Group",
    ),
    (
        "C9298",
        "Preconditions - SCIM App Setup / Add People / Add Group",
    ),
    (
        "C9308",
        "Preconditions - SCIM App Setup / Add People / Add Group",
    ),
    (
        "C9313",
        "Preconditions - SCIM App Setup / Add People / Add Group",
    ),
    (
        "C9314",
        "Preconditions - SCIM App Setup / Add People / Add Group",
    ),
    ("C21902", "Precondition - Provisioning and SSO"),
    ("C9306", "Precondition - Provisioning and SSO"),
    ("C9339", "Precondition - Provisioning and SSO"),
    ("C9340", "Precondition - Provisioning and SSO"),
    ("C9341", "Precondition - Provisioning and SSO"),
    ("C9342", "Precondition - Provisioning and SSO"),
    ("C9343", "Precondition - Provisioning and SSO"),
    ("C9289", "Preconditions - Attributes and Mapping"),
    ("C9344", "Preconditions - Attributes and Mapping"),
    ("C9345", "Preconditions - Attributes and Mapping"),
    ("C9299", "Preconditions - Configuration Guide"),
    ("C9290", "Create Users"),
    ("C9293", "Create Users"),
    ("C9300", "Create Users"),
    ("C9307", "Create Users"),
    ("C9334", "Create Users"),
    ("C9335", "Create Users"),
    ("C9336", "Create Users"),
    ("C9291", "Update Users"),
    ("C9309", "Update Users"),
    ("C9310", "Update Users"),
    ("C9337", "Update Users"),
    ("C9292", "Deprovision (Deactivate) Users"),
    ("C9294", "Deprovision (Deactivate) Users"),
    ("C9295", "Deprovision (Deactivate) Users"),
    ("C9311", "Deprovision (Deactivate) Users"),
    ("C9301", "Sync Password"),
    ("C9302", "Sync Password"),
    ("C9303", "Read (Import) Users"),
    ("C9304", "Read (Import) Users"),
    ("C9305", "Read (Import) Users"),
    ("C9338", "Read (Import) Groups"),
    ("C9312", "Using Group Push"),
    ("C9315", "Using Group Push"),
    ("C9316", "Using Group Push"),
    ("C9317", "Using Group Push"),
    ("C9318", "Using Group Push"),
    ("C9319", "Using Group Push"),
    ("C9320", "Using Group Push"),
    ("C9321", "Using Group Push"),
    ("C9322", "Using Group Push"),
    ("C9323", "Using Group Push"),
    ("C9324", "Using Group Push"),
    ("C9325", "Using Group Push"),
    ("C9326", "Using Group Push"),
    ("C9327", "Using Group Push"),
    ("C9328", "Using Group Push"),
    ("C9329", "Using Group Push"),
    ("C9330", "Using Group Push"),
    ("C9331", "Using Group Push"),
    ("C9332", "Using Group Push"),
    ("C9333", "Using Group Push"),
    ("C9359", "Profile Sourcing Users"),
    ("C9360", "Profile Sourcing Users"),
    ("C9361", "Profile Mastering Users"),
];

/// A generated plan with the case IDs and sections of Okta's v2 plan, for tests where the IDs
/// matter (recipes, capabilities) but Okta's own workbook is not the point. Written as
/// `name` in `dir`, so sessions get the names they would get beside the real plan.
pub fn okta_like_plan(dir: &Path, name: &str) -> PathBuf {
    let rows = OKTA_V2_CASES
        .iter()
        .map(|(id, section)| {
            case_row(
                id,
                &format!("Fixture case {id}"),
                section,
                "1. The SCIM app is set up in the test org",
                "1. Sign in to Okta as an admin\n2. Do what the case says\n3. Check the app",
                "The app shows the change",
            )
        })
        .collect();
    let path = dir.join(name);
    write_plan(&path, rows);
    path
}

/// Runs the real scimplan binary with `args` in `dir`.
pub fn scimplan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env("NO_COLOR", "1")
        .output()
        .expect("run scimplan")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A loopback port nobody listens on (bound, noted, closed), for "the app is unreachable".
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real PNG of `width`×`height` with a gradient and a few stripes (so it compresses like a
/// screenshot, not like a flat colour), written with the image crate.
pub fn write_png(path: &Path, width: u32, height: u32) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    screenshot_like(width, height)
        .save_with_format(path, image::ImageFormat::Png)
        .expect("write png");
}

/// A real JPEG (baseline, quality 80).
pub fn write_jpeg(path: &Path, width: u32, height: u32) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let file = std::fs::File::create(path).unwrap();
    let encoder =
        image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 80);
    screenshot_like(width, height)
        .write_with_encoder(encoder)
        .expect("write jpeg");
}

/// A PNG with a photo's grain (a gradient plus pseudo-random noise), so it is as large on disk
/// as a real high-resolution capture.
pub fn write_grainy_png(path: &Path, width: u32, height: u32) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut state = 0x2545_f491_u32;
    image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 48) as u8;
        image::Rgb([
            ((x * 200) / width.max(1)) as u8 + grain,
            ((y * 200) / height.max(1)) as u8 + grain / 2,
            120 + grain,
        ])
    })
    .save_with_format(path, image::ImageFormat::Png)
    .expect("write png");
}

fn screenshot_like(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        let band = (y / 40) % 2 == 0;
        let shade = ((x * 255) / width.max(1)) as u8;
        if band {
            image::Rgb([shade, 90, 200])
        } else {
            image::Rgb([240, 240 - shade / 4, 235])
        }
    })
}

/// Rewrites a workbook as someone editing it in a spreadsheet would: every sheet copied cell by
/// cell, except where `edit(sheet, row, col)` returns new text.
pub fn hand_edited(src: &Path, dst: &Path, edit: impl Fn(&str, usize, usize) -> Option<String>) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(src).unwrap();
    let mut out = Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let sheet = out.add_worksheet();
        sheet.set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r32, c16) = (r as u32, c as u16);
                if let Some(text) = edit(&name, r, c) {
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
