//! Helpers shared by the integration tests: fixture workbooks written with rust_xlsxwriter,
//! the real Okta workbooks when present, and the scimplan binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod fixtures;
pub use fixtures::*;

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
        eprintln!("skipping: real workbook {name} not found (set SCIMPLAN_REAL_PLANS)");
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
