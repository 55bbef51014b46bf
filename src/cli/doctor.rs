//! `scimplan doctor [PLAN]`: what a tester sends a colleague when a server cannot be reached.
//! The trust store in use and the extra CA files, the proxy variables and the route chosen per
//! host, and for each configured endpoint (the SCIM app, the Okta org, Okta's download site,
//! the Runscope API) whether it answers, the certificates it presented and what failed. No
//! credential is sent and no secret printed. Also the `--ca-cert`/`--proxy` checks of
//! `connect`, which print the same lines.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;

use super::common::{Common, EXIT_FINDING, Failure, usage_error};
use super::open::open_to_read;
use crate::net::http::error_chain;
use crate::net::proxy::{Proxies, proxy_env, shown};
use crate::net::trust::{self, TlsObserver, describe_ca_file, system_store};
use crate::net::{HttpSettings, Redirects, build_client};
use crate::plan::Profile;
// The hosted Runscope client's API address and token; the API counts as configured when
// either is set.
use crate::runscope::hosted::{API_ENV as RUNSCOPE_API_ENV, TOKEN_ENV as RUNSCOPE_TOKEN_ENV};
use crate::session::{NetworkSettings, refuse_credentials};

/// How long one endpoint may take to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// `connect --ca-cert/--proxy` checked before anything is saved: the proxy's form and every CA
/// file read.
pub(super) fn network_settings(
    ca_certs: &[PathBuf],
    proxy: Option<&str>,
) -> Result<NetworkSettings, Failure> {
    let network = NetworkSettings::new(ca_certs, proxy)?;
    for path in &network.ca_certs {
        describe_ca_file(path, "given with --ca-cert").map_err(usage_error)?;
    }
    Ok(network)
}

/// The lines `connect` prints for what it saved of the network settings.
pub(super) fn print_network(network: &NetworkSettings) {
    for line in network_lines(network) {
        println!("{line}");
    }
}

/// `connect` saves the connection as given: says when that dropped CA files or a proxy saved
/// with it before.
pub(super) fn note_dropped(before: &NetworkSettings, now: &NetworkSettings) {
    let dropped: Vec<String> = before
        .ca_certs
        .iter()
        .filter(|path| !now.ca_certs.contains(path))
        .map(|path| format!("--ca-cert {path}"))
        .chain(
            before
                .proxy
                .iter()
                .filter(|_| now.proxy.is_none())
                .map(|proxy| format!("--proxy {proxy}")),
        )
        .collect();
    if !dropped.is_empty() {
        eprintln!(
            "note: no longer saved with this connection: {} (give them to connect again to keep them).",
            dropped.join(", ")
        );
    }
}

fn network_lines(network: &NetworkSettings) -> Vec<String> {
    let mut lines = Vec::new();
    for path in &network.ca_certs {
        match describe_ca_file(path, "saved with --ca-cert") {
            Ok(certs) => {
                let names: Vec<&str> = certs.iter().map(|c| c.subject.as_str()).collect();
                lines.push(format!("trusts also: {path} ({})", names.join("; ")));
            }
            Err(why) => lines.push(format!("trusts also: {path}: CANNOT BE USED: {why}")),
        }
    }
    if let Some(proxy) = &network.proxy {
        lines.push(format!(
            "proxy: {proxy} (in place of HTTPS_PROXY/HTTP_PROXY; NO_PROXY still applies)"
        ));
    }
    lines
}

/// One server scimplan talks to.
struct Endpoint {
    name: &'static str,
    url: String,
    network: NetworkSettings,
    redirects: Redirects,
}

/// What became of asking one endpoint.
struct Probe {
    answered: bool,
    lines: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The plan workbook, for its session's SCIM app and Okta org.
    pub plan: Option<PathBuf>,
}

