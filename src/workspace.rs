//! A plan, its profile and its session opened together: what every command and the TUI work on.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::plan::profile::Requirements;
use crate::plan::{Plan, PlanError, Profile, ProfileError, load_plan};
use crate::session::{
    ChangesElsewhere, ReconcileReport, SaveError, SessionError, SessionFile, SessionStore, Unsaved,
    default_session_path,
};

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
        Self::open_with(plan_path, options, false)
    }

    /// As `open`, for commands that only read (export): the session's undo history is not
    /// read, and saving is refused (`SaveFailure::ReadOnly`).
    pub fn open_to_read(plan_path: &Path, options: &OpenOptions) -> Result<Workspace, OpenError> {
        Self::open_with(plan_path, options, true)
    }

    fn open_with(
        plan_path: &Path,
        options: &OpenOptions,
        read_only: bool,
    ) -> Result<Workspace, OpenError> {
        let profile = match &options.profile {
            Some(path) => Profile::load(path)?,
            None => Profile::builtin(),
        };
        let session_path = options
            .session
            .clone()
            .unwrap_or_else(|| default_session_path(plan_path));
        // The session file is read while the plan loads (on a 10,000-case plan each takes tens
        // of milliseconds); a plan error is still the one reported first.
        let (plan, session_file) = std::thread::scope(|scope| {
            let session = scope.spawn(|| match read_only {
                true => SessionFile::read_without_history(&session_path),
                false => SessionFile::read(&session_path),
            });
            let plan = load_plan(plan_path);
            let session = session
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (plan, session)
        });
        let plan = plan?;
        let reqs = Requirements::new(&profile, &plan);
        let (mut store, reconcile) = SessionStore::open_read(session_file?, &plan, &reqs)?;
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

    /// Saves the session; call after every change. Other writers' changes saved meanwhile are
    /// merged in (both are kept) and reported by the next `refresh_if_changed`. On failure the
    /// error says what was not saved; the changes stay in memory and the next save retries them.
    pub fn save(&mut self) -> Result<(), SaveError> {
        self.store.save()
    }

    /// Changes held in memory only (0 when the file is up to date): for the quit question.
    pub fn unsaved(&self) -> Unsaved {
        self.store.unsaved()
    }

    /// Writes the session to a new file (none may be there yet) and keeps saving there.
    pub fn save_as(&mut self, path: &Path) -> Result<(), SaveError> {
        self.store.save_as(path)
    }

    /// Takes in what other scimplan processes saved since this one last read or wrote the
    /// session, keeping this one's unsaved changes on top. One `stat` when nothing changed, so
    /// the checklist can call it on every tick. `Some` says what changed (cases, capabilities,
    /// links, verification records, and cases changed on both sides where ours was kept).
    pub fn refresh_if_changed(&mut self) -> Result<Option<ChangesElsewhere>, SessionError> {
        self.store.refresh_if_changed()
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

/// Where downloaded plans and Okta's test files go: `SCIMPLAN_DATA_DIR`, else `plans/` of the
/// checkout scimplan was built from when it still exists, else the platform's data directory.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SCIMPLAN_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("plans");
    if checkout.join("okta-scim.toml").is_file() {
        return checkout;
    }
    directories::ProjectDirs::from("", "", "scimplan")
        .map(|dirs| dirs.data_dir().join("plans"))
        .unwrap_or_else(|| PathBuf::from("plans"))
}
