//! The checklist's side of each case's Okta side (the Okta double provisioning into the real
//! scim2-server): the background worker `v` and `V` use checks the Okta side and keeps the
//! System Log from the case's start; `v` itself, with the token typed in the checklist; without
//! the token, `v` asks for it; and without the org, the run says what the Okta side would add.

mod common;
#[path = "common/okta_cases.rs"]
mod okta_cases;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::time::Duration;

use chrono::Utc;
use okta_cases::{OKTA_TOKEN, assign, setup};
use okta_double::DoubleOptions;

/// The checklist's background worker (`v` and `V`): with the org it checks the Okta side too,
/// keeps the System Log from the case's start, and a rate-limit wait is progress, not a fail.
#[test]
fn the_checklists_worker_checks_the_okta_side_and_keeps_the_trail() {
    use scimplan::net::Secret;
    use scimplan::session::{AuthScheme, Connection, OktaAuth, OktaConnection, VerifyState};
    use scimplan::verify::{
        Access, CheckJob, OktaAccess, RecipeBook, ScimAccess, Verdict, VerifyEvent, worker,
    };

    let (_dir, server, double) = setup(true, None, DoubleOptions::default());
    let login = "ann.worker@example.com";
    assign(&double, login, "Ann", "Ann");
    let book = RecipeBook::builtin();
    let mut state = VerifyState::default();
    state.subjects.insert("user".into(), login.into());
    let mut job = CheckJob::prepare(&book, "C9290", &state, Duration::from_secs(10)).unwrap();
    let started = Utc::now() - chrono::Duration::minutes(2);
    job.since = Some(started);
    let okta = OktaAccess {
        connection: OktaConnection::new(&double.url, &double.app_id, OktaAuth::ApiToken).unwrap(),
        api_token: Some(Secret::new(OKTA_TOKEN)),
    };
    let scim = || ScimAccess {
        connection: Connection::new(&server.url, AuthScheme::Bearer, None).unwrap(),
        secret: Secret::new(server.token.clone()),
    };
    double.throttle_next(1, Duration::from_secs(1));
    let (sink, events) = worker::channel();
    let access = Access {
        scim: Some(scim()),
        okta: Some(okta),
    };
    let running = worker::spawn_checks(vec![job], access, sink);
    let events: Vec<VerifyEvent> = events.iter().collect();
    running.thread.join().unwrap();
    assert!(
        events.iter().any(
            |e| matches!(e, VerifyEvent::Waiting(w) if w.contains("rate limit") && w.contains("not a failure"))
        ),
        "{events:?}"
    );
    let run = events
        .iter()
        .find_map(|e| match e {
            VerifyEvent::Finished(run) => Some(run),
            _ => None,
        })
        .expect("a run");
    assert_eq!(run.verdict, Verdict::Pass, "{}", run.summary);
    assert!(
        run.assertions
            .iter()
            .any(|a| a.step == format!("Okta: app user {login}") && a.check == "syncState"),
        "{:?}",
        run.assertions
    );
    let trail = run
        .okta
        .as_ref()
        .expect("the System Log is kept with the run");
    assert_eq!(trail.since, Some(started));
    assert_eq!(
        trail.app_user.as_ref().map(|u| u.sync_state.as_str()),
        Some("SYNCHRONIZED")
    );
    assert!(run.okta_not_checked.is_none());

    // Without the org, the worker's run says what the Okta side would add.
    let job = CheckJob::prepare(&book, "C9290", &state, Duration::from_secs(5)).unwrap();
    let (sink, events) = worker::channel();
    let access = Access {
        scim: Some(scim()),
        okta: None,
    };
    worker::spawn_checks(vec![job], access, sink);
    let run = events
        .iter()
        .find_map(|e| match e {
            VerifyEvent::Finished(run) => Some(run),
            _ => None,
        })
        .expect("a run");
    assert_eq!(run.verdict, Verdict::Pass, "{}", run.summary);
    assert!(run.okta.is_none());
    assert!(
        run.okta_not_checked
            .as_deref()
            .is_some_and(|n| n.starts_with("Okta side not checked")),
        "{run:?}"
    );
    double.assert_valid();
}

