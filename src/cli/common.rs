//! What every command shares: the global options, the exit codes, the failure a command ends
//! with, saving, and the messages for a usage error and an unknown case.

use std::path::PathBuf;

use clap::Args;

use crate::session::{Saved, Writer};
use crate::workspace::{OpenOptions, Workspace};

/// Exit codes: 0 ok, 1 a finding (e.g. not ready, checksum mismatch), 2 a usage or input error.
pub const EXIT_FINDING: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

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
