//! A small in-memory SCIM app on a loopback port whose behaviour can differ from a compliant one
//! the way real apps do (web frameworks' numeric ids, `status` as a number, other content types,
//! stored values lower-cased, no /Groups, empty error bodies, slow endpoints...). The compliant
//! reference is the real scim2-server; this app exists to be wrong in one named way at a time.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// The ways this app differs from a compliant one; all off is compliant.
#[derive(Debug, Clone, Default)]
pub struct Quirks {
    /// Ids are JSON numbers (`"id": 42`), as many web frameworks' primary keys.
    pub numeric_ids: bool,
    /// Error bodies carry `"status": 404` (a number) instead of `"404"`.
    pub status_as_number: bool,
    /// Every answer is `application/json` instead of `application/scim+json`.
    pub plain_json_content_type: bool,
    /// userName is stored (and echoed) lower-cased.
    pub lowercases_user_name: bool,
    /// No /Groups endpoint: 404.
    pub no_groups: bool,
    /// Error answers (401, 404, 409) have an empty body.
    pub empty_error_bodies: bool,
    /// Only the 409 for a duplicate has an empty body.
    pub empty_conflict_body: bool,
    /// /Groups answers after this delay.
    pub slow_groups: Option<Duration>,
    /// The userName filter compares case-sensitively.
    pub case_sensitive_filter: bool,
    /// totalResults, itemsPerPage and startIndex are strings (`"1"`).
    pub counts_as_strings: bool,
    /// PATCH /Users/{id} is refused with 405 (PUT works).
    pub refuses_patch: bool,
    /// The first request answers 429 Too Many Requests.
    pub first_request_429: bool,
    /// Serves an entitlement endpoint `/Roles` holding one role.
    pub roles: bool,
    /// A second POST of the same userName creates another user (201) instead of a 409.
    pub allows_duplicates: bool,
    /// /Groups answers 200 with an HTML page.
    pub groups_html: bool,
    /// PATCH `active=false` is answered 200, but the user stays active.
    pub ignores_deactivation: bool,
    /// POST /Users is refused: 400 with a SCIM error.
    pub refuses_create: bool,
    /// Read-after-write lag: GET /Users/{id} answers 404 for this long after the user was
    /// created (a store whose reads lag its writes).
    pub read_lag: Option<Duration>,
    /// A rate limit: a burst of `burst` requests, then `per_second` a second; beyond it 429 with
    /// `Retry-After: 1`.
    pub rate_limit: Option<RateLimit>,
    /// Requests without a `User-Agent` are refused with 403, as API gateways and WAFs do.
    pub requires_user_agent: bool,
    /// `startIndex` counts from 0: `startIndex=1` skips the first user.
    pub zero_based_start_index: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub burst: f64,
    pub per_second: f64,
}

#[derive(Default)]
struct State {
    users: BTreeMap<u64, Value>,
    created: BTreeMap<u64, Instant>,
    next_id: u64,
    requests: Vec<SeenRequest>,
    /// The rate limit's bucket: tokens left, when last filled.
    bucket: Option<(f64, Instant)>,
}

/// A request as the app saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    /// Header names lower-cased, with their values, in order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub struct MiniScim {
    pub url: String,
    pub token: String,
    state: Arc<Mutex<State>>,
}

