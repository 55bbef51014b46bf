//! The summary's `b`: the first suite without a link runs in BlazeMeter API Monitoring (the
//! double of its API, running the stored test against the pinned scim2-server) as a background
//! job; a passing result's link is recorded by `b` again; Esc stops waiting, the run goes on.

mod common;
#[path = "common/okta_formats.rs"]
mod okta_formats;
#[path = "common/runscope_double.rs"]
mod runscope_double;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui;

use std::path::Path;
use std::time::Duration;

use okta_formats::{spec_like_file, write_okta_like_files};
use runscope_double::RunscopeDouble;
use scim_server::ScimServer;
use scimplan::net::Secret;
use scimplan::session::{AuthScheme, Command, Connection, HostedResult};
use scimplan::tui::job::JobKind;
use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
use scimplan::tui::overlays::summary::Summary;
use scimplan::tui::{Action, Model, Settings, update};
use tui::{message, on_disk};

const TOKEN: &str = "bzm-access-token-0123456789";
const BUCKET: &str = "b0ck3tk3y123";

/// The checklist on a generated plan, connected to `server`, Okta's files the fixtures in
/// `dir/data`, the hosted API the double, its summary open.
fn summary(dir: &Path, server: &ScimServer, double: &RunscopeDouble) -> Model {
    let plan = common::okta_like_plan(dir, "okta-scim-test-plan-v2.xlsx");
    let data = dir.join("data");
    write_okta_like_files(&data, &spec_like_file(201));
    let mut m = tui::open_with(&plan, Settings::default());
    // open_with points at Okta's real files when present: these tests use the fixtures.
    m.settings.okta_files = data;
    update(&mut m, Action::ConfirmCapabilities);
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    m.ws.apply(Command::Connection(Some(connection)));
    m.secret = Some(Secret::new(&server.token));
    m.hosted.api = Some(double.url.clone());
    m.hosted.token = Some(Secret::new(TOKEN));
    update(&mut m, Action::Summary);
    m
}

/// Ticks until the hosted run is no longer watched.
fn wait(m: &mut Model) {
    for _ in 0..600 {
        update(m, Action::Tick);
        if !m.jobs.is_pending(JobKind::Hosted) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the hosted run never ended: {}", message(m));
}

#[test]
fn b_runs_the_missing_suite_in_blazemeter_and_b_again_records_its_link() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let dir = tempfile::tempdir().unwrap();
    let mut m = summary(dir.path(), &server, &double);
    let plan = m.ws.plan.source.clone();

    update(&mut m, Action::RunHosted);
    assert!(m.jobs.is_pending(JobKind::Hosted), "{}", message(&m));
    // A second b while it runs starts nothing.
    update(&mut m, Action::RunHosted);
    assert!(message(&m).contains("being watched"), "{}", message(&m));
    wait(&mut m);
    let text = message(&m);
    assert!(
        text.contains("SPEC hosted run passed")
            && text.contains("Shareable")
            && text.contains("b records the link"),
        "{text}"
    );
    let runs = double.runs();
    assert_eq!(runs.len(), 1);
    let saved = on_disk(&plan);
    assert_eq!(saved.hosted().runs[0].result, HostedResult::Pass);
    assert_eq!(
        saved.hosted().bucket.as_deref(),
        Some(BUCKET),
        "the only bucket"
    );
    assert_eq!(saved.suites().spec, None, "not before the tester shared it");

    update(&mut m, Action::RunHosted);
    let saved = on_disk(&plan);
    let link = saved.suites().spec.clone().expect("recorded");
    assert!(link.ends_with(&runs[0].id), "{link}");
    let readiness = m.find::<Summary>().unwrap().readiness.clone();
    let spec = &readiness.suites[0];
    assert!(spec.satisfied() && spec.linked_run().is_some());

    // The next b runs the next suite without a link: CRUD, which needs the Okta org.
    update(&mut m, Action::RunHosted);
    wait(&mut m);
    assert!(message(&m).contains("no Okta org"), "{}", message(&m));
    assert_eq!(double.runs().len(), 1);
}

#[test]
fn esc_stops_waiting_and_the_hosted_run_goes_on() {
    let server = ScimServer::start();
    let double =
        RunscopeDouble::start_with(TOKEN, &[(BUCKET, "Okta SCIM")], Duration::from_secs(20));
    let dir = tempfile::tempdir().unwrap();
    let mut m = summary(dir.path(), &server, &double);
    update(&mut m, Action::RunHosted);
    // Wait until the run is started and being read.
    for _ in 0..400 {
        update(&mut m, Action::Tick);
        let footer = m.jobs.get(JobKind::Hosted).map(|j| j.status_line());
        if !double.runs().is_empty() && footer.is_some_and(|line| line.contains("for ")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    update(&mut m, Action::Back);
    assert!(
        m.find::<Summary>().is_some(),
        "Esc stopped waiting, the summary stays"
    );
    wait(&mut m);
    assert!(message(&m).contains("Stopped waiting"), "{}", message(&m));
    let saved = on_disk(&m.ws.plan.source);
    assert_eq!(saved.hosted().runs[0].result, HostedResult::Unfinished);
    assert_eq!(saved.suites().spec, None);
    let state = double.runs()[0].state.clone();
    assert!(
        state == "queued" || state == "working",
        "the hosted run goes on: {state}"
    );
}

/// Without SCIMPLAN_RUNSCOPE_TOKEN, `b` asks for the access token in a masked prompt (memory
/// only) and goes on with it; a token BlazeMeter refuses is forgotten and `b` asks again; no
/// token reaches the session file.
#[test]
fn b_asks_for_the_access_token_and_forgets_a_refused_one() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let dir = tempfile::tempdir().unwrap();
    let mut m = summary(dir.path(), &server, &double);
    let plan = m.ws.plan.source.clone();
    m.hosted.token = None;
    m.secrets_from_env = false;

    update(&mut m, Action::RunHosted);
    let prompt = m.top_as::<Prompt>().expect("the token is asked for");
    assert_eq!(prompt.kind(), PromptKind::HostedToken);
    update(&mut m, Action::Paste("bzm-not-the-token".into()));
    update(&mut m, Action::Submit);
    wait(&mut m);
    let text = message(&m);
    assert!(
        text.contains("refused the access token") && text.contains("forgotten"),
        "{text}"
    );
    assert!(m.hosted.token.is_none());
    assert!(double.runs().is_empty(), "nothing ran with a refused token");

    update(&mut m, Action::RunHosted);
    assert_eq!(
        m.top_as::<Prompt>().map(Prompt::kind),
        Some(PromptKind::HostedToken),
        "asked again"
    );
    update(&mut m, Action::Paste(TOKEN.into()));
    update(&mut m, Action::Submit);
    assert!(m.find::<Summary>().is_some(), "back on the summary");
    wait(&mut m);
    assert!(
        message(&m).contains("SPEC hosted run passed"),
        "{}",
        message(&m)
    );
    assert_eq!(double.runs().len(), 1);
    let saved = std::fs::read_to_string(scimplan::session::default_session_path(&plan)).unwrap();
    assert!(!saved.contains(TOKEN) && !saved.contains("bzm-not-the-token"));
}