/// `scimplan doctor [PLAN]`: 0 when every configured endpoint answers, 1 otherwise.
pub fn run(common: &Common, args: DoctorArgs) -> Result<u8, Failure> {
    let plan = args.plan.as_deref();
    let (profile, scim, okta) = match plan {
        Some(plan) => {
            let ws = open_to_read(plan, common)?;
            let verify = ws.session().verify();
            (
                ws.profile.clone(),
                verify.connection.clone(),
                verify.okta.clone(),
            )
        }
        None => {
            let profile = match &common.profile {
                Some(path) => Profile::load(path)?,
                None => Profile::builtin(),
            };
            (profile, None, None)
        }
    };

    println!(
        "scimplan {} doctor: how scimplan reaches its servers. No credential is sent and no secret is printed.",
        env!("CARGO_PKG_VERSION")
    );
    println!();
    println!("Trust");
    let store = system_store();
    match store.authorities {
        Some(count) => println!(
            "  system trust store: {}: {count} certificate authorities",
            store.source
        ),
        None => println!("  system trust store: {}", store.source),
    }
    for problem in &store.problems {
        println!("  problem: {problem}");
    }
    println!(
        "  Checking cannot be turned off. To trust another authority: the system store, SSL_CERT_FILE, or `scimplan connect PLAN ... --ca-cert FILE`."
    );
    println!();
    println!("Proxy variables");
    let env = proxy_env();
    if env.is_empty() {
        println!("  none set (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, in either case)");
    }
    for (name, value) in env {
        println!("  {name}={value}");
    }

    let mut endpoints = Vec::new();
    let mut absent = Vec::new();
    match &scim {
        Some(c) => endpoints.push(Endpoint {
            name: "SCIM app",
            url: c.base_url.clone(),
            network: c.network.clone(),
            redirects: Redirects::SameOrigin,
        }),
        None if plan.is_some() => absent.push((
            "SCIM app",
            "not connected: scimplan connect PLAN --scim-url URL".to_string(),
        )),
        None => absent.push((
            "SCIM app",
            "give PLAN to check the session's connections".into(),
        )),
    }
    match &okta {
        Some(c) => endpoints.push(Endpoint {
            name: "Okta org",
            url: c.org_url.clone(),
            network: c.network.clone(),
            redirects: Redirects::SameOrigin,
        }),
        None if plan.is_some() => absent.push((
            "Okta org",
            "not connected: scimplan connect PLAN --okta-org URL --okta-app-id ID".to_string(),
        )),
        None => absent.push((
            "Okta org",
            "give PLAN to check the session's connections".into(),
        )),
    }
    // One probe per origin Okta's files come from (they are all on one site today).
    let mut origins: Vec<String> = Vec::new();
    let urls = profile
        .workbooks
        .iter()
        .map(|w| &w.url)
        .chain(profile.test_files.iter().map(|f| &f.url));
    for url in urls {
        let Ok(parsed) = url::Url::parse(url) else {
            continue;
        };
        let origin = parsed.origin().ascii_serialization();
        if !origins.contains(&origin) {
            origins.push(origin);
            endpoints.push(Endpoint {
                name: "Okta's download site",
                url: url.clone(),
                network: NetworkSettings::default(),
                redirects: Redirects::Any,
            });
        }
    }
    let runscope_api = std::env::var(RUNSCOPE_API_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|_| crate::runscope::hosted::api_base());
    let runscope_token = std::env::var_os(RUNSCOPE_TOKEN_ENV).is_some();
    if runscope_api.is_some() || runscope_token {
        let none = NetworkSettings::default();
        let okta_network = okta.as_ref().map(|c| &c.network).unwrap_or(&none);
        let scim_network = scim.as_ref().map(|c| &c.network).unwrap_or(&none);
        endpoints.push(Endpoint {
            name: "Runscope API",
            url: runscope_api.unwrap_or_else(crate::runscope::hosted::api_base),
            network: okta_network.merged(scim_network),
            redirects: Redirects::SameOrigin,
        });
    } else {
        absent.push((
            "Runscope API",
            format!("not configured ({RUNSCOPE_TOKEN_ENV} and {RUNSCOPE_API_ENV} are not set)"),
        ));
    }

    let mut failing = Vec::new();
    for endpoint in &endpoints {
        println!();
        println!("{}: {}", endpoint.name, hide_credentials(&endpoint.url));
        let probe = probe(endpoint);
        for line in &probe.lines {
            println!("  {line}");
        }
        if !probe.answered {
            failing.push(endpoint.name);
        }
    }
    for (name, why) in &absent {
        println!();
        println!("{name}: {why}");
    }
    println!();
    let answering = endpoints.len() - failing.len();
    if failing.is_empty() {
        println!("All {} configured endpoints answer.", endpoints.len());
        Ok(0)
    } else {
        println!(
            "{answering} of {} configured endpoints answer; not answering: {}.",
            endpoints.len(),
            failing.join(", ")
        );
        Ok(EXIT_FINDING)
    }
}

