//! The detail pane: one function per section of a case (status, preconditions, steps, expected
//! result, note, evidence, verification), wrapped to the pane's width. Where the pane scrolls
//! to is a pure function of that content and the model (`fit`), used by the view to draw and by
//! `update` to scroll from what is on screen; nothing is written while drawing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Padding, Paragraph};

use crate::plan::{Case, RichText, TextSpan};
use crate::session::{CaseResult, Outcome};
use crate::tui::action::Action;
use crate::tui::draw::{Theme, pane_block, wrap_hanging};
use crate::tui::keymap::Mode;
use crate::tui::layout::{self, Pane};
use crate::tui::model::{DetailView, Model};

/// The detail of one case, wrapped to a width.
struct Content {
    lines: Vec<Line<'static>>,
    /// Wrapped rows of the step under the cursor: [start, end).
    cursor_rows: (usize, usize),
    /// Wrapped rows of the selected evidence entry: [start, end).
    evidence_rows: Option<(usize, usize)>,
}

/// Where the pane scrolls to: the tester's scroll, kept within the content, and moved just
/// enough to show the step cursor while following it.
pub fn fit(
    rows: usize,
    cursor_rows: (usize, usize),
    height: usize,
    scroll: u16,
    follow: bool,
) -> DetailView {
    let max_scroll = rows.saturating_sub(height);
    let mut scroll = (scroll as usize).min(max_scroll);
    if follow && cursor_rows.1 > cursor_rows.0 {
        if cursor_rows.1 > scroll + height {
            scroll = cursor_rows.1 - height;
        }
        scroll = scroll.min(cursor_rows.0);
    }
    DetailView {
        scroll: scroll as u16,
        max_scroll: max_scroll as u16,
        ..DetailView::default()
    }
}

/// The pane's block and the area inside it.
fn block_and_inner(model: &Model, case: &Case, area: Rect) -> (Block<'static>, Rect) {
    let theme = Theme::of(model);
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(case.id.clone(), theme.bold()),
        Span::styled(format!(" · {} ", case.section), theme.dim()),
    ]);
    let block =
        pane_block(model, title, model.focus == Pane::Detail).padding(Padding::horizontal(1));
    let inner = block.inner(area);
    (block, inner)
}

/// What the pane shows of the selected case at the model's terminal size.
pub fn view_of(model: &Model) -> DetailView {
    let Some(c) = model.selected_case() else {
        return DetailView::default();
    };
    let area = layout::main(model.area, model.focus).detail;
    let case = &model.ws.plan.cases[c];
    let (_, inner) = block_and_inner(model, case, area);
    if inner.width == 0 || inner.height == 0 {
        // The pane is not on screen (a narrow terminal showing the list).
        return DetailView::default();
    }
    let content = content(model, c, inner.width as usize);
    fit_content(model, &content, inner.height as usize)
}

fn fit_content(model: &Model, content: &Content, height: usize) -> DetailView {
    let follow = model.focus == Pane::Detail && model.detail_follow;
    let rows = |(start, end): (usize, usize)| (start as u16, end as u16);
    DetailView {
        height: height as u16,
        evidence_rows: content.evidence_rows.map(rows),
        ..fit(
            content.lines.len(),
            content.cursor_rows,
            height,
            model.detail_scroll,
            follow,
        )
    }
}

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let Some(c) = model.selected_case() else {
        let block = pane_block(model, Line::from(" Detail "), model.focus == Pane::Detail);
        frame.render_widget(Paragraph::new("No case selected.").block(block), area);
        return;
    };
    let (block, inner) = block_and_inner(model, &model.ws.plan.cases[c], area);
    let content = content(model, c, inner.width as usize);
    let shown = fit_content(model, &content, inner.height as usize);
    frame.render_widget(
        Paragraph::new(Text::from(content.lines))
            .block(block)
            .scroll((shown.scroll, 0)),
        area,
    );
}

