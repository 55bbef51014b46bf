//! A test double of an Okta org (Okta itself cannot be reached from the tests): a loopback
//! HTTP server with one app instance that serves the management API endpoints scimplan and
//! Okta's CRUD file use, and provisions into a real SCIM server the way Okta does
//! (`okta_provision.rs`). Every response it sends is checked against Okta's OpenAPI
//! (`openapi.rs`) when Okta's files are there (always in CI; a fresh clone says once that it
//! skips this); `assert_valid` fails a test whose double sent a shape Okta does not.
//!
//! Over 600 lines: the org's state and the HTTP plumbing that guards it (token, rate limit,
//! validation of every answer) are kept in one place on purpose.
//!
//! Behaviour taken from Okta's documentation, and where the double chooses (said here so a
//! test never relies on more): deactivating a user removes its app assignments (Okta's help:
//! "the user's app assignments are removed") and reactivating does not restore them, so the
//! CRUD file assigns again; a first DELETE of a user deactivates, a second deletes; one rate
//! limit window for the whole org (Okta counts per endpoint); `after` cursors are the last id
//! of a page; the System Log without `until` is a polling query that always offers a next page;
//! a Group Push mapping's target is an `APP_GROUP` of the pushed group's name (objectClass
//! `okta:app_group`), Group Push events name it; the app user schema puts `userName`,
//! `givenName` and `familyName` under `#custom` (Okta has them in `#base`, but the OpenAPI's
//! base properties are the Okta user's, and every answer must validate); adding a member to,
//! or removing one from, a group assigned to the app assigns (scope GROUP) or unassigns them.
//!
#![allow(dead_code)]

#[path = "okta_app_groups.rs"]
mod app_groups;
#[path = "okta_changes.rs"]
mod changes;
#[path = "openapi.rs"]
pub mod openapi;
#[path = "okta_provision.rs"]
mod provision;
#[path = "okta_routes.rs"]
mod routes;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

pub use provision::ScimTarget;
use provision::{Job, Provisioner};

/// What the org is like.
#[derive(Clone)]
pub struct DoubleOptions {
    pub token: String,
    pub app_label: String,
    pub sign_on_mode: String,
    /// The app's provisioning feature and connection are enabled.
    pub provisioning: bool,
    /// Where provisioning goes; `None`: assignments stay STAGED.
    pub scim: Option<ScimTarget>,
    /// How long Okta takes before it provisions (Okta is asynchronous).
    pub provisioning_delay: Duration,
    /// Requests per window before 429s; `None`: no limit.
    pub rate_limit: Option<u32>,
    pub rate_window: Duration,
    /// Paths (prefixes) the token may not use: 403 E0000006.
    pub forbidden: Vec<String>,
    /// The org's password policy: at least this many characters, a lower and an upper case
    /// letter and a digit (Okta's default policy has 8).
    pub min_password_length: usize,
    /// "Sync password" is on: Okta sends the user's password with a create and a profile
    /// push (the `password` attribute), and records `application.provision.user.push_password`.
    pub password_sync: bool,
    /// Largest page the double returns, whatever `limit` asks (to make paging visible).
    pub max_page: usize,
    /// An OAuth 2.0 service app that may sign in (`/oauth2/v1/token`).
    pub service_app: Option<ServiceAppDouble>,
    /// "To App" settings turned off although provisioning is on (`update.password` is off
    /// unless `password_sync`): `create.lifecycleCreate`, `update.profile`,
    /// `update.lifecycleDeactivate`.
    pub to_app_off: Vec<String>,
    /// Custom properties the app added to its app user schema: name, and the attribute it
    /// goes to in the app (`None`: no name in the app, so Okta does not send it).
    pub custom_properties: Vec<(String, Option<String>)>,
    /// "To Okta": the app sources user profiles (its features include `PROFILE_MASTERING`).
    pub profile_sourcing: bool,
}

/// A service app of the org: its client id, the public half of its key (PEM, P-256), the
/// scopes granted to it, and whether it requires DPoP (which scimplan does not do).
#[derive(Clone)]
pub struct ServiceAppDouble {
    pub client_id: String,
    pub public_key_pem: String,
    pub granted: Vec<String>,
    pub dpop: bool,
}

