//! What setting up one HTTP client costs now that trust comes from the system: the platform
//! verifier reads the system's CA files (or SSL_CERT_FILE) each time a client is built, once
//! per command, per checklist check or per batch. Also with one extra CA file (`--ca-cert`).
//!
//! Run: `cargo bench --bench client_setup`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use scimplan::net::{HttpSettings, build_client};
use scimplan::session::NetworkSettings;

fn client_setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("client_setup");
    group.sample_size(30);
    group.bench_function("system store", |b| {
        b.iter(|| build_client(&HttpSettings::api(Duration::from_secs(60))).unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, params.self_signed(&key).unwrap().pem()).unwrap();
    let network = NetworkSettings::new(&[&ca], None).unwrap();
    group.bench_function("system store and one --ca-cert", |b| {
        b.iter(|| {
            build_client(&HttpSettings::api(Duration::from_secs(60)).with_network(&network))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, client_setup);
criterion_main!(benches);
