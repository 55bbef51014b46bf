//! The connection to the app's SCIM API: settings kept in the session, the secret kept in memory,
//! and an HTTP client with Okta's limits.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::VerifyError;
use super::cancel::CancelFlag;

/// The environment variable holding the bearer token or the named header's value.
pub const TOKEN_ENV: &str = "SCIMPLAN_SCIM_TOKEN";
/// The environment variable holding the Basic auth password.
pub const PASSWORD_ENV: &str = "SCIMPLAN_SCIM_PASSWORD";

/// Okta gives up on a SCIM request after 60 s; so do we.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const SCIM_JSON: &str = "application/scim+json";

/// How the app's SCIM API authenticates Okta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "scheme")]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic ...` with the session's username and a password.
    Basic,
    /// A custom header carrying the token, e.g. `X-API-Key`.
    Header { name: String },
}

impl AuthScheme {
    /// Reads `bearer`, `basic` or `header:NAME`.
    pub fn parse(text: &str) -> Result<AuthScheme, VerifyError> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "bearer" => Ok(AuthScheme::Bearer),
            "basic" => Ok(AuthScheme::Basic),
            _ => match text.trim().split_once(':') {
                Some((kind, name))
                    if kind.eq_ignore_ascii_case("header")
                        && reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
                            .is_ok() =>
                {
                    Ok(AuthScheme::Header {
                        name: name.trim().to_string(),
                    })
                }
                _ => Err(VerifyError::Settings(format!(
                    "'{text}' is not an auth scheme. Use bearer, basic or header:NAME (e.g. header:X-API-Key)."
                ))),
            },
        }
    }

    pub fn label(&self) -> String {
        match self {
            AuthScheme::Bearer => "bearer".into(),
            AuthScheme::Basic => "basic".into(),
            AuthScheme::Header { name } => format!("header:{name}"),
        }
    }

    /// The environment variable the secret of this scheme is read from.
    pub fn secret_env(&self) -> &'static str {
        match self {
            AuthScheme::Basic => PASSWORD_ENV,
            _ => TOKEN_ENV,
        }
    }
}

/// The settings of the connection that are not secret; stored in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The SCIM base URL, e.g. `https://app.example.com/scim/v2` (no trailing slash).
    pub base_url: String,
    pub auth: AuthScheme,
    /// The Basic auth username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl Connection {
    pub fn new(
        base_url: &str,
        auth: AuthScheme,
        username: Option<String>,
    ) -> Result<Connection, VerifyError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let url = reqwest::Url::parse(trimmed).map_err(|e| {
            VerifyError::Settings(format!(
                "'{base_url}' is not a URL ({e}). Give the SCIM base URL, e.g. https://app.example.com/scim/v2"
            ))
        })?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(VerifyError::Settings(format!(
                "'{base_url}' is not an http(s) URL. Give the SCIM base URL, e.g. https://app.example.com/scim/v2"
            )));
        }
        if auth == AuthScheme::Basic && username.as_deref().is_none_or(str::is_empty) {
            return Err(VerifyError::Settings(
                "Basic auth needs a username: add --username NAME (the password comes from SCIMPLAN_SCIM_PASSWORD)."
                    .into(),
            ));
        }
        Ok(Connection {
            base_url: trimmed.to_string(),
            auth,
            username,
        })
    }

    /// A warning when the secret would travel unencrypted to another machine (plain http is
    /// fine for a test server on this one).
    pub fn plain_http_warning(&self) -> Option<String> {
        let url = reqwest::Url::parse(&self.base_url).ok()?;
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let local = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        (url.scheme() == "http" && !local).then(|| {
            format!(
                "{} is plain http: the secret would travel unencrypted. Use https unless this is a local test server.",
                self.base_url
            )
        })
    }

    /// How the connection authenticates, for messages: `bearer`, `basic as ann`, `header:X-Key`.
    pub fn describe_auth(&self) -> String {
        match &self.username {
            Some(user) if self.auth == AuthScheme::Basic => format!("basic as {user}"),
            _ => self.auth.label(),
        }
    }
}