impl MiniScim {
    pub fn start(quirks: Quirks) -> MiniScim {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/scim/v2",
            listener.local_addr().unwrap().port()
        );
        let token = format!("mini-scim-token-{}", std::process::id());
        let state = Arc::new(Mutex::new(State {
            next_id: 100,
            ..State::default()
        }));
        let (shared, expected) = (state.clone(), format!("Bearer {token}"));
        let quirks = Arc::new(quirks);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, quirks, expected) = (shared.clone(), quirks.clone(), expected.clone());
                std::thread::spawn(move || serve(stream, &state, &quirks, &expected));
            }
        });
        MiniScim { url, token, state }
    }

    /// Adds a user directly (as if created earlier), returning its id.
    pub fn add_user(&self, user_name: &str, given: &str, family: &str) -> u64 {
        let mut state = self.state.lock().unwrap();
        let id = state.next_id;
        state.next_id += 1;
        state.users.insert(
            id,
            json!({"userName": user_name, "name": {"givenName": given, "familyName": family},
                   "emails": [{"value": user_name, "primary": true}], "active": true}),
        );
        id
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Every stored user as JSON.
    pub fn users(&self) -> Vec<Value> {
        self.state.lock().unwrap().users.values().cloned().collect()
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, quirks: &Quirks, expected_auth: &str) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let body = String::from_utf8_lossy(&data[head_end..]).into_owned();
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let path = target
        .split_once("/scim/v2")
        .map(|(_, p)| p.to_string())
        .unwrap_or(target.clone());
    let seen = SeenRequest {
        method: method.clone(),
        path: path.clone(),
        headers: headers.clone(),
        body: body.clone(),
    };
    let first_request = {
        let mut s = state.lock().unwrap();
        s.requests.push(seen);
        s.requests.len() == 1
    };
    let auth = headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .map(|(_, v)| v.as_str());
    let limited = quirks.rate_limit.is_some_and(|limit| {
        let mut s = state.lock().unwrap();
        let now = Instant::now();
        let (tokens, at) = s.bucket.unwrap_or((limit.burst, now));
        let tokens =
            (tokens + now.duration_since(at).as_secs_f64() * limit.per_second).min(limit.burst);
        let (left, refused) = if tokens >= 1.0 {
            (tokens - 1.0, false)
        } else {
            (tokens, true)
        };
        s.bucket = Some((left, now));
        refused
    });
    let no_agent = quirks.requires_user_agent && !headers.iter().any(|(n, _)| n == "user-agent");
    let (status, reply) = if quirks.first_request_429 && first_request || limited {
        (429, Some(error(quirks, 429, "slow down")))
    } else if no_agent {
        (
            403,
            Some(error(
                quirks,
                403,
                "requests without a User-Agent are refused",
            )),
        )
    } else if auth != Some(expected_auth) {
        (401, Some(error(quirks, 401, "bad credentials")))
    } else {
        route(state, quirks, &method, &path, &body)
    };
    if path.starts_with("/Groups")
        && let Some(delay) = quirks.slow_groups
    {
        std::thread::sleep(delay);
    }
    let text = match reply {
        _ if quirks.groups_html && path.starts_with("/Groups") => "<html>Groups</html>".into(),
        Some(value) if !(quirks.empty_error_bodies && status >= 400) => value.to_string(),
        _ => String::new(),
    };
    let content_type = if quirks.plain_json_content_type {
        "application/json"
    } else {
        "application/scim+json"
    };
    let retry_after = if status == 429 {
        "Retry-After: 1\r\n"
    } else {
        ""
    };
    let answer = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{retry_after}Connection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(answer.as_bytes());
}

fn error(quirks: &Quirks, status: u16, detail: &str) -> Value {
    let status_value = if quirks.status_as_number {
        json!(status)
    } else {
        json!(status.to_string())
    };
    json!({"schemas": [ERROR], "status": status_value, "detail": detail})
}

fn id_value(quirks: &Quirks, id: u64) -> Value {
    if quirks.numeric_ids {
        json!(id)
    } else {
        json!(format!("u{id}"))
    }
}

fn parse_id(text: &str) -> Option<u64> {
    text.trim_start_matches('u').parse().ok()
}

fn resource(quirks: &Quirks, id: u64, user: &Value) -> Value {
    let mut out = user.clone();
    out["id"] = id_value(quirks, id);
    out["schemas"] = json!([USER]);
    out["meta"] = json!({"resourceType": "User"});
    out
}

fn count(quirks: &Quirks, n: usize) -> Value {
    if quirks.counts_as_strings {
        json!(n.to_string())
    } else {
        json!(n)
    }
}

fn list(quirks: &Quirks, items: Vec<Value>, start: usize, total: usize) -> Value {
    json!({"schemas": [LIST], "totalResults": count(quirks, total),
           "itemsPerPage": count(quirks, items.len()), "startIndex": count(quirks, start),
           "Resources": items})
}

