//! Reaching servers as the system does (issue 24): certificates of a private CA made at test
//! time, refused with a message that says how to trust them, trusted through SSL_CERT_FILE or
//! `connect --ca-cert`; proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY or `connect --proxy`;
//! `scimplan doctor`; no credentials in a URL scimplan saves. Loopback only. Environment
//! variables are set on the spawned binary, never in this process.

mod common;
#[path = "common/tls.rs"]
mod tls;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{okta_like_plan, stderr, stdout, unused_port};
use scimplan::net::{CancelFlag, Secret};
use scimplan::scim::ScimClient;
use scimplan::session::{AuthScheme, Connection, NetworkSettings};
use tls::{ConnectProxy, PrivateCa, TlsServer};

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
const SESSION: &str = "okta-scim-test-plan-v2.scimplan.json";
const TOKEN: &str = "network-test-token-value";

/// The variables that decide trust and proxies, cleared so the machine's own do not count.
const NETWORK_VARS: [&str; 10] = [
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// Runs scimplan in `dir` with only the network variables in `env` set.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimplan"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env_remove("SCIMPLAN_RUNSCOPE_API")
        .env_remove("SCIMPLAN_RUNSCOPE_TOKEN")
        .env("SCIMPLAN_SCIM_TOKEN", TOKEN)
        .env("SCIMPLAN_OKTA_TOKEN", TOKEN);
    for var in NETWORK_VARS {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run scimplan")
}

fn both(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// A plain HTTP server on loopback answering 200 to everything, counting requests.
fn plain_server() -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                line.clear();
            }
            *seen.lock().unwrap() += 1;
            let mut stream = stream;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (url, count)
}

/// The built-in profile with Okta's download site moved to `base`, so `doctor` checks a
/// server of the test's.
fn profile_with_downloads_at(dir: &Path, base: &str) -> PathBuf {
    let builtin =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("plans/okta-scim.toml"))
            .unwrap();
    assert!(builtin.contains("https://developer.okta.com/"));
    let name: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = dir.join(format!("profile-{name}.toml"));
    std::fs::write(&path, builtin.replace("https://developer.okta.com", base)).unwrap();
    path
}

/// A plan whose session is connected to the SCIM app at `scim_url` (with `extra` options).
fn connected_plan(dir: &Path, scim_url: &str, extra: &[&str]) {
    okta_like_plan(dir, PLAN);
    let mut args = vec!["connect", PLAN, "--scim-url", scim_url];
    args.extend_from_slice(extra);
    let out = run(dir, &args, &[]);
    assert!(out.status.success(), "{}", both(&out));
}

fn doctor(dir: &Path, profile: &Path, env: &[(&str, &str)]) -> Output {
    run(
        dir,
        &["doctor", PLAN, "--profile", &profile.display().to_string()],
        env,
    )
}

fn scim_client(url: &str, network: NetworkSettings) -> ScimClient {
    let connection = Connection::new(url, AuthScheme::Bearer, None)
        .unwrap()
        .with_network(network);
    ScimClient::new(&connection, &Secret::new(TOKEN)).unwrap()
}

fn get_users(client: &ScimClient) -> scimplan::net::Exchange {
    client
        .send(
            "GET",
            "/Users",
            None,
            Instant::now() + Duration::from_secs(20),
            &CancelFlag::new(),
        )
        .pop()
        .unwrap()
}

