//! The checklist's whole state: the workspace plus what the screen needs (selection, filters,
//! open editors). Changed only by `update`; read by the view.

use std::time::Instant;

use ratatui::layout::Rect;
use tui_input::Input;

use std::sync::mpsc::{Receiver, Sender, channel};

use super::config::Settings;
use super::keymap::{Keymap, Mode};
use super::layout;
pub use super::state::{
    CapabilitiesDraft, HelpView, Job, NoteEditor, Overlay, PendingMark, Prompt, PromptKind,
    SecretKind, SummaryView, Verification, VerifyTarget,
};
use crate::net::Secret;
use crate::session::{Command, Outcome, Tally, tally_sections};
use crate::verify::{CrudOptions, RecipeBook, Sink, SpecOptions, VerifyEvent};
use crate::workspace::Workspace;

/// What the detail pane shows of its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetailView {
    /// The first line shown.
    pub scroll: u16,
    /// The largest useful scroll: the last line at the bottom of the pane.
    pub max_scroll: u16,
}

/// The pane that j/k and space talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Detail,
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

/// Terminal events and background results, in the order they happened: one channel, so the
/// frame after a finished check is drawn as soon as it arrives.
pub enum AppEvent {
    Terminal(crossterm::event::Event),
    Job(VerifyEvent),
    /// The terminal could not be read any more.
    InputFailed(std::io::Error),
    /// A read of the Okta org came back.
    Okta(super::okta::OktaEvent),
}

/// The checklist's event channel: the terminal reader and background jobs send, the event loop
/// (or `Action::Tick`, in tests) receives.
pub struct Inbox {
    tx: Sender<AppEvent>,
    rx: Receiver<AppEvent>,
}

impl Inbox {
    fn new() -> Inbox {
        let (tx, rx) = channel();
        Inbox { tx, rx }
    }

    pub fn sender(&self) -> Sender<AppEvent> {
        self.tx.clone()
    }

    /// Where a background job reports.
    pub fn job_sink(&self) -> impl Sink {
        let tx = self.tx.clone();
        move |event| {
            let _ = tx.send(AppEvent::Job(event));
        }
    }

    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<AppEvent> {
        self.rx.recv_timeout(timeout).ok()
    }

    pub fn try_recv(&self) -> Option<AppEvent> {
        self.rx.try_recv().ok()
    }
}

pub struct Model {
    pub ws: Workspace,
    pub keymap: Keymap,
    pub settings: Settings,
    /// What is on screen over the checklist, bottom first; the top one gets the keys.
    pub overlays: Vec<Overlay>,
    /// The background verification and the stage it is in.
    pub job: Job,
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
    /// An Okta connection waiting for its token (asked in the masked prompt) to be checked.
    pub okta_pending: Option<crate::session::OktaConnection>,
    /// The System Log of cases, read on demand from the detail pane (not saved).
    pub okta_trails: std::collections::HashMap<String, crate::session::OktaTrail>,
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
    /// Changes the tester chose to lose when quitting (the process then exits non-zero).
    pub lost_changes: usize,
}

impl Model {
    pub fn new(ws: Workspace, keymap: Keymap, settings: Settings) -> Model {
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
        let declare_first = !ws.session().capabilities_confirmed();
        // Asked once, after the capabilities; names given on the command line answer it.
        let session = ws.session();
        let ask_names = !session.identity_asked()
            && !ws.named_on_command_line
            && (session.tester().is_none() || session.app_name().is_none());
        let mut model = Model {
            ws,
            keymap,
            settings,
            overlays: Vec::new(),
            job: Job::Idle,
            inbox: Inbox::new(),
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
            okta_pending: None,
            okta_trails: std::collections::HashMap::new(),
            message: None,
            save_error: None,
            stats: Stats::default(),
            haystacks,
            opened: None,
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            quit: false,
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
        if ask_names {
            super::evidence::ask_identity(&mut model);
        }
        if declare_first {
            model.open_capabilities();
        }
        model
    }

    /// The keymap in force: the top overlay's, else the checklist's.
    pub fn mode(&self) -> Mode {
        self.overlays.last().map_or(Mode::Normal, Overlay::mode)
    }

    pub fn top(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    pub fn top_mut(&mut self) -> Option<&mut Overlay> {
        self.overlays.last_mut()
    }

    pub fn push(&mut self, overlay: Overlay) {
        self.overlays.push(overlay);
    }

    pub fn pop(&mut self) -> Option<Overlay> {
        self.overlays.pop()
    }

    /// The open prompt, if it is on top.
    pub fn prompt(&self) -> Option<&Prompt> {
        match self.top()? {
            Overlay::Prompt(prompt) => Some(prompt),
            _ => None,
        }
    }

    /// The open summary, wherever it is in the stack.
    pub fn summary(&self) -> Option<&SummaryView> {
        self.overlays.iter().find_map(|o| match o {
            Overlay::Summary(summary) => Some(summary),
            _ => None,
        })
    }

    pub fn summary_mut(&mut self) -> Option<&mut SummaryView> {
        self.overlays.iter_mut().find_map(|o| match o {
            Overlay::Summary(summary) => Some(summary),
            _ => None,
        })
    }

    /// The verification running in the background, if any.
    pub fn running(&self) -> Option<&Verification> {
        self.job.running()
    }

    /// The user the SPEC suite offers to create, while it asks.
    pub fn spec_offer_mut(&mut self) -> Option<&mut SpecOptions> {
        match &mut self.job {
            Job::NeedsConsent(VerifyTarget::Spec(Some(options))) => Some(options),
            _ => None,
        }
    }

    /// The Okta user the CRUD suite offers to create, while it asks.
    pub fn crud_offer_mut(&mut self) -> Option<&mut CrudOptions> {
        match &mut self.job {
            Job::NeedsConsent(VerifyTarget::Crud(Some(options))) => Some(options),
            _ => None,
        }
    }

    pub fn selected_case(&self) -> Option<usize> {
        match self.rows.get(self.selected?)? {
            Row::Case(i) => Some(*i),
            Row::Section(_) => None,
        }
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
    /// filtered list). Saving is `update`'s, once per action.
    pub fn after_change(&mut self) {
        self.credit_time();
        self.refresh_stats();
        if self.outcome_filter.is_some() {
            self.rebuild_rows();
        }
    }

    /// Writes what was applied (`update` calls it once per action that changed the session).
    pub fn save(&mut self) {
        match self.ws.save() {
            Ok(saved) => {
                if self.save_error.take().is_some() {
                    self.info("Saved again: the session file is up to date.");
                }
                // What another writer did meanwhile left ours not applying: say so.
                if !saved.refused.is_empty() {
                    let text: Vec<String> = saved.refused.iter().map(ToString::to_string).collect();
                    self.error(text.join(" "));
                }
            }
            Err(e) => {
                let text = format!(
                    "NOT SAVED: {e} Saving is retried with every change; q asks what to do with them."
                );
                self.save_error = Some(text.clone());
                self.message = Some(Message { text, error: true });
            }
        }
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

    /// Opens the capability declaration with the session's current support.
    pub fn open_capabilities(&mut self) {
        let session = self.ws.session();
        let choices = self
            .ws
            .reqs
            .relevant()
            .map(|c| (c.key.clone(), session.is_supported(&c.key)))
            .collect();
        self.push(Overlay::Capabilities(CapabilitiesDraft {
            choices,
            cursor: 0,
        }));
    }

    /// What the detail pane shows of the selected case at the current size: the same pure
    /// computation the view draws with, so scrolling starts from what is on screen.
    pub fn detail_view(&self) -> DetailView {
        super::view::detail_view(self)
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
