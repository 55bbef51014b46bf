//! The checklist's evidence keys on the selected case: select the next entry, open it with the
//! system's viewer (never waiting for it) and show its path, remove it (undoable; the copy
//! stays in the folder). Attaching is the `overlays::attach` prompt.

use std::path::Path;

use super::action::Action;
use super::keymap::Mode;
use super::model::Model;

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
    let target = match entry.stored_path(&folder) {
        Some(path) => std::path::absolute(&path)
            .unwrap_or(path)
            .display()
            .to_string(),
        None => entry.reference.clone(),
    };
    if entry.file.is_some() && !Path::new(&target).exists() {
        return m.error(format!(
            "{target} is missing from the evidence folder (was it deleted?). The original was {}.",
            entry.reference
        ));
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
