//! The HTTP side of the Okta client: auth header, Okta's rate limits (a 429 waits until the
//! reset and says so through the progress callback), `Link` paging, timeouts and cancelling.
//! Requests go through the same cancellable sender as the SCIM client (`net::http`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, OktaError};
use crate::net::http::{root_cause, send_cancellable};
use crate::net::{CancelFlag, HttpSettings, Secret, build_client, cut};
use crate::session::OktaConnection;
use crate::session::verification::RequestRecord;

/// Okta's own API answers in well under this; a slower answer is a problem worth reporting.
pub const OKTA_TIMEOUT: Duration = Duration::from_secs(30);
/// 429s in a row before giving up on one request (each waits for the window's reset, a minute
/// at most on Okta).
pub const MAX_RATE_LIMIT_WAITS: u32 = 5;
/// Pages followed at most for one list (a `Link` loop must not run forever).
const MAX_PAGES: usize = 1000;

/// How requests are signed.
#[derive(Clone, Debug)]
pub enum OktaCredential {
    /// `Authorization: SSWS <token>`.
    ApiToken(Secret),
    /// `Authorization: Bearer <access token>` from an OAuth service app.
    AccessToken(Secret),
}

impl OktaCredential {
    pub fn secret(&self) -> &Secret {
        match self {
            OktaCredential::ApiToken(s) | OktaCredential::AccessToken(s) => s,
        }
    }

    fn header(&self) -> String {
        match self {
            OktaCredential::ApiToken(s) => format!("SSWS {}", s.expose()),
            OktaCredential::AccessToken(s) => format!("Bearer {}", s.expose()),
        }
    }
}

/// Something worth telling the tester while a request waits.
#[derive(Debug, Clone, PartialEq)]
pub enum OktaProgress {
    /// Okta's rate limit for the endpoint is used up: waiting until it resets.
    RateLimited {
        request: String,
        wait: Duration,
        reset_at: DateTime<Utc>,
    },
}

impl OktaProgress {
    pub fn describe(&self) -> String {
        match self {
            OktaProgress::RateLimited {
                request,
                wait,
                reset_at,
            } => format!(
                "Okta's rate limit for {request} is used up: waiting {:.0} s, until {} (not a failure)",
                wait.as_secs_f32().ceil(),
                reset_at.format("%H:%M:%S")
            ),
        }
    }
}

type ProgressFn = Arc<dyn Fn(&OktaProgress) + Send + Sync>;

/// The rate-limit headers of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// Epoch seconds when the window resets.
    pub reset: Option<i64>,
}

/// One answer from Okta (a 2xx: other statuses become `OktaError`s).
#[derive(Debug, Clone)]
pub struct OktaResponse {
    pub status: u16,
    /// Redacted of the credential.
    pub body: String,
    pub json: Option<Value>,
    /// The `Link: <...>; rel="next"` target.
    pub next: Option<String>,
    pub rate: RateLimit,
}

/// A client for one Okta org and app instance.
pub struct OktaClient {
    http: reqwest::blocking::Client,
    org_url: String,
    app_id: String,
    credential: OktaCredential,
    timeout: Duration,
    cancel: CancelFlag,
    progress: Option<ProgressFn>,
    /// Endpoints (path without query) whose window is used up, with its reset (epoch s).
    exhausted: Mutex<HashMap<String, i64>>,
    /// When requests must have ended (a check's deadline): each request's timeout and each
    /// rate-limit wait is cut to what is left.
    deadline: Mutex<Option<Instant>>,
    /// The requests sent since `take_requests`, as evidence (credential redacted).
    sent: Mutex<Vec<RequestRecord>>,
}

