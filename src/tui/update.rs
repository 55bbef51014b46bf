//! `update`: the only place the checklist's state changes. An action goes to the top overlay,
//! or to the checklist when none is open (and on to the checklist when the overlay hands it
//! on); background results go to the job that sent them. Every change to the session is saved
//! before `update` returns, so it is on disk before the next frame. The inbox is drained here,
//! in one place.

use std::time::Duration;

use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};

use super::action::Action;
use super::background;
use super::checklist;
use super::inbox::AppEvent;
use super::job::JobKind;
use super::keymap::{Key, Mode};
use super::layout;
use super::model::Model;

/// Seconds between saves of the time spent when nothing else changes.
const TIME_FLUSH_SECS: u64 = 60;
/// Events handled between two frames at most.
const MAX_EVENTS_PER_FRAME: usize = 512;

pub fn update(m: &mut Model, action: Action) {
    dispatch(m, action);
    // The one place the checklist saves: once per action that changed the session (moving
    // around only is saved with the next change). Handlers apply commands and never save.
    if m.ws.has_changes() {
        m.after_change();
        m.save();
    }
}

fn dispatch(m: &mut Model, action: Action) {
    match action {
        Action::Tick => return tick(m),
        Action::Resize { width, height } => {
            m.area = ratatui::layout::Rect::new(0, 0, width, height);
            m.keep_selection_visible();
            return;
        }
        Action::Job(event) => return background::handle(m, event),
        // What an overlay hands on is the checklist's, whatever is open.
        Action::Check(_)
        | Action::CheckDropped(_)
        | Action::MarkWith { .. }
        | Action::CheckOkta(_) => {
            return checklist::update(m, action);
        }
        _ => {}
    }
    // Messages last until the next thing the tester does; a failed save stays on screen.
    if m.save_error.is_none() {
        m.message = None;
    }
    if let Some(action) = m.to_top(action) {
        checklist::update(m, action);
    }
}

/// The action a terminal event stands for in the model's current mode, if any.
pub fn action_for(model: &Model, event: &Event) -> Option<Action> {
    let mode = model.mode();
    // Behind the "terminal too small" message nothing is visible: only quitting and resizing
    // count, whatever is open (a prompt would otherwise take the q as text).
    if layout::too_small(model.area) {
        return match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                let key = Key::from_event(key);
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
            let bound = model.keymap.resolve(mode, Key::from_event(key)).cloned();
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

/// The one place the inbox is drained: waits up to `wait` for an event, then handles what is
/// queued (at most a frame's worth, so pasted or held keys stay fluid), each as an action:
/// terminal events through the keymap of what is open, background results as they are. False
/// when nothing arrived. `stop` (a signal) ends the drain early.
pub fn drain(m: &mut Model, wait: Duration, stop: &dyn Fn() -> bool) -> bool {
    let Some(mut event) = m.inbox.recv_timeout(wait) else {
        return false;
    };
    for _ in 0..MAX_EVENTS_PER_FRAME {
        match event {
            AppEvent::Terminal(event) => {
                if let Some(action) = action_for(m, &event) {
                    update(m, action);
                }
            }
            AppEvent::Action(action) => update(m, *action),
            // The terminal is gone (a hang-up; SIGHUP may not have arrived yet).
            AppEvent::InputFailed(_) => m.terminal_gone = true,
        }
        if m.quit || m.terminal_gone || stop() {
            break;
        }
        match m.inbox.recv_timeout(Duration::ZERO) {
            Some(next) => event = next,
            None => break,
        }
    }
    true
}

/// Time passes: what the inbox holds is handled (tests drive `update` without the event
/// loop), the time spent is saved now and then, and a save waiting for a lock is tried again.
fn tick(m: &mut Model) {
    m.jobs.tick();
    drain(m, Duration::ZERO, &|| false);
    pick_up_changes_elsewhere(m);
    if let Some((_, since)) = m.opened
        && since.elapsed().as_secs() >= TIME_FLUSH_SECS
    {
        m.credit_time();
        m.save();
    } else if m.jobs.is_pending(JobKind::Save) {
        // Another writer held the lock at the last save: try again, without waiting.
        m.save();
    }
}

/// Shows what another scimplan (a CLI `mark`, `verify` in a second terminal) saved meanwhile.
fn pick_up_changes_elsewhere(m: &mut Model) {
    match m.ws.refresh_if_changed() {
        Ok(None) => {}
        Ok(Some(changes)) => {
            m.refresh_stats();
            m.rebuild_rows();
            m.refresh_overlays();
            let mut parts = Vec::new();
            if !changes.cases.is_empty() {
                let cases: Vec<&str> = changes.cases.iter().map(String::as_str).collect();
                parts.push(cases.join(", "));
            }
            parts.extend(changes.other.iter().map(|o| o.to_string()));
            let mut text = format!("Changed elsewhere and picked up: {}.", parts.join(", "));
            if !changes.conflicts.is_empty() {
                let cases: Vec<&str> = changes.conflicts.iter().map(String::as_str).collect();
                text.push_str(&format!(
                    " Changed here and there: {}; yours were kept.",
                    cases.join(", ")
                ));
            }
            m.info(text);
        }
        Err(e) => m.error(format!("Changes made elsewhere cannot be read: {e}")),
    }
}
