//! The checklist's evidence keys: attach what the prompt names (with Tab completing paths),
//! select, open with the system's viewer (never waiting for it) and remove entries; and the
//! question of who is testing which app.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tui_input::Input;

use super::action::Action;
use super::model::{Model, Overlay};
use super::state::IdentityForm;
use super::update::{edit_line, with_case};
use crate::session::evidence::{attach, secrets_in_env, typed_path};

/// The evidence prompt's Enter: checks and copies the file (or takes the link) and records it.
/// A refusal keeps the prompt open with what was typed, so it can be corrected.
pub fn submit(m: &mut Model, case: usize, value: &str) {
    let mut secrets = secrets_in_env();
    if let Some(secret) = &m.secret {
        secrets.push(secret.expose().to_string());
    }
    let folder = m.ws.evidence_dir();
    match attach(value, &folder, &secrets, "") {
        Ok(entry) => {
            m.pop();
            let id = m.ws.plan.cases[case].id.clone();
            let line = entry.describe();
            let attach = crate::session::Command::Attach {
                case: id.clone(),
                evidence: entry,
            };
            if m.ws.apply(attach).changed {
                let count = m.ws.session().result(&id).map_or(0, |r| r.evidence.len());
                m.evidence_cursor = count.saturating_sub(1);
                m.after_change();
                m.info(format!("Evidence attached to {id}: {line}"));
            } else {
                m.info(format!("{id} already has this evidence: {line}"));
            }
        }
        Err(err) => m.error(err.to_string()),
    }
}

/// Tab in the evidence prompt: completes the path typed so far as far as it is unambiguous,
/// and lists the candidates when there are several.
pub fn complete_path(m: &mut Model) {
    let Some(Overlay::Prompt(prompt)) = m.top_mut() else {
        return;
    };
    let typed = prompt.input.value().to_string();
    let (dir_text, prefix) = match typed.rfind('/') {
        Some(at) => (&typed[..=at], &typed[at + 1..]),
        None => ("", typed.as_str()),
    };
    let dir = if dir_text.is_empty() {
        PathBuf::from(".")
    } else {
        typed_path(dir_text)
    };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let hidden = name.starts_with('.') && !prefix.starts_with('.');
                    (name.starts_with(prefix) && !hidden).then(|| (name, e.path().is_dir()))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let completed = match names.as_slice() {
        [] => {
            let shown = if typed.is_empty() { "." } else { &typed };
            return m.error(format!(
                "Nothing in {} starts with '{shown}'.",
                dir.display()
            ));
        }
        [(name, is_dir)] => format!("{dir_text}{name}{}", if *is_dir { "/" } else { "" }),
        many => {
            let first = &many[0].0;
            let common = many.iter().fold(first.len(), |len, (name, _)| {
                first
                    .char_indices()
                    .zip(name.chars())
                    .take_while(|((_, a), b)| a == b)
                    .map(|((i, a), _)| i + a.len_utf8())
                    .last()
                    .unwrap_or(0)
                    .min(len)
            });
            let listed: Vec<&str> = many.iter().take(8).map(|(n, _)| n.as_str()).collect();
            let more = many.len().saturating_sub(8);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let line = format!("{dir_text}{}", &first[..common]);
            prompt.input = Input::new(line);
            return m.info(format!("{}{more}", listed.join("  ")));
        }
    };
    prompt.input = Input::new(completed);
}

fn evidence_count(m: &Model, case: usize) -> usize {
    m.ws.session()
        .result(&m.ws.plan.cases[case].id)
        .map_or(0, |r| r.evidence.len())
}

pub fn next(m: &mut Model) {
    let Some(case) = with_case(m) else { return };
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
        m.keymap
            .keys_for(super::keymap::Mode::Normal, &Action::AddEvidence)
    )
}

/// Opens the selected entry with the system's viewer, detached, and shows its path (over SSH,
/// where nothing opens here, the path is what the tester needs).
pub fn open(m: &mut Model) {
    let Some(case) = with_case(m) else { return };
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
    let Some(case) = with_case(m) else { return };
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
            let undo = m
                .keymap
                .keys_for(super::keymap::Mode::Normal, &Action::Undo);
            m.info(format!("Removed {name} from {id} ({undo} undoes)."));
        }
        None => m.info(no_evidence(m, case)),
    }
}

/// A name to propose: git's user.name, else the login name.
pub fn proposed_tester() -> String {
    let from_git = Command::new("git")
        .args(["config", "user.name"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|name| !name.is_empty());
    from_git
        .or_else(|| {
            ["USER", "LOGNAME", "USERNAME"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        })
        .unwrap_or_default()
}

/// Opens the question with what is known, the tester's name proposed when there is none.
pub fn ask_identity(m: &mut Model) {
    let session = m.ws.session();
    let tester = session
        .tester()
        .map(str::to_string)
        .unwrap_or_else(proposed_tester);
    let app = session.app_name().map(str::to_string).unwrap_or_default();
    m.push(Overlay::Identity(IdentityForm {
        tester: Input::new(tester),
        app: Input::new(app),
        field: 0,
    }));
}

pub fn identity(m: &mut Model, action: Action) {
    let Some(Overlay::Identity(form)) = m.top_mut() else {
        return;
    };
    match action {
        Action::NextField | Action::PrevField => form.field = 1 - form.field,
        Action::Submit => {
            let named =
                |input: &Input| Some(input.value().trim().to_string()).filter(|v| !v.is_empty());
            let (tester, app) = (named(&form.tester), named(&form.app));
            m.pop();
            m.ws.apply(crate::session::Command::Identity {
                tester: Some(tester.clone().unwrap_or_default()),
                app: Some(app.clone().unwrap_or_default()),
                asked: true,
            });
            m.info(format!(
                "Tester: {} · App: {} (shown in the header, the summary, the reports and the workbook).",
                tester.as_deref().unwrap_or("-"),
                app.as_deref().unwrap_or("-")
            ));
        }
        Action::Cancel => {
            m.pop();
            m.ws.apply(crate::session::Command::Identity {
                tester: None,
                app: None,
                asked: true,
            });
            let key = m
                .keymap
                .keys_for(super::keymap::Mode::Normal, &Action::WhoIsTesting);
            m.info(format!("Names unchanged: {key} sets them any time."));
        }
        other => {
            let field = if form.field == 0 {
                &mut form.tester
            } else {
                &mut form.app
            };
            edit_line(field, &other);
        }
    }
}
