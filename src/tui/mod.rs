//! The keyboard-driven checklist: The Elm Architecture. `Model` holds the state (its screens a
//! stack of overlays, its background work one `Job`), terminal events become `Action`s through
//! the keymap of the current mode, background results arrive as actions on the same channel,
//! `update` applies them (saving the session after every change), and `view::render` draws the
//! model.

pub mod action;
pub mod config;
pub mod connect_form;
mod evidence;
pub mod keymap;
pub mod layout;
pub mod model;
mod mouse;
pub mod okta;
mod okta_only;
mod overlays;
mod start;
pub mod state;
pub mod suites;
pub mod update;
pub mod view;
pub mod wire;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseButton, MouseEventKind,
};

pub use action::Action;
pub use config::Settings;
pub use keymap::{Keymap, Mode};
pub use model::Model;
pub use update::update;

use crate::workspace::Workspace;
use model::AppEvent;

/// The action a terminal event stands for in the model's current mode, if any.
pub fn action_for(model: &Model, event: &Event) -> Option<Action> {
    let mode = model.mode();
    // Behind the "terminal too small" message nothing is visible: only quitting and resizing
    // count, whatever is open (a prompt would otherwise take the q as text).
    if layout::too_small(model.area) {
        return match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                let key = keymap::Key::from_event(key);
                let quits = model.keymap.resolve(Mode::Normal, key) == Some(&Action::Quit);
                quits.then_some(Action::Quit)
            }
            Event::Resize(width, height) => Some(Action::Resize {
                width: *width,
                height: *height,
            }),
            _ => None,
        };
    }
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let bound = model
                .keymap
                .resolve(mode, keymap::Key::from_event(key))
                .cloned();
            match bound {
                // Text fields take repeats too (held Backspace); commands only on presses.
                Some(action) if key.kind == KeyEventKind::Press => Some(action),
                Some(_) => None,
                None if mode.takes_text() => Some(Action::TypeKey(*key)),
                None => None,
            }
        }
        Event::Paste(text) if mode.takes_text() => Some(Action::Paste(text.clone())),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => Some(Action::Scroll {
                column: mouse.column,
                row: mouse.row,
                down: mouse.kind == MouseEventKind::ScrollDown,
            }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

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
    let mut model = Model::new(ws, keymap, settings);
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
            wire::finish_cancelled(&mut model, CLEAN_UP_LIMIT);
            let _ = writeln!(std::io::stderr(), "scimplan: {}", message_text(&model));
            cleaning.store(false, Ordering::Relaxed);
        }
        model.credit_time();
        model.save();
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

fn message_text(model: &Model) -> String {
    model
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Events handled between two frames at most.
const MAX_EVENTS_PER_FRAME: usize = 512;
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
    while !model.quit && !stop.load(Ordering::Relaxed) {
        terminal.draw(|frame| view::render(model, frame))?;
        let Some(mut event) = model.inbox.recv_timeout(TICK) else {
            update(model, Action::Tick);
            continue;
        };
        // Handle what is queued before drawing again, so pasted or held keys stay fluid; the
        // drain is bounded, and watches the signal flag.
        for _ in 0..MAX_EVENTS_PER_FRAME {
            match event {
                AppEvent::Terminal(event) => {
                    if let Some(action) = action_for(model, &event) {
                        update(model, action);
                    }
                }
                AppEvent::Job(event) => update(model, Action::Job(event)),
                AppEvent::Okta(event) => okta::handle(model, event),
                AppEvent::InputFailed(error) => {
                    // The terminal is gone (a hang-up; SIGHUP may not have arrived yet): end
                    // like a signal would, so the session is saved and nothing is printed to a
                    // terminal that cannot take it.
                    let _ = error;
                    stop.store(true, Ordering::Relaxed);
                    return Ok(());
                }
            }
            if model.quit || stop.load(Ordering::Relaxed) {
                break;
            }
            match model.inbox.try_recv() {
                Some(next) => event = next,
                None => break,
            }
        }
    }
    Ok(())
}
