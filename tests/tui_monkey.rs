//! A monkey in the real checklist: the binary in a pty on Okta's v2 plan, fed a few thousand
//! random keys from a seeded generator (the seed is printed, and SCIMPLAN_MONKEY_SEED replays
//! one). After every key the session file on disk is a valid session; no panic; at the end q
//! quits and the terminal is restored (alternate screen left, mouse capture off, cursor shown).
//! Keys that reach the network (verify, the connection form, the SPEC run) are left out: the
//! monkey must not send requests anywhere.

mod common;
#[path = "common/screen.rs"]
mod screen;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;
use scimplan::session::{Session, default_session_path};

const KEYS: usize = 3_000;

/// xorshift64*: small, seeded, good enough to pick keys.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// What a tester's fingers can do, minus quitting (done at the end) and the keys that start
/// network work (v, V, C, r).
const ALPHABET: &[&str] = &[
    "j", "k", "g", "G", "p", "f", "b", "s", "x", "u", "\x12", " ", "\t", "\r", "\x1b", "/", "o",
    "n", "N", "S", "?", "e", "a", "E", "l", "L", "h", "y", "z", "1", "é", "日", "🚀", "\x7f",
    "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[5~", "\x1b[6~", "\x1b[H", "\x1b[F", "\x1bx",
    "\x0b", "\x01",
];

fn spawn(dir: &Path, plan: &Path) -> PtySession {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"stty cols 80 rows 24 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_scimplan"))
        .arg(plan)
        .args(["--tester", "Monkey"])
        .current_dir(dir)
        .env("SCIMPLAN_CONFIG", dir.join("no-config.toml"))
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .env_remove("SCIMPLAN_TESTER")
        .env_remove("SCIMPLAN_SCIM_TOKEN")
        .env_remove("SCIMPLAN_SCIM_PASSWORD");
    rexpect::session::spawn_command(command, Some(30_000)).expect("spawn scimplan in a pty")
}

fn drain(p: &mut PtySession, into: &mut Vec<u8>) {
    while let Some(c) = p.try_read() {
        into.push(c as u32 as u8);
    }
}

fn assert_session_valid(plan: &Path, step: usize, key: &str) {
    let path = default_session_path(plan);
    if let Ok(bytes) = std::fs::read(&path)
        && let Err(e) = serde_json::from_slice::<Session>(&bytes)
    {
        panic!("after key {step} ({key:?}) the session file is not valid: {e}");
    }
}

#[test]
fn a_few_thousand_random_keys_leave_a_valid_session_and_a_restored_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(plan) = common::real_plan("okta-scim-test-plan-v2.xlsx", dir.path()) else {
        return;
    };
    let seed = std::env::var("SCIMPLAN_MONKEY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5C1A_91A7_u64);
    eprintln!("monkey seed {seed} (SCIMPLAN_MONKEY_SEED replays it)");
    let mut rng = Rng(seed | 1);
    let mut p = spawn(dir.path(), &plan);
    let mut screen = screen::Screen::new();
    screen.wait_for(&mut p, "Capabilities");
    let mut output = Vec::new();
    for step in 0..KEYS {
        let key = rng.pick(ALPHABET);
        p.send(key).unwrap();
        p.flush().unwrap();
        drain(&mut p, &mut output);
        if step % 50 == 0 {
            // Let it catch up now and then, so keys land on many states, not one queue.
            std::thread::sleep(Duration::from_millis(30));
        }
        assert_session_valid(&plan, step, key);
        let text = String::from_utf8_lossy(&output);
        assert!(
            !text.contains("panicked"),
            "panic after key {step} ({key:?})"
        );
    }

    // Leave whatever is open, then quit.
    let deadline = Instant::now() + Duration::from_secs(30);
    let exited = loop {
        for _ in 0..4 {
            p.send("\x1b").unwrap();
        }
        p.send("q").unwrap();
        p.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        drain(&mut p, &mut output);
        match p.process().status() {
            Some(WaitStatus::Exited(_, code)) => break Some(code),
            Some(WaitStatus::StillAlive) | None => {}
            Some(other) => panic!("scimplan ended with {other:?}"),
        }
        if Instant::now() > deadline {
            break None;
        }
    };
    drain(&mut p, &mut output);
    let text = String::from_utf8_lossy(&output);
    assert!(!text.contains("panicked"), "{text}");
    let code = exited.expect("scimplan did not quit within 30 s of q");
    assert!(code == 0 || code == 2, "exit code {code}");
    assert_session_valid(&plan, KEYS, "q");
    // The keys landed: the monkey changed results (and undid some).
    let session: Session =
        serde_json::from_slice(&std::fs::read(default_session_path(&plan)).unwrap()).unwrap();
    // (How many depends on which overlays the random keys land in and on how fast the
    // machine lets the checklist read them: 20 to 60 seen; none or a handful means lost keys.)
    assert!(
        session.history().len() > 10,
        "only {} changes recorded: the keys did not reach the checklist",
        session.history().len()
    );
    eprintln!(
        "monkey: {} changes recorded, {} results",
        session.history().len(),
        session.results().len()
    );
    // The terminal is given back: alternate screen left, mouse capture off, cursor shown.
    let tail = &text[text.rfind("\x1b[?1049h").unwrap_or(0)..];
    for (sequence, what) in [
        ("\x1b[?1049l", "left the alternate screen"),
        ("\x1b[?1000l", "turned mouse capture off"),
        ("\x1b[?25h", "showed the cursor"),
    ] {
        assert!(
            tail.contains(sequence),
            "the terminal was not restored: never {what}"
        );
    }
}
