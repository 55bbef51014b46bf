//! `update`: the only place the checklist's state changes. Every change to the session is saved
//! before `update` returns, so it is on disk before the next frame. The checklist's own keys
//! are here; each overlay's are in `overlays.rs`, the background job's in `wire.rs`.

use crossterm::event::Event;
use ratatui_textarea::TextArea;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::action::Action;
use super::connect_form;
use super::evidence;
use super::keymap::Mode;
use super::model::{
    AppEvent, Model, NoteEditor, Overlay, Pane, PendingMark, Prompt, PromptKind, Row,
};
use super::mouse;
use super::overlays;
use super::wire::{self, VerifyTarget};
use crate::session::{Command, Outcome};

/// Seconds between saves of the time spent when nothing else changes.
const TIME_FLUSH_SECS: u64 = 60;

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
        Action::Job(event) => return wire::handle(m, event),
        _ => {}
    }
    // Messages last until the next thing the tester does; a failed save stays on screen.
    if m.save_error.is_none() {
        m.message = None;
    }
    match m.mode() {
        Mode::Normal => normal(m, action),
        Mode::Search => search(m, action),
        Mode::Prompt => overlays::prompt(m, action),
        Mode::EditingNote => overlays::note(m, action),
        Mode::Confirm => overlays::preconditions(m, action),
        Mode::Capabilities => overlays::capabilities(m, action),
        Mode::Help => overlays::help(m, action),
        Mode::Summary => overlays::summary(m, action),
        Mode::Connection => connect_form::update(m, action),
        Mode::ConfirmSpec => super::suites::confirm_suite(m, action),
        Mode::Attach => overlays::prompt(m, action),
        Mode::Identity => evidence::identity(m, action),
        Mode::Unsaved => overlays::unsaved(m, action),
        Mode::SpecRun => overlays::suite_runs(m, action),
    }
}