/// The checklist's `v`: with the org connected and its token typed, the case's Okta side is
/// checked and the System Log kept with the run on disk; without the token, it is asked for;
/// without the org, the run says what the Okta side would add.
#[test]
fn the_checklist_verifies_both_sides_and_keeps_the_trail() {
    use scimplan::net::Secret;
    use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
    use scimplan::tui::{Action, update};

    let (dir, server, double) = setup(true, None, DoubleOptions::default());
    let login = "ann.checklist@example.com";
    assign(&double, login, "Ann", "Ann");
    let plan = dir.path().join("plan.xlsx");
    let mut m = tui_helpers::ready(&plan);
    m.secret = Some(Secret::new(server.token.clone()));
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: login.into(),
    });
    tui_helpers::select(&mut m, "C9290");
    let verify_now = |m: &mut scimplan::tui::Model| {
        update(m, Action::VerifyCase);
        for _ in 0..600 {
            update(m, Action::Tick);
            if m.running().is_none() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the check did not end");
    };
    m.okta_secret = Some(Secret::new(OKTA_TOKEN));
    verify_now(&mut m);
    let session = tui_helpers::on_disk(&plan);
    let run = session.verify().latest_run("C9290").expect("a run");
    assert!(
        run.assertions
            .iter()
            .any(|a| a.step.starts_with("Okta: app user") && a.passed),
        "{:?}",
        run.assertions
    );
    let trail = run.okta.as_ref().expect("the System Log kept with the run");
    assert!(
        trail
            .events
            .iter()
            .any(|e| e.event_type == "application.provision.user.push"),
        "{trail:?}"
    );
    // A typed Okta token Okta refuses: an error naming Okta, and the token is forgotten.
    m.okta_secret = Some(Secret::new("not-the-okta-token"));
    verify_now(&mut m);
    let said = m
        .message
        .as_ref()
        .map(|x| x.text.clone())
        .unwrap_or_default();
    assert!(
        said.contains("C9290 verified: ERROR Okta: Okta refused the API token")
            && said.contains("The typed Okta token is forgotten"),
        "{said}"
    );
    assert!(m.okta_secret.is_none());
    // The org connected, its token neither typed nor in the environment: v asks for it, and
    // records nothing on the SCIM side alone.
    let runs = tui_helpers::on_disk(&plan).verify().runs.len();
    update(&mut m, Action::VerifyCase);
    assert!(
        m.top_as::<Prompt>().is_some_and(
            |p| p.kind() == PromptKind::OktaToken && p.title.contains("SCIMPLAN_OKTA_TOKEN")
        ),
        "{}",
        tui_helpers::message(&m)
    );
    update(&mut m, Action::Cancel);
    assert!(m.running().is_none());
    assert_eq!(tui_helpers::on_disk(&plan).verify().runs.len(), runs);
    // Without an org, the SCIM side is checked and the run says what Okta would add.
    m.ws.apply(scimplan::session::Command::OktaConnection(None));
    verify_now(&mut m);
    let said = m
        .message
        .as_ref()
        .map(|x| x.text.clone())
        .unwrap_or_default();
    assert!(said.contains("Okta side not checked"), "{said}");
    let session = tui_helpers::on_disk(&plan);
    let run = session.verify().latest_run("C9290").expect("a run");
    assert!(run.okta.is_none());
    assert!(
        run.okta_not_checked
            .as_deref()
            .is_some_and(|n| n.starts_with("Okta side not checked")),
        "{run:?}"
    );
    // The detail pane says so too, under the verdict (scrolled to the end of the detail; the
    // message line, which says it as well, is cleared first).
    m.message = None;
    tui_helpers::select(&mut m, "C9290");
    update(&mut m, Action::SwitchPane);
    for _ in 0..3 {
        tui_helpers::screen(&mut m);
        update(&mut m, Action::PageDown);
    }
    let shown = tui_helpers::screen(&mut m);
    assert!(shown.contains("Okta side not checked"), "{shown}");
    let raw = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    assert!(!raw.contains(OKTA_TOKEN) && !raw.contains(&server.token));
    double.assert_valid();
}
