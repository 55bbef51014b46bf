//! `scimplan connect` and `spec`: the app's SCIM API, checked from the command line (the
//! per-case checks are in `check`).

use std::path::{Path, PathBuf};

use super::{Common, EXIT_ERROR, EXIT_FINDING, Failure, open, save, usage_error};
use crate::net::{CancelFlag, Secret};
use crate::report::readiness::{ENTITLEMENTS, IMPORT_USER_SCHEMA};
use crate::runscope::initial::InitialScript;
use crate::runscope::{self, TestFile};
use crate::scim::ScimClient;
use crate::session::{CheckStatus, NetworkSettings};
use crate::session::{StepRecord, StepRequirement, StepStatus};
use crate::verify::schema::check_user_schema;
use crate::verify::{AuthScheme, Connection, SpecOptions, VerifyError, VerifyEvent, run_spec};
use crate::workspace::Workspace;

/// `scimplan connect`: stores the connection settings (never the secret) in the session.
pub fn connect(
    plan: &Path,
    common: &Common,
    scim_url: &str,
    auth: &str,
    username: Option<String>,
    network: &NetworkSettings,
) -> Result<u8, Failure> {
    let auth = AuthScheme::parse(auth)?;
    let connection =
        Connection::new(scim_url, auth.clone(), username)?.with_network(network.clone());
    let mut ws = open(plan, common)?;
    let before = ws.session().verify().connection.clone();
    ws.apply(crate::session::Command::Connection(Some(
        connection.clone(),
    )));
    save(&mut ws)?;
    println!("SCIM connection saved: {}", connection.base_url);
    if let Some(before) = before {
        super::doctor::note_dropped(&before.network, &connection.network);
    }
    if let Some(warning) = connection.plain_http_warning() {
        eprintln!("warning: {warning}");
    }
    println!("auth: {}", connection.describe_auth());
    super::doctor::print_network(&connection.network);
    let var = auth.secret_env();
    let set = if std::env::var_os(var).is_some() {
        "set"
    } else {
        "not set yet"
    };
    println!("secret: read from {var} ({set}) when checks run; never saved.");
    Ok(0)
}

pub(super) fn connection_and_secret(ws: &Workspace) -> Result<(Connection, Secret), Failure> {
    let connection = ws
        .session()
        .verify()
        .connection
        .clone()
        .ok_or(VerifyError::NoConnection)?;
    let secret = Secret::from_env(&connection.auth)?;
    Ok((connection, secret))
}

pub struct SpecArgs {
    pub file: Option<PathBuf>,
    pub entitlement_endpoints: Vec<String>,
    pub suite: SuiteArgs,
    pub yes: bool,
    pub junit: Option<PathBuf>,
    pub json: bool,
}

/// How `spec` and `crud` run Okta's files: their pauses and their initial script.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SuiteArgs {
    /// Wait out every pause as Runscope does, instead of polling or skipping them.
    #[arg(long)]
    pub wait_pauses: bool,
    /// Report a step that fails after a pause scimplan shortened as it is, without confirming it
    /// with the pause waited (faster while fixing a failure you know; the verdict may then be
    /// stricter than Runscope's, and the output says so).
    #[arg(long)]
    pub no_confirm: bool,
    /// The initial script that makes the test values (Okta's Initial_Script_Spec.txt or
    /// Initial_Script_CRUD.txt, or your own), run as written. Default: Okta's from the data
    /// folder when it is there, else scimplan's own equivalent.
    #[arg(long, value_name = "FILE")]
    pub initial_script: Option<PathBuf>,
}

impl SuiteArgs {
    /// The run options these flags ask for.
    pub(super) fn apply(&self, run: &mut crate::runscope::RunOptions) {
        run.honour_pauses = self.wait_pauses;
        run.confirm = !self.no_confirm;
    }
}

