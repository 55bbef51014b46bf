//! Pop-ups drawn over the main screen: capabilities, help, note editor, prompts, questions and
//! the connection form. The summary, a screen of its own, is in `summary.rs`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::main_screen::key_hints;
use super::{Theme, shorten};
use crate::tui::action::Action;
use crate::tui::connect_form::ConnectionForm;
use crate::tui::keymap::Mode;
use crate::tui::layout::centered;
use crate::tui::model::{
    CapabilitiesDraft, HelpView, Job, Model, NoteEditor, PendingMark, Prompt, PromptKind,
};
use crate::tui::state::{IdentityForm, VerifyTarget};

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
pub(super) fn with_hints(model: &Model, frame: &mut Frame, inner: Rect, mode: Mode) -> Rect {
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
        PromptKind::Secret | PromptKind::OktaToken => {
            "•".repeat(prompt.input.value().chars().count())
        }
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

pub fn confirm_suite(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let target = model
        .ws
        .session()
        .verify()
        .connection
        .as_ref()
        .map(|c| c.base_url.clone())
        .unwrap_or_default();
    let (title, lines) = match &model.job {
        Job::NeedsConsent(VerifyTarget::Spec(Some(offer))) => (
            "Run Okta's SPEC file?",
            vec![
                Line::from(format!(
                    "scimplan runs {} against {target} as Runscope would.",
                    offer.file.name
                )),
                Line::from(vec![
                    Span::raw("It creates one user: "),
                    Span::styled(offer.user_name().to_string(), theme.bold()),
                ]),
                Line::from("and deactivates it at the end. Nothing else is changed."),
            ],
        ),
        Job::NeedsConsent(VerifyTarget::Crud(Some(offer))) => (
            "Run Okta's CRUD file?",
            vec![
                Line::from(format!(
                    "scimplan runs {} against {} and {target} as Runscope would.",
                    offer.file.name, offer.okta.org_url
                )),
                Line::from(vec![
                    Span::raw("It creates the Okta user "),
                    Span::styled(offer.okta_user().to_string(), theme.bold()),
                    Span::raw(format!(", assigns it to app {},", offer.okta.app_id)),
                ]),
                Line::from(
                    "provisions it into the app, then unassigns, deactivates and deletes it (the app keeps its user, deactivated).",
                ),
            ],
        ),
        _ => return,
    };
    let outer = centered(area, 76, 10);
    let inner = popup(model, frame, outer, title.into());
    let body = with_hints(model, frame, inner, Mode::ConfirmSpec);
    let mut lines = lines;
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Go ahead?", theme.bold())));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

pub fn connection_form(model: &Model, form: &ConnectionForm, frame: &mut Frame, area: Rect) {
    use crate::tui::connect_form::{Field, OktaSignIn, SchemeChoice};
    let theme = Theme::of(model);
    let service_app = form.okta_sign_in == OktaSignIn::ServiceApp;
    let height = if service_app { 26 } else { 22 };
    let outer = centered(area, 78, height);
    let inner = popup(model, frame, outer, "Connections".into());
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
    let value = |input: &tui_input::Input| {
        Line::from(vec![
            Span::raw("    "),
            Span::styled(input.value().to_string(), theme.bold()),
        ])
    };
    let choices = |labels: Vec<(&'static str, bool)>| {
        let mut spans = vec![Span::raw("    ")];
        for (text, chosen) in labels {
            spans.push(if chosen {
                Span::styled(
                    format!("(•) {text}"),
                    theme.bold().add_modifier(Modifier::BOLD),
                )
            } else {
                Span::styled(format!("( ) {text}"), theme.dim())
            });
            spans.push(Span::raw("   "));
        }
        Line::from(spans)
    };
    let choose = model.keymap.keys_for(Mode::Connection, &Action::PrevChoice)
        + "/"
        + &model.keymap.keys_for(Mode::Connection, &Action::NextChoice);
    // Rows of the text fields, for the cursor.
    let mut rows: Vec<(Field, usize, &tui_input::Input)> = Vec::new();
    let mut lines = vec![Line::from(Span::styled("The app's SCIM API", theme.bold()))];
    lines.push(label(Field::Url, "SCIM base URL"));
    rows.push((Field::Url, lines.len(), &form.url));
    lines.push(value(&form.url));
    lines.push(label(
        Field::Scheme,
        &format!("Authentication ({choose} to change)"),
    ));
    lines.push(choices(
        SchemeChoice::ALL
            .iter()
            .map(|c| (c.label(), *c == form.scheme))
            .collect(),
    ));
    if let (Some(name_label), Some(input)) = (form.name_label(), form.name_input()) {
        lines.push(label(Field::Name, name_label));
        rows.push((Field::Name, lines.len(), input));
        lines.push(value(input));
    }
    let var = match form.scheme {
        SchemeChoice::Basic => crate::session::connection::PASSWORD_ENV,
        _ => crate::session::connection::TOKEN_ENV,
    };
    lines.push(Line::from(Span::styled(
        format!("  Secret: {var}, or asked; never saved."),
        theme.dim(),
    )));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "The Okta org (optional: Okta's side, the CRUD file)",
        theme.bold(),
    )));
    lines.push(label(
        Field::OktaOrg,
        "Org URL (https://dev-123456.okta.com)",
    ));
    rows.push((Field::OktaOrg, lines.len(), &form.okta_org));
    lines.push(value(&form.okta_org));
    lines.push(label(
        Field::OktaApp,
        "App instance id (0oa… in its Admin URL)",
    ));
    rows.push((Field::OktaApp, lines.len(), &form.okta_app));
    lines.push(value(&form.okta_app));
    lines.push(label(
        Field::OktaSignIn,
        &format!("Sign in with ({choose} to change)"),
    ));
    lines.push(choices(
        OktaSignIn::ALL
            .iter()
            .map(|c| (c.label(), *c == form.okta_sign_in))
            .collect(),
    ));
    if service_app {
        lines.push(label(Field::ClientId, "Service app client id"));
        rows.push((Field::ClientId, lines.len(), &form.client_id));
        lines.push(value(&form.client_id));
        lines.push(label(
            Field::KeyFile,
            "Private key file (PEM; never copied)",
        ));
        rows.push((Field::KeyFile, lines.len(), &form.key_file));
        lines.push(value(&form.key_file));
    } else {
        lines.push(Line::from(Span::styled(
            format!(
                "  Token: {}, or asked; never saved.",
                crate::session::OKTA_TOKEN_ENV
            ),
            theme.dim(),
        )));
    }
    // On a short terminal the form scrolls so the focused field stays in view.
    let focused_row = rows
        .iter()
        .find(|(field, _, _)| *field == form.field)
        .map(|(_, row, _)| *row)
        .or_else(|| {
            // A choice: its label's row.
            let at = |needle: &str| lines.iter().position(|l| l.to_string().contains(needle));
            match form.field {
                Field::Scheme => at("Authentication ("),
                _ => at("Sign in with ("),
            }
            .map(|label| label + 1)
        })
        .unwrap_or(0);
    let offset = (focused_row + 1).saturating_sub(body.height as usize);
    frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), body);
    let cursor = rows
        .iter()
        .find(|(field, _, _)| *field == form.field)
        .map(|(_, row, input)| (*row - offset, *input));
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

pub(super) fn session_name(name: Option<&str>) -> &str {
    name.unwrap_or("-")
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
            model.ws.session_path().display()
        )),
        Line::from(Span::styled(
            model.save_error.clone().unwrap_or_default(),
            theme.dim(),
        )),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}
