//! Any Okta plan: sections of preconditions apply whatever the plan calls them, and never become
//! a capability to declare; sections the profile does not know still become capabilities.
//! Generated plans, the real binary, and the requirements the checklist and readiness use.

mod common;

use common::{case_row, scimplan, stderr, stdout, write_plan};
use scimplan::plan::profile::Requirements;
use scimplan::plan::{Profile, load_plan};
use scimplan::session::Outcome;
use scimplan::workspace::{OpenOptions, Workspace};

/// Names Okta's plans (or the next one) might give their preconditions sections.
const PRECONDITION_NAMES: [&str; 6] = [
    "Preconditions - Directory Setup",
    "Precondition - Org Setup",
    "Pre-conditions",
    "PRE CONDITIONS: Okta tenant",
    "Prerequisites - Admin access",
    "Pre-Condition – SCIM Base URL",
];

fn plan_rows() -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = PRECONDITION_NAMES
        .iter()
        .enumerate()
        .map(|(i, section)| case_row(&format!("P{i}"), "Set up", section, "", "1. Do", "Done"))
        .collect();
    rows.push(case_row(
        "C1",
        "Create",
        "Create Users",
        "[P0]",
        "1. Assign",
        "Created",
    ));
    rows.push(case_row(
        "C2",
        "Frob",
        "Frobnicate Users",
        "",
        "1. Frob",
        "Frobbed",
    ));
    // A name that only looks alike: not a preconditions section.
    rows.push(case_row(
        "C3",
        "Post",
        "Post-conditions",
        "",
        "1. Check",
        "Checked",
    ));
    rows
}

#[test]
fn precondition_sections_need_no_capability_whatever_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.xlsx");
    write_plan(&path, plan_rows());
    let plan = load_plan(&path).unwrap();
    let reqs = Requirements::new(&Profile::builtin(), &plan);
    for (i, name) in PRECONDITION_NAMES.iter().enumerate() {
        let index = plan.case_index(&format!("P{i}")).unwrap();
        assert!(
            reqs.needs(index).is_empty(),
            "{name}: {:?}",
            reqs.needs(index)
        );
        assert!(
            !reqs.capabilities.iter().any(|c| c.name == *name),
            "{name} became a capability"
        );
    }
    // Unknown sections still work as before: a capability named after the section.
    let frob = plan.case_index("C2").unwrap();
    assert_eq!(reqs.needs(frob), ["frobnicate-users"]);
    let post = plan.case_index("C3").unwrap();
    assert_eq!(reqs.needs(post), ["post-conditions"]);
    let create = plan.case_index("C1").unwrap();
    assert_eq!(reqs.needs(create), ["create-users"]);
}

#[test]
fn the_binary_never_asks_about_them_and_they_stay_applicable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), plan_rows());
    let out = scimplan(d, &["capabilities", "plan.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listing = stdout(&out);
    for name in PRECONDITION_NAMES {
        assert!(!listing.contains(name), "{name} listed:\n{listing}");
    }
    assert!(listing.contains("frobnicate-users"), "{listing}");

    // Declaring every other capability unsupported leaves the preconditions to do.
    let out = scimplan(
        d,
        &[
            "capabilities",
            "plan.xlsx",
            "--unsupport",
            "create-users",
            "frobnicate-users",
            "post-conditions",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ws = Workspace::open(&d.join("plan.xlsx"), &OpenOptions::default()).unwrap();
    let session = &ws.session();
    for i in 0..PRECONDITION_NAMES.len() {
        let id = format!("P{i}");
        assert_eq!(session.outcome(&id), Outcome::NotRun, "{id}");
        assert!(session.applies(&ws.reqs, ws.plan.case_index(&id).unwrap()));
    }
    assert_eq!(session.outcome("C2"), Outcome::Skipped);
    let applicable: Vec<&str> = ws.applicable().map(|(_, c)| c.id.as_str()).collect();
    assert_eq!(applicable, ["P0", "P1", "P2", "P3", "P4", "P5"]);
}

#[test]
fn a_profile_rule_still_wins_over_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.xlsx");
    write_plan(&path, plan_rows());
    let plan = load_plan(&path).unwrap();
    let profile = Profile::parse(
        std::path::Path::new("p.toml"),
        "name='p'\nprecondition_sections=['Precondition']\n[[capability]]\nkey='org'\nname='Org'\n\
         [[section]]\nnames=['Precondition - Org Setup']\nneeds=['org']\n",
    )
    .unwrap();
    let reqs = Requirements::new(&profile, &plan);
    assert_eq!(reqs.needs(plan.case_index("P1").unwrap()), ["org"]);
    assert!(reqs.needs(plan.case_index("P0").unwrap()).is_empty());
    // A profile without the list knows no preconditions by name (unknown sections as before).
    let bare = Profile::parse(std::path::Path::new("p.toml"), "name='bare'\n").unwrap();
    let reqs = Requirements::new(&bare, &plan);
    assert_eq!(
        reqs.needs(plan.case_index("P2").unwrap()),
        ["pre-conditions"]
    );
}
