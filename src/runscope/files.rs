//! Okta's test files on disk: found in the data folder, downloaded from the folder the plans come
//! from when absent, checked against the SHA-256 the profile pins. A mismatch is reported, never
//! fatal: Okta edits these files, and the edited file is the one Runscope would run.

use std::path::{Path, PathBuf};

use crate::net::http::error_chain;
use crate::net::{HttpSettings, build_client};
use crate::plan::Profile;
use crate::plan::profile::KnownTestFile;
use crate::session::write_atomic;

use super::export::{parse, sha256_hex};

/// A test file ready to use.
#[derive(Debug, Clone)]
pub struct LocalFile {
    pub path: PathBuf,
    pub sha256: String,
    /// The profile's SHA-256, when the file's differs.
    pub expected_mismatch: Option<String>,
    /// It was downloaded just now.
    pub downloaded: bool,
}

impl LocalFile {
    /// The warning a mismatch deserves, if any.
    pub fn mismatch_warning(&self) -> Option<String> {
        self.expected_mismatch.as_ref().map(|expected| {
            format!(
                "{} has SHA-256 {}, but the profile pins {expected}: Okta may have edited the file; it is used as it is.",
                self.path.display(),
                self.sha256
            )
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the profile names no test file '{key}' (known: {known})")]
    Unknown { key: String, known: String },
    #[error(
        "cannot download {file} from {url}: {why}. If you are offline, copy Okta's file into {dir} or pass it with --file PATH"
    )]
    Download {
        file: String,
        url: String,
        why: String,
        dir: String,
    },
    #[error("{url} did not give Okta's {file}: {why}; nothing was saved")]
    NotTheFile {
        file: String,
        url: String,
        why: String,
    },
    #[error("cannot save {path}: {why}")]
    Save { path: String, why: String },
}

/// The profile's entry for `key`.
pub fn known<'a>(profile: &'a Profile, key: &str) -> Result<&'a KnownTestFile, FetchError> {
    profile.test_file(key).ok_or_else(|| FetchError::Unknown {
        key: key.to_string(),
        known: profile
            .test_files
            .iter()
            .map(|f| f.key.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The file in `dir`, downloaded first when absent (or always, with `force`).
pub fn ensure(known: &KnownTestFile, dir: &Path, force: bool) -> Result<LocalFile, FetchError> {
    let path = dir.join(&known.file);
    let downloaded = force || !path.is_file();
    let bytes = if downloaded {
        let bytes = download(known, dir)?;
        std::fs::create_dir_all(dir).map_err(|e| FetchError::Save {
            path: dir.display().to_string(),
            why: e.to_string(),
        })?;
        write_atomic(&path, &bytes, false).map_err(|e| FetchError::Save {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
        bytes
    } else {
        std::fs::read(&path).map_err(|e| FetchError::Save {
            path: path.display().to_string(),
            why: format!("cannot read it: {e}"),
        })?
    };
    let sha256 = sha256_hex(&bytes);
    Ok(LocalFile {
        expected_mismatch: (!sha256.eq_ignore_ascii_case(&known.sha256))
            .then(|| known.sha256.clone()),
        path,
        sha256,
        downloaded,
    })
}

fn download(known: &KnownTestFile, dir: &Path) -> Result<Vec<u8>, FetchError> {
    let failed = |why: String| FetchError::Download {
        file: known.file.clone(),
        url: known.url.clone(),
        why,
        dir: dir.display().to_string(),
    };
    let client = build_client(&HttpSettings::download()).map_err(|e| failed(e.to_string()))?;
    let response = client
        .get(&known.url)
        .send()
        .map_err(|e| failed(error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(failed(format!("the server answered {}", response.status())));
    }
    let bytes = response
        .bytes()
        .map_err(|e| failed(error_chain(&e)))?
        .to_vec();
    // Refuse to save a login or error page in place of Okta's file.
    let not_the_file = |why: String| FetchError::NotTheFile {
        file: known.file.clone(),
        url: known.url.clone(),
        why,
    };
    if known.file.ends_with(".json") {
        parse(&bytes, &known.url).map_err(|e| not_the_file(e.to_string()))?;
    } else {
        let text = String::from_utf8_lossy(&bytes);
        if !text.contains("variables.set") {
            return Err(not_the_file(
                "it is not an initial script (no variables.set)".into(),
            ));
        }
    }
    Ok(bytes)
}

/// Okta's initial script of `key` read from `dir` (downloaded first when absent), with the
/// file as found on disk; or why it could not be had (callers fall back to scimplan's own
/// equivalent and say so).
pub fn load_okta_script(
    profile: &Profile,
    key: &str,
    dir: &Path,
) -> Result<(super::initial::InitialScript, LocalFile), String> {
    let known = known(profile, key).map_err(|e| e.to_string())?;
    let local = ensure(known, dir, false).map_err(|e| e.to_string())?;
    let script = super::initial::InitialScript::load(&local.path)?;
    Ok((script, local))
}

/// Okta's file of `key` read from `dir` (downloaded first when absent), with the profile's
/// SHA-256 and the file as found on disk.
pub fn load_okta(
    profile: &Profile,
    key: &str,
    dir: &Path,
) -> Result<(super::TestFile, LocalFile), String> {
    let known = known(profile, key).map_err(|e| e.to_string())?;
    let local = ensure(known, dir, false).map_err(|e| e.to_string())?;
    let file = super::load(&local.path).map_err(|e| e.to_string())?;
    Ok((file, local))
}
