//! The summary: the readiness verdict, assessed when it opens and whenever the session changes
//! while it is open; where each API suite's result comes from (a Runscope link, a local run);
//! the section table and the blockers, Enter going to one. A screen of its own.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::help::Help;
use super::prompt::{Prompt, PromptKind, Purpose};
use super::suite_runs::SuiteRuns;
use crate::report::{Readiness, SuiteEvidence, assess};
use crate::session::{FileRun, Outcome, StepStatus, SuiteKind};
use crate::tui::action::{Action, VerifyTarget};
use crate::tui::draw::{Theme, header_names, session_name, shorten, with_hints, wrap_hanging};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

pub struct Summary {
    pub readiness: Readiness,
    /// The selected blocker.
    pub cursor: usize,
}

impl Summary {
    pub fn open(m: &mut Model) {
        let readiness = assess(&m.ws.plan, &m.ws.reqs, m.ws.session());
        m.push(Summary {
            readiness,
            cursor: 0,
        });
    }

    fn move_cursor(&mut self, by: isize) {
        let last = self.readiness.blockers.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + by).clamp(0, last) as usize;
    }

    /// Enter on a blocker: back to the checklist with its case selected.
    fn jump_to_blocker(&self, m: &mut Model) -> Flow {
        let Some(blocker) = self.readiness.blockers.get(self.cursor) else {
            m.info("No blocker to go to: every applicable case passed.");
            return Flow::Stay;
        };
        m.close_all();
        m.select_case(blocker.case_index);
        m.info(format!("{}: a blocker of the submission.", blocker.id));
        Flow::Close
    }

    /// `l` / `L`: asks for a Runscope link, starting from the recorded one.
    fn ask_link(m: &mut Model, suite: SuiteKind) {
        let links = m.ws.session().suites();
        let (current, kind) = match suite {
            SuiteKind::Spec => (links.spec.clone(), PromptKind::SpecLink),
            SuiteKind::Crud => (links.crud.clone(), PromptKind::CrudLink),
            SuiteKind::Entitlements => (links.entitlements.clone(), PromptKind::EntitlementsLink),
        };
        let title = kind.label().to_string();
        Prompt::open_with(m, Purpose::Link(suite), title, current.unwrap_or_default());
    }
}

impl Overlay for Summary {
    fn mode(&self) -> Mode {
        Mode::Summary
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        let page = m.area.height.saturating_sub(6).max(1) as isize;
        match action {
            Action::MoveDown => self.move_cursor(1),
            Action::MoveUp => self.move_cursor(-1),
            Action::PageDown => self.move_cursor(page),
            Action::PageUp => self.move_cursor(-page),
            Action::Scroll { down, .. } => self.move_cursor(if down { 3 } else { -3 }),
            Action::JumpToCase => return self.jump_to_blocker(m),
            Action::SpecLink => Summary::ask_link(m, SuiteKind::Spec),
            Action::CrudLink => Summary::ask_link(m, SuiteKind::Crud),
            Action::RunSpec => return Flow::Pass(Action::Check(VerifyTarget::Spec(None))),
            Action::RunCrud => return Flow::Pass(Action::Check(VerifyTarget::Crud(None))),
            Action::RunHosted => crate::tui::hosted::run_or_record(m),
            Action::SpecRunDetail => {
                let session = m.ws.session();
                if session.verify().last_spec.is_some() || session.latest_crud().is_some() {
                    m.push(SuiteRuns::default());
                } else {
                    let keys = |action| m.keymap.keys_for(Mode::Summary, &action);
                    let text = format!(
                        "No local SPEC or CRUD run yet: {} runs Okta's SPEC file, {} its CRUD file.",
                        keys(Action::RunSpec),
                        keys(Action::RunCrud)
                    );
                    m.info(text);
                }
            }
            // The checklist's own: the export, the connection form (over the summary).
            Action::Export | Action::ConnectionSettings => return Flow::Pass(action),
            // Esc stops a running check first, like on the checklist.
            Action::Back if m.cancel_job() => {}
            Action::Back | Action::Close => return Flow::Close,
            Action::Help => Help::open(m),
            _ => {}
        }
        Flow::Stay
    }

