//! Screens and pop-ups drawn over the main screen: capabilities, help, summary, note editor,
//! prompts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::main_screen::key_hints;
use super::{Theme, shorten};
use crate::report::SuiteEvidence;
use crate::session::Outcome;
use crate::tui::action::Action;
use crate::tui::connect_form::ConnectionForm;
use crate::tui::keymap::Mode;
use crate::tui::layout::centered;
use crate::tui::model::{
    CapabilitiesDraft, HelpView, Job, Model, NoteEditor, PendingMark, Prompt, PromptKind,
    SummaryView,
};
use crate::tui::state::IdentityForm;

fn popup(model: &Model, frame: &mut Frame, area: Rect, title: String) -> Rect {
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
fn with_hints(model: &Model, frame: &mut Frame, inner: Rect, mode: Mode) -> Rect {
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

pub fn capabilities(model: &Model, draft: &CapabilitiesDraft, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let height = (draft.choices.len() as u16 + 8).min(area.height);
    let outer = centered(area, 76, height);
    let inner = popup(
        model,
        frame,
        outer,
        "Capabilities: what does the integration support?".into(),
    );
    let body = with_hints(model, frame, inner, Mode::Capabilities);
    let mut lines = vec![
        Line::from(Span::styled(
            "Cases of unsupported capabilities are skipped, with the reason recorded.",
            theme.dim(),
        )),
        Line::default(),
    ];
    let reqs = &model.ws.reqs;
    let name_width = body.width.saturating_sub(22) as usize;
    for (i, (key, supported)) in draft.choices.iter().enumerate() {
        let cap = reqs.capability(key);
        let name = cap.map(|c| c.name.as_str()).unwrap_or(key);
        let governed = reqs.cases_governed(key);
        let mark = if *supported { "[x]" } else { "[ ]" };
        let mut line = Line::from(vec![
            Span::styled(
                format!(" {mark} "),
                if *supported {
                    theme.fg(Color::Green)
                } else {
                    theme.fg(Color::Blue)
                },
            ),
            Span::raw(format!("{:<name_width$}", shorten(name, name_width))),
            Span::styled(
                format!(
                    " {governed:>3} case{}",
                    if governed == 1 { "" } else { "s" }
                ),
                theme.dim(),
            ),
        ]);
        if i == draft.cursor {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    if let Some(description) = draft
        .choices
        .get(draft.cursor)
        .and_then(|(k, _)| reqs.capability(k))
        .map(|c| c.description.clone())
        .filter(|d| !d.is_empty())
    {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(description, theme.dim())));
    }
    // Keep the cursor on screen in short terminals.
    let skip = (draft.cursor + 3).saturating_sub(body.height as usize);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((skip as u16, 0)),
        body,
    );
}

pub fn help(model: &Model, view: &HelpView, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let outer = centered(area, 72, area.height.saturating_sub(2));
    let inner = popup(model, frame, outer, "Help: every key".into());
    let body = with_hints(model, frame, inner, Mode::Help);
    let mut lines = Vec::new();
    for mode in Mode::ALL {
        let rows = model.keymap.grouped(mode);
        if rows.is_empty() || mode == Mode::Help {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            mode.title().to_string(),
            theme.accent().add_modifier(Modifier::BOLD),
        )));
        if mode.takes_text() {
            lines.push(Line::from(Span::styled(
                "  other keys type text".to_string(),
                theme.dim(),
            )));
        }
        for (keys, action) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.bold()),
                Span::raw(action.describe()),
            ]));
        }
    }
    let lines: Vec<Line> = lines
        .into_iter()
        .skip(view.scroll)
        .take(body.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

pub fn summary(model: &Model, view: &SummaryView, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    // A whole screen of its own: nothing of the checklist shows through.
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent())
        .title(Span::styled(" Summary ", theme.bold()))
        .title(Span::styled(
            format!(
                " App: {} · Tester: {} ",
                session_name(&model.ws.store.session.app_name),
                session_name(&model.ws.store.session.tester)
            ),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body = with_hints(model, frame, inner, Mode::Summary);
    if let Some(running) = model.running() {
        let text = format!(" {}", running.status_line());
        bottom_line(frame, inner, Span::styled(text, theme.accent()));
    }

    let stats = &model.stats;
    let name_width = (body.width as usize)
        .saturating_sub(5 + 8 * 5 + 2)
        .clamp(8, 50);
    let mut table = Vec::new();
    let mut header = format!("{:<name_width$} Apply", "Section");
    for outcome in Outcome::ALL {
        header.push_str(&format!(" {:>7}", outcome.label()));
    }
    table.push(Line::from(Span::styled(header, theme.bold())));
    let row = |name: &str, p: &crate::session::Tally| {
        let mut text = format!(
            "{:<name_width$} {:>5}",
            shorten(name, name_width),
            p.applicable
        );
        for outcome in Outcome::ALL {
            text.push_str(&format!(" {:>7}", p.count(outcome)));
        }
        text
    };
    for (section, progress) in model.ws.plan.sections.iter().zip(&stats.sections) {
        let mut line = Line::from(row(&section.name, progress));
        if progress.unsupported() {
            line = line.patch_style(theme.dim());
        }
        table.push(line);
    }
    table.push(Line::from(Span::styled(
        row("Total", &stats.total),
        theme.bold(),
    )));
    table.push(Line::default());

    // The verdict first; the section table only when it leaves room for some blockers.
    let mut lines = verdict(model, view);
    lines.push(Line::default());
    let blockers = view.readiness.blockers.len();
    let wanted = lines.len() + table.len() + 2 + blockers.clamp(1, 5);
    if wanted <= body.height as usize {
        lines.extend(table);
    }
    blocker_lines(model, view, &mut lines, body);
    frame.render_widget(Paragraph::new(lines), body);
    if let Some(message) = &model.message {
        let style = if message.error {
            theme.error()
        } else {
            theme.bold()
        };
        bottom_line(frame, body, Span::styled(message.text.clone(), style));
    }
}

/// Writes `text` over the last line of `area`.
fn bottom_line(frame: &mut Frame, area: Rect, text: Span<'static>) {
    let line = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    frame.render_widget(Clear, line);
    frame.render_widget(Paragraph::new(text), line);
}

/// The readiness verdict and where each API suite's result comes from.
fn verdict(model: &Model, view: &SummaryView) -> Vec<Line<'static>> {
    let theme = Theme::of(model);
    let readiness = &view.readiness;
    let mut lines = Vec::new();
    let verdict = if readiness.ready {
        Span::styled(
            "Verdict: READY to submit".to_string(),
            theme.fg(Color::Green).add_modifier(Modifier::BOLD),
        )
    } else {
        Span::styled(
            format!(
                "Verdict: NOT READY ({} blocker{})",
                readiness.blockers.len(),
                if readiness.blockers.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            theme.error().add_modifier(Modifier::BOLD),
        )
    };
    lines.push(Line::from(verdict));
    for suite in &readiness.suites {
        let style = if suite.satisfied() {
            theme.fg(Color::Green)
        } else {
            theme.error()
        };
        // Here the link is one key away rather than a command.
        let action = match suite.suite {
            crate::session::SuiteKind::Spec => Action::SpecLink,
            crate::session::SuiteKind::Crud => Action::CrudLink,
        };
        let link_keys = model.keymap.keys_for(Mode::Summary, &action);
        let run_keys = model.keymap.keys_for(Mode::Summary, &Action::RunSpec);
        let describe = match suite.evidence {
            SuiteEvidence::Missing
                if suite.suite == crate::session::SuiteKind::Spec && !run_keys.is_empty() =>
            {
                format!(
                    "no link: {run_keys} runs Okta's file here; {link_keys} records the Runscope link"
                )
            }
            SuiteEvidence::Missing => {
                format!(
                    "no link: run Okta's {} file in Runscope; {link_keys} records the link",
                    suite.name()
                )
            }
            SuiteEvidence::Link(ref url) => format!("link recorded: {url}"),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {} suite: ", suite.name()), style),
            Span::raw(describe),
        ]));
        if let Some(local) = suite.describe_local() {
            let local_style = match &suite.local {
                Some(run) if !run.passed && suite.satisfied() => theme.fg(Color::Yellow),
                Some(run) if !run.passed => theme.error(),
                _ => theme.dim(),
            };
            lines.push(Line::from(Span::styled(
                format!("      {local}"),
                local_style,
            )));
        }
        // What failed in the latest local run, from the full report kept in the session.
        if let Some(run) = suite.local.as_ref().filter(|r| !r.passed)
            && let Some(report) = &model.ws.store.session.verify.last_spec
            && report.at == run.at
            && let Some(file) = &report.file
        {
            let failed: Vec<_> = file
                .steps
                .iter()
                .filter(|s| {
                    matches!(
                        s.status,
                        crate::session::StepStatus::Fail | crate::session::StepStatus::NotRun
                    )
                })
                .collect();
            for step in failed.iter().take(3) {
                lines.push(Line::from(vec![
                    Span::styled("      ✗ ", theme.error()),
                    Span::raw(step.title()),
                ]));
                // Each assertion that did not hold (or why the step could not run), two at most.
                let why: Vec<String> = step
                    .failed_assertions()
                    .map(|a| {
                        format!(
                            "{}: expected {}, got {}",
                            a.describe(),
                            a.expected,
                            a.actual
                        )
                    })
                    .chain(step.problems.iter().cloned())
                    .collect();
                for line in why.iter().take(2) {
                    lines.push(Line::from(Span::styled(
                        format!("          {line}"),
                        theme.dim(),
                    )));
                }
                if why.len() > 2 {
                    lines.push(Line::from(Span::styled(
                        format!("          and {} more", why.len() - 2),
                        theme.dim(),
                    )));
                }
            }
            if failed.len() > 3 {
                lines.push(Line::from(Span::styled(
                    format!(
                        "      and {} more (`scimplan spec` prints them all)",
                        failed.len() - 3
                    ),
                    theme.dim(),
                )));
            }
        }
    }
    lines
}

