//! `scimplan fetch [--version V] [--dest DIR] [--force]`: downloads the official Okta workbook
//! (and Okta's test files) for testers who have none; also the download of a missing plan or
//! test file for the other commands.

use std::io::Read;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use clap::Args;

use super::common::{Common, EXIT_FINDING, Failure, usage_error};
use crate::net::http::error_chain;
use crate::net::{HttpSettings, build_client};
use crate::plan::profile::KnownWorkbook;
use crate::plan::{Profile, fingerprint_bytes, load_plan_bytes};
use crate::runscope::files;
use crate::session::write_atomic;

fn load_profile(profile: Option<&Path>) -> Result<Profile, Failure> {
    Ok(match profile {
        Some(path) => Profile::load(path)?,
        None => Profile::builtin(),
    })
}

/// Where downloaded plans and Okta's test files go (see `workspace::data_dir`).
pub fn default_plan_dir() -> PathBuf {
    crate::workspace::data_dir()
}

/// What a download produced.
pub struct Fetched {
    pub path: PathBuf,
    /// The SHA-256 when it differs from the profile's.
    pub mismatch: Option<String>,
}

/// Downloads a known workbook into `dir`, checking that it is a plan and that its SHA-256
/// matches the profile (a mismatch is reported, not fatal: Okta may have updated the file).
pub fn fetch_workbook(known: &KnownWorkbook, dir: &Path) -> Result<Fetched, Failure> {
    let offline_hint = |detail: String| {
        usage_error(format!(
            "cannot download the {} plan from {}: {detail}. If you are offline, pass the path of a workbook you have instead: scimplan path/to/okta-scim-test-plan-v2.xlsx",
            known.version, known.url
        ))
    };
    let client =
        build_client(&HttpSettings::download()).map_err(|e| offline_hint(e.to_string()))?;
    let mut response = client
        .get(&known.url)
        .send()
        .map_err(|e| offline_hint(error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(offline_hint(format!(
            "the server answered {}",
            response.status()
        )));
    }
    let bar = match response.content_length() {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::no_length(),
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("Downloading {}", known.file));
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = response
            .read(&mut chunk)
            .map_err(|e| offline_hint(e.to_string()))?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
        bar.inc(n as u64);
    }
    bar.finish_and_clear();

    let path = dir.join(&known.file);
    // Refuse to save something that is not a plan (a login page, an error page).
    load_plan_bytes(&path, bytes.clone()).map_err(|e| {
        usage_error(format!(
            "the file downloaded from {} is not a usable test plan: {e}",
            known.url
        ))
    })?;
    let sha = fingerprint_bytes(&bytes);
    std::fs::create_dir_all(dir)
        .map_err(|e| usage_error(format!("cannot create {}: {e}", dir.display())))?;
    write_atomic(&path, &bytes, false)
        .map_err(|e| usage_error(format!("cannot save {}: {e}", path.display())))?;
    let mismatch = (!sha.eq_ignore_ascii_case(&known.sha256)).then_some(sha);
    Ok(Fetched { path, mismatch })
}

fn known(profile: &Profile, version: &str) -> Result<KnownWorkbook, Failure> {
    profile.workbook(version).cloned().ok_or_else(|| {
        let versions: Vec<&str> = profile
            .workbooks
            .iter()
            .map(|w| w.version.as_str())
            .collect();
        usage_error(format!(
            "the profile knows no plan version '{version}'. Known versions: {}",
            versions.join(", ")
        ))
    })
}

fn warn_mismatch(known: &KnownWorkbook, fetched: &Fetched) {
    if let Some(sha) = &fetched.mismatch {
        eprintln!(
            "warning: {} has SHA-256 {sha}, but the profile expects {} for Okta's {} plan. Okta may have updated the workbook; check it before relying on it.",
            fetched.path.display(),
            known.sha256,
            known.version
        );
    }
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Plan version from the profile (v2, v1).
    #[arg(long, default_value = "v2")]
    pub version: String,
    /// Folder to save into (default: plans/ in a checkout, else the data directory).
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,
    /// Download again even when the file is present.
    #[arg(long)]
    pub force: bool,
}

pub fn run(common: &Common, args: FetchArgs) -> Result<u8, Failure> {
    let FetchArgs {
        version,
        dest,
        force,
    } = args;
    let profile = load_profile(common.profile.as_deref())?;
    let known = known(&profile, &version)?;
    let dir = dest.unwrap_or_else(default_plan_dir);
    let path = dir.join(&known.file);
    let mut code = 0;
    if path.is_file() && !force {
        println!(
            "{} (already downloaded; --force downloads it again)",
            path.display()
        );
    } else {
        let fetched = fetch_workbook(&known, &dir)?;
        println!("{}", fetched.path.display());
        if fetched.mismatch.is_some() {
            warn_mismatch(&known, &fetched);
            code = EXIT_FINDING;
        }
    }
    // Okta's own test files come from the same folder.
    for file in &profile.test_files {
        let local = files::ensure(file, &dir, force)?;
        if local.downloaded {
            println!("{}", local.path.display());
        } else {
            println!("{} (already downloaded)", local.path.display());
        }
        if let Some(warning) = local.mismatch_warning() {
            eprintln!("warning: {warning}");
            code = EXIT_FINDING;
        }
    }
    Ok(code)
}

/// The v2 plan for `scimplan` with no PLAN: the downloaded copy, fetched first when absent.
pub fn default_plan(profile: Option<&Path>) -> Result<PathBuf, Failure> {
    let profile = load_profile(profile)?;
    let known = known(&profile, "v2")?;
    let dir = default_plan_dir();
    let path = dir.join(&known.file);
    if path.is_file() {
        return Ok(path);
    }
    eprintln!(
        "No plan given: downloading Okta's v2 test plan into {}",
        dir.display()
    );
    let fetched = fetch_workbook(&known, &dir)?;
    warn_mismatch(&known, &fetched);
    Ok(fetched.path)
}
