//! The main screen: header, case list, detail pane, footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Borders, LineGauge, Padding, Paragraph};

use super::{Theme, shorten, wrap_hanging};
use crate::plan::{RichText, TextSpan};
use crate::session::Outcome;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::layout;
use crate::tui::model::{DetailView, Model, Pane, Row};

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let areas = layout::main(area, model.focus);
    header(model, frame, areas.header);
    if areas.list.width > 0 {
        case_list(model, frame, areas.list);
    }
    if areas.detail.width > 0 {
        detail(model, frame, areas.detail);
    }
    footer(model, frame, areas.footer);
}

fn header(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let ws = &model.ws;
    let session = &ws.store.session;
    let version = ws
        .profile
        .known_version(&ws.plan.fingerprint)
        .map(|w| format!(" · Okta plan {}", w.version))
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::styled(" scimplan ", theme.accent().add_modifier(Modifier::BOLD)),
        Span::raw(format!(" {}{version}", ws.plan.file_name())),
    ]);
    // Who and what are right-aligned so a narrow terminal cuts the file name, not them.
    let who = Line::from(vec![
        Span::styled("│ App: ", theme.dim()),
        Span::raw(session.app_name.clone().unwrap_or_else(|| "-".into())),
        Span::styled("  Tester: ", theme.dim()),
        Span::raw(format!(
            "{} ",
            session.tester.clone().unwrap_or_else(|| "-".into())
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

fn pane_block(model: &Model, title: Line<'static>, focused: bool) -> Block<'static> {
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
    let session = &model.ws.store.session;
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

fn rich_lines(text: &RichText, indent: &str, theme: &Theme) -> Vec<Line<'static>> {
    text.lines()
        .into_iter()
        .map(|spans| rich_line(&spans, indent, theme))
        .collect()
}

fn rich_line(spans: &[TextSpan], indent: &str, theme: &Theme) -> Line<'static> {
    let mut out = vec![Span::raw(indent.to_string())];
    out.extend(spans.iter().map(|s| {
        if s.bold {
            Span::styled(s.text.clone(), theme.bold())
        } else {
            Span::raw(s.text.clone())
        }
    }));
    Line::from(out)
}

fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        theme.accent().add_modifier(Modifier::BOLD),
    ))
}

fn detail(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let focused = model.focus == Pane::Detail;
    let Some(c) = model.selected_case() else {
        let block = pane_block(model, Line::from(" Detail "), focused);
        frame.render_widget(Paragraph::new("No case selected.").block(block), area);
        return;
    };
    let case = &model.ws.plan.cases[c];
    let session = &model.ws.store.session;
    let result = session.result(&case.id);
    let outcome = result.map(|r| r.outcome).unwrap_or_default();
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(case.id.clone(), theme.bold()),
        Span::styled(format!(" · {} ", case.section), theme.dim()),
    ]);
    let block = pane_block(model, title, focused);

    let mut lines: Vec<Line> = vec![Line::from(Span::styled(case.title.clone(), theme.bold()))];
    // Unwrapped lines of the step under the cursor: [start, end).
    let mut cursor_lines = (0, 0);
    let mut status = vec![
        theme.outcome(outcome),
        Span::raw(format!(" {}", outcome.label())),
    ];
    if let Some(reason) = result.and_then(|r| r.reason.as_deref()) {
        status.push(Span::styled(format!(" — {reason}"), theme.dim()));
    }
    if let Some(tester) = result.and_then(|r| r.tester.as_deref()) {
        status.push(Span::styled(format!(" · {tester}"), theme.dim()));
    }
    if result.is_some_and(|r| r.automatic) {
        status.push(Span::styled(
            " · automatic: set by a verification",
            theme.dim(),
        ));
    }
    if !model.ws.store.session.applies(&model.ws.reqs, c) {
        status.push(Span::styled(
            format!(" · needs {}", model.ws.reqs.needs(c).join(", ")),
            theme.fg(Color::Blue),
        ));
    }
    lines.push(Line::from(status));

    if !case.preconditions.is_empty() || !case.refs.is_empty() {
        lines.push(Line::default());
        lines.push(heading("Preconditions", &theme));
        lines.extend(rich_lines(&case.preconditions, "  ", &theme));
        for id in &case.refs {
            let ref_outcome = session.outcome(id);
            let ref_title = model
                .ws
                .plan
                .case(id)
                .map(|c| c.title.as_str())
                .unwrap_or("");
            let warn = matches!(
                ref_outcome,
                Outcome::Fail | Outcome::Blocked | Outcome::NotRun
            );
            lines.push(Line::from(vec![
                Span::styled("  ↳ ", theme.dim()),
                theme.outcome(ref_outcome),
                Span::raw(format!(" {id} {}", ref_outcome.label())),
                Span::styled(
                    format!(" — {ref_title}"),
                    if warn {
                        theme.fg(Color::Yellow)
                    } else {
                        theme.dim()
                    },
                ),
            ]));
        }
    }

    if !case.steps.is_empty() {
        lines.push(Line::default());
        lines.push(heading("Steps", &theme));
        for (i, step) in case.steps.iter().enumerate() {
            let ticked = result.is_some_and(|r| r.steps_checked.contains(&i));
            let number = step
                .number
                .map(|n| format!("{n}. "))
                .unwrap_or_else(|| "• ".into());
            let cursor = if i == model.step_cursor {
                cursor_lines.0 = lines.len();
                "›"
            } else {
                " "
            };
            let check = if ticked { "[x] " } else { "[ ] " };
            for (l, spans) in step.text.lines().into_iter().enumerate() {
                let mut line = if l == 0 {
                    let mut line = rich_line(&spans, "", &theme);
                    line.spans.insert(0, Span::raw(number.clone()));
                    line.spans.insert(
                        0,
                        Span::styled(
                            check,
                            if ticked {
                                theme.fg(Color::Green)
                            } else {
                                Style::default()
                            },
                        ),
                    );
                    line.spans.insert(0, Span::styled(cursor, theme.accent()));
                    line
                } else {
                    rich_line(&spans, "       ", &theme)
                };
                if ticked {
                    line = line.patch_style(theme.dim());
                }
                lines.push(line);
            }
            if i == model.step_cursor {
                cursor_lines.1 = lines.len();
            }
        }
    }

    if !case.expected.is_empty() {
        lines.push(Line::default());
        lines.push(heading("Expected result", &theme));
        lines.extend(rich_lines(&case.expected, "  ", &theme));
    }

    lines.push(Line::default());
    lines.push(heading("Note", &theme));
    match result.map(|r| r.note.as_str()).filter(|n| !n.is_empty()) {
        Some(note) => lines.extend(note.lines().map(|l| Line::from(format!("  {l}")))),
        None => lines.push(Line::from(Span::styled(
            format!(
                "  none ({} writes one)",
                model.keymap.keys_for(Mode::Normal, &Action::EditNote)
            ),
            theme.dim(),
        ))),
    }
    let evidence = result.map(|r| r.evidence.as_slice()).unwrap_or(&[]);
    lines.push(Line::default());
    lines.push(heading("Evidence", &theme));
    if evidence.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "  none ({} attaches a file path or URL)",
                model.keymap.keys_for(Mode::Normal, &Action::AddEvidence)
            ),
            theme.dim(),
        )));
    }
    for item in evidence {
        lines.push(Line::from(format!("  • {}", item.reference)));
    }
    // The latest automatic check of this case, or the one running now.
    let running = model
        .verification
        .as_ref()
        .filter(|v| v.cases.get(v.finished.len()) == Some(&case.id));
    let last_run = session.verify.latest_run(&case.id);
    if running.is_some() || last_run.is_some() {
        lines.push(Line::default());
        lines.push(heading("Verification", &theme));
    }
    if let Some(running) = running {
        lines.push(Line::from(Span::styled(
            format!("  {}", running.status_line()),
            theme.accent(),
        )));
    } else if let Some(run) = last_run {
        lines.push(Line::from(format!(
            "  {} at {} after {} attempt(s): {}",
            run.verdict.label(),
            run.at.format("%Y-%m-%d %H:%M UTC"),
            run.attempts,
            run.summary
        )));
        // Why it did not pass: each assertion that did not hold, expected against actual.
        let failed: Vec<_> = run.assertions.iter().filter(|a| !a.passed).collect();
        for a in failed.iter().take(5) {
            lines.push(Line::from(vec![
                Span::styled("  ✗ ", theme.error()),
                Span::raw(format!(
                    "{}: {}: expected {}, got {}",
                    a.step, a.check, a.expected, a.actual
                )),
            ]));
        }
        if failed.len() > 5 {
            lines.push(Line::from(Span::styled(
                format!("  and {} more in the session's record", failed.len() - 5),
                theme.dim(),
            )));
        }
        let inputs: Vec<String> = run.inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !inputs.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("  inputs: {}", inputs.join(", ")),
                theme.dim(),
            )));
        }
    }
    if let Some(secs) = result.map(|r| r.time_spent_secs).filter(|s| *s >= 60) {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Time on this case: {} min", secs / 60),
            theme.dim(),
        )));
    }

    let block = block.padding(Padding::horizontal(1));
    let inner = block.inner(area);
    let width = inner.width as usize;
    let mut wrapped: Vec<Line> = Vec::with_capacity(lines.len());
    let mut cursor_rows = (0, 0);
    for (i, line) in lines.into_iter().enumerate() {
        if i == cursor_lines.0 {
            cursor_rows.0 = wrapped.len();
        }
        wrapped.extend(wrap_hanging(line, width));
        if i + 1 == cursor_lines.1 {
            cursor_rows.1 = wrapped.len();
        }
    }
    let height = inner.height as usize;
    let max_scroll = wrapped.len().saturating_sub(height);
    let mut scroll = (model.detail_scroll as usize).min(max_scroll);
    if focused && model.detail_follow && cursor_rows.1 > cursor_rows.0 {
        if cursor_rows.1 > scroll + height {
            scroll = cursor_rows.1 - height;
        }
        scroll = scroll.min(cursor_rows.0);
    }
    let shown = DetailView {
        scroll: scroll as u16,
        max_scroll: max_scroll as u16,
    };
    model.detail_view.set(shown);
    frame.render_widget(
        Paragraph::new(Text::from(wrapped))
            .block(block)
            .scroll((shown.scroll, 0)),
        area,
    );
}

