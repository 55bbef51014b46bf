//! The Okta double's provisioning: after a delay, on a worker of its own (Okta provisions
//! asynchronously), the SCIM requests Okta sends to the app (`OKTA_SCIM.md`, "What Okta sends
//! to the app's SCIM API"): on assign a filter GET by userName, then POST (or, when found, link
//! and PATCH `active=true` if inactive); on a profile change GET then PUT; on deactivate and
//! unassign PATCH `active=false`; Group Push POST / PATCH / DELETE. Each outcome becomes a
//! System Log event; a refusal marks the app user's sync state ERROR (or the mapping's status).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Org, now};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The app's SCIM API as configured on the app's Provisioning tab.
#[derive(Clone, Debug)]
pub struct ScimTarget {
    pub url: String,
    pub token: String,
}

#[derive(Debug, Clone)]
pub enum Work {
    /// A new or renewed assignment.
    Push {
        user_id: String,
    },
    Profile {
        user_id: String,
    },
    Deactivate {
        user_id: String,
    },
    PushGroup {
        mapping_id: String,
    },
    SyncMembers {
        mapping_id: String,
    },
    DeleteGroup {
        scim_id: String,
        name: String,
    },
}

pub struct Job {
    pub due: Instant,
    pub work: Work,
}

pub struct Provisioner {
    sender: Sender<Job>,
    pending: Arc<AtomicUsize>,
    sent: Arc<Mutex<Vec<String>>>,
}

impl Provisioner {
    pub fn start(org: Arc<Mutex<Org>>) -> Provisioner {
        let (sender, receiver) = channel::<Job>();
        let pending = org.lock().unwrap().pending.clone();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let (count, log) = (pending.clone(), sent.clone());
        std::thread::spawn(move || work(receiver, &org, &count, &log));
        Provisioner {
            sender,
            pending,
            sent,
        }
    }

    pub fn sender(&self) -> Sender<Job> {
        self.sender.clone()
    }

    pub fn sent(&self) -> Vec<String> {
        self.sent.lock().unwrap().clone()
    }

    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self.pending.load(Ordering::SeqCst) == 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

/// Queues `work` after the org's provisioning delay; nothing when provisioning is off.
pub fn enqueue(org: &Org, jobs: &Sender<Job>, work: Work) {
    if !org.options.provisioning || org.options.scim.is_none() {
        return;
    }
    // Counted before it is queued, so `wait_idle` cannot miss a job in flight.
    org.pending.fetch_add(1, Ordering::SeqCst);
    let _ = jobs.send(Job {
        due: Instant::now() + org.options.provisioning_delay,
        work,
    });
}

fn work(
    receiver: Receiver<Job>,
    org: &Mutex<Org>,
    pending: &AtomicUsize,
    sent: &Mutex<Vec<String>>,
) {
    // reqwest 0.13 takes rustls's crypto provider from the process; a second install is
    // refused, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent("Okta SCIM Client 1.0.0")
        .build()
        .unwrap();
    for job in receiver {
        let wait = job.due.saturating_duration_since(Instant::now());
        std::thread::sleep(wait);
        let target = org
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .options
            .scim
            .clone();
        if let Some(target) = target {
            let scim = Scim {
                http: &http,
                target: &target,
                sent,
            };
            match job.work {
                Work::Push { user_id } => push_user(org, &scim, &user_id),
                Work::Profile { user_id } => push_profile(org, &scim, &user_id),
                Work::Deactivate { user_id } => deactivate(org, &scim, &user_id),
                Work::PushGroup { mapping_id } => push_group(org, &scim, &mapping_id, true),
                Work::SyncMembers { mapping_id } => push_group(org, &scim, &mapping_id, false),
                Work::DeleteGroup { scim_id, name } => delete_group(org, &scim, &scim_id, &name),
            }
        }
        pending.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Scim<'a> {
    http: &'a reqwest::blocking::Client,
    target: &'a ScimTarget,
    sent: &'a Mutex<Vec<String>>,
}

/// A SCIM answer: status and JSON body (or the transport error as status 0).
struct Answer {
    status: u16,
    body: Value,
    text: String,
}

impl Scim<'_> {
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}{path}", self.target.url),
            )
            .bearer_auth(&self.target.token)
            .header("Accept", "application/scim+json");
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/scim+json")
                .body(body.to_string());
        }
        let answer = match request.send() {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.text().unwrap_or_default();
                Answer {
                    status,
                    body: serde_json::from_str(&text).unwrap_or(Value::Null),
                    text,
                }
            }
            Err(e) => Answer {
                status: 0,
                body: Value::Null,
                text: e.to_string(),
            },
        };
        self.sent
            .lock()
            .unwrap()
            .push(format!("{method} {path} {}", answer.status));
        answer
    }
}

