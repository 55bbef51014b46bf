//! How long Okta's SPEC file takes, run by scimplan against the real scim2-server on loopback
//! (Runscope needs over a minute of fixed pauses). Needs scim2-server (run tests/run.sh once)
//! and Okta's file (`SCIMPLAN_OKTA_FILES`, else ../shared/okta; without them, the tests'
//! SPEC-shaped fixture, which times the runner but not Okta's file).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/scim_server.rs"]
mod scim_server;

use criterion::{Criterion, criterion_group, criterion_main};
use scimplan::net::{CancelFlag, PlainClient, Secret};
use scimplan::runscope;
use scimplan::scim::ScimClient;
use scimplan::verify::{AuthScheme, Connection, SpecOptions, run_spec};

fn spec_suite(c: &mut Criterion) {
    // Okta's file when present, else the tests' SPEC-shaped fixture (said on stderr).
    let file =
        runscope::load(&common::okta_or_fixture(common::SPEC_FILE).path).expect("the SPEC file");
    let server = scim_server::ScimServer::start();
    server.create_user("bench@example.com", "Bench", "User", true);
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(server.token.clone())).unwrap();
    let mut group = c.benchmark_group("spec");
    group.sample_size(10);
    group.bench_function("Okta's SPEC file against loopback scim2-server", |b| {
        b.iter(|| {
            // Fresh random values each run, as each Runscope run has.
            let options = SpecOptions::new(AuthScheme::Bearer, file.clone()).unwrap();
            let report = run_spec(&client, &options, &CancelFlag::new(), &mut |_| {});
            assert!(report.passed(), "{:#?}", report.file);
        })
    });
    group.bench_function("the SPEC file alone (no checks beyond it)", |b| {
        b.iter(|| {
            let options = SpecOptions::new(AuthScheme::Bearer, file.clone()).unwrap();
            let plain = PlainClient::new().unwrap();
            let secrets = [client.secret().clone()];
            let cancel = CancelFlag::new();
            let context = runscope::RunContext {
                client: &plain,
                secrets: &secrets,
                cancel: &cancel,
                options: &options.run,
            };
            let initial = scimplan::verify::spec::initial_variables(&client, &options.values);
            let run = runscope::run_file(&file, &initial, &server.url, &context, &mut |_| {});
            assert!(run.passed());
        })
    });
    group.finish();
}

criterion_group!(benches, spec_suite);
criterion_main!(benches);
