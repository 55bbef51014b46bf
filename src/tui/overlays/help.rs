//! Help: every key of every mode, from the keymap (so a rebound key shows as bound), scrolled
//! with j/k, the pages and the wheel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Help {
    pub scroll: usize,
}

impl Help {
    pub fn open(m: &mut Model) {
        m.push(Help::default());
    }
}

/// The keys of an overlay that only scrolls (help, the suite runs): lines, pages, the mouse
/// wheel, and closing it.
pub fn scroll_or_close(m: &Model, scroll: &mut usize, action: Action) -> Flow {
    let page = m.area.height.saturating_sub(6).max(1) as usize;
    match action {
        Action::MoveDown => *scroll += 1,
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll += page,
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::Scroll { down, .. } => {
            *scroll = if down {
                *scroll + 3
            } else {
                scroll.saturating_sub(3)
            }
        }
        Action::Close => return Flow::Close,
        _ => {}
    }
    Flow::Stay
}

impl Overlay for Help {
    fn mode(&self) -> Mode {
        Mode::Help
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        scroll_or_close(m, &mut self.scroll, action)
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let outer = centered(area, 72, area.height.saturating_sub(2));
        let inner = popup(model, frame, outer, "Help: every key".into());
        let body = with_hints(model, frame, inner, Mode::Help);
        let mut lines = Vec::new();
        for mode in Mode::ALL {
            let rows = model.keymap.grouped(mode);
            if rows.is_empty() || mode == Mode::Help {
                continue;
            }
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::from(Span::styled(
                mode.title().to_string(),
                theme.accent().add_modifier(Modifier::BOLD),
            )));
            if mode.takes_text() {
                lines.push(Line::from(Span::styled(
                    "  other keys type text".to_string(),
                    theme.dim(),
                )));
            }
            for (keys, action) in rows {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<16}"), theme.bold()),
                    Span::raw(action.describe()),
                ]));
            }
        }
        let lines: Vec<Line> = lines
            .into_iter()
            .skip(self.scroll)
            .take(body.height as usize)
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
    }
}
