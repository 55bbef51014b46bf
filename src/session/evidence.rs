//! Evidence files: checked when attached (exists, readable, kind by content, size), copied into
//! the evidence folder beside the session under their content hash, so the session never
//! depends on the original staying where it was. Links are kept as they are, once checked for
//! credentials. Secrets never go in: a file or link holding the SCIM secret is refused.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::connection::{PASSWORD_ENV, TOKEN_ENV};
use super::model::Evidence;

/// What an entry whose copy is not on this machine says (see `Evidence::copy_missing`).
pub const NOT_CARRIED: &str = "not carried (attach the file again to restore it)";

/// Larger files are refused: evidence is screenshots and exports, not disk images.
pub const MAX_EVIDENCE_BYTES: u64 = 100 * 1024 * 1024;

/// What a file is, from its first bytes (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Text,
    Other,
}

impl EvidenceKind {
    /// Sniffs the kind from the content.
    pub fn of(bytes: &[u8]) -> EvidenceKind {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            EvidenceKind::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            EvidenceKind::Jpeg
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            EvidenceKind::Gif
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            EvidenceKind::Webp
        } else if bytes.starts_with(b"%PDF-") {
            EvidenceKind::Pdf
        } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
            EvidenceKind::Text
        } else {
            EvidenceKind::Other
        }
    }

    pub const ALL: [EvidenceKind; 7] = [
        EvidenceKind::Png,
        EvidenceKind::Jpeg,
        EvidenceKind::Gif,
        EvidenceKind::Webp,
        EvidenceKind::Pdf,
        EvidenceKind::Text,
        EvidenceKind::Other,
    ];

    /// The kind a label names (as the completed workbook writes it).
    pub fn from_label(label: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL.into_iter().find(|k| k.label() == label)
    }

    pub fn is_image(self) -> bool {
        matches!(
            self,
            EvidenceKind::Png | EvidenceKind::Jpeg | EvidenceKind::Gif | EvidenceKind::Webp
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Png => "PNG image",
            EvidenceKind::Jpeg => "JPEG image",
            EvidenceKind::Gif => "GIF image",
            EvidenceKind::Webp => "WebP image",
            EvidenceKind::Pdf => "PDF",
            EvidenceKind::Text => "text",
            EvidenceKind::Other => "file",
        }
    }

    /// The extension of the stored copy; text and other files keep their own.
    pub fn extension(self, original: &Path) -> String {
        let fixed = match self {
            EvidenceKind::Png => "png",
            EvidenceKind::Jpeg => "jpg",
            EvidenceKind::Gif => "gif",
            EvidenceKind::Webp => "webp",
            EvidenceKind::Pdf => "pdf",
            EvidenceKind::Text | EvidenceKind::Other => {
                let own: String = original
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(8)
                    .collect();
                return match (own.is_empty(), self) {
                    (false, _) => own,
                    (true, EvidenceKind::Text) => "txt".into(),
                    (true, _) => "bin".into(),
                };
            }
        };
        fixed.into()
    }
}

/// The stored copy of an evidence file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// The copy's file name inside the evidence folder: `<sha256>.<ext>`.
    pub stored: String,
    pub kind: EvidenceKind,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Error, PartialEq)]
pub enum EvidenceError {
    #[error("nothing to attach: give a file path or an http(s) link.")]
    Nothing,
    #[error(
        "{input}: {scheme} links are not taken as evidence: give an http or https link, or a file path. Nothing was attached."
    )]
    NotHttpLink { input: String, scheme: String },
    #[error(
        "{input}: not a whole link ({reason}): give it as the browser shows it, e.g. https://example.com/run/1. Nothing was attached."
    )]
    BadLink { input: String, reason: String },
    #[error("{path}: no such file. Nothing was attached: check the path.")]
    Missing { path: String },
    #[error("{path}: cannot be read ({reason}). Nothing was attached.")]
    Unreadable { path: String, reason: String },
    #[error("{path} is a folder: attach a file inside it. Nothing was attached.")]
    Folder { path: String },
    #[error("{path} is empty: an empty file proves nothing. Nothing was attached.")]
    Empty { path: String },
    #[error(
        "{path} is {size} bytes, more than the {limit} MiB evidence can be: attach a link to it instead. Nothing was attached."
    )]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error(
        "{what} holds the SCIM secret: secrets never go in evidence. Remove it (or take the screenshot without it) and attach again. Nothing was attached."
    )]
    HoldsSecret { what: String },
    #[error(transparent)]
    LinkWithCredentials(#[from] super::links::CredentialsInUrl),
    #[error(
        "cannot copy {path} into the evidence folder {folder}: {reason}. Nothing was attached."
    )]
    Store {
        path: String,
        folder: String,
        reason: String,
    },
}

