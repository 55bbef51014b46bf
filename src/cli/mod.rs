//! The command line: every core operation in a headless form, for scripts and tests.
//!
//! This file holds the grammar (`Cli`, and `Command` with one variant per subcommand) and the
//! dispatch. Each subcommand's options (its `#[derive(Args)]` struct, whose doc comments are
//! its `--help`) and its work are in the file named after it:
//!
//! - `status`, `mark`, `evidence`, `history` (undo and redo), `capabilities`: the session read
//!   and changed by hand;
//! - `summary`, `suites`, `export`: readiness, the Runscope links, the completed workbook;
//! - `fetch`: Okta's workbook and test files downloaded (also for the other commands);
//! - `connect`: the SCIM app and the Okta org saved (and the saved SCIM connection read back);
//! - `verify`, `start`, `done`: the per-case checks and the steps done in Okta;
//! - `spec`, `crud` (with `suite`, what they share), `runscope`: Okta's test files run here or
//!   in BlazeMeter API Monitoring;
//! - `console`: a case's Admin Console page; `doctor`: how the servers are reached;
//! - `checklist`: `scimplan PLAN` without a command, the interactive checklist.
//!
//! Beneath them: `common` (the global options, exit codes, `Failure`, saving), `open` (opening
//! the workspace), `import` (a completed workbook's results taken in as it opens) and `prompt`
//! (asking on the terminal). Command files import these, never this file.

mod capabilities;
mod checklist;
mod common;
mod connect;
mod console;
mod crud;
mod doctor;
mod done;
mod evidence;
mod export;
mod fetch;
mod history;
mod import;
mod mark;
mod open;
mod prompt;
mod runscope;
mod spec;
mod start;
mod status;
mod suite;
mod suites;
mod summary;
mod verify;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::session::Writer;

pub use common::{Common, EXIT_ERROR, EXIT_FINDING, Failure, usage_error};
pub use fetch::{default_plan_dir, fetch_workbook};
pub use open::{open, open_to_read};
pub use status::status_text;

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show counts per section and outcome.
    Status(status::StatusArgs),
    /// Record the outcome of a case.
    Mark(mark::MarkArgs),
    /// Attach evidence (a file, copied into the evidence folder, or an http(s) link) to a case;
    /// without FILE|URL, list the case's evidence.
    Evidence(evidence::EvidenceArgs),
    /// Take back the latest change made by a command (mark, verify, an import...), whole, only
    /// while what it set still stands; the checklist's own changes are taken back with its `u`.
    Undo(history::HistoryArgs),
    /// Apply again the change `scimplan undo` took back last, only while nothing changed it
    /// since; the checklist redoes its own with `Ctrl-r`.
    Redo(history::HistoryArgs),
    /// List capabilities, or declare which ones the integration supports.
    Capabilities(capabilities::CapabilitiesArgs),
    /// Tell whether the submission is ready, with every blocker. Exit 0 ready, 1 not ready.
    Summary(summary::SummaryArgs),
    /// Record links to the Runscope SPEC, CRUD and Entitlements results the OIN Wizard asks
    /// for (result pages: https://www.runscope.com/radar/{bucket}/{test}/history/{run}), and
    /// declare how the integration is built.
    Suites(suites::SuiteLinkArgs),
    /// Write the completed workbook (results beside each case, and a Summary sheet).
    Export(export::ExportArgs),
    /// Download the official Okta test plan workbook and check its SHA-256.
    Fetch(fetch::FetchArgs),
    /// Save the app's SCIM connection and/or the Okta org in the session (secrets come from
    /// SCIMPLAN_SCIM_TOKEN, SCIMPLAN_SCIM_PASSWORD, SCIMPLAN_OKTA_TOKEN or a prompt, never saved).
    Connect(connect::ConnectArgs),
    /// Check cases against the app's SCIM API (and, with the Okta org connected, their Okta side) and record Pass or Fail (automatic).
    Verify(verify::VerifyArgs),
    /// Before doing a case's steps in Okta: note what it will act on (the SCIM ids and members
    /// its check compares with, e.g. the app group C9315 renames).
    Start(start::StartArgs),
    /// The Okta Admin Console page a case's steps start on (or its System Log, filtered to the
    /// case's test user since it started): prints the URL, and opens it with --open.
    Console(console::ConsoleArgs),
    /// Mark every step of cases done (you did them in Okta): `verify PLAN` then checks them.
    Done(done::DoneArgs),
    /// Run Okta's CRUD test file against the Okta org and the app, as Runscope would, polling
    /// instead of its pauses; the Okta user it creates is always removed at the end.
    Crud(crud::CrudArgs),
    /// Run Okta's SCIM SPEC test file against the app, as Runscope would (creates one user and
    /// deactivates it at the end), then the checks of what Okta relies on beyond the file.
    Spec(spec::SpecArgs),
    /// Run Okta's SPEC, CRUD or Entitlements file in BlazeMeter API Monitoring (formerly
    /// Runscope) and record the result link the OIN Wizard asks for (the access token comes
    /// from SCIMPLAN_RUNSCOPE_TOKEN or a prompt, never saved).
    Runscope(runscope::RunscopeArgs),
    /// How scimplan reaches its servers, to send a colleague when one cannot be reached: the
    /// trust store and extra CA files, the proxy chosen per host, and whether each configured
    /// endpoint answers, with the certificates it presented. No secret is sent or printed.
    /// Exit 0 when every configured endpoint answers, 1 otherwise.
    Doctor(doctor::DoctorArgs),
}

