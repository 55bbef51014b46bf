//! The Runscope runner on its own: pauses that wait for another system become polling (every
//! attempt recorded, a deadline), pauses between requests to the same app are not waited, the
//! CRUD file's Okta steps carry `Authorization: SSWS {{oktaToken}}` (the runner serves an
//! Okta-API step set as well), and Okta's three files read without error.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/mini_scim.rs"]
mod mini_scim;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{crud_files, entitlement_files, spec_files};
use mini_scim::{MiniScim, Quirks};
use scimplan::net::{CancelFlag, PlainClient, Secret};
use scimplan::runscope::initial::{InitialScript, crud_variables, spec_values};
use scimplan::runscope::{self, RunContext, RunEvent, RunOptions, Variables, run_file};
use scimplan::session::StepStatus;

/// A two-system test in Runscope's format: ask "Okta" (a fake on one port) to provision, pause
/// 20 s, then check the app (another port) for the user.
fn provisioning_test(user: &str) -> runscope::TestFile {
    let text = format!(
        r#"{{"name":"provisioning","steps":[
        {{"step_type":"request","note":"Assign in Okta","method":"POST","url":"{{{{oktaOrgUrl}}}}/api/v1/apps/{{{{oktaAppId}}}}/users",
          "headers":{{"Authorization":"SSWS {{{{oktaToken}}}}","Content-Type":["application/json"]}},
          "body":"{{\"id\":\"{user}\"}}",
          "assertions":[{{"source":"response_status","comparison":"equal_number","value":200}}]}},
        {{"step_type":"pause","duration":20}},
        {{"step_type":"request","note":"Verify in the app","method":"GET",
          "url":"{{{{SCIMUrl}}}}/Users?filter=userName eq \"{user}\"",
          "headers":{{"Authorization":"{{{{SCIMAuth}}}}","Accept":["application/scim+json"]}},
          "assertions":[{{"source":"response_status","comparison":"equal_number","value":200}},
                        {{"source":"response_json","property":"Resources[0].userName","comparison":"equal","value":"{user}"}}],
          "variables":[{{"source":"response_json","property":"Resources[0].id","name":"scim_id"}}]}}
        ]}}"#
    );
    runscope::parse(text.as_bytes(), "provisioning.json").unwrap()
}

/// "Okta": answers 200 and provisions the user into `app` after `delay`.
fn fake_okta(app: Arc<MiniScim>, user: &'static str, delay: Duration) -> fake_app::FakeApp {
    fake_app::fake_app(move |_, head| {
        assert!(
            head.contains("Authorization: SSWS okta-api-token-123")
                || head.contains("authorization: SSWS okta-api-token-123"),
            "{head}"
        );
        let app = app.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            app.add_user(user, "Pro", "Visioned");
        });
        fake_app::reply(200, "{}")
    })
}

fn variables(okta: &str, app: &MiniScim) -> Variables {
    let mut v = Variables::new();
    v.insert("oktaOrgUrl".into(), okta.to_string());
    v.insert("oktaAppId".into(), "0oa123".into());
    v.insert("oktaToken".into(), "okta-api-token-123".into());
    v.insert("SCIMUrl".into(), app.url.clone());
    v.insert("SCIMAuth".into(), format!("Bearer {}", app.token));
    v
}

