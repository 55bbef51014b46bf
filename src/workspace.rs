//! A plan, its profile and its session opened together: what every command and the TUI work on.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::plan::profile::Requirements;
use crate::plan::{Plan, PlanError, Profile, ProfileError, load_plan};
use crate::session::{
    ChangesElsewhere, Command, Effect, ReconcileReport, SaveError, Saved, Scope, Session,
    SessionError, SessionFile, SessionStore, Unsaved, Writer, default_session_path,
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
    /// Who the changes are recorded as (the checklist, or the command's name).
    pub writer: Option<Writer>,
}

pub struct Workspace {
    pub plan: Plan,
    pub profile: Profile,
    pub reqs: Requirements,
    store: SessionStore,
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
        let writer = options
            .writer
            .clone()
            .unwrap_or_else(|| Writer::command("scimplan"));
        let scope = Scope {
            plan: &plan,
            reqs: &reqs,
        };
        let (mut store, reconcile) = SessionStore::open_read(session_file?, scope, writer)?;
        if options.tester.is_some() || options.app_name.is_some() {
            store.apply(
                Command::Identity {
                    tester: options.tester.clone(),
                    app: options.app_name.clone(),
                    asked: false,
                },
                scope,
            );
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

    /// The plan and capabilities the session's commands act on.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            plan: &self.plan,
            reqs: &self.reqs,
        }
    }

    /// The session, to read. Changes go through `apply`.
    pub fn session(&self) -> &Session {
        self.store.session()
    }

    /// Applies a change in memory (`save` writes it): every change to the session goes
    /// through here (or the store's `apply`), which records it with this workspace's writer.
    pub fn apply(&mut self, command: Command) -> Effect {
        let scope = Scope {
            plan: &self.plan,
            reqs: &self.reqs,
        };
        self.store.apply(command, scope)
    }

    /// Whether a change is applied but not saved yet.
    pub fn has_pending(&self) -> bool {
        self.store.has_pending()
    }

    /// Whether a change of the tester's (not bookkeeping such as the selected case) is applied
    /// but not saved yet.
    pub fn has_changes(&self) -> bool {
        self.store.unsaved().changes > 0
    }

    /// Saves what was applied. Other writers' changes saved meanwhile are taken in and ours
    /// applied again on top (what no longer applies is refused and said in `Saved`); they are
    /// also reported by the next `refresh_if_changed`. On failure the error says what was not
    /// saved; the changes stay in memory and the next save retries them.
    pub fn save(&mut self) -> Result<Saved, SaveError> {
        let scope = Scope {
            plan: &self.plan,
            reqs: &self.reqs,
        };
        self.store.save(scope)
    }

    /// As `save`, waiting at most `wait` for another writer's lock.
    pub fn save_waiting(&mut self, wait: std::time::Duration) -> Result<Saved, SaveError> {
        let scope = Scope {
            plan: &self.plan,
            reqs: &self.reqs,
        };
        self.store.save_waiting(scope, wait)
    }

    /// The session file.
    pub fn session_path(&self) -> &Path {
        self.store.path()
    }

    /// Whether the session file exists yet.
    pub fn on_disk(&self) -> bool {
        self.store.on_disk()
    }

    /// Where the session's evidence files are copied.
    pub fn evidence_dir(&self) -> PathBuf {
        self.store.evidence_dir()
    }

    /// Who this workspace's changes are recorded as.
    pub fn writer(&self) -> &Writer {
        self.store.writer()
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
        let scope = Scope {
            plan: &self.plan,
            reqs: &self.reqs,
        };
        self.store.refresh_if_changed(scope)
    }

    /// Cases of the plan that apply under the declared capabilities.
    pub fn applicable(&self) -> impl Iterator<Item = (usize, &crate::plan::Case)> {
        self.plan
            .cases
            .iter()
            .enumerate()
            .filter(|(i, _)| self.store.session().applies(&self.reqs, *i))
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
