//! Drawing: functions of `&Model`, one per screen region. No I/O, no state changes; only the
//! rows that fit on screen are built.

mod main_screen;
mod overlays;

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

use super::keymap::Mode;
use super::layout;
use super::model::Model;
use crate::session::Outcome;

pub fn render(model: &Model, frame: &mut Frame) {
    let area = frame.area();
    if layout::too_small(area) {
        let text = format!(
            "The terminal is {}x{}: scimplan needs at least {}x{}. Enlarge the window (q quits).",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .alignment(Alignment::Center),
            area,
        );
        return;
    }
    match model.mode {
        Mode::Summary => overlays::summary(model, frame, area),
        Mode::Help if model.help_return == Mode::Summary => {
            overlays::summary(model, frame, area);
            overlays::help(model, frame, area);
        }
        _ => main_screen::render(model, frame, area),
    }
    match model.mode {
        Mode::Capabilities => overlays::capabilities(model, frame, area),
        Mode::Help => {
            if model.help_return == Mode::Capabilities {
                overlays::capabilities(model, frame, area);
            }
            if model.help_return != Mode::Summary {
                overlays::help(model, frame, area);
            }
        }
        Mode::EditingNote => overlays::note_editor(model, frame, area),
        Mode::Prompt => overlays::prompt(model, frame, area),
        Mode::Confirm => overlays::confirm(model, frame, area),
        Mode::Normal | Mode::Search | Mode::Summary => {}
    }
}

/// Styles that honour NO_COLOR: without colour, only modifiers remain.
pub(crate) struct Theme {
    color: bool,
}

impl Theme {
    pub fn of(model: &Model) -> Theme {
        Theme { color: model.color }
    }

    pub fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    pub fn bold(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan)
    }

    /// An outcome as glyph and colour: the glyph alone must be enough.
    pub fn outcome(&self, outcome: Outcome) -> Span<'static> {
        let color = match outcome {
            Outcome::NotRun => Color::Gray,
            Outcome::Pass => Color::Green,
            Outcome::Fail => Color::Red,
            Outcome::Blocked => Color::Yellow,
            Outcome::Skipped => Color::Blue,
        };
        Span::styled(glyph(outcome), self.fg(color))
    }
}

pub fn glyph(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NotRun => "·",
        Outcome::Pass => "✓",
        Outcome::Fail => "✗",
        Outcome::Blocked => "⊘",
        Outcome::Skipped => "↷",
    }
}

/// Cuts text to `width` characters, marking the cut.
pub fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}
