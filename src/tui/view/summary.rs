//! The summary screen: the readiness verdict, where each API suite's result comes from, the
//! section table and the blockers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::overlays::{session_name, with_hints};
use super::{Theme, shorten};
use crate::report::SuiteEvidence;
use crate::session::{
    CheckStatus, CleanUp, CrudReport, FileRun, Outcome, SpecReport, StepStatus, SuiteKind,
};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::model::{HelpView, Model, SummaryView};

pub fn render(model: &Model, view: &SummaryView, frame: &mut Frame, area: Rect) {
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
                session_name(model.ws.session().app_name()),
                session_name(model.ws.session().tester())
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
    let session = model.ws.session();
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
        let (link, run_action, command) = match suite.suite {
            SuiteKind::Spec => (Action::SpecLink, Action::RunSpec, "scimplan spec"),
            SuiteKind::Crud => (Action::CrudLink, Action::RunCrud, "scimplan crud"),
        };
        let link_keys = model.keymap.keys_for(Mode::Summary, &link);
        let run_keys = model.keymap.keys_for(Mode::Summary, &run_action);
        let describe = match suite.evidence {
            SuiteEvidence::Missing if !run_keys.is_empty() => {
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
        // What failed in the latest local run, from the whole run kept in the session.
        let Some(run) = suite.local.as_ref().filter(|r| !r.passed) else {
            continue;
        };
        let file = match suite.suite {
            SuiteKind::Spec => session
                .verify()
                .last_spec
                .as_ref()
                .filter(|report| report.at == run.at)
                .and_then(|report| report.file.as_ref()),
            SuiteKind::Crud => run.crud.as_ref().map(|report| &report.run),
        };
        if let Some(file) = file {
            failed_steps(model, file, command, &mut lines);
        }
    }
    lines
}

/// Up to three failed steps of a local run, each with up to two of its failed assertions.
fn failed_steps(model: &Model, file: &FileRun, command: &str, lines: &mut Vec<Line<'static>>) {
    let theme = Theme::of(model);
    let failed: Vec<_> = file
        .steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Fail | StepStatus::NotRun))
        .collect();
    for step in failed.iter().take(3) {
        lines.push(Line::from(vec![
            Span::styled("      ✗ ", theme.error()),
            Span::raw(step.title()),
        ]));
        // Each assertion that did not hold (or why the step could not run), two at most.
        let why = step.what_failed();
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
                "      and {} more (`{command}` prints them all; d shows them here)",
                failed.len() - 3
            ),
            theme.dim(),
        )));
    }
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

/// The latest local SPEC and CRUD runs, step by step: each step of Okta's file with its status,
/// the assertions that did not hold (expected against actual); for SPEC the checks beyond the
/// file and what became of the created user, for CRUD Okta's refusals and what the clean-up
/// removed.
pub fn suite_runs(model: &Model, view: &HelpView, frame: &mut Frame, area: Rect) {
    let theme = Theme::of(model);
    let session = model.ws.session();
    let outer = crate::tui::layout::centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, outer);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent())
        .title(Span::styled(" Latest local suite runs ", theme.bold()));
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    let body = with_hints(model, frame, inner, Mode::SpecRun);
    let mut lines = Vec::new();
    if let Some(report) = &session.verify().last_spec {
        spec_lines(model, report, &mut lines);
    }
    if let Some(report) = session.latest_crud() {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        crud_lines(model, report, &mut lines);
    }
    let width = body.width as usize;
    let wrapped: Vec<Line> = lines
        .into_iter()
        .flat_map(|l| super::wrap_hanging(l, width))
        .collect();
    let shown: Vec<Line> = wrapped
        .into_iter()
        .skip(view.scroll)
        .take(body.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
}

/// `TARGET at 2026-11-29 15:00 UTC: PASSED`.
fn run_line(
    model: &Model,
    target: &str,
    at: chrono::DateTime<chrono::Utc>,
    verdict: &str,
) -> Line<'static> {
    Line::from(Span::styled(
        format!(
            "{target} at {}: {}",
            at.format("%Y-%m-%d %H:%M UTC"),
            verdict.to_uppercase()
        ),
        Theme::of(model).bold(),
    ))
}

