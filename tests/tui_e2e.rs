//! The real scimplan binary driven through a pseudo-terminal on a copy of Okta's v2 plan:
//! declare capabilities, mark cases with non-ASCII notes, search, undo, quit, reopen; and a
//! SIGKILL / SIGTERM right after a mark. The session file on disk is the judge.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/mini_scim.rs"]
mod mini_scim;
#[path = "common/screen.rs"]
mod screen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::process::{Signal, WaitStatus};
use rexpect::session::PtySession;
use scimplan::session::{Outcome, Session, default_session_path};
use screen::Screen;

const V2: &str = "okta-scim-test-plan-v2.xlsx";
const ESC: &str = "\x1b";

fn spawn(dir: &Path, plan: &Path) -> PtySession {
    spawn_with(dir, plan, &[])
}

fn spawn_with(dir: &Path, plan: &Path, env: &[(&str, &str)]) -> PtySession {
    let mut command = Command::new("sh");
    command.envs(env.iter().copied());
    // A pty starts at 0x0; give it a real size before scimplan starts.
    command
        .arg("-c")
        .arg(r#"stty cols 120 rows 40 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_scimplan"))
        .arg(plan)
        .args(["--tester", "Zoë Tester"])
        .current_dir(dir)
        .env("SCIMPLAN_CONFIG", dir.join("no-config.toml"))
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_TESTER");
    rexpect::session::spawn_command(command, Some(30_000)).expect("spawn scimplan in a pty")
}

fn session_of(plan: &Path) -> Option<Session> {
    let bytes = std::fs::read(default_session_path(plan)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Waits until the session file satisfies `check` (a hang guard, not a speed assertion).
fn wait_for(plan: &Path, what: &str, check: impl Fn(&Session) -> bool) -> Session {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(session) = session_of(plan).filter(|s| check(s)) {
            return session;
        }
        assert!(
            Instant::now() < deadline,
            "the session file never showed: {what}\n{:?}",
            session_of(plan).map(|s| s.results().clone())
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

fn real_v2(dir: &Path) -> Option<PathBuf> {
    common::real_plan(V2, dir)
}

/// scimplan on a copy of the v2 plan, past the capabilities screen (all supported).
fn started_on_v2(dir: &Path) -> Option<(PathBuf, PtySession)> {
    let plan = real_v2(dir)?;
    let mut p = spawn(dir, &plan);
    p.exp_string("Capabilities:").unwrap();
    send(&mut p, "\r");
    Some((plan, p))
}

#[test]
fn a_whole_session_is_found_again_after_quitting() {
    let dir = tempfile::tempdir().unwrap();
    let Some(plan) = real_v2(dir.path()) else {
        return;
    };
    let mut p = spawn(dir.path(), &plan);
    p.exp_string("Capabilities:").unwrap();

    // Update User Attributes (second in the list) is not supported.
    send(&mut p, "j");
    send(&mut p, " ");
    send(&mut p, "\r");
    let s = wait_for(&plan, "capabilities declared", |s| {
        s.capabilities_confirmed()
    });
    assert_eq!(s.capabilities().get("update-users"), Some(&false));
    assert_eq!(s.outcome("C9291"), Outcome::Skipped);

    // C9296 is the first case: Pass, then a note with non-ASCII text.
    send(&mut p, "p");
    wait_for(&plan, "C9296 Pass", |s| s.outcome("C9296") == Outcome::Pass);
    // The cursor moved on to C9297.
    let mut screen = Screen::new();
    send(&mut p, "e");
    send(&mut p, "Gruppe fehlt – naïve café ✓ 日本");
    send(&mut p, "\r");
    send(&mut p, "zweite Zeile");
    // Esc right behind typed text would read as Alt+key: wait until the editor shows it all.
    screen.wait_for(&mut p, "zweite Zeile");
    send(&mut p, ESC);
    let s = wait_for(&plan, "note of C9297", |s| {
        s.result("C9297").is_some_and(|r| !r.note.is_empty())
    });
    assert_eq!(
        s.result("C9297").unwrap().note,
        "Gruppe fehlt – naïve café ✓ 日本\nzweite Zeile"
    );
    screen.wait_for(&mut p, "Note saved for C9297");
    send(&mut p, "f");
    wait_for(&plan, "C9297 Fail", |s| s.outcome("C9297") == Outcome::Fail);

    // Search for C9290; its preconditions are not met, so it is offered Blocked.
    send(&mut p, "/");
    send(&mut p, "C9290");
    send(&mut p, "\r");
    send(&mut p, "p");
    send(&mut p, "b");
    let s = wait_for(&plan, "C9290 Blocked", |s| {
        s.outcome("C9290") == Outcome::Blocked
    });
    assert!(
        s.result("C9290")
            .unwrap()
            .reason
            .as_deref()
            .unwrap()
            .contains("C9298 is Not run"),
        "{:?}",
        s.result("C9290")
    );

    // Skip the next case with a reason, then undo the skip.
    send(&mut p, "s");
    send(&mut p, "pas testé ici");
    send(&mut p, "\r");
    let s = wait_for(&plan, "a case skipped with the reason", |s| {
        s.results()
            .values()
            .any(|r| r.reason.as_deref() == Some("pas testé ici"))
    });
    let skipped: String = s
        .results()
        .iter()
        .find(|(_, r)| r.reason.as_deref() == Some("pas testé ici"))
        .map(|(id, _)| id.clone())
        .unwrap();
    send(&mut p, "u");
    wait_for(&plan, "skip undone", |s| {
        s.outcome(&skipped) == Outcome::NotRun
    });

    send(&mut p, "q");
    p.exp_eof().unwrap();

    // Everything is there for `scimplan status`.
    let out = common::scimplan(dir.path(), &["status", V2]);
    let status = common::stdout(&out);
    let total = status.lines().find(|l| l.starts_with("Total")).unwrap();
    let numbers: Vec<&str> = total.split_whitespace().skip(1).collect();
    // Cases, Apply, Not run, Pass, Fail, Blocked, Skipped.
    assert_eq!(numbers, ["61", "57", "54", "1", "1", "1", "4"], "{status}");

    // Reopening resumes at the same case, skips the capabilities screen, and undo still works.
    let resumed = session_of(&plan).unwrap().last_case().unwrap().to_string();
    let mut p = spawn(dir.path(), &plan);
    p.exp_string("applicable").unwrap();
    common::write_png(&dir.path().join("evidence/shot 1.png"), 64, 48);
    send(&mut p, "a");
    send(&mut p, "evidence/shot 1.png");
    send(&mut p, "\r");
    let s = wait_for(&plan, "evidence on the resumed case", |s| {
        s.result(&resumed).is_some_and(|r| !r.evidence.is_empty())
    });
    let entry = &s.result(&resumed).unwrap().evidence[0];
    assert!(
        entry.reference.ends_with("evidence/shot 1.png"),
        "{entry:?}"
    );
    assert!(entry.file.is_some(), "{entry:?}");
    send(&mut p, "u");
    wait_for(&plan, "evidence undone", |s| {
        s.result(&resumed).is_none_or(|r| r.evidence.is_empty())
    });
    send(&mut p, "u");
    wait_for(&plan, "C9290 block undone", |s| {
        s.outcome("C9290") == Outcome::NotRun
    });
    send(&mut p, "\x12"); // Ctrl-r
    wait_for(&plan, "C9290 block redone", |s| {
        s.outcome("C9290") == Outcome::Blocked
    });
    send(&mut p, "q");
    p.exp_eof().unwrap();
    let s = session_of(&plan).unwrap();
    assert_eq!(
        s.result("C9297").unwrap().note,
        "Gruppe fehlt – naïve café ✓ 日本\nzweite Zeile"
    );
}

#[test]
fn sigkill_right_after_a_mark_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some((plan, mut p)) = started_on_v2(dir.path()) else {
        return;
    };
    // Mark, then open the help: once the help is drawn, the mark was handled before it.
    send(&mut p, "p?");
    p.exp_string("Help:").unwrap();
    p.process_mut().kill(Signal::SIGKILL).unwrap();
    let s = session_of(&plan).expect("the session file is complete");
    assert_eq!(s.outcome("C9296"), Outcome::Pass);
    assert!(s.capabilities_confirmed());
}

#[test]
fn sigterm_and_sighup_save_and_restore_the_terminal() {
    for signal in [Signal::SIGTERM, Signal::SIGHUP] {
        let dir = tempfile::tempdir().unwrap();
        let Some((plan, mut p)) = started_on_v2(dir.path()) else {
            return;
        };
        send(&mut p, "f");
        wait_for(&plan, "C9296 Fail", |s| s.outcome("C9296") == Outcome::Fail);
        p.process_mut().signal(signal).unwrap();
        // Leaving the alternate screen is the terminal being restored.
        p.exp_string("\x1b[?1049l").unwrap();
        p.exp_string("stopped (a signal").unwrap();
        let status = p.process().wait().unwrap();
        assert!(
            matches!(status, WaitStatus::Exited(_, 0)),
            "{signal:?}: exit status {status:?}"
        );
        assert_eq!(session_of(&plan).unwrap().outcome("C9296"), Outcome::Fail);
    }
}

#[test]
fn without_a_terminal_scimplan_plan_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_plan) = real_v2(dir.path()) else {
        return;
    };
    let out = common::scimplan(dir.path(), &[V2]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains("needs a terminal") && err.contains("scimplan status"),
        "{err}"
    );
}

#[test]
fn e_exports_the_completed_workbook_from_the_running_tui() {
    let dir = tempfile::tempdir().unwrap();
    let Some((plan, mut p)) = started_on_v2(dir.path()) else {
        return;
    };
    wait_for(&plan, "capabilities declared", |s| {
        s.capabilities_confirmed()
    });
    send(&mut p, "p");
    wait_for(&plan, "C9296 Pass", |s| s.outcome("C9296") == Outcome::Pass);

    send(&mut p, "S");
    p.exp_string("NOT READY").unwrap();
    send(&mut p, "E");
    p.exp_string("Completed workbook written").unwrap();
    let exported = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains("-completed-"))
            })
    };
    let path = exported().expect("the completed workbook is beside the plan");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    send(&mut p, "q");
    send(&mut p, "q");
    p.exp_eof().unwrap();
}

