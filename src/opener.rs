//! Opening a file or URL with the system's viewer or browser, for the checklist and the CLI.

use std::process::{Command, Stdio};

/// The system's opener for this platform.
fn opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

/// Starts the viewer in its own process group with no terminal and returns at once; a thread
/// reaps it. Says why when there is no display to show anything on.
pub fn open_detached(target: &str) -> Result<&'static str, String> {
    let over_ssh = std::env::var_os("SSH_CONNECTION").is_some();
    let display = cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    if over_ssh || !display {
        return Err("no display here to open it on: over SSH, copy it from there".into());
    }
    let opener = opener();
    let mut command = Command::new(opener);
    command
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    match command.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
            Ok(opener)
        }
        Err(e) => Err(format!("could not start {opener}: {e}")),
    }
}
