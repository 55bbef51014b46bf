//! How long scimplan's SPEC suite takes against the real scim2-server on loopback
//! (Runscope's needs over a minute of fixed pauses). Needs scim2-server: run tests/run.sh once.

#[path = "../tests/common/scim_server.rs"]
mod scim_server;

use criterion::{Criterion, criterion_group, criterion_main};
use scimplan::verify::{
    AuthScheme, CancelFlag, Connection, ScimClient, Secret, SpecOptions, run_spec,
};

fn spec_suite(c: &mut Criterion) {
    let server = scim_server::ScimServer::start();
    server.create_user("bench@example.com", "Bench", "User", true);
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(server.token.clone())).unwrap();
    let mut group = c.benchmark_group("spec");
    group.sample_size(10);
    group.bench_function("run_spec against loopback scim2-server", |b| {
        b.iter(|| {
            let options = SpecOptions::new(AuthScheme::Bearer);
            let report = run_spec(&client, &options, &CancelFlag::new(), &mut |_| {});
            assert!(report.passed(), "{:#?}", report.checks);
        })
    });
    group.finish();
}

criterion_group!(benches, spec_suite);
criterion_main!(benches);
