//! The keyboard-driven checklist: The Elm Architecture, laid out like gitui's popups. At the
//! bottom, `Model` (the state, its overlays a stack, its background work `jobs`) with the
//! keymap, the config and the one channel (`inbox`); above it, one module per overlay
//! (`overlays/`: its state, keys, drawing and footer hints) and the flows they hand on to
//! (`checks`, `okta`, `export`), then the checklist's own keys; at the top `update`, which
//! dispatches every action, and `view`, which only reads. Terminal events become actions
//! through the keymap of what is open; background results arrive as actions on the same
//! channel; the session is saved after every action that changed it.

pub mod action;
mod background;
pub mod checklist;
pub mod checks;
pub mod config;
pub mod draw;
mod evidence;
mod export;
pub mod field;
pub mod hosted;
pub mod inbox;
pub mod job;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod okta;
mod okta_access;
pub mod overlays;
mod suites;
pub mod update;
pub mod view;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};

pub use action::Action;
pub use checklist::open;
pub use config::Settings;
pub use keymap::{Keymap, Mode};
pub use model::Model;
pub use update::{action_for, update};

use crate::workspace::Workspace;
use inbox::AppEvent;

/// Ends the process after SIGTERM/SIGHUP if the event loop has not done so itself. When the
/// terminal hangs up, crossterm's reader can spin on it forever without returning to our loop;
/// every change is already on disk, so exiting here loses nothing but the open case's timer.
/// While `cleaning` is set (a suite run removing the user it created), it waits longer, up to
/// `CLEAN_UP_LIMIT`.
fn spawn_signal_watchdog(stop: Arc<AtomicBool>, cleaning: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
        // Give the event loop time to save and exit the ordinary way.
        std::thread::sleep(Duration::from_secs(2));
        let until = std::time::Instant::now() + CLEAN_UP_LIMIT;
        while cleaning.load(Ordering::Relaxed) && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
        restore_terminal();
        // Not eprintln!: it panics when the terminal is gone, and this thread must reach exit.
        let _ = writeln!(
            std::io::stderr(),
            "scimplan: stopped by a signal; every change was already saved"
        );
        std::process::exit(0);
    });
}

fn restore_terminal() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    // Not ratatui::restore: it reports failure with eprintln!, which panics (and, inside the
    // panic hook, aborts) when the terminal has gone away.
    let _ = ratatui::try_restore();
}

/// Runs the checklist until the tester quits or a SIGTERM/SIGHUP arrives. The terminal is
/// restored in every case, panics included. Returns how many changes were lost (not saved
/// anywhere) when it ended: the caller exits non-zero for them.
pub fn run(ws: Workspace) -> std::io::Result<usize> {
    let (keymap, settings, config_message) = config::load_config(config::config_path().as_deref());
    let mut model = open(ws, keymap, settings);
    // What opening found is printed before the screen takes over; say it here too.
    let mut notices: Vec<String> = config_message.into_iter().collect();
    let reconcile = &model.ws.reconcile;
    if let Some(problem) = &reconcile.history_dropped {
        notices.push(format!(
            "The undo history was damaged ({problem}) and dropped; every result is kept."
        ));
    }
    if !reconcile.missing_cases.is_empty() {
        notices.push(format!(
            "Results are kept for {} case(s) no longer in the plan: {}.",
            reconcile.missing_cases.len(),
            reconcile.missing_cases.join(", ")
        ));
    }
    notices.extend(
        model
            .ws
            .plan
            .repeated_sheets
            .iter()
            .map(|r| format!("{r}.")),
    );
    if !notices.is_empty() {
        model.error(notices.join(" "));
    }

    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }

    let cleaning = Arc::new(AtomicBool::new(false));
    spawn_signal_watchdog(Arc::clone(&stop), Arc::clone(&cleaning));
    let mut terminal = ratatui::init();
    // ratatui's hook restores the screen; ours also turns the mouse and paste modes off first.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(
            std::io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste
        );
        ratatui_hook(info);
    }));
    crossterm::execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;

    let result = event_loop(&mut terminal, &mut model, &stop);
    restore_terminal();
    // ratatui's Terminal shows the cursor when dropped and reports failure with eprintln!,
    // which panics on a terminal that hung up: show it here, ignoring errors, and skip the drop.
    let _ = terminal.show_cursor();
    std::mem::forget(terminal);
    if stop.load(Ordering::Relaxed) {
        // A suite run still removes the user it created before the process ends.
        if model.running().is_some() {
            cleaning.store(true, Ordering::Relaxed);
            let _ = writeln!(
                std::io::stderr(),
                "scimplan: stopping; a run is cancelled and cleans up the user it created first…"
            );
            finish_cancelled(&mut model, CLEAN_UP_LIMIT);
            let _ = writeln!(std::io::stderr(), "scimplan: {}", message_text(&model));
            cleaning.store(false, Ordering::Relaxed);
        }
        model.credit_time();
        model.save_before_exit();
        // The terminal may be gone: a failed write must not turn into a panic.
        if model.save_error.is_none() {
            let _ = writeln!(
                std::io::stderr(),
                "scimplan: stopped (a signal, or the terminal went away); the session is saved in {}",
                model.ws.session_path().display()
            );
        }
    }
    if let Some(error) = &model.save_error {
        let _ = writeln!(std::io::stderr(), "error: {error}");
    }
    let _ = std::io::stdout().flush();
    result.map(|()| model.ws.unsaved().changes)
}

/// How long a stopped checklist waits for a suite run's clean-up (its requests time out first).
const CLEAN_UP_LIMIT: Duration = Duration::from_secs(90);

/// After a signal: cancels the running check and takes background results until it ended (a
/// suite run's clean-up included), for at most `limit`; keys are held back meanwhile.
fn finish_cancelled(m: &mut Model, limit: Duration) {
    checks::cancel_check(m);
    let until = std::time::Instant::now() + limit;
    while m.running().is_some() && std::time::Instant::now() < until {
        if let Some(event) = m.inbox.next_result(Duration::from_millis(100)) {
            update(m, Action::Job(event));
        }
    }
}

fn message_text(model: &Model) -> String {
    model
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// How often time passes for the model when nothing happens (spinner, time spent).
const TICK: Duration = Duration::from_millis(250);

/// Reads the terminal on its own thread, so key presses and background results share one
/// channel and whichever comes first is handled first.
fn spawn_terminal_reader(inbox: std::sync::mpsc::Sender<AppEvent>) {
    std::thread::spawn(move || {
        loop {
            let event = match event::read() {
                Ok(event) => AppEvent::Terminal(event),
                Err(error) => AppEvent::InputFailed(error),
            };
            let failed = matches!(event, AppEvent::InputFailed(_));
            if inbox.send(event).is_err() || failed {
                return;
            }
        }
    });
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    model: &mut Model,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let size = terminal.size()?;
    update(
        model,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    );
    spawn_terminal_reader(model.inbox.sender());
    let stopped = || stop.load(Ordering::Relaxed);
    while !model.quit && !stopped() {
        terminal.draw(|frame| view::render(model, frame))?;
        if !update::drain(model, TICK, &stopped) {
            update(model, Action::Tick);
        }
        if model.terminal_gone {
            // The terminal is gone (a hang-up; SIGHUP may not have arrived yet): end like a
            // signal would, so the session is saved and nothing is printed to a terminal that
            // cannot take it.
            stop.store(true, Ordering::Relaxed);
        }
    }
    Ok(())
}
