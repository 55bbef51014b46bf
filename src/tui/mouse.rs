//! Mouse clicks and the wheel on the checklist: a click selects a case or focuses a pane, the
//! wheel scrolls the pane under the pointer.

use ratatui::layout::Position;

use super::layout;
use super::model::{Model, Pane, Row};
use super::update::{move_cases, scroll_detail};

pub fn click(m: &mut Model, column: u16, row: u16) {
    let areas = layout::main(m.area, m.focus);
    let at = Position::new(column, row);
    if areas.list.contains(at) {
        m.focus = Pane::List;
        let line = row.saturating_sub(areas.list.y + 1) as usize;
        if row > areas.list.y
            && let Some(Row::Case(_)) = m.rows.get(m.list_offset + line)
        {
            m.select_row(Some(m.list_offset + line));
        }
    } else if areas.detail.contains(at) {
        m.focus = Pane::Detail;
    }
}

pub fn scroll(m: &mut Model, column: u16, row: u16, down: bool) {
    let areas = layout::main(m.area, m.focus);
    if areas.detail.contains(Position::new(column, row)) {
        scroll_detail(m, if down { 3 } else { -3 });
    } else {
        move_cases(m, if down { 3 } else { -3 });
    }
}
