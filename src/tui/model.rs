//! The checklist's whole state: the workspace plus what the screen needs (selection, filters),
//! the stack of overlays open over the checklist and the jobs running off the UI thread.
//! Changed only by `update`; read by the view. Each overlay is a module of its own above this
//! one (`overlays/`), known here only through the `Overlay` trait.

use std::any::Any;
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::Input;

use super::action::Action;
use super::config::Settings;
use super::inbox::Inbox;
use super::job::{Job, JobKind, Jobs, Work};
use super::keymap::{Keymap, Mode};
use super::layout;
pub use super::layout::Pane;
use crate::net::Secret;
use crate::session::{Command, Outcome, Tally, tally_sections};
use crate::verify::RecipeBook;
use crate::workspace::Workspace;

/// One layer over the checklist: its state, the keymap it answers to (which also gives its
/// footer hints), its keys and its drawing. The top one gets the keys.
pub trait Overlay: Any {
    /// The keymap it answers to.
    fn mode(&self) -> Mode;

    /// An action while it is on top. It is off the stack meanwhile, so what it opens goes over
    /// where it was; what it returns says whether it stays, and what the checklist does next.
    fn update(&mut self, m: &mut Model, action: Action) -> Flow;

    /// Draws it over what is below it. Reads only.
    fn draw(&self, m: &Model, frame: &mut Frame, area: Rect);

    /// Brings what it shows up to date after the session changed (the summary's verdict).
    fn refresh(&mut self, _m: &Model) {}
}

/// What becomes of an overlay after an action, and what follows on the checklist.
#[derive(Debug, PartialEq)]
pub enum Flow {
    Stay,
    Close,
    /// It stays; the checklist handles the action (a key the overlay leaves to it: help, quit).
    Pass(Action),
    /// It closes, and the checklist carries on with the action (a check given what it waited
    /// for, a mark decided in a question).
    Then(Action),
}

/// What the detail pane shows of its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetailView {
    /// The first line shown.
    pub scroll: u16,
    /// The largest useful scroll: the last line at the bottom of the pane.
    pub max_scroll: u16,
    /// Lines the pane shows (0: the pane is not on screen).
    pub height: u16,
    /// The selected evidence entry's lines in the content: [start, end).
    pub evidence_rows: Option<(u16, u16)>,
}

impl DetailView {
    /// Whether the selected evidence entry is on screen: whole, or from its first line (the
    /// one with its number and name) when it is taller than the pane.
    pub fn shows_evidence(&self) -> bool {
        self.evidence_rows.is_some_and(|(start, end)| {
            let bottom = self.scroll + self.height;
            let whole = start >= self.scroll && end <= bottom;
            let taller = end - start > self.height && start == self.scroll;
            self.height > 0 && (whole || taller)
        })
    }

    /// The scroll that shows the selected evidence entry, moving as little as it can.
    pub fn scroll_to_evidence(&self) -> Option<u16> {
        let (start, end) = self.evidence_rows?;
        if self.height == 0 {
            return None;
        }
        let scroll = if end > self.scroll + self.height {
            end - self.height
        } else {
            self.scroll
        };
        Some(scroll.min(start).min(self.max_scroll))
    }
}

