//! `scimplan PLAN`: the interactive checklist, on a terminal.

use std::io::IsTerminal;
use std::path::Path;

use super::common::{Common, EXIT_ERROR, Failure, usage_error};
use super::open::open;

/// `scimplan PLAN`: the interactive checklist.
pub fn run(plan: &Path, common: &Common) -> Result<u8, Failure> {
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return Err(usage_error(format!(
            "the checklist needs a terminal. For a report without one, run `scimplan status {}`.",
            plan.display()
        )));
    }
    let ws = open(plan, common)?;
    let lost = crate::tui::run(ws).map_err(|e| usage_error(format!("the terminal failed: {e}")))?;
    if lost > 0 {
        return Err(Failure {
            message: format!(
                "quit with {lost} unsaved change(s): they were lost (the session file keeps the state before them)."
            ),
            code: EXIT_ERROR,
        });
    }
    Ok(0)
}