/// The evidence folder of the session at `session_path`: `<stem>.scimplan-evidence` beside it.
pub fn evidence_dir(session_path: &Path) -> PathBuf {
    let name = session_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".scimplan.json")
        .map(str::to_string)
        .or_else(|| {
            session_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "plan".into());
    session_path.with_file_name(format!("{stem}.scimplan-evidence"))
}

/// The secret values set in the environment (the ones `verify` reads), to keep out of evidence.
pub fn secrets_in_env() -> Vec<String> {
    [TOKEN_ENV, PASSWORD_ENV]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|v| v.trim().to_string())
        .filter(|v| v.len() >= 4)
        .collect()
}

/// The scheme of something typed as a link (`ftp` of `ftp://host/f`), lower-cased; `None` for
/// a path (a Windows drive letter has no `//`).
fn link_scheme(input: &str) -> Option<String> {
    let (scheme, _) = input.split_once("://")?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Where a link's secret goes instead: nowhere in evidence.
const CREDENTIALS_INSTEAD: &str = "Nothing was attached: credentials never go in evidence. Attach a link that opens without a password, or a file (a saved page, a screenshot).";

/// What typed as a link cannot be one: another scheme than http(s) (`file://` is a path), no
/// host, or a space (a browser's address never has one: it is two things pasted together, or a
/// link cut short).
fn refuse_link(input: &str) -> Result<(), EvidenceError> {
    let Some(scheme) = link_scheme(input) else {
        return Ok(());
    };
    // A user name or password is refused first, and never repeated in a message.
    super::links::refuse_credentials("The link", input, CREDENTIALS_INSTEAD)?;
    let shown = input.to_string();
    let bad = |reason: &str| EvidenceError::BadLink {
        input: shown.clone(),
        reason: reason.to_string(),
    };
    match scheme.as_str() {
        "file" => Ok(()),
        "http" | "https" if input.chars().any(char::is_whitespace) => {
            Err(bad("it has a space in it; write a space as %20"))
        }
        "http" | "https" => match url::Url::parse(input) {
            Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            Ok(_) => Err(bad("it names no host")),
            Err(url::ParseError::EmptyHost) => Err(bad("it names no host")),
            Err(e) => Err(bad(&e.to_string())),
        },
        _ => Err(EvidenceError::NotHttpLink {
            input: shown.clone(),
            scheme,
        }),
    }
}

/// A link as typed: http(s) only.
fn as_link(input: &str) -> Option<url::Url> {
    let url = url::Url::parse(input).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// What the tester typed or pasted, as a path: quotes and backslash escapes a terminal adds to
/// dropped files removed, `~` expanded, `file://` links read as paths.
pub fn typed_path(input: &str) -> PathBuf {
    let trimmed = input.trim();
    let unquoted = ['\'', '"']
        .iter()
        .find_map(|q| {
            trimmed
                .strip_prefix(*q)
                .and_then(|rest| rest.strip_suffix(*q))
        })
        .map(str::to_string)
        .unwrap_or_else(|| trimmed.replace("\\ ", " "));
    if let Ok(url) = url::Url::parse(&unquoted)
        && url.scheme() == "file"
        && let Ok(path) = url.to_file_path()
    {
        return path;
    }
    if let Some(rest) = unquoted.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(unquoted)
}

/// What the tester gave, checked and read, not yet stored.
pub struct Checked {
    entry: Evidence,
    /// A file's content, to copy into the evidence folder.
    bytes: Option<Vec<u8>>,
}

impl Checked {
    /// Copies the file (if any) into `folder` and returns the entry to record.
    pub fn store(self, folder: &Path) -> Result<Evidence, EvidenceError> {
        if let (Some(bytes), Some(file)) = (&self.bytes, &self.entry.file) {
            store(folder, &file.stored, bytes).map_err(|e| EvidenceError::Store {
                path: self.entry.reference.clone(),
                folder: folder.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(self.entry)
    }
}

/// Checks and copies in one go (see `check`); on any refusal nothing is written.
pub fn attach(
    input: &str,
    folder: &Path,
    secrets: &[String],
    caption: &str,
) -> Result<Evidence, EvidenceError> {
    check(input, secrets, caption)?.store(folder)
}

/// Checks what the tester gave: an http(s) link (no credentials), or a file that exists, can
/// be read, is not empty nor too large, and does not hold a secret; sniffs its kind and hashes
/// it. Writes nothing, so a batch can be checked whole before any of it is stored.
pub fn check(input: &str, secrets: &[String], caption: &str) -> Result<Checked, EvidenceError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(EvidenceError::Nothing);
    }
    refuse_link(input)?;
    let holds_secret = |text: &[u8]| {
        secrets
            .iter()
            .filter(|s| s.len() >= 4)
            .any(|s| text.windows(s.len()).any(|w| w == s.as_bytes()))
    };
    if let Some(url) = as_link(input) {
        super::links::refuse_credentials("The link", url.as_str(), CREDENTIALS_INSTEAD)?;
        if holds_secret(input.as_bytes()) {
            return Err(EvidenceError::HoldsSecret {
                what: "the link".into(),
            });
        }
        return Ok(Checked {
            entry: Evidence {
                added_at: Utc::now(),
                reference: input.to_string(),
                caption: caption.to_string(),
                file: None,
            },
            bytes: None,
        });
    }
    let path = typed_path(input);
    let shown = path.display().to_string();
    let meta = fs::metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => EvidenceError::Missing {
            path: shown.clone(),
        },
        _ => EvidenceError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        },
    })?;
    if meta.is_dir() {
        return Err(EvidenceError::Folder { path: shown });
    }
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge {
            path: shown,
            size: meta.len(),
            limit: MAX_EVIDENCE_BYTES / 1024 / 1024,
        });
    }
    let bytes = fs::read(&path).map_err(|e| EvidenceError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    if bytes.is_empty() {
        return Err(EvidenceError::Empty { path: shown });
    }
    if holds_secret(&bytes) {
        return Err(EvidenceError::HoldsSecret { what: shown });
    }
    let kind = EvidenceKind::of(&bytes);
    let sha256 = hex(&Sha256::digest(&bytes));
    let stored = format!("{sha256}.{}", kind.extension(&path));
    let original = path
        .canonicalize()
        .unwrap_or_else(|_| path.clone())
        .display()
        .to_string();
    Ok(Checked {
        entry: Evidence {
            added_at: Utc::now(),
            reference: original,
            caption: caption.to_string(),
            file: Some(EvidenceFile {
                stored,
                kind,
                size: bytes.len() as u64,
                sha256,
            }),
        },
        bytes: Some(bytes),
    })
}

