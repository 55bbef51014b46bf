//! The Okta double's endpoints: the management API calls scimplan and Okta's CRUD file make,
//! answered in the shapes of Okta's OpenAPI (the double validates every answer).

use std::sync::mpsc::Sender;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::provision::{Job, Work, enqueue};
use super::{
    AppUserState, Group, Mapping, Org, Reply, Request, User, empty, error, json_reply, now,
};

pub fn route(org: &mut Org, req: &Request, jobs: &Sender<Job>) -> Reply {
    let parts: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    if !req.path.starts_with("/api/v1/") {
        return not_found(&req.path, "Endpoint");
    }
    let method = req.method.as_str();
    match (method, parts.as_slice()) {
        (_, ["apps", app, ..]) if *app != org.app_id => not_found(app, "AppInstance"),
        ("GET", ["apps", _]) => json_reply(200, app_json(org)),
        ("GET", ["apps", _, "features"]) => json_reply(200, json!([feature_json(org)])),
        ("GET", ["apps", _, "features", "USER_PROVISIONING"]) => json_reply(200, feature_json(org)),
        ("GET", ["apps", _, "features", name]) => not_found(name, "AppFeature"),
        ("GET", ["apps", _, "connections", "default"]) => json_reply(200, connection_json(org)),
        ("GET", ["apps", _, "users"]) => {
            let items = org
                .app_users
                .iter()
                .map(|a| (a.user_id.clone(), app_user_json(org, a)))
                .collect();
            page(org, req, items, 50)
        }
        ("POST", ["apps", _, "users"]) => assign(org, req, jobs),
        ("GET", ["apps", _, "users", user]) => match org.app_user(user) {
            Some(a) => json_reply(200, app_user_json(org, a)),
            None => not_found(user, "AppUser"),
        },
        ("DELETE", ["apps", _, "users", user]) => unassign(org, user, jobs),
        ("GET", ["apps", _, "groups"]) => {
            let at = org.created.clone();
            let items = org
                .app_groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    (
                        g.clone(),
                        json!({"id": g, "lastUpdated": at, "priority": i, "profile": {}}),
                    )
                })
                .collect();
            page(org, req, items, 20)
        }
        ("GET", ["apps", _, "group-push", "mappings"]) => {
            let items = org
                .mappings
                .iter()
                .map(|m| (m.id.clone(), mapping_json(m)))
                .collect();
            page(org, req, items, 100)
        }
        ("POST", ["apps", _, "group-push", "mappings"]) => create_mapping(org, req, jobs),
        ("GET", ["apps", _, "group-push", "mappings", id]) => {
            match org.mappings.iter().find(|m| m.id == *id) {
                Some(m) => json_reply(200, mapping_json(m)),
                None => not_found(id, "GroupPushMapping"),
            }
        }
        ("PATCH", ["apps", _, "group-push", "mappings", id]) => update_mapping(org, req, id, jobs),
        ("DELETE", ["apps", _, "group-push", "mappings", id]) => delete_mapping(org, req, id, jobs),
        ("GET", ["users"]) => {
            let wanted = req
                .param("search")
                .or(req.param("filter"))
                .map(str::to_string);
            let prefix = req.param("q").map(str::to_lowercase);
            let items = org
                .users
                .iter()
                .filter(|u| {
                    wanted
                        .as_deref()
                        .is_none_or(|w| matches_expression(&user_json(org, u), w))
                })
                .filter(|u| {
                    prefix
                        .as_deref()
                        .is_none_or(|p| starts_with_any(&u.profile, p))
                })
                .map(|u| (u.id.clone(), user_json(org, u)))
                .collect();
            page(org, req, items, 200)
        }
        ("POST", ["users"]) => create_user(org, req),
        ("GET", ["users", id]) => match org.user(id) {
            Some(u) => json_reply(200, user_json(org, u)),
            None => not_found(id, "User"),
        },
        ("PUT", ["users", id]) => update_user(org, req, id, true, jobs),
        ("POST", ["users", id]) => update_user(org, req, id, false, jobs),
        ("DELETE", ["users", id]) => delete_user(org, id, jobs),
        ("POST", ["users", id, "lifecycle", op]) => lifecycle(org, req, id, op, jobs),
        ("GET", ["groups"]) => {
            let wanted = req
                .param("search")
                .or(req.param("filter"))
                .map(str::to_string);
            let prefix = req.param("q").map(str::to_lowercase);
            let items = org
                .groups
                .iter()
                .filter(|g| {
                    wanted
                        .as_deref()
                        .is_none_or(|w| matches_expression(&group_json(org, g), w))
                })
                .filter(|g| {
                    prefix
                        .as_deref()
                        .is_none_or(|p| g.name.to_lowercase().starts_with(p))
                })
                .map(|g| (g.id.clone(), group_json(org, g)))
                .collect();
            page(org, req, items, 10_000)
        }
        ("POST", ["groups"]) => {
            let name = req
                .body
                .as_ref()
                .and_then(|b| b["profile"]["name"].as_str())
                .unwrap_or_default()
                .to_string();
            if name.is_empty() {
                return error(
                    400,
                    "E0000001",
                    "Api validation failed: name",
                    &["name: The field cannot be left blank"],
                );
            }
            let id = org.new_id("00g");
            org.groups.push(Group {
                id: id.clone(),
                name,
                members: Vec::new(),
            });
            let group = org.groups.last().unwrap();
            json_reply(200, group_json(org, group))
        }
        ("GET", ["groups", id]) => match org.groups.iter().find(|g| g.id == *id) {
            Some(g) => json_reply(200, group_json(org, g)),
            None => not_found(id, "UserGroup"),
        },
        ("PUT", ["groups", id]) => rename_group(org, req, id, jobs),
        ("DELETE", ["groups", id]) => {
            let before = org.groups.len();
            org.groups.retain(|g| g.id != *id);
            if org.groups.len() == before {
                not_found(id, "UserGroup")
            } else {
                empty(204)
            }
        }
        ("PUT", ["groups", group, "users", user]) => membership(org, group, user, true, jobs),
        ("DELETE", ["groups", group, "users", user]) => membership(org, group, user, false, jobs),
        ("GET", ["logs"]) => logs(org, req),
        _ => error(
            405,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
            &[],
        ),
    }
}

