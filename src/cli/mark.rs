//! `scimplan mark PLAN CASE OUTCOME [--note N] [--reason R]`: records the outcome of a case.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure, save, unknown_case_message, usage_error};
use super::open::open;
use crate::session::Outcome;

#[derive(Debug, Args)]
pub struct MarkArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Case ID, e.g. C9290.
    pub case: String,
    /// pass, fail, blocked, skip or not-run (symbols and empty words are refused).
    pub outcome: String,
    /// Replace the case's note.
    #[arg(long)]
    pub note: Option<String>,
    /// Why the case is skipped or blocked.
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(common: &Common, args: MarkArgs) -> Result<u8, Failure> {
    let MarkArgs {
        plan,
        case,
        outcome,
        note,
        reason,
    } = args;
    // Checked before anything is opened or written: a wrong word changes nothing.
    let Some(outcome_value) = Outcome::parse(&outcome) else {
        let word = if outcome.trim().is_empty() {
            "an empty word (is a shell variable unset?)".to_string()
        } else {
            format!("'{outcome}'")
        };
        return Err(usage_error(format!(
            "{word} is not an outcome; nothing was recorded. Use one of: {}.",
            Outcome::WORDS
        )));
    };
    let mut ws = open(&plan, common)?;
    let Some(index) = ws.plan.case_index(case.trim()) else {
        return Err(usage_error(unknown_case_message(&ws, &case)));
    };
    let id = ws.plan.cases[index].id.clone();
    if !ws.session().applies(&ws.reqs, index) && outcome_value != Outcome::Skipped {
        eprintln!(
            "warning: {id} needs a capability declared unsupported ({}); recording {outcome_value} anyway.",
            ws.reqs.needs(index).join(", ")
        );
    }
    ws.apply(crate::session::Command::Mark {
        case: id.clone(),
        outcome: outcome_value,
        reason,
        note,
    });
    save(&mut ws)?;
    let title = &ws.plan.cases[index].title;
    println!("{id} {title}: {outcome_value}");
    Ok(0)
}
