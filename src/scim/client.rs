//! The client for the app's SCIM API: its base URL and auth (`session::Connection`, the secret
//! in memory only), Okta's limits (60 s per request, 429 waits within the deadline, same-origin
//! redirects only, requests that a cancel does not wait for), and what is kept of each request.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::net::http::receive;
use crate::net::{
    CancelFlag, Exchange, Fate, HttpSettings, REQUEST_TIMEOUT, Secret, SetupError, build_client,
    cut,
};
use crate::session::{AuthScheme, Connection, RequestRecord};

/// The media type of SCIM's requests and answers (RFC 7644 section 3.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// An HTTP client for one SCIM API, with Okta's limits.
pub struct ScimClient {
    http: reqwest::blocking::Client,
    connection: Connection,
    secret: Secret,
}

impl ScimClient {
    pub fn new(connection: &Connection, secret: &Secret) -> Result<ScimClient, SetupError> {
        let mut settings = HttpSettings::api(REQUEST_TIMEOUT).with_network(&connection.network);
        settings.default_headers.insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static(SCIM_JSON),
        );
        let http = build_client(&settings)?;
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

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn auth(&self) -> &AuthScheme {
        &self.connection.auth
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
                last.fate = Fate::Unusable(format!(
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
        let mut exchange = Exchange::unsent(method, &url, request_body.as_deref());
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            exchange.fate = Fate::TimedOut("not sent: the check's deadline has passed".into());
            return exchange;
        }
        let Ok(http_method) = reqwest::Method::from_bytes(method.as_bytes()) else {
            exchange.fate = Fate::Unreachable(format!("'{method}' is not an HTTP method"));
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
        let redact = |text: &str| self.secret.redact(text);
        let stay = format!("with {}", self.connection.base_url);
        receive(&mut exchange, request, cancel, remaining, &stay, &redact);
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

/// The evidence kept of one SCIM exchange: credentials redacted wherever they appear, bodies
/// cut to the evidence limit.
pub fn request_record(exchange: &Exchange, auth_header: &str, secret: &Secret) -> RequestRecord {
    RequestRecord {
        method: exchange.method.clone(),
        url: secret.redact(&exchange.url),
        status: exchange.status,
        duration_ms: exchange.duration.as_millis() as u64,
        request_headers: vec![
            format!("{auth_header}: [redacted]"),
            format!("Accept: {SCIM_JSON}"),
        ],
        request_body: exchange
            .request_body
            .as_deref()
            .map(|b| cut(&secret.redact(b))),
        content_type: exchange.content_type.clone(),
        response_body: cut(&secret.redact(&exchange.body)),
        error: exchange.problem().map(|e| secret.redact(e)),
    }
}