fn not_found(id: &str, kind: &str) -> Reply {
    error(
        404,
        "E0000007",
        &format!("Not found: Resource not found: {id} ({kind})"),
        &[],
    )
}

fn link(org: &Org, path: &str) -> Value {
    json!({"href": format!("{}{path}", org.url)})
}

fn app_json(org: &Org) -> Value {
    let features: Vec<&str> = if org.options.provisioning {
        vec![
            "GROUP_PUSH",
            "IMPORT_NEW_USERS",
            "PUSH_NEW_USERS",
            "PUSH_PROFILE_UPDATES",
            "PUSH_USER_DEACTIVATION",
            "REACTIVATE_USERS",
        ]
    } else {
        Vec::new()
    };
    json!({
        "id": org.app_id,
        "name": "acmescim",
        "label": org.options.app_label,
        "status": "ACTIVE",
        "created": org.created,
        "lastUpdated": org.created,
        "signOnMode": org.options.sign_on_mode,
        "features": features,
    })
}

fn status(on: bool) -> &'static str {
    if on { "ENABLED" } else { "DISABLED" }
}

fn feature_json(org: &Org) -> Value {
    let on = status(org.options.provisioning);
    json!({
        "name": "USER_PROVISIONING",
        "status": on,
        "capabilities": {
            "create": {"lifecycleCreate": {"status": on}},
            "update": {"profile": {"status": on}, "lifecycleDeactivate": {"status": on}, "password": {"status": "DISABLED"}},
        },
        "_links": {"self": link(org, &format!("/api/v1/apps/{}/features/USER_PROVISIONING", org.app_id))},
    })
}

fn connection_json(org: &Org) -> Value {
    let mut value = json!({
        "authScheme": "TOKEN",
        "profile": {"authScheme": "TOKEN"},
        "status": status(org.options.provisioning),
    });
    if let Some(scim) = &org.options.scim {
        value["baseUrl"] = json!(scim.url);
    }
    value
}