/// The actions worth a reminder in each mode's footer, in order.
fn footer_actions(mode: Mode) -> &'static [Action] {
    use Action::*;
    match mode {
        Mode::Normal => &[
            MarkPass,
            MarkFail,
            MarkBlocked,
            MarkSkipped,
            ToggleStep,
            EditNote,
            NextNotRun,
            Search,
            Undo,
            Quit,
            Summary,
            VerifyCase,
            Export,
            ConnectionSettings,
            AddEvidence,
            FilterOutcome,
        ],
        Mode::Search | Mode::Prompt => &[Submit, Cancel],
        Mode::EditingNote => &[SaveNote],
        Mode::Confirm => &[BlockForPreconditions, MarkAnyway, Cancel],
        Mode::Capabilities => &[
            MoveDown,
            ToggleCapability,
            ConfirmCapabilities,
            Cancel,
            Quit,
        ],
        Mode::Help => &[MoveDown, Close],
        Mode::Summary => &[JumpToCase, RunSpec, SpecLink, CrudLink, Back, Export, Close],
        Mode::Connection => &[NextField, Submit, Cancel],
        Mode::ConfirmSpec => &[Agree, Cancel],
    }
}

/// Key reminders for a mode that fit in `width` columns; the help key always shows.
pub fn key_hints(model: &Model, mode: Mode, width: u16) -> Line<'static> {
    let theme = Theme::of(model);
    let items: Vec<(String, &str)> = footer_actions(mode)
        .iter()
        .map(|a| (model.keymap.keys_for(mode, a), a.short()))
        .filter(|(keys, _)| !keys.is_empty())
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
    if model.mode == Mode::Search {
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
    } else if let Some(message) = &model.message {
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
    if let Some(running) = &model.verification
        && model.mode != Mode::Search
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
    if matches!(model.mode, Mode::Normal | Mode::Search) {
        frame.render_widget(
            Paragraph::new(key_hints(model, model.mode, keys_area.width)),
            keys_area,
        );
    }
}
