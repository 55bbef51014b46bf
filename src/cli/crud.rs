//! `scimplan crud PLAN [--file F] [--yes] [--json] [--junit F]`: Okta's CRUD file run through
//! the Runscope runner with both connections (`verify::crud`), its pauses polled; the Okta user
//! it creates is always cleaned up (unassigned, deactivated, deleted), after a failure, Ctrl-C
//! or SIGTERM too. Exit codes like `spec`: 0 passed, 1 failed, 2 could not run or cancelled.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, EXIT_ERROR, EXIT_FINDING, Failure, save, usage_error, write_junit};
use super::connect::connection_and_secret;
use super::fetch::default_plan_dir;
use super::open::open;
use super::prompt::confirm;
use super::suite::{SuiteArgs, print_file_event, say, sources};
use crate::net::CancelFlag;
use crate::okta::token_from_env;
use crate::session::OKTA_TOKEN_ENV;
use crate::verify::run_crud;
use crate::verify::suite_files::{Prepared, crud_options};

#[derive(Debug, Args)]
pub struct CrudArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Run this Runscope export instead of Okta's CRUD file.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Seconds each step after a pause is polled before it fails (default: three times
    /// the pause, at least 60).
    #[arg(long, value_name = "SECONDS")]
    pub deadline: Option<f64>,
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Create the test user without asking.
    #[arg(long)]
    pub yes: bool,
    /// Also write the results as JUnit XML.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print the run as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(common: &Common, args: CrudArgs) -> Result<u8, Failure> {
    let mut ws = open(&args.plan, common)?;
    let (connection, secret) = connection_and_secret(&ws)?;
    let okta = ws.session().verify().okta.clone().ok_or_else(|| {
        usage_error(
            "no Okta org in this session. Run `scimplan connect PLAN --okta-org URL --okta-app-id ID` first.",
        )
    })?;
    let dir = default_plan_dir();
    let sources = sources(&ws, &dir, args.file.as_deref(), &args.suite);
    let prepared = crud_options(sources, ws.session(), &connection, okta).map_err(usage_error)?;
    let Prepared { mut options, told } = prepared;
    if let Some(seconds) = args.deadline {
        options.set_deadline(seconds).map_err(usage_error)?;
    }
    args.suite.apply(&mut options.run);
    let token = token_from_env().ok_or_else(|| {
        usage_error(format!(
            "the Okta API token is not set: export {OKTA_TOKEN_ENV} (Okta's CRUD file sends it as SSWS)."
        ))
    })?;
    eprintln!(
        "Running {} ({}) against {} and {}.\n{}",
        options.file.name,
        options.file.path,
        options.okta.org_url,
        connection.base_url,
        options.describe(&connection.base_url)
    );
    eprintln!("Test values: from {}.", options.values_from());
    say(&told);
    if !args.yes && !confirm()? {
        eprintln!("Not run: nothing was created.");
        return Ok(EXIT_ERROR);
    }
    let cancel = CancelFlag::new();
    // Ctrl-C and SIGTERM stop the file; the clean-up still runs. A second one ends at once.
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 2, cancel.atomic());
        let _ = signal_hook::flag::register(signal, cancel.atomic());
    }
    let quiet = args.json;
    let report = run_crud(
        &connection,
        &secret,
        &token,
        &options,
        &cancel,
        &mut |event| {
            // Progress goes to stderr even with --json (stdout holds the report).
            match &event {
                crate::verify::VerifyEvent::Progress(line) => eprintln!("{line}"),
                _ if quiet => {}
                _ => print_file_event(&event),
            }
        },
    );
    let run = &report.run;
    if let Some(why) = &run.refused {
        eprintln!("error: {why}\nNothing was created and no CRUD result was recorded.");
        return Ok(EXIT_ERROR);
    }
    if !quiet {
        for note in &run.notes {
            println!("{note}");
        }
        for refusal in &report.refusals {
            println!("{refusal}");
        }
        for line in report.okta.iter().flat_map(|trail| trail.lines()) {
            println!("Okta: {line}");
        }
    }
    let cleanup = report.cleanup_line();
    match &report.cleanup {
        crate::session::CleanUp::Failed { .. } => eprintln!("warning: clean-up {cleanup}"),
        _ => eprintln!("clean-up: {cleanup}"),
    }
    if run.unreachable.is_some() && run.requests().count() <= 1 {
        eprintln!(
            "error: the CRUD file could not reach {}: {}\nNo CRUD result was recorded.",
            run.target,
            run.unreachable.as_deref().unwrap_or_default()
        );
        return Ok(EXIT_ERROR);
    }
    let code = if run.cancelled || run.unreachable.is_some() {
        EXIT_ERROR
    } else if run.passed() {
        0
    } else {
        EXIT_FINDING
    };
    if let Some(path) = &args.junit {
        write_junit(path, &crate::report::junit::crud(&report))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        );
    } else {
        println!(
            "CRUD file {}: {} of {} required steps failed, against {}",
            run.verdict(),
            run.failures(),
            run.requests().count(),
            run.target
        );
        println!("test user: {}", report.okta_user);
    }
    // A cancelled run says nothing about the app: it is not recorded.
    if !run.cancelled {
        ws.apply(crate::session::Command::RecordCrud(Box::new(report)));
        save(&mut ws)?;
    }
    Ok(code)
}
