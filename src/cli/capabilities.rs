//! `scimplan capabilities PLAN [--support KEY...] [--unsupport KEY...]`: lists the plan's
//! capabilities, or declares which ones the integration supports.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure, save, usage_error};
use super::open::open;
use super::status::capabilities_text;

#[derive(Debug, Args)]
pub struct CapabilitiesArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Capability keys the integration supports.
    #[arg(long, value_name = "KEY", num_args = 1..)]
    pub support: Vec<String>,
    /// Capability keys the integration does not support (their cases are skipped).
    #[arg(long, value_name = "KEY", num_args = 1..)]
    pub unsupport: Vec<String>,
}

pub fn run(common: &Common, args: CapabilitiesArgs) -> Result<u8, Failure> {
    let CapabilitiesArgs {
        plan,
        support,
        unsupport,
    } = args;
    // Refused before anything is opened: nothing is changed.
    if let Some(both) = support.iter().find(|key| unsupport.contains(key)) {
        return Err(usage_error(format!(
            "'{both}' is given to both --support and --unsupport: say which it is (nothing was changed)."
        )));
    }
    let mut ws = open(&plan, common)?;
    let mut changes = Vec::new();
    for (keys, supported) in [(&support, true), (&unsupport, false)] {
        for key in keys {
            if ws.reqs.capability(key).is_none() {
                let known: Vec<&str> = ws
                    .reqs
                    .capabilities
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect();
                return Err(usage_error(format!(
                    "unknown capability '{key}'. Known capabilities: {}",
                    known.join(", ")
                )));
            }
            changes.push((key.clone(), supported));
        }
    }
    if !changes.is_empty() {
        ws.apply(crate::session::Command::Capabilities {
            changes,
            confirm: true,
        });
        save(&mut ws)?;
    }
    print!("{}", capabilities_text(&ws));
    Ok(0)
}
