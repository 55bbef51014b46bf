//! What `spec` and `crud` share: how they run one of Okta's test files (`SuiteArgs`), the file
//! and its initial script, and the steps printed as they end.

use std::path::{Path, PathBuf};

use super::common::{Failure, usage_error};
use super::fetch::{default_plan_dir, okta_test_file};
use crate::runscope::initial::InitialScript;
use crate::runscope::{self, TestFile};
use crate::session::{StepRecord, StepRequirement, StepStatus};
use crate::verify::VerifyEvent;
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
    let dir = default_plan_dir();
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
    match okta_test_file(&ws.profile, key) {
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
        None => okta_test_file(&ws.profile, key)?.path,
    };
    let file = runscope::load(&path)?;
    Ok((file, pinned))
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
