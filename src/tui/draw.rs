//! What every drawing shares: the theme (honouring NO_COLOR), the pop-up frame with its key
//! hints from the keymap, and wrapping that keeps lists readable. Functions of `&Model`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::action::Action;
use super::keymap::Mode;
use super::model::Model;
use crate::session::Outcome;

pub use super::layout::centered;
pub use crate::plan::text::shorten;

/// Styles that honour NO_COLOR: without colour, only modifiers remain.
pub struct Theme {
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

/// A rounded pop-up with its title, cleared over what is below; the area inside it.
pub fn popup(model: &Model, frame: &mut Frame, area: Rect, title: String) -> Rect {
    let theme = Theme::of(model);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.accent())
        .title(Span::styled(
            format!(" {title} "),
            theme.bold().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    inner
}

/// Splits an inner area into a body and a last line for key hints.
pub fn with_hints(model: &Model, frame: &mut Frame, inner: Rect, mode: Mode) -> Rect {
    if inner.height < 2 {
        return inner;
    }
    let hints = Rect {
        y: inner.bottom() - 1,
        height: 1,
        ..inner
    };
    frame.render_widget(Paragraph::new(key_hints(model, mode, hints.width)), hints);
    Rect {
        height: inner.height - 1,
        ..inner
    }
}

/// Key reminders for a mode that fit in `width` columns; the help key always shows.
pub fn key_hints(model: &Model, mode: Mode, width: u16) -> Line<'static> {
    let theme = Theme::of(model);
    let items: Vec<(String, &str)> = model
        .keymap
        .hints(mode)
        .into_iter()
        .map(|(keys, action)| (keys, action.short()))
        .collect();
    let help = Some(model.keymap.keys_for(mode, &Action::Help)).filter(|k| !k.is_empty());
    let cost = |keys: &str, label: &str| keys.chars().count() + label.chars().count() + 3;
    let mut room = width as usize;
    if let Some(keys) = &help {
        room = room.saturating_sub(cost(keys, "help"));
    }
    let mut spans = vec![Span::raw(" ")];
    let push = |spans: &mut Vec<Span<'static>>, keys: String, label: &str| {
        spans.push(Span::styled(
            keys,
            theme.accent().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {label}  ")));
    };
    for (keys, label) in items {
        let needed = cost(&keys, label);
        if needed > room {
            break;
        }
        room -= needed;
        push(&mut spans, keys, label);
    }
    if let Some(keys) = help {
        push(&mut spans, keys, "help");
    }
    Line::from(spans)
}

/// A pane of the main screen: thick and accented when it has the focus.
pub fn pane_block(model: &Model, title: Line<'static>, focused: bool) -> Block<'static> {
    let theme = Theme::of(model);
    let block = Block::default().borders(Borders::ALL).title(title);
    if focused {
        block
            .border_type(BorderType::Thick)
            .border_style(theme.accent())
    } else {
        block.border_style(theme.dim())
    }
}

/// The app's and the tester's names within `room` columns together: as they are when they fit,
/// else the longer one shortened (both, when both are long).
pub fn header_names(app: &str, tester: &str, room: usize) -> (String, String) {
    let (a, t) = (app.chars().count(), tester.chars().count());
    let room = room.max(16);
    if a + t <= room {
        return (app.to_string(), tester.to_string());
    }
    let half = room / 2;
    let (a_room, t_room) = if a <= half {
        (a, room - a)
    } else if t <= half {
        (room - t, t)
    } else {
        (half, room - half)
    };
    (shorten(app, a_room), shorten(tester, t_room))
}

/// A name from the session, or "-".
pub fn session_name(name: Option<&str>) -> &str {
    name.unwrap_or("-")
}

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
