//! The checklist's evidence keys on the selected case: select the next entry, open it with the
//! system's viewer (never waiting for it) and show its path, remove it (undoable; the copy
//! stays in the folder). Attaching is the `overlays::attach` prompt.

use std::path::Path;

use super::action::Action;
use super::keymap::Mode;
use super::model::Model;
use super::view;
use crate::session::evidence::NOT_CARRIED;

fn evidence_count(m: &Model, case: usize) -> usize {
    m.ws.session()
        .result(&m.ws.plan.cases[case].id)
        .map_or(0, |r| r.evidence.len())
}

pub fn next(m: &mut Model) {
    let Some(case) = m.case_or_say() else {
        return;
    };
    let count = evidence_count(m, case);
    if count == 0 {
        return m.info(no_evidence(m, case));
    }
    m.evidence_cursor = (m.evidence_cursor + 1) % count;
    show_selected(m);
}

/// Scrolls the detail pane just enough to show the selected evidence entry; false when the
/// pane is not on screen (a narrow terminal showing the list).
fn show_selected(m: &mut Model) -> bool {
    let view = view::detail_view(m);
    if view.shows_evidence() {
        return true;
    }
    match view.scroll_to_evidence() {
        Some(scroll) => {
            m.detail_scroll = scroll;
            // The step cursor no longer pulls the pane back to it.
            m.detail_follow = false;
            true
        }
        None => false,
    }
}

fn no_evidence(m: &Model, case: usize) -> String {
    format!(
        "{} has no evidence: {} attaches a file or link.",
        m.ws.plan.cases[case].id,
        m.keymap.keys_for(Mode::Normal, &Action::AddEvidence)
    )
}

/// Opens the selected entry with the system's viewer, detached, and shows its path (over SSH,
/// where nothing opens here, the path is what the tester needs).
pub fn open(m: &mut Model) {
    let Some(case) = m.case_or_say() else {
        return;
    };
    let id = m.ws.plan.cases[case].id.clone();
    let folder = m.ws.evidence_dir();
    let Some(entry) =
        m.ws.session()
            .result(&id)
            .and_then(|r| r.evidence.get(m.evidence_cursor))
    else {
        return m.info(no_evidence(m, case));
    };
    let entry = entry.clone();
    show_selected(m);
    let target = match entry.stored_path(&folder) {
        Some(path) => std::path::absolute(&path)
            .unwrap_or(path)
            .display()
            .to_string(),
        None => entry.reference.clone(),
    };
    if entry.copy_missing(&folder) {
        // Resumed from a workbook on another machine (or the copy was deleted): say what
        // to do, and where the original was when this machine knows it.
        let original = if Path::new(&entry.reference).is_absolute() {
            format!(" The original was {}.", entry.reference)
        } else {
            String::new()
        };
        return m.error(format!("{}: {NOT_CARRIED}.{original}", entry.name()));
    }
    // The path first: it is what a tester over SSH copies, and a narrow line cuts the end.
    match crate::opener::open_detached(&target) {
        Ok(opener) => m.info(format!("{target} (opening with {opener})")),
        Err(why) => m.info(format!("{target} ({why})")),
    }
}

pub fn remove(m: &mut Model) {
    let Some(case) = m.case_or_say() else {
        return;
    };
    let id = m.ws.plan.cases[case].id.clone();
    // Never remove an entry the tester cannot see: show it first, and let the key be pressed
    // again.
    let count = evidence_count(m, case);
    if count > 0 && !view::detail_view(m).shows_evidence() {
        let key = m.keymap.keys_for(Mode::Normal, &Action::RemoveEvidence);
        let number = m.evidence_cursor.min(count - 1) + 1;
        if show_selected(m) {
            return m.info(format!(
                "Evidence {number} of {id} is shown now: {key} again removes it."
            ));
        }
        let detail = m.keymap.keys_for(Mode::Normal, &Action::SwitchPane);
        return m.info(format!(
            "{id}'s evidence is not on screen: {detail} shows the detail, then {key} removes the selected entry."
        ));
    }
    let entry =
        m.ws.session()
            .result(&id)
            .and_then(|r| r.evidence.get(m.evidence_cursor))
            .cloned();
    match entry {
        Some(entry) => {
            let name = entry.name();
            m.ws.apply(crate::session::Command::Detach {
                case: id.clone(),
                evidence: entry,
            });
            let left = evidence_count(m, case);
            m.evidence_cursor = m.evidence_cursor.min(left.saturating_sub(1));
            m.after_change();
            let undo = m.keymap.keys_for(Mode::Normal, &Action::Undo);
            m.info(format!("Removed {name} from {id} ({undo} undoes)."));
        }
        None => m.info(no_evidence(m, case)),
    }
}
