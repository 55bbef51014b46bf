//! `scimplan start PLAN CASE... [--input NAME=VALUE]`: before doing a case's steps in Okta,
//! notes what it will act on (the SCIM ids and members its check compares with).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::common::{Common, EXIT_ERROR, Failure, save};
use super::open::open;
use super::verify::{parse_inputs, plan_ids, refuse_unless_ready, refuse_unused, remember_inputs};
use crate::net::CancelFlag;
use crate::session::Command;
use crate::verify::{Planner, RecipeBook, Request, Runner, Secrets};

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Case IDs.
    #[arg(required = true)]
    pub cases: Vec<String>,
    /// A recipe input, e.g. group=Engineering; remembered.
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
}

/// `scimplan start`: before doing a case's steps in Okta, notes what it will act on (the SCIM
/// ids and members its check compares with).
pub fn run(common: &Common, args: StartArgs) -> Result<u8, Failure> {
    let book = RecipeBook::builtin();
    let given = parse_inputs(&book, &args.inputs)?;
    let mut ws = open(&args.plan, common)?;
    let named = plan_ids(&ws, &args.cases)?;
    refuse_unused(&book, &named, &given)?;
    remember_inputs(&mut ws, given)?;
    let secrets = Secrets::from_env(ws.session());
    let planned = Planner {
        book: &book,
        plan: &ws.plan,
        reqs: &ws.reqs,
        session: ws.session(),
        secrets: &secrets,
        deadline: Duration::from_secs(30),
    }
    .plan(Request::Start(named));
    refuse_unless_ready(&planned)?;
    let cancel = CancelFlag::new();
    let runner = Runner::open(&planned.access, &cancel, |_| {})?;
    let mut code = 0;
    for job in &planned.jobs {
        let report = runner.start(job, &cancel);
        match (report.start, report.problem) {
            (Some(start), _) => {
                let seen: Vec<String> = start
                    .observed
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                println!("{} started: {}", report.case, seen.join(", "));
                ws.apply(Command::RecordStart {
                    case: report.case.clone(),
                    start,
                });
                save(&mut ws)?;
            }
            (None, problem) => {
                println!(
                    "{} not started: {}",
                    report.case,
                    problem.unwrap_or_default()
                );
                code = EXIT_ERROR;
            }
        }
    }
    Ok(code)
}
