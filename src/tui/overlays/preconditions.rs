//! Marking Pass or Fail a case whose referenced preconditions are not met: mark it Blocked for
//! that reason instead, record the outcome anyway, or leave it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::session::Outcome;
use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

/// A mark waiting for the tester's answer because referenced preconditions are not met.
#[derive(Debug, Clone, PartialEq)]
pub struct Preconditions {
    pub case: usize,
    pub outcome: Outcome,
    /// Referenced cases and their outcomes (Fail, Blocked or Not run).
    pub unmet: Vec<(String, Outcome)>,
}

/// The reason a case is Blocked by its preconditions.
pub fn precondition_reason(unmet: &[(String, Outcome)]) -> String {
    let list: Vec<String> = unmet
        .iter()
        .map(|(id, o)| format!("{id} is {}", o.label()))
        .collect();
    format!("Precondition not met: {}", list.join(", "))
}

impl Overlay for Preconditions {
    fn mode(&self) -> Mode {
        Mode::Preconditions
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::BlockForPreconditions => Flow::Then(Action::MarkWith {
                case: self.case,
                outcome: Outcome::Blocked,
                reason: Some(precondition_reason(&self.unmet)),
            }),
            Action::MarkAnyway => Flow::Then(Action::MarkWith {
                case: self.case,
                outcome: self.outcome,
                reason: None,
            }),
            Action::Cancel => {
                m.info("Not marked.");
                Flow::Close
            }
            _ => Flow::Stay,
        }
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let id = &model.ws.plan.cases[self.case].id;
        let outer = centered(area, 70, self.unmet.len() as u16 + 6);
        let inner = popup(model, frame, outer, format!("{id}: preconditions not met"));
        let body = with_hints(model, frame, inner, Mode::Preconditions);
        let mut lines = vec![Line::from(format!(
            "Marking {} {}, but these referenced cases are not Pass or Skipped:",
            id,
            self.outcome.label()
        ))];
        for (ref_id, outcome) in &self.unmet {
            let title = model
                .ws
                .plan
                .case(ref_id)
                .map(|c| c.title.as_str())
                .unwrap_or("");
            lines.push(Line::from(vec![
                Span::raw("  "),
                theme.outcome(*outcome),
                Span::raw(format!(" {ref_id} {} — {title}", outcome.label())),
            ]));
        }
        lines.push(Line::from(Span::styled(
            "Mark it Blocked for that reason instead?",
            theme.bold(),
        )));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
}