fn app_user_json(org: &Org, a: &AppUserState) -> Value {
    let mut value = json!({
        "id": a.user_id,
        "created": a.created,
        "lastUpdated": a.last_updated,
        "scope": a.scope,
        "status": a.status,
        "statusChanged": a.last_updated,
        "syncState": a.sync_state,
        "credentials": {"userName": a.user_name},
        "profile": a.profile,
        "_links": {
            "app": link(org, &format!("/api/v1/apps/{}", org.app_id)),
            "user": link(org, &format!("/api/v1/users/{}", a.user_id)),
        },
    });
    if let Some(external_id) = &a.external_id {
        value["externalId"] = json!(external_id);
    }
    if let Some(at) = &a.last_sync {
        value["lastSync"] = json!(at);
    }
    value
}

fn user_json(org: &Org, u: &User) -> Value {
    json!({
        "id": u.id,
        "status": u.status,
        "created": u.created,
        "activated": if u.status == "STAGED" { Value::Null } else { json!(u.created) },
        "statusChanged": u.status_changed,
        "lastLogin": null,
        "lastUpdated": u.last_updated,
        "passwordChanged": if u.has_password { json!(u.created) } else { Value::Null },
        "type": {"id": "oty00000000000000001"},
        "profile": u.profile,
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": link(org, &format!("/api/v1/users/{}", u.id))},
    })
}

fn group_json(org: &Org, g: &Group) -> Value {
    json!({
        "id": g.id,
        "created": org.created,
        "lastUpdated": org.created,
        "lastMembershipUpdated": org.created,
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": {"name": g.name},
        "_links": {"self": link(org, &format!("/api/v1/groups/{}", g.id))},
    })
}

fn mapping_json(m: &Mapping) -> Value {
    let mut value = json!({
        "id": m.id,
        "sourceGroupId": m.source_group_id,
        "targetGroupId": m.target_group_id,
        "status": m.status,
        "created": m.created,
        "lastUpdated": m.last_push.clone().unwrap_or_else(|| m.created.clone()),
    });
    if let Some(summary) = &m.error_summary {
        value["errorSummary"] = json!(summary);
    }
    if let Some(at) = &m.last_push {
        value["lastPush"] = json!(at);
    }
    value
}

/// One page of `items` (id, JSON) after the `after` cursor, with Okta's `Link` headers.
fn page(org: &Org, req: &Request, items: Vec<(String, Value)>, default_limit: usize) -> Reply {
    let limit = req
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(default_limit)
        .clamp(1, org.options.max_page);
    let start = match req.param("after") {
        Some(after) => items
            .iter()
            .position(|(id, _)| id == after)
            .map_or(items.len(), |p| p + 1),
        None => 0,
    };
    let chunk: Vec<&(String, Value)> = items.iter().skip(start).take(limit).collect();
    let mut reply = json_reply(
        200,
        Value::Array(chunk.iter().map(|(_, v)| v.clone()).collect()),
    );
    let mut query: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| k != "after" && k != "limit")
        .cloned()
        .collect();
    query.push(("limit".into(), limit.to_string()));
    let url = |q: &[(String, String)]| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in q {
            s.append_pair(k, v);
        }
        format!("{}{}?{}", org.url, req.path, s.finish())
    };
    reply
        .headers
        .push(("Link".into(), format!("<{}>; rel=\"self\"", url(&query))));
    if start + chunk.len() < items.len()
        && let Some((last, _)) = chunk.last()
    {
        query.push(("after".into(), last.clone()));
        reply
            .headers
            .push(("Link".into(), format!("<{}>; rel=\"next\"", url(&query))));
    }
    reply
}

fn starts_with_any(profile: &Map<String, Value>, prefix: &str) -> bool {
    ["login", "email", "firstName", "lastName"].iter().any(|k| {
        profile
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|v| v.to_lowercase().starts_with(prefix))
    })
}

