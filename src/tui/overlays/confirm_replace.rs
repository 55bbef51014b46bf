//! `v` on a case whose outcome a person set: may the check's verdict replace it (y), or is the
//! check only recorded as evidence beside it (n)?

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::action::{Action, VerifyTarget};
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

/// The case about to be checked.
pub struct ConfirmReplace {
    pub case: usize,
}

impl Overlay for ConfirmReplace {
    fn mode(&self) -> Mode {
        Mode::ConfirmReplace
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::Agree | Action::Decline => Flow::Then(Action::Check(VerifyTarget::Case {
                case: self.case,
                replace: action == Action::Agree,
            })),
            Action::Cancel => {
                m.info(format!("{} not checked.", m.ws.plan.cases[self.case].id));
                Flow::Close
            }
            _ => Flow::Stay,
        }
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let id = &model.ws.plan.cases[self.case].id;
        let result = model.ws.session().result(id);
        let outcome = result.map(|r| r.outcome).unwrap_or_default();
        let by = result
            .and_then(|r| r.decided_words())
            .map(|w| format!(" (set {w})"))
            .unwrap_or_default();
        let outer = centered(area, 76, 8);
        let inner = popup(model, frame, outer, format!("Verify {id}"));
        let body = with_hints(model, frame, inner, Mode::ConfirmReplace);
        let lines = vec![
            Line::from(vec![
                Span::raw(format!("{id} is ")),
                theme.outcome(outcome),
                Span::raw(format!(" {}{by}.", outcome.label())),
            ]),
            Line::from(Span::styled(
                "Replace it with the check's verdict?",
                theme.bold(),
            )),
            Line::from(
                "y: the verdict replaces it (the note stays) · n: check, keep yours, keep the run as evidence",
            ),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
}
