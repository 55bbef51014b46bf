//! `scimplan verify`: per-case checks against the app's SCIM API (and the Okta org); the
//! reading of case IDs and `--input`s that `start` and `done` share.
//!
//! A case named on the command line is checked and its outcome recorded (a failure only once
//! its steps are marked done); with no case, only cases without an outcome whose steps are
//! done are checked (`verify::Request::Pending`, as `V` in the checklist); `--recheck`
//! compares recorded outcomes with the app now and changes nothing. Which cases run, on which
//! side, and what is missing is `verify::Planner`'s; the runs are `verify::Runner`'s.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::common::{
    Common, EXIT_ERROR, EXIT_FINDING, Failure, save, unknown_case_message, usage_error, write_junit,
};
use super::open::open;
use crate::net::CancelFlag;
use crate::session::{Command, OKTA_TOKEN_ENV, Refusal};
use crate::verify::{
    Missing, OktaState, Planner, RecipeBook, Request, Runner, Secrets, Verdict, VerifyEvent,
    VerifyPlan, VerifyRun, Why, drift,
};
use crate::workspace::Workspace;

/// Reads `--input NAME=VALUE`s, refusing unknown names and values the input cannot take
/// (before anything is remembered or sent).
pub(super) fn parse_inputs(
    book: &RecipeBook,
    inputs: &[String],
) -> Result<Vec<(String, String)>, Failure> {
    inputs
        .iter()
        .map(|text| {
            let Some((name, value)) = text.split_once('=') else {
                return Err(usage_error(format!(
                    "--input '{text}' is not NAME=VALUE, e.g. --input user=ann@example.com"
                )));
            };
            let name = name.trim();
            if !book.inputs.contains_key(name) {
                let known: Vec<&str> = book.inputs.keys().map(String::as_str).collect();
                return Err(usage_error(format!(
                    "--input {name}: no recipe uses an input of that name. Inputs: {}",
                    known.join(", ")
                )));
            }
            let value = value.trim();
            if !value.is_empty() {
                book.check_input(name, value)
                    .map_err(|why| usage_error(format!("--input {why}")))?;
            }
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}

/// Refuses inputs none of the named cases uses: a value given for a check must be checked.
pub(super) fn refuse_unused(
    book: &RecipeBook,
    cases: &[String],
    given: &[(String, String)],
) -> Result<(), Failure> {
    for (name, value) in given.iter().filter(|(_, v)| !v.is_empty()) {
        let used = cases.iter().any(|case| {
            book.for_case(case)
                .is_some_and(|r| r.inputs.contains(name) || r.optional.contains(name))
        });
        if !used {
            let takes: Vec<String> = cases
                .iter()
                .filter_map(|case| {
                    book.for_case(case).map(|r| {
                        let all: Vec<&str> = r
                            .inputs
                            .iter()
                            .chain(&r.optional)
                            .map(String::as_str)
                            .collect();
                        format!("{case} takes {}", all.join(", "))
                    })
                })
                .collect();
            return Err(usage_error(format!(
                "--input {name}={value}: {} does not check it, so it would be ignored ({}).",
                cases.join(", "),
                takes.join("; ")
            )));
        }
    }
    Ok(())
}

/// Case IDs as the plan spells them; unknown ones refused with a hint.
pub(super) fn plan_ids(ws: &Workspace, cases: &[String]) -> Result<Vec<String>, Failure> {
    let mut ids = Vec::new();
    for case in cases {
        let Some(index) = ws.plan.case_index(case.trim()) else {
            return Err(usage_error(unknown_case_message(ws, case)));
        };
        let id = ws.plan.cases[index].id.clone();
        if !ws.session().applies(&ws.reqs, index) {
            eprintln!(
                "warning: {id} needs a capability declared unsupported ({}); checking it anyway.",
                ws.reqs.needs(index).join(", ")
            );
        }
        ids.push(id);
    }
    Ok(ids)
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Case IDs (default: every applicable case with a recipe and known inputs).
    pub cases: Vec<String>,
    /// A recipe input, e.g. user=ann@example.com or group=Engineering; remembered.
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Seconds to keep polling each case before it fails.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub deadline: f64,
    /// Also write the results as JUnit XML.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print the runs as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Look at cases with a recorded Pass or Fail once and report drift; records nothing.
    #[arg(long)]
    pub recheck: bool,
    /// Record the check's verdict even over an outcome a person set (only for the cases
    /// named; never over one set while the check ran).
    #[arg(long, requires = "cases")]
    pub replace: bool,
}

/// `scimplan verify`: checks cases against the app's SCIM API and the Okta org, and records
/// the outcomes. What runs, what is missing and what is left out is the planner's
/// (`verify::Planner`); this prints it, stops with exit 2 on what is missing, and runs the
/// plan's jobs with the one runner.
pub fn run(common: &Common, args: VerifyArgs) -> Result<u8, Failure> {
    if !(args.deadline.is_finite() && args.deadline > 0.0) {
        return Err(usage_error(format!(
            "--deadline {}: give a number of seconds above 0 (default 60).",
            args.deadline
        )));
    }
    let deadline = Duration::from_secs_f64(args.deadline);
    let book = RecipeBook::builtin();
    let given = parse_inputs(&book, &args.inputs)?;
    let mut ws = open(&args.plan, common)?;
    let named = plan_ids(&ws, &args.cases)?;
    // A case without a recipe is refused before its inputs are looked at or remembered.
    for case in &named {
        book.recipe(case)?;
    }
    if !named.is_empty() {
        refuse_unused(&book, &named, &given)?;
    }
    remember_inputs(&mut ws, given)?;
    let request = match (args.recheck, named.is_empty()) {
        (true, true) => Request::Recheck(None),
        (true, false) => Request::Recheck(Some(named)),
        (false, true) => Request::Pending,
        (false, false) => Request::Cases(named),
    };
    let secrets = Secrets::from_env(ws.session());
    let planned = Planner {
        book: &book,
        plan: &ws.plan,
        reqs: &ws.reqs,
        session: ws.session(),
        secrets: &secrets,
        deadline,
    }
    .plan(request);
    refuse_unless_ready(&planned)?;
    let cancel = CancelFlag::new();
    let runner = Runner::open(&planned.access, &cancel, |wait| eprintln!("  {wait}"))?;
    let mut runs: Vec<VerifyRun> = Vec::new();
    let mut drifts = Vec::new();
    let mut kept = 0;
    for job in &planned.jobs {
        let quiet = args.json || args.recheck;
        // The outcome as the check starts: its verdict is recorded only over this.
        let started_with = ws.session().standing(&job.case);
        let mut run = runner.run(job, &cancel, &mut |event| {
            if let VerifyEvent::Attempt {
                case,
                number,
                first_failure: Some(failure),
                retry_in: Some(wait),
                ..
            } = event
                && !quiet
            {
                eprintln!(
                    "  {case} attempt {number}: {failure}; again in {:.1} s",
                    wait.as_secs_f32()
                );
            }
        });
        if args.recheck {
            run.outcome_left = Some("a recheck records nothing".into());
            drifts.extend(drift(ws.session(), &run));
        } else {
            let case = run.case.clone();
            let effect = ws.apply(Command::RecordRun {
                run: Box::new(run),
                started_with,
                replace: args.replace,
            });
            // Saving applies the record again to what is on disk: a person's mark made while
            // the check ran is kept, and the record says so.
            let saved = save(&mut ws)?;
            let refused = effect.refused.is_some()
                || saved
                    .refused
                    .iter()
                    .any(|r| matches!(r, Refusal::KeptOutcome { case: c, .. } if *c == case));
            kept += usize::from(refused);
            run = ws
                .session()
                .verify()
                .latest_run(&case)
                .cloned()
                .expect("just recorded");
        }
        if !args.json {
            print_run(&run);
            print_trail(&run);
        }
        runs.push(run);
    }
    if let Some(path) = &args.junit {
        write_junit(path, &crate::report::junit::runs(&runs))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&runs).expect("runs serialize")
        );
    }
    let count = |v: Verdict| runs.iter().filter(|r| r.verdict == v).count();
    if args.recheck {
        for line in &drifts {
            println!("drift: {line}");
        }
        println!(
            "{} rechecked: {} drifted (nothing recorded)",
            runs.len(),
            drifts.len()
        );
        return Ok(if drifts.is_empty() { 0 } else { EXIT_FINDING });
    }
    if !args.json {
        println!(
            "{} verified: {} pass, {} fail, {} error",
            runs.len(),
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Error)
        );
    }
    Ok(if count(Verdict::Error) > 0 {
        EXIT_ERROR
    } else if count(Verdict::Fail) > 0 || kept > 0 {
        EXIT_FINDING
    } else {
        0
    })
}

