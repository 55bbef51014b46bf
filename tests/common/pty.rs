//! The real checklist in a pseudo-terminal, and the session file it writes: shared by the
//! tests that type into the binary beside other writers.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::session::PtySession;
use scimplan::session::{Session, default_session_path};

/// `scimplan PLAN ARGS...` in a 120×40 pty in `dir`, without colour or a config file.
pub fn spawn_checklist(dir: &Path, plan: &str, args: &[&str]) -> PtySession {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"stty cols 120 rows 40 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_scimplan"))
        .arg(plan)
        .args(args)
        .current_dir(dir)
        .env("SCIMPLAN_CONFIG", dir.join("no-config.toml"))
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_TESTER");
    rexpect::session::spawn_command(command, Some(30_000)).expect("spawn scimplan in a pty")
}

/// The session of `plan` as its file holds it now.
pub fn session_of(plan: &Path) -> Option<Session> {
    serde_json::from_slice(&std::fs::read(default_session_path(plan)).ok()?).ok()
}

/// Waits until the session file of `plan` satisfies `check` (a hang guard, not a speed
/// assertion).
pub fn wait_for_session(plan: &Path, what: &str, check: impl Fn(&Session) -> bool) -> Session {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(s) = session_of(plan).filter(|s| check(s)) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "the session file never showed: {what}\n{:?}",
            session_of(plan).map(|s| s.results().clone())
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}