/// A token or password, held in memory only: never serialized, never printed.
#[derive(Clone)]
pub struct Secret {
    value: String,
    /// Other spellings of the secret that may show up in text (Basic's base64 credentials).
    forms: Vec<String>,
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret {
            value: value.into(),
            forms: Vec::new(),
        }
    }

    /// The secret of `scheme` from its environment variable.
    pub fn from_env(scheme: &AuthScheme) -> Result<Secret, VerifyError> {
        let var = scheme.secret_env();
        match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
            _ => Err(VerifyError::MissingSecret { var }),
        }
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Also redacts the base64 `user:secret` a Basic header carries.
    fn with_basic_form(mut self, username: &str) -> Secret {
        self.forms
            .push(base64(format!("{username}:{}", self.value).as_bytes()));
        self
    }

    /// `text` with every occurrence of the secret replaced.
    pub fn redact(&self, text: &str) -> String {
        if self.value.len() < 4 {
            return text.to_string();
        }
        let mut out = text.replace(&self.value, "[redacted]");
        for form in &self.forms {
            out = out.replace(form, "[redacted]");
        }
        out
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// One HTTP request and its answer, as seen by the check engine.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub duration: Duration,
    pub content_type: Option<String>,
    pub request_body: Option<String>,
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
    /// What went wrong when there is no usable answer (timeout, refused, redirect...).
    pub error: Option<String>,
    /// The request could not be made at all (refused, TLS, DNS): polling will not help.
    pub fatal: bool,
    /// The wait a 429 or 503 asked for.
    pub retry_after: Option<Duration>,
    /// Cut short by the deadline (not sent, or no complete answer in time).
    pub timed_out: bool,
}

/// An HTTP client for one SCIM API, with Okta's limits.
pub struct ScimClient {
    http: reqwest::blocking::Client,
    connection: Connection,
    secret: Secret,
}