    /// Assesses again: what it shows may have changed.
    fn refresh(&mut self, m: &Model) {
        self.readiness = assess(&m.ws.plan, &m.ws.reqs, m.ws.session());
        self.cursor = self
            .cursor
            .min(self.readiness.blockers.len().saturating_sub(1));
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let theme = Theme::of(model);
        // A whole screen of its own: nothing of the checklist shows through.
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.accent())
            .title(Span::styled(" Summary ", theme.bold()))
            .title(Span::styled(
                {
                    // A long name is shortened so the other one still shows.
                    let (app, tester) = header_names(
                        session_name(model.ws.session().app_name()),
                        session_name(model.ws.session().tester()),
                        (area.width as usize).saturating_sub(40),
                    );
                    format!(" App: {app} · Tester: {tester} ")
                },
                theme.dim(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let body = with_hints(model, frame, inner, Mode::Summary);
        if let Some(running) = model.shown_job() {
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
        let mut lines = verdict(model, self);
        lines.push(Line::default());
        let blockers = self.readiness.blockers.len();
        let wanted = lines.len() + table.len() + 2 + blockers.clamp(1, 5);
        if wanted <= body.height as usize {
            lines.extend(table);
        }
        blocker_lines(model, self, &mut lines, body);
        frame.render_widget(Paragraph::new(lines), body);
        if let Some(message) = &model.message {
            let style = if message.error {
                theme.error()
            } else {
                theme.bold()
            };
            message_lines(frame, body, Span::styled(message.text.clone(), style));
        }
    }
}

/// Writes a message over the last lines of `area`, wrapped to its width: what to do comes at
/// the end of a message, so it is never cut.
fn message_lines(frame: &mut Frame, area: Rect, text: Span<'static>) {
    let lines = wrap_hanging(Line::from(text), area.width as usize);
    let height = (lines.len() as u16).min(area.height);
    let rows = Rect {
        y: area.bottom().saturating_sub(height),
        height,
        ..area
    };
    frame.render_widget(Clear, rows);
    frame.render_widget(Paragraph::new(lines), rows);
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
fn verdict(model: &Model, view: &Summary) -> Vec<Line<'static>> {
    let theme = Theme::of(model);
    let readiness = &view.readiness;
    let session = model.ws.session();
    let mut lines = Vec::new();
    // The same sentence as `scimplan summary` (one function counts and words it).
    let style = if readiness.ready {
        theme.fg(Color::Green)
    } else {
        theme.error()
    };
    let verdict = Span::styled(
        format!("Verdict: {}", readiness.verdict()),
        style.add_modifier(Modifier::BOLD),
    );
    lines.push(Line::from(verdict));
    for suite in &readiness.suites {
        let style = if suite.satisfied() {
            theme.fg(Color::Green)
        } else {
            theme.error()
        };
        // Here the link is one key away rather than a command.
        let (link, run_action, command) = match suite.suite {
            SuiteKind::Spec => (Some(Action::SpecLink), Action::RunSpec, "scimplan spec"),
            SuiteKind::Crud => (Some(Action::CrudLink), Action::RunCrud, "scimplan crud"),
            SuiteKind::Entitlements => (None, Action::RunSpec, "scimplan spec"),
        };
        let link_keys = match &link {
            Some(link) => model.keymap.keys_for(Mode::Summary, link),
            None => String::new(),
        };
        let run_keys = model.keymap.keys_for(Mode::Summary, &run_action);
        let hosted_keys = model.keymap.keys_for(Mode::Summary, &Action::RunHosted);
        let record = match link_keys.is_empty() {
            true => format!(
                "`scimplan suites PLAN --{}-link URL` records the link",
                suite.suite.key()
            ),
            false => format!("{link_keys} records the link"),
        };
        // Kept short: the line must fit 80 columns with its keys.
        let runs = match (run_keys.is_empty(), hosted_keys.is_empty()) {
            (false, false) => format!("{run_keys} runs it here, {hosted_keys} in BlazeMeter"),
            (false, true) => format!("{run_keys} runs it here"),
            (true, false) => format!("{hosted_keys} runs it in BlazeMeter"),
            (true, true) => format!("run Okta's {} file in Runscope", suite.name()),
        };
        let describe = match suite.evidence {
            SuiteEvidence::Missing => format!("no link: {runs}; {record}"),
            SuiteEvidence::Invalid { ref link, .. } => {
                format!("not a result page Okta accepts: {link}; {runs}; {record}")
            }
            SuiteEvidence::Link(ref url) => match suite.linked_run() {
                Some(run) => format!("link recorded: {url} ({})", run.describe()),
                None => format!("link recorded: {url}"),
            },
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {} suite: ", suite.name()), style),
            Span::raw(describe),
        ]));
        // A hosted run that gave no link (it failed, or was not shared yet).
        if let Some(run) = suite
            .hosted
            .as_ref()
            .filter(|_| suite.linked_run().is_none())
        {
            let style = match run.result {
                crate::session::HostedResult::Pass => theme.dim(),
                _ => theme.error(),
            };
            lines.push(Line::from(Span::styled(
                format!("      {}: {}", run.describe(), run.page),
                style,
            )));
        }
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
            SuiteKind::Entitlements => None,
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
fn blocker_lines(model: &Model, view: &Summary, lines: &mut Vec<Line<'static>>, body: Rect) {
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
