//! Search: typing a query on the footer line filters the case list as it is typed (ID, title
//! and text); Enter keeps it as a filter, Esc drops it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use crate::tui::action::Action;
use crate::tui::draw::{Theme, key_hints};
use crate::tui::field::edit_line;
use crate::tui::keymap::Mode;
use crate::tui::layout;
use crate::tui::model::{Flow, Model, Overlay, Row};

/// The query itself stays in `Model::search`, a filter after Enter.
pub struct Search;

impl Overlay for Search {
    fn mode(&self) -> Mode {
        Mode::Search
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::Submit => {
                let shown = m.rows.iter().filter(|r| matches!(r, Row::Case(_))).count();
                if m.search.value().is_empty() {
                    m.info("Search cleared.");
                } else {
                    m.info(format!(
                        "{shown} case(s) match '{}'. Esc clears the filter.",
                        m.search.value()
                    ));
                }
                Flow::Close
            }
            Action::Cancel => {
                m.search = Input::default();
                m.rebuild_rows();
                Flow::Close
            }
            other => {
                let before = m.selected_case();
                if edit_line(&mut m.search, &other) {
                    m.rebuild_rows();
                    select_search_hit(m, before);
                }
                Flow::Stay
            }
        }
    }

    /// On the footer: the query with its cursor, and the search's keys.
    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let footer = layout::main(area, model.focus).footer;
        let status_area = Rect {
            height: 1,
            ..footer
        };
        let keys_area = Rect {
            y: footer.y + 1,
            height: 1,
            ..footer
        };
        let label = " Search: ";
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, theme.accent()),
                Span::raw(model.search.value().to_string()),
            ])),
            status_area,
        );
        let x = status_area.x + label.len() as u16 + model.search.visual_cursor() as u16;
        frame.set_cursor_position((x.min(footer.right().saturating_sub(1)), status_area.y));
        frame.render_widget(
            Paragraph::new(key_hints(model, Mode::Search, keys_area.width)),
            keys_area,
        );
    }
}

/// Puts the cursor on the case whose ID is the query, else keeps it, else the first match.
fn select_search_hit(m: &mut Model, before: Option<usize>) {
    let query = m.search.value().trim();
    let exact = m.rows.iter().position(
        |r| matches!(r, Row::Case(c) if m.ws.plan.cases[*c].id.eq_ignore_ascii_case(query)),
    );
    let kept = before.and_then(|b| m.rows.iter().position(|r| *r == Row::Case(b)));
    let row = exact.or(kept).or_else(|| m.first_case_row());
    m.select_row(row);
}