#[test]
fn an_untrusted_certificate_says_which_host_who_issued_it_and_how_to_trust_it() {
    let ca = PrivateCa::new("Private Test CA");
    let server = TlsServer::start(&ca);

    // The SCIM client: nothing is sent over the untrusted connection.
    let exchange = get_users(&scim_client(
        &format!("{}/scim/v2", server.url("localhost")),
        NetworkSettings::default(),
    ));
    let problem = exchange.problem().expect("refused").to_string();
    for part in [
        "localhost",
        "CN=Private Test CA",
        "trust store",
        "SSL_CERT_FILE",
        "--ca-cert",
    ] {
        assert!(problem.contains(part), "{part} missing: {problem}");
    }
    assert!(!problem.contains("UnknownIssuer"), "{problem}");

    // The Okta client, through the real binary: the org is not saved.
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    let out = run(
        dir.path(),
        &[
            "connect",
            PLAN,
            "--okta-org",
            &server.url("localhost"),
            "--okta-app-id",
            "0oa1",
        ],
        &[],
    );
    assert!(!out.status.success());
    let text = both(&out);
    for part in [
        "localhost",
        "CN=Private Test CA",
        "SSL_CERT_FILE",
        "--ca-cert",
    ] {
        assert!(text.contains(part), "{part} missing: {text}");
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    let session = std::fs::read_to_string(dir.path().join(SESSION)).unwrap_or_default();
    assert!(!session.contains("org_url"), "{session}");
}

#[test]
fn ssl_cert_file_trusts_a_private_ca_for_every_client() {
    let ca = PrivateCa::new("Private Test CA");
    let server = TlsServer::start(&ca);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = ca.write_pem(dir.path(), "private-ca.pem");
    let ca_file = ca_file.display().to_string();
    connected_plan(
        dir.path(),
        &format!("{}/scim/v2", server.url("localhost")),
        &[],
    );
    // Okta's download site on the same server: downloads trust what the environment says.
    let profile = profile_with_downloads_at(dir.path(), &server.url("127.0.0.1"));

    let out = doctor(dir.path(), &profile, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stdout(&out).contains("not trusted"), "{}", stdout(&out));

    // No authority at all (SSL_CERT_FILE names nothing): https says so, plain http still works.
    let gone = dir.path().join("no-such-bundle.pem").display().to_string();
    let (plain, _) = plain_server();
    let plain_profile = profile_with_downloads_at(dir.path(), &plain);
    let out = doctor(dir.path(), &plain_profile, &[("SSL_CERT_FILE", &gone)]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("no certificate authority is trusted"),
        "{text}"
    );
    assert!(
        text.contains("1 of 2 configured endpoints answer; not answering: SCIM app."),
        "{text}"
    );

    let out = doctor(dir.path(), &profile, &[("SSL_CERT_FILE", &ca_file)]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("SSL_CERT_FILE={ca_file}")), "{text}");
    assert!(text.contains(": 1 certificate authorities"), "{text}");
    assert!(
        text.contains("CN=localhost, issued by CN=Private Test CA, O=scimplan tests"),
        "{text}"
    );
    assert!(
        text.contains("All 2 configured endpoints answer."),
        "{text}"
    );
    let reached = server.requests().len();
    assert!(reached >= 2, "{:?}", server.requests());

    // The Okta client trusts it the same way: the request reaches the org.
    let out = run(
        dir.path(),
        &[
            "connect",
            PLAN,
            "--okta-org",
            &server.url("localhost"),
            "--okta-app-id",
            "0oa1",
        ],
        &[("SSL_CERT_FILE", &ca_file)],
    );
    assert!(!both(&out).contains("not trusted"), "{}", both(&out));
    assert!(
        server.requests()[reached..]
            .iter()
            .any(|r| r.starts_with("GET /api/v1/apps/0oa1")),
        "{:?}",
        server.requests()
    );
}

