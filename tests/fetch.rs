//! `scimplan fetch` against a local HTTP server on loopback.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::thread;

use common::*;

/// Serves `body` for every request, for `requests` requests, then stops.
fn serve(body: Vec<u8>, requests: usize) -> (String, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let mut request = Vec::new();
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body).unwrap();
        }
    });
    (format!("http://{addr}/okta-scim-test-plan-v2.xlsx"), handle)
}

fn workbook_bytes(dir: &Path) -> Vec<u8> {
    let path = dir.join("source.xlsx");
    write_plan(
        &path,
        vec![case_row("C1", "One", "Create Users", "", "1. Go", "Done")],
    );
    std::fs::read(path).unwrap()
}

fn profile(dir: &Path, url: &str, sha: &str) -> String {
    let text = format!(
        "name='test'\n[[workbook]]\nversion='v2'\nfile='okta-scim-test-plan-v2.xlsx'\nurl='{url}'\nsha256='{sha}'\n"
    );
    std::fs::write(dir.join("profile.toml"), text).unwrap();
    "profile.toml".into()
}

#[test]
fn matching_download_is_saved_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bytes = workbook_bytes(d);
    let sha = scimplan::plan::fingerprint_bytes(&bytes);
    let (url, server) = serve(bytes.clone(), 1);
    let prof = profile(d, &url, &sha);
    let out = scimplan(d, &["fetch", "--profile", &prof, "--dest", "plans"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    server.join().unwrap();
    let saved = d.join("plans/okta-scim-test-plan-v2.xlsx");
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    // A second fetch does not download again (the server has stopped).
    let out = scimplan(d, &["fetch", "--profile", &prof, "--dest", "plans"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("already downloaded"));
}

#[test]
fn mismatching_download_warns_with_both_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bytes = workbook_bytes(d);
    let actual = scimplan::plan::fingerprint_bytes(&bytes);
    let expected = "0".repeat(64);
    let (url, server) = serve(bytes, 1);
    let prof = profile(d, &url, &expected);
    let out = scimplan(d, &["fetch", "--profile", &prof, "--dest", "plans"]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "a finding");
    let err = stderr(&out);
    assert!(err.contains(&actual) && err.contains(&expected), "{err}");
    assert!(d.join("plans/okta-scim-test-plan-v2.xlsx").is_file());
}

#[test]
fn a_download_that_is_not_a_plan_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (url, server) = serve(b"<html>Sign in</html>".to_vec(), 1);
    let prof = profile(d, &url, &"0".repeat(64));
    let out = scimplan(d, &["fetch", "--profile", &prof, "--dest", "plans"]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a usable test plan"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("plans/okta-scim-test-plan-v2.xlsx").exists());
}

#[test]
fn offline_says_how_to_pass_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A port nobody listens on: bind, note it, close.
    let port = common::unused_port();
    let prof = profile(
        d,
        &format!("http://127.0.0.1:{port}/x.xlsx"),
        &"0".repeat(64),
    );
    let out = scimplan(d, &["fetch", "--profile", &prof, "--dest", "plans"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot download") && err.contains("pass the path"),
        "{err}"
    );
}

/// Serves each path's bytes (`/name` -> bytes) until `requests` requests were answered.
fn serve_files(files: Vec<(String, Vec<u8>)>, requests: usize) -> (String, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let mut request = Vec::new();
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let head = String::from_utf8_lossy(&request).into_owned();
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            let (status, body) = match files.iter().find(|(name, _)| path == format!("/{name}")) {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", b"not here".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body).unwrap();
        }
    });
    (format!("http://{addr}"), handle)
}

const OKTA_FILES: [&str; 6] = OKTA_TEST_FILES;

/// `scimplan fetch` also downloads Okta's test files from the plan's folder, each checked against
/// the profile's SHA-256: the pinned bytes match; an edited one is saved and used, with a warning
/// naming both hashes (exit 1, like a workbook mismatch). Served: the tests' own files in Okta's
/// formats (the profile pinning their hashes), and Okta's own files when present (the built-in
/// profile's hashes, unchanged).
#[test]
fn okta_test_files_come_with_the_plan_and_are_checked() {
    fetch_checks_the_files_of(&fixture_folder(), false);
    if let Some(okta_dir) = okta_files_dir().filter(|d| d.join(OKTA_FILES[0]).is_file()) {
        fetch_checks_the_files_of(&okta_dir, true);
    } else {
        assert!(std::env::var_os("SCIMPLAN_REQUIRE_OKTA_FILES").is_none());
        say_skip(
            "skipping: `scimplan fetch` of Okta's own test files against the built-in hashes: not found (set SCIMPLAN_OKTA_FILES)",
        );
    }
}

