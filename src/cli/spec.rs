//! `scimplan spec PLAN [--file F] [--entitlement-endpoint PATH...] [--yes]`: Okta's SCIM SPEC
//! file run against the app as Runscope would, then the checks of what Okta relies on beyond
//! the file; the run is recorded for the readiness summary.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, EXIT_ERROR, EXIT_FINDING, Failure, save, usage_error, write_junit};
use super::connect::connection_and_secret;
use super::fetch::default_plan_dir;
use super::open::open;
use super::prompt::confirm;
use super::suite::{SuiteArgs, print_file_event, say, sources};
use crate::net::CancelFlag;
use crate::report::readiness::{ENTITLEMENTS, IMPORT_USER_SCHEMA};
use crate::scim::ScimClient;
use crate::session::CheckStatus;
use crate::verify::schema::check_user_schema;
use crate::verify::suite_files::{Prepared, spec_options};
use crate::verify::{VerifyEvent, run_spec};

#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// A Runscope export to run instead of Okta's SPEC file (an older file, an edited copy).
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Run Okta's Entitlements file against this endpoint (e.g. /Roles); repeatable. Needs
    /// the Entitlement Management capability declared supported.
    #[arg(long = "entitlement-endpoint", value_name = "PATH")]
    pub entitlement_endpoints: Vec<String>,
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Create the test user without asking.
    #[arg(long)]
    pub yes: bool,
    /// Also write the results as JUnit XML.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `scimplan spec`: Okta's SPEC file, run locally; the run is recorded for the readiness summary.
