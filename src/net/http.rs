//! Sending a request and judging what came back, with Okta's limits: a request that a cancel
//! does not wait for, its answer (or why there is none) as an `Exchange`. The SCIM client
//! (`scim::ScimClient`) and `PlainClient` share it, so they judge answers alike; the Okta
//! client uses the same cancellable sender.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::cancel::CancelFlag;
use super::client::{HttpSettings, SetupError, build_client};
use super::trust::certificate_refused;
use crate::session::NetworkSettings;

/// Okta gives up on a SCIM request after 60 s; so do we.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// One HTTP request and its answer, as seen by whoever judges it (a check, a Runscope step).
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
    /// What became of the request.
    pub fate: Fate,
    /// The wait a 429 or 503 asked for.
    pub retry_after: Option<Duration>,
    /// The answer's headers, in order (Runscope's `response_headers` source).
    pub response_headers: Vec<(String, String)>,
}

/// What became of one request, so callers match on it instead of reading flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// A complete answer arrived.
    Answered,
    /// An answer arrived that cannot be used as it is (a redirect to another host, a body that
    /// broke off, a 429 whose wait ends past the deadline).
    Unusable(String),
    /// Cut short by the deadline: not sent, or no complete answer in time.
    TimedOut(String),
    /// The request could not be made at all (refused, TLS, DNS): polling will not help.
    Unreachable(String),
    /// The tester cancelled before the app answered.
    Cancelled,
}

impl Fate {
    /// What went wrong, when something did.
    pub fn problem(&self) -> Option<&str> {
        match self {
            Fate::Answered => None,
            Fate::Unusable(why) | Fate::TimedOut(why) | Fate::Unreachable(why) => Some(why),
            Fate::Cancelled => Some("cancelled before the app answered"),
        }
    }
}

impl Exchange {
    /// A request about to be sent: nothing answered yet.
    pub fn unsent(method: &str, url: &str, body: Option<&str>) -> Exchange {
        Exchange {
            method: method.to_string(),
            url: url.to_string(),
            status: None,
            duration: Duration::ZERO,
            content_type: None,
            request_body: body.map(str::to_string),
            body: String::new(),
            json: None,
            fate: Fate::Answered,
            retry_after: None,
            response_headers: Vec::new(),
        }
    }

    /// What went wrong, when something did.
    pub fn problem(&self) -> Option<&str> {
        self.fate.problem()
    }

    pub fn unreachable(&self) -> bool {
        matches!(self.fate, Fate::Unreachable(_))
    }

    pub fn timed_out(&self) -> bool {
        matches!(self.fate, Fate::TimedOut(_))
    }
}

/// An HTTP client that sends a request exactly as a Runscope step describes it: the absolute
/// URL, only the headers the step names, its body; no auth, user agent or content type added,
/// no retry (a 429 is returned like any answer). reqwest adds `accept: */*` only when a step
/// names no `Accept`, and what HTTP itself needs (`host`, `content-length`).
pub struct PlainClient {
    http: reqwest::blocking::Client,
}

impl PlainClient {
    /// Reaching servers as the system and the environment say.
    pub fn new() -> Result<PlainClient, SetupError> {
        PlainClient::with_network(&NetworkSettings::default())
    }

    /// Reaching servers with a connection's CA files and proxy too.
    pub fn with_network(network: &NetworkSettings) -> Result<PlainClient, SetupError> {
        let http = build_client(&HttpSettings {
            user_agent: false,
            ..HttpSettings::api(REQUEST_TIMEOUT).with_network(network)
        })?;
        Ok(PlainClient { http })
    }