/// The blockers, the selected one highlighted and kept on screen; the last line stays free
/// for messages.
fn blocker_lines(model: &Model, view: &SummaryView, lines: &mut Vec<Line<'static>>, body: Rect) {
    let theme = Theme::of(model);
    let readiness = &view.readiness;
    lines.push(Line::from(Span::styled(
        "Blockers (Enter goes to the case)".to_string(),
        theme.accent().add_modifier(Modifier::BOLD),
    )));
    if readiness.blockers.is_empty() {
        lines.push(Line::from("  none: every applicable case passed."));
        return;
    }
    let room = (body.height as usize)
        .saturating_sub(lines.len() + 1)
        .max(1);
    let skip = (view.cursor + 1).saturating_sub(room);
    for (i, blocker) in readiness.blockers.iter().enumerate().skip(skip).take(room) {
        let mut spans = vec![
            Span::raw("  "),
            theme.outcome(blocker.outcome),
            Span::raw(format!(
                " {:<8} {} — {}",
                blocker.id,
                blocker.title,
                blocker.problem()
            )),
        ];
        if let Some(reason) = &blocker.reason {
            spans.push(Span::styled(format!(" ({reason})"), theme.dim()));
        }
        let mut line = Line::from(spans);
        if i == view.cursor {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
}

pub fn note_editor(model: &Model, editor: &NoteEditor, frame: &mut Frame, area: Rect) {
    let id = &model.ws.plan.cases[editor.case].id;
    let outer = centered(
        area,
        (area.width * 4 / 5).max(40),
        (area.height * 3 / 5).max(8),
    );
    let inner = popup(model, frame, outer, format!("Note for {id}"));
    let body = with_hints(model, frame, inner, Mode::EditingNote);
    frame.render_widget(&editor.textarea, body);
}

pub fn prompt(model: &Model, prompt: &Prompt, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    // Wide enough for the title when the terminal allows (secret and input prompts are long).
    let width = (prompt.title.chars().count() as u16 + 6).max(70);
    let outer = centered(area, width, 5);
    let inner = popup(model, frame, outer, prompt.title.clone());
    let mode = if prompt.kind == PromptKind::Evidence {
        Mode::Attach
    } else {
        Mode::Prompt
    };
    let body = with_hints(model, frame, inner, mode);
    let width = body.width.max(1) as usize;
    let scroll = prompt.input.visual_scroll(width.saturating_sub(1));
    let line = Rect { height: 1, ..body };
    // The secret never shows, only how many characters were typed.
    let shown = match prompt.kind {
        PromptKind::Secret => "•".repeat(prompt.input.value().chars().count()),
        _ => prompt.input.value().to_string(),
    };
    frame.render_widget(
        Paragraph::new(shown)
            .style(theme.bold())
            .scroll((0, scroll as u16)),
        line,
    );
    let x = line.x + (prompt.input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position((x.min(line.right().saturating_sub(1)), line.y));
}

pub fn confirm(model: &Model, pending: &PendingMark, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let id = &model.ws.plan.cases[pending.case].id;
    let outer = centered(area, 70, pending.unmet.len() as u16 + 6);
    let inner = popup(model, frame, outer, format!("{id}: preconditions not met"));
    let body = with_hints(model, frame, inner, Mode::Confirm);
    let mut lines = vec![Line::from(format!(
        "Marking {} {}, but these referenced cases are not Pass or Skipped:",
        id,
        pending.outcome.label()
    ))];
    for (ref_id, outcome) in &pending.unmet {
        let title = model
            .ws
            .plan
            .case(ref_id)
            .map(|c| c.title.as_str())
            .unwrap_or("");
        lines.push(Line::from(vec![
            Span::raw("  "),
            theme.outcome(*outcome),
            Span::raw(format!(" {ref_id} {} — {title}", outcome.label())),
        ]));
    }
    lines.push(Line::from(Span::styled(
        "Mark it Blocked for that reason instead?",
        theme.bold(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

pub fn confirm_spec(model: &Model, frame: &mut Frame, area: Rect) {
    let Job::NeedsConsent(offer) = &model.job else {
        return;
    };
    let theme = Theme::of(model);
    let target = model
        .ws
        .store
        .session
        .verify
        .connection
        .as_ref()
        .map(|c| c.base_url.clone())
        .unwrap_or_default();
    let outer = centered(area, 76, 9);
    let inner = popup(model, frame, outer, "Run Okta's SPEC file?".into());
    let body = with_hints(model, frame, inner, Mode::ConfirmSpec);
    let lines = vec![
        Line::from(format!(
            "scimplan runs {} against {target} as Runscope would.",
            offer.file.name
        )),
        Line::from(vec![
            Span::raw("It creates one user: "),
            Span::styled(offer.user_name().to_string(), theme.bold()),
        ]),
        Line::from("and deactivates it at the end. Nothing else is changed."),
        Line::default(),
        Line::from(Span::styled("Go ahead?", theme.bold())),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

pub fn connection_form(model: &Model, form: &ConnectionForm, frame: &mut Frame, area: Rect) {
    use crate::tui::connect_form::{Field, SchemeChoice};
    let theme = Theme::of(model);
    let outer = centered(area, 76, 13);
    let inner = popup(model, frame, outer, "SCIM connection".into());
    let body = with_hints(model, frame, inner, Mode::Connection);
    let marker = |field: Field| {
        if form.field == field {
            Span::styled("> ", theme.accent().add_modifier(Modifier::BOLD))
        } else {
            Span::raw("  ")
        }
    };
    let label = |field: Field, text: &str| {
        let style = if form.field == field {
            theme.accent().add_modifier(Modifier::BOLD)
        } else {
            theme.dim()
        };
        Line::from(vec![marker(field), Span::styled(text.to_string(), style)])
    };
    let mut lines = vec![label(Field::Url, "SCIM base URL")];
    let url_row = lines.len();
    lines.push(Line::from(vec![
        Span::raw("    "),
        Span::styled(form.url.value().to_string(), theme.bold()),
    ]));
    let choose = model.keymap.keys_for(Mode::Connection, &Action::PrevChoice)
        + "/"
        + &model.keymap.keys_for(Mode::Connection, &Action::NextChoice);
    lines.push(label(
        Field::Scheme,
        &format!("Authentication ({choose} to change)"),
    ));
    let mut choices = vec![Span::raw("    ")];
    for choice in SchemeChoice::ALL {
        let text = if choice == form.scheme {
            Span::styled(
                format!("(•) {}", choice.label()),
                theme.bold().add_modifier(Modifier::BOLD),
            )
        } else {
            Span::styled(format!("( ) {}", choice.label()), theme.dim())
        };
        choices.push(text);
        choices.push(Span::raw("   "));
    }
    lines.push(Line::from(choices));
    let mut name_row = None;
    if let (Some(name_label), Some(input)) = (form.name_label(), form.name_input()) {
        lines.push(label(Field::Name, name_label));
        name_row = Some(lines.len());
        lines.push(Line::from(vec![
            Span::raw("    "),
            Span::styled(input.value().to_string(), theme.bold()),
        ]));
    }
    let var = match form.scheme {
        SchemeChoice::Basic => crate::session::connection::PASSWORD_ENV,
        _ => crate::session::connection::TOKEN_ENV,
    };
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!(
            "The secret comes from {var}, or is asked for (masked) when a check runs; never saved."
        ),
        theme.dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let cursor = match form.field {
        Field::Url => Some((url_row, &form.url)),
        Field::Name => name_row.zip(form.name_input()),
        Field::Scheme => None,
    };
    if let Some((row, input)) = cursor
        && (row as u16) < body.height
    {
        let x = body.x + 4 + input.visual_cursor() as u16;
        frame.set_cursor_position((x.min(body.right().saturating_sub(1)), body.y + row as u16));
    }
}

pub fn identity(model: &Model, form: &IdentityForm, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let outer = centered(area, 70, 9);
    let inner = popup(model, frame, outer, "Who is testing?".into());
    let body = with_hints(model, frame, inner, Mode::Identity);
    let label_width = 9;
    let intro = Line::from(Span::styled(
        "Shown in the header, the summary, the reports and the completed workbook.",
        theme.dim(),
    ));
    frame.render_widget(
        Paragraph::new(intro).wrap(Wrap { trim: true }),
        Rect { height: 2, ..body },
    );
    for (i, (label, input)) in [("Tester", &form.tester), ("App", &form.app)]
        .into_iter()
        .enumerate()
    {
        let y = body.y + 3 + i as u16;
        if y >= body.bottom() {
            break;
        }
        let row = Rect {
            y,
            height: 1,
            ..body
        };
        let focused = form.field == i;
        let field_width = row.width.saturating_sub(label_width).max(1) as usize;
        let scroll = input.visual_scroll(field_width.saturating_sub(1));
        let label_style = if focused { theme.accent() } else { theme.dim() };
        let line = Line::from(vec![
            Span::styled(format!("{label:<8} "), label_style),
            Span::styled(
                input.value().chars().skip(scroll).collect::<String>(),
                theme.bold(),
            ),
        ]);
        frame.render_widget(Paragraph::new(line), row);
        if focused {
            let x = row.x + label_width + (input.visual_cursor().saturating_sub(scroll)) as u16;
            frame.set_cursor_position((x.min(row.right().saturating_sub(1)), row.y));
        }
    }
}

fn session_name(name: &Option<String>) -> &str {
    name.as_deref().unwrap_or("-")
}

/// Quitting with changes the session file does not hold: say which, and what can be done.
pub fn unsaved(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let unsaved = model.ws.unsaved();
    let outer = centered(area, 76, 11);
    let inner = popup(model, frame, outer, "Unsaved changes".into());
    let body = with_hints(model, frame, inner, Mode::Unsaved);
    let lines = vec![
        Line::from(Span::styled(
            format!("{unsaved} are in memory only."),
            theme.error(),
        )),
        Line::from(format!(
            "{} could not be written:",
            model.ws.store.path.display()
        )),
        Line::from(Span::styled(
            model.save_error.clone().unwrap_or_default(),
            theme.dim(),
        )),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}