/// The built-in profile with each test file's SHA-256 replaced by that of the file in `dir`.
fn pinning_the_files_of(profile: &str, dir: &Path) -> String {
    let mut current = None;
    let mut lines = Vec::new();
    for line in profile.lines() {
        if let Some(name) = line
            .strip_prefix("file = \"")
            .and_then(|rest| rest.strip_suffix('"'))
        {
            current = OKTA_FILES.iter().find(|f| **f == name).copied();
        }
        match current {
            Some(name) if line.starts_with("sha256 = \"") => {
                let bytes = std::fs::read(dir.join(name)).unwrap();
                lines.push(format!(
                    "sha256 = \"{}\"",
                    scimplan::runscope::sha256_hex(&bytes)
                ));
                current = None;
            }
            _ => lines.push(line.to_string()),
        }
    }
    lines.join("\n") + "\n"
}

fn fetch_checks_the_files_of(okta_dir: &Path, okta: bool) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let workbook = workbook_bytes(d);
    let mut files: Vec<(String, Vec<u8>)> = OKTA_FILES
        .iter()
        .map(|name| {
            (
                name.to_string(),
                std::fs::read(okta_dir.join(name)).unwrap(),
            )
        })
        .collect();
    files.push(("okta-scim-test-plan-v2.xlsx".into(), workbook.clone()));
    let (base, server) = serve_files(files.clone(), 7);
    // The built-in profile, pointed at the loopback folder.
    let mut builtin =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("plans/okta-scim.toml"))
            .unwrap();
    if !okta {
        builtin = pinning_the_files_of(&builtin, okta_dir);
    }
    let pinned_spec = if okta {
        "a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899".to_string()
    } else {
        scimplan::runscope::sha256_hex(&files[0].1)
    };
    assert!(builtin.contains(&pinned_spec));
    let sha = scimplan::plan::fingerprint_bytes(&workbook);
    let profile_text = builtin
        .replace("https://developer.okta.com/standards/SCIM/SCIMFiles", &base)
        .replace(
            "90999d03eccd1cbafd662a94b53c55d5e7e8cd405fa6589b6becd9c308825ce0",
            &sha,
        );
    std::fs::write(d.join("profile.toml"), &profile_text).unwrap();
    let out = scimplan(
        d,
        &["fetch", "--profile", "profile.toml", "--dest", "plans"],
    );
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    for name in OKTA_FILES {
        assert_eq!(
            std::fs::read(d.join("plans").join(name)).unwrap(),
            std::fs::read(okta_dir.join(name)).unwrap(),
            "{name}"
        );
    }

    // Okta edits its files: an edited SPEC file is saved and used, with a warning.
    let spec = files.iter_mut().find(|(n, _)| n == OKTA_FILES[0]).unwrap();
    spec.1.extend_from_slice(b"\n");
    let edited = scimplan::runscope::sha256_hex(&spec.1);
    let edited_bytes = spec.1.clone();
    let (base2, server) = serve_files(files, 7);
    std::fs::write(d.join("profile.toml"), profile_text.replace(&base, &base2)).unwrap();
    let out = scimplan(
        d,
        &[
            "fetch",
            "--profile",
            "profile.toml",
            "--dest",
            "plans",
            "--force",
        ],
    );
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&edited) && err.contains(&pinned_spec), "{err}");
    assert_eq!(
        std::fs::read(d.join("plans").join(OKTA_FILES[0])).unwrap(),
        edited_bytes,
        "the edited file is kept and used"
    );
}

/// A login page served in place of Okta's file is not saved.
#[test]
fn a_page_in_place_of_okta_file_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (base, server) = serve_files(
        vec![(
            "Okta-SCIM-20-SPEC-Test.json".into(),
            b"<html>Sign in</html>".to_vec(),
        )],
        1,
    );
    let text = format!(
        "name='test'\n[[test_file]]\nkey='spec'\nfile='Okta-SCIM-20-SPEC-Test.json'\nurl='{base}/Okta-SCIM-20-SPEC-Test.json'\nsha256='{}'\n[[workbook]]\nversion='v2'\nfile='okta-scim-test-plan-v2.xlsx'\nurl='{base}/x.xlsx'\nsha256='{}'\n",
        "0".repeat(64),
        "0".repeat(64)
    );
    std::fs::write(d.join("profile.toml"), text).unwrap();
    std::fs::create_dir_all(d.join("plans")).unwrap();
    // The workbook is already there, so only the test file is asked for.
    std::fs::write(
        d.join("plans/okta-scim-test-plan-v2.xlsx"),
        workbook_bytes(d),
    )
    .unwrap();
    let out = scimplan(
        d,
        &["fetch", "--profile", "profile.toml", "--dest", "plans"],
    );
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("did not give Okta's Okta-SCIM-20-SPEC-Test.json")
            && err.contains("nothing was saved"),
        "{err}"
    );
    assert!(!d.join("plans/Okta-SCIM-20-SPEC-Test.json").exists());
}
