//! `scimplan done PLAN CASE...`: the tester did the cases' steps in Okta; every step is
//! ticked, so `verify PLAN` then checks them.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure, save, usage_error};
use super::open::open;
use super::verify::plan_ids;
use crate::session::Command;

#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Case IDs.
    #[arg(required = true)]
    pub cases: Vec<String>,
}

/// `scimplan done`: the tester did the cases' steps in Okta; every step is ticked, so a
/// check of many cases picks them up and a failing check records Fail.
pub fn run(common: &Common, args: DoneArgs) -> Result<u8, Failure> {
    let mut ws = open(&args.plan, common)?;
    let named = plan_ids(&ws, &args.cases)?;
    for id in &named {
        let index = ws.plan.case_index(id).expect("a plan id");
        let steps = ws.plan.cases[index].steps.len();
        if steps == 0 {
            return Err(usage_error(format!(
                "{id} has no steps to mark done: name it to verify it (`scimplan verify PLAN {id}`)."
            )));
        }
        for step in 0..steps {
            ws.apply(Command::Step {
                case: id.clone(),
                step,
                ticked: true,
            });
        }
        println!("{id}: all {steps} steps marked done");
    }
    save(&mut ws)?;
    Ok(0)
}
