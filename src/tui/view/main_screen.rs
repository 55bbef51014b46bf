//! The main screen: header, case list, detail pane, footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, LineGauge, Paragraph};

use super::{Theme, shorten};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::layout;
use crate::tui::model::{Model, Pane, Row};

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
    let lines = super::wrap_hanging(Line::from(error.clone()), width);
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
    // Who and what are right-aligned so a narrow terminal cuts the file name, not them.
    let who = Line::from(vec![
        Span::styled("│ App: ", theme.dim()),
        Span::raw(
            session
                .app_name()
                .map(str::to_string)
                .unwrap_or_else(|| "-".into()),
        ),
        Span::styled("  Tester: ", theme.dim()),
        Span::raw(format!(
            "{} ",
            session
                .tester()
                .map(str::to_string)
                .unwrap_or_else(|| "-".into())
        )),
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

pub(super) fn pane_block(model: &Model, title: Line<'static>, focused: bool) -> Block<'static> {
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

fn footer(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let status_area = Rect { height: 1, ..area };
    let keys_area = Rect {
        y: area.y + 1,
        height: 1,
        ..area
    };
    if model.mode() == Mode::Search {
        let label = " Search: ";
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, theme.accent()),
                Span::raw(model.search.value().to_string()),
            ])),
            status_area,
        );
        let x = status_area.x + label.len() as u16 + model.search.visual_cursor() as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), status_area.y));
    } else if let Some(message) = model
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
    // While verifying, its progress takes the key hints' line (the help still lists them).
    if let Some(running) = model.running()
        && model.mode() != Mode::Search
    {
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
    if matches!(model.mode(), Mode::Normal | Mode::Search) {
        frame.render_widget(
            Paragraph::new(key_hints(model, model.mode(), keys_area.width)),
            keys_area,
        );
    }
}
