//! Evidence from the real binary and the checklist: files checked and copied under their hash,
//! refusals that store nothing, removal and undo, opening with the system viewer, and the
//! first-run question of who is testing which app (in a pty, answers read back from disk).

mod common;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use rexpect::session::PtySession;
use scimplan::session::{EvidenceKind, Session, default_session_path, evidence_dir};
use scimplan::tui::{Action, Mode, update};
use sha2::{Digest, Sha256};

const ESC: &str = "\x1b";

fn session_of(plan: &Path) -> Option<Session> {
    let bytes = std::fs::read(default_session_path(plan)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::scimplan(dir, args)
}

/// A PNG, a JPEG, a PDF-like file and a text file, as a tester would have them.
fn evidence_files(dir: &Path) -> Vec<PathBuf> {
    let shots = dir.join("shots");
    let png = shots.join("assigned user.png");
    let jpeg = shots.join("app-users.jpg");
    let pdf = shots.join("okta-report.pdf");
    let text = shots.join("scim-log.txt");
    common::write_png(&png, 320, 200);
    common::write_jpeg(&jpeg, 300, 180);
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();
    std::fs::write(
        &text,
        "POST /Users 201 Created\nGET /Users?filter=... 200\n",
    )
    .unwrap();
    vec![png, jpeg, pdf, text]
}

#[test]
fn files_are_checked_copied_under_their_hash_and_survive_the_originals() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let files = evidence_files(dir.path());
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let mut args = vec!["evidence", "plan.xlsx", "C9290"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let printed = common::stdout(&out);
    for kind in ["PNG image", "JPEG image", "PDF", "text"] {
        assert!(printed.contains(kind), "{kind} in {printed}");
    }

    let session = session_of(&plan).unwrap();
    let entries = &session.result("C9290").unwrap().evidence;
    let kinds: Vec<EvidenceKind> = entries
        .iter()
        .map(|e| e.file.as_ref().unwrap().kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EvidenceKind::Png,
            EvidenceKind::Jpeg,
            EvidenceKind::Pdf,
            EvidenceKind::Text
        ]
    );
    let folder = evidence_dir(&default_session_path(&plan));
    assert_eq!(folder, dir.path().join("plan.scimplan-evidence"));
    for ((entry, file), bytes) in entries.iter().zip(&files).zip(&originals) {
        let stored = entry.file.as_ref().unwrap();
        assert_eq!(stored.size, bytes.len() as u64);
        assert_eq!(stored.sha256, sha256_hex(bytes));
        assert!(stored.stored.starts_with(&stored.sha256));
        assert_eq!(Path::new(&entry.reference), file.canonicalize().unwrap());
    }

    // The same file again, even under another name or on another case: one copy.
    let again = dir.path().join("again.png");
    std::fs::copy(&files[0], &again).unwrap();
    let out = run(dir.path(), &["evidence", "plan.xlsx", "C9290", "again.png"]);
    assert!(
        common::stdout(&out).contains("already attached"),
        "{}",
        common::stdout(&out)
    );
    let out = run(dir.path(), &["evidence", "plan.xlsx", "C9291", "again.png"]);
    assert!(out.status.success());
    assert_eq!(
        session_of(&plan)
            .unwrap()
            .result("C9290")
            .unwrap()
            .evidence
            .len(),
        4
    );
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 4);

    // The originals go; the evidence stays, byte for byte, and the list still finds it.
    std::fs::remove_dir_all(dir.path().join("shots")).unwrap();
    std::fs::remove_file(&again).unwrap();
    for (entry, bytes) in entries.iter().zip(&originals) {
        let copy = entry.stored_path(&folder).unwrap();
        assert_eq!(&std::fs::read(&copy).unwrap(), bytes);
    }
    let out = run(dir.path(), &["evidence", "plan.xlsx", "C9290"]);
    let listed = common::stdout(&out);
    assert!(listed.contains("1. PNG image"), "{listed}");
    assert!(listed.contains("assigned user.png"), "{listed}");
    assert!(
        listed.contains(&entries[2].file.as_ref().unwrap().sha256),
        "{listed}"
    );

    // Removing by number; the copy stays for undo.
    let out = run(
        dir.path(),
        &["evidence", "plan.xlsx", "C9290", "--remove", "4"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        session_of(&plan)
            .unwrap()
            .result("C9290")
            .unwrap()
            .evidence
            .len(),
        3
    );
    assert!(entries[3].stored_path(&folder).unwrap().exists());
    let out = run(
        dir.path(),
        &["evidence", "plan.xlsx", "C9290", "--remove", "9"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("no number 9"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn refused_evidence_stores_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let good = dir.path().join("good.png");
    common::write_png(&good, 30, 20);
    let folder = dir.path().join("plan.scimplan-evidence");

    // One missing file in a batch: nothing of the batch is recorded.
    let out = run(
        dir.path(),
        &["evidence", "plan.xlsx", "C9290", "good.png", "gone.png"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("gone.png: no such file"), "{err}");
    assert!(err.contains("Nothing was attached"), "{err}");
    assert!(session_of(&plan).is_none_or(|s| s.result("C9290").is_none()));

    // A folder, an empty file, a link with a password, a file holding the SCIM token.
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    std::fs::write(
        dir.path().join("har.txt"),
        "Authorization: Bearer tok-evidence-4242\n",
    )
    .unwrap();
    for (item, expected) in [
        (".", "is a folder"),
        ("empty.txt", "is empty"),
        (
            "https://ann:hunter2@okta.example/run",
            "credentials never go in",
        ),
        // Typed as links, they are not ones scimplan takes: never "no such file".
        ("ftp://example.com/f", "ftp links are not taken as evidence"),
        ("https://", "names no host"),
        ("", "nothing to attach"),
        ("https://example.com/a b", "has a space in it"),
        // Credentials are refused and never repeated, whatever else is wrong with the link.
        (
            "https://ann:hunter2@example.com/a b",
            "credentials never go in",
        ),
        ("ftp://ann:hunter2@example.com/f", "credentials never go in"),
    ] {
        let out = run(dir.path(), &["evidence", "plan.xlsx", "C9290", item]);
        assert_eq!(out.status.code(), Some(2), "{item}");
        let err = common::stderr(&out);
        assert!(err.contains(expected), "{item}: {err}");
        assert!(!err.contains("no such file"), "{item}: {err}");
        assert!(
            !err.contains("hunter2"),
            "the password is not repeated: {err}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(["evidence", "plan.xlsx", "C9290", "har.txt"])
        .current_dir(dir.path())
        .env("SCIMPLAN_SCIM_TOKEN", "tok-evidence-4242")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("holds the SCIM secret"));
    assert!(!folder.exists() || std::fs::read_dir(&folder).unwrap().count() == 0);

    // A file that exists but cannot be read. Root reads anything, so as root the binary runs
    // as nobody (uid 65534) on a folder everyone may write.
    let secret = dir.path().join("locked.png");
    common::write_png(&secret, 10, 10);
    set_mode(&secret, 0o000);
    let is_root = unsafe { libc::geteuid() } == 0;
    // Nobody may not be able to reach the build's binary (a checkout in a folder only its owner
    // enters): it runs a copy in a folder everyone may enter.
    let nobody_bin = tempfile::tempdir().unwrap();
    let mut command = if is_root {
        let Some(binary) = reachable_copy_of_the_binary(nobody_bin.path(), dir.path()) else {
            return;
        };
        Command::new(binary)
    } else {
        Command::new(env!("CARGO_BIN_EXE_scimplan"))
    };
    command
        .args(["evidence", "plan.xlsx", "C9290", "locked.png"])
        .current_dir(dir.path())
        .env_remove("SCIMPLAN_TESTER");
    if is_root {
        use std::os::unix::process::CommandExt;
        set_mode(dir.path(), 0o777);
        set_mode(&plan, 0o644);
        command.uid(65534).gid(65534);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(err.contains("locked.png: cannot be read"), "{err}");
    assert!(err.to_lowercase().contains("permission denied"), "{err}");
    assert!(session_of(&plan).is_none_or(|s| s.result("C9290").is_none()));
}

/// A copy of the scimplan binary in `folder` (made enterable by everyone) that another user can
/// run, when every folder above it and `work` (where it runs) lets everyone through; `None`,
/// saying why once, when the temp folder itself is private.
fn reachable_copy_of_the_binary(folder: &Path, work: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let closed = [folder, work].into_iter().find_map(|path| {
        path.ancestors()
            .skip(1)
            .find(|a| std::fs::metadata(a).is_ok_and(|m| m.permissions().mode() & 0o001 == 0))
    });
    if let Some(closed) = closed {
        common::say_skip(&format!(
            "skipping: the unreadable-file case run as another user (uid 65534): the temp folder's parent {} does not let other users through (set TMPDIR to one that does)",
            closed.display()
        ));
        return None;
    }
    set_mode(folder, 0o755);
    let binary = folder.join("scimplan");
    std::fs::copy(env!("CARGO_BIN_EXE_scimplan"), &binary).unwrap();
    set_mode(&binary, 0o755);
    Some(binary)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn sessions_with_bare_references_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let out = run(dir.path(), &["mark", "plan.xlsx", "C9290", "pass"]);
    assert!(out.status.success());
    // Evidence as sessions wrote it before files were copied: a reference, nothing else.
    let path = default_session_path(&plan);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["results"]["C9290"]["evidence"] = serde_json::json!([
        {"added_at": "2026-01-02T03:04:05Z", "reference": "/old/box/shot.png", "caption": "before"}
    ]);
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let out = run(dir.path(), &["evidence", "plan.xlsx", "C9290"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(
        common::stdout(&out).contains("1. /old/box/shot.png"),
        "{}",
        common::stdout(&out)
    );
    let session = session_of(&plan).unwrap();
    assert!(session.result("C9290").unwrap().evidence[0].file.is_none());
}

#[test]
fn the_checklist_attaches_completes_removes_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let shot = dir.path().join("shots/login screen.png");
    common::write_png(&shot, 50, 40);
    let mut m = tui_helpers::ready(&plan);
    tui_helpers::select(&mut m, "C9290");

    // A path that does not exist keeps the prompt open with the reason; nothing is recorded.
    update(&mut m, Action::AddEvidence);
    assert_eq!(m.mode(), Mode::Attach);
    update(
        &mut m,
        Action::Paste(format!("{}/shots/login.png", dir.path().display())),
    );
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Attach);
    let message = m.message.clone().unwrap();
    assert!(
        message.error && message.text.contains("no such file"),
        "{message:?}"
    );
    assert!(session_of(&plan).unwrap().result("C9290").is_none());

    // Tab completes the only file starting with what is typed (the space included).
    for _ in 0.."login.png".len() {
        update(
            &mut m,
            Action::TypeKey(key(crossterm::event::KeyCode::Backspace)),
        );
    }
    update(
        &mut m,
        Action::TypeKey(key(crossterm::event::KeyCode::Char('l'))),
    );
    update(&mut m, Action::CompletePath);
    let Some(prompt) = m.top_as::<scimplan::tui::overlays::attach::Attach>() else {
        panic!("prompt open")
    };
    assert_eq!(prompt.input.value(), shot.display().to_string());
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Normal);
    let entries = session_of(&plan)
        .unwrap()
        .result("C9290")
        .unwrap()
        .evidence
        .clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name(), "login screen.png");

    // D removes it, u brings it back whole (file record included), Ctrl-r removes it again.
    update(&mut m, Action::RemoveEvidence);
    assert!(session_of(&plan).unwrap().result("C9290").is_none());
    update(&mut m, Action::Undo);
    let back = session_of(&plan)
        .unwrap()
        .result("C9290")
        .unwrap()
        .evidence
        .clone();
    assert_eq!(back, entries);
    update(&mut m, Action::Redo);
    assert!(session_of(&plan).unwrap().result("C9290").is_none());
    // Undo of the attachment itself: after undoing the removal, undo again drops it.
    update(&mut m, Action::Undo);
    update(&mut m, Action::Undo);
    assert!(session_of(&plan).unwrap().result("C9290").is_none());
}

#[test]
fn the_selected_entry_is_always_on_screen_and_d_removes_only_what_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    // More links than the detail pane has lines at 80x24.
    let links: Vec<String> = (1..=30)
        .map(|n| format!("https://runs.example/{n}"))
        .collect();
    let mut args = vec!["evidence", "plan.xlsx", "C9290"];
    args.extend(links.iter().map(String::as_str));
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let mut m = tui_helpers::ready(&plan);
    update(
        &mut m,
        Action::Resize {
            width: 80,
            height: 24,
        },
    );
    tui_helpers::select(&mut m, "C9290");
    assert!(scimplan::tui::view::detail_view(&m).evidence_rows.is_some());
    // ] walks the entries; each one it selects is shown whole.
    for n in 1..30 {
        update(&mut m, Action::NextEvidence);
        assert_eq!(m.evidence_cursor, n);
        let view = scimplan::tui::view::detail_view(&m);
        assert!(view.shows_evidence(), "entry {}: {view:?}", n + 1);
    }
    // Scrolled back to the top by hand, the selected (last) entry is out of sight: D shows it
    // and removes nothing; D again removes it.
    update(&mut m, Action::SwitchPane);
    for _ in 0..10 {
        update(&mut m, Action::PageUp);
    }
    assert_eq!(scimplan::tui::view::detail_view(&m).scroll, 0);
    assert!(!scimplan::tui::view::detail_view(&m).shows_evidence());
    update(&mut m, Action::RemoveEvidence);
    let message = m.message.clone().unwrap();
    assert!(
        message.text.contains("Evidence 30 of C9290 is shown now"),
        "{message:?}"
    );
    assert!(scimplan::tui::view::detail_view(&m).shows_evidence());
    let count = |plan: &Path| {
        session_of(plan)
            .unwrap()
            .result("C9290")
            .unwrap()
            .evidence
            .len()
    };
    assert_eq!(count(&plan), 30, "nothing removed unseen");
    update(&mut m, Action::RemoveEvidence);
    assert_eq!(count(&plan), 29);
    let left = session_of(&plan).unwrap();
    let references: Vec<&str> = left
        .result("C9290")
        .unwrap()
        .evidence
        .iter()
        .map(|e| e.reference.as_str())
        .collect();
    assert!(!references.contains(&"https://runs.example/30"));
}

fn key(code: crossterm::event::KeyCode) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE)
}

// ---- In a pty: the real binary, as a tester meets it. ----

fn spawn(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> PtySession {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"stty cols 120 rows 40 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_scimplan"))
        .arg("plan.xlsx")
        .args(args)
        .current_dir(dir)
        .env("SCIMPLAN_CONFIG", dir.join("no-config.toml"))
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("SCIMPLAN_TESTER")
        .env_remove("SSH_CONNECTION");
    command.envs(env.iter().copied());
    rexpect::session::spawn_command(command, Some(30_000)).expect("spawn scimplan in a pty")
}

fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

/// The pty's output replayed through a VT100 emulator: ratatui redraws only changed cells.
struct Screen(vt100::Parser);

impl Screen {
    fn new() -> Screen {
        Screen(vt100::Parser::new(
            std::num::NonZeroU16::new(40).unwrap(),
            std::num::NonZeroU16::new(120).unwrap(),
            0,
        ))
    }

    /// Waits until the screen shows `text` (a hang guard, not a speed assertion).
    fn wait_for(&mut self, p: &mut PtySession, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut bytes = Vec::new();
            while let Some(c) = p.try_read() {
                bytes.push(c as u32 as u8);
            }
            self.0.process(&bytes);
            let contents = self.0.screen().contents();
            if contents.contains(text) {
                return contents;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}:\n{contents}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Screen {
    /// The screen once the program has drawn for a while (for "this is not shown").
    fn settled(&mut self, p: &mut PtySession) -> String {
        let until = Instant::now() + Duration::from_millis(500);
        while Instant::now() < until {
            let mut bytes = Vec::new();
            while let Some(c) = p.try_read() {
                bytes.push(c as u32 as u8);
            }
            self.0.process(&bytes);
            std::thread::sleep(Duration::from_millis(20));
        }
        self.0.screen().contents()
    }
}

fn wait_for(plan: &Path, what: &str, check: impl Fn(&Session) -> bool) -> Session {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(session) = session_of(plan).filter(|s| check(s)) {
            return session;
        }
        assert!(
            Instant::now() < deadline,
            "the session file never showed: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_first_run_asks_who_is_testing_once() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    std::fs::write(
        dir.path().join("gitconfig"),
        "[user]\n\tname = Grace Hopper\n",
    )
    .unwrap();

    let mut p = spawn(dir.path(), &[], &[]);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities");
    send(&mut p, "\r");
    // After the capabilities: the question, with git's user.name proposed.
    screen.wait_for(&mut p, "Who is testing?");
    screen.wait_for(&mut p, "Tester   Grace Hopper");
    send(&mut p, "\t");
    send(&mut p, "Acme Directory");
    send(&mut p, "\r");
    let s = wait_for(&plan, "the names", |s| s.identity_asked());
    assert_eq!(s.tester(), Some("Grace Hopper"));
    assert_eq!(s.app_name(), Some("Acme Directory"));
    screen.wait_for(&mut p, "App: Acme Directory  Tester: Grace Hopper");
    // A mark now carries the name.
    send(&mut p, "p");
    let s = wait_for(&plan, "a pass", |s| !s.results().is_empty());
    let result = s.results().values().next().unwrap();
    assert_eq!(result.tester.as_deref(), Some("Grace Hopper"));
    send(&mut p, "q");
    p.exp_eof().unwrap();

    // Reopened: not asked again; T asks, Esc leaves the names as they were.
    let mut p = spawn(dir.path(), &[], &[]);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "applicable");
    let shown = screen.settled(&mut p);
    assert!(!shown.contains("Who is testing?"), "{shown}");
    send(&mut p, "T");
    screen.wait_for(&mut p, "Who is testing?");
    send(&mut p, ESC);
    screen.wait_for(&mut p, "Names unchanged");
    send(&mut p, "q");
    p.exp_eof().unwrap();
    let s = session_of(&plan).unwrap();
    assert_eq!(s.app_name(), Some("Acme Directory"));

    // Summary, Markdown and JSON reports name them.
    let out = run(
        dir.path(),
        &["summary", "plan.xlsx", "--format", "markdown"],
    );
    let md = common::stdout(&out);
    assert!(
        md.contains("- App: Acme Directory") && md.contains("- Tester: Grace Hopper"),
        "{md}"
    );
    let out = run(dir.path(), &["summary", "plan.xlsx", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["app"], "Acme Directory");
    assert_eq!(json["tester"], "Grace Hopper");
}

#[test]
fn names_from_the_command_line_answer_the_question_and_esc_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    // SCIMPLAN_TESTER given: no question, the name in the header.
    let mut p = spawn(dir.path(), &[("SCIMPLAN_TESTER", "Env Tester")], &[]);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities");
    send(&mut p, "\r");
    screen.wait_for(&mut p, "Tester: Env Tester");
    let shown = screen.settled(&mut p);
    assert!(!shown.contains("Who is testing?"), "{shown}");
    send(&mut p, "q");
    p.exp_eof().unwrap();

    // Another plan, nothing given: Esc skips the question, which is not asked again.
    let other = tempfile::tempdir().unwrap();
    let plan2 = common::okta_like_plan(other.path(), "plan.xlsx");
    let mut p = spawn(other.path(), &[("USER", "ann"), ("LOGNAME", "ann")], &[]);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities");
    send(&mut p, "\r");
    screen.wait_for(&mut p, "Who is testing?");
    // No git name here: the login name is proposed.
    screen.wait_for(&mut p, "Tester   ann");
    send(&mut p, ESC);
    wait_for(&plan2, "skipped", |s| s.identity_asked());
    send(&mut p, "q");
    p.exp_eof().unwrap();
    let s = session_of(&plan2).unwrap();
    assert_eq!(s.tester(), None);
    let mut p = spawn(other.path(), &[], &[]);
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "applicable");
    let shown = screen.settled(&mut p);
    assert!(!shown.contains("Who is testing?"), "{shown}");
    send(&mut p, "q");
    p.exp_eof().unwrap();
    drop(plan);
}