#[test]
fn connect_ca_cert_saves_the_path_and_every_client_of_the_connection_trusts_it() {
    let ca = PrivateCa::new("Private Test CA");
    let server = TlsServer::start(&ca);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = ca.write_pem(dir.path(), "private-ca.pem");
    let scim_url = format!("{}/scim/v2", server.url("localhost"));
    okta_like_plan(dir.path(), PLAN);

    // A file that holds no certificate is refused before anything is saved.
    std::fs::write(dir.path().join("notes.txt"), "not a certificate").unwrap();
    let out = run(
        dir.path(),
        &[
            "connect",
            PLAN,
            "--scim-url",
            &scim_url,
            "--ca-cert",
            "notes.txt",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        stderr(&out).contains("holds no certificate"),
        "{}",
        both(&out)
    );
    assert!(!dir.path().join(SESSION).exists());

    // A relative path is saved absolute; the certificate itself is not saved.
    let out = run(
        dir.path(),
        &[
            "connect",
            PLAN,
            "--scim-url",
            &scim_url,
            "--ca-cert",
            "private-ca.pem",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", both(&out));
    assert!(
        stdout(&out).contains(&format!(
            "trusts also: {} (CN=Private Test CA, O=scimplan tests)",
            ca_file.display()
        )),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(dir.path().join(SESSION)).unwrap();
    let session: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        session["verify"]["connection"]["network"]["ca_certs"],
        serde_json::json!([ca_file.display().to_string()])
    );
    assert!(!text.contains("BEGIN CERTIFICATE") && !text.contains("insecure"));

    // doctor: the SCIM app answers with the connection's CA; downloads are plain http here.
    let (downloads, _) = plain_server();
    let profile = profile_with_downloads_at(dir.path(), &downloads);
    let out = doctor(dir.path(), &profile, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("  trusted"), "{text}");
    // With no system store at all, the connection's CA is still trusted.
    let gone = dir.path().join("no-such-bundle.pem").display().to_string();
    let out = doctor(dir.path(), &profile, &[("SSL_CERT_FILE", &gone)]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(": 0 certificate authorities") && text.contains("no-such-bundle.pem"),
        "{text}"
    );

    // The SCIM client with the same settings reaches the app.
    let network = NetworkSettings::new(&[&ca_file], None).unwrap();
    let exchange = get_users(&scim_client(&scim_url, network));
    assert_eq!(exchange.problem(), None);
    assert_eq!(exchange.status, Some(200));
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /scim/v2/Users")),
        "{:?}",
        server.requests()
    );

    // The Okta org with --ca-cert: the request reaches it.
    let before = server.requests().len();
    let out = run(
        dir.path(),
        &[
            "connect",
            PLAN,
            "--okta-org",
            &server.url("localhost"),
            "--okta-app-id",
            "0oa1",
            "--ca-cert",
            "private-ca.pem",
        ],
        &[],
    );
    assert!(!both(&out).contains("not trusted"), "{}", both(&out));
    assert!(
        server.requests()[before..]
            .iter()
            .any(|r| r.starts_with("GET /api/v1/apps/0oa1")),
        "{}",
        both(&out)
    );
}

#[test]
fn https_proxy_carries_the_requests_and_no_proxy_bypasses_it() {
    let ca = PrivateCa::new("Private Test CA");
    let server = TlsServer::start(&ca);
    let proxy = ConnectProxy::start();
    let dir = tempfile::tempdir().unwrap();
    ca.write_pem(dir.path(), "private-ca.pem");
    connected_plan(
        dir.path(),
        &format!("{}/scim/v2", server.url("localhost")),
        &["--ca-cert", "private-ca.pem"],
    );
    let (downloads, download_count) = plain_server();
    let profile = profile_with_downloads_at(dir.path(), &downloads);
    let tunnel = format!("localhost:{}", server.port);

    for var in ["HTTPS_PROXY", "https_proxy"] {
        let before = proxy.log().len();
        let out = doctor(dir.path(), &profile, &[(var, &proxy.url())]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.contains(&format!("route: through {} ({var})", proxy.url())),
            "{text}"
        );
        assert_eq!(
            proxy.log()[before..],
            *std::slice::from_ref(&tunnel),
            "{var}"
        );
    }

    // NO_PROXY: straight to the app, the proxy sees nothing.
    let before = proxy.log().len();
    let out = doctor(
        dir.path(),
        &profile,
        &[
            ("HTTPS_PROXY", &proxy.url()),
            ("NO_PROXY", "example.com,localhost"),
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("route: direct (NO_PROXY holds localhost)"),
        "{text}"
    );
    assert_eq!(proxy.log().len(), before, "{:?}", proxy.log());

    // HTTP_PROXY is for http URLs (the download site here): sent to the proxy, which refuses.
    let downloads_before = *download_count.lock().unwrap();
    let out = doctor(dir.path(), &profile, &[("HTTP_PROXY", &proxy.url())]);
    assert!(
        proxy
            .log()
            .iter()
            .any(|l| l.starts_with(&format!("refused: GET {downloads}/"))),
        "{:?}\n{}",
        proxy.log(),
        stdout(&out)
    );
    assert_eq!(*download_count.lock().unwrap(), downloads_before);

    // The Okta client goes through the proxy too.
    let before = proxy.log().len();
    let _ = run(
        dir.path(),
        &[
            "connect",
            PLAN,
            "--okta-org",
            &server.url("localhost"),
            "--okta-app-id",
            "0oa1",
            "--ca-cert",
            "private-ca.pem",
        ],
        &[("HTTPS_PROXY", &proxy.url())],
    );
    assert_eq!(proxy.log()[before..], [tunnel], "{:?}", proxy.log());
}

#[test]
fn a_proxy_given_to_connect_replaces_the_environments() {
    let ca = PrivateCa::new("Private Test CA");
    let server = TlsServer::start(&ca);
    let from_env = ConnectProxy::start();
    let given = ConnectProxy::start();
    let dir = tempfile::tempdir().unwrap();
    ca.write_pem(dir.path(), "private-ca.pem");
    connected_plan(
        dir.path(),
        &format!("{}/scim/v2", server.url("localhost")),
        &["--ca-cert", "private-ca.pem", "--proxy", &given.url()],
    );
    let session = std::fs::read_to_string(dir.path().join(SESSION)).unwrap();
    assert!(session.contains(&given.url()), "{session}");
    let (downloads, _) = plain_server();
    let profile = profile_with_downloads_at(dir.path(), &downloads);

    let out = doctor(dir.path(), &profile, &[("HTTPS_PROXY", &from_env.url())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("(--proxy, saved with the connection)"),
        "{text}"
    );
    assert_eq!(given.log(), [format!("localhost:{}", server.port)]);
    assert!(from_env.log().is_empty(), "{:?}", from_env.log());

    // The SCIM client with the same settings, in this process.
    let network =
        NetworkSettings::new(&[dir.path().join("private-ca.pem")], Some(&given.url())).unwrap();
    let exchange = get_users(&scim_client(
        &format!("{}/scim/v2", server.url("localhost")),
        network,
    ));
    assert_eq!(exchange.status, Some(200), "{:?}", exchange.problem());
    assert_eq!(given.log().len(), 2, "{:?}", given.log());
}

#[test]
fn doctor_says_what_does_not_answer_and_prints_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let dead = format!("https://localhost:{}/scim/v2", unused_port());
    connected_plan(dir.path(), &dead, &[]);
    let (downloads, _) = plain_server();
    let profile = profile_with_downloads_at(dir.path(), &downloads);

    let out = doctor(
        dir.path(),
        &profile,
        &[
            ("HTTPS_PROXY", "http://ann:proxy-pass-77@127.0.0.1:9"),
            ("NO_PROXY", "localhost"),
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(text.contains(&format!("SCIM app: {dead}")), "{text}");
    assert!(text.contains("FAILS"), "{text}");
    assert!(
        text.contains("1 of 2 configured endpoints answer; not answering: SCIM app."),
        "{text}"
    );
    assert!(text.contains("Okta org: not connected"), "{text}");
    assert!(text.contains("Runscope API: not configured"), "{text}");
    assert!(text.contains("HTTPS_PROXY=http://…@127.0.0.1:9"), "{text}");
    let all = both(&out);
    assert!(
        !all.contains("proxy-pass-77") && !all.contains(TOKEN),
        "{all}"
    );

    // The Runscope API counts once configured; here it does not answer either.
    let out = run(
        dir.path(),
        &["doctor", PLAN, "--profile", &profile.display().to_string()],
        &[(
            "SCIMPLAN_RUNSCOPE_API",
            &format!("http://127.0.0.1:{}", unused_port()),
        )],
    );
    assert!(
        stdout(&out)
            .contains("1 of 3 configured endpoints answer; not answering: SCIM app, Runscope API."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn credentials_in_urls_are_refused_where_they_would_be_saved() {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &[
                "connect",
                PLAN,
                "--scim-url",
                "http://ann:pw-1@localhost:8000/v2",
            ],
            "pw-1",
            "SCIMPLAN_SCIM_TOKEN",
        ),
        (
            &[
                "connect",
                PLAN,
                "--okta-org",
                "https://ann:pw-2@dev-1.okta.com",
                "--okta-app-id",
                "0oa1",
            ],
            "pw-2",
            "SCIMPLAN_OKTA_TOKEN",
        ),
        (
            &[
                "suites",
                PLAN,
                "--spec-link",
                "https://ann:pw-3@www.runscope.com/radar/b/t/history/r",
            ],
            "pw-3",
            "shareable",
        ),
        (
            &[
                "evidence",
                PLAN,
                "C9290",
                "https://ann:pw-4@example.com/run/1",
            ],
            "pw-4",
            "Nothing was attached",
        ),
        (
            &[
                "connect",
                PLAN,
                "--scim-url",
                "https://app.example.com/scim/v2",
                "--proxy",
                "http://ann:pw-5@proxy.example.com:3128",
            ],
            "pw-5",
            "HTTPS_PROXY",
        ),
    ];
    for (args, secret, instead) in cases {
        let out = run(dir.path(), args, &[]);
        let text = both(&out);
        assert!(!out.status.success(), "{args:?} was accepted: {text}");
        assert!(
            text.contains("user:password@") && text.contains(instead),
            "{args:?}: {text}"
        );
        assert!(
            !text.contains(secret),
            "{args:?} repeated the secret: {text}"
        );
        let session = std::fs::read_to_string(dir.path().join(SESSION)).unwrap_or_default();
        assert!(!session.contains(secret), "{args:?} saved it: {session}");
    }
}