impl OktaClient {
    pub fn new(
        connection: &OktaConnection,
        credential: OktaCredential,
    ) -> Result<OktaClient, OktaError> {
        let http = build_client(&HttpSettings::api(OKTA_TIMEOUT).with_network(&connection.network))
            .map_err(|e| OktaError::Setup(e.to_string()))?;
        Ok(OktaClient {
            http,
            org_url: connection.org_url.clone(),
            app_id: connection.app_id.clone(),
            credential,
            timeout: OKTA_TIMEOUT,
            cancel: CancelFlag::new(),
            progress: None,
            exhausted: Mutex::new(HashMap::new()),
            deadline: Mutex::new(None),
            sent: Mutex::new(Vec::new()),
        })
    }

    /// Requests stop (with `OktaError::Cancelled`) when this flag is raised.
    pub fn with_cancel(mut self, cancel: CancelFlag) -> OktaClient {
        self.cancel = cancel;
        self
    }

    /// Called while a request waits (rate limits), from the requesting thread.
    pub fn with_progress(
        mut self,
        progress: impl Fn(&OktaProgress) + Send + Sync + 'static,
    ) -> OktaClient {
        self.progress = Some(Arc::new(progress));
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> OktaClient {
        self.timeout = timeout;
        self
    }

    /// Bounds every request from now on by `deadline` (`None`: the client's own timeout only).
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner()) = deadline;
    }

    /// The requests sent since the last call, oldest first: method, URL, status, timing, the
    /// answer cut to the evidence limit; the credential never (its header is `[redacted]`).
    pub fn take_requests(&self) -> Vec<RequestRecord> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    pub fn org_url(&self) -> &str {
        &self.org_url
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The credential, for redacting text that may hold it.
    pub fn secret(&self) -> &Secret {
        self.credential.secret()
    }

    /// Sends one request to `path` (`/api/v1/...`, or a full URL on the org from a `Link`),
    /// waiting out rate limits. Any status other than 2xx is an error.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<OktaResponse, OktaError> {
        let url = self.url_for(path)?;
        let request_name = format!("{method} {}", display_path(&url));
        let mut waits = 0;
        loop {
            self.wait_if_exhausted(&url, &request_name)?;
            let began = Instant::now();
            let sent = self.send_once(method, &url, body, &request_name);
            self.note_request(method, &url, body, began, &sent);
            let answer = sent?;
            let rate = rate_limit(&answer.headers);
            self.note_rate(&url, &rate);
            if answer.status == 429 {
                if waits >= MAX_RATE_LIMIT_WAITS {
                    return Err(OktaError::RateLimited {
                        request: request_name,
                        waits,
                    });
                }
                waits += 1;
                let wait = wait_for_reset(&rate, &answer.headers);
                self.wait(&request_name, wait)?;
                continue;
            }
            let text = self.credential.secret().redact(&answer.text);
            if (200..300).contains(&answer.status) {
                return Ok(OktaResponse {
                    status: answer.status,
                    json: serde_json::from_str(&text).ok(),
                    next: next_link(&answer.headers),
                    body: text,
                    rate,
                });
            }
            return Err(error_for(request_name, answer.status, &text));
        }
    }

    /// GET `path` as `T`.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, OktaError> {
        let response = self.send("GET", path, None)?;
        decode(&format!("GET {path}"), &response.body)
    }

    /// GET `path` and every page its `Link: rel="next"` headers lead to. Stops at an empty
    /// page: Okta's System Log keeps offering a next page to poll.
    pub fn get_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, OktaError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let Some(page_path) = next.take() else {
                return Ok(items);
            };
            if !seen.insert(page_path.clone()) {
                return Ok(items);
            }
            let response = self.send("GET", &page_path, None)?;
            let page: Vec<T> =
                decode(&format!("GET {}", display_path(&page_path)), &response.body)?;
            if page.is_empty() {
                return Ok(items);
            }
            items.extend(page);
            next = response.next;
        }
        Ok(items)
    }

    fn url_for(&self, path: &str) -> Result<String, OktaError> {
        if path.starts_with('/') {
            return Ok(format!("{}{path}", self.org_url));
        }
        // A `Link` target: follow it only on the org itself, so the token stays there.
        let same_origin = url::Url::parse(path)
            .ok()
            .zip(url::Url::parse(&self.org_url).ok())
            .is_some_and(|(a, b)| {
                a.scheme() == b.scheme()
                    && a.host_str() == b.host_str()
                    && a.port_or_known_default() == b.port_or_known_default()
            });
        if same_origin {
            Ok(path.to_string())
        } else {
            Err(OktaError::Setup(format!(
                "Okta pointed to {path}, outside {}: not followed, so the token stays with the org.",
                self.org_url
            )))
        }
    }

    fn send_once(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        request_name: &str,
    ) -> Result<Answer, OktaError> {
        if self.cancel.is_cancelled() {
            return Err(OktaError::Cancelled {
                request: request_name.to_string(),
            });
        }
        let http_method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| OktaError::Setup(format!("'{method}' is not an HTTP method")))?;
        let timeout = match self.remaining() {
            Some(left) if left.is_zero() => {
                return Err(OktaError::PastDeadline {
                    request: request_name.to_string(),
                });
            }
            Some(left) => left.min(self.timeout),
            None => self.timeout,
        };
        let mut request = self
            .http
            .request(http_method, url)
            .timeout(timeout)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::AUTHORIZATION, self.credential.header());
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let Some(result) = send_cancellable(request, &self.cancel) else {
            return Err(OktaError::Cancelled {
                request: request_name.to_string(),
            });
        };
        let answer = result.map_err(|e| self.transport_error(&e, request_name))?;
        let text = answer
            .text
            .map_err(|e| self.transport_error(&e, request_name))?;
        Ok(Answer {
            status: answer.status,
            headers: answer.headers,
            text,
        })
    }

    fn note_request(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        began: Instant,
        sent: &Result<Answer, OktaError>,
    ) {
        let secret = self.credential.secret();
        let scheme = match self.credential {
            OktaCredential::ApiToken(_) => "SSWS",
            OktaCredential::AccessToken(_) => "Bearer",
        };
        let (status, content_type, response, error) = match sent {
            Ok(answer) => (
                Some(answer.status),
                header(&answer.headers, "content-type").map(str::to_string),
                cut(&secret.redact(&answer.text)),
                None,
            ),
            Err(error) => (
                None,
                None,
                String::new(),
                Some(secret.redact(&error.to_string())),
            ),
        };
        let record = RequestRecord {
            method: method.to_string(),
            url: secret.redact(url),
            status,
            duration_ms: began.elapsed().as_millis() as u64,
            request_headers: vec![
                format!("Authorization: {scheme} [redacted]"),
                "Accept: application/json".into(),
            ],
            request_body: body.map(|b| cut(&secret.redact(&b.to_string()))),
            content_type,
            response_body: response,
            error,
        };
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    fn transport_error(&self, error: &reqwest::Error, request_name: &str) -> OktaError {
        let past_deadline = self
            .remaining()
            .is_some_and(|left| left < Duration::from_millis(50));
        if error.is_timeout() && past_deadline {
            OktaError::PastDeadline {
                request: request_name.to_string(),
            }
        } else if error.is_timeout() {
            OktaError::Timeout {
                request: request_name.to_string(),
                timeout: self.timeout,
            }
        } else {
            let cause = self.credential.secret().redact(&root_cause(error));
            OktaError::Unreachable {
                request: request_name.to_string(),
                detail: format!(
                    "{cause}. Check the org URL ({}) and the network.",
                    self.org_url
                ),
            }
        }
    }

    fn note_rate(&self, url: &str, rate: &RateLimit) {
        let key = bucket(url);
        let mut exhausted = self.exhausted.lock().unwrap_or_else(|e| e.into_inner());
        match (rate.remaining, rate.reset) {
            (Some(0), Some(reset)) => {
                exhausted.insert(key, reset);
            }
            _ => {
                exhausted.remove(&key);
            }
        }
    }

    /// Okta said the endpoint's window is used up: wait for its reset before asking again.
    fn wait_if_exhausted(&self, url: &str, request_name: &str) -> Result<(), OktaError> {
        let reset = self
            .exhausted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&bucket(url));
        if let Some(reset) = reset {
            let wait = (reset - Utc::now().timestamp()).max(0) as u64;
            if wait > 0 {
                self.wait(request_name, Duration::from_secs(wait))?;
            }
        }
        Ok(())
    }

    fn wait(&self, request_name: &str, wait: Duration) -> Result<(), OktaError> {
        // A reset past the check's deadline: the check ends at its deadline, not a minute on.
        if let Some(left) = self.remaining().filter(|left| *left < wait) {
            return Err(if self.cancel.sleep(left) {
                OktaError::PastDeadline {
                    request: request_name.to_string(),
                }
            } else {
                OktaError::Cancelled {
                    request: request_name.to_string(),
                }
            });
        }
        if let Some(progress) = &self.progress {
            let reset_at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            progress(&OktaProgress::RateLimited {
                request: request_name.to_string(),
                wait,
                reset_at,
            });
        }
        if self.cancel.sleep(wait) {
            Ok(())
        } else {
            Err(OktaError::Cancelled {
                request: request_name.to_string(),
            })
        }
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
}