pub fn run(common: &Common, args: SpecArgs) -> Result<u8, Failure> {
    let mut ws = open(&args.plan, common)?;
    let (connection, secret) = connection_and_secret(&ws)?;
    let declared = ws.session().declared_supported(ENTITLEMENTS);
    let endpoints = if !args.entitlement_endpoints.is_empty() {
        if !ws.session().is_supported(ENTITLEMENTS) {
            return Err(usage_error(
                "--entitlement-endpoint: the Entitlement Management capability is declared unsupported; declare it with `scimplan capabilities PLAN --support entitlements` first.",
            ));
        }
        for endpoint in &args.entitlement_endpoints {
            if !endpoint.starts_with('/') || endpoint.contains(['?', '#', ' ']) {
                return Err(usage_error(format!(
                    "--entitlement-endpoint {endpoint}: give the path after the SCIM base URL, starting with /, e.g. /Roles"
                )));
            }
        }
        // Remembered: the next `spec` and `runscope --suite entitlements` use them.
        ws.apply(crate::session::Command::EntitlementEndpoints(
            args.entitlement_endpoints.clone(),
        ));
        save(&mut ws)?;
        if !declared {
            eprintln!(
                "note: Entitlement Management is not declared, so readiness asks no Entitlements link; `scimplan capabilities PLAN --support entitlements` declares it."
            );
        }
        args.entitlement_endpoints.clone()
    } else if declared {
        let endpoints = ws.session().declarations().entitlement_endpoints.clone();
        if endpoints.is_empty() {
            eprintln!(
                "warning: Entitlement Management is declared, but no entitlement endpoint is known: give them with --entitlement-endpoint /Roles (one per endpoint; remembered) to run Okta's Entitlements file."
            );
        }
        endpoints
    } else {
        Vec::new()
    };
    let dir = default_plan_dir();
    let sources = sources(&ws, &dir, args.file.as_deref(), &args.suite);
    let prepared = spec_options(sources, &connection, &endpoints).map_err(usage_error)?;
    let Prepared { mut options, told } = prepared;
    args.suite.apply(&mut options.run);
    eprintln!(
        "Running {} ({}) against {}.\nIt creates one user: {} (deactivated at the end).",
        options.file.name,
        options.file.path,
        connection.base_url,
        options.user_name()
    );
    eprintln!("Test values: from {}.", options.values_from());
    say(&told);
    if !args.yes && !confirm()? {
        eprintln!("Not run: nothing was created.");
        return Ok(EXIT_ERROR);
    }
    let client = ScimClient::new(&connection, &secret)?;
    let cancel = CancelFlag::new();
    // Ctrl-C and SIGTERM cancel the run; the created user is still deactivated. A second one
    // ends the process at once.
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 2, cancel.atomic());
        let _ = signal_hook::flag::register(signal, cancel.atomic());
    }
    let quiet = args.json;
    let schema_declared = ws.session().declared_supported(IMPORT_USER_SCHEMA);
    let mut extra_header = false;
    let report = run_spec(&client, &options, &cancel, &mut |event| {
        // Progress goes to stderr even with --json (stdout holds the report).
        if let VerifyEvent::Progress(line) = &event {
            eprintln!("{line}");
        }
        if quiet {
            return;
        }
        match event {
            VerifyEvent::FileStep(_) | VerifyEvent::FileAttempt { .. } => print_file_event(&event),
            VerifyEvent::SpecCheck(check) if check.name != "cleanup" => {
                if !extra_header {
                    println!(
                        "What Okta's provisioning relies on beyond the SPEC file (not part of the verdict):"
                    );
                    extra_header = true;
                }
                println!("  {:<5} {}", check.status.label(), check.name);
                if check.status != CheckStatus::Pass {
                    for line in &check.detail {
                        println!("        {line}");
                    }
                }
            }
            _ => {}
        }
    });
    if let Some(why) = report.file.as_ref().and_then(|f| f.refused.as_ref()) {
        eprintln!("error: {why}\nNo SPEC result was recorded.");
        return Ok(EXIT_ERROR);
    }
    // Import User Schema: Okta reads /ResourceTypes and /Schemas (never part of the verdict).
    let schema = (schema_declared && report.unreachable.is_none() && !report.cancelled)
        .then(|| check_user_schema(&client, &cancel));
    if let Some(why) = &report.unreachable {
        // A connection problem says nothing about the app's SCIM: no SPEC result is recorded.
        eprintln!(
            "error: the SPEC suite could not reach {}: {why}\nNothing was created and no SPEC result was recorded.",
            report.target
        );
        return Ok(EXIT_ERROR);
    }
    ws.apply(crate::session::Command::RecordSpec(Box::new(
        report.clone(),
    )));
    save(&mut ws)?;
    if let Some(path) = &args.junit {
        write_junit(path, &crate::report::junit::spec(&report))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        );
    } else {
        if let Some(file) = &report.file {
            println!(
                "file: {} ({}), SHA-256 {}",
                file.file.name, file.file.path, file.file.sha256
            );
            if let Some(expected) = &file.file.expected_sha256 {
                println!("      not Okta's published file (the profile pins {expected})");
            }
            // The run's own values (a run confirmed by running it again has new ones).
            let values: Vec<String> = file
                .variables
                .iter()
                .filter(|(k, _)| options.values.contains_key(*k))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            println!("test values: {}", values.join(" "));
            for note in &file.notes {
                println!("{note}");
            }
        }
        for run in &report.entitlements {
            println!(
                "Entitlements file against {}: {}",
                run.target,
                run.verdict()
            );
        }
        println!(
            "SPEC file {}: {} against {}",
            report.verdict(),
            report.counts(),
            report.target
        );
        println!("{}", report.extra_counts());
        if let Some(state) = report.created_user_state() {
            println!("{state}");
        }
    }
    if let Some(schema) = &schema {
        // On stderr with --json, so the JSON on stdout stays one document.
        let mut lines = vec![format!(
            "Import User Schema (Okta reads /ResourceTypes and /Schemas): {}",
            match (&schema.error, schema.problems.len()) {
                (Some(_), _) => "could not be checked".to_string(),
                (None, 0) => "Okta can read them".to_string(),
                (None, n) => format!("{n} thing(s) Okta would not understand"),
            }
        )];
        lines.extend(schema.found.iter().map(|f| format!("  found: {f}")));
        lines.extend(schema.problems.iter().map(|p| format!("  ✗ {p}")));
        lines.extend(schema.error.iter().map(|e| format!("  error: {e}")));
        for line in lines {
            if args.json {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }
    }
    let schema_failed = schema.as_ref().is_some_and(|s| !s.passed());
    // Okta's Entitlements file is a test of its own: a failure there is a finding too, though
    // never part of the SPEC verdict recorded for readiness.
    let entitlements_failed = report.entitlements.iter().any(|run| !run.passed());
    Ok(if report.cancelled {
        EXIT_ERROR
    } else if report.passed() && !entitlements_failed && !schema_failed {
        0
    } else {
        EXIT_FINDING
    })
}