impl Command {
    /// The command's name as typed, which its changes are recorded under.
    fn name(&self) -> &'static str {
        match self {
            Command::Status(_) => "status",
            Command::Mark(_) => "mark",
            Command::Evidence(_) => "evidence",
            Command::Undo(_) => "undo",
            Command::Redo(_) => "redo",
            Command::Capabilities(_) => "capabilities",
            Command::Summary(_) => "summary",
            Command::Suites(_) => "suites",
            Command::Export(_) => "export",
            Command::Fetch(_) => "fetch",
            Command::Connect(_) => "connect",
            Command::Verify(_) => "verify",
            Command::Start(_) => "start",
            Command::Console(_) => "console",
            Command::Done(_) => "done",
            Command::Crud(_) => "crud",
            Command::Spec(_) => "spec",
            Command::Runscope(_) => "runscope",
            Command::Doctor(_) => "doctor",
        }
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
            checklist::run(&plan, &common)
        }
        Some(Command::Status(args)) => status::run(&common, args),
        Some(Command::Mark(args)) => mark::run(&common, args),
        Some(Command::Evidence(args)) => evidence::run(&common, args),
        Some(Command::Undo(args)) => history::undo(&common, args),
        Some(Command::Redo(args)) => history::redo(&common, args),
        Some(Command::Capabilities(args)) => capabilities::run(&common, args),
        Some(Command::Summary(args)) => summary::run(&common, args),
        Some(Command::Suites(args)) => suites::run(&common, args),
        Some(Command::Export(args)) => export::run(&common, args),
        Some(Command::Fetch(args)) => fetch::run(&common, args),
        Some(Command::Connect(args)) => connect::run(&common, args),
        Some(Command::Verify(args)) => verify::run(&common, args),
        Some(Command::Start(args)) => start::run(&common, args),
        Some(Command::Console(args)) => console::run(&common, args),
        Some(Command::Done(args)) => done::run(&common, args),
        Some(Command::Crud(args)) => crud::run(&common, args),
        Some(Command::Spec(args)) => spec::run(&common, args),
        Some(Command::Runscope(args)) => runscope::run(&common, args),
        Some(Command::Doctor(args)) => doctor::run(&common, args),
    }
}