fn heading(model: &Model, text: String) -> Line<'static> {
    let theme = Theme::of(model);
    Line::from(Span::styled(
        text,
        theme.accent().add_modifier(Modifier::BOLD),
    ))
}

fn spec_lines(model: &Model, report: &SpecReport, lines: &mut Vec<Line<'static>>) {
    let theme = Theme::of(model);
    lines.push(heading(model, "Latest local SPEC run".into()));
    lines.push(run_line(
        model,
        &report.target,
        report.at,
        report.verdict().label(),
    ));
    if let Some(file) = &report.file {
        file_lines(model, file, lines);
    }
    if !report.checks.is_empty() {
        lines.push(Line::default());
        lines.push(heading(
            model,
            "Beyond the SPEC file (never part of Okta's verdict)".into(),
        ));
        for check in &report.checks {
            let style = match check.status {
                CheckStatus::Fail => theme.error(),
                CheckStatus::Warn => theme.fg(Color::Yellow),
                CheckStatus::Pass => theme.fg(Color::Green),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<8}", check.status.label()), style),
                Span::raw(check.name.clone()),
            ]));
            if check.status != CheckStatus::Pass {
                for detail in &check.detail {
                    lines.push(Line::from(Span::styled(
                        format!("      {detail}"),
                        theme.dim(),
                    )));
                }
            }
        }
    }
    if let Some(state) = report.created_user_state() {
        lines.push(Line::default());
        lines.push(Line::from(state));
    }
}

fn crud_lines(model: &Model, report: &CrudReport, lines: &mut Vec<Line<'static>>) {
    let theme = Theme::of(model);
    let run = &report.run;
    lines.push(heading(model, "Latest local CRUD run".into()));
    lines.push(run_line(model, &run.target, run.at, run.verdict()));
    lines.push(Line::from(format!("Okta user: {}", report.okta_user)));
    file_lines(model, run, lines);
    for refusal in &report.refusals {
        lines.push(Line::from(Span::styled(refusal.clone(), theme.error())));
    }
    for line in report.okta.iter().flat_map(|trail| trail.lines()) {
        lines.push(Line::from(Span::styled(
            format!("Okta: {line}"),
            theme.dim(),
        )));
    }
    let style = match report.cleanup {
        CleanUp::Failed { .. } => theme.error(),
        _ => theme.dim(),
    };
    lines.push(Line::from(Span::styled(
        format!("Clean-up: {}", report.cleanup_line()),
        style,
    )));
}

/// A Runscope file's steps: status, title, how a pause or polling went, what failed.
fn file_lines(model: &Model, file: &FileRun, lines: &mut Vec<Line<'static>>) {
    let theme = Theme::of(model);
    lines.push(Line::from(Span::styled(
        format!(
            "Okta's file {} ({} steps)",
            file.file.name,
            file.steps.len()
        ),
        theme.dim(),
    )));
    for step in &file.steps {
        let style = match step.status {
            StepStatus::Fail | StepStatus::NotRun => theme.error(),
            StepStatus::Warn => theme.fg(Color::Yellow),
            StepStatus::Pass => theme.fg(Color::Green),
            StepStatus::Skipped | StepStatus::Pause => theme.dim(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<8}", step.status.label()), style),
            Span::raw(step.title()),
        ]));
        if let Some(wait) = &step.wait {
            lines.push(Line::from(Span::styled(
                format!("      {wait}"),
                theme.dim(),
            )));
        }
        for problem in &step.problems {
            lines.push(Line::from(Span::styled(
                format!("      {problem}"),
                theme.dim(),
            )));
        }
        for a in step.failed_assertions() {
            lines.push(Line::from(vec![
                Span::styled("      ✗ ", theme.error()),
                Span::raw(format!(
                    "{}: expected {}, got {}",
                    a.describe(),
                    a.expected,
                    a.actual
                )),
            ]));
        }
    }
}