/// Okta's filter and search expressions, the part the tests use: `a.b eq "x"` joined by
/// `or` and `and` (`and` binds tighter), no parentheses; `eq` ignores letter case, as Okta's.
pub fn matches_expression(value: &Value, expression: &str) -> bool {
    expression.split(" or ").any(|alternative| {
        alternative.split(" and ").all(|term| {
            let mut words = term.trim().splitn(3, ' ');
            let (Some(field), Some(op), Some(wanted)) = (words.next(), words.next(), words.next())
            else {
                return false;
            };
            let wanted = wanted.trim().trim_matches('"').replace("\\\"", "\"");
            let found = values_at(value, field);
            match op {
                "eq" => found.iter().any(|v| v.eq_ignore_ascii_case(&wanted)),
                "sw" => found
                    .iter()
                    .any(|v| v.to_lowercase().starts_with(&wanted.to_lowercase())),
                _ => false,
            }
        })
    })
}

/// The strings at a dotted path, through arrays (`target.id`).
fn values_at(value: &Value, path: &str) -> Vec<String> {
    let mut current = vec![value];
    for part in path.split('.') {
        current = current
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| i.get(part)).collect::<Vec<_>>(),
                other => other.get(part).into_iter().collect(),
            })
            .collect();
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn password_ok(org: &Org, password: &str) -> bool {
    password.chars().count() >= org.options.min_password_length
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

fn create_user(org: &mut Org, req: &Request) -> Reply {
    let body = req.body.clone().unwrap_or(Value::Null);
    let Some(profile) = body["profile"].as_object().cloned() else {
        return error(
            400,
            "E0000003",
            "The request body was not well-formed.",
            &[],
        );
    };
    let login = profile
        .get("login")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if login.chars().count() < 5 || !login.contains('@') {
        return error(
            400,
            "E0000001",
            "Api validation failed: login",
            &["login: Username must be in the form of an email address"],
        );
    }
    if org.user(&login).is_some() {
        return error(
            400,
            "E0000001",
            "Api validation failed: login",
            &["login: An object with this field already exists in the current organization"],
        );
    }
    let password = body["credentials"]["password"]["value"].as_str();
    if let Some(password) = password
        && !password_ok(org, password)
    {
        let rule = format!(
            "password: Password requirements were not met. Password requirements: at least {} characters, a lowercase letter, an uppercase letter, a number.",
            org.options.min_password_length
        );
        return error(400, "E0000001", "Api validation failed: password", &[&rule]);
    }
    let activate = req.param("activate") != Some("false");
    let status = match (activate, password.is_some()) {
        (false, _) => "STAGED",
        (true, true) => "ACTIVE",
        (true, false) => "PROVISIONED",
    };
    let id = org.new_id("00u");
    let at = now();
    org.users.push(User {
        id: id.clone(),
        status: status.into(),
        profile,
        created: at.clone(),
        status_changed: at.clone(),
        last_updated: at,
        has_password: password.is_some(),
    });
    let target = vec![org.user_target(&id)];
    org.log(
        "user.lifecycle.create",
        "Create okta user",
        "SUCCESS",
        None,
        target,
    );
    let user = org.users.last().unwrap();
    json_reply(200, user_json(org, user))
}

/// The app user profile Okta maps from the Okta user's profile.
fn map_profile(profile: &Map<String, Value>, app_profile: &mut Map<String, Value>) {
    for (from, to) in [
        ("firstName", "givenName"),
        ("lastName", "familyName"),
        ("email", "email"),
    ] {
        if let Some(value) = profile.get(from) {
            app_profile.insert(to.into(), value.clone());
        }
    }
}

fn update_user(org: &mut Org, req: &Request, id: &str, replace: bool, jobs: &Sender<Job>) -> Reply {
    let Some(new_profile) = req
        .body
        .as_ref()
        .and_then(|b| b["profile"].as_object())
        .cloned()
    else {
        return error(
            400,
            "E0000003",
            "The request body was not well-formed.",
            &[],
        );
    };
    let Some(index) = org.users.iter().position(|u| u.id == id) else {
        return not_found(id, "User");
    };
    let user = &mut org.users[index];
    if replace {
        user.profile = new_profile;
    } else {
        user.profile.extend(new_profile);
    }
    user.last_updated = now();
    let (user_id, profile) = (user.id.clone(), user.profile.clone());
    let login = profile
        .get("login")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut push = false;
    if let Some(app_user) = org.app_user_mut(&user_id) {
        map_profile(&profile, &mut app_user.profile);
        app_user.user_name = login;
        app_user.last_updated = now();
        push = app_user.external_id.is_some();
    }
    if push {
        enqueue(
            org,
            jobs,
            Work::Profile {
                user_id: user_id.clone(),
            },
        );
    }
    let target = vec![org.user_target(&user_id)];
    org.log(
        "user.account.update_profile",
        "Update user profile for Okta",
        "SUCCESS",
        None,
        target,
    );
    let user = &org.users[index];
    json_reply(200, user_json(org, user))
}

/// Deactivation removes the user's app assignments; the app is told (PATCH active=false).
fn deactivate_user(org: &mut Org, index: usize, jobs: &Sender<Job>) {
    let at = now();
    let user = &mut org.users[index];
    user.status = "DEPROVISIONED".into();
    user.status_changed = at.clone();
    user.last_updated = at;
    let user_id = user.id.clone();
    if org.app_users.iter().any(|a| a.user_id == user_id) {
        org.app_users.retain(|a| a.user_id != user_id);
        enqueue(
            org,
            jobs,
            Work::Deactivate {
                user_id: user_id.clone(),
            },
        );
    }
    let target = vec![org.user_target(&user_id)];
    org.log(
        "user.lifecycle.deactivate",
        "Deactivate Okta user",
        "SUCCESS",
        None,
        target,
    );
}

fn delete_user(org: &mut Org, id: &str, jobs: &Sender<Job>) -> Reply {
    let Some(index) = org
        .users
        .iter()
        .position(|u| u.id == id || u.profile["login"] == json!(id))
    else {
        return not_found(id, "User");
    };
    if org.users[index].status == "DEPROVISIONED" {
        let user_id = org.users[index].id.clone();
        let target = vec![org.user_target(&user_id)];
        org.log(
            "user.lifecycle.delete.initiated",
            "Delete Okta user",
            "SUCCESS",
            None,
            target,
        );
        org.users.remove(index);
    } else {
        deactivate_user(org, index, jobs);
    }
    empty(204)
}

fn lifecycle(org: &mut Org, req: &Request, id: &str, op: &str, jobs: &Sender<Job>) -> Reply {
    let Some(index) = org.users.iter().position(|u| u.id == id) else {
        return not_found(id, "User");
    };
    let current = org.users[index].status.clone();
    let new_status = match (op, current.as_str()) {
        ("deactivate", _) => {
            deactivate_user(org, index, jobs);
            return empty(200);
        }
        ("activate", "STAGED" | "DEPROVISIONED" | "PROVISIONED") => {
            if org.users[index].has_password {
                "ACTIVE"
            } else {
                "PROVISIONED"
            }
        }
        ("activate", _) => {
            return error(
                403,
                "E0000016",
                "Activation failed because the user is already active",
                &[],
            );
        }
        ("reactivate", "PROVISIONED") => "PROVISIONED",
        ("reactivate", _) => {
            return error(
                403,
                "E0000038",
                "This operation is not allowed in the user's current status.",
                &[],
            );
        }
        ("suspend", "ACTIVE") => "SUSPENDED",
        ("unsuspend", "SUSPENDED") => "ACTIVE",
        ("suspend" | "unsuspend", _) => {
            return error(
                400,
                "E0000001",
                "Api validation failed: status",
                &["status: This operation is not allowed in the user's current status."],
            );
        }
        _ => return not_found(op, "Lifecycle operation"),
    };
    let at = now();
    let user = &mut org.users[index];
    user.status = new_status.into();
    user.status_changed = at.clone();
    user.last_updated = at;
    let target = vec![org.user_target(id)];
    org.log(
        &format!("user.lifecycle.{op}"),
        &format!("{op} Okta user"),
        "SUCCESS",
        None,
        target,
    );
    match op {
        "activate" | "reactivate" if req.param("sendEmail") == Some("false") => json_reply(
            200,
            json!({"activationToken": "XE6wE17zmphl3KqAPFxO", "activationUrl": format!("{}/welcome/XE6wE17zmphl3KqAPFxO", org.url)}),
        ),
        "activate" | "reactivate" => json_reply(200, json!({})),
        _ => empty(200),
    }
}

fn assign(org: &mut Org, req: &Request, jobs: &Sender<Job>) -> Reply {
    let body = req.body.clone().unwrap_or(Value::Null);
    let Some(user_id) = body["id"].as_str().map(str::to_string) else {
        return error(
            400,
            "E0000001",
            "Api validation failed: id",
            &["id: The field cannot be left blank"],
        );
    };
    let Some(user) = org.user(&user_id).cloned() else {
        return not_found(&user_id, "User");
    };
    if user.status == "DEPROVISIONED" {
        return error(
            400,
            "E0000001",
            "Api validation failed: user",
            &["user: The user is deactivated; activate the user before assigning apps."],
        );
    }
    let user_name = body["credentials"]["userName"]
        .as_str()
        .or(user.profile["login"].as_str())
        .unwrap_or_default()
        .to_string();
    let mut profile = body["profile"].as_object().cloned().unwrap_or_default();
    if profile.is_empty() {
        map_profile(&user.profile, &mut profile);
    }
    let at = now();
    let provisioning = org.options.provisioning && org.options.scim.is_some();
    let existed = org.app_user(&user.id).is_some();
    if let Some(app_user) = org.app_user_mut(&user.id) {
        app_user.user_name = user_name;
        app_user.profile.extend(profile);
        app_user.last_updated = at;
    } else {
        org.app_users.push(AppUserState {
            user_id: user.id.clone(),
            status: "STAGED".into(),
            sync_state: if provisioning { "SYNCING" } else { "DISABLED" }.into(),
            external_id: None,
            scope: body["scope"].as_str().unwrap_or("USER").into(),
            user_name,
            profile,
            created: at.clone(),
            last_updated: at,
            last_sync: None,
        });
    }
    let work = if existed {
        Work::Profile {
            user_id: user.id.clone(),
        }
    } else {
        Work::Push {
            user_id: user.id.clone(),
        }
    };
    enqueue(org, jobs, work);
    let targets = vec![org.user_target(&user.id), org.app_target()];
    org.log(
        "application.user_membership.add",
        "Add user to application membership",
        "SUCCESS",
        None,
        targets,
    );
    let app_user = org.app_user(&user.id).unwrap();
    json_reply(200, app_user_json(org, app_user))
}

fn unassign(org: &mut Org, user_id: &str, jobs: &Sender<Job>) -> Reply {
    if org.app_user(user_id).is_none() {
        return not_found(user_id, "AppUser");
    }
    org.app_users.retain(|a| a.user_id != user_id);
    enqueue(
        org,
        jobs,
        Work::Deactivate {
            user_id: user_id.to_string(),
        },
    );
    let targets = vec![org.user_target(user_id), org.app_target()];
    org.log(
        "application.user_membership.remove",
        "Remove user from application membership",
        "SUCCESS",
        None,
        targets,
    );
    empty(204)
}

fn create_mapping(org: &mut Org, req: &Request, jobs: &Sender<Job>) -> Reply {
    let body = req.body.clone().unwrap_or(Value::Null);
    let Some(source) = body["sourceGroupId"].as_str().map(str::to_string) else {
        return error(
            400,
            "E0000001",
            "Api validation failed: sourceGroupId",
            &["sourceGroupId: The field cannot be left blank"],
        );
    };
    if !org.groups.iter().any(|g| g.id == source) {
        return error(
            400,
            "E0000001",
            "Api validation failed: sourceGroupId",
            &["sourceGroupId: Group not found"],
        );
    }
    let id = org.new_id("gPm");
    let target = org.new_id("00g");
    let status = body["status"].as_str().unwrap_or("ACTIVE").to_string();
    org.mappings.push(Mapping {
        id: id.clone(),
        source_group_id: source,
        target_group_id: target,
        status: status.clone(),
        error_summary: None,
        last_push: None,
        created: now(),
        scim_id: None,
    });
    if status == "ACTIVE" {
        enqueue(
            org,
            jobs,
            Work::PushGroup {
                mapping_id: id.clone(),
            },
        );
    }
    json_reply(201, mapping_json(org.mappings.last().unwrap()))
}

fn update_mapping(org: &mut Org, req: &Request, id: &str, jobs: &Sender<Job>) -> Reply {
    let wanted = req
        .body
        .as_ref()
        .and_then(|b| b["status"].as_str())
        .unwrap_or_default()
        .to_string();
    if wanted != "ACTIVE" && wanted != "INACTIVE" {
        return error(
            400,
            "E0000001",
            "Api validation failed: status",
            &["status: must be ACTIVE or INACTIVE"],
        );
    }
    let Some(mapping) = org.mappings.iter_mut().find(|m| m.id == id) else {
        return not_found(id, "GroupPushMapping");
    };
    mapping.status = wanted.clone();
    let reply = json_reply(200, mapping_json(mapping));
    if wanted == "ACTIVE" {
        enqueue(
            org,
            jobs,
            Work::SyncMembers {
                mapping_id: id.to_string(),
            },
        );
    }
    reply
}

fn delete_mapping(org: &mut Org, req: &Request, id: &str, jobs: &Sender<Job>) -> Reply {
    let Some(index) = org.mappings.iter().position(|m| m.id == id) else {
        return not_found(id, "GroupPushMapping");
    };
    if org.mappings[index].status == "ACTIVE" {
        return error(
            400,
            "E0000001",
            "Api validation failed: status",
            &["status: Deactivate the group push mapping before deleting it."],
        );
    }
    let mapping = org.mappings.remove(index);
    if req.param("deleteTargetGroup") == Some("true")
        && let Some(scim_id) = mapping.scim_id
    {
        let name = org
            .groups
            .iter()
            .find(|g| g.id == mapping.source_group_id)
            .map(|g| g.name.clone())
            .unwrap_or_default();
        enqueue(org, jobs, Work::DeleteGroup { scim_id, name });
    }
    empty(204)
}

fn active_mappings_of(org: &Org, group_id: &str) -> Vec<String> {
    org.mappings
        .iter()
        .filter(|m| m.source_group_id == group_id && m.status == "ACTIVE")
        .map(|m| m.id.clone())
        .collect()
}

fn rename_group(org: &mut Org, req: &Request, id: &str, jobs: &Sender<Job>) -> Reply {
    let Some(name) = req
        .body
        .as_ref()
        .and_then(|b| b["profile"]["name"].as_str())
        .map(str::to_string)
    else {
        return error(
            400,
            "E0000001",
            "Api validation failed: name",
            &["name: The field cannot be left blank"],
        );
    };
    let Some(group) = org.groups.iter_mut().find(|g| g.id == id) else {
        return not_found(id, "UserGroup");
    };
    group.name = name;
    for mapping_id in active_mappings_of(org, id) {
        enqueue(org, jobs, Work::SyncMembers { mapping_id });
    }
    let group = org.groups.iter().find(|g| g.id == id).unwrap();
    json_reply(200, group_json(org, group))
}

fn membership(
    org: &mut Org,
    group_id: &str,
    user_id: &str,
    add: bool,
    jobs: &Sender<Job>,
) -> Reply {
    if org.user(user_id).is_none() {
        return not_found(user_id, "User");
    }
    let Some(group) = org.groups.iter_mut().find(|g| g.id == group_id) else {
        return not_found(group_id, "UserGroup");
    };
    group.members.retain(|m| m != user_id);
    if add {
        group.members.push(user_id.to_string());
    }
    for mapping_id in active_mappings_of(org, group_id) {
        enqueue(org, jobs, Work::SyncMembers { mapping_id });
    }
    empty(204)
}

fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The System Log: `since`/`until`, `filter`, `limit`, `after`; without `until` a polling
/// query whose next link is always there (Okta's documented behaviour).
fn logs(org: &Org, req: &Request) -> Reply {
    let since = parse_time(req.param("since"));
    let until = parse_time(req.param("until"));
    if req.param("since").is_some() && since.is_none() {
        return error(
            400,
            "E0000030",
            "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
            &[],
        );
    }
    let filter = req.param("filter").map(str::to_string);
    let items: Vec<(String, Value)> = org
        .logs
        .iter()
        .filter(|e| {
            let at = parse_time(e["published"].as_str()).unwrap_or_default();
            since.is_none_or(|s| at >= s) && until.is_none_or(|u| at < u)
        })
        .filter(|e| filter.as_deref().is_none_or(|f| matches_expression(e, f)))
        .map(|e| {
            (
                e["uuid"].as_str().unwrap_or_default().to_string(),
                e.clone(),
            )
        })
        .collect();
    let mut reply = page(org, req, items.clone(), 100);
    if until.is_none()
        && !reply
            .headers
            .iter()
            .any(|(_, v)| v.contains("rel=\"next\""))
    {
        let after = req
            .param("after")
            .map(str::to_string)
            .or_else(|| items.last().map(|(id, _)| id.clone()));
        let mut query: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "after")
            .cloned()
            .collect();
        if let Some(after) = after {
            query.push(("after".into(), after));
        }
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &query {
            s.append_pair(k, v);
        }
        reply.headers.push((
            "Link".into(),
            format!("<{}{}?{}>; rel=\"next\"", org.url, req.path, s.finish()),
        ));
    }
    reply
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    json_reply(
        status,
        json!({"error": error, "error_description": description}),
    )
}

