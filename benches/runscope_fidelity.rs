//! What Runscope's verdict costs locally: a script step in the embedded engine (Okta-style
//! response and initial scripts), and the SPEC-shaped export of the tests' own against an app
//! with read-after-write lag, run fast (failures confirmed by waiting their pause) and with
//! every pause waited (Runscope's timing). Needs nothing beside the checkout.

#[path = "../tests/common/mini_scim.rs"]
mod mini_scim;
#[path = "../tests/common/runscope_exports.rs"]
mod runscope_exports;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use mini_scim::{MiniScim, Quirks};
use scimplan::net::{CancelFlag, Exchange, Fate, Secret};
use scimplan::runscope::initial::InitialScript;
use scimplan::runscope::script::{ScriptInput, run};
use scimplan::runscope::{self, Variables};
use scimplan::scim::ScimClient;
use scimplan::verify::{AuthScheme, Connection, SpecOptions, run_spec};

/// A response script in the shape of the SPEC file's `GET /Groups` one (the tests' own text).
const GROUPS_SCRIPT: &str = r#"var data = JSON.parse(response.body);
var total = data.totalResults;
if (total === 0) {
    assert("none", "no groups");
} else if (total >= 1 && Array.isArray(data.Resources)) {
    assert.ok(true, "Resources is an array");
    log(total);
}"#;

/// An initial script in the shape of Okta's (the tests' own text).
const INITIAL_SCRIPT: &str = r#"function pick(letters, n) {
  var out = "";
  for (var i = 0; i < n; i++) out += letters.charAt(Math.floor(Math.random() * letters.length));
  return out;
}
var first = "Runscope" + pick("0123456789", 3);
var last = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1) + pick("abcdefghijklmnopqrstuvwxyz", 8) + pick("0123456789", 3);
var email = first + last + "@atko.com";
variables.set("randomGivenName", first);
variables.set("randomFamilyName", last);
variables.set("randomEmail", email);
variables.set("randomUsername", email);
variables.set("InvalidUserEmail", "abcdefgh@atko.com");
variables.set("UserIdThatDoesNotExist", "010101001010101011001010101011");
variables.set("randomUsernameCaps", email.toUpperCase());"#;

fn scripts(c: &mut Criterion) {
    let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[{"id":"g1","displayName":"A"},{"id":"g2","displayName":"B"}]}"#;
    let exchange = Exchange {
        method: "GET".into(),
        url: "http://127.0.0.1/scim/v2/Groups".into(),
        status: Some(200),
        duration: Duration::from_millis(12),
        content_type: Some("application/scim+json".into()),
        request_body: None,
        body: body.into(),
        json: serde_json::from_str(body).ok(),
        fate: Fate::Answered,
        retry_after: None,
        response_headers: vec![("content-type".into(), "application/scim+json".into())],
    };
    let variables = Variables::new();
    let mut group = c.benchmark_group("script");
    group.bench_function("a Groups-style response script", |b| {
        b.iter(|| {
            let out = run(
                GROUPS_SCRIPT,
                "response script",
                &ScriptInput {
                    variables: &variables,
                    request: None,
                    response: Some(&exchange),
                },
            );
            assert!(out.error.is_none());
        })
    });
    let initial = InitialScript {
        path: "initial.js".into(),
        text: INITIAL_SCRIPT.into(),
    };
    group.bench_function("an Okta-shaped initial script", |b| {
        b.iter(|| initial.run(&variables).unwrap())
    });
    group.finish();
}

fn read_lag(c: &mut Criterion) {
    // Lag 0.5 s, pauses of 0.8 s: Runscope's timing passes; sent at once, the read of the created
    // user fails and is confirmed by waiting its pause.
    let app = MiniScim::start(Quirks {
        read_lag: Some(Duration::from_millis(500)),
        ..Quirks::default()
    });
    app.add_user("bench@example.com", "Bench", "User");
    let dir = tempfile::tempdir().unwrap();
    let path = runscope_exports::write_export(
        dir.path(),
        "spec-like.json",
        &runscope_exports::spec_like(0.8),
    );
    let file = runscope::load(&path).unwrap();
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(app.token.clone())).unwrap();
    let mut group = c.benchmark_group("read-after-write lag, SPEC-shaped file");
    group.sample_size(10);
    for (name, waited) in [
        ("fast, failures confirmed by waiting their pause", false),
        ("every pause waited (Runscope's timing)", true),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut options = SpecOptions::new(AuthScheme::Bearer, file.clone()).unwrap();
                options.run.honour_pauses = waited;
                let report = run_spec(&client, &options, &CancelFlag::new(), &mut |_| {});
                assert!(report.passed(), "{:#?}", report.file);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scripts, read_lag);
criterion_main!(benches);
