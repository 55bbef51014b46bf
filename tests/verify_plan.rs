//! The checklist and `scimplan verify` reach the same plan for the same session: `V` and
//! `scimplan verify PLAN` check the same cases and leave out the same ones for the same
//! reasons; `v` and `scimplan verify PLAN CASE` refuse a case with the same words. Both ask
//! the one planner (`verify::Planner`); this checks that neither decides on its own.

mod common;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::Path;
use std::process::{Command, Output};

use common::{okta_like_plan, stderr, stdout};
use scim_server::ScimServer;
use scimplan::session::{AuthScheme, Command as Change, Connection, Outcome};
use scimplan::tui::action::VerifyTarget;
use scimplan::tui::checks::plan_for;
use scimplan::tui::{Action, update};
use scimplan::verify::Why;

fn scimplan(dir: &Path, server: &ScimServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env_remove("SCIMPLAN_OKTA_TOKEN")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The cases listed on the stderr line starting with `head`, e.g. "C9291 (Fail)".
fn listed(text: &str, head: &str) -> Vec<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(head))
        .map(|rest| {
            let list = rest.split(" (name a case").next().unwrap_or(rest);
            let list = list.split(" (`scimplan done").next().unwrap_or(list);
            list.split(", ").map(str::to_string).collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_checklist_and_the_cli_plan_the_same_checks() {
    let server = ScimServer::start();
    server.create_user("ann@example.com", "Ann", "Lee", true);
    let dir = tempfile::tempdir().unwrap();
    let plan = okta_like_plan(dir.path(), "plan.xlsx");
    let mut m = tui_helpers::ready(&plan);
    m.ws.apply(Change::Connection(Some(
        Connection::new(&server.url, AuthScheme::Bearer, None).unwrap(),
    )));
    m.ws.apply(Change::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    // Done and pending: C9290 (runs), C9306 (checked in Okta only: no org), C9320 (its group
    // is not known yet); done with an outcome: C9291 (Fail) and C9292 (Pass).
    for case in ["C9290", "C9306", "C9320", "C9291", "C9292"] {
        let index = m.ws.plan.case_index(case).unwrap();
        for step in 0..m.ws.plan.cases[index].steps.len() {
            m.ws.apply(Change::Step {
                case: case.into(),
                step,
                ticked: true,
            });
        }
    }
    for (case, outcome) in [("C9291", Outcome::Fail), ("C9292", Outcome::Pass)] {
        m.ws.apply(Change::Mark {
            case: case.into(),
            outcome,
            reason: None,
            note: None,
        });
    }
    m.ws.save().unwrap();

    // What V would do: the same planner the CLI asks, with the secret typed.
    m.secret = Some(scimplan::net::Secret::new(server.token.clone()));
    let planned = plan_for(&m, &VerifyTarget::All).expect("a plan of case checks");
    assert!(planned.ready(), "{:?}", planned.missing);
    let jobs: Vec<&str> = planned.jobs.iter().map(|j| j.case.as_str()).collect();
    assert_eq!(jobs, ["C9290"]);

    let out = scimplan(
        dir.path(),
        &server,
        &["verify", "plan.xlsx", "--deadline", "5"],
    );
    let (said, errors) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{said}{errors}");
    assert!(said.contains("C9290 PASS"), "{said}");
    assert!(said.contains(&format!("{} verified", jobs.len())), "{said}");

    // Every case V leaves out, the CLI leaves out with the same reason, and no other.
    let with_outcome = listed(&errors, "left alone, an outcome is already recorded: ");
    let not_done = listed(
        &errors,
        "not checked, steps not marked done (ticked/steps): ",
    );
    let skipped: Vec<&str> = errors
        .lines()
        .filter_map(|l| l.strip_prefix("skipped: "))
        .collect();
    for left in &planned.left_out {
        let case = &left.case;
        match &left.why {
            Why::HasOutcome(outcome) => {
                assert!(
                    with_outcome.contains(&format!("{case} ({outcome})")),
                    "{case}: {errors}"
                )
            }
            Why::StepsNotDone { ticked, steps } => assert!(
                not_done.contains(&format!("{case} ({ticked}/{steps})")),
                "{case}: {errors}"
            ),
            _ => assert!(
                skipped.contains(&left.to_string().as_str()),
                "{left}: {errors}"
            ),
        }
    }
    assert_eq!(
        with_outcome.len() + not_done.len() + skipped.len(),
        planned.left_out.len(),
        "{errors}"
    );
    let reason = |case: &str| {
        let left = planned.left_out.iter().find(|l| l.case == case);
        left.map(|l| format!("{:?}", l.why)).unwrap_or_default()
    };
    assert!(reason("C9291").starts_with("HasOutcome(Fail)"));
    assert!(reason("C9292").starts_with("HasOutcome(Pass)"));
    assert!(reason("C9306").starts_with("OktaOnlyWithoutOrg"));
    assert!(reason("C9320").starts_with("Inputs"));

    // A case named: `v` and `scimplan verify PLAN CASE` refuse it with the same words.
    tui_helpers::select(&mut m, "C9306");
    update(&mut m, Action::VerifyCase);
    let refused = tui_helpers::message(&m);
    assert!(
        refused.starts_with("C9306 is checked in Okta only"),
        "{refused}"
    );
    assert!(m.running().is_none());
    let out = scimplan(dir.path(), &server, &["verify", "plan.xlsx", "C9306"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&refused), "{}", stderr(&out));
}