/// Writes `bytes` as `folder/name` unless a complete copy is already there (same name, same
/// content: the name is the content's hash).
pub fn store(folder: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    fs::create_dir_all(folder)?;
    let target = folder.join(name);
    if fs::metadata(&target).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(target);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".incoming.")
        .tempfile_in(folder)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(target)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A size as people read it: 812 B, 14.2 KB, 3.1 MB.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
    }
}

impl Evidence {
    /// The name shown for the entry: the original file's name, or the link.
    pub fn name(&self) -> String {
        match &self.file {
            Some(_) => Path::new(&self.reference)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.reference.clone()),
            None => self.reference.clone(),
        }
    }

    /// The stored copy's path, for an entry that has one.
    pub fn stored_path(&self, folder: &Path) -> Option<PathBuf> {
        self.file.as_ref().map(|f| folder.join(&f.stored))
    }

    /// A file whose copy is not in `folder`: resumed from a completed workbook on another
    /// machine (PDFs and other files are listed there, not carried), or deleted.
    pub fn copy_missing(&self, folder: &Path) -> bool {
        self.stored_path(folder).is_some_and(|p| !p.is_file())
    }

    /// One line: kind, size and name (`PNG image · 14.2 KB · login.png`).
    pub fn describe(&self) -> String {
        match &self.file {
            Some(file) => format!(
                "{} · {} · {}",
                file.kind.label(),
                human_size(file.size),
                self.name()
            ),
            None if as_link(&self.reference).is_some() => format!("link · {}", self.reference),
            None => self.reference.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_content_not_the_name() {
        assert_eq!(
            EvidenceKind::of(b"\x89PNG\r\n\x1a\n...."),
            EvidenceKind::Png
        );
        assert_eq!(
            EvidenceKind::of(&[0xFF, 0xD8, 0xFF, 0xE0]),
            EvidenceKind::Jpeg
        );
        assert_eq!(EvidenceKind::of(b"GIF89a.."), EvidenceKind::Gif);
        assert_eq!(
            EvidenceKind::of(b"RIFF\0\0\0\0WEBPVP8 "),
            EvidenceKind::Webp
        );
        assert_eq!(EvidenceKind::of(b"%PDF-1.4\n"), EvidenceKind::Pdf);
        assert_eq!(EvidenceKind::of("grün\n".as_bytes()), EvidenceKind::Text);
        assert_eq!(EvidenceKind::of(b"a\0b"), EvidenceKind::Other);
        assert_eq!(EvidenceKind::of(&[0xC3]), EvidenceKind::Other);
    }

    #[test]
    fn the_folder_sits_beside_the_session() {
        assert_eq!(
            evidence_dir(Path::new("/t/plan.scimplan.json")),
            PathBuf::from("/t/plan.scimplan-evidence")
        );
        assert_eq!(
            evidence_dir(Path::new("/t/mine.json")),
            PathBuf::from("/t/mine.scimplan-evidence")
        );
    }

    #[test]
    fn typed_paths_lose_what_terminals_add() {
        assert_eq!(typed_path("'/a b/c.png' "), PathBuf::from("/a b/c.png"));
        assert_eq!(typed_path("/a\\ b/c.png"), PathBuf::from("/a b/c.png"));
        assert_eq!(
            typed_path("file:///a%20b/c.png"),
            PathBuf::from("/a b/c.png")
        );
    }

    #[test]
    fn links_with_credentials_or_secrets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = attach("https://ann:pw-4242@example.com/x", dir.path(), &[], "").unwrap_err();
        assert!(
            matches!(err, EvidenceError::LinkWithCredentials(ref e) if !e.to_string().contains("pw-4242") && e.to_string().contains("Nothing was attached"))
        );
        let secrets = vec!["tok-123456".to_string()];
        let err = attach(
            "https://example.com/?t=tok-123456",
            dir.path(),
            &secrets,
            "",
        );
        assert!(matches!(err, Err(EvidenceError::HoldsSecret { .. })));
        let ok = attach("https://example.com/run/1", dir.path(), &secrets, "").unwrap();
        assert!(ok.file.is_none());
    }

    #[test]
    fn a_file_is_copied_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ev");
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        fs::write(&a, "same").unwrap();
        fs::write(&b, "same").unwrap();
        let first = attach(a.to_str().unwrap(), &folder, &[], "").unwrap();
        let second = attach(b.to_str().unwrap(), &folder, &[], "").unwrap();
        assert_eq!(first.file, second.file);
        assert_eq!(fs::read_dir(&folder).unwrap().count(), 1);
        let file = first.file.unwrap();
        assert_eq!(file.kind, EvidenceKind::Text);
        assert_eq!(file.size, 4);
        assert_eq!(file.stored, format!("{}.txt", file.sha256));
    }

    #[test]
    fn refusals_store_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ev");
        let missing = dir.path().join("nope.png");
        assert!(matches!(
            attach(missing.to_str().unwrap(), &folder, &[], ""),
            Err(EvidenceError::Missing { .. })
        ));
        assert!(matches!(
            attach(dir.path().to_str().unwrap(), &folder, &[], ""),
            Err(EvidenceError::Folder { .. })
        ));
        let empty = dir.path().join("empty.txt");
        fs::write(&empty, "").unwrap();
        assert!(matches!(
            attach(empty.to_str().unwrap(), &folder, &[], ""),
            Err(EvidenceError::Empty { .. })
        ));
        let leaky = dir.path().join("har.json");
        fs::write(&leaky, "Authorization: Bearer tok-123456").unwrap();
        assert!(matches!(
            attach(leaky.to_str().unwrap(), &folder, &["tok-123456".into()], ""),
            Err(EvidenceError::HoldsSecret { .. })
        ));
        assert!(!folder.exists());
    }
}