/// A row of the case list: a section heading or a case (indexes into the plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Section(usize),
    Case(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
/// Progress kept up to date by `update`, so drawing never counts.
pub struct Stats {
    pub sections: Vec<Tally>,
    pub total: Tally,
    /// Applicable cases that are not Pass, in plan order (the summary's list).
    pub open_cases: Vec<usize>,
}

pub struct Model {
    pub ws: Workspace,
    pub keymap: Keymap,
    pub settings: Settings,
    /// What is on screen over the checklist, bottom first; the top one gets the keys.
    overlays: Vec<Box<dyn Overlay>>,
    /// What runs off the UI thread; each job sends its results through the inbox.
    pub jobs: Jobs,
    pub inbox: Inbox,
    pub focus: Pane,
    /// The terminal's size.
    pub area: Rect,
    pub rows: Vec<Row>,
    /// Index into `rows` of the selected case.
    pub selected: Option<usize>,
    /// First row of `rows` on screen.
    pub list_offset: usize,
    pub step_cursor: usize,
    /// The selected evidence entry of the selected case.
    pub evidence_cursor: usize,
    /// The first line of the detail pane the tester scrolled to.
    pub detail_scroll: u16,
    /// Keep the step cursor on screen (until the tester scrolls by hand).
    pub detail_follow: bool,
    pub search: Input,
    pub outcome_filter: Option<Outcome>,
    pub recipes: RecipeBook,
    /// The SCIM secret typed in the masked prompt: memory only.
    pub secret: Option<Secret>,
    /// Read the secrets from their environment variables before asking (tests turn this off so
    /// they do not depend on the environment they run in).
    pub secrets_from_env: bool,
    /// The Okta API token typed in the checklist (connection form or a CRUD run): memory only.
    pub okta_secret: Option<Secret>,
    /// The System Log of cases, read on demand from the detail pane (not saved).
    pub okta_trails: std::collections::HashMap<String, crate::session::OktaTrail>,
    /// What the checklist keeps of hosted runs: a passing result waiting to be shared, the
    /// BlazeMeter token typed here (memory only), another API address.
    pub hosted: HostedWatch,
    pub message: Option<Message>,
    /// The last save failed; retried on the next change.
    pub save_error: Option<String>,
    pub stats: Stats,
    /// Lower-cased ID, title and text of each case, for search.
    haystacks: Vec<String>,
    /// The case being timed and since when.
    pub opened: Option<(usize, Instant)>,
    pub color: bool,
    pub quit: bool,
    /// The terminal could not be read any more (it hung up): the event loop ends as on a signal.
    pub terminal_gone: bool,
    /// Changes the tester chose to lose when quitting (the process then exits non-zero).
    pub lost_changes: usize,
}

impl Model {
    /// The checklist's state on a workspace, with nothing open over it: `tui::open` makes it
    /// and asks the first questions.
    pub(crate) fn new(ws: Workspace, keymap: Keymap, settings: Settings) -> Model {
        let haystacks = ws
            .plan
            .cases
            .iter()
            .map(|c| {
                let steps: Vec<String> = c.steps.iter().map(|s| s.text.plain()).collect();
                format!(
                    "{}\n{}\n{}\n{}\n{}",
                    c.id,
                    c.title,
                    c.preconditions.plain(),
                    steps.join("\n"),
                    c.expected.plain()
                )
                .to_lowercase()
            })
            .collect();
        let mut model = Model {
            ws,
            keymap,
            settings,
            overlays: Vec::new(),
            jobs: Jobs::default(),
            inbox: Inbox::default(),
            focus: Pane::List,
            area: Rect::new(0, 0, 120, 40),
            rows: Vec::new(),
            selected: None,
            list_offset: 0,
            step_cursor: 0,
            evidence_cursor: 0,
            detail_scroll: 0,
            detail_follow: true,
            search: Input::default(),
            outcome_filter: None,
            recipes: RecipeBook::builtin(),
            secret: None,
            secrets_from_env: true,
            okta_secret: None,
            okta_trails: std::collections::HashMap::new(),
            hosted: Default::default(),
            message: None,
            save_error: None,
            stats: Stats::default(),
            haystacks,
            opened: None,
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            quit: false,
            terminal_gone: false,
            lost_changes: 0,
        };
        let resume = model
            .ws
            .session()
            .last_case()
            .and_then(|id| model.ws.plan.case_index(id));
        model.refresh_stats();
        model.rebuild_rows();
        match resume {
            Some(case) => model.select_case(case),
            None => model.select_row(model.first_case_row()),
        }
        model
    }

    /// The keymap in force: the top overlay's, else the checklist's.
    pub fn mode(&self) -> Mode {
        self.overlays.last().map_or(Mode::Normal, |o| o.mode())
    }

    /// The overlays, bottom first.
    pub fn overlays(&self) -> impl Iterator<Item = &dyn Overlay> {
        self.overlays.iter().map(|o| o.as_ref())
    }

    pub fn top(&self) -> Option<&dyn Overlay> {
        self.overlays.last().map(|o| o.as_ref())
    }

    pub fn push(&mut self, overlay: impl Overlay) {
        self.overlays.push(Box::new(overlay));
    }

    /// Puts an overlay back at `at` in the stack (below what it opened meanwhile).
    fn put_back(&mut self, at: usize, overlay: Box<dyn Overlay>) {
        let at = at.min(self.overlays.len());
        self.overlays.insert(at, overlay);
    }

    /// Hands `action` to the top overlay (off the stack while it answers, put back unless it
    /// closed); what the checklist does next, if anything: the action itself when nothing is
    /// open.
    pub fn to_top(&mut self, action: Action) -> Option<Action> {
        let Some(mut top) = self.overlays.pop() else {
            return Some(action);
        };
        let at = self.overlays.len();
        match top.update(self, action) {
            Flow::Stay => {
                self.put_back(at, top);
                None
            }
            Flow::Close => None,
            Flow::Pass(next) => {
                self.put_back(at, top);
                Some(next)
            }
            Flow::Then(next) => Some(next),
        }
    }

    /// Closes every overlay: back to the checklist.
    pub fn close_all(&mut self) {
        self.overlays.clear();
    }

    /// The top overlay, if it is a `T`.
    pub fn top_as<T: Overlay>(&self) -> Option<&T> {
        let top: &dyn Any = self.overlays.last()?.as_ref();
        top.downcast_ref()
    }

    pub fn top_as_mut<T: Overlay>(&mut self) -> Option<&mut T> {
        let top: &mut dyn Any = self.overlays.last_mut()?.as_mut();
        top.downcast_mut()
    }

    /// The open `T`, wherever it is in the stack.
    pub fn find<T: Overlay>(&self) -> Option<&T> {
        self.overlays.iter().rev().find_map(|o| {
            let o: &dyn Any = o.as_ref();
            o.downcast_ref()
        })
    }

    /// Brings every open overlay up to date with the session.
    pub fn refresh_overlays(&mut self) {
        let mut overlays = std::mem::take(&mut self.overlays);
        for overlay in &mut overlays {
            overlay.refresh(self);
        }
        // Nothing opens while refreshing: the stack comes back as it was.
        self.overlays = overlays;
    }

    /// The check running in the background, if any.
    pub fn running(&self) -> Option<&Job> {
        self.jobs.get(JobKind::Check)
    }

    /// The background job the footer shows: the check, else the latest other one (a save
    /// waiting for a lock has its own line).
    pub fn shown_job(&self) -> Option<&Job> {
        self.running().or_else(|| {
            self.jobs
                .iter()
                .rev()
                .find(|j| j.work.kind() != JobKind::Save)
        })
    }

    pub fn selected_case(&self) -> Option<usize> {
        match self.rows.get(self.selected?)? {
            Row::Case(i) => Some(*i),
            Row::Section(_) => None,
        }
    }

    /// The selected case, or a message saying there is none.
    pub fn case_or_say(&mut self) -> Option<usize> {
        let case = self.selected_case();
        if case.is_none() {
            self.info("No case selected: the filter hides every case (Esc clears it).");
        }
        case
    }

    pub fn outcome_of(&self, case: usize) -> Outcome {
        self.ws.session().outcome(&self.ws.plan.cases[case].id)
    }

    pub fn filter_active(&self) -> bool {
        !self.search.value().is_empty() || self.outcome_filter.is_some()
    }

    fn matches(&self, case: usize) -> bool {
        let query = self.search.value().trim().to_lowercase();
        (query.is_empty() || self.haystacks[case].contains(&query))
            && self
                .outcome_filter
                .is_none_or(|o| self.outcome_of(case) == o)
    }

    /// Recomputes the visible rows after a filter changed, keeping the selected case when it is
    /// still visible, else the nearest following one.
    pub fn rebuild_rows(&mut self) {
        let previous = self.selected_case();
        let mut rows = Vec::with_capacity(self.ws.plan.cases.len() + self.ws.plan.sections.len());
        for (s, section) in self.ws.plan.sections.iter().enumerate() {
            let heading = rows.len();
            rows.push(Row::Section(s));
            rows.extend(
                section
                    .cases
                    .iter()
                    .filter(|&&c| self.matches(c))
                    .map(|&c| Row::Case(c)),
            );
            if rows.len() == heading + 1 && self.filter_active() {
                rows.pop();
            }
        }
        self.rows = rows;
        let target = previous.and_then(|p| {
            self.rows
                .iter()
                .position(|r| matches!(r, Row::Case(c) if *c >= p))
        });
        let row = match previous {
            Some(_) => target.or_else(|| self.last_case_row()),
            None => self.first_case_row(),
        };
        self.select_row(row);
    }

    pub fn first_case_row(&self) -> Option<usize> {
        self.rows.iter().position(|r| matches!(r, Row::Case(_)))
    }

    pub fn last_case_row(&self) -> Option<usize> {
        self.rows.iter().rposition(|r| matches!(r, Row::Case(_)))
    }

    /// Selects the case row nearest to `row` (looking forward first).
    pub fn select_row(&mut self, row: Option<usize>) {
        let row = row.and_then(|r| {
            (r..self.rows.len())
                .chain((0..r.min(self.rows.len())).rev())
                .find(|&i| matches!(self.rows[i], Row::Case(_)))
        });
        let before = self.selected_case();
        self.selected = row;
        let after = self.selected_case();
        if before != after || self.opened.is_none() {
            self.credit_time();
            self.opened = after.map(|c| (c, Instant::now()));
            self.step_cursor = after
                .and_then(|c| {
                    let id = &self.ws.plan.cases[c].id;
                    let checked = self.ws.session().result(id).map(|r| &r.steps_checked);
                    (0..self.ws.plan.cases[c].steps.len())
                        .find(|s| !checked.is_some_and(|set| set.contains(s)))
                })
                .unwrap_or(0);
            self.detail_scroll = 0;
            self.detail_follow = true;
            self.evidence_cursor = 0;
            let case = after.map(|c| self.ws.plan.cases[c].id.clone());
            self.ws.apply(Command::LastCase(case));
        }
        self.keep_selection_visible();
    }

    pub fn select_case(&mut self, case: usize) {
        let row = self.rows.iter().position(|r| *r == Row::Case(case));
        if row.is_none() && self.filter_active() {
            // The case is hidden by a filter: drop the filter rather than lose the place.
            self.search = Input::default();
            self.outcome_filter = None;
            self.rebuild_rows();
            let row = self.rows.iter().position(|r| *r == Row::Case(case));
            self.select_row(row);
        } else {
            self.select_row(row);
        }
    }

    pub fn list_height(&self) -> usize {
        layout::main(self.area, self.focus)
            .list
            .height
            .saturating_sub(2) as usize
    }

    pub fn keep_selection_visible(&mut self) {
        let height = self.list_height().max(1);
        let Some(selected) = self.selected else {
            self.list_offset = 0;
            return;
        };
        // Show the section heading above the first case of a section.
        let top = if selected > 0 && matches!(self.rows[selected - 1], Row::Section(_)) {
            selected - 1
        } else {
            selected
        };
        if top < self.list_offset {
            self.list_offset = top;
        } else if selected >= self.list_offset + height {
            self.list_offset = selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.list_offset = self.list_offset.min(max_offset);
    }

    /// Adds the time the selected case has been open to its result (saved with the next change).
    pub fn credit_time(&mut self) {
        if let Some((case, since)) = self.opened {
            let seconds = since.elapsed().as_secs();
            if seconds > 0 {
                let id = self.ws.plan.cases[case].id.clone();
                self.ws.apply(Command::TimeSpent { case: id, seconds });
                self.opened = Some((case, since + std::time::Duration::from_secs(seconds)));
            }
        }
    }

    /// Brings what is derived from the session up to date after a change (progress, the
    /// filtered list, what the open overlays show). Saving is `update`'s, once per action.
    pub fn after_change(&mut self) {
        self.credit_time();
        self.refresh_stats();
        if self.outcome_filter.is_some() {
            self.rebuild_rows();
        }
        self.refresh_overlays();
    }

    /// Writes what was applied (`update` calls it once per action that changed the session).
    /// Never waits for another writer's lock: a save that finds it held becomes a pending job
    /// tried again on every tick until the lock is free, and the checklist keeps answering keys.
    pub fn save(&mut self) {
        self.save_within(std::time::Duration::ZERO);
    }

    /// As `save`, waiting up to `SCIMPLAN_LOCK_WAIT` for the lock: for the process's very last
    /// save (a signal, the terminal gone), when nothing later could save instead.
    pub fn save_before_exit(&mut self) {
        self.save_within(crate::session::lock::lock_wait());
    }

    fn save_within(&mut self, wait: std::time::Duration) {
        match self.ws.save_waiting(wait) {
            Ok(saved) => {
                if self.save_error.take().is_some() {
                    self.info("Saved again: the session file is up to date.");
                }
                if let Some(Job {
                    work: Work::Save { holder, .. },
                    ..
                }) = self.jobs.finish(JobKind::Save)
                {
                    self.info(format!("Saved: {} let go of the session.", holder.who()));
                }
                // What another writer did meanwhile left ours not applying: say so.
                if !saved.refused.is_empty() {
                    let text: Vec<String> = saved.refused.iter().map(ToString::to_string).collect();
                    self.error(text.join(" "));
                }
            }
            Err(e) if wait.is_zero() && e.busy_holder().is_some() => {
                let holder = e.busy_holder().cloned().unwrap_or_default();
                match self.jobs.get_mut(JobKind::Save) {
                    Some(Job {
                        work: Work::Save { holder: was, .. },
                        ..
                    }) => *was = holder,
                    _ => self.jobs.poll(Work::Save {
                        holder,
                        since: chrono::Local::now(),
                    }),
                }
            }
            Err(e) => {
                self.jobs.finish(JobKind::Save);
                let text = format!(
                    "NOT SAVED: {e} Saving is retried with every change; q asks what to do with them."
                );
                self.save_error = Some(text.clone());
                self.message = Some(Message { text, error: true });
            }
        }
    }

    /// The bottom line while a save waits for another writer's lock.
    pub fn lock_wait_line(&self) -> Option<String> {
        self.jobs.get(JobKind::Save).map(Job::status_line)
    }

    /// Esc while something runs in the background: asks the latest job to stop (its results
    /// still arrive as actions; a cancelled check is recorded so). False when nothing runs.
    pub fn cancel_job(&mut self) -> bool {
        let Some(kind) = self.jobs.cancel_latest() else {
            return false;
        };
        self.info(match kind {
            JobKind::Check => "Cancelling the verification…",
            JobKind::OktaCheck => "Cancelling the Okta check: the connection is not saved.",
            JobKind::SystemLog => "Cancelling the System Log read…",
            JobKind::Export => "Cancelling the export: nothing is written.",
            JobKind::Save => "",
            JobKind::Hosted => "Stopping the wait; the hosted run goes on in BlazeMeter…",
        });
        true
    }

    /// Shows a message, unless a failed save must stay on screen.
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(match &self.save_error {
            Some(error) => Message {
                text: error.clone(),
                error: true,
            },
            None => Message {
                text: text.into(),
                error: false,
            },
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    pub fn refresh_stats(&mut self) {
        let session = self.ws.session();
        let plan = &self.ws.plan;
        let (sections, total) = tally_sections(plan, &self.ws.reqs, session);
        let open_cases = (0..plan.cases.len())
            .filter(|&c| {
                session.applies(&self.ws.reqs, c)
                    && session.outcome(&plan.cases[c].id) != Outcome::Pass
            })
            .collect();
        self.stats = Stats {
            sections,
            total,
            open_cases,
        };
    }

    /// Referenced preconditions of a case that are Fail, Blocked or Not run.
    pub fn unmet_preconditions(&self, case: usize) -> Vec<(String, Outcome)> {
        self.ws.plan.cases[case]
            .refs
            .iter()
            .map(|id| (id.clone(), self.ws.session().outcome(id)))
            .filter(|(_, o)| matches!(o, Outcome::Fail | Outcome::Blocked | Outcome::NotRun))
            .collect()
    }
}

/// What the checklist keeps of hosted runs besides the job.
#[derive(Debug, Default)]
pub struct HostedWatch {
    /// A passing result whose link `b` records once the tester set it to Shareable.
    pub to_share: Option<(crate::session::SuiteKind, String)>,
    /// The access token, when given otherwise than by SCIMPLAN_RUNSCOPE_TOKEN (memory only).
    pub token: Option<Secret>,
    /// Another API address than SCIMPLAN_RUNSCOPE_API's (tests point it at a double).
    pub api: Option<String>,
}