impl Default for DoubleOptions {
    fn default() -> Self {
        DoubleOptions {
            token: format!("okta-double-token-{}", std::process::id()),
            app_label: "Acme SCIM".into(),
            sign_on_mode: "SAML_2_0".into(),
            provisioning: true,
            scim: None,
            provisioning_delay: Duration::from_millis(200),
            rate_limit: None,
            rate_window: Duration::from_secs(60),
            forbidden: Vec::new(),
            min_password_length: 8,
            max_page: 200,
            service_app: None,
            password_sync: false,
            to_app_off: Vec::new(),
            custom_properties: Vec::new(),
            profile_sourcing: false,
        }
    }
}

pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Okta-looking ids: a prefix and 17 letters and digits.
pub fn okta_id(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:0>17}")
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub status: String,
    pub profile: Map<String, Value>,
    pub created: String,
    pub status_changed: String,
    pub last_updated: String,
    pub has_password: bool,
}

#[derive(Clone, Debug)]
pub struct AppUserState {
    pub user_id: String,
    pub status: String,
    pub sync_state: String,
    pub external_id: Option<String>,
    pub scope: String,
    pub user_name: String,
    pub profile: Map<String, Value>,
    pub created: String,
    pub last_updated: String,
    pub last_sync: Option<String>,
    /// When Okta last pushed the user's password to the app.
    pub password_changed: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
    /// `OKTA_GROUP` (the tester's), or `APP_GROUP` (the one Okta keeps for a pushed group,
    /// named like it: the target of its Group Push mapping).
    pub kind: String,
}

#[derive(Clone, Debug)]
pub struct Mapping {
    pub id: String,
    pub source_group_id: String,
    pub target_group_id: String,
    pub status: String,
    pub error_summary: Option<String>,
    pub last_push: Option<String>,
    pub created: String,
    /// The group's id in the SCIM app, once pushed.
    pub scim_id: Option<String>,
}

/// The org's state, shared by the HTTP side and the provisioner.
pub struct Org {
    pub options: DoubleOptions,
    pub url: String,
    pub app_id: String,
    pub created: String,
    pub users: Vec<User>,
    pub app_users: Vec<AppUserState>,
    pub groups: Vec<Group>,
    pub app_groups: Vec<String>,
    pub mappings: Vec<Mapping>,
    pub logs: Vec<Value>,
    /// SCIM ids Okta linked each user to (kept across unassignment, as the app keeps them).
    pub scim_ids: HashMap<String, String>,
    pub next_id: usize,
    /// Provisioning jobs queued and not done.
    pub pending: Arc<AtomicUsize>,
    /// Every request: `GET /api/v1/apps/0oa...` (query included).
    pub requests: Vec<String>,
    pub violations: Vec<String>,
    /// Answers of the management API sent, and how many of them were checked against Okta's
    /// OpenAPI (all, or none when the spec is absent).
    pub answered: usize,
    pub validated: usize,
    /// Access tokens issued to the service app.
    pub access_tokens: Vec<String>,
    /// The rate-limit window (epoch seconds / window length) and requests counted in it.
    window: i64,
    window_used: u32,
    /// Forced 429s still to send, and how far ahead their reset is.
    throttle: (u32, Duration),
    /// Answers still to hold back, and for how long (a slow org).
    pub stall: (u32, Duration),
}

