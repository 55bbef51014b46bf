//! The capability declaration: which provisioning capabilities the integration supports (the
//! cases of the others are skipped, with the reason recorded). Asked on first opening, and on c.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::help::Help;
use crate::session::Command;
use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, popup, shorten, with_hints};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

/// The declaration being edited.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Capabilities {
    /// Capability keys with the support the tester is declaring.
    pub choices: Vec<(String, bool)>,
    pub cursor: usize,
}

impl Capabilities {
    /// Opens the declaration with the session's current support.
    pub fn open(m: &mut Model) {
        let session = m.ws.session();
        let choices =
            m.ws.reqs
                .relevant()
                .map(|c| (c.key.clone(), session.is_supported(&c.key)))
                .collect();
        m.push(Capabilities { choices, cursor: 0 });
    }
}

impl Overlay for Capabilities {
    fn mode(&self) -> Mode {
        Mode::Capabilities
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        let count = self.choices.len();
        match action {
            Action::MoveDown if count > 0 => self.cursor = (self.cursor + 1).min(count - 1),
            Action::MoveUp => self.cursor = self.cursor.saturating_sub(1),
            Action::ToggleCapability => {
                if let Some((_, supported)) = self.choices.get_mut(self.cursor) {
                    *supported = !*supported;
                }
            }
            Action::ConfirmCapabilities => {
                let changes = std::mem::take(&mut self.choices);
                m.ws.apply(Command::Capabilities {
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
                return Flow::Close;
            }
            Action::Cancel => {
                if !m.ws.session().capabilities_confirmed() {
                    m.info("Capabilities not declared yet: every capability counts as supported. Press c to declare them.");
                }
                return Flow::Close;
            }
            Action::Help => Help::open(m),
            // The checklist's quit: it may ask about unsaved changes over this.
            Action::Quit => return Flow::Pass(Action::Quit),
            _ => {}
        }
        Flow::Stay
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let height = (self.choices.len() as u16 + 8).min(area.height);
        let outer = centered(area, 76, height);
        let inner = popup(
            model,
            frame,
            outer,
            "Capabilities: what does the integration support?".into(),
        );
        let body = with_hints(model, frame, inner, Mode::Capabilities);
        let mut lines = vec![
            Line::from(Span::styled(
                "Cases of unsupported capabilities are skipped, with the reason recorded.",
                theme.dim(),
            )),
            Line::default(),
        ];
        let reqs = &model.ws.reqs;
        let name_width = body.width.saturating_sub(22) as usize;
        for (i, (key, supported)) in self.choices.iter().enumerate() {
            let cap = reqs.capability(key);
            let name = cap.map(|c| c.name.as_str()).unwrap_or(key);
            let governed = reqs.cases_governed(key);
            let mark = if *supported { "[x]" } else { "[ ]" };
            let mut line = Line::from(vec![
                Span::styled(
                    format!(" {mark} "),
                    if *supported {
                        theme.fg(Color::Green)
                    } else {
                        theme.fg(Color::Blue)
                    },
                ),
                Span::raw(format!("{:<name_width$}", shorten(name, name_width))),
                Span::styled(
                    format!(
                        " {governed:>3} case{}",
                        if governed == 1 { "" } else { "s" }
                    ),
                    theme.dim(),
                ),
            ]);
            if i == self.cursor {
                line = line.style(theme.selected());
            }
            lines.push(line);
        }
        if let Some(description) = self
            .choices
            .get(self.cursor)
            .and_then(|(k, _)| reqs.capability(k))
            .map(|c| c.description.clone())
            .filter(|d| !d.is_empty())
        {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(description, theme.dim())));
        }
        // Keep the cursor on screen in short terminals.
        let skip = (self.cursor + 3).saturating_sub(body.height as usize);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((skip as u16, 0)),
            body,
        );
    }
}
