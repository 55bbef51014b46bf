//! Where each region of the main screen goes, as a pure function of the terminal size, so that
//! drawing and mouse clicks agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// The pane that j/k and space talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Detail,
}

/// Below this the screen shows a message instead of the checklist.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// Below this width the list and the detail share one pane (Tab switches).
pub const TWO_PANE_WIDTH: u16 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainAreas {
    pub header: Rect,
    /// The case list, with its border (zero-sized when hidden in the compact layout).
    pub list: Rect,
    /// The detail pane, with its border (zero-sized when hidden in the compact layout).
    pub detail: Rect,
    pub footer: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

pub fn main(area: Rect, focus: Pane) -> MainAreas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    let (list, detail) = if area.width >= TWO_PANE_WIDTH {
        let list_width = (area.width * 45 / 100).clamp(36, 60);
        let [list, detail] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(body);
        (list, detail)
    } else {
        let hidden = Rect::new(body.x, body.y, 0, 0);
        match focus {
            Pane::List => (body, hidden),
            Pane::Detail => (hidden, body),
        }
    };
    MainAreas {
        header,
        list,
        detail,
        footer,
    }
}

/// A centred rectangle for an overlay, at most `width` x `height`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
