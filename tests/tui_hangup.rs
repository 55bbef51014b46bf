//! The checklist whose terminal goes away (a closed window, a dropped SSH connection): the real
//! binary as the session leader of a pseudo-terminal whose master side is then closed. It must
//! exit by itself, keeping what was saved, instead of spinning on a dead terminal.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scimplan::session::{Outcome, Session, default_session_path};

/// A pty pair: the master end for the test, the slave end for scimplan.
fn open_pty() -> (File, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 40,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds into the given ints; null name and termios are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both fds were just opened for us and are owned by nobody else.
    let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // Reads must not block, so the test can wait on the session file meanwhile; and the child
    // must not inherit the master, or closing ours would not hang the terminal up.
    // SAFETY: fcntl on an fd we own.
    unsafe {
        let flags = libc::fcntl(master.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(master.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
        libc::fcntl(master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC);
    }
    (master, slave)
}

/// Starts scimplan with the pty as its controlling terminal, in a session of its own, as a
/// login shell's job would be.
fn spawn(dir: &Path, plan: &Path, slave: &OwnedFd) -> Child {
    let io = || Stdio::from(slave.try_clone().expect("dup the pty"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimplan"));
    command
        .arg(plan)
        .args(["--tester", "Ann"])
        .current_dir(dir)
        .env("SCIMPLAN_CONFIG", dir.join("no-config.toml"))
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .stdin(io())
        .stdout(io())
        .stderr(io());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.spawn().expect("spawn scimplan")
}

/// Reads what scimplan drew so far, so it never blocks on a full pty buffer.
fn drain(master: &mut File, screen: &mut vt100::Parser) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        screen.process(&buf[..n]);
    }
}

/// Waits for `check`, draining the terminal meanwhile (a hang guard, not a speed assertion).
fn wait(
    what: &str,
    master: &mut File,
    screen: &mut vt100::Parser,
    mut check: impl FnMut(&vt100::Parser) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        drain(master, screen);
        if check(screen) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never happened: {what}\n{}",
            screen.screen().contents()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn session_of(plan: &Path) -> Option<Session> {
    serde_json::from_slice(&std::fs::read(default_session_path(plan)).ok()?).ok()
}

#[test]
fn a_hung_up_terminal_ends_the_checklist_and_keeps_the_marks() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(
        &plan,
        vec![
            common::case_row(
                "C1",
                "Create a user",
                "Create Users",
                "",
                "1. Assign",
                "Created",
            ),
            common::case_row(
                "C2",
                "Update a user",
                "Update Users",
                "",
                "1. Edit",
                "Updated",
            ),
        ],
    );
    let (mut master, slave) = open_pty();
    let mut child = spawn(dir.path(), &plan, &slave);
    drop(slave);
    let mut screen = vt100::Parser::new(
        std::num::NonZeroU16::new(40).unwrap(),
        std::num::NonZeroU16::new(120).unwrap(),
        0,
    );
    wait("the capabilities screen", &mut master, &mut screen, |s| {
        s.screen().contents().contains("Capabilities:")
    });
    master.write_all(b"\r").unwrap();
    wait("capabilities confirmed", &mut master, &mut screen, |_| {
        session_of(&plan).is_some_and(|s| s.capabilities_confirmed())
    });
    master.write_all(b"p").unwrap();
    wait("C1 marked Pass", &mut master, &mut screen, |_| {
        session_of(&plan).is_some_and(|s| s.outcome("C1") == Outcome::Pass)
    });

    // The terminal goes away.
    drop(master);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("scimplan was still running 30 s after its terminal hung up");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status.code(),
        Some(0),
        "a clean exit, not a crash: {status:?}"
    );
    let session = session_of(&plan).expect("the session file is intact");
    assert_eq!(session.outcome("C1"), Outcome::Pass);
}
