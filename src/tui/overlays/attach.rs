//! Attaching evidence to a case: a file path (Tab completes it) or a link. The file is checked
//! and copied into the evidence folder when Enter records it; a refusal keeps the field open
//! with what was typed, so it can be corrected.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::Input;

use crate::session::evidence::{attach, secrets_in_env, typed_path};
use crate::tui::action::Action;
use crate::tui::field::{draw_prompt, edit_line};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

/// The path or link being typed, and the case it goes to.
pub struct Attach {
    pub case: usize,
    pub input: Input,
}

const LABEL: &str = "Evidence (file path or URL)";

impl Attach {
    /// Opens the field for the selected case.
    pub fn open(m: &mut Model) {
        if let Some(case) = m.case_or_say() {
            m.push(Attach {
                case,
                input: Input::default(),
            });
        }
    }

    /// Enter: checks and copies the file (or takes the link) and records it.
    fn submit(&mut self, m: &mut Model) -> Flow {
        let value = self.input.value().trim().to_string();
        if value.is_empty() {
            m.error("Type a file path or URL, or Esc to cancel.");
            return Flow::Stay;
        }
        let mut secrets = secrets_in_env();
        if let Some(secret) = &m.secret {
            secrets.push(secret.expose().to_string());
        }
        let folder = m.ws.evidence_dir();
        let entry = match attach(&value, &folder, &secrets, "") {
            Ok(entry) => entry,
            Err(err) => {
                m.error(err.to_string());
                return Flow::Stay;
            }
        };
        let id = m.ws.plan.cases[self.case].id.clone();
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
        Flow::Close
    }

    /// Tab: completes the path typed so far as far as it is unambiguous, and lists the
    /// candidates when there are several.
    fn complete_path(&mut self, m: &mut Model) {
        let typed = self.input.value().to_string();
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
                self.input = Input::new(line);
                return m.info(format!("{}{more}", listed.join("  ")));
            }
        };
        self.input = Input::new(completed);
    }
}

impl Overlay for Attach {
    fn mode(&self) -> Mode {
        Mode::Attach
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::Submit => return self.submit(m),
            Action::Cancel => {
                m.info("Cancelled: nothing recorded.");
                return Flow::Close;
            }
            Action::CompletePath => self.complete_path(m),
            other => {
                edit_line(&mut self.input, &other);
            }
        }
        Flow::Stay
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let title = format!("{}: {LABEL}", model.ws.plan.cases[self.case].id);
        draw_prompt(
            model,
            frame,
            area,
            (&title, Mode::Attach),
            &self.input,
            false,
        );
    }
}