/// `POST /oauth2/v1/token`: the client credentials grant with a private-key JWT, checked as
/// Okta does (signature with the app's public key, audience = this endpoint, issuer and
/// subject = the client id, not expired; scopes granted).
pub fn token_endpoint(org: &mut Org, req: &Request) -> Reply {
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(req.raw_body.as_bytes())
            .into_owned()
            .collect();
    let Some(app) = org.options.service_app.clone() else {
        return oauth_error(401, "invalid_client", "Client authentication failed.");
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            400,
            "unsupported_grant_type",
            "The grant type is not supported.",
        );
    }
    if form.get("client_assertion_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return oauth_error(
            401,
            "invalid_client",
            "Client authentication failed: no client assertion.",
        );
    }
    if app.dpop {
        return oauth_error(
            400,
            "invalid_dpop_proof",
            "The DPoP proof JWT header is missing.",
        );
    }
    let assertion = form.get("client_assertion").cloned().unwrap_or_default();
    let key = jsonwebtoken::DecodingKey::from_ec_pem(app.public_key_pem.as_bytes())
        .expect("the double's public key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[format!("{}/oauth2/v1/token", org.url)]);
    validation.set_issuer(&[app.client_id.as_str()]);
    validation.sub = Some(app.client_id.clone());
    if let Err(e) = jsonwebtoken::decode::<Value>(&assertion, &key, &validation) {
        return oauth_error(
            401,
            "invalid_client",
            &format!("The client_assertion token is invalid: {e}"),
        );
    }
    let scopes: Vec<&str> = form
        .get("scope")
        .map(|s| s.split(' ').collect())
        .unwrap_or_default();
    let missing: Vec<&str> = scopes
        .iter()
        .filter(|s| !app.granted.iter().any(|g| g == *s))
        .copied()
        .collect();
    if !missing.is_empty() {
        return oauth_error(
            400,
            "invalid_scope",
            &format!(
                "The following scopes are not allowed: {}",
                missing.join(", ")
            ),
        );
    }
    let token = format!("double-access-token-{}", org.access_tokens.len() + 1);
    org.access_tokens.push(token.clone());
    json_reply(
        200,
        json!({"token_type": "Bearer", "expires_in": 3600, "access_token": token, "scope": scopes.join(" ")}),
    )
}