/// The initial script for Okta's file of `key`: the one given with `--initial-script`, else
/// Okta's in the data folder (downloaded with Okta's test file when that is taken from there
/// too), else none: the caller falls back to scimplan's own equivalent and says why.
pub(super) fn initial_script(
    ws: &Workspace,
    suite: &SuiteArgs,
    key: &str,
    file_given: bool,
) -> Result<(Option<InitialScript>, Option<String>), Failure> {
    if let Some(path) = &suite.initial_script {
        return Ok((Some(InitialScript::load(path).map_err(usage_error)?), None));
    }
    let Some(known) = ws.profile.test_file(key) else {
        return Ok((None, None));
    };
    let dir = super::fetch::default_plan_dir();
    let path = dir.join(&known.file);
    if path.is_file() {
        return Ok((Some(InitialScript::load(&path).map_err(usage_error)?), None));
    }
    if file_given {
        return Ok((
            None,
            Some(format!(
                "{} is not in {}: the test values come from scimplan's own equivalent",
                known.file,
                dir.display()
            )),
        ));
    }
    match super::fetch::okta_test_file(&ws.profile, key) {
        Ok(local) => Ok((
            Some(InitialScript::load(&local.path).map_err(usage_error)?),
            None,
        )),
        Err(e) => Ok((
            None,
            Some(format!(
                "{} could not be had ({}): the test values come from scimplan's own equivalent",
                known.file, e.message
            )),
        )),
    }
}

/// Reads a Runscope export given with `--file`, or Okta's file of `key` from the data folder
/// (downloaded first when absent), with the SHA-256 the profile pins for Okta's file.
pub(super) fn test_file(
    ws: &Workspace,
    given: Option<&Path>,
    key: &str,
) -> Result<(TestFile, Option<String>), Failure> {
    let pinned = ws.profile.test_file(key).map(|f| f.sha256.clone());
    let path = match given {
        Some(path) => path.to_path_buf(),
        None => super::fetch::okta_test_file(&ws.profile, key)?.path,
    };
    let file = runscope::load(&path)?;
    Ok((file, pinned))
}

/// `scimplan spec`: Okta's SPEC file, run locally; the run is recorded for the readiness summary.
pub fn spec(plan: &Path, common: &Common, args: SpecArgs) -> Result<u8, Failure> {
    let mut ws = open(plan, common)?;
    let (connection, secret) = connection_and_secret(&ws)?;
    let (file, pinned) = test_file(&ws, args.file.as_deref(), "spec")?;
    let mut options = SpecOptions::new(connection.auth.clone(), file).map_err(usage_error)?;
    options.expected_sha256 = pinned;
    args.suite.apply(&mut options.run);
    let (script, fallback) =
        initial_script(&ws, &args.suite, "spec-initial-script", args.file.is_some())?;
    let mut script_log = Vec::new();
    if let Some(script) = script {
        script_log = options
            .use_initial_script(script, &connection.base_url)
            .map_err(usage_error)?;
    }
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
    if !endpoints.is_empty() {
        let (entitlements, _) = test_file(&ws, None, "entitlements")?;
        options.entitlements = Some(entitlements);
        options.entitlement_endpoints = endpoints;
    }
    eprintln!(
        "Running {} ({}) against {}.\nIt creates one user: {} (deactivated at the end).",
        options.file.name,
        options.file.path,
        connection.base_url,
        options.user_name()
    );
    eprintln!("Test values: from {}.", options.values_from());
    if let Some(why) = fallback {
        eprintln!("note: {why}.");
    }
    for line in &script_log {
        eprintln!("initial script log: {line}");
    }
    if !args.yes && !super::prompt::confirm()? {
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
        super::write_junit(path, &crate::report::junit::spec(&report))?;
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

/// A step of one of Okta's files as it ends, or a polling attempt that did not hold yet.
pub(super) fn print_file_event(event: &VerifyEvent) {
    match event {
        VerifyEvent::FileStep(step) => print_step(step),
        VerifyEvent::FileAttempt {
            position,
            number,
            failing,
            retry_in,
        } => eprintln!(
            "      step {position} attempt {number}: {failing}; again in {:.1} s",
            retry_in.as_secs_f32()
        ),
        _ => {}
    }
}

pub(super) fn print_step(step: &StepRecord) {
    if step.status == StepStatus::Pause {
        println!(
            "      {} ({})",
            step.title(),
            step.wait.as_deref().unwrap_or("")
        );
        return;
    }
    let required = match step.requirement {
        StepRequirement::Required => "",
        StepRequirement::Optional => " [optional]",
    };
    println!("{:<7} {}{required}", step.status.label(), step.title());
    if let Some(wait) = &step.wait {
        println!("        {wait}");
    }
    if let Some(confirmation) = &step.confirmation {
        println!("        {confirmation}");
    }
    for line in &step.log {
        println!("        log: {line}");
    }
    for problem in &step.problems {
        println!("        {problem}");
    }
    for a in step.failed_assertions() {
        println!(
            "        {}: expected {}, got {}",
            a.describe(),
            a.expected,
            a.actual
        );
    }
}
