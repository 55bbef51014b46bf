//! The command line: every core operation in a headless form, for scripts and tests.
//!
//! Longer than our usual 600 lines on purpose: it holds the whole command-line grammar (clap's
//! derive enum, each subcommand's options and help text) beside the dispatch, so `--help` and the
//! code that reads the options stay in one place. The subcommands' work is in the files beside it.

mod check;
mod crud;
mod doctor;
mod evidence;
mod fetch;
pub(crate) mod okta;
pub(crate) mod report;
mod runscope;
mod status;
mod verify;

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::session::{Outcome, Saved, Writer};
use crate::workspace::{OpenOptions, Workspace};

pub use fetch::{default_plan_dir, fetch_workbook};
pub use status::status_text;

/// Exit codes: 0 ok, 1 a finding (e.g. not ready, checksum mismatch), 2 a usage or input error.
pub const EXIT_FINDING: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "scimplan",
    version,
    about = "Run Okta's SCIM OIN test plan from the terminal: checklist, auto-verify, completed workbook, readiness.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The plan workbook (.xlsx, .xlsm, .xls, .ods). Without it, the official v2 plan is used
    /// (downloaded first when absent).
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Session file (default: <workbook stem>.scimplan.json beside the workbook).
    #[arg(long, global = true, value_name = "PATH")]
    pub session: Option<PathBuf>,
    /// Profile of the plan (capabilities, case requirements); default: the built-in Okta profile.
    #[arg(long, global = true, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Your name, recorded with each result.
    #[arg(long, global = true, env = "SCIMPLAN_TESTER", value_name = "NAME")]
    pub tester: Option<String>,
    /// The name of the integration under test.
    #[arg(long = "app", global = true, value_name = "NAME")]
    pub app_name: Option<String>,
    /// Take the results of a completed workbook (Result, Notes, ... columns) into the session:
    /// alone, those of the plan opened (a completed workbook) even when a session exists; with
    /// FILE, those of a colleague's completed workbook, matched by case ID.
    #[arg(long, global = true, value_name = "FILE", num_args = 0..=1)]
    pub import_results: Option<Option<PathBuf>>,
    /// Who the command's changes are recorded as (set from the command run, not an option).
    #[arg(skip)]
    pub writer: Option<Writer>,
}

impl Common {
    pub fn open_options(&self) -> OpenOptions {
        OpenOptions {
            session: self.session.clone(),
            profile: self.profile.clone(),
            tester: self.tester.clone(),
            app_name: self.app_name.clone(),
            writer: self.writer.clone(),
        }
    }
}

