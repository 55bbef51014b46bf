//! The checklist itself, under the overlays: its keys (moving, marking, ticking steps, notes,
//! evidence, filters, undo; opening the overlays; checks, the export and Okta's pages), the
//! mouse on its panes, quitting, and what an overlay hands on to it as it closes. Opening it
//! asks the first questions (capabilities, then who is testing).

use ratatui::layout::Position;
use tui_input::Input;

use super::action::{Action, VerifyTarget};
use super::background;
use super::checks;
use super::config::Settings;
use super::evidence;
use super::export;
use super::job::JobKind;
use super::keymap::Keymap;
use super::layout::{self, Pane};
use super::model::{Model, Row};
use super::okta;
use super::overlays::attach::Attach;
use super::overlays::capabilities::Capabilities;
use super::overlays::confirm_replace::ConfirmReplace;
use super::overlays::connection::{ConnectionForm, check_okta};
use super::overlays::help::Help;
use super::overlays::identity::Identity;
use super::overlays::note::Note;
use super::overlays::preconditions::{Preconditions, precondition_reason};
use super::overlays::prompt::{Prompt, PromptKind, Purpose};
use super::overlays::search::Search;
use super::overlays::summary::Summary;
use super::overlays::unsaved::Unsaved;
use super::view;
use crate::session::{Command, Outcome};
use crate::workspace::Workspace;

/// The checklist on a workspace, asking what a first opening asks: the capabilities, then who
/// is testing (once; names given on the command line answer it).
pub fn open(ws: Workspace, keymap: Keymap, settings: Settings) -> Model {
    let mut m = Model::new(ws, keymap, settings);
    if Identity::asked_on_open(&m) {
        Identity::open(&mut m);
    }
    if !m.ws.session().capabilities_confirmed() {
        Capabilities::open(&mut m);
    }
    m
}

/// The checklist's keys, and what an overlay hands on to it (`Flow::Pass`, `Flow::Then`).
pub fn update(m: &mut Model, action: Action) {
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
            if m.cancel_job() {
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
        Action::MarkSkipped => ask_skip_reason(m),
        Action::AddEvidence => Attach::open(m),
        Action::NextEvidence => evidence::next(m),
        Action::OpenEvidence => evidence::open(m),
        Action::RemoveEvidence => evidence::remove(m),
        Action::WhoIsTesting => Identity::open(m),
        Action::ToggleStep => toggle_step(m),
        Action::EditNote => {
            if let Some(case) = m.case_or_say() {
                Note::open(m, case);
            }
        }
        Action::NextNotRun => jump_not_run(m, true),
        Action::PrevNotRun => jump_not_run(m, false),
        Action::Search => m.push(Search),
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
        Action::Capabilities => Capabilities::open(m),
        Action::Summary => Summary::open(m),
        Action::Export => export::start(m),
        // A hosted run given what it waited for (the BlazeMeter token typed in its prompt).
        Action::RunHosted => super::hosted::run_or_record(m),
        Action::VerifyCase => {
            if let Some(case) = m.case_or_say() {
                // A person's outcome is replaced by the check's verdict only if the tester says so.
                let id = &m.ws.plan.cases[case].id;
                if m.ws.session().standing(id).is_persons() {
                    m.push(ConfirmReplace { case });
                } else {
                    checks::verify(m, VerifyTarget::case(case));
                }
            }
        }
        Action::StartCase => {
            if let Some(case) = m.case_or_say() {
                checks::verify(m, VerifyTarget::Start(case));
            }
        }
        Action::VerifyAll => checks::verify(m, VerifyTarget::All),
        Action::ConnectionSettings => ConnectionForm::open(m, None),
        Action::OpenAdminPage => okta::open_admin_page(m, false),
        Action::OpenSystemLog => okta::open_admin_page(m, true),
        Action::ReadSystemLog => okta::fetch_trail(m),
        Action::Help => Help::open(m),
        Action::Quit => quit(m),
        Action::Click { column, row } => click(m, column, row),
        Action::Scroll { column, row, down } => scroll(m, column, row, down),
        // Handed on by an overlay as it closes.
        Action::Check(target) => checks::verify(m, target),
        Action::CheckDropped(target) => checks::dropped(m, &target),
        Action::MarkWith {
            case,
            outcome,
            reason,
        } => apply_mark(m, case, outcome, reason),
        Action::CheckOkta(connection) => check_okta(m, connection),
        _ => {}
    }
}