/// What the usual failures mean, read from the error's wording; `url` is the server connected
/// to (the proxy, when the request goes through one).
fn in_plain_words(chain: &str, url: &url::Url) -> Option<String> {
    let host = url.host_str().unwrap_or("the host");
    let port = url.port_or_known_default().unwrap_or(0);
    let lower = chain.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        Some(format!(
            "the name {host} does not resolve: check the URL, and whether this network reaches it only through a proxy (HTTPS_PROXY)"
        ))
    } else if lower.contains("connection refused") {
        Some(format!("nothing accepts connections at {host}:{port}"))
    } else if lower.contains("tunnel") {
        Some("the proxy did not open a tunnel to the host".into())
    } else {
        None
    }
}

/// A URL as it may be printed (an old session may hold one with credentials).
fn hide_credentials(url: &str) -> String {
    match refuse_credentials("", url, "") {
        Ok(()) => url.to_string(),
        Err(e) => e.shown,
    }
}

/// Asks `endpoint` once, without credentials: any HTTP answer counts as answering.
fn probe(endpoint: &Endpoint) -> Probe {
    let mut lines = network_lines(&endpoint.network);
    let url = match url::Url::parse(&endpoint.url) {
        Ok(url) => url,
        Err(e) => {
            lines.push(format!(
                "FAILS: '{}' is not a URL ({e})",
                hide_credentials(&endpoint.url)
            ));
            return Probe {
                answered: false,
                lines,
            };
        }
    };
    let via = match Proxies::new(endpoint.network.proxy.as_deref()) {
        Ok(proxies) => {
            let route = proxies.route(&url);
            lines.push(format!("route: {}", route.describe()));
            route.proxy().cloned()
        }
        Err(why) => {
            lines.push(format!("route: cannot be chosen: {why}"));
            None
        }
    };
    let observer = TlsObserver::new();
    let settings = HttpSettings {
        redirects: endpoint.redirects,
        observer: Some(observer.clone()),
        ..HttpSettings::api(PROBE_TIMEOUT).with_network(&endpoint.network)
    };
    let client = match build_client(&settings) {
        Ok(client) => client,
        Err(e) => {
            lines.push(format!("FAILS: {e}"));
            return Probe {
                answered: false,
                lines,
            };
        }
    };
    let started = Instant::now();
    let result = client.get(url.clone()).send();
    let elapsed = started.elapsed();
    for presented in observer.presented() {
        lines.push(format!("TLS: {} presented:", presented.host));
        for (n, cert) in presented.chain.iter().enumerate() {
            lines.push(format!("  {}. {cert}", n + 1));
        }
        lines.push(match &presented.refused {
            None => "  trusted".to_string(),
            Some(_) => "  NOT trusted (below)".to_string(),
        });
    }
    if url.scheme() == "http" {
        lines.push("TLS: none (plain http)".into());
    }
    let answered = match result {
        Ok(response) => {
            lines.push(format!(
                "answers: HTTP {} in {} ms",
                response.status(),
                elapsed.as_millis()
            ));
            true
        }
        Err(e) => {
            let why = match trust::certificate_refused(&e) {
                Some(refused) => refused.to_string(),
                None if e.is_timeout() => format!(
                    "no answer within {} s ({})",
                    PROBE_TIMEOUT.as_secs(),
                    error_chain(&e)
                ),
                None => {
                    let chain = error_chain(&e);
                    match in_plain_words(&chain, via.as_ref().unwrap_or(&url)) {
                        Some(words) => format!("{words}. In detail: {chain}"),
                        None => chain,
                    }
                }
            };
            lines.push(format!("FAILS after {} ms: {why}", elapsed.as_millis()));
            false
        }
    };
    if !answered && let Some(proxy) = &via {
        lines.push(format!(
            "(the request went through the proxy {}: check that it is reachable and lets {} through)",
            shown(proxy),
            url.host_str().unwrap_or("the host")
        ));
    }
    Probe { answered, lines }
}
