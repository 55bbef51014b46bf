//! Drawing the checklist: functions of `&Model`, one per screen region, then each open
//! overlay's own drawing over it, bottom first. No I/O, no state changes; only the rows that
//! fit on screen are built.

mod detail;
mod main_screen;

pub use detail::fit as fit_detail;

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::widgets::{Paragraph, Wrap};

use super::layout;
use super::model::{DetailView, Model};

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
    for overlay in model.overlays() {
        overlay.draw(model, frame, area);
    }
}

/// What the detail pane shows of the selected case: see `detail::fit`.
pub fn detail_view(model: &Model) -> DetailView {
    detail::view_of(model)
}
