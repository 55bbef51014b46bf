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
