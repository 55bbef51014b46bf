//! Building the `reqwest` clients: every client scimplan uses comes from `build_client`, so a
//! setting that concerns all HTTP (timeouts, redirects, user agent, which certificates are
//! trusted, which proxy) is made here once.

use std::time::Duration;

use thiserror::Error;

use super::proxy::Proxies;
use super::trust::{TlsObserver, tls_config};
use crate::session::NetworkSettings;

/// Every request's connection attempt gives up after this.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Downloads of Okta's public files (a workbook, a test file) may take this long in all.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// A client could not be set up (TLS back end, settings).
#[derive(Debug, Error)]
#[error("cannot set up HTTP: {0}")]
pub struct SetupError(String);

/// Which redirects a client follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// Only within the same scheme, host and port, at most five: a credential never reaches
    /// another host. For every client that signs its requests.
    SameOrigin,
    /// Any host, up to ten (reqwest's default): for public downloads that carry no credential.
    Any,
}

/// How one client is set up.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The longest a request may take in all (a request may ask for less).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub redirects: Redirects,
    /// Sends `User-Agent: scimplan/VERSION`; off for requests that must go out exactly as
    /// described (a Runscope step names its own headers).
    pub user_agent: bool,
    /// Headers every request carries (the SCIM client's `Accept`).
    pub default_headers: reqwest::header::HeaderMap,
    /// The connection's extra CA files and proxy (`connect --ca-cert/--proxy`); the rest comes
    /// from the system and the environment.
    pub network: NetworkSettings,
    /// Receives every certificate chain a server presents (`doctor`).
    pub observer: Option<TlsObserver>,
}

impl HttpSettings {
    /// A client for an API that is signed in to: same-origin redirects only.
    pub fn api(timeout: Duration) -> HttpSettings {
        HttpSettings {
            timeout,
            connect_timeout: CONNECT_TIMEOUT,
            redirects: Redirects::SameOrigin,
            user_agent: true,
            default_headers: reqwest::header::HeaderMap::new(),
            network: NetworkSettings::default(),
            observer: None,
        }
    }

    /// The same, reaching the server as a connection says (its CA files and proxy).
    pub fn with_network(self, network: &NetworkSettings) -> HttpSettings {
        HttpSettings {
            network: network.clone(),
            ..self
        }
    }

    /// A client for downloading a public file: redirects followed anywhere.
    pub fn download() -> HttpSettings {
        HttpSettings {
            redirects: Redirects::Any,
            ..HttpSettings::api(DOWNLOAD_TIMEOUT)
        }
    }
}

/// The one place a `reqwest` client is built. Certificates are checked against the system's
/// trust store and the connection's CA files (`trust`); the proxy is chosen per URL by
/// `proxy::Proxies` (the connection's `--proxy`, else the environment's variables).
pub fn build_client(settings: &HttpSettings) -> Result<reqwest::blocking::Client, SetupError> {
    let tls = tls_config(&settings.network.ca_certs, settings.observer.clone()).map_err(|why| {
        SetupError(format!(
            "{why}. Connect again with the file's current path, or without --ca-cert."
        ))
    })?;
    let proxies = Proxies::new(settings.network.proxy.as_deref()).map_err(SetupError)?;
    let mut builder = reqwest::blocking::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .default_headers(settings.default_headers.clone())
        .tls_backend_preconfigured(tls)
        // Replaces reqwest's own reading of the environment, so `doctor` reports the same choice.
        .proxy(reqwest::Proxy::custom(move |url| {
            proxies.route(url).proxy().cloned()
        }));
    if settings.user_agent {
        builder = builder.user_agent(concat!("scimplan/", env!("CARGO_PKG_VERSION")));
    }
    if settings.redirects == Redirects::SameOrigin {
        builder = builder.redirect(same_origin_redirects());
    }
    builder.build().map_err(|e| SetupError(e.to_string()))
}

/// Follows redirects only within the same scheme, host and port: the auth header must never
/// reach another host.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        let same_origin = first.scheme() == attempt.url().scheme()
            && first.host_str() == attempt.url().host_str()
            && first.port_or_known_default() == attempt.url().port_or_known_default();
        if !same_origin || attempt.previous().len() > 5 {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use super::*;

    /// A server on this machine that answers `count` requests with `answer`.
    fn serve(count: usize, answer: impl Fn() -> String + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(count) {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                    line.clear();
                }
                stream.write_all(answer().as_bytes()).unwrap();
            }
        });
        format!("http://127.0.0.1:{port}")
    }

    #[test]
    fn signed_in_clients_stay_on_their_host_and_downloads_follow_anywhere() {
        let elsewhere = serve(1, || {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".into()
        });
        let origin = serve(2, move || {
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {elsewhere}/file\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        });

        let api = build_client(&HttpSettings::api(Duration::from_secs(5))).unwrap();
        let answer = api.get(format!("{origin}/a")).send().unwrap();
        assert_eq!(answer.status().as_u16(), 302, "followed to another host");

        let download = build_client(&HttpSettings::download()).unwrap();
        let answer = download.get(format!("{origin}/b")).send().unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        assert_eq!(answer.text().unwrap(), "ok");
    }
}
