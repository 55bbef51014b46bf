//! The command line: every core operation in a headless form, for scripts and tests.
//!
//! This file holds the grammar (`Cli`, and `Command` with one variant per subcommand) and the
//! dispatch; each subcommand's options (its `#[derive(Args)]` struct, whose doc comments are
//! its `--help`) and its work are in the file named after it.

mod capabilities;
mod check;
mod checklist;
mod common;
mod console;
mod crud;
mod doctor;
mod evidence;
mod export;
mod fetch;
mod history;
mod import;
mod mark;
mod okta;
mod open;
mod prompt;
mod runscope;
mod status;
mod suites;
mod summary;
mod verify;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::session::Writer;

pub use common::{Common, EXIT_ERROR, EXIT_FINDING, Failure, usage_error};
pub(crate) use common::{save, unknown_case_message, write_junit};
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
            Command::Connect { .. } => "connect",
            Command::Verify { .. } => "verify",
            Command::Start { .. } => "start",
            Command::Console(_) => "console",
            Command::Done { .. } => "done",
            Command::Crud { .. } => "crud",
            Command::Spec { .. } => "spec",
            Command::Runscope(_) => "runscope",
            Command::Doctor(_) => "doctor",
        }
    }
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
    Console(console::ConsoleArgs),
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
    Doctor(doctor::DoctorArgs),
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
        Some(Command::Runscope(args)) => runscope::run(&args, &common),
        Some(Command::Export(args)) => export::run(&common, args),
        Some(Command::Fetch(args)) => fetch::run(&common, args),
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
        Some(Command::Console(args)) => console::run(&common, args),
        Some(Command::Doctor(args)) => doctor::run(&common, args),
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
