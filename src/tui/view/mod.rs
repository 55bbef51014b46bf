//! Drawing: functions of `&Model`, one per screen region. No I/O, no state changes; only the
//! rows that fit on screen are built.

mod detail;
mod main_screen;
mod overlays;
mod summary;

pub use detail::fit as fit_detail;

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::layout;
use super::model::{DetailView, Model, Overlay};
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
    main_screen::render(model, frame, area);
    // Overlays bottom first, so each is drawn over what it was opened from.
    for overlay in &model.overlays {
        match overlay {
            Overlay::Search => {}
            Overlay::Prompt(prompt) => overlays::prompt(model, prompt, frame, area),
            Overlay::Note(editor) => overlays::note_editor(model, editor, frame, area),
            Overlay::Preconditions(pending) => overlays::confirm(model, pending, frame, area),
            Overlay::Capabilities(draft) => overlays::capabilities(model, draft, frame, area),
            Overlay::Help(help) => overlays::help(model, help, frame, area),
            Overlay::Summary(view) => summary::render(model, view, frame, area),
            Overlay::Connection(form) => overlays::connection_form(model, form, frame, area),
            Overlay::ConfirmSuite => overlays::confirm_suite(model, frame, area),
            Overlay::Identity(form) => overlays::identity(model, form, frame, area),
            Overlay::Unsaved => overlays::unsaved(model, frame, area),
            Overlay::SuiteRuns(view) => summary::suite_runs(model, view, frame, area),
            Overlay::NoteConflict(conflict) => {
                overlays::note_conflict(model, conflict, frame, area)
            }
            Overlay::ConfirmReplace(case) => overlays::confirm_replace(model, *case, frame, area),
        }
    }
}

/// What the detail pane shows of the selected case: see `detail::fit`.
pub fn detail_view(model: &Model) -> DetailView {
    detail::view_of(model)
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

/// Wraps a line at word boundaries to `width` columns; continuation lines are indented to where
/// the line's text starts (after bullets, numbers and check boxes), so lists stay readable.
pub fn wrap_hanging(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width < 8 || line.width() <= width {
        return vec![line];
    }
    let mut tokens: Vec<(String, Style)> = Vec::new();
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let mut current = String::new();
        for c in span.content.chars() {
            if !current.is_empty() && current.ends_with(' ') != (c == ' ') {
                tokens.push((std::mem::take(&mut current), style));
            }
            current.push(c);
        }
        if !current.is_empty() {
            tokens.push((current, style));
        }
    }
    let flat: String = tokens.iter().map(|(t, _)| t.as_str()).collect();
    let lead: String = flat.chars().take_while(|c| !c.is_alphanumeric()).collect();
    let indent = lead.width().min(width / 2);

    let mut lines = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (text, style) in tokens {
        let w = text.width();
        if used + w > width && used > indent {
            lines.push(Line::from(std::mem::take(&mut current)));
            current.push(Span::raw(" ".repeat(indent)));
            used = indent;
            if text.starts_with(' ') {
                continue;
            }
        }
        if used + w <= width {
            used += w;
            current.push(Span::styled(text, style));
            continue;
        }
        // A word longer than the room: cut it.
        for c in text.chars() {
            let cw = c.to_string().width();
            if used + cw > width {
                lines.push(Line::from(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
            used += cw;
            current.push(Span::styled(c.to_string(), style));
        }
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    lines
}

pub use crate::plan::text::shorten;

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapped_lines_hang_under_the_text() {
        let line = Line::from("  ↳ · C9306 Not run — Enable Provisioning and SCIM features");
        let wrapped = wrap_hanging(line, 30);
        assert_eq!(
            texts(&wrapped),
            [
                "  ↳ · C9306 Not run — Enable ",
                "      Provisioning and SCIM ",
                "      features"
            ]
        );
    }

    #[test]
    fn styles_survive_wrapping_and_long_words_are_cut() {
        let line = Line::from(vec![
            Span::raw("a "),
            Span::styled("bold", Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(" https://example.com/a/very/long/path"),
        ]);
        let wrapped = wrap_hanging(line, 12);
        assert!(
            wrapped.iter().all(|l| l.width() <= 12),
            "{:?}",
            texts(&wrapped)
        );
        let bold = wrapped[0]
            .spans
            .iter()
            .find(|s| s.content == "bold")
            .expect("the bold word stays one span");
        assert!(bold.style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(
            texts(&wrapped).concat().replace(' ', ""),
            "aboldhttps://example.com/a/very/long/path"
        );
    }
}