fn query(path: &str, name: &str) -> Option<String> {
    let (_, q) = path.split_once('?')?;
    q.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("20");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b' '));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(
    state: &Mutex<State>,
    quirks: &Quirks,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, Option<Value>) {
    let mut s = state.lock().unwrap();
    let bare = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = bare.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["Groups"]) if quirks.no_groups => (404, Some(error(quirks, 404, "no groups"))),
        ("GET", ["Groups"]) => (200, Some(list(quirks, Vec::new(), 1, 0))),
        ("GET", ["Roles"]) if quirks.roles => {
            let role = json!({"id": "r1", "displayName": "Admin"});
            (200, Some(list(quirks, vec![role], 1, 1)))
        }
        ("GET", ["Users"]) => {
            let filter = query(path, "filter");
            let mut matched: Vec<Value> = s
                .users
                .iter()
                .filter(|(_, u)| match &filter {
                    Some(f) => {
                        let wanted = f
                            .split_once(" eq ")
                            .map(|(_, v)| v.trim().trim_matches('"').to_string())
                            .unwrap_or_default();
                        let have = u["userName"].as_str().unwrap_or_default();
                        if quirks.case_sensitive_filter {
                            have == wanted
                        } else {
                            have.eq_ignore_ascii_case(&wanted)
                        }
                    }
                    None => true,
                })
                .map(|(id, u)| resource(quirks, *id, u))
                .collect();
            let total = matched.len();
            let first = if quirks.zero_based_start_index { 0 } else { 1 };
            let start: usize = query(path, "startIndex")
                .and_then(|v| v.parse().ok())
                .unwrap_or(first)
                .max(first);
            let per_page: usize = query(path, "count")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100);
            matched = matched
                .into_iter()
                .skip(start - first)
                .take(per_page)
                .collect();
            (200, Some(list(quirks, matched, start, total)))
        }
        ("GET", ["Users", id]) => {
            let lagging = parse_id(id)
                .and_then(|i| s.created.get(&i))
                .zip(quirks.read_lag)
                .is_some_and(|(at, lag)| at.elapsed() < lag);
            if lagging {
                return (404, Some(error(quirks, 404, "no such user (yet)")));
            }
            match parse_id(id).and_then(|i| s.users.get(&i).map(|u| (i, u))) {
                Some((i, u)) => (200, Some(resource(quirks, i, u))),
                None => (404, Some(error(quirks, 404, "no such user"))),
            }
        }
        ("POST", ["Users"]) if quirks.refuses_create => (
            400,
            Some(error(
                quirks,
                400,
                "this app does not create users over SCIM",
            )),
        ),
        ("POST", ["Users"]) => {
            let Ok(mut user) = serde_json::from_str::<Value>(body) else {
                return (400, Some(error(quirks, 400, "not JSON")));
            };
            let mut name = user["userName"].as_str().unwrap_or_default().to_string();
            if quirks.lowercases_user_name {
                name = name.to_lowercase();
                user["userName"] = json!(name);
            }
            if !quirks.allows_duplicates
                && s.users.values().any(|u| {
                    u["userName"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                })
            {
                let reply =
                    (!quirks.empty_conflict_body).then(|| error(quirks, 409, "userName taken"));
                return (409, reply);
            }
            let id = s.next_id;
            s.next_id += 1;
            s.users.insert(id, user.clone());
            s.created.insert(id, Instant::now());
            (201, Some(resource(quirks, id, &user)))
        }
        ("PATCH", ["Users", _]) if quirks.refuses_patch => {
            (405, Some(error(quirks, 405, "PATCH is not supported")))
        }
        ("PATCH", ["Users", id]) => {
            let Some(i) = parse_id(id).filter(|i| s.users.contains_key(i)) else {
                return (404, Some(error(quirks, 404, "no such user")));
            };
            let patch: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            for op in patch["Operations"].as_array().cloned().unwrap_or_default() {
                if let Some(active) = op["value"]["active"].as_bool() {
                    if quirks.ignores_deactivation && !active {
                        continue;
                    }
                    s.users.get_mut(&i).unwrap()["active"] = json!(active);
                }
            }
            let user = s.users[&i].clone();
            (200, Some(resource(quirks, i, &user)))
        }
        ("PUT", ["Users", id]) => {
            let Some(i) = parse_id(id).filter(|i| s.users.contains_key(i)) else {
                return (404, Some(error(quirks, 404, "no such user")));
            };
            let mut user: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            if let Some(map) = user.as_object_mut() {
                map.remove("id");
                map.remove("meta");
                map.remove("schemas");
            }
            s.users.insert(i, user.clone());
            (200, Some(resource(quirks, i, &user)))
        }
        _ => (404, Some(error(quirks, 404, "no such endpoint"))),
    }
}