fn content(model: &Model, c: usize, width: usize) -> Content {
    let theme = Theme::of(model);
    let case = &model.ws.plan.cases[c];
    let result = model.ws.session().result(&case.id);
    // Sections as unwrapped lines; the step cursor's lines are remembered to keep it in view.
    let mut lines = vec![Line::from(Span::styled(case.title.clone(), theme.bold()))];
    lines.push(status(model, c, result, &theme));
    preconditions(model, case, &theme, &mut lines);
    let cursor_lines = steps(model, case, result, &theme, &mut lines);
    if !case.expected.is_empty() {
        section(&mut lines, "Expected result", &theme);
        lines.extend(rich_lines(&case.expected, "  ", &theme));
    }
    note(model, result, &theme, &mut lines);
    let evidence_lines = evidence(model, result, &theme, &mut lines);
    verification(model, &case.id, &theme, &mut lines);
    system_log(model, &case.id, &theme, &mut lines);
    if let Some(secs) = result.map(|r| r.time_spent_secs).filter(|s| *s >= 60) {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Time on this case: {} min", secs / 60),
            theme.dim(),
        )));
    }

    let mut wrapped: Vec<Line> = Vec::with_capacity(lines.len());
    let mut cursor_rows = (0, 0);
    let mut evidence_rows = evidence_lines.map(|_| (0, 0));
    for (i, line) in lines.into_iter().enumerate() {
        if i == cursor_lines.0 {
            cursor_rows.0 = wrapped.len();
        }
        if let (Some(rows), Some((start, _))) = (evidence_rows.as_mut(), evidence_lines)
            && i == start
        {
            rows.0 = wrapped.len();
        }
        wrapped.extend(wrap_hanging(line, width));
        if i + 1 == cursor_lines.1 {
            cursor_rows.1 = wrapped.len();
        }
        if let (Some(rows), Some((_, end))) = (evidence_rows.as_mut(), evidence_lines)
            && i + 1 == end
        {
            rows.1 = wrapped.len();
        }
    }
    Content {
        lines: wrapped,
        cursor_rows,
        evidence_rows,
    }
}

fn section(lines: &mut Vec<Line<'static>>, title: &str, theme: &Theme) {
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        title.to_string(),
        theme.accent().add_modifier(Modifier::BOLD),
    )));
}

fn status(model: &Model, c: usize, result: Option<&CaseResult>, theme: &Theme) -> Line<'static> {
    let outcome = result.map(|r| r.outcome).unwrap_or_default();
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
    if !model.ws.session().applies(&model.ws.reqs, c) {
        status.push(Span::styled(
            format!(" · needs {}", model.ws.reqs.needs(c).join(", ")),
            theme.fg(Color::Blue),
        ));
    }
    Line::from(status)
}

/// The preconditions' text and the current outcome of every case they cite.
fn preconditions(model: &Model, case: &Case, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    if case.preconditions.is_empty() && case.refs.is_empty() {
        return;
    }
    section(lines, "Preconditions", theme);
    lines.extend(rich_lines(&case.preconditions, "  ", theme));
    let session = model.ws.session();
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

/// The steps with their check boxes; returns the unwrapped lines of the step under the cursor.
fn steps(
    model: &Model,
    case: &Case,
    result: Option<&CaseResult>,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
) -> (usize, usize) {
    let mut cursor_lines = (0, 0);
    if case.steps.is_empty() {
        return cursor_lines;
    }
    section(lines, "Steps", theme);
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
                let mut line = rich_line(&spans, "", theme);
                line.spans.insert(0, Span::raw(number.clone()));
                let check_style = if ticked {
                    theme.fg(Color::Green)
                } else {
                    Style::default()
                };
                line.spans.insert(0, Span::styled(check, check_style));
                line.spans.insert(0, Span::styled(cursor, theme.accent()));
                line
            } else {
                rich_line(&spans, "       ", theme)
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
    cursor_lines
}

fn note(model: &Model, result: Option<&CaseResult>, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    section(lines, "Note", theme);
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
}

/// The evidence entries; returns the lines of the selected one.
fn evidence(
    model: &Model,
    result: Option<&CaseResult>,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
) -> Option<(usize, usize)> {
    let mut selected_lines = None;
    let evidence = result.map(|r| r.evidence.as_slice()).unwrap_or(&[]);
    section(lines, "Evidence", theme);
    if evidence.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "  none ({} attaches a file path or URL)",
                model.keymap.keys_for(Mode::Normal, &Action::AddEvidence)
            ),
            theme.dim(),
        )));
    }
    for (i, item) in evidence.iter().enumerate() {
        let selected = i == model.evidence_cursor;
        let start = lines.len();
        let marker = if selected { "› " } else { "  " };
        let line = Line::from(vec![
            Span::styled(marker, theme.accent()),
            Span::raw(format!("{}. {}", i + 1, item.describe())),
        ]);
        lines.push(if selected && evidence.len() > 1 {
            line.patch_style(theme.bold())
        } else {
            line
        });
        if !item.caption.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("     {}", item.caption),
                theme.dim(),
            )));
        }
        if selected {
            selected_lines = Some((start, lines.len()));
        }
    }
    if !evidence.is_empty() {
        let keys = |action| model.keymap.keys_for(Mode::Normal, &action);
        let mut hint = format!(
            "  {} opens · {} removes · {} adds",
            keys(Action::OpenEvidence),
            keys(Action::RemoveEvidence),
            keys(Action::AddEvidence)
        );
        if evidence.len() > 1 {
            hint.push_str(&format!(
                " · {} selects the next",
                keys(Action::NextEvidence)
            ));
        }
        lines.push(Line::from(Span::styled(hint, theme.dim())));
    }
    selected_lines
}

