//! `scimplan runscope PLAN --suite spec|crud|entitlements [--bucket KEY] [--yes]`: Okta's file
//! run in BlazeMeter API Monitoring (formerly Runscope) for the link the OIN Wizard asks for
//! (`verify::hosted`). The access token comes from SCIMPLAN_RUNSCOPE_TOKEN or a masked prompt
//! and is never saved. Exit codes: 0 passed (link recorded, or the tester left it for later), 1
//! failed or canceled, 2 could not run (a refused token among them) or stopped waiting.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::common::{Common, EXIT_ERROR, EXIT_FINDING, Failure, save, usage_error};
use super::connect::connection_and_secret;
use super::open::open;
use super::prompt::{ask, confirm, masked_prompt};
use crate::net::{CancelFlag, Secret};
use crate::okta::token_from_env;
use crate::report::readiness::{ENTITLEMENTS, suite_name};
use crate::runscope::hosted::{ApiMonitoring, TOKEN_ENV, api_base};
use crate::session::{Command, HostedResult, SuiteKind, check_result_link};
use crate::verify::hosted::{HostedEvent, HostedJob, Polling, Secrets, run_hosted};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub struct RunscopeArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Which of Okta's suites: spec, crud or entitlements.
    #[arg(long, value_name = "SUITE")]
    pub suite: String,
    /// The key of the bucket to put the test in (default: the one used last, or your only one).
    #[arg(long, value_name = "KEY")]
    pub bucket: Option<String>,
    /// Agree without asking: run the file (it creates a test user, as in Runscope) and record
    /// the link of a passing result (you set it to Shareable).
    #[arg(long)]
    pub yes: bool,
}

pub fn run(common: &Common, args: RunscopeArgs) -> Result<u8, Failure> {
    let suite = SuiteKind::parse(&args.suite).ok_or_else(|| {
        usage_error(format!(
            "--suite {}: give spec, crud or entitlements.",
            args.suite
        ))
    })?;
    let mut ws = open(&args.plan, common)?;
    let readiness = crate::report::assess(&ws.plan, &ws.reqs, ws.session());
    if !readiness.suites.iter().any(|s| s.suite == suite) {
        let why = match suite {
            SuiteKind::Entitlements if !ws.session().declared_supported(ENTITLEMENTS) => format!(
                "the Entitlements link is asked only of integrations that manage entitlements: declare it with `scimplan capabilities {} --support entitlements` first",
                args.plan.display()
            ),
            _ => format!(
                "the OIN Wizard asks no {} link of {}",
                suite_name(suite),
                readiness.integration.describe()
            ),
        };
        return Err(usage_error(format!("{why}; nothing was run.")));
    }
    let (_, scim_secret) = connection_and_secret(&ws)?;
    let okta_token = match suite {
        SuiteKind::Crud => token_from_env(),
        _ => None,
    };
    let token = access_token()?;
    let api = ApiMonitoring::new(&api_base(), token, &ws.session().verify().shared_network())?;
    let bucket = bucket(&api, &ws, args.bucket.as_deref())?;
    let job = HostedJob::prepare(
        suite,
        &bucket,
        ws.session(),
        &ws.profile,
        &crate::workspace::data_dir(),
        Secrets {
            scim: &scim_secret,
            okta: okta_token.as_ref(),
        },
    )
    .map_err(|e| usage_error(e.to_string()))?;
    for warning in &job.warnings {
        eprintln!("warning: {warning}");
    }
    let reuse = match &job.reuse {
        Some(id) => format!("test {id} made before"),
        None => "a new test".into(),
    };
    eprintln!(
        "Running {} ({}, SHA-256 {}) in BlazeMeter API Monitoring, bucket {bucket} ({reuse}), against {}.\n{}",
        job.file_name,
        job.file.path.display(),
        job.file.sha256,
        job.target,
        what_it_leaves(suite)
    );
    if !args.yes && !confirm()? {
        eprintln!("Not run: nothing was sent to BlazeMeter.");
        return Ok(EXIT_ERROR);
    }
    let cancel = CancelFlag::new();
    // Ctrl-C stops waiting (the hosted run goes on); a second one ends at once.
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 2, cancel.atomic());
        let _ = signal_hook::flag::register(signal, cancel.atomic());
    }
    let mut made = None;
    let outcome = run_hosted(
        &api,
        &job,
        &Polling::default(),
        &cancel,
        &mut |event| match event {
            HostedEvent::Test { test, created } => {
                if created {
                    eprintln!(
                        "made test {} in bucket {} (reused next time)",
                        test.test_id, test.bucket
                    );
                }
                made = Some(test);
            }
            HostedEvent::Progress(line) => eprintln!("  {line}"),
        },
    );
    // The test is kept for next time, whatever became of the run.
    if let Some(test) = made {
        ws.apply(Command::HostedTest(test));
        save(&mut ws)?;
    }
    let outcome = outcome?;
    let run = outcome.run.clone();
    ws.apply(Command::RecordHosted(Box::new(run.clone())));
    save(&mut ws)?;
    let name = suite_name(suite);
    println!("{name} {}: {}", run.describe(), run.page);
    for failure in &run.failures {
        println!("  ✗ {}", failure.step);
        for problem in &failure.problems {
            println!("      {problem}");
        }
    }
    let key = suite.key();
    match run.result {
        HostedResult::Pass => {}
        HostedResult::Unfinished => {
            eprintln!(
                "Stopped waiting; the run goes on in BlazeMeter. Once it has passed and is set to Shareable, record it with `scimplan suites {} --{key}-link {}`.",
                args.plan.display(),
                run.page
            );
            return Ok(EXIT_ERROR);
        }
        HostedResult::Fail | HostedResult::Canceled => {
            eprintln!(
                "No link recorded: the {name} field takes a passing result. Run Okta's file locally (`scimplan {} {}`) to see why, fix the app, then run this again.",
                if suite == SuiteKind::Crud {
                    "crud"
                } else {
                    "spec"
                },
                args.plan.display()
            );
            return Ok(EXIT_FINDING);
        }
    }
    eprintln!(
        "Okta's reviewers open this page: set the result to Shareable first (the Private | Shareable switch on the result page; BlazeMeter's API has no call for it)."
    );
    match crate::opener::open_detached(&run.page) {
        Ok(opener) => eprintln!("Opened the result page ({opener})."),
        Err(why) => eprintln!("Not opened: {why}. The page: {}", run.page),
    }
    let confirmed =
        args.yes || ask("Is the result set to Shareable? Record its link [y/N] ")?.unwrap_or(false);
    if !confirmed {
        eprintln!(
            "Link not recorded. Once the result is Shareable: `scimplan suites {} --{key}-link {}`.",
            args.plan.display(),
            run.page
        );
        return Ok(0);
    }
    let link = check_result_link(&format!("The {name} link"), &run.page)
        .map_err(|e| usage_error(e.to_string()))?;
    ws.apply(Command::SuiteLink { suite, link });
    save(&mut ws)?;
    println!("{name} link recorded for readiness: {}", run.page);
    Ok(0)
}