fn ok(answer: &Answer) -> bool {
    (200..300).contains(&answer.status)
}

/// Okta's failure reason: the app's `detail` when it sent one.
fn reason(what: &str, answer: &Answer) -> String {
    let detail = answer.body["detail"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| answer.text.chars().take(120).collect());
    format!("{what}: {} {detail}", answer.status)
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The app user schema of a SCIM 2.0 app: property, the app attribute Okta sends it to
/// (`externalName`), its namespace when not the core User schema, and whether it is one of
/// the `#base` properties the OpenAPI's schema declares (the others are served as `#custom`).
pub const SCHEMA: &[(&str, &str, Option<&str>, bool)] = &[
    ("userName", "userName", None, false),
    ("givenName", "name.givenName", None, false),
    ("familyName", "name.familyName", None, false),
    ("middleName", "name.middleName", None, true),
    ("honorificPrefix", "name.honorificPrefix", None, true),
    ("email", "emails^[type=='work'].value", None, true),
    ("title", "title", None, true),
    ("displayName", "displayName", None, true),
    ("nickName", "nickName", None, true),
    (
        "primaryPhone",
        "phoneNumbers^[type=='work'].value",
        None,
        true,
    ),
    (
        "mobilePhone",
        "phoneNumbers^[type=='mobile'].value",
        None,
        true,
    ),
    ("employeeNumber", "employeeNumber", Some(ENTERPRISE), true),
    ("department", "department", Some(ENTERPRISE), true),
    ("division", "division", Some(ENTERPRISE), true),
    ("organization", "organization", Some(ENTERPRISE), true),
    ("costCenter", "costCenter", Some(ENTERPRISE), true),
];

/// Puts `value` where `external` (in `namespace`) names it in a SCIM user: `a.b`, or
/// `list^[type=='x'].sub` (an element of a multi-valued attribute, added or filled).
fn put(user: &mut Value, external: &str, namespace: Option<&str>, value: Value) {
    let target = match namespace {
        Some(ns) => {
            let schemas = user["schemas"].as_array_mut().unwrap();
            if !schemas.contains(&json!(ns)) {
                schemas.push(json!(ns));
            }
            if !user[ns].is_object() {
                user[ns] = json!({});
            }
            &mut user[ns]
        }
        None => user,
    };
    if let Some((list, rest)) = external.split_once("^[") {
        let (filter, sub) = rest.split_once("].").unwrap();
        let (key, wanted) = filter.split_once("==").unwrap();
        let wanted = wanted.trim_matches('\'');
        if !target[list].is_array() {
            target[list] = json!([]);
        }
        let items = target[list].as_array_mut().unwrap();
        let index = match items.iter().position(|i| i[key] == json!(wanted)) {
            Some(index) => index,
            None => {
                items.push(json!({ key: wanted }));
                items.len() - 1
            }
        };
        items[index][sub] = value;
        return;
    }
    let mut parts: Vec<&str> = external.split('.').collect();
    let last = parts.pop().unwrap();
    let mut node = target;
    for part in parts {
        if !node[part].is_object() {
            node[part] = json!({});
        }
        node = &mut node[part];
    }
    node[last] = value;
}

/// The SCIM user Okta would send for an app user: every app user profile property the app's
/// schema names an attribute for (`SCHEMA` and the app's custom properties), nothing else.
fn scim_user(org: &Org, user_id: &str) -> Option<Value> {
    let app_user = org.app_user(user_id)?;
    let profile = &app_user.profile;
    let mut user = json!({
        "schemas": [USER_SCHEMA],
        "userName": app_user.user_name,
        "externalId": user_id,
        "active": true,
    });
    for (property, value) in profile {
        if value.is_null() || property == "userName" {
            continue;
        }
        let known = SCHEMA
            .iter()
            .find(|(name, ..)| name == property)
            .map(|(_, external, namespace, _)| (external.to_string(), *namespace));
        let custom = org
            .options
            .custom_properties
            .iter()
            .find(|(name, _)| name == property)
            .and_then(|(_, external)| external.clone())
            .map(|external| (external, None));
        if let Some((external, namespace)) = known.or(custom) {
            put(&mut user, &external, namespace, value.clone());
        }
    }
    if user["emails"].is_null() {
        put(
            &mut user,
            "emails^[type=='work'].value",
            None,
            json!(app_user.user_name),
        );
    }
    if let Some(emails) = user["emails"].as_array_mut() {
        for email in emails.iter_mut().filter(|e| e["type"] == "work") {
            email["primary"] = json!(true);
        }
    }
    if user["displayName"].is_null() {
        let name = |key: &str| profile.get(key).and_then(Value::as_str).unwrap_or("");
        user["displayName"] = json!(format!("{} {}", name("givenName"), name("familyName")));
    }
    Some(user).map(|mut user| {
        if org.options.password_sync {
            // What Okta sends is the user's Okta password; the double makes one up.
            user["password"] = json!(format!("Okta-{user_id}-Pw1"));
        }
        user
    })
}

/// With "Sync password" on, a create or profile push carried the password: Okta records
/// whether it reached the app.
fn note_password_push(org: &mut Org, user_id: &str, failure: Option<&str>) {
    if !org.options.password_sync {
        return;
    }
    let targets = vec![org.user_target(user_id), org.app_target()];
    let event = "application.provision.user.push_password";
    let message = "Push user's password to external application";
    match failure {
        Some(why) => org.log(event, message, "FAILURE", Some(why), targets),
        None => {
            if let Some(app_user) = org.app_user_mut(user_id) {
                app_user.password_changed = Some(now());
            }
            org.log(event, message, "SUCCESS", None, targets);
        }
    }
}

fn fail_user(
    org: &mut Org,
    user_id: &str,
    event: &str,
    message: &str,
    reason: &str,
    auth_failure: bool,
) {
    if let Some(app_user) = org.app_user_mut(user_id) {
        app_user.sync_state = "ERROR".into();
        app_user.last_updated = now();
    }
    let targets = vec![org.user_target(user_id), org.app_target()];
    if auth_failure {
        let app = vec![org.app_target()];
        org.log(
            "application.integration.authentication_failure",
            "Authentication failure during provisioning",
            "FAILURE",
            Some(reason),
            app,
        );
    }
    org.log(event, message, "FAILURE", Some(reason), targets);
}

fn succeed_user(org: &mut Org, user_id: &str, scim_id: &str, event: &str, message: &str) {
    org.scim_ids
        .insert(user_id.to_string(), scim_id.to_string());
    let at = now();
    if let Some(app_user) = org.app_user_mut(user_id) {
        app_user.status = "PROVISIONED".into();
        app_user.sync_state = "SYNCHRONIZED".into();
        app_user.external_id = Some(scim_id.to_string());
        app_user.last_sync = Some(at.clone());
        app_user.last_updated = at;
    }
    let targets = vec![org.user_target(user_id), org.app_target()];
    org.log(event, message, "SUCCESS", None, targets);
}

fn push_user(org: &Mutex<Org>, scim: &Scim, user_id: &str) {
    let (body, login) = {
        let org = org.lock().unwrap();
        let Some(body) = scim_user(&org, user_id) else {
            return;
        };
        let login = body["userName"].as_str().unwrap_or_default().to_string();
        (body, login)
    };
    let event = "application.provision.user.push";
    let message = "Push new user to external application";
    let filter = format!("userName eq \"{login}\"");
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", &filter)
        .append_pair("startIndex", "1")
        .append_pair("count", "100")
        .finish();
    let found = scim.send("GET", &format!("/Users?{query}"), None);
    if !ok(&found) {
        let mut org = org.lock().unwrap();
        let why = reason(
            &format!("Error while checking whether user {login} exists in the app"),
            &found,
        );
        fail_user(&mut org, user_id, event, message, &why, found.status == 401);
        return;
    }
    if let Some(existing) = found.body["Resources"].as_array().and_then(|r| r.first()) {
        let scim_id = existing["id"].as_str().unwrap_or_default().to_string();
        if existing["active"] == json!(false) {
            let patch = json!({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": true}}]});
            let answer = scim.send("PATCH", &format!("/Users/{scim_id}"), Some(patch));
            let mut org = org.lock().unwrap();
            if !ok(&answer) {
                let why = reason(&format!("Error while reactivating user {login}"), &answer);
                fail_user(
                    &mut org,
                    user_id,
                    "application.provision.user.reactivate",
                    "Reactivate user in external application",
                    &why,
                    answer.status == 401,
                );
                return;
            }
            succeed_user(
                &mut org,
                user_id,
                &scim_id,
                "application.provision.user.reactivate",
                "Reactivate user in external application",
            );
        } else {
            succeed_user(&mut org.lock().unwrap(), user_id, &scim_id, event, message);
        }
        return;
    }
    let created = scim.send("POST", "/Users", Some(body));
    let mut org = org.lock().unwrap();
    match created.body["id"].as_str() {
        Some(scim_id) if created.status == 201 => {
            succeed_user(&mut org, user_id, scim_id, event, message);
            note_password_push(&mut org, user_id, None);
        }
        _ => {
            let label = org.options.app_label.clone();
            let why = reason(
                &format!(
                    "Automatic provisioning of user {login} to app {label} failed: Error while creating user {login}"
                ),
                &created,
            );
            fail_user(
                &mut org,
                user_id,
                event,
                message,
                &why,
                created.status == 401,
            );
            note_password_push(&mut org, user_id, Some(&why));
        }
    }
}

fn push_profile(org: &Mutex<Org>, scim: &Scim, user_id: &str) {
    let (body, scim_id) = {
        let org = org.lock().unwrap();
        let (Some(body), Some(scim_id)) = (
            scim_user(&org, user_id),
            org.app_user(user_id).and_then(|a| a.external_id.clone()),
        ) else {
            return;
        };
        (body, scim_id)
    };
    let event = "application.provision.user.push_profile";
    let message = "Push user profile update to external application";
    let current = scim.send("GET", &format!("/Users/{scim_id}"), None);
    let answer = if ok(&current) {
        let mut full = body;
        full["id"] = json!(scim_id);
        full["active"] = current.body["active"].clone();
        scim.send("PUT", &format!("/Users/{scim_id}"), Some(full))
    } else {
        current
    };
    let mut org = org.lock().unwrap();
    if ok(&answer) {
        succeed_user(&mut org, user_id, &scim_id, event, message);
        note_password_push(&mut org, user_id, None);
    } else {
        let why = reason(
            "Error while updating the user's profile in the app",
            &answer,
        );
        note_password_push(&mut org, user_id, Some(&why));
        fail_user(
            &mut org,
            user_id,
            event,
            message,
            &why,
            answer.status == 401,
        );
    }
}

fn deactivate(org: &Mutex<Org>, scim: &Scim, user_id: &str) {
    let Some(scim_id) = org.lock().unwrap().scim_ids.get(user_id).cloned() else {
        return;
    };
    let patch = json!({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": false}}]});
    let answer = scim.send("PATCH", &format!("/Users/{scim_id}"), Some(patch));
    let mut org = org.lock().unwrap();
    let targets = vec![org.user_target(user_id), org.app_target()];
    let (event, message) = (
        "application.provision.user.deactivate",
        "Deactivate user in external application",
    );
    if ok(&answer) {
        org.log(event, message, "SUCCESS", None, targets);
    } else {
        let why = reason("Error while deactivating the user in the app", &answer);
        if answer.status == 401 {
            let app = vec![org.app_target()];
            org.log(
                "application.integration.authentication_failure",
                "Authentication failure during provisioning",
                "FAILURE",
                Some(&why),
                app,
            );
        }
        org.log(event, message, "FAILURE", Some(&why), targets);
    }
}

/// Group Push: create the group with its members (or, `create` false, sync the members).
fn push_group(org: &Mutex<Org>, scim: &Scim, mapping_id: &str, create: bool) {
    let (name, members, scim_id, target_id) = {
        let org = org.lock().unwrap();
        let Some(mapping) = org.mappings.iter().find(|m| m.id == mapping_id) else {
            return;
        };
        let target_id = mapping.target_group_id.clone();
        let Some(group) = org.groups.iter().find(|g| g.id == mapping.source_group_id) else {
            return;
        };
        let members: Vec<Value> = group
            .members
            .iter()
            .filter_map(|u| org.app_user(u).and_then(|a| a.external_id.clone()))
            .map(|id| json!({"value": id}))
            .collect();
        (
            group.name.clone(),
            members,
            mapping.scim_id.clone(),
            target_id,
        )
    };
    let answer = match (create, scim_id) {
        (true, _) | (false, None) => scim.send(
            "POST",
            "/Groups",
            Some(json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": members})),
        ),
        (false, Some(id)) => {
            let patch = json!({"schemas": [PATCH_SCHEMA], "Operations": [
                {"op": "replace", "value": {"id": id, "displayName": name}},
                {"op": "replace", "path": "members", "value": members},
            ]});
            scim.send("PATCH", &format!("/Groups/{id}"), Some(patch))
        }
    };
    let mut org = org.lock().unwrap();
    // The APP_GROUP Okta keeps for the pushed group (it follows a rename).
    if let Some(app_group) = org.groups.iter_mut().find(|g| g.id == target_id) {
        app_group.name = name.clone();
    }
    let group_target =
        json!({"id": target_id, "type": "AppGroup", "alternateId": name, "displayName": name});
    let targets = vec![group_target, org.app_target()];
    let at = now();
    let Some(mapping) = org.mappings.iter_mut().find(|m| m.id == mapping_id) else {
        return;
    };
    if ok(&answer) {
        if let Some(id) = answer.body["id"].as_str() {
            mapping.scim_id = Some(id.to_string());
        }
        mapping.status = "ACTIVE".into();
        mapping.error_summary = None;
        mapping.last_push = Some(at);
        org.log(
            "application.provision.group_push.push",
            "Push group to external application",
            "SUCCESS",
            None,
            targets,
        );
    } else {
        let why = reason(&format!("Error while pushing group {name}"), &answer);
        mapping.status = "ERROR".into();
        mapping.error_summary = Some(why.chars().take(255).collect());
        org.log(
            "application.provision.group_push.push",
            "Push group to external application",
            "FAILURE",
            Some(&why),
            targets,
        );
    }
}

fn delete_group(org: &Mutex<Org>, scim: &Scim, scim_id: &str, name: &str) {
    let answer = scim.send("DELETE", &format!("/Groups/{scim_id}"), None);
    let mut org = org.lock().unwrap();
    let targets = vec![
        json!({"id": scim_id, "type": "AppGroup", "alternateId": name, "displayName": name}),
        org.app_target(),
    ];
    let result = if ok(&answer) { "SUCCESS" } else { "FAILURE" };
    let why =
        (!ok(&answer)).then(|| reason(&format!("Error while deleting group {name}"), &answer));
    org.log(
        "application.provision.group_push.delete_appgroup",
        "Delete group in external application",
        result,
        why.as_deref(),
        targets,
    );
}