impl ScimClient {
    pub fn new(connection: &Connection, secret: &Secret) -> Result<ScimClient, VerifyError> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static(SCIM_JSON),
        );
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("scimplan/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(same_origin_redirects())
            .https_only(false)
            .build()
            .map_err(|e| VerifyError::Settings(format!("cannot set up HTTP: {e}")))?;
        let secret = match (&connection.auth, &connection.username) {
            (AuthScheme::Basic, Some(user)) => secret.clone().with_basic_form(user),
            _ => secret.clone(),
        };
        Ok(ScimClient {
            http,
            connection: connection.clone(),
            secret,
        })
    }

    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    pub fn base_url(&self) -> &str {
        &self.connection.base_url
    }

    /// Sends a request with the configured auth; on 429 waits for `Retry-After` and retries as
    /// long as the wait ends before `deadline`. Every answer, 429s included, is returned.
    pub fn send(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
        deadline: Instant,
        cancel: &CancelFlag,
    ) -> Vec<Exchange> {
        self.send_with(method, path_and_query, body, deadline, cancel, true)
    }

    /// Like `send`, with the auth header left out or replaced by a wrong one (SPEC check 10).
    pub fn send_with(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
        deadline: Instant,
        cancel: &CancelFlag,
        authenticated: bool,
    ) -> Vec<Exchange> {
        let mut exchanges = Vec::new();
        let mut backoff = Duration::from_secs(1);
        loop {
            let exchange = self.send_once(
                method,
                path_and_query,
                body,
                deadline,
                authenticated,
                cancel,
            );
            if exchange.status != Some(429) {
                exchanges.push(exchange);
                return exchanges;
            }
            let wait = exchange.retry_after.unwrap_or(backoff);
            backoff = (backoff * 2).min(Duration::from_secs(30));
            let now = Instant::now();
            if now + wait >= deadline {
                let mut last = exchange;
                last.error = Some(format!(
                    "429 Too Many Requests: the app asked to wait {} s, past the check's deadline",
                    wait.as_secs_f32().ceil()
                ));
                exchanges.push(last);
                return exchanges;
            }
            exchanges.push(exchange);
            if !cancel.sleep(wait) {
                return exchanges;
            }
        }
    }

    fn send_once(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
        deadline: Instant,
        authenticated: bool,
        cancel: &CancelFlag,
    ) -> Exchange {
        let url = format!("{}{}", self.connection.base_url, path_and_query);
        let request_body = body.map(|b| b.to_string());
        let mut exchange = Exchange {
            method: method.to_string(),
            url: url.clone(),
            status: None,
            duration: Duration::ZERO,
            content_type: None,
            request_body: request_body.clone(),
            body: String::new(),
            json: None,
            error: None,
            fatal: false,
            retry_after: None,
            timed_out: false,
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            exchange.error = Some("not sent: the check's deadline has passed".into());
            exchange.timed_out = true;
            return exchange;
        }
        let Ok(http_method) = reqwest::Method::from_bytes(method.as_bytes()) else {
            exchange.error = Some(format!("'{method}' is not an HTTP method"));
            exchange.fatal = true;
            return exchange;
        };
        let mut request = self
            .http
            .request(http_method, &url)
            .timeout(remaining.min(REQUEST_TIMEOUT));
        if let Some(text) = request_body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, SCIM_JSON)
                .body(text);
        }
        request = if authenticated {
            self.authorize(request)
        } else {
            request.bearer_auth("scimplan-wrong-token")
        };
        let started = Instant::now();
        let Some(result) = send_cancellable(request, cancel) else {
            exchange.error = Some("cancelled before the app answered".into());
            exchange.duration = started.elapsed();
            return exchange;
        };
        match result {
            Ok(answer) => {
                exchange.status = Some(answer.status);
                exchange.content_type = answer.content_type;
                exchange.retry_after = answer.retry_after;
                if (300..400).contains(&answer.status) {
                    exchange.error = Some(format!(
                        "redirected to {}, another host: not followed, so the credentials stay with {}",
                        answer.location.as_deref().unwrap_or("?"),
                        self.connection.base_url
                    ));
                }
                match answer.text {
                    Ok(text) => {
                        exchange.json = serde_json::from_str(&text).ok();
                        exchange.body = self.secret.redact(&text);
                    }
                    Err(e) => {
                        exchange.timed_out = e.is_timeout();
                        exchange.error = Some(format!(
                            "the body did not arrive: {}",
                            describe_error(&e, remaining)
                        ));
                    }
                }
            }
            Err(e) => {
                exchange.error = Some(describe_error(&e, remaining));
                exchange.timed_out = e.is_timeout();
                exchange.fatal = e.is_connect() || e.is_builder();
            }
        }
        exchange.duration = started.elapsed();
        exchange
    }

    fn authorize(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> reqwest::blocking::RequestBuilder {
        match &self.connection.auth {
            AuthScheme::Bearer => request.bearer_auth(self.secret.expose()),
            AuthScheme::Basic => request.basic_auth(
                self.connection.username.as_deref().unwrap_or_default(),
                Some(self.secret.expose()),
            ),
            AuthScheme::Header { name } => request.header(name.as_str(), self.secret.expose()),
        }
    }
}

/// Standard base64 with padding (RFC 4648), as in a Basic Authorization header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
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

/// `Retry-After` holds seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let secs = (at.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// What came back for one request, read on the request's own thread.
struct Answer {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<Duration>,
    location: Option<String>,
    text: Result<String, reqwest::Error>,
}