/// Time passes: background results not yet taken (tests drive `update` without the event
/// loop) are handled, and the time spent is saved now and then.
fn tick(m: &mut Model) {
    if let Some(running) = m.job.running_mut() {
        running.ticks += 1;
    }
    while let Some(event) = m.inbox.try_recv() {
        match event {
            AppEvent::Job(event) => wire::handle(m, event),
            AppEvent::Okta(event) => super::okta::handle(m, event),
            AppEvent::Terminal(_) | AppEvent::InputFailed(_) => {}
        }
    }
    pick_up_changes_elsewhere(m);
    if let Some((_, since)) = m.opened
        && since.elapsed().as_secs() >= TIME_FLUSH_SECS
    {
        m.credit_time();
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
            wire::refresh_readiness(m);
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

fn normal(m: &mut Model, action: Action) {
    let page = m.list_height().max(1);
    match action {
        Action::MoveDown if m.focus == Pane::Detail => move_step(m, 1),
        Action::MoveUp if m.focus == Pane::Detail => move_step(m, -1),
        Action::MoveDown => move_cases(m, 1),
        Action::MoveUp => move_cases(m, -1),
        Action::PageDown if m.focus == Pane::Detail => scroll_detail(m, page as i32),
        Action::PageUp if m.focus == Pane::Detail => scroll_detail(m, -(page as i32)),
        Action::PageDown => move_cases(m, page as isize),
        Action::PageUp => move_cases(m, -(page as isize)),
        Action::Top => m.select_row(m.first_case_row()),
        Action::Bottom => m.select_row(m.last_case_row()),
        Action::SwitchPane => {
            m.focus = match m.focus {
                Pane::List => Pane::Detail,
                Pane::Detail => Pane::List,
            };
            m.keep_selection_visible();
        }
        Action::OpenDetail => m.focus = Pane::Detail,
        Action::Back => {
            if wire::cancel(m) {
            } else if m.focus == Pane::Detail {
                m.focus = Pane::List;
                m.keep_selection_visible();
            } else if m.filter_active() {
                m.search = Input::default();
                m.outcome_filter = None;
                m.rebuild_rows();
                m.info("Filter cleared: all cases shown.");
            }
        }
        Action::MarkPass => mark(m, Outcome::Pass),
        Action::MarkFail => mark(m, Outcome::Fail),
        Action::MarkBlocked => mark(m, Outcome::Blocked),
        Action::MarkNotRun => mark(m, Outcome::NotRun),
        Action::MarkSkipped => open_prompt(m, PromptKind::SkipReason),
        Action::AddEvidence => open_prompt(m, PromptKind::Evidence),
        Action::NextEvidence => evidence::next(m),
        Action::OpenEvidence => evidence::open(m),
        Action::RemoveEvidence => evidence::remove(m),
        Action::WhoIsTesting => evidence::ask_identity(m),
        Action::ToggleStep => toggle_step(m),
        Action::EditNote => {
            let Some(case) = with_case(m) else { return };
            let id = &m.ws.plan.cases[case].id;
            let note =
                m.ws.session()
                    .result(id)
                    .map(|r| r.note.clone())
                    .unwrap_or_default();
            let mut textarea = TextArea::new(note.split('\n').map(str::to_string).collect());
            textarea.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
            textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
            textarea.move_cursor(ratatui_textarea::CursorMove::End);
            m.push(Overlay::Note(Box::new(NoteEditor { case, textarea })));
        }
        Action::NextNotRun => jump_not_run(m, true),
        Action::PrevNotRun => jump_not_run(m, false),
        Action::Search => m.push(Overlay::Search),
        Action::FilterOutcome => {
            let order = [
                None,
                Some(Outcome::NotRun),
                Some(Outcome::Pass),
                Some(Outcome::Fail),
                Some(Outcome::Blocked),
                Some(Outcome::Skipped),
            ];
            let at = order
                .iter()
                .position(|o| *o == m.outcome_filter)
                .unwrap_or(0);
            m.outcome_filter = order[(at + 1) % order.len()];
            m.rebuild_rows();
            match m.outcome_filter {
                Some(o) => m.info(format!("Showing {} cases only.", o.label())),
                None => m.info("Showing every outcome."),
            }
        }
        Action::Undo => undo_or_redo(m, false),
        Action::Redo => undo_or_redo(m, true),
        Action::Capabilities => m.open_capabilities(),
        Action::Summary => wire::open_summary(m),
        Action::Export => wire::export(m),
        Action::VerifyCase => {
            if let Some(case) = with_case(m) {
                wire::verify(m, VerifyTarget::Case(case));
            }
        }
        Action::StartCase => {
            if let Some(case) = with_case(m) {
                wire::verify(m, VerifyTarget::Start(case));
            }
        }
        Action::VerifyAll => wire::verify(m, VerifyTarget::All),
        Action::ConnectionSettings => connect_form::open(m),
        Action::OpenAdminPage => super::okta::open_admin_page(m, false),
        Action::OpenSystemLog => super::okta::open_admin_page(m, true),
        Action::ReadSystemLog => super::okta::fetch_trail(m),
        Action::Help => overlays::open_help(m),
        Action::Quit => quit(m),
        Action::Click { column, row } => mouse::click(m, column, row),
        Action::Scroll { column, row, down } => mouse::scroll(m, column, row, down),
        _ => {}
    }
}

pub(super) fn quit(m: &mut Model) {
    // Okta's SPEC or CRUD file must finish its clean-up (deactivating or removing the user it
    // created) before scimplan exits.
    if m.running().is_some_and(|v| v.current_case().is_none()) {
        return m.error(
            "One of Okta's test files is running: Esc cancels it (the user it created is still cleaned up), then q quits.",
        );
    }
    // A case check in flight is abandoned; what finished is recorded first.
    wire::take_finished(m);
    wire::cancel(m);
    // A note being written is kept, as Esc would keep it.
    if matches!(m.top(), Some(Overlay::Note(_))) {
        overlays::note(m, Action::SaveNote);
    }
    m.credit_time();
    m.save();
    if m.ws.unsaved().changes > 0 {
        // Never gone without a word: retry, save elsewhere, or lose them knowingly.
        if !matches!(m.top(), Some(Overlay::Unsaved)) {
            m.push(Overlay::Unsaved);
        }
        return;
    }
    m.quit = true;
}

/// The selected case, or a message saying there is none.
pub(super) fn with_case(m: &mut Model) -> Option<usize> {
    let case = m.selected_case();
    if case.is_none() {
        m.info("No case selected: the filter hides every case (Esc clears it).");
    }
    case
}

pub(super) fn move_cases(m: &mut Model, by: isize) {
    let Some(current) = m.selected else {
        return m.select_row(m.first_case_row());
    };
    let case_rows: Vec<usize> = if by > 0 {
        (current + 1..m.rows.len()).collect()
    } else {
        (0..current).rev().collect()
    };
    let target = case_rows
        .into_iter()
        .filter(|&r| matches!(m.rows[r], Row::Case(_)))
        .take(by.unsigned_abs())
        .last();
    if let Some(row) = target {
        m.select_row(Some(row));
    }
}

/// Scrolls the detail by hand from what is on screen, no further than its end.
pub(super) fn scroll_detail(m: &mut Model, by: i32) {
    let shown = m.detail_view();
    m.detail_scroll = (shown.scroll as i32 + by).clamp(0, shown.max_scroll as i32) as u16;
    m.detail_follow = false;
}

fn move_step(m: &mut Model, by: isize) {
    let Some(case) = m.selected_case() else {
        return;
    };
    let steps = m.ws.plan.cases[case].steps.len();
    if steps > 0 {
        m.step_cursor = (m.step_cursor as isize + by).clamp(0, steps as isize - 1) as usize;
        // Scroll from what is on screen just enough to show the cursor.
        m.detail_scroll = m.detail_view().scroll;
        m.detail_follow = true;
    }
}

fn toggle_step(m: &mut Model) {
    let Some(case) = with_case(m) else { return };
    let steps = m.ws.plan.cases[case].steps.len();
    if steps == 0 {
        return m.info("This case has no steps to tick.");
    }
    let step = m.step_cursor.min(steps - 1);
    let id = m.ws.plan.cases[case].id.clone();
    let ticked = !m
        .ws
        .session()
        .result(&id)
        .is_some_and(|r| r.steps_checked.contains(&step));
    m.ws.apply(Command::Step {
        case: id.clone(),
        step,
        ticked,
    });
    m.after_change();
    m.info(format!(
        "{id} step {} {}",
        step + 1,
        if ticked { "ticked" } else { "unticked" }
    ));
    if ticked && step + 1 < steps {
        m.step_cursor = step + 1;
    }
}

fn jump_not_run(m: &mut Model, forward: bool) {
    let start = m.selected.unwrap_or(0);
    let n = m.rows.len();
    let found = (1..=n)
        .map(|d| {
            if forward {
                (start + d) % n
            } else {
                (start + n - d % n) % n
            }
        })
        .find(|&r| matches!(m.rows[r], Row::Case(c) if m.outcome_of(c) == Outcome::NotRun));
    match found {
        Some(row) => m.select_row(Some(row)),
        None => m.info("No Not run case left in this view."),
    }
}

fn mark(m: &mut Model, outcome: Outcome) {
    let Some(case) = with_case(m) else { return };
    let unmet = m.unmet_preconditions(case);
    match outcome {
        Outcome::Pass | Outcome::Fail if !unmet.is_empty() => {
            m.push(Overlay::Preconditions(PendingMark {
                case,
                outcome,
                unmet,
            }));
        }
        Outcome::Blocked if !unmet.is_empty() => {
            apply_mark(m, case, outcome, Some(precondition_reason(&unmet)))
        }
        _ => apply_mark(m, case, outcome, None),
    }
}

pub(super) fn precondition_reason(unmet: &[(String, Outcome)]) -> String {
    let list: Vec<String> = unmet
        .iter()
        .map(|(id, o)| format!("{id} is {}", o.label()))
        .collect();
    format!("Precondition not met: {}", list.join(", "))
}

pub(super) fn apply_mark(m: &mut Model, case: usize, outcome: Outcome, reason: Option<String>) {
    // The time spent so far belongs to this result.
    m.credit_time();
    let id = m.ws.plan.cases[case].id.clone();
    let tester_reason = reason.clone();
    let changed =
        m.ws.apply(Command::Mark {
            case: id.clone(),
            outcome,
            reason,
            note: None,
        })
        .changed;
    m.after_change();
    let why = tester_reason.map(|r| format!(" ({r})")).unwrap_or_default();
    if !changed {
        return m.info(format!("{id} is already {}{why}", outcome.label()));
    }
    m.info(format!("{id} marked {}{why}", outcome.label()));
    if m.settings.advance_after_mark
        && outcome != Outcome::NotRun
        && m.selected_case() == Some(case)
    {
        let before = m.selected;
        jump_not_run(m, true);
        if m.selected == before {
            m.info(format!(
                "{id} marked {}{why}. Every case in view has an outcome.",
                outcome.label()
            ));
        }
    }
}

/// `u` / `Ctrl-r`: takes back (or applies again) the checklist's own latest change, only
/// while what it set still stands; otherwise says who changed it since.
fn undo_or_redo(m: &mut Model, redo: bool) {
    let command = match redo {
        true => Command::Redo { target: None },
        false => Command::Undo { target: None },
    };
    let effect = m.ws.apply(command);
    m.after_change();
    match effect.refused {
        Some(refusal) if effect.changed => m.error(refusal.to_string()),
        Some(refusal) => m.info(refusal.to_string()),
        None => {
            let verb = if redo { "Redone" } else { "Undone" };
            m.info(format!("{verb}: {}", effect.description));
        }
    }
}

fn open_prompt(m: &mut Model, kind: PromptKind) {
    let Some(case) = with_case(m) else { return };
    m.push(Overlay::Prompt(Prompt {
        kind,
        case,
        input: Input::default(),
        title: format!("{}: {}", m.ws.plan.cases[case].id, kind.label()),
    }));
}

/// Feeds a typed key or pasted text to a single-line field.
pub(super) fn edit_line(input: &mut Input, action: &Action) -> bool {
    match action {
        Action::TypeKey(key) => match to_input_request(&Event::Key(*key)) {
            Some(request) => input.handle(request).is_some_and(|c| c.value),
            None => false,
        },
        Action::Paste(text) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
            true
        }
        _ => false,
    }
}

fn search(m: &mut Model, action: Action) {
    match action {
        Action::Submit => {
            m.pop();
            let shown = m.rows.iter().filter(|r| matches!(r, Row::Case(_))).count();
            if m.search.value().is_empty() {
                m.info("Search cleared.");
            } else {
                m.info(format!(
                    "{shown} case(s) match '{}'. Esc clears the filter.",
                    m.search.value()
                ));
            }
        }
        Action::Cancel => {
            m.search = Input::default();
            m.pop();
            m.rebuild_rows();
        }
        other => {
            let before = m.selected_case();
            if edit_line(&mut m.search, &other) {
                m.rebuild_rows();
                select_search_hit(m, before);
            }
        }
    }
}

/// Puts the cursor on the case whose ID is the query, else keeps it, else the first match.
fn select_search_hit(m: &mut Model, before: Option<usize>) {
    let query = m.search.value().trim();
    let exact = m.rows.iter().position(
        |r| matches!(r, Row::Case(c) if m.ws.plan.cases[*c].id.eq_ignore_ascii_case(query)),
    );
    let kept = before.and_then(|b| m.rows.iter().position(|r| *r == Row::Case(b)));
    let row = exact.or(kept).or_else(|| m.first_case_row());
    m.select_row(row);
}