#[test]
fn a_pause_waiting_for_another_system_polls_the_next_step_and_records_every_attempt() {
    let app = Arc::new(MiniScim::start(Quirks::default()));
    let user = "polled@example.com";
    let okta = fake_okta(app.clone(), user, Duration::from_millis(1500));
    let file = provisioning_test(user);
    let client = PlainClient::new().unwrap();
    let secrets = [
        Secret::new("okta-api-token-123"),
        Secret::new(app.token.clone()),
    ];
    let options = RunOptions {
        poll_interval: Duration::from_millis(200),
        ..RunOptions::default()
    };
    let cancel = CancelFlag::new();
    let context = RunContext {
        client: &client,
        secrets: &secrets,
        cancel: &cancel,
        options: &options,
    };
    let mut attempts_seen = 0;
    let started = Instant::now();
    let run = run_file(
        &file,
        &variables(&okta.url, &app),
        "two systems",
        &context,
        &mut |event| {
            if let RunEvent::Attempt { position, .. } = event {
                assert_eq!(position, 3);
                attempts_seen += 1;
            }
        },
    );
    let took = started.elapsed();
    assert!(run.passed(), "{run:#?}");
    // It did not sit out Runscope's 20 s pause: it polled until the user was there.
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert!(
        run.steps[1]
            .wait
            .as_deref()
            .unwrap()
            .contains("polled instead, for up to 60 s")
    );
    let verify = &run.steps[2];
    assert!(verify.attempts.len() >= 2, "{:#?}", verify.attempts);
    assert_eq!(verify.attempts.len(), attempts_seen + 1);
    assert!(
        verify
            .wait
            .as_deref()
            .unwrap()
            .starts_with(&format!("polled {} time(s)", verify.attempts.len()))
    );
    assert!(verify.variables_set.contains_key("scim_id"));
    // The Okta step's token is redacted from the record.
    let recorded = serde_json::to_string(&run).unwrap();
    assert!(!recorded.contains("okta-api-token-123"), "{recorded}");
    assert!(!recorded.contains(&app.token));
    assert!(recorded.contains("Authorization: SSWS [redacted]"));
}

#[test]
fn polling_stops_at_its_deadline_and_the_step_fails() {
    let app = Arc::new(MiniScim::start(Quirks::default()));
    let user = "never@example.com";
    // "Okta" never provisions within the deadline.
    let okta = fake_okta(app.clone(), user, Duration::from_secs(600));
    let client = PlainClient::new().unwrap();
    let options = RunOptions {
        poll_interval: Duration::from_millis(200),
        min_poll: Duration::from_millis(1500),
        poll_factor: 0.0,
        ..RunOptions::default()
    };
    let cancel = CancelFlag::new();
    let context = RunContext {
        client: &client,
        secrets: &[],
        cancel: &cancel,
        options: &options,
    };
    let started = Instant::now();
    let run = run_file(
        &provisioning_test(user),
        &variables(&okta.url, &app),
        "t",
        &context,
        &mut |_| {},
    );
    assert!(!run.passed());
    assert_eq!(run.steps[2].status, StepStatus::Fail);
    assert!(
        run.steps[2].attempts.len() >= 3,
        "{}",
        run.steps[2].attempts.len()
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let failed = run.steps[2].failed_assertions().next().unwrap();
    assert_eq!(failed.property, "Resources[0].userName");
    assert_eq!(failed.actual, "missing");
}

#[test]
fn waiting_out_pauses_as_runscope_does_is_an_option() {
    let app = Arc::new(MiniScim::start(Quirks::default()));
    let user = "waited@example.com";
    let okta = fake_okta(app.clone(), user, Duration::ZERO);
    let mut file = provisioning_test(user);
    if let runscope::Step::Pause { seconds, .. } = &mut file.steps[1] {
        *seconds = 0.8;
    }
    let client = PlainClient::new().unwrap();
    let options = RunOptions {
        honour_pauses: true,
        ..RunOptions::default()
    };
    let cancel = CancelFlag::new();
    let context = RunContext {
        client: &client,
        secrets: &[],
        cancel: &cancel,
        options: &options,
    };
    let started = Instant::now();
    let run = run_file(
        &file,
        &variables(&okta.url, &app),
        "t",
        &context,
        &mut |_| {},
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert!(run.passed(), "{run:#?}");
    assert_eq!(
        run.steps[2].attempts.len(),
        1,
        "no polling when pauses are waited"
    );
    assert_eq!(
        run.steps[1].wait.as_deref(),
        Some("waited 0.8 s, as the file says")
    );
}

/// The provisioning test, then (as the CRUD file does before its unassign) a pause and a change
/// in "Okta": a request that changes something cannot be repeated to poll it.
fn provisioning_then_change(user: &str, pause: f64) -> runscope::TestFile {
    let mut file = provisioning_test(user);
    let text = format!(
        r#"{{"name":"change","steps":[
        {{"step_type":"pause","duration":{pause}}},
        {{"step_type":"request","note":"Unassign in Okta","method":"DELETE","url":"{{{{oktaOrgUrl}}}}/api/v1/apps/{{{{oktaAppId}}}}/users/1",
          "headers":{{"Authorization":"SSWS {{{{oktaToken}}}}"}},
          "assertions":[{{"source":"response_status","comparison":"equal_number","value":200}}]}}
        ]}}"#
    );
    let tail = runscope::parse(text.as_bytes(), "change.json").unwrap();
    for mut step in tail.steps {
        if let runscope::Step::Request(request) = &mut step {
            request.position = file.steps.len() + 1;
        }
        file.steps.push(step);
    }
    file
}

