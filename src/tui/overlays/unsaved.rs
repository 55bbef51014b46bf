//! Quitting with changes the session file does not hold: never gone without a word. r tries
//! the session file again, s saves it to another file (typed here; it is the session file from
//! then on), L quits and loses them knowingly.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::field::{draw_prompt, edit_line};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

#[derive(Default)]
pub struct Unsaved {
    /// The other file's path being typed (s), over the question.
    save_as: Option<Input>,
}

const SAVE_AS: &str = "Save the session to (a new file's path)";

impl Unsaved {
    /// Asks, unless it is asking already.
    pub fn open(m: &mut Model) {
        if m.top_as::<Unsaved>().is_none() {
            m.push(Unsaved::default());
        }
    }

    fn question(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::RetrySave => {
                m.save();
                if m.ws.unsaved().changes == 0 {
                    return Flow::Then(Action::Quit);
                }
            }
            Action::SaveElsewhere => self.save_as = Some(Input::default()),
            Action::QuitLosingChanges => {
                m.lost_changes = m.ws.unsaved().changes;
                m.quit = true;
            }
            Action::Cancel => return Flow::Close,
            _ => {}
        }
        Flow::Stay
    }

    /// The other file's path: Enter writes the session there.
    fn save_as(&mut self, m: &mut Model, action: Action) -> Flow {
        let Some(input) = &mut self.save_as else {
            return Flow::Stay;
        };
        match action {
            Action::Submit => {
                let value = input.value().trim().to_string();
                if value.is_empty() {
                    m.error("Type the path of a new file, or Esc to go back.");
                    return Flow::Stay;
                }
                match m.ws.save_as(std::path::Path::new(&value)) {
                    Ok(()) => {
                        m.save_error = None;
                        m.info(format!(
                            "Saved to {value}: it is the session file from now on."
                        ));
                        // Nothing is left unsaved, so q quits.
                        return Flow::Then(Action::Quit);
                    }
                    Err(e) => m.error(format!("Not saved there either: {e}")),
                }
            }
            Action::Cancel => {
                self.save_as = None;
                m.info("Cancelled: nothing recorded.");
            }
            other => {
                edit_line(input, &other);
            }
        }
        Flow::Stay
    }
}

impl Overlay for Unsaved {
    fn mode(&self) -> Mode {
        if self.save_as.is_some() {
            Mode::Prompt
        } else {
            Mode::Unsaved
        }
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        if self.save_as.is_some() {
            self.save_as(m, action)
        } else {
            self.question(m, action)
        }
    }

    /// Which changes are not saved and why, and what can be done.
    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let unsaved = model.ws.unsaved();
        let outer = centered(area, 76, 11);
        let inner = popup(model, frame, outer, "Unsaved changes".into());
        let body = with_hints(model, frame, inner, Mode::Unsaved);
        let lines = vec![
            Line::from(Span::styled(
                format!("{unsaved} are in memory only."),
                theme.error(),
            )),
            Line::from(format!(
                "{} could not be written:",
                model.ws.session_path().display()
            )),
            Line::from(Span::styled(
                model
                    .save_error
                    .clone()
                    .or_else(|| model.lock_wait_line())
                    .unwrap_or_default(),
                theme.dim(),
            )),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        if let Some(input) = &self.save_as {
            draw_prompt(model, frame, area, (SAVE_AS, Mode::Prompt), input, false);
        }
    }
}