/// Response headers as `net::http` reads them: (lower-case name, value) pairs.
type Headers = [(String, String)];

fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn rate_limit(headers: &Headers) -> RateLimit {
    let number = |name| header(headers, name).and_then(|v| v.parse::<u64>().ok());
    RateLimit {
        limit: number("x-rate-limit-limit"),
        remaining: number("x-rate-limit-remaining"),
        reset: header(headers, "x-rate-limit-reset").and_then(|v| v.parse::<i64>().ok()),
    }
}

/// How long until the window resets: `X-Rate-Limit-Reset` (epoch seconds) against Okta's own
/// clock (`Date`) so a skewed local clock does not matter; a second when Okta gives no reset.
fn wait_for_reset(rate: &RateLimit, headers: &Headers) -> Duration {
    let Some(reset) = rate.reset else {
        return Duration::from_secs(1);
    };
    let now = header(headers, "date")
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.timestamp())
        .unwrap_or_else(|| Utc::now().timestamp());
    Duration::from_secs((reset - now).clamp(1, 120) as u64)
}

/// The rate-limit bucket of a URL: its path (Okta counts per endpoint).
fn bucket(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// The `rel="next"` target of the `Link` headers.
pub fn next_link(headers: &Headers) -> Option<String> {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("link"))
        .flat_map(|(_, v)| v.split(','))
        .find_map(|link| {
            let (target, params) = link.trim().split_once(';')?;
            let is_next = params.split(';').any(|p| {
                let p = p.trim().replace(' ', "");
                p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
            });
            is_next.then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
}

fn display_path(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => url.to_string(),
    }
}

fn decode<T: DeserializeOwned>(request: &str, body: &str) -> Result<T, OktaError> {
    serde_json::from_str(body).map_err(|e| OktaError::Decode {
        request: request.to_string(),
        detail: e.to_string(),
    })
}

fn error_for(request: String, status: u16, body: &str) -> OktaError {
    let Some(api) = serde_json::from_str::<ApiError>(body)
        .ok()
        .filter(|a| !a.error_code.is_empty() || !a.error_summary.is_empty())
    else {
        return OktaError::Unexpected {
            request,
            status,
            body: cut(body),
        };
    };
    let api = Box::new(api);
    match status {
        401 => OktaError::InvalidToken {
            request,
            status,
            api,
        },
        403 => OktaError::Forbidden { request, api },
        404 => OktaError::NotFound {
            what: "the resource".into(),
            request,
            api,
        },
        _ => OktaError::Api {
            request,
            status,
            api,
        },
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