impl Command {
    /// The command's name as typed, which its changes are recorded under.
    fn name(&self) -> &'static str {
        match self {
            Command::Status { .. } => "status",
            Command::Mark { .. } => "mark",
            Command::Evidence { .. } => "evidence",
            Command::Undo { .. } => "undo",
            Command::Redo { .. } => "redo",
            Command::Capabilities { .. } => "capabilities",
            Command::Summary { .. } => "summary",
            Command::Suites { .. } => "suites",
            Command::Export { .. } => "export",
            Command::Fetch { .. } => "fetch",
            Command::Connect { .. } => "connect",
            Command::Verify { .. } => "verify",
            Command::Start { .. } => "start",
            Command::Console { .. } => "console",
            Command::Done { .. } => "done",
            Command::Crud { .. } => "crud",
            Command::Spec { .. } => "spec",
            Command::Runscope(_) => "runscope",
            Command::Doctor { .. } => "doctor",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show counts per section and outcome.
    Status {
        /// The plan workbook.
        plan: PathBuf,
    },
    /// Record the outcome of a case.
    Mark {
        /// The plan workbook.
        plan: PathBuf,
        /// Case ID, e.g. C9290.
        case: String,
        /// pass, fail, blocked, skip or not-run (symbols and empty words are refused).
        outcome: String,
        /// Replace the case's note.
        #[arg(long)]
        note: Option<String>,
        /// Why the case is skipped or blocked.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Attach evidence (a file, copied into the evidence folder, or an http(s) link) to a case;
    /// without FILE|URL, list the case's evidence.
    Evidence {
        /// The plan workbook.
        plan: PathBuf,
        /// Case ID, e.g. C9290.
        case: String,
        /// Files or links to attach.
        #[arg(value_name = "FILE|URL")]
        items: Vec<String>,
        /// A caption for what is attached.
        #[arg(long)]
        caption: Option<String>,
        /// Remove the entry with this number (as listed); `scimplan undo` or u in the checklist brings it back.
        #[arg(long, value_name = "N", conflicts_with = "items")]
        remove: Option<usize>,
    },
    /// Take back the latest change made by a command (mark, verify, an import...), whole, only
    /// while what it set still stands; the checklist's own changes are taken back with its `u`.
    Undo {
        /// The plan workbook.
        plan: PathBuf,
    },
    /// Apply again the change `scimplan undo` took back last, only while nothing changed it
    /// since; the checklist redoes its own with `Ctrl-r`.
    Redo {
        /// The plan workbook.
        plan: PathBuf,
    },
    /// List capabilities, or declare which ones the integration supports.
    Capabilities {
        /// The plan workbook.
        plan: PathBuf,
        /// Capability keys the integration supports.
        #[arg(long, value_name = "KEY", num_args = 1..)]
        support: Vec<String>,
        /// Capability keys the integration does not support (their cases are skipped).
        #[arg(long, value_name = "KEY", num_args = 1..)]
        unsupport: Vec<String>,
    },
    /// Tell whether the submission is ready, with every blocker. Exit 0 ready, 1 not ready.
    Summary {
        /// The plan workbook.
        plan: PathBuf,
        /// text, markdown, json or junit.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Record links to the Runscope SPEC, CRUD and Entitlements results the OIN Wizard asks
    /// for (result pages: https://www.runscope.com/radar/{bucket}/{test}/history/{run}), and
    /// declare how the integration is built.
    Suites {
        /// The plan workbook.
        plan: PathBuf,
        /// Link to the SPEC test results.
        #[arg(long, value_name = "URL")]
        spec_link: Option<String>,
        /// Link to the CRUD test results.
        #[arg(long, value_name = "URL")]
        crud_link: Option<String>,
        /// Link to the Entitlements test results (integrations that manage entitlements).
        #[arg(long, value_name = "URL")]
        entitlements_link: Option<String>,
        /// How the integration is built: scim, or actions (API integration actions, which need
        /// no Runscope link); for a plan the profile does not know.
        #[arg(long, value_name = "KIND")]
        integration: Option<String>,
    },
    /// Write the completed workbook (results beside each case, and a Summary sheet).
    Export {
        /// The plan workbook.
        plan: PathBuf,
        /// Where to write: an .xlsx file (".xlsx" is added to a name without one) or a folder
        /// (default: <stem>-completed-<YYYY-MM-DD>.xlsx beside the workbook, -2, -3... when taken).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace the -o file when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Download the official Okta test plan workbook and check its SHA-256.
    Fetch {
        /// Plan version from the profile (v2, v1).
        #[arg(long, default_value = "v2")]
        version: String,
        /// Folder to save into (default: plans/ in a checkout, else the data directory).
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
        /// Download again even when the file is present.
        #[arg(long)]
        force: bool,
    },
    /// Save the app's SCIM connection and/or the Okta org in the session (secrets come from
    /// SCIMPLAN_SCIM_TOKEN, SCIMPLAN_SCIM_PASSWORD, SCIMPLAN_OKTA_TOKEN or a prompt, never saved).
    #[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["scim_url", "okta_org"])))]
    Connect {
        /// The plan workbook.
        plan: PathBuf,
        /// The SCIM base URL, e.g. https://app.example.com/scim/v2
        #[arg(long, value_name = "URL")]
        scim_url: Option<String>,
        /// The Okta org, e.g. https://dev-123456.okta.com (the -admin address works too);
        /// checked at once with the API token from SCIMPLAN_OKTA_TOKEN (or a prompt).
        #[arg(long, value_name = "URL", requires = "okta_app_id")]
        okta_org: Option<String>,
        /// The app instance's id (0oa..., in the app's Admin Console URL).
        #[arg(long, value_name = "ID", requires = "okta_org")]
        okta_app_id: Option<String>,
        /// Sign in to Okta as this OAuth 2.0 service app (client credentials with a private-key
        /// JWT) instead of an API token.
        #[arg(long, value_name = "CLIENT_ID", requires_all = ["okta_org", "okta_key_file"])]
        okta_client_id: Option<String>,
        /// The service app's private key (PEM, RSA or P-256); read when needed, never copied.
        #[arg(long, value_name = "FILE", requires = "okta_client_id")]
        okta_key_file: Option<PathBuf>,
        /// The key's id (kid) in the service app's public keys, when it has several.
        #[arg(long, value_name = "KID", requires = "okta_client_id")]
        okta_key_id: Option<String>,
        /// bearer, basic or header:NAME (a custom header carrying the token).
        #[arg(long, default_value = "bearer")]
        auth: String,
        /// The Basic auth username.
        #[arg(long, value_name = "NAME")]
        username: Option<String>,
        /// A certificate authority to trust besides the system's trust store (a PEM file;
        /// repeatable), for the SCIM app and/or Okta org given here; the Runscope API uses the
        /// CA files of both. The path is saved and the file read each time.
        #[arg(long = "ca-cert", value_name = "FILE")]
        ca_certs: Vec<PathBuf>,
        /// Reach the SCIM app and/or Okta org given here through this proxy instead of
        /// HTTPS_PROXY/HTTP_PROXY (NO_PROXY still applies). Without credentials: a proxy that
        /// needs them is given in HTTPS_PROXY, which is never saved.
        #[arg(long, value_name = "URL")]
        proxy: Option<String>,
    },
    /// Check cases against the app's SCIM API (and, with the Okta org connected, their Okta side) and record Pass or Fail (automatic).
    Verify {
        /// The plan workbook.
        plan: PathBuf,
        /// Case IDs (default: every applicable case with a recipe and known inputs).
        cases: Vec<String>,
        /// A recipe input, e.g. user=ann@example.com or group=Engineering; remembered.
        #[arg(long = "input", value_name = "NAME=VALUE")]
        inputs: Vec<String>,
        /// Seconds to keep polling each case before it fails.
        #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
        deadline: f64,
        /// Also write the results as JUnit XML.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Print the runs as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Look at cases with a recorded Pass or Fail once and report drift; records nothing.
        #[arg(long)]
        recheck: bool,
        /// Record the check's verdict even over an outcome a person set (only for the cases
        /// named; never over one set while the check ran).
        #[arg(long, requires = "cases")]
        replace: bool,
    },
    /// Before doing a case's steps in Okta: note what it will act on (the SCIM ids and members
    /// its check compares with, e.g. the app group C9315 renames).
    Start {
        /// The plan workbook.
        plan: PathBuf,
        /// Case IDs.
        #[arg(required = true)]
        cases: Vec<String>,
        /// A recipe input, e.g. group=Engineering; remembered.
        #[arg(long = "input", value_name = "NAME=VALUE")]
        inputs: Vec<String>,
    },
    /// The Okta Admin Console page a case's steps start on (or its System Log, filtered to the
    /// case's test user since it started): prints the URL, and opens it with --open.
    Console {
        /// The plan workbook.
        plan: PathBuf,
        /// The case ID.
        case: String,
        /// The System Log filtered to the case's test user, instead of the steps' page.
        #[arg(long)]
        system_log: bool,
        /// Also open the page with the system's browser.
        #[arg(long)]
        open: bool,
    },
    /// Mark every step of cases done (you did them in Okta): `verify PLAN` then checks them.
    Done {
        /// The plan workbook.
        plan: PathBuf,
        /// Case IDs.
        #[arg(required = true)]
        cases: Vec<String>,
    },
    /// Run Okta's CRUD test file against the Okta org and the app, as Runscope would, polling
    /// instead of its pauses; the Okta user it creates is always removed at the end.
    Crud {
        /// The plan workbook.
        plan: PathBuf,
        /// Run this Runscope export instead of Okta's CRUD file.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Seconds each step after a pause is polled before it fails (default: three times
        /// the pause, at least 60).
        #[arg(long, value_name = "SECONDS")]
        deadline: Option<f64>,
        #[command(flatten)]
        suite: verify::SuiteArgs,
        /// Create the test user without asking.
        #[arg(long)]
        yes: bool,
        /// Also write the results as JUnit XML.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Print the run as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run Okta's SCIM SPEC test file against the app, as Runscope would (creates one user and
    /// deactivates it at the end), then the checks of what Okta relies on beyond the file.
    Spec {
        /// The plan workbook.
        plan: PathBuf,
        /// A Runscope export to run instead of Okta's SPEC file (an older file, an edited copy).
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// Run Okta's Entitlements file against this endpoint (e.g. /Roles); repeatable. Needs
        /// the Entitlement Management capability declared supported.
        #[arg(long = "entitlement-endpoint", value_name = "PATH")]
        entitlement_endpoints: Vec<String>,
        #[command(flatten)]
        suite: verify::SuiteArgs,
        /// Create the test user without asking.
        #[arg(long)]
        yes: bool,
        /// Also write the results as JUnit XML.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Print the report as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run Okta's SPEC, CRUD or Entitlements file in BlazeMeter API Monitoring (formerly
    /// Runscope) and record the result link the OIN Wizard asks for (the access token comes
    /// from SCIMPLAN_RUNSCOPE_TOKEN or a prompt, never saved).
    Runscope(runscope::RunscopeArgs),
    /// How scimplan reaches its servers, to send a colleague when one cannot be reached: the
    /// trust store and extra CA files, the proxy chosen per host, and whether each configured
    /// endpoint answers, with the certificates it presented. No secret is sent or printed.
    /// Exit 0 when every configured endpoint answers, 1 otherwise.
    Doctor {
        /// The plan workbook, for its session's SCIM app and Okta org.
        plan: Option<PathBuf>,
    },
}

/// A failure to report to the tester, with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure {
            message: err.to_string(),
            code: EXIT_ERROR,
        }
    }
}

/// Writes a JUnit report (`--junit F`) atomically; a failure names the file.
pub(crate) fn write_junit(path: &std::path::Path, xml: &str) -> Result<(), Failure> {
    crate::session::write_atomic(path, xml.as_bytes(), false)
        .map_err(|e| usage_error(format!("{}: cannot write JUnit: {e}", path.display())))
}

pub fn usage_error(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: EXIT_ERROR,
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            // Not eprintln!: it panics when stderr is a terminal that hung up.
            let _ = writeln!(std::io::stderr(), "error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8, Failure> {
    let mut common = cli.common;
    common.writer = Some(match &cli.command {
        Some(command) => Writer::command(command.name()),
        None => Writer::Checklist,
    });
    match cli.command {
        None => {
            let plan = match cli.plan {
                Some(plan) => plan,
                None => fetch::default_plan(common.profile.as_deref())?,
            };
            open_default(&plan, &common)
        }
        Some(Command::Status { plan }) => {
            let ws = open(&plan, &common)?;
            print!("{}", status_text(&ws));
            Ok(0)
        }
        Some(Command::Mark {
            plan,
            case,
            outcome,
            note,
            reason,
        }) => mark(&plan, &common, &case, &outcome, note, reason),
        Some(Command::Evidence {
            plan,
            case,
            items,
            caption,
            remove,
        }) => evidence::run(&plan, &common, &case, &items, caption.as_deref(), remove),
        Some(Command::Undo { plan }) => undo_or_redo(&plan, &common, false),
        Some(Command::Redo { plan }) => undo_or_redo(&plan, &common, true),
        Some(Command::Capabilities {
            plan,
            support,
            unsupport,
        }) => capabilities(&plan, &common, &support, &unsupport),
        Some(Command::Summary { plan, format }) => report::summary(&plan, &common, &format),
        Some(Command::Suites {
            plan,
            spec_link,
            crud_link,
            entitlements_link,
            integration,
        }) => report::suites(
            &plan,
            &common,
            report::SuiteLinkArgs {
                spec: spec_link,
                crud: crud_link,
                entitlements: entitlements_link,
                integration,
            },
        ),
        Some(Command::Runscope(args)) => runscope::run(&args, &common),
        Some(Command::Export {
            plan,
            output,
            force,
        }) => report::export(&plan, &common, output.as_deref(), force),
        Some(Command::Fetch {
            version,
            dest,
            force,
        }) => fetch::run(common.profile.as_deref(), &version, dest, force),
        Some(Command::Connect {
            plan,
            scim_url,
            okta_org,
            okta_app_id,
            okta_client_id,
            okta_key_file,
            okta_key_id,
            auth,
            username,
            ca_certs,
            proxy,
        }) => {
            let network = doctor::network_settings(&ca_certs, proxy.as_deref())?;
            let mut code = 0;
            if let Some(scim_url) = scim_url {
                code = verify::connect(&plan, &common, &scim_url, &auth, username, &network)?;
            }
            if let Some(org) = okta_org {
                let service_app = okta_client_id.map(|client_id| okta::ServiceAppArgs {
                    client_id,
                    key_file: okta_key_file.unwrap_or_default(),
                    key_id: okta_key_id,
                });
                code = code.max(okta::connect_okta(
                    &plan,
                    &common,
                    &org,
                    okta_app_id.as_deref(),
                    service_app,
                    &network,
                )?);
            }
            Ok(code)
        }
        Some(Command::Verify {
            plan,
            cases,
            inputs,
            deadline,
            junit,
            json,
            recheck,
            replace,
        }) => check::verify(
            &plan,
            &common,
            check::VerifyArgs {
                cases,
                inputs,
                deadline,
                junit,
                json,
                recheck,
                replace,
            },
        ),
        Some(Command::Crud {
            plan,
            file,
            deadline,
            suite,
            yes,
            junit,
            json,
        }) => crud::crud(
            &plan,
            &common,
            crud::CrudArgs {
                file,
                deadline,
                suite,
                yes,
                junit,
                json,
            },
        ),
        Some(Command::Start {
            plan,
            cases,
            inputs,
        }) => check::start(&plan, &common, &cases, &inputs),
        Some(Command::Done { plan, cases }) => check::done(&plan, &common, &cases),
        Some(Command::Console {
            plan,
            case,
            system_log,
            open,
        }) => okta::console(&plan, &common, &case, system_log, open),
        Some(Command::Doctor { plan }) => doctor::run(plan.as_deref(), &common),
        Some(Command::Spec {
            plan,
            file,
            entitlement_endpoints,
            suite,
            yes,
            junit,
            json,
        }) => verify::spec(
            &plan,
            &common,
            verify::SpecArgs {
                file,
                entitlement_endpoints,
                suite,
                yes,
                junit,
                json,
            },
        ),
    }
}

/// `scimplan PLAN`: the interactive checklist.
fn open_default(plan: &std::path::Path, common: &Common) -> Result<u8, Failure> {
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return Err(usage_error(format!(
            "the checklist needs a terminal. For a report without one, run `scimplan status {}`.",
            plan.display()
        )));
    }
    let ws = open(plan, common)?;
    let lost = crate::tui::run(ws).map_err(|e| usage_error(format!("the terminal failed: {e}")))?;
    if lost > 0 {
        return Err(Failure {
            message: format!(
                "quit with {lost} unsaved change(s): they were lost (the session file keeps the state before them)."
            ),
            code: EXIT_ERROR,
        });
    }
    Ok(0)
}

/// Opens the workspace and tells the tester what reconciling with the plan found.
pub fn open(plan: &std::path::Path, common: &Common) -> Result<Workspace, Failure> {
    let ws = Workspace::open(plan, &common.open_options())?;
    opened(ws, plan, common)
}

/// As `open`, for commands that only read the session (export): its undo history is not read
/// and the workspace cannot be saved (unless results are taken from a completed workbook,
/// which are saved).
pub fn open_to_read(plan: &std::path::Path, common: &Common) -> Result<Workspace, Failure> {
    let ws = Workspace::open_to_read(plan, &common.open_options())?;
    if report::takes_results_from_workbook(&ws, common) {
        // The results taken from the workbook are saved: the whole session is needed.
        return open(plan, common);
    }
    opened(ws, plan, common)
}

fn opened(
    mut ws: Workspace,
    plan: &std::path::Path,
    common: &Common,
) -> Result<Workspace, Failure> {
    for repeated in &ws.plan.repeated_sheets {
        eprintln!("warning: {}: {repeated}.", plan.display());
    }
    report::resume_if_completed(&mut ws, common)?;
    let report = &ws.reconcile;
    if report.plan_changed {
        eprintln!(
            "note: {} changed since this session last saw it; results are matched by case ID.",
            plan.display()
        );
        if !report.new_cases.is_empty() {
            eprintln!(
                "note: {} new case(s), starting as Not run: {}",
                report.new_cases.len(),
                report.new_cases.join(", ")
            );
        }
    }
    if !report.missing_cases.is_empty() {
        eprintln!(
            "warning: results are kept for {} case(s) no longer in the plan: {}",
            report.missing_cases.len(),
            report.missing_cases.join(", ")
        );
    }
    if let Some(problem) = &report.history_dropped {
        eprintln!(
            "warning: {}: the undo history is damaged ({problem}); it was dropped, every result is kept. Nothing can be undone from before now.",
            ws.session_path().display()
        );
    }
    Ok(ws)
}

/// Saves what the command applied. Another writer's change to the same case's outcome or note
/// between this command's read and its save is said (this command's, the later, is kept);
/// what no longer applied is returned for the command to report.
pub(crate) fn save(ws: &mut Workspace) -> Result<Saved, Failure> {
    let saved = ws.save().map_err(|e| Failure {
        message: e.for_command(),
        code: EXIT_ERROR,
    })?;
    if !saved.conflicts.is_empty() {
        let cases: Vec<&str> = saved.conflicts.iter().map(String::as_str).collect();
        eprintln!(
            "note: another scimplan changed {} since this command read the session; this command's change, the later one, was kept.",
            cases.join(", ")
        );
    }
    Ok(saved)
}

fn mark(
    plan: &std::path::Path,
    common: &Common,
    case: &str,
    outcome: &str,
    note: Option<String>,
    reason: Option<String>,
) -> Result<u8, Failure> {
    // Checked before anything is opened or written: a wrong word changes nothing.
    let Some(outcome_value) = Outcome::parse(outcome) else {
        let word = if outcome.trim().is_empty() {
            "an empty word (is a shell variable unset?)".to_string()
        } else {
            format!("'{outcome}'")
        };
        return Err(usage_error(format!(
            "{word} is not an outcome; nothing was recorded. Use one of: {}.",
            Outcome::WORDS
        )));
    };
    let mut ws = open(plan, common)?;
    let Some(index) = ws.plan.case_index(case.trim()) else {
        return Err(usage_error(unknown_case_message(&ws, case)));
    };
    let id = ws.plan.cases[index].id.clone();
    if !ws.session().applies(&ws.reqs, index) && outcome_value != Outcome::Skipped {
        eprintln!(
            "warning: {id} needs a capability declared unsupported ({}); recording {outcome_value} anyway.",
            ws.reqs.needs(index).join(", ")
        );
    }
    ws.apply(crate::session::Command::Mark {
        case: id.clone(),
        outcome: outcome_value,
        reason,
        note,
    });
    save(&mut ws)?;
    let title = &ws.plan.cases[index].title;
    println!("{id} {title}: {outcome_value}");
    Ok(0)
}

/// `scimplan undo` / `redo`: takes back (or applies again) the latest change made by a command,
/// only while what it set still stands.
fn undo_or_redo(plan: &std::path::Path, common: &Common, redo: bool) -> Result<u8, Failure> {
    use crate::session::{Command as Change, Refusal};
    let mut ws = open(plan, common)?;
    let change = match redo {
        true => Change::Redo { target: None },
        false => Change::Undo { target: None },
    };
    let effect = ws.apply(change);
    let saved = match effect.changed {
        true => save(&mut ws)?,
        false => Saved::default(),
    };
    // Refused now, or when applied to what another writer saved meanwhile.
    match effect.refused.or_else(|| saved.refused.into_iter().next()) {
        Some(refusal @ (Refusal::NothingToUndo | Refusal::NothingToRedo)) => {
            println!("{refusal}");
            Ok(0)
        }
        Some(refusal) => {
            println!("{refusal}");
            Ok(EXIT_FINDING)
        }
        None => {
            println!(
                "{}: {}",
                if redo { "Redone" } else { "Undone" },
                effect.description
            );
            Ok(0)
        }
    }
}

pub(crate) fn unknown_case_message(ws: &Workspace, case: &str) -> String {
    let wanted = case.trim().to_lowercase();
    let close: Vec<&str> = ws
        .plan
        .cases
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| {
            let id = id.to_lowercase();
            id.contains(&wanted) || wanted.contains(&id)
        })
        .take(5)
        .collect();
    let hint = if close.is_empty() {
        format!(
            "Run `scimplan status {}` to see the plan.",
            ws.plan.source.display()
        )
    } else {
        format!("Did you mean {}?", close.join(", "))
    };
    format!(
        "{}, sheet '{}': no case with ID '{case}'. {hint}",
        ws.plan.source.display(),
        ws.plan.sheet
    )
}

fn capabilities(
    plan: &std::path::Path,
    common: &Common,
    support: &[String],
    unsupport: &[String],
) -> Result<u8, Failure> {
    // Refused before anything is opened: nothing is changed.
    if let Some(both) = support.iter().find(|key| unsupport.contains(key)) {
        return Err(usage_error(format!(
            "'{both}' is given to both --support and --unsupport: say which it is (nothing was changed)."
        )));
    }
    let mut ws = open(plan, common)?;
    let mut changes = Vec::new();
    for (keys, supported) in [(support, true), (unsupport, false)] {
        for key in keys {
            if ws.reqs.capability(key).is_none() {
                let known: Vec<&str> = ws
                    .reqs
                    .capabilities
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect();
                return Err(usage_error(format!(
                    "unknown capability '{key}'. Known capabilities: {}",
                    known.join(", ")
                )));
            }
            changes.push((key.clone(), supported));
        }
    }
    if !changes.is_empty() {
        ws.apply(crate::session::Command::Capabilities {
            changes,
            confirm: true,
        });
        save(&mut ws)?;
    }
    print!("{}", status::capabilities_text(&ws));
    Ok(0)
}