/// The check running on this case now, or its latest verification run.
fn verification(model: &Model, id: &str, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let running = model.running().filter(|v| v.current_case() == Some(id));
    let last_run = model.ws.session().verify().latest_run(id);
    if running.is_none() && last_run.is_none() {
        return;
    }
    section(lines, "Verification", theme);
    if let Some(running) = running {
        lines.push(Line::from(Span::styled(
            format!("  {}", running.status_line()),
            theme.accent(),
        )));
        return;
    }
    let Some(run) = last_run else { return };
    lines.push(Line::from(format!(
        "  {} at {} after {} attempt(s): {}",
        run.verdict.label(),
        run.at.format("%Y-%m-%d %H:%M UTC"),
        run.attempts,
        run.summary
    )));
    // The SCIM side alone decided: say what the Okta side would add.
    if let Some(note) = &run.okta_not_checked {
        lines.push(Line::from(Span::styled(format!("  {note}"), theme.dim())));
    }
    lines.extend(
        run.not_checked
            .iter()
            .map(|p| Line::from(Span::styled(format!("  not checked: {p}"), theme.dim()))),
    );
    // A run that did not record its verdict says why (steps not marked done, a recheck).
    if let Some(why) = &run.outcome_left {
        lines.push(Line::from(Span::styled(
            format!("  Outcome left as it was: {why}"),
            theme.dim(),
        )));
    }
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
        if let Some(note) = &a.note {
            lines.push(Line::from(Span::styled(format!("    {note}"), theme.dim())));
        }
    }
    if failed.len() > 5 {
        lines.push(Line::from(Span::styled(
            format!("  and {} more in the session's record", failed.len() - 5),
            theme.dim(),
        )));
    }
    // Okta's side kept with the run: the app user's sync state and failed System Log events.
    for line in run.okta.iter().flat_map(|trail| trail.lines()) {
        lines.push(Line::from(format!("  Okta: {line}")));
    }
    let inputs: Vec<String> = run.inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if !inputs.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  inputs: {}", inputs.join(", ")),
            theme.dim(),
        )));
    }
}

/// The case's System Log as read on demand: every event (time, event, result, reason) and
/// the app user's state; failures stand out.
fn system_log(model: &Model, id: &str, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let Some(trail) = model.okta_trails.get(id) else {
        return;
    };
    section(lines, "Okta System Log", theme);
    if let Some(error) = &trail.error {
        lines.push(Line::from(Span::styled(
            format!("  could not be read: {error}"),
            theme.error(),
        )));
        return;
    }
    let since = trail
        .since
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    lines.push(Line::from(Span::styled(
        format!("  {} event(s) since {since}", trail.events.len()),
        theme.dim(),
    )));
    if let Some(user) = &trail.app_user {
        let linked = user
            .external_id
            .as_deref()
            .map(|id| format!(", SCIM id {id}"))
            .unwrap_or_default();
        lines.push(Line::from(format!(
            "  app user {} {} (sync {}{linked})",
            user.user_id, user.status, user.sync_state
        )));
    }
    for event in &trail.events {
        // Okta's own words when they say more than the event's type.
        let words = &event.display_message;
        let text = if words.is_empty() || *words == event.event_type {
            format!("  {}", event.line())
        } else {
            format!("  {} ({words})", event.line())
        };
        lines.push(if event.failed() {
            Line::from(Span::styled(text, theme.error()))
        } else {
            Line::from(text)
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_keeps_the_cursor_in_view_and_stops_at_the_end() {
        // 30 rows in a 10-row pane: the end is at 20.
        assert_eq!(fit(30, (0, 1), 10, 50, false).scroll, 20);
        assert_eq!(fit(30, (0, 1), 10, 50, false).max_scroll, 20);
        // Following a cursor at rows 14..16 from the top scrolls just enough to show it.
        assert_eq!(fit(30, (14, 16), 10, 0, true).scroll, 6);
        // A cursor above the scroll brings the view back up to it.
        assert_eq!(fit(30, (2, 3), 10, 12, true).scroll, 2);
        // Scrolled by hand (not following), the cursor does not pull the view.
        assert_eq!(fit(30, (2, 3), 10, 12, false).scroll, 12);
        // Content shorter than the pane never scrolls.
        assert_eq!(fit(5, (0, 1), 10, 3, false), DetailView::default());
    }
}