/// A pause before a change that follows a read whose assertions held is not waited: that read
/// already saw the state the pause gives time for (the CRUD file's 40 s before the unassign).
/// When the read did not hold, the pause is waited as the file says, unless the read was
/// already polled for longer than the pause.
#[test]
fn a_pause_before_a_change_is_waited_only_when_the_read_before_it_did_not_give_it_time() {
    let app = Arc::new(MiniScim::start(Quirks::default()));
    let user = "seen@example.com";
    let okta = fake_okta(app.clone(), user, Duration::from_millis(300));
    let client = PlainClient::new().unwrap();
    let options = RunOptions {
        poll_interval: Duration::from_millis(100),
        min_poll: Duration::from_millis(1200),
        poll_factor: 0.0,
        ..RunOptions::default()
    };
    let cancel = CancelFlag::new();
    let context = RunContext {
        client: &client,
        secrets: &[],
        cancel: &cancel,
        options: &options,
    };
    let started = Instant::now();
    let run = run_file(
        &provisioning_then_change(user, 40.0),
        &variables(&okta.url, &app),
        "t",
        &context,
        &mut |_| {},
    );
    assert!(run.passed(), "{run:#?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        run.steps[3].wait.as_deref(),
        Some(
            "not waited: step 3 just before it already saw what it waits for (its assertions held)"
        )
    );

    // "Okta" never provisions: the read fails at its deadline (1.2 s). A longer pause is
    // waited as the file says; a shorter one was already given while the read was polled.
    let other = "unseen@example.com";
    let never = fake_okta(app.clone(), other, Duration::from_secs(600));
    let run = run_file(
        &provisioning_then_change(other, 2.0),
        &variables(&never.url, &app),
        "t",
        &context,
        &mut |_| {},
    );
    assert_eq!(run.steps[2].status, StepStatus::Fail);
    assert!(run.steps[3].duration_ms >= 2000, "{:?}", run.steps[3]);
    assert!(
        run.steps[3]
            .wait
            .as_deref()
            .unwrap()
            .starts_with("waited 2 s, as the file says"),
        "{:?}",
        run.steps[3].wait
    );
    let run = run_file(
        &provisioning_then_change(other, 0.3),
        &variables(&never.url, &app),
        "t",
        &context,
        &mut |_| {},
    );
    assert_eq!(run.steps[2].status, StepStatus::Fail);
    let wait = run.steps[3].wait.as_deref().unwrap();
    assert!(
        wait.starts_with("not waited: step 3 just before it was already polled for ")
            && wait.ends_with(" s, longer than the pause"),
        "{wait}"
    );
    assert!(run.steps[3].duration_ms < 300, "{:?}", run.steps[3]);
}

