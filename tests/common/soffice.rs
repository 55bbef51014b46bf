//! LibreOffice for the tests that check a completed workbook opens as a person would open it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `soffice` on PATH; `None` (the caller skips) unless `SCIMPLAN_REQUIRE_SOFFICE` is set, as
/// tests/run.sh sets it.
pub fn soffice() -> Option<PathBuf> {
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
pub fn convert(soffice: &Path, input: &Path, filter: &str, ext: &str, out_dir: &Path) -> PathBuf {
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

/// Width and height of each page of a PDF LibreOffice wrote (its page dictionaries are plain
/// text), in points.
pub fn page_boxes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/MediaBox")
        .filter_map(|(i, _)| {
            let rest = &text[i..];
            let open = rest.find('[')? + 1;
            let close = rest.find(']')?;
            let n: Vec<f64> = rest[open..close]
                .split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect();
            (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
        })
        .collect()
}