#[test]
fn the_checklist_stays_usable_while_a_slow_app_holds_a_check() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    let section = "Create Users";
    common::write_plan(
        &plan,
        vec![
            common::case_row(
                "C9290",
                "Verify App Assignment",
                section,
                "",
                "1. Assign",
                "Created",
            ),
            common::case_row(
                "C9291",
                "Verify User Update",
                section,
                "",
                "1. Update",
                "Updated",
            ),
        ],
    );
    // An app that holds every request for 40 s.
    let app = fake_app::fake_app(|_, _| {
        let mut answer = fake_app::reply(200, "{}");
        answer.delay = Duration::from_secs(40);
        answer
    });
    let token = "slow-app-token-5f1e";
    let mut p = spawn_with(dir.path(), &plan, &[("SCIMPLAN_SCIM_TOKEN", token)]);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    wait_for(&plan, "capabilities declared", |s| {
        s.capabilities_confirmed()
    });

    // The connection form, typed like a tester would.
    send(&mut p, "C");
    screen.wait_for(&mut p, "SCIM base URL");
    send(&mut p, &app.url);
    send(&mut p, "\r");
    wait_for(&plan, "the connection saved", |s| {
        s.verify().connection.is_some()
    });

    send(&mut p, "v");
    screen.wait_for(&mut p, "C9290: the test user's userName");
    send(&mut p, "ann@example.com\r");
    screen.wait_for(&mut p, "Verifying 1/1");
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.heads.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the check never reached the app");
        std::thread::sleep(Duration::from_millis(20));
    }

    // While the app holds the request: move, write a note, and it is saved.
    send(&mut p, "j");
    screen.wait_for(&mut p, "C9291 · Create Users");
    send(&mut p, "e");
    screen.wait_for(&mut p, "Note for C9291");
    send(&mut p, "während des Tests");
    send(&mut p, ESC);
    wait_for(&plan, "the note saved during the check", |s| {
        s.result("C9291")
            .is_some_and(|r| r.note == "während des Tests")
    });
    assert!(
        session_of(&plan).unwrap().verify().runs.is_empty(),
        "the check is still waiting for the app"
    );

    // Esc cancels without waiting for the app's answer.
    send(&mut p, ESC);
    screen.wait_for(&mut p, "CANCELLED");
    let session = wait_for(&plan, "the cancelled run recorded", |s| {
        !s.verify().runs.is_empty()
    });
    assert_eq!(session.verify().runs[0].case, "C9290");
    assert_eq!(
        session.verify().runs[0].verdict,
        scimplan::verify::Verdict::Cancelled
    );
    assert_eq!(session.outcome("C9290"), Outcome::NotRun);
    send(&mut p, "q");
    p.exp_eof().unwrap();
    let text = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(!text.contains(token), "the token never touches disk");
}