    /// Sends once. The body and problems are kept as they came: redact before recording.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
        deadline: Instant,
        cancel: &CancelFlag,
    ) -> Exchange {
        let mut exchange = Exchange::unsent(method, url, body);
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            exchange.fate = Fate::TimedOut("not sent: the deadline has passed".into());
            return exchange;
        }
        let Ok(http_method) = reqwest::Method::from_bytes(method.as_bytes()) else {
            exchange.fate = Fate::Unreachable(format!("'{method}' is not an HTTP method"));
            return exchange;
        };
        if let Err(e) = reqwest::Url::parse(url) {
            exchange.fate = Fate::Unreachable(format!("'{url}' is not a URL ({e})"));
            return exchange;
        }
        let mut request = self
            .http
            .request(http_method, url)
            .timeout(remaining.min(REQUEST_TIMEOUT));
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(text) = body {
            request = request.body(text.to_string());
        }
        receive(
            &mut exchange,
            request,
            cancel,
            remaining,
            "where they were sent",
            &|text: &str| text.to_string(),
        );
        exchange
    }
}

/// Sends `request` and fills `exchange` with what became of it: the answer (its body through
/// `redact`), or why there is none. Shared by the SCIM client and `PlainClient` so they judge
/// answers alike.
pub(crate) fn receive(
    exchange: &mut Exchange,
    request: reqwest::blocking::RequestBuilder,
    cancel: &CancelFlag,
    remaining: Duration,
    credentials_stay_with: &str,
    redact: &dyn Fn(&str) -> String,
) {
    let started = Instant::now();
    let Some(result) = send_cancellable(request, cancel) else {
        exchange.fate = Fate::Cancelled;
        exchange.duration = started.elapsed();
        return;
    };
    match result {
        Ok(answer) => {
            exchange.status = Some(answer.status);
            exchange.content_type = answer.content_type;
            exchange.retry_after = answer.retry_after;
            exchange.response_headers = answer.headers;
            if (300..400).contains(&answer.status) {
                exchange.fate = Fate::Unusable(format!(
                    "redirected to {}, another host: not followed, so the credentials stay {}",
                    answer.location.as_deref().unwrap_or("?"),
                    credentials_stay_with
                ));
            }
            match answer.text {
                Ok(text) => {
                    exchange.json = serde_json::from_str(&text).ok();
                    exchange.body = redact(&text);
                }
                Err(e) => {
                    let why = format!("the body did not arrive: {}", describe_error(&e, remaining));
                    exchange.fate = if e.is_timeout() {
                        Fate::TimedOut(why)
                    } else {
                        Fate::Unusable(why)
                    };
                }
            }
        }
        Err(e) => {
            let why = describe_error(&e, remaining);
            exchange.fate = if e.is_timeout() {
                Fate::TimedOut(why)
            } else if e.is_connect() || e.is_builder() {
                Fate::Unreachable(why)
            } else {
                Fate::Unusable(why)
            };
        }
    }
    exchange.duration = started.elapsed();
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
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<Duration>,
    pub location: Option<String>,
    /// Every header, names in lower case (the Okta client reads rate limits and `Link`).
    pub headers: Vec<(String, String)>,
    pub text: Result<String, reqwest::Error>,
}

/// Sends on a thread of its own so that cancelling does not wait for a slow app: `None` when
/// cancelled first. The abandoned request still ends at its own timeout.
pub(crate) fn send_cancellable(
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
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            Answer {
                status: response.status().as_u16(),
                content_type,
                retry_after,
                location,
                headers,
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
    } else if let Some(refused) = certificate_refused(error) {
        format!("cannot connect: {refused}")
    } else if error.is_connect() {
        let cause = root_cause(error);
        // rustls's wording is cryptic; say what usually causes it.
        let hint = if cause.contains("InvalidContentType") || cause.contains("corrupt message") {
            " (the server does not seem to speak https on this port: is the URL http://?)"
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

/// The innermost cause of an error (reqwest's outer messages say little); a refused
/// certificate as `trust` words it.
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    if let Some(refused) = certificate_refused(error) {
        return refused.to_string();
    }
    let mut source = error;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// An error and every cause under it, joined by `: ` (a refused certificate as `trust` words
/// it, after the outermost message).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    if let Some(refused) = certificate_refused(error) {
        return format!("{error}: {refused}");
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