/// Presents the plan: the cases a batch leaves out (on stderr), and a stop (exit 2) naming
/// everything that is missing, every named case that cannot run, or that nothing can.
pub(super) fn refuse_unless_ready(planned: &VerifyPlan) -> Result<(), Failure> {
    // With nothing connected there is nothing to check against: say so before anything else.
    if planned.missing.contains(&Missing::Connection) {
        return Err(usage_error(Missing::Connection.to_string()));
    }
    let named = planned.request.named().is_some();
    if !named {
        report_left_out(planned);
    }
    let mut problems: Vec<String> = Vec::new();
    if named {
        problems.extend(planned.left_out.iter().map(ToString::to_string));
    }
    problems.extend(planned.missing.iter().map(ToString::to_string));
    if !problems.is_empty() {
        return Err(usage_error(problems.join("\n")));
    }
    if planned.jobs.is_empty() {
        let what = if matches!(planned.request, Request::Recheck(_)) {
            "no case with a recorded Pass or Fail has a recipe and its inputs"
        } else {
            "no case without an outcome has its steps marked done and its inputs"
        };
        return Err(usage_error(format!(
            "nothing to verify: {what} (see the messages above). Name a case to verify it now."
        )));
    }
    if planned.okta == OktaState::NoToken {
        eprintln!(
            "note: an Okta org is connected but {OKTA_TOKEN_ENV} is not set: the System Log is not kept with these runs."
        );
    }
    Ok(())
}