/// What a hosted run of Okta's file leaves behind, said before it starts.
fn what_it_leaves(suite: SuiteKind) -> &'static str {
    match suite {
        SuiteKind::Spec => {
            "Okta's file creates one user in the app, as in Runscope (no clean-up runs there)."
        }
        SuiteKind::Crud => {
            "Okta's file creates an Okta user, assigns it to the app and provisions it, as in Runscope; it never deletes that user: remove it in the Admin Console afterwards."
        }
        SuiteKind::Entitlements => "Okta's Entitlements file only reads the entitlement endpoints.",
    }
}

/// The access token: SCIMPLAN_RUNSCOPE_TOKEN, else a masked prompt on a terminal.
fn access_token() -> Result<Secret, Failure> {
    if let Ok(token) = std::env::var(TOKEN_ENV)
        && !token.trim().is_empty()
    {
        return Ok(Secret::new(token.trim()));
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(usage_error(format!(
            "the BlazeMeter API Monitoring access token is not set: export {TOKEN_ENV} (a personal access token of an Application in your account; read from the environment, or asked on a terminal, and never saved)."
        )));
    }
    let token = masked_prompt("BlazeMeter API Monitoring access token (input hidden): ")
        .map_err(|e| usage_error(format!("cannot read the token: {e}")))?;
    if token.trim().is_empty() {
        return Err(usage_error(format!(
            "no token given. Export {TOKEN_ENV} or type the token at the prompt."
        )));
    }
    Ok(Secret::new(token.trim()))
}

/// The bucket: `--bucket`, else the one used last, else the account's only one.
fn bucket(api: &ApiMonitoring, ws: &Workspace, given: Option<&str>) -> Result<String, Failure> {
    if let Some(key) = given.map(str::trim).filter(|k| !k.is_empty()) {
        return Ok(key.to_string());
    }
    if let Some(key) = &ws.session().hosted().bucket {
        return Ok(key.clone());
    }
    let buckets = api.buckets()?;
    match buckets.as_slice() {
        [one] => Ok(one.key.clone()),
        [] => Err(usage_error(
            "your BlazeMeter API Monitoring account has no bucket: make one in BlazeMeter, then give its key with --bucket KEY.",
        )),
        many => Err(usage_error(format!(
            "which bucket? Give one with --bucket KEY: {}",
            many.iter()
                .map(|b| format!("{} ({})", b.key, b.name))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
