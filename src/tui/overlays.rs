//! The keys of each overlay: prompts, the note editor, the preconditions question, the
//! capability declaration, help and the summary. Each handler owns its overlay's state through
//! the stack; closing it pops it, so the screen below gets the keys again.

use super::action::Action;
use super::connect_form;
use super::model::{HelpView, Model, Overlay, PromptKind};
use super::update::{apply_mark, edit_line, precondition_reason, quit};
use super::wire::{self, SecretKind, VerifyTarget};
use crate::session::Outcome;

/// Scrolling the latest SPEC and CRUD runs.
pub fn suite_runs(m: &mut Model, action: Action) {
    scroll_or_close(m, action);
}

/// The keys of an overlay that only scrolls (help, the suite runs): lines, pages, the mouse
/// wheel, and closing it.
fn scroll_or_close(m: &mut Model, action: Action) {
    let page = m.area.height.saturating_sub(6).max(1) as usize;
    let view = match m.top_mut() {
        Some(Overlay::Help(view) | Overlay::SuiteRuns(view)) => view,
        _ => return,
    };
    match action {
        Action::MoveDown => view.scroll += 1,
        Action::MoveUp => view.scroll = view.scroll.saturating_sub(1),
        Action::PageDown => view.scroll += page,
        Action::PageUp => view.scroll = view.scroll.saturating_sub(page),
        Action::Scroll { down, .. } => {
            view.scroll = if down {
                view.scroll + 3
            } else {
                view.scroll.saturating_sub(3)
            }
        }
        Action::Close => {
            m.pop();
        }
        _ => {}
    }
}

/// Quitting with changes the session file does not hold.
pub fn unsaved(m: &mut Model, action: Action) {
    match action {
        Action::RetrySave => {
            m.save();
            if m.ws.unsaved().changes == 0 {
                m.pop();
                quit(m);
            }
        }
        Action::SaveElsewhere => m.push(Overlay::Prompt(super::model::Prompt {
            kind: PromptKind::SaveAs,
            case: 0,
            input: tui_input::Input::default(),
            title: PromptKind::SaveAs.label().to_string(),
        })),
        Action::QuitLosingChanges => {
            m.lost_changes = m.ws.unsaved().changes;
            m.quit = true;
        }
        Action::Cancel => {
            m.pop();
        }
        _ => {}
    }
}

pub fn open_help(m: &mut Model) {
    m.push(Overlay::Help(HelpView::default()));
}

pub fn prompt(m: &mut Model, action: Action) {
    let Some(Overlay::Prompt(open)) = m.top_mut() else {
        return;
    };
    match action {
        Action::Submit => {
            let value = open.input.value().trim().to_string();
            let (kind, case) = (open.kind, open.case);
            if value.is_empty() {
                return m.error(kind.empty_hint());
            }
            match kind {
                PromptKind::SkipReason => {
                    m.pop();
                    apply_mark(m, case, Outcome::Skipped, Some(value));
                }
                // A refused file keeps the field open with what was typed.
                PromptKind::Evidence => super::evidence::submit(m, case, &value),
                // A link that is not one keeps the field open with what was typed.
                PromptKind::SpecLink | PromptKind::CrudLink => wire::record_link(m, kind, &value),
                PromptKind::VerifyInput => {
                    // A value the recipe cannot use keeps the field open, and is not stored.
                    if let Err(why) = wire::check_input(m, &value) {
                        return m.error(why);
                    }
                    m.pop();
                    wire::input_given(m, value);
                }
                PromptKind::Secret => {
                    m.pop();
                    wire::secret_given(m, value);
                }
                // The token a CRUD run waits for, or the one the connection form needs.
                PromptKind::OktaToken if wire::waits_for(m, SecretKind::Okta) => {
                    m.pop();
                    wire::secret_given(m, value);
                }
                PromptKind::OktaToken => {
                    m.pop();
                    super::okta::token_given(m, value);
                }
                PromptKind::SaveAs => match m.ws.save_as(std::path::Path::new(&value)) {
                    Ok(()) => {
                        m.pop();
                        m.save_error = None;
                        m.info(format!(
                            "Saved to {value}: it is the session file from now on."
                        ));
                        // Back at the question: nothing is left unsaved, so q quits.
                        if matches!(m.top(), Some(Overlay::Unsaved)) {
                            m.pop();
                            quit(m);
                        }
                    }
                    Err(e) => m.error(format!("Not saved there either: {e}")),
                },
            }
        }
        Action::Cancel => {
            let kind = open.kind;
            m.pop();
            m.info("Cancelled: nothing recorded.");
            if matches!(kind, PromptKind::VerifyInput | PromptKind::Secret)
                || wire::waits_for(m, SecretKind::Okta)
            {
                wire::abandon(m);
            } else if kind == PromptKind::OktaToken {
                m.okta_pending = None;
                m.info("Okta connection not saved: it needs the token to be checked.");
            }
        }
        Action::CompletePath => super::evidence::complete_path(m),
        other => {
            edit_line(&mut open.input, &other);
        }
    }
}