/// Inputs given now are kept in the session before anything else, so a typo elsewhere does
/// not lose them. An empty value forgets the input.
pub(super) fn remember_inputs(
    ws: &mut Workspace,
    given: Vec<(String, String)>,
) -> Result<(), Failure> {
    if given.is_empty() {
        return Ok(());
    }
    for (name, value) in given {
        ws.apply(Command::Subject { name, value });
    }
    save(ws).map(drop)
}

/// Why cases were left out of a batch, grouped so a long plan stays readable (the cases
/// needing the app's connection are named once: here, or in the error when nothing else runs).
fn report_left_out(planned: &VerifyPlan) {
    let mut has_outcome = Vec::new();
    let mut not_done = Vec::new();
    let mut no_scim = Vec::new();
    for left in &planned.left_out {
        let case = &left.case;
        match &left.why {
            Why::HasOutcome(outcome) => has_outcome.push(format!("{case} ({outcome})")),
            Why::StepsNotDone { ticked, steps } => {
                not_done.push(format!("{case} ({ticked}/{steps})"))
            }
            Why::NeedsScim => no_scim.push(case.as_str()),
            _ => eprintln!("skipped: {left}"),
        }
    }
    if !has_outcome.is_empty() {
        eprintln!(
            "left alone, an outcome is already recorded: {} (name a case to verify it again; --recheck compares without recording)",
            has_outcome.join(", ")
        );
    }
    if !not_done.is_empty() {
        eprintln!(
            "not checked, steps not marked done (ticked/steps): {} (`scimplan done PLAN CASE` once you did them in Okta)",
            not_done.join(", ")
        );
    }
    let asked = planned
        .missing
        .iter()
        .any(|m| matches!(m, Missing::ScimConnection { .. }));
    if !no_scim.is_empty() && !asked {
        eprintln!(
            "skipped: {} read the app's SCIM API, which is not connected (scimplan connect PLAN --scim-url URL).",
            no_scim.join(", ")
        );
    }
}

fn print_run(run: &VerifyRun) {
    println!("{} {:<5} {}", run.case, run.verdict.label(), run.summary);
    if run.verdict != Verdict::Pass {
        for a in run.assertions.iter().filter(|a| !a.passed) {
            println!(
                "    {}: {}: expected {}, got {}",
                a.step, a.check, a.expected, a.actual
            );
        }
    }
    for a in run.assertions.iter().filter(|a| a.passed) {
        if let Some(note) = &a.note {
            println!("    note: {}: {}: {note}", a.step, a.check);
        }
    }
    if let Some(why) = &run.outcome_left {
        println!("    {why}");
    }
    if let Some(note) = &run.okta_not_checked {
        println!("    {note}");
    }
    for part in &run.not_checked {
        println!("    not checked: {part}");
    }
}

/// Okta's side of a run, for the tester: the app user's state and what went wrong.
pub fn print_trail(run: &VerifyRun) {
    for line in run.okta.iter().flat_map(|trail| trail.lines()) {
        println!("    Okta: {line}");
    }
}
