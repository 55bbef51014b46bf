//! Taking a completed workbook's results into the session as the plan is opened: the opened
//! workbook's own, or a colleague's given with `--import-results FILE`.

use std::path::Path;

use super::common::{Common, Failure, save, usage_error};
use crate::report::counted;
use crate::session::{Command, Import};
use crate::workspace::Workspace;

/// Whether opening takes results from the opened workbook itself (and saves them): it is a
/// completed workbook and the session is new, or `--import-results` names no other file.
pub fn takes_results_from_workbook(ws: &Workspace, common: &Common) -> bool {
    ws.plan.recorded.is_some()
        && match &common.import_results {
            None => !ws.on_disk(),
            Some(from) => from.is_none(),
        }
}

/// Takes a completed workbook's results, declarations, links and evidence into the session as
/// one change, and saves it: the opened workbook's own when it is a completed one and the
/// session is new (or `--import-results` is given alone), or those of `--import-results FILE`
/// (a colleague's completed workbook) into this plan's session, matched by case ID.
pub fn resume_if_completed(ws: &mut Workspace, common: &Common) -> Result<(), Failure> {
    let other = match &common.import_results {
        Some(Some(file)) => Some(load_completed(file, ws)?),
        _ => None,
    };
    if other.is_none() {
        if ws.plan.recorded.is_none() {
            if common.import_results.is_some() {
                eprintln!(
                    "warning: {} is not a completed workbook (no Result, Notes, Tested by, Tested at, Time spent, Evidence columns side by side): no results to import. To take in a colleague's workbook: --import-results THEIRS.xlsx",
                    ws.plan.source.display()
                );
            }
            return Ok(());
        }
        if !takes_results_from_workbook(ws, common) {
            return Ok(());
        }
    }
    let source = other.as_ref().unwrap_or(&ws.plan);
    // The pictures of the Evidence sheet are written into the evidence folder first (files,
    // not session state); the command then takes the entries in with the results.
    let folder = ws.evidence_dir();
    let restored = crate::report::export_evidence::read_evidence(&source.source, &folder);
    let pictures = restored.as_ref().map_or(0, |r| r.pictures);
    let evidence = restored.map(|r| r.cases.into_iter().collect());
    let Some(import) = Import::from_plan(source, evidence) else {
        return Ok(());
    };
    let (file, sheet) = (source.source.clone(), source.sheet.clone());
    let effect = ws.apply(Command::Import(Box::new(import)));
    let Some(report) = effect.import else {
        return Ok(());
    };
    for unknown in &report.unknown {
        eprintln!("warning: {}, sheet '{sheet}', {unknown}", file.display());
    }
    for conflict in &report.conflicts {
        eprintln!("warning: {}, sheet '{sheet}', {conflict}", file.display());
    }
    if !report.not_in_plan.is_empty() {
        eprintln!(
            "warning: {}: {} not in {} and left out: {}",
            file.display(),
            counted(report.not_in_plan.len(), "case is", "cases are"),
            ws.plan.file_name(),
            report.not_in_plan.join(", ")
        );
    }
    if report.evidence > 0 {
        eprintln!(
            "note: restored {} ({} into {}).",
            counted(report.evidence, "evidence entry", "evidence entries"),
            counted(pictures, "picture", "pictures"),
            folder.display()
        );
    }
    eprintln!(
        "note: took {} and {} from the completed workbook {}{}; `scimplan undo` takes the import back.",
        counted(report.imported, "result", "results"),
        counted(
            report.capabilities,
            "capability declaration",
            "capability declarations"
        ),
        file.display(),
        match report.conflicts.len() {
            0 => String::new(),
            n => format!(
                ", and kept the session's newer result for {}",
                counted(n, "case", "cases")
            ),
        }
    );
    save(ws)?;
    Ok(())
}

/// A colleague's completed workbook, read to take its results into this plan's session.
fn load_completed(file: &Path, ws: &Workspace) -> Result<crate::plan::Plan, Failure> {
    let theirs = crate::plan::load_plan(file).map_err(|e| usage_error(e.to_string()))?;
    if theirs.recorded.is_none() {
        return Err(usage_error(format!(
            "{}: not a completed workbook (no Result, Notes, Tested by, Tested at, Time spent, Evidence columns side by side): nothing to import. Pass a workbook written by `scimplan export`.",
            file.display()
        )));
    }
    if theirs.source_fingerprint() != ws.plan.source_fingerprint() {
        eprintln!(
            "note: {} was recorded against another version of the plan than {}; results are matched by case ID.",
            file.display(),
            ws.plan.file_name()
        );
    }
    Ok(theirs)
}