/// Sends on a thread of its own so that cancelling does not wait for a slow app: `None` when
/// cancelled first. The abandoned request still ends at its own timeout.
fn send_cancellable(
    request: reqwest::blocking::RequestBuilder,
    cancel: &CancelFlag,
) -> Option<Result<Answer, reqwest::Error>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = request.send().map(|response| {
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header(reqwest::header::CONTENT_TYPE);
            let retry_after = header(reqwest::header::RETRY_AFTER)
                .as_deref()
                .and_then(parse_retry_after);
            let location = header(reqwest::header::LOCATION);
            Answer {
                status: response.status().as_u16(),
                content_type,
                retry_after,
                location,
                text: response.text(),
            }
        });
        let _ = tx.send(result);
    });
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(result) => return Some(result),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if !cancel.is_cancelled() => {}
            Err(_) => return None,
        }
    }
}

fn describe_error(error: &reqwest::Error, allowed: Duration) -> String {
    if error.is_timeout() {
        format!(
            "no answer within {:.1} s (the check's deadline or Okta's 60 s limit)",
            allowed.min(REQUEST_TIMEOUT).as_secs_f32()
        )
    } else if error.is_connect() {
        let cause = root_cause(error);
        // rustls's wording is cryptic; say what usually causes it.
        let hint = if cause.contains("InvalidContentType") || cause.contains("corrupt message") {
            " (the server does not seem to speak https on this port: is the URL http://?)"
        } else if cause.contains("certificate") {
            " (the app's TLS certificate is not trusted; scimplan checks certificates, as Okta does)"
        } else {
            ""
        };
        format!(
            "cannot connect: {cause}{hint}. Check the SCIM base URL and that the app is reachable."
        )
    } else {
        format!("request failed: {}", root_cause(error))
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut source = error;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_schemes_parse_and_reject_nonsense() {
        assert_eq!(AuthScheme::parse("Bearer").unwrap(), AuthScheme::Bearer);
        assert_eq!(AuthScheme::parse("basic").unwrap(), AuthScheme::Basic);
        assert_eq!(
            AuthScheme::parse("header:X-API-Key").unwrap(),
            AuthScheme::Header {
                name: "X-API-Key".into()
            }
        );
        let err = AuthScheme::parse("oauth").unwrap_err().to_string();
        assert!(
            err.contains("'oauth'") && err.contains("header:NAME"),
            "{err}"
        );
        assert!(AuthScheme::parse("header:bad name").is_err());
    }

    #[test]
    fn connection_needs_a_url_and_a_basic_username() {
        assert!(Connection::new("not a url", AuthScheme::Bearer, None).is_err());
        assert!(Connection::new("ftp://x", AuthScheme::Bearer, None).is_err());
        assert!(Connection::new("https://x/scim/v2", AuthScheme::Basic, None).is_err());
        let c = Connection::new("https://x/scim/v2/", AuthScheme::Bearer, None).unwrap();
        assert_eq!(c.base_url, "https://x/scim/v2");
    }

    #[test]
    fn plain_http_is_flagged_only_off_this_machine() {
        let warn = |url: &str| {
            Connection::new(url, AuthScheme::Bearer, None)
                .unwrap()
                .plain_http_warning()
        };
        for local in [
            "http://localhost:8000/scim",
            "http://127.0.0.1:9/scim",
            "http://127.8.0.1/scim",
            "http://[::1]:8000/scim",
            "https://app.example.com/scim",
        ] {
            assert_eq!(warn(local), None, "{local}");
        }
        let remote = warn("http://app.example.com/scim").expect("a warning");
        assert!(remote.contains("plain http"), "{remote}");
    }

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("s3cr3t-token");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(secret.redact("a s3cr3t-token b"), "a [redacted] b");
        let basic = secret.with_basic_form("okta");
        assert_eq!(base64(b"okta:s3cr3t-token"), "b2t0YTpzM2NyM3QtdG9rZW4=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(
            basic.redact("Basic b2t0YTpzM2NyM3QtdG9rZW4="),
            "Basic [redacted]"
        );
    }
}
