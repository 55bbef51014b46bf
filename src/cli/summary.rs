//! `scimplan summary PLAN [--format F]`: whether the submission is ready, with every blocker.
//! Exit 0 ready, 1 not ready.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, EXIT_FINDING, Failure, usage_error};
use super::open::open;
use crate::report::{SummaryFormat, assess, render};

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// text, markdown, json or junit.
    #[arg(long, default_value = "text")]
    pub format: String,
}

pub fn run(common: &Common, args: SummaryArgs) -> Result<u8, Failure> {
    let Some(format) = SummaryFormat::parse(&args.format) else {
        return Err(usage_error(format!(
            "'{}' is not a summary format. Use one of: text, markdown, json, junit.",
            args.format
        )));
    };
    let ws = open(&args.plan, common)?;
    let readiness = assess(&ws.plan, &ws.reqs, ws.session());
    print!("{}", render(&readiness, format));
    Ok(if readiness.ready { 0 } else { EXIT_FINDING })
}
