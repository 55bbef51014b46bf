//! The latest local SPEC and CRUD runs, step by step (d on the summary): each step of Okta's
//! file with its status and the assertions that did not hold (expected against actual); for
//! SPEC the checks beyond the file and what became of the created user, for CRUD Okta's
//! refusals and what the clean-up removed. Scrolls like help.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::help::scroll_or_close;
use crate::session::{CheckStatus, CleanUp, CrudReport, FileRun, SpecReport, StepStatus};
use crate::tui::action::Action;
use crate::tui::draw::{Theme, centered, with_hints, wrap_hanging};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SuiteRuns {
    pub scroll: usize,
}

impl Overlay for SuiteRuns {
    fn mode(&self) -> Mode {
        Mode::SuiteRuns
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        scroll_or_close(m, &mut self.scroll, action)
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        let session = model.ws.session();
        let outer = centered(
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
        let body = with_hints(model, frame, inner, Mode::SuiteRuns);
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
            .flat_map(|l| wrap_hanging(l, width))
            .collect();
        let shown: Vec<Line> = wrapped
            .into_iter()
            .skip(self.scroll)
            .take(body.height as usize)
            .collect();
        frame.render_widget(Paragraph::new(shown), body);
    }
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
