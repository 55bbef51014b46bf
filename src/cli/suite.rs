//! What `spec` and `crud` share: how they run one of Okta's test files (`SuiteArgs`), the file
//! and its initial script, and the steps printed as they end.

use std::path::{Path, PathBuf};

use crate::session::{StepRecord, StepRequirement, StepStatus};
use crate::verify::VerifyEvent;
use crate::verify::suite_files::{Sources, Told};
use crate::workspace::Workspace;

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

/// Where `spec` and `crud` take their files from: `--file` and `--initial-script` when given,
/// else Okta's in the data folder (what is missing there is downloaded; said first).
pub(super) fn sources<'a>(
    ws: &'a Workspace,
    dir: &'a Path,
    file: Option<&'a Path>,
    suite: &'a SuiteArgs,
) -> Sources<'a> {
    let sources = Sources {
        profile: &ws.profile,
        dir,
        file,
        initial_script: suite.initial_script.as_deref(),
    };
    let missing: Vec<&str> = ws
        .profile
        .test_files
        .iter()
        .map(|f| f.file.as_str())
        .filter(|name| !dir.join(name).is_file())
        .collect();
    if file.is_none() && !missing.is_empty() {
        eprintln!(
            "Okta's files are taken from {}; what is missing there is downloaded first.",
            dir.display()
        );
    }
    sources
}

/// Says what a prepared run is worth saying before it starts: a file that is not the one the
/// profile pins, test values not made by Okta's script; and what the initial script logged.
pub(super) fn say(told: &Told) {
    for warning in &told.warnings {
        eprintln!("warning: {warning}");
    }
    for note in &told.notes {
        eprintln!("note: {note}.");
    }
    for line in &told.script_log {
        eprintln!("initial script log: {line}");
    }
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

fn print_step(step: &StepRecord) {
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