#[test]
fn quitting_with_changes_nobody_could_save_asks_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(&plan, common::large_plan_rows(5));
    let mut p = spawn(dir.path(), &plan);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    wait_for(&plan, "capabilities declared", |s| {
        s.capabilities_confirmed()
    });
    // Then a directory takes the session file's place: no save can succeed, even as root.
    let session_path = default_session_path(&plan);
    std::fs::remove_file(&session_path).unwrap();
    std::fs::create_dir(&session_path).unwrap();
    std::fs::write(session_path.join("blocker"), "x").unwrap();
    send(&mut p, "p");
    screen.wait_for(&mut p, "Not saved");
    send(&mut p, "q");
    screen.wait_for(&mut p, "Unsaved changes");
    send(&mut p, "L");
    p.exp_string("were lost").unwrap();
    match p.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 2, "losing changes is not a success"),
        other => panic!("scimplan did not exit normally: {other:?}"),
    }
}

/// `r` on the summary runs Okta's SPEC file (from the data folder; the tests' SPEC-shaped fixture
/// in a fresh clone) with live progress; Esc while the app holds its `/Groups` step (after the
/// file created its user) cancels the run, and
/// the user is still deactivated. The real binary in a pty, keys as a tester types them.
#[test]
fn r_runs_okta_spec_file_and_esc_still_deactivates_its_user() {
    let file = common::okta_or_fixture(common::SPEC_FILE);
    let spec = &file.path;
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(&plan, common::large_plan_rows(5));
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(spec, data.join(common::SPEC_FILE)).unwrap();
    // Its initial script beside it, as the folder of Okta's files holds it (run as written).
    let script = spec.parent().unwrap().join(common::SPEC_SCRIPT_FILE);
    std::fs::copy(&script, data.join(common::SPEC_SCRIPT_FILE)).unwrap();
    let app = mini_scim::MiniScim::start(mini_scim::Quirks {
        slow_groups: Some(Duration::from_secs(40)),
        ..mini_scim::Quirks::default()
    });
    app.add_user("existing@example.com", "Ex", "Isting");
    let data_text = data.to_str().unwrap().to_string();
    let mut p = spawn_with(
        dir.path(),
        &plan,
        &[
            ("SCIMPLAN_SCIM_TOKEN", app.token.as_str()),
            ("SCIMPLAN_DATA_DIR", data_text.as_str()),
        ],
    );
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    wait_for(&plan, "capabilities declared", |s| {
        s.capabilities_confirmed()
    });
    send(&mut p, "C");
    screen.wait_for(&mut p, "SCIM base URL");
    send(&mut p, &app.url);
    send(&mut p, "\r");
    wait_for(&plan, "the connection saved", |s| {
        s.verify().connection.is_some()
    });

    send(&mut p, "S");
    screen.wait_for(&mut p, "r runs it here, b in BlazeMeter");
    send(&mut p, "r");
    let shown = screen.wait_for(&mut p, "Run Okta's SPEC file?");
    assert!(shown.contains(file.name()), "{shown}");
    assert!(shown.contains("It creates one user: Runscope"), "{shown}");
    send(&mut p, "y");
    // The /Groups step is held by the app: the user the file creates exists by then.
    assert!(file.request("GET", "/Groups") > file.request("POST", "/Users"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !app.requests().iter().any(|r| r.path.starts_with("/Groups")) {
        assert!(Instant::now() < deadline, "the run never reached /Groups");
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown = screen.wait_for(&mut p, "steps done");
    assert!(shown.contains("Okta's SPEC file: "), "{shown}");

    send(&mut p, ESC);
    screen.wait_for(&mut p, "CANCELLED");
    let session = wait_for(&plan, "the cancelled run recorded", |s| {
        s.verify().last_spec.is_some()
    });
    let report = session.verify().last_spec.clone().unwrap();
    assert!(report.cancelled);
    assert!(report.deactivated, "{:?}", report.deactivation);
    let created = report.created_user.expect("the user the file created");
    let users: Vec<_> = app
        .users()
        .into_iter()
        .filter(|u| u["userName"] == created.as_str())
        .collect();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["active"], false, "deactivated after the Esc");
    send(&mut p, "q");
    send(&mut p, "q");
    p.exp_eof().unwrap();
    let text = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(!text.contains(&app.token), "the token never touches disk");
}

#[test]
fn the_checklist_says_when_opening_dropped_a_damaged_undo_history() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(&plan, common::large_plan_rows(5));
    let out = common::scimplan(dir.path(), &["mark", "plan.xlsx", "C100001", "pass"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    // A hand edit points the undo stack past the history.
    let path = default_session_path(&plan);
    let mut session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    session["undo_stack"] = serde_json::json!([999]);
    std::fs::write(&path, serde_json::to_vec(&session).unwrap()).unwrap();
    let mut p = spawn(dir.path(), &plan);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "undo history was damaged");
    send(&mut p, "q");
    p.exp_eof().unwrap();
    assert_eq!(
        session_of(&plan).unwrap().outcome("C100001"),
        Outcome::Pass,
        "the result is kept"
    );
}
