//! Single-line text fields (`tui-input`): what a typed key or pasted text does to one, and the
//! one-line pop-up the prompts draw (a title, the field, the mode's key hints).

use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::action::Action;
use super::draw::{Theme, centered, popup, with_hints};
use super::keymap::Mode;
use super::model::Model;

/// Feeds a typed key or pasted text to a single-line field; whether its value changed.
pub fn edit_line(input: &mut Input, action: &Action) -> bool {
    match action {
        Action::TypeKey(key) => match to_input_request(&Event::Key(*key)) {
            Some(request) => input.handle(request).is_some_and(|c| c.value),
            None => false,
        },
        Action::Paste(text) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
            true
        }
        _ => false,
    }
}

/// A one-line prompt over the screen: `title`, the field (only `•` per character when
/// `masked`: a secret never shows), and the key hints of `mode`.
pub fn draw_prompt(
    model: &Model,
    frame: &mut Frame,
    area: Rect,
    (title, mode): (&str, Mode),
    input: &Input,
    masked: bool,
) {
    let theme = Theme::of(model);
    // Wide enough for the title when the terminal allows (secret and input prompts are long).
    let width = (title.chars().count() as u16 + 6).max(70);
    let outer = centered(area, width, 5);
    let inner = popup(model, frame, outer, title.to_string());
    let body = with_hints(model, frame, inner, mode);
    let width = body.width.max(1) as usize;
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let line = Rect { height: 1, ..body };
    let shown = if masked {
        "•".repeat(input.value().chars().count())
    } else {
        input.value().to_string()
    };
    frame.render_widget(
        Paragraph::new(shown)
            .style(theme.bold())
            .scroll((0, scroll as u16)),
        line,
    );
    let x = line.x + (input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position((x.min(line.right().saturating_sub(1)), line.y));
}