impl Org {
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        okta_id(prefix, self.next_id)
    }

    pub fn user(&self, id_or_login: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.id == id_or_login
                || u.profile["login"]
                    .as_str()
                    .is_some_and(|l| l.eq_ignore_ascii_case(id_or_login))
        })
    }

    pub fn app_user(&self, user_id: &str) -> Option<&AppUserState> {
        self.app_users.iter().find(|a| a.user_id == user_id)
    }

    pub fn app_user_mut(&mut self, user_id: &str) -> Option<&mut AppUserState> {
        self.app_users.iter_mut().find(|a| a.user_id == user_id)
    }

    /// Adds a System Log event.
    #[allow(clippy::too_many_arguments)]
    pub fn log(
        &mut self,
        event_type: &str,
        message: &str,
        result: &str,
        reason: Option<&str>,
        targets: Vec<Value>,
    ) {
        let uuid = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.logs.len() + 1,
            self.next_id
        );
        let mut outcome = json!({ "result": result });
        if let Some(reason) = reason {
            // Okta's LogOutcome.reason holds at most 255 characters.
            let cut: String = reason.chars().take(255).collect();
            outcome["reason"] = json!(cut);
        }
        let severity = if result == "FAILURE" { "ERROR" } else { "INFO" };
        self.logs.push(json!({
            "uuid": uuid,
            "published": now(),
            "eventType": event_type,
            "version": "0",
            "severity": severity,
            "displayMessage": message,
            "outcome": outcome,
            "actor": {"id": self.app_id, "type": "PublicClientApp", "alternateId": self.options.app_label, "displayName": self.options.app_label},
            "target": targets,
            "transaction": {"type": "JOB", "id": format!("job{}", self.logs.len() + 1)},
        }));
    }

    pub fn app_target(&self) -> Value {
        json!({"id": self.app_id, "type": "AppInstance", "alternateId": self.options.app_label, "displayName": self.options.app_label})
    }

    pub fn user_target(&self, user_id: &str) -> Value {
        let login = self
            .user(user_id)
            .and_then(|u| u.profile["login"].as_str())
            .unwrap_or(user_id);
        json!({"id": user_id, "type": "User", "alternateId": login, "displayName": login})
    }
}

pub struct OktaDouble {
    pub url: String,
    pub token: String,
    pub app_id: String,
    pub org: Arc<Mutex<Org>>,
    provisioner: Provisioner,
    stop: Arc<AtomicBool>,
    pub connections: Arc<AtomicUsize>,
}

impl OktaDouble {
    pub fn start(options: DoubleOptions) -> OktaDouble {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let app_id = okta_id("0oa", 1);
        let org = Arc::new(Mutex::new(Org {
            options: options.clone(),
            url: url.clone(),
            app_id: app_id.clone(),
            created: now(),
            users: Vec::new(),
            app_users: Vec::new(),
            groups: Vec::new(),
            app_groups: Vec::new(),
            mappings: Vec::new(),
            logs: Vec::new(),
            scim_ids: HashMap::new(),
            next_id: 100,
            pending: Arc::new(AtomicUsize::new(0)),
            requests: Vec::new(),
            violations: Vec::new(),
            answered: 0,
            validated: 0,
            access_tokens: Vec::new(),
            window: 0,
            window_used: 0,
            throttle: (0, Duration::ZERO),
            stall: (0, Duration::ZERO),
        }));
        let provisioner = Provisioner::start(org.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let (shared, jobs, halt, count) = (
            org.clone(),
            provisioner.sender(),
            stop.clone(),
            connections.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                count.fetch_add(1, Ordering::SeqCst);
                let (org, jobs) = (shared.clone(), jobs.clone());
                std::thread::spawn(move || serve(stream, &org, &jobs));
            }
        });
        OktaDouble {
            url,
            token: options.token,
            app_id,
            org,
            provisioner,
            stop,
            connections,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Org> {
        self.org.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an active user with a password, as if created in the Admin Console.
    pub fn add_user(&self, login: &str, first: &str, last: &str) -> String {
        let mut org = self.lock();
        let id = org.new_id("00u");
        let at = now();
        let profile = json!({"login": login, "email": login, "firstName": first, "lastName": last});
        org.users.push(User {
            id: id.clone(),
            status: "ACTIVE".into(),
            profile: profile.as_object().unwrap().clone(),
            created: at.clone(),
            status_changed: at.clone(),
            last_updated: at,
            has_password: true,
        });
        id
    }

    /// Adds an active user with a password and these profile attributes besides (`title`,
    /// `department`, `primaryPhone`, `employeeNumber`...).
    pub fn add_user_with(&self, login: &str, first: &str, last: &str, extra: Value) -> String {
        let id = self.add_user(login, first, last);
        let mut org = self.lock();
        let user = org.users.iter_mut().find(|u| u.id == id).unwrap();
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            user.profile.insert(k, v);
        }
        id
    }

    pub fn add_group(&self, name: &str, members: &[&str]) -> String {
        let mut org = self.lock();
        let id = org.new_id("00g");
        org.groups.push(Group {
            id: id.clone(),
            name: name.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            kind: "OKTA_GROUP".into(),
        });
        id
    }

    /// Changes the org's state the way no API call does (a test's realistic wrong state).
    pub fn edit(&self, change: impl FnOnce(&mut Org)) {
        change(&mut self.lock());
    }

    /// Adds a System Log event as Okta would record it.
    pub fn add_log(
        &self,
        event_type: &str,
        result: &str,
        reason: Option<&str>,
        target_ids: &[&str],
    ) {
        let mut org = self.lock();
        let targets: Vec<Value> = target_ids
            .iter()
            .map(|id| {
                if *id == org.app_id {
                    org.app_target()
                } else {
                    org.user_target(id)
                }
            })
            .collect();
        org.log(event_type, event_type, result, reason, targets);
    }

    /// The next `count` requests get a 429 whose reset is `reset_in` ahead.
    pub fn throttle_next(&self, count: u32, reset_in: Duration) {
        self.lock().throttle = (count, reset_in);
    }

    /// The next `count` answers are held back `for_how_long` before they are sent.
    pub fn stall_next(&self, count: u32, for_how_long: Duration) {
        self.lock().stall = (count, for_how_long);
    }

    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    pub fn app_user(&self, user_id: &str) -> Option<AppUserState> {
        self.lock().app_user(user_id).cloned()
    }

    pub fn user(&self, id_or_login: &str) -> Option<User> {
        self.lock().user(id_or_login).cloned()
    }

    pub fn logs(&self) -> Vec<Value> {
        self.lock().logs.clone()
    }

    /// The SCIM requests provisioning sent: `POST /Users 201`.
    pub fn scim_requests(&self) -> Vec<String> {
        self.provisioner.sent()
    }

    /// Waits until no provisioning is pending (or `timeout`); true when idle.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        self.provisioner.wait_idle(timeout)
    }