#[test]
fn o_opens_the_copy_with_the_system_viewer_without_waiting_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), "plan.xlsx");
    let shot = dir.path().join("shot.png");
    common::write_png(&shot, 40, 30);
    let out = run(dir.path(), &["evidence", "plan.xlsx", "C9296", "shot.png"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    // A viewer that records what it was asked to open, then stays open a long time.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = dir.path().join("opened.txt");
    let viewer = bin.join("xdg-open");
    std::fs::write(
        &viewer,
        format!(
            "#!/bin/sh\necho \"$1\" > '{}'\nsleep 60\n",
            opened.display()
        ),
    )
    .unwrap();
    set_mode(&viewer, 0o755);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut p = spawn(
        dir.path(),
        &[("PATH", path.as_str()), ("DISPLAY", ":0")],
        &["--tester", "Ann", "--app", "Acme"],
    );
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "Capabilities");
    send(&mut p, "\r");
    screen.wait_for(&mut p, "1. PNG image");
    send(&mut p, "O");
    screen.wait_for(&mut p, ".png (opening");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the viewer never ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    let session = session_of(&plan).unwrap();
    let entry = &session.result("C9296").unwrap().evidence[0];
    let copy = entry
        .stored_path(&evidence_dir(&default_session_path(&plan)))
        .unwrap();
    let asked = std::fs::read_to_string(&opened).unwrap();
    assert_eq!(Path::new(asked.trim()), std::path::absolute(&copy).unwrap());
    // The viewer still runs, and the checklist still answers.
    send(&mut p, "p");
    wait_for(&plan, "a pass while the viewer is open", |s| {
        s.outcome("C9296") == scimplan::session::Outcome::Pass
    });
    send(&mut p, "q");
    p.exp_eof().unwrap();

    // Over SSH nothing opens: the path is shown.
    std::fs::remove_file(&opened).unwrap();
    let mut p = spawn(
        dir.path(),
        &[
            ("PATH", path.as_str()),
            ("DISPLAY", ":0"),
            ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"),
        ],
        &["--tester", "Ann"],
    );
    let mut screen = Screen::new();
    screen.wait_for(&mut p, "applicable");
    send(&mut p, "k");
    screen.wait_for(&mut p, "1. PNG image");
    send(&mut p, "O");
    screen.wait_for(&mut p, ".png (no display");
    send(&mut p, "q");
    p.exp_eof().unwrap();
    assert!(!opened.exists(), "nothing is opened over SSH");
}
