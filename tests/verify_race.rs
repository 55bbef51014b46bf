//! A check and a person at once (issue: never lose a result, part two). A `verify` polls the
//! real scim2-server for a user that is not there yet; while it polls, a person marks the case
//! from another terminal; then the user appears and the check passes. The person's outcome and
//! note are kept, the check says so and exits as for a finding, and undo never takes back a
//! change that another writer changed since. Made deterministic by the test deciding when the
//! user appears, after the check's first attempt has been seen.

mod common;
#[path = "common/scenario.rs"]
mod scenario;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use scenario::{PLAN, Scene, text};
use scim_server::ScimServer;

/// `scimplan verify` started in the background, its progress lines readable as they come.
struct Polling {
    child: Child,
    lines: Receiver<String>,
}

fn start_verify(s: &Scene, args: &[&str]) -> Polling {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(s.dir.path())
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", &s.server.token)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scimplan verify");
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Polling { child, lines }
}

impl Polling {
    /// Waits for the check's first attempt that did not hold (a hang guard, not a timing).
    fn first_attempt(&self) {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the check never reported an attempt");
            if line.contains("attempt 1:") {
                return;
            }
        }
    }

    fn finish(self) -> std::process::Output {
        let mut out = self.child.wait_with_output().unwrap();
        let rest: Vec<String> = self.lines.try_iter().collect();
        out.stderr.extend(rest.join("\n").into_bytes());
        out
    }
}

#[test]
fn a_named_check_that_loses_the_race_keeps_the_persons_result_and_says_so() {
    let server = ScimServer::start();
    let s = Scene::new(&server);
    s.done("C9290");
    let check = start_verify(
        &s,
        &[
            "verify",
            PLAN,
            "C9290",
            "--input",
            "user=bob@example.com",
            "--deadline",
            "60",
        ],
    );
    check.first_attempt();
    let out = s.run(&["mark", PLAN, "C9290", "fail", "--note", "human says fail"]);
    assert!(out.status.success(), "{}", text(&out));
    s.user("bob@example.com", "Bob", "Lee", true);
    let out = check.finish();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("C9290 PASS"), "{all}");
    assert!(
        all.contains("C9290: kept your Fail (recorded ")
            && all.contains(" by `scimplan mark`); the app now says PASS"),
        "{all}"
    );
    let session = s.session();
    let result = &session["results"]["C9290"];
    assert_eq!(result["outcome"], "fail", "{result}");
    assert_eq!(result["note"], "human says fail");
    assert_eq!(result["automatic"], serde_json::Value::Null);
    // The run is kept as evidence, saying why it left the outcome alone.
    let run = session["verify"]["runs"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(run["verdict"], "pass");
    assert!(
        run["outcome_left"]
            .as_str()
            .unwrap()
            .contains("kept your Fail"),
        "{run}"
    );
    // Nothing of the check is there for undo to take back: undo takes back the person's mark.
    let undo = s.run(&["undo", PLAN]);
    assert_eq!(
        String::from_utf8_lossy(&undo.stdout).trim(),
        "Undone: C9290: Fail with a note",
        "{}",
        text(&undo)
    );
}

#[test]
fn a_batch_check_that_loses_the_race_records_nothing_over_the_person() {
    let server = ScimServer::start();
    let s = Scene::new(&server);
    // The input is remembered by a first, failing named check, so the batch knows it.
    let out = s.verify("C9290", "1", &["user=bob@example.com"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    s.done("C9290");
    let check = start_verify(&s, &["verify", PLAN, "--deadline", "60"]);
    check.first_attempt();
    let out = s.run(&["mark", PLAN, "C9290", "blocked", "--reason", "org down"]);
    assert!(out.status.success(), "{}", text(&out));
    s.user("bob@example.com", "Bob", "Lee", true);
    let out = check.finish();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("C9290: kept your Blocked"), "{all}");
    let session = s.session();
    assert_eq!(session["results"]["C9290"]["outcome"], "blocked");
    assert_eq!(session["results"]["C9290"]["reason"], "org down");
}

#[test]
fn undo_never_takes_back_a_check_that_a_person_changed_since() {
    let server = ScimServer::start();
    let s = Scene::new(&server);
    s.user("ann@example.com", "Ann", "Lee", true);
    s.passes("C9290", &["user=ann@example.com"]);
    assert_eq!(s.outcome("C9290"), "pass");
    // A person marks it Fail from the checklist's side of things (another writer kind).
    let out = s.run(&["mark", PLAN, "C9290", "fail", "--note", "seen broken"]);
    assert!(out.status.success(), "{}", text(&out));
    // `undo` takes back the latest command's change: that mark, not the check under it.
    let undo = s.run(&["undo", PLAN]);
    assert!(
        String::from_utf8_lossy(&undo.stdout).contains("Undone: C9290: Fail with a note"),
        "{}",
        text(&undo)
    );
    assert_eq!(s.outcome("C9290"), "pass");
    // Redo, then the check's Pass is no longer what stands: a second undo of the mark's
    // redo is fine, but the check underneath cannot be taken back over the person's Fail.
    let redo = s.run(&["redo", PLAN]);
    assert!(redo.status.success(), "{}", text(&redo));
    assert_eq!(s.outcome("C9290"), "fail");
    let out = s.run(&["mark", PLAN, "C9290", "blocked"]);
    assert!(out.status.success(), "{}", text(&out));
    // Someone edits the outcome out from under the command history (the checklist): the
    // command's latest change (Blocked) is then refused, naming who changed it.
    let mut file = s.session();
    file["results"]["C9290"]["outcome"] = "pass".into();
    file["results"]["C9290"]["decided"] =
        serde_json::json!({"by": "checklist", "at": chrono::Utc::now()});
    std::fs::write(s.session_path(), serde_json::to_vec(&file).unwrap()).unwrap();
    let undo = s.run(&["undo", PLAN]);
    let words = String::from_utf8_lossy(&undo.stdout).to_string();
    assert_eq!(undo.status.code(), Some(1), "{}", text(&undo));
    assert!(
        words.starts_with("C9290 was changed by the checklist at ")
            && words.trim_end().ends_with("; not undone."),
        "{words}"
    );
    assert_eq!(s.outcome("C9290"), "pass", "nothing was taken back over it");
}
