//! `scimplan undo PLAN` and `scimplan redo PLAN`: take back (or apply again) the latest change
//! made by a command, only while what it set still stands.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, EXIT_FINDING, Failure, save};
use super::open::open;
use crate::session::Saved;

/// `undo` and `redo` take the same argument.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The plan workbook.
    pub plan: PathBuf,
}

pub fn undo(common: &Common, args: HistoryArgs) -> Result<u8, Failure> {
    undo_or_redo(&args.plan, common, false)
}

pub fn redo(common: &Common, args: HistoryArgs) -> Result<u8, Failure> {
    undo_or_redo(&args.plan, common, true)
}

fn undo_or_redo(plan: &std::path::Path, common: &Common, redo: bool) -> Result<u8, Failure> {
    use crate::session::{Command as Change, Refusal};
    let mut ws = open(plan, common)?;
    let change = match redo {
        true => Change::Redo { target: None },
        false => Change::Undo { target: None },
    };
    let effect = ws.apply(change);
    let saved = match effect.changed {
        true => save(&mut ws)?,
        false => Saved::default(),
    };
    // Refused now, or when applied to what another writer saved meanwhile.
    match effect.refused.or_else(|| saved.refused.into_iter().next()) {
        Some(refusal @ (Refusal::NothingToUndo | Refusal::NothingToRedo)) => {
            println!("{refusal}");
            Ok(0)
        }
        Some(refusal) => {
            println!("{refusal}");
            Ok(EXIT_FINDING)
        }
        None => {
            println!(
                "{}: {}",
                if redo { "Redone" } else { "Undone" },
                effect.description
            );
            Ok(0)
        }
    }
}
