//! A plan, its profile and its session opened together: what every command and the TUI work on.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::plan::profile::Requirements;
use crate::plan::{Plan, PlanError, Profile, ProfileError, load_plan};
use crate::session::{ReconcileReport, SessionError, SessionStore, default_session_path};

#[derive(Debug, Error)]
pub enum OpenError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Where to find things, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    pub session: Option<PathBuf>,
    pub profile: Option<PathBuf>,
    pub tester: Option<String>,
    pub app_name: Option<String>,
}

pub struct Workspace {
    pub plan: Plan,
    pub profile: Profile,
    pub reqs: Requirements,
    pub store: SessionStore,
    /// What reopening found (plan changes, results kept for vanished cases).
    pub reconcile: ReconcileReport,
    /// The tester's or the app's name came from the command line (or SCIMPLAN_TESTER), so the
    /// checklist does not ask for them.
    pub named_on_command_line: bool,
}

impl Workspace {
    pub fn open(plan_path: &Path, options: &OpenOptions) -> Result<Workspace, OpenError> {
        let profile = match &options.profile {
            Some(path) => Profile::load(path)?,
            None => Profile::builtin(),
        };
        let plan = load_plan(plan_path)?;
        let reqs = Requirements::new(&profile, &plan);
        let session_path = options
            .session
            .clone()
            .unwrap_or_else(|| default_session_path(plan_path));
        let (mut store, reconcile) = SessionStore::open(&session_path, &plan, &reqs)?;
        let session = &mut store.session;
        if let Some(tester) = &options.tester {
            session.tester = Some(tester.clone());
        }
        if let Some(app) = &options.app_name {
            session.app_name = Some(app.clone());
        }
        Ok(Workspace {
            plan,
            profile,
            reqs,
            store,
            reconcile,
            named_on_command_line: options.tester.is_some() || options.app_name.is_some(),
        })
    }

    /// Saves the session; call after every change.
    pub fn save(&mut self) -> Result<(), SessionError> {
        self.store.save()
    }

    /// Cases of the plan that apply under the declared capabilities.
    pub fn applicable(&self) -> impl Iterator<Item = (usize, &crate::plan::Case)> {
        self.plan
            .cases
            .iter()
            .enumerate()
            .filter(|(i, _)| self.store.session.applies(&self.reqs, *i))
    }
}
