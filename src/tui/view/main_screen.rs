//! The main screen: header, case list, detail pane, footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge, Paragraph};

use crate::tui::draw::{Theme, header_names, key_hints, pane_block, shorten, wrap_hanging};
use crate::tui::keymap::Mode;
use crate::tui::layout::{self, Pane};
use crate::tui::model::{Model, Row};

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let areas = layout::main(area, model.focus);
    header(model, frame, areas.header);
    if areas.list.width > 0 {
        case_list(model, frame, areas.list);
    }
    if areas.detail.width > 0 {
        super::detail::render(model, frame, areas.detail);
    }
    footer(model, frame, areas.footer);
    unsaved_banner(model, frame, area, areas.footer.y);
}

/// A failed save stays on screen, whole, until a save succeeds: never a line cut short.
fn unsaved_banner(model: &Model, frame: &mut Frame, area: Rect, bottom: u16) {
    let Some(error) = &model.save_error else {
        return;
    };
    let theme = Theme::of(model);
    let width = area.width.saturating_sub(2).max(1) as usize;
    let lines = wrap_hanging(Line::from(error.clone()), width);
    let height = (lines.len() as u16 + 2).min(bottom.saturating_sub(area.y + 2));
    let text = Paragraph::new(lines).style(theme.error());
    let banner = Rect {
        x: area.x,
        y: bottom.saturating_sub(height),
        width: area.width,
        height,
    };
    frame.render_widget(ratatui::widgets::Clear, banner);
    frame.render_widget(
        text.block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(" Not saved "),
        ),
        banner,
    );
}

fn header(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let ws = &model.ws;
    let session = ws.session();
    let version = ws
        .profile
        .known_version(ws.plan.source_fingerprint())
        .map(|w| format!(" · Okta plan {}", w.version))
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::styled(" scimplan ", theme.accent().add_modifier(Modifier::BOLD)),
        Span::raw(format!(" {}{version}", ws.plan.file_name())),
    ]);
    // Who and what are right-aligned so a narrow terminal cuts the file name, not them; names
    // too long for the line are shortened, so one cannot push the other and the plan out.
    let (app, tester) = header_names(
        session.app_name().unwrap_or("-"),
        session.tester().unwrap_or("-"),
        (area.width as usize).saturating_sub(HEADER_TITLE_ROOM + 18),
    );
    let who = Line::from(vec![
        Span::styled("│ App: ", theme.dim()),
        Span::raw(app),
        Span::styled("  Tester: ", theme.dim()),
        Span::raw(format!("{tester} ")),
    ]);
    let who_width = (who.width() as u16).min(area.width);
    let row = Rect { height: 1, ..area };
    frame.render_widget(
        Paragraph::new(title),
        Rect {
            width: row.width.saturating_sub(who_width + 1),
            ..row
        },
    );
    frame.render_widget(
        Paragraph::new(who).alignment(ratatui::layout::Alignment::Right),
        Rect {
            x: row.right() - who_width,
            width: who_width,
            ..row
        },
    );
    let total = &model.stats.total;
    let ratio = if total.applicable == 0 {
        0.0
    } else {
        total.done as f64 / total.applicable as f64
    };
    let label = format!(
        " {}/{} applicable cases done ({}%) ",
        total.done,
        total.applicable,
        (ratio * 100.0).round() as u32
    );
    let gauge = LineGauge::default()
        .ratio(ratio)
        .label(label)
        .filled_style(theme.fg(Color::Green))
        .unfilled_style(theme.dim());
    frame.render_widget(
        gauge,
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
    );
}

/// Columns the header keeps for "scimplan" and the plan's name.
const HEADER_TITLE_ROOM: usize = 22;