pub fn note(m: &mut Model, action: Action) {
    let Some(Overlay::Note(editor)) = m.top_mut() else {
        return;
    };
    match action {
        Action::SaveNote => {
            let text = editor.textarea.lines().join("\n");
            let text = text.trim_end().to_string();
            let case = editor.case;
            m.pop();
            let id = m.ws.plan.cases[case].id.clone();
            let note = crate::session::Command::Note {
                case: id.clone(),
                note: text,
                was: None,
            };
            if m.ws.apply(note).changed {
                m.after_change();
                m.info(format!("Note saved for {id}."));
            } else {
                m.info(format!("Note of {id} unchanged."));
            }
        }
        Action::TypeKey(key) => {
            editor.textarea.input(key);
        }
        Action::Paste(text) => {
            editor
                .textarea
                .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
        }
        _ => {}
    }
}

/// The answer when marking a case whose referenced preconditions are not met.
pub fn preconditions(m: &mut Model, action: Action) {
    let Some(Overlay::Preconditions(pending)) = m.top() else {
        return;
    };
    let pending = pending.clone();
    match action {
        Action::BlockForPreconditions => {
            m.pop();
            let reason = precondition_reason(&pending.unmet);
            apply_mark(m, pending.case, Outcome::Blocked, Some(reason));
        }
        Action::MarkAnyway => {
            m.pop();
            apply_mark(m, pending.case, pending.outcome, None);
        }
        Action::Cancel => {
            m.pop();
            m.info("Not marked.");
        }
        _ => {}
    }
}

pub fn capabilities(m: &mut Model, action: Action) {
    let Some(Overlay::Capabilities(draft)) = m.top_mut() else {
        return;
    };
    let count = draft.choices.len();
    match action {
        Action::MoveDown if count > 0 => draft.cursor = (draft.cursor + 1).min(count - 1),
        Action::MoveUp => draft.cursor = draft.cursor.saturating_sub(1),
        Action::ToggleCapability => {
            if let Some((_, supported)) = draft.choices.get_mut(draft.cursor) {
                *supported = !*supported;
            }
        }
        Action::ConfirmCapabilities => {
            let changes = std::mem::take(&mut draft.choices);
            m.pop();
            m.ws.apply(crate::session::Command::Capabilities {
                changes: changes.clone(),
                confirm: true,
            });
            m.after_change();
            let unsupported = changes.iter().filter(|(_, s)| !s).count();
            let skipped = m.stats.total.cases - m.stats.total.applicable;
            m.info(format!(
                "Capabilities declared: {} supported, {unsupported} not supported ({skipped} case(s) skipped).",
                changes.len() - unsupported
            ));
        }
        Action::Cancel => {
            m.pop();
            if !m.ws.session().capabilities_confirmed() {
                m.info("Capabilities not declared yet: every capability counts as supported. Press c to declare them.");
            }
        }
        Action::Help => open_help(m),
        Action::Quit => quit(m),
        _ => {}
    }
}

pub fn help(m: &mut Model, action: Action) {
    scroll_or_close(m, action);
}

pub fn summary(m: &mut Model, action: Action) {
    let page = m.area.height.saturating_sub(6).max(1) as isize;
    match action {
        Action::MoveDown => wire::move_summary_cursor(m, 1),
        Action::MoveUp => wire::move_summary_cursor(m, -1),
        Action::PageDown => wire::move_summary_cursor(m, page),
        Action::PageUp => wire::move_summary_cursor(m, -page),
        Action::Scroll { down, .. } => wire::move_summary_cursor(m, if down { 3 } else { -3 }),
        Action::JumpToCase => wire::jump_to_blocker(m),
        Action::Export => wire::export(m),
        Action::SpecLink => wire::ask_link(m, PromptKind::SpecLink),
        Action::CrudLink => wire::ask_link(m, PromptKind::CrudLink),
        Action::RunSpec => wire::verify(m, VerifyTarget::Spec(None)),
        Action::RunCrud => wire::verify(m, VerifyTarget::Crud(None)),
        Action::SpecRunDetail => {
            let session = m.ws.session();
            if session.verify().last_spec.is_some() || session.latest_crud().is_some() {
                m.push(Overlay::SuiteRuns(HelpView::default()));
            } else {
                let keys = |action| m.keymap.keys_for(super::keymap::Mode::Summary, &action);
                let text = format!(
                    "No local SPEC or CRUD run yet: {} runs Okta's SPEC file, {} its CRUD file.",
                    keys(Action::RunSpec),
                    keys(Action::RunCrud)
                );
                m.info(text);
            }
        }
        Action::ConnectionSettings => connect_form::open(m),
        // Esc stops a running check first, like on the checklist.
        Action::Back if wire::cancel(m) => {}
        Action::Back | Action::Close => {
            m.pop();
        }
        Action::Help => open_help(m),
        _ => {}
    }
}
