//! Checking many cases at once never rewrites history: after a sequence of cases that each
//! passed in order (later ones legitimately changing the state earlier ones saw), `verify PLAN`
//! leaves earlier and never-executed cases alone, a person's outcome stays, only cases whose
//! steps are marked done and that have no outcome are checked, `--recheck` reports drift and
//! records nothing, and a failure on a case whose steps are not done is reported only.

mod common;
#[path = "common/scenario.rs"]
mod scenario;
#[path = "common/scim_server.rs"]
mod scim_server;

use scenario::{PLAN, Scene, text};
use scim_server::ScimServer;
use serde_json::Value;

fn runs(scene: &Scene) -> usize {
    scene.session()["verify"]["runs"]
        .as_array()
        .map_or(0, Vec::len)
}

fn outcomes(scene: &Scene) -> Vec<(String, Value)> {
    [
        "C9290", "C9312", "C9292", "C9318", "C9291", "C9293", "C9307", "C9311", "C9317", "C9334",
    ]
    .iter()
    .map(|c| {
        (
            c.to_string(),
            scene.session()["results"][c]["outcome"].clone(),
        )
    })
    .collect()
}

#[test]
fn batch_checks_leave_earlier_and_never_executed_cases_alone() {
    let server = ScimServer::start();
    let s = Scene::new(&server);
    let ann = s.user("ann@example.com", "Ann", "Lee", true);
    // C9290: assigned; C9312: pushed; C9292: deactivated; C9318: unlinked and deleted.
    s.passes("C9290", &["user=ann@example.com", "given_name=Ann"]);
    let group = server.create_group("Eng", &[&ann]);
    s.passes("C9312", &["group=Eng", "members=ann@example.com"]);
    server.set_active(&ann, false);
    s.passes("C9292", &[]);
    server.delete_group(&group);
    s.passes("C9318", &[]);
    let out = s.run(&["mark", PLAN, "C9291", "fail", "--note", "checked by hand"]);
    assert!(out.status.success(), "{}", text(&out));
    let before = outcomes(&s);
    let runs_before = runs(&s);

    // Nothing is ready: earlier outcomes stay, never-executed cases stay without one.
    let out = s.run(&["verify", PLAN, "--deadline", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("left alone, an outcome is already recorded: C9290 (Pass)"),
        "{all}"
    );
    assert!(
        all.contains("C9291 (Fail)") && all.contains("not checked, steps not marked done"),
        "{all}"
    );
    assert_eq!(outcomes(&s), before, "no outcome changed");
    assert_eq!(runs(&s), runs_before, "no run recorded");
    assert_eq!(s.session()["results"]["C9291"]["automatic"], Value::Null);

    // A case the tester marked done, without an outcome, is the only one checked.
    s.done("C9307");
    let out = s.run(&[
        "verify",
        PLAN,
        "--deadline",
        "1",
        "--input",
        "members=ann@example.com",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("C9307 FAIL"), "{stdout}");
    assert!(stdout.contains("1 verified"), "only C9307: {stdout}");
    let mut expected = before.clone();
    for (case, outcome) in &mut expected {
        if case == "C9307" {
            *outcome = Value::from("fail");
        }
    }
    assert_eq!(outcomes(&s), expected, "only C9307 changed");

    // --recheck: C9290 and C9312 drifted (later cases changed the app); nothing recorded.
    let runs_before = runs(&s);
    let out = s.run(&["verify", PLAN, "--recheck", "--deadline", "5"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("drift: C9290: recorded Pass, the app now says FAIL"),
        "{stdout}"
    );
    assert!(
        stdout.contains("drift: C9312: recorded Pass, the app now says FAIL"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("drift: C9292"),
        "C9292 still holds: {stdout}"
    );
    assert!(stdout.contains("drifted (nothing recorded)"), "{stdout}");
    assert_eq!(outcomes(&s), expected, "a recheck changes no outcome");
    assert_eq!(runs(&s), runs_before, "a recheck records no run");
    // Named, a recheck looks at those cases only.
    let out = s.run(&["verify", PLAN, "C9292", "--recheck", "--deadline", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("1 rechecked: 0 drifted"),
        "{}",
        text(&out)
    );
    let out = s.run(&["verify", PLAN, "C9293", "--recheck"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("C9293 is Not run: nothing recorded to recheck"),
        "{}",
        text(&out)
    );

    // Named, with its steps not done: the failure is reported, not recorded as Fail.
    let out = s.verify("C9334", "1", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("outcome left alone: the case's steps are not marked done"));
    assert_eq!(s.session()["results"]["C9334"]["outcome"], Value::Null);
    assert_eq!(runs(&s), runs_before + 1, "the run is kept as evidence");
    // Once its steps are done, the same failure is recorded.
    s.done("C9334");
    let out = s.verify("C9334", "1", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(s.session()["results"]["C9334"]["outcome"], "fail");
}

#[test]
fn an_unreachable_app_is_an_error_recorded_as_a_run_without_an_outcome() {
    let server = ScimServer::start();
    let s = Scene::new(&server);
    let port = common::unused_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = s.run(&["connect", PLAN, "--scim-url", &url, "--auth", "bearer"]);
    assert!(out.status.success());
    s.done("C9290");
    let out = s.verify("C9290", "2", &["user=ann@example.com"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("C9290 ERROR"), "{}", text(&out));
    assert!(
        text(&out).contains("could not be reached"),
        "{}",
        text(&out)
    );
    assert_eq!(s.session()["results"]["C9290"]["outcome"], "not-run");
    assert_eq!(s.session()["verify"]["runs"][0]["verdict"], "error");
}

#[test]
fn starting_a_case_observes_what_it_acts_on_or_says_why_not() {
    let server = ScimServer::start();
    let s = Scene::new(&server);
    // No such app group yet: nothing is kept, and the check still asks for a start.
    let out = s.run(&[
        "start",
        PLAN,
        "C9315",
        "--input",
        "group=Ops",
        "--input",
        "app_group=ops-old",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("C9315 not started"), "{}", text(&out));
    assert!(text(&out).contains("expected 1, got 0"), "{}", text(&out));
    assert!(s.session()["verify"]["started"].is_null());
    let out = s.verify("C9315", "1", &["members=nobody@example.com"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("scimplan start PLAN C9315"),
        "{}",
        text(&out)
    );

    // Started for one group, then asked about another: the observation does not count.
    server.create_group("Ops A", &[]);
    s.start("C9318", &["group=Ops A"]);
    assert!(s.session()["verify"]["started"]["C9318"]["observed"]["pushed_group_id"].is_string());
    let out = s.verify("C9318", "1", &["group=Ops B"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("pushed_group_id for Ops B"),
        "{}",
        text(&out)
    );
}