fn case_list(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let shown = model
        .rows
        .iter()
        .filter(|r| matches!(r, Row::Case(_)))
        .count();
    let mut title = vec![Span::raw(format!(
        " Cases {shown}/{} ",
        model.ws.plan.cases.len()
    ))];
    if !model.search.value().is_empty() {
        title.push(Span::styled(
            format!("/{} ", model.search.value()),
            theme.accent(),
        ));
    }
    if let Some(outcome) = model.outcome_filter {
        title.push(Span::styled(
            format!("[{} only] ", outcome.label()),
            theme.accent(),
        ));
    }
    let block = pane_block(model, Line::from(title), model.focus == Pane::List);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let session = model.ws.session();
    let lines: Vec<Line> = model
        .rows
        .iter()
        .skip(model.list_offset)
        .take(inner.height as usize)
        .map(|row| match *row {
            Row::Section(s) => {
                let section = &model.ws.plan.sections[s];
                let progress = &model.stats.sections[s];
                let mark = if progress.unsupported() {
                    " ⊘ not supported".to_string()
                } else {
                    String::new()
                };
                let counts = format!(" {}/{}{mark}", progress.done, progress.applicable);
                let name_width = width.saturating_sub(counts.chars().count() + 2);
                let name = if section.name.is_empty() {
                    "(no section)"
                } else {
                    &section.name
                };
                Line::from(vec![
                    Span::styled(format!("▾ {}", shorten(name, name_width)), theme.bold()),
                    Span::styled(
                        counts,
                        if progress.unsupported() {
                            theme.fg(Color::Blue)
                        } else {
                            theme.dim()
                        },
                    ),
                ])
            }
            Row::Case(c) => {
                let case = &model.ws.plan.cases[c];
                let result = session.result(&case.id);
                let outcome = result.map(|r| r.outcome).unwrap_or_default();
                let has_note = result.is_some_and(|r| !r.note.is_empty());
                let title_width = width.saturating_sub(case.id.chars().count() + 7);
                let mut spans = vec![
                    Span::raw("  "),
                    theme.outcome(outcome),
                    Span::raw(" "),
                    Span::styled(format!("{} ", case.id), theme.dim()),
                    Span::raw(shorten(&case.title, title_width)),
                ];
                if has_note {
                    spans.push(Span::styled(" ✎", theme.accent()));
                }
                // Verdicts of an automatic verification, told apart from the tester's own.
                if result.is_some_and(|r| r.automatic) {
                    spans.push(Span::styled(" [auto]", theme.dim()));
                }
                Line::from(spans)
            }
        })
        .collect();
    if lines.is_empty() {
        let text = if model.filter_active() {
            "No case matches. Esc clears the filter."
        } else {
            "This plan has no cases."
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()), inner);
    } else {
        frame.render_widget(Paragraph::new(lines), inner);
        // The highlight spans the whole row, not just the text.
        if let Some(selected) = model.selected
            && selected >= model.list_offset
            && selected < model.list_offset + inner.height as usize
        {
            let row = Rect {
                y: inner.y + (selected - model.list_offset) as u16,
                height: 1,
                ..inner
            };
            frame.buffer_mut().set_style(row, theme.selected());
        }
    }
}

fn footer(model: &Model, frame: &mut Frame, area: Rect) {
    // Searching types on this line: the search overlay draws it.
    if model.mode() == Mode::Search {
        return;
    }
    let theme = Theme::of(model);
    let status_area = Rect { height: 1, ..area };
    let keys_area = Rect {
        y: area.y + 1,
        height: 1,
        ..area
    };
    if let Some(message) = model
        .message
        .as_ref()
        // A failed save has its own box above: not again, cut short, here.
        .filter(|m| model.save_error.as_ref() != Some(&m.text))
    {
        let style = if message.error {
            theme.error()
        } else {
            Style::default()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", message.text), style)),
            status_area,
        );
    }
    // A save waiting for another writer's lock says so on the key hints' line.
    if let Some(line) = model.lock_wait_line() {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {line}"), theme.accent())),
            keys_area,
        );
        return;
    }
    // While verifying (exporting, reading Okta), its progress takes the key hints' line (the
    // help still lists them).
    if let Some(running) = model.shown_job() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!(" {}", running.status_line()),
                theme.accent(),
            )),
            keys_area,
        );
        return;
    }
    // Pop-ups show their own keys; the footer keeps those of the checklist.
    if model.mode() == Mode::Normal {
        frame.render_widget(
            Paragraph::new(key_hints(model, Mode::Normal, keys_area.width)),
            keys_area,
        );
    }
}