    pub fn validated(&self) -> usize {
        self.lock().validated
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Fails the test when any response the double sent does not match Okta's OpenAPI (when the
    /// spec is absent, only that the double answered: the skip was said once).
    pub fn assert_valid(&self) {
        let org = self.lock();
        assert!(
            org.answered > 0,
            "the double answered nothing: nothing was validated"
        );
        assert!(
            openapi::okta_spec().is_none() || org.validated == org.answered,
            "{} of {} answers were validated",
            org.validated,
            org.answered
        );
        assert!(
            org.violations.is_empty(),
            "the Okta double sent {} response(s) that Okta's OpenAPI does not allow:\n{}",
            org.violations.len(),
            org.violations.join("\n")
        );
    }
}

impl Drop for OktaDouble {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

/// A request as the double read it.
pub struct Request {
    pub method: String,
    /// As sent (percent-encoded).
    pub path: String,
    /// The path's segments after `/api/v1/`, each decoded.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HashMap<String, String>,
    pub body: Option<Value>,
    pub raw_body: String,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, extra headers, JSON body (empty for none).
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub fn json_reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub fn empty(status: u16) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

/// Okta's error body.
pub fn error(status: u16, code: &str, summary: &str, causes: &[&str]) -> Reply {
    let causes: Vec<Value> = causes
        .iter()
        .map(|c| json!({ "errorSummary": c }))
        .collect();
    json_reply(
        status,
        json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": format!("oae{code}"), "errorCauses": causes}),
    )
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body_text =
        String::from_utf8_lossy(&data[head_end..(head_end + length).min(data.len())]).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let segments = path
        .trim_end_matches('/')
        .split('/')
        .skip(3)
        .map(percent_decode)
        .collect();
    Some(Request {
        method,
        segments,
        path: path.to_string(),
        query,
        headers,
        body: serde_json::from_str(&body_text).ok(),
        raw_body: body_text,
    })
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(mut stream: TcpStream, org: &Mutex<Org>, jobs: &std::sync::mpsc::Sender<Job>) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    let reply = {
        let mut org = org.lock().unwrap_or_else(|e| e.into_inner());
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let line = if query.is_empty() {
            format!("{} {}", request.method, request.path)
        } else {
            format!("{} {}?{}", request.method, request.path, query.join("&"))
        };
        org.requests.push(line);
        // The token endpoint is Okta's OAuth authorization server, not the management API:
        // its answers follow RFC 6749 and are not validated against the management OpenAPI.
        if request.path == "/oauth2/v1/token" {
            let reply = routes::token_endpoint(&mut org, &request);
            drop(org);
            return send(&mut stream, reply);
        }
        // Okta Identity Governance (the With-Entitlements CRUD file assigns a grant) is an API of
        // its own, not in the management OpenAPI: answered, not validated against it.
        if request.path.starts_with("/governance/") {
            let reply = gate(&mut org, &request).unwrap_or_else(|| routes::grant(&org, &request));
            drop(org);
            return send(&mut stream, reply);
        }
        let mut reply =
            gate(&mut org, &request).unwrap_or_else(|| routes::route(&mut org, &request, jobs));
        let (limit, remaining, reset) = rate_headers(&mut org, reply.status == 429);
        reply
            .headers
            .push(("X-Rate-Limit-Limit".into(), limit.to_string()));
        reply
            .headers
            .push(("X-Rate-Limit-Remaining".into(), remaining.to_string()));
        reply
            .headers
            .push(("X-Rate-Limit-Reset".into(), reset.to_string()));
        org.answered += 1;
        if let Some(spec) = openapi::okta_spec() {
            let violations =
                spec.validate_response(&request.method, &request.path, reply.status, &reply.body);
            org.validated += 1;
            org.violations.extend(violations);
        }
        let stall = if org.stall.0 > 0 {
            org.stall.0 -= 1;
            org.stall.1
        } else {
            Duration::ZERO
        };
        (reply, stall)
    };
    let (reply, stall) = reply;
    std::thread::sleep(stall);
    send(&mut stream, reply);
}

fn send(stream: &mut TcpStream, mut reply: Reply) {
    reply.headers.push((
        "Date".into(),
        Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
    ));
    let mut text = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&reply.body);
    let _ = stream.write_all(text.as_bytes());
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Other",
    }
}

/// Token, permissions and rate limit, before any route.
fn gate(org: &mut Org, request: &Request) -> Option<Reply> {
    let expected = format!("SSWS {}", org.options.token);
    let given = request
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    let bearer = given
        .strip_prefix("Bearer ")
        .is_some_and(|t| org.access_tokens.iter().any(|a| a == t));
    if given != expected && !bearer {
        return Some(error(401, "E0000011", "Invalid token provided", &[]));
    }
    if org
        .options
        .forbidden
        .iter()
        .any(|p| request.path.starts_with(p.as_str()))
    {
        return Some(error(
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            &[],
        ));
    }
    let throttled = if org.throttle.0 > 0 {
        org.throttle.0 -= 1;
        true
    } else {
        false
    };
    let window = current_window(org);
    let over = org.options.rate_limit.is_some_and(|limit| {
        if org.window != window {
            org.window = window;
            org.window_used = 0;
        }
        org.window_used += 1;
        org.window_used > limit
    });
    (throttled || over).then(|| {
        error(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[],
        )
    })
}

/// Windows start on whole epoch seconds, so `X-Rate-Limit-Reset` (epoch seconds) is exact.
fn current_window(org: &Org) -> i64 {
    Utc::now().timestamp() / org.options.rate_window.as_secs().max(1) as i64
}

/// `X-Rate-Limit-*` values for the answer being sent.
fn rate_headers(org: &mut Org, throttled: bool) -> (u32, u32, i64) {
    let now = Utc::now().timestamp();
    if throttled && org.options.rate_limit.is_none() {
        return (600, 0, now + org.throttle.1.as_secs().max(1) as i64);
    }
    let length = org.options.rate_window.as_secs().max(1) as i64;
    let reset = (current_window(org) + 1) * length;
    match org.options.rate_limit {
        Some(limit) => (limit, limit.saturating_sub(org.window_used), reset),
        None => (600, 599, reset),
    }
}