/// q: quits once every change is saved (else asks what to do with them). Okta's SPEC or CRUD
/// file must finish its clean-up first, and the workbook being exported its writing.
pub fn quit(m: &mut Model) {
    // Okta's SPEC or CRUD file must finish its clean-up (deactivating or removing the user it
    // created) before scimplan exits.
    if m.running().is_some_and(|v| v.current_case().is_none()) {
        return m.error(
            "One of Okta's test files is running: Esc cancels it (the user it created is still cleaned up), then q quits.",
        );
    }
    // The workbook is written whole or not at all: wait for it (or Esc) rather than leave
    // without knowing which.
    if m.jobs.is_pending(JobKind::Export) {
        return m.error(
            "The completed workbook is being written: q quits when it is done (Esc cancels it).",
        );
    }
    // A case check in flight is abandoned; what finished is recorded first. Okta reads are
    // dropped (nothing of theirs is saved yet).
    background::take_finished(m);
    checks::cancel_check(m);
    m.jobs.cancel(JobKind::OktaCheck);
    m.jobs.cancel(JobKind::SystemLog);
    // A note being written is kept, as Esc would keep it; one changed elsewhere meanwhile
    // waits for the tester's choice.
    if m.top_as::<Note>().is_some_and(|n| !n.in_conflict()) {
        let _ = m.to_top(Action::SaveNote);
    }
    if m.top_as::<Note>().is_some_and(Note::in_conflict) {
        return m.info("Choose which note to keep (m, t or b), then q quits.");
    }
    m.credit_time();
    m.save();
    if m.ws.unsaved().changes > 0 {
        // Never gone without a word: retry, save elsewhere, or lose them knowingly.
        return Unsaved::open(m);
    }
    m.quit = true;
}

fn move_cases(m: &mut Model, by: isize) {
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
fn scroll_detail(m: &mut Model, by: i32) {
    let shown = view::detail_view(m);
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
        m.detail_scroll = view::detail_view(m).scroll;
        m.detail_follow = true;
    }
}

fn toggle_step(m: &mut Model) {
    let Some(case) = m.case_or_say() else {
        return;
    };
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
    let Some(case) = m.case_or_say() else {
        return;
    };
    let unmet = m.unmet_preconditions(case);
    match outcome {
        Outcome::Pass | Outcome::Fail if !unmet.is_empty() => {
            m.push(Preconditions {
                case,
                outcome,
                unmet,
            });
        }
        Outcome::Blocked if !unmet.is_empty() => {
            apply_mark(m, case, outcome, Some(precondition_reason(&unmet)))
        }
        _ => apply_mark(m, case, outcome, None),
    }
}

fn apply_mark(m: &mut Model, case: usize, outcome: Outcome, reason: Option<String>) {
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

/// s: asks why the selected case is skipped.
fn ask_skip_reason(m: &mut Model) {
    let Some(case) = m.case_or_say() else {
        return;
    };
    let kind = PromptKind::SkipReason;
    let title = format!("{}: {}", m.ws.plan.cases[case].id, kind.label());
    Prompt::open(m, Purpose::SkipReason { case }, title);
}

/// A click selects a case or focuses a pane.
fn click(m: &mut Model, column: u16, row: u16) {
    let areas = layout::main(m.area, m.focus);
    let at = Position::new(column, row);
    if areas.list.contains(at) {
        m.focus = Pane::List;
        let line = row.saturating_sub(areas.list.y + 1) as usize;
        if row > areas.list.y
            && let Some(Row::Case(_)) = m.rows.get(m.list_offset + line)
        {
            m.select_row(Some(m.list_offset + line));
        }
    } else if areas.detail.contains(at) {
        m.focus = Pane::Detail;
    }
}

fn scroll(m: &mut Model, column: u16, row: u16, down: bool) {
    let areas = layout::main(m.area, m.focus);
    if areas.detail.contains(Position::new(column, row)) {
        scroll_detail(m, if down { 3 } else { -3 });
    } else {
        move_cases(m, if down { 3 } else { -3 });
    }
}
