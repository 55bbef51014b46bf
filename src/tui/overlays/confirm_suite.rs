//! Okta's SPEC or CRUD file would create a user: the question naming it, before anything is
//! sent (y runs the file, Esc or n leaves everything as it is).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::action::{Action, VerifyTarget};
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};
use crate::verify::{CrudOptions, SpecOptions};

/// The run offered: `VerifyTarget::Spec(Some)` or `Crud(Some)`, with the user it would create.
pub struct ConfirmSuite {
    pub offer: VerifyTarget,
}

impl ConfirmSuite {
    /// The SPEC file's run, when that is the offer.
    pub fn spec_mut(&mut self) -> Option<&mut SpecOptions> {
        match &mut self.offer {
            VerifyTarget::Spec(Some(options)) => Some(options),
            _ => None,
        }
    }

    /// The CRUD file's run, when that is the offer.
    pub fn crud_mut(&mut self) -> Option<&mut CrudOptions> {
        match &mut self.offer {
            VerifyTarget::Crud(Some(options)) => Some(options),
            _ => None,
        }
    }
}

impl Overlay for ConfirmSuite {
    fn mode(&self) -> Mode {
        Mode::ConfirmSuite
    }

    fn update(&mut self, _m: &mut Model, action: Action) -> Flow {
        match action {
            Action::Agree => Flow::Then(Action::Check(self.offer.clone())),
            Action::Cancel => Flow::Then(Action::CheckDropped(self.offer.clone())),
            _ => Flow::Stay,
        }
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let target = model
            .ws
            .session()
            .verify()
            .connection
            .as_ref()
            .map(|c| c.base_url.clone())
            .unwrap_or_default();
        let (title, lines) = match &self.offer {
            VerifyTarget::Spec(Some(offer)) => (
                "Run Okta's SPEC file?",
                vec![
                    Line::from(format!(
                        "scimplan runs {} against {target} as Runscope would.",
                        offer.file.name
                    )),
                    Line::from(vec![
                        Span::raw("It creates one user: "),
                        Span::styled(offer.user_name().to_string(), theme.bold()),
                    ]),
                    Line::from("and deactivates it at the end. Nothing else is changed."),
                ],
            ),
            VerifyTarget::Crud(Some(offer)) => (
                "Run Okta's CRUD file?",
                vec![
                    Line::from(format!(
                        "scimplan runs {} against {} and {target} as Runscope would.",
                        offer.file.name, offer.okta.org_url
                    )),
                    Line::from(vec![
                        Span::raw("It creates the Okta user "),
                        Span::styled(offer.okta_user().to_string(), theme.bold()),
                        Span::raw(format!(", assigns it to app {},", offer.okta.app_id)),
                    ]),
                    Line::from(
                        "provisions it into the app, then unassigns, deactivates and deletes it (the app keeps its user, deactivated).",
                    ),
                ],
            ),
            _ => return,
        };
        let outer = centered(area, 76, 10);
        let inner = popup(model, frame, outer, title.into());
        let body = with_hints(model, frame, inner, Mode::ConfirmSuite);
        let mut lines = lines;
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Go ahead?", theme.bold())));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
}