/// Okta's three files (when present) and the tests' fixtures of the same shapes read, and each
/// uses only variables its initial values define: the CRUD file's Okta steps need `oktaOrgUrl`,
/// `oktaAppId`, `oktaToken` beside the SCIM ones and the random values of the CRUD initial
/// script.
/// The initial script beside each file (Okta's, or the fixture's under Okta's name), run as
/// written, defines every value the file uses besides the environment's initial variables: the
/// checklist's `r`/`R`, `spec` and `crud` refuse a file whose variables nothing defines.
#[test]
fn the_initial_script_beside_each_file_defines_what_the_file_uses() {
    let run = |file: &common::SuiteFile, script: &str, environment: &[&str]| {
        let path = file.path.parent().unwrap().join(script);
        let script = InitialScript::load(&path).unwrap();
        let mut vars: Variables = environment
            .iter()
            .map(|name| (name.to_string(), "x".to_string()))
            .collect();
        let (values, _) = script.run(&vars).unwrap();
        vars.extend(values);
        vars
    };
    for file in spec_files() {
        let spec = runscope::load(&file.path).unwrap();
        let vars = run(&file, common::SPEC_SCRIPT_FILE, &["SCIMBaseURL", "auth"]);
        assert_eq!(spec.undefined_variable(&vars), None, "{}", file.label());
    }
    for file in crud_files() {
        let crud = runscope::load(&file.path).unwrap();
        let environment = [
            "oktaOrgUrl",
            "oktaAppId",
            "oktaToken",
            "SCIMUrl",
            "SCIMAuth",
        ];
        let vars = run(&file, common::CRUD_SCRIPT_FILE, &environment);
        assert_eq!(crud.undefined_variable(&vars), None, "{}", file.label());
    }
}

#[test]
fn okta_files_read_and_their_variables_are_all_defined() {
    let mut rng = fastrand::Rng::with_seed(3);
    for file in spec_files() {
        let spec = runscope::load(&file.path).unwrap();
        assert_eq!(spec.requests().count(), file.requests());
        if file.okta {
            assert_eq!(spec.requests().count(), 12);
        }
        let mut vars = spec_values(&mut rng);
        vars.insert("SCIMBaseURL".into(), String::new());
        vars.insert("auth".into(), String::new());
        assert_eq!(spec.undefined_variable(&vars), None, "{}", file.label());
    }

    for file in crud_files() {
        let crud = runscope::load(&file.path).unwrap();
        assert_eq!(crud.requests().count(), 13);
        let mut vars = crud_variables(
            "https://dev-1.okta.com",
            "0oa1",
            "00token",
            "https://app.example.com/scim/v2",
            "Bearer t",
            &mut rng,
        );
        assert!(vars.contains_key("okta_user_firstname_update"));
        assert_eq!(crud.undefined_variable(&vars), None, "{}", file.label());
        vars.remove("oktaToken");
        let (name, step) = crud.undefined_variable(&vars).unwrap();
        assert_eq!(name, "oktaToken");
        assert!(
            step.starts_with(&format!("step 1 ({}", file.note(1))),
            "{step}"
        );
        // Headers as plain strings and as lists, exactly as the file gives them.
        let first = crud.requests().next().unwrap();
        assert!(first.headers.contains(&(
            "Authorization".to_string(),
            "SSWS {{oktaToken}}".to_string()
        )));
        let pauses: Vec<f64> = crud
            .steps
            .iter()
            .filter_map(|s| match s {
                runscope::Step::Pause { seconds, .. } => Some(*seconds),
                _ => None,
            })
            .collect();
        let written: Vec<f64> = file
            .steps()
            .iter()
            .filter_map(|s| s["duration"].as_f64())
            .collect();
        assert_eq!(pauses, written);
        if file.okta {
            // Okta's pauses: 20 s four times, 40 s twice.
            assert_eq!(pauses, [20.0, 20.0, 20.0, 20.0, 40.0, 40.0]);
        }
    }

    for file in entitlement_files() {
        let entitlements = runscope::load(&file.path).unwrap();
        assert_eq!(entitlements.requests().count(), 1);
        let mut vars = Variables::new();
        for name in ["SCIMBaseURL", "auth", "EntitlementEndpoint"] {
            vars.insert(name.into(), String::new());
        }
        assert_eq!(entitlements.undefined_variable(&vars), None);
    }
}
