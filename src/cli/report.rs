//! `summary`, `suites`, `export`, and resuming from a completed workbook on open.

use std::path::Path;

use super::{Common, EXIT_FINDING, Failure, open, open_to_read, save, usage_error};
use crate::plan::profile::IntegrationKind;
use crate::report::{SummaryFormat, assess, export_workspace_with, render};
use crate::session::{Command, Import, SuiteKind, check_result_link};
use crate::workspace::Workspace;

/// Whether opening takes results from a completed workbook (and saves them): a new session, or
/// `--import-results`.
pub fn takes_results_from_workbook(ws: &Workspace, common: &Common) -> bool {
    ws.plan.recorded.is_some() && (!ws.on_disk() || common.import_results)
}

/// When the plan is a completed workbook and the session is new (or `--import-results` is
/// given), takes the workbook's results, declarations, links and evidence into the session as
/// one change, and saves it.
pub fn resume_if_completed(ws: &mut Workspace, common: &Common) -> Result<(), Failure> {
    if ws.plan.recorded.is_none() {
        if common.import_results {
            eprintln!(
                "warning: {} is not a completed workbook (no Result, Notes, Tested by, Tested at, Time spent, Evidence columns side by side): no results to import.",
                ws.plan.source.display()
            );
        }
        return Ok(());
    }
    if !takes_results_from_workbook(ws, common) {
        return Ok(());
    }
    // The pictures of the Evidence sheet are written into the evidence folder first (files,
    // not session state); the command then takes the entries in with the results.
    let folder = ws.evidence_dir();
    let restored = crate::report::export_evidence::read_evidence(&ws.plan.source, &folder);
    let pictures = restored.as_ref().map_or(0, |r| r.pictures);
    let evidence = restored.map(|r| r.cases.into_iter().collect());
    let Some(import) = Import::from_plan(&ws.plan, evidence) else {
        return Ok(());
    };
    let effect = ws.apply(Command::Import(Box::new(import)));
    let Some(report) = effect.import else {
        return Ok(());
    };
    let plan = &ws.plan;
    for unknown in &report.unknown {
        eprintln!(
            "warning: {}, sheet '{}', {unknown}",
            plan.source.display(),
            plan.sheet
        );
    }
    for conflict in &report.conflicts {
        eprintln!(
            "warning: {}, sheet '{}', {conflict}",
            plan.source.display(),
            plan.sheet
        );
    }
    if report.evidence > 0 {
        eprintln!(
            "note: restored {} evidence entr{} ({pictures} picture(s) into {}).",
            report.evidence,
            if report.evidence == 1 { "y" } else { "ies" },
            folder.display()
        );
    }
    eprintln!(
        "note: took {} result(s) and {} capability declaration(s) from the completed workbook {}{}; `scimplan undo` takes the import back.",
        report.imported,
        report.capabilities,
        plan.source.display(),
        match report.conflicts.len() {
            0 => String::new(),
            n => format!(", and kept the session's newer result for {n} case(s)"),
        }
    );
    save(ws)?;
    Ok(())
}

pub fn summary(plan: &Path, common: &Common, format: &str) -> Result<u8, Failure> {
    let Some(format) = SummaryFormat::parse(format) else {
        return Err(usage_error(format!(
            "'{format}' is not a summary format. Use one of: text, markdown, json, junit."
        )));
    };
    let ws = open(plan, common)?;
    let readiness = assess(&ws.plan, &ws.reqs, ws.session());
    print!("{}", render(&readiness, format));
    Ok(if readiness.ready { 0 } else { EXIT_FINDING })
}

/// What `scimplan suites` was given.
pub struct SuiteLinkArgs {
    pub spec: Option<String>,
    pub crud: Option<String>,
    pub entitlements: Option<String>,
    pub integration: Option<String>,
}

pub fn suites(plan: &Path, common: &Common, args: SuiteLinkArgs) -> Result<u8, Failure> {
    // Checked before anything is opened or written: a link Okta would not take changes nothing.
    let mut links = Vec::new();
    for (suite, link) in [
        (SuiteKind::Spec, args.spec),
        (SuiteKind::Crud, args.crud),
        (SuiteKind::Entitlements, args.entitlements),
    ] {
        if let Some(link) = link {
            let link = check_result_link(&format!("--{}-link", suite.key()), &link)?;
            links.push((suite, link));
        }
    }
    let integration = match args.integration.as_deref() {
        None => None,
        Some(text) => Some(IntegrationKind::parse(text).ok_or_else(|| {
            usage_error(format!(
                "--integration {text}: give scim (a SCIM server) or actions (built with API integration actions)."
            ))
        })?),
    };
    let mut ws = open(plan, common)?;
    let changed = !links.is_empty() || integration.is_some();
    if let Some(kind) = integration {
        ws.apply(Command::Integration(Some(kind)));
    }
    for (suite, link) in links {
        ws.apply(Command::SuiteLink { suite, link });
    }
    if changed {
        save(&mut ws)?;
    }
    let readiness = assess(&ws.plan, &ws.reqs, ws.session());
    println!("Integration: {}", readiness.integration.describe());
    if readiness.suites.is_empty() {
        println!("No Runscope link is asked of this kind of integration.");
    }
    for suite in &readiness.suites {
        println!("{}: {}", suite.name(), suite.describe());
    }
    for item in &readiness.own_items {
        println!("Your own item: {item}");
    }
    for warning in &readiness.warnings {
        if let crate::report::readiness::Warning::KindNotAsDeclared { .. } = warning {
            eprintln!("warning: {}", warning.describe());
        }
    }
    Ok(0)
}

pub fn export(
    plan: &Path,
    common: &Common,
    output: Option<&Path>,
    force: bool,
) -> Result<u8, Failure> {
    let ws = open_to_read(plan, common)?;
    let path = export_workspace_with(&ws, output, force)?;
    println!("{}", path.display());
    // The process ends now: the plan and session are left to the OS instead of being freed
    // one allocation at a time (about 10 ms on a 10,000-case plan). Nothing in them holds a
    // file or a lock.
    std::mem::forget(ws);
    Ok(0)
}
