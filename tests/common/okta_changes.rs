//! The Okta double's changes to the org: users and their lifecycle, assignments, Group Push
//! mappings and group membership, each queuing the provisioning Okta would do.

use std::sync::mpsc::Sender;

use serde_json::{Map, Value, json};

use super::provision::{Job, Work, enqueue};
use super::routes::{app_user_json, group_json, mapping_json, not_found, user_json};
use super::{AppUserState, Mapping, Org, Reply, Request, User, empty, error, json_reply, now};

fn password_ok(org: &Org, password: &str) -> bool {
    password.chars().count() >= org.options.min_password_length
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

pub(super) fn create_user(org: &mut Org, req: &Request) -> Reply {
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

/// The app user profile Okta maps from the Okta user's profile (Okta's default mapping of a
/// SCIM 2.0 app: the names, and the attributes both profiles name alike).
pub(super) fn map_profile(profile: &Map<String, Value>, app_profile: &mut Map<String, Value>) {
    for (from, to) in [
        ("firstName", "givenName"),
        ("lastName", "familyName"),
        ("email", "email"),
        ("middleName", "middleName"),
        ("honorificPrefix", "honorificPrefix"),
        ("title", "title"),
        ("displayName", "displayName"),
        ("nickName", "nickName"),
        ("primaryPhone", "primaryPhone"),
        ("mobilePhone", "mobilePhone"),
        ("employeeNumber", "employeeNumber"),
        ("department", "department"),
        ("division", "division"),
        ("organization", "organization"),
        ("costCenter", "costCenter"),
    ] {
        if let Some(value) = profile.get(from) {
            app_profile.insert(to.into(), value.clone());
        }
    }
}

pub(super) fn update_user(
    org: &mut Org,
    req: &Request,
    id: &str,
    replace: bool,
    jobs: &Sender<Job>,
) -> Reply {
    // A partial update may set the password alone (Okta pushes it when "Sync password" is on).
    let password = req
        .body
        .as_ref()
        .and_then(|b| b["credentials"]["password"]["value"].as_str())
        .map(str::to_string);
    if let Some(password) = &password
        && !password_ok(org, password)
    {
        return error(
            400,
            "E0000001",
            "Api validation failed: password",
            &["password: Password requirements were not met."],
        );
    }
    let new_profile = req
        .body
        .as_ref()
        .and_then(|b| b["profile"].as_object())
        .cloned()
        .or_else(|| password.is_some().then(Map::new));
    let Some(new_profile) = new_profile else {
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
    user.has_password |= password.is_some();
    if replace && !new_profile.is_empty() {
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
        // Linked, or its create still on the way (the app may already hold the user while the
        // double has not read the app's answer): the change follows once it is linked.
        push = app_user.external_id.is_some() || app_user.sync_state == "SYNCING";
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

pub(super) fn delete_user(org: &mut Org, id: &str, jobs: &Sender<Job>) -> Reply {
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

pub(super) fn lifecycle(
    org: &mut Org,
    req: &Request,
    id: &str,
    op: &str,
    jobs: &Sender<Job>,
) -> Reply {
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

pub(super) fn assign(org: &mut Org, req: &Request, jobs: &Sender<Job>) -> Reply {
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
    // Okta's mapping from the Okta profile, then what the admin typed on the assignment.
    let mut profile = Map::new();
    map_profile(&user.profile, &mut profile);
    profile.extend(body["profile"].as_object().cloned().unwrap_or_default());
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
            password_changed: None,
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

pub(super) fn unassign(org: &mut Org, user_id: &str, jobs: &Sender<Job>) -> Reply {
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

pub(super) fn create_mapping(org: &mut Org, req: &Request, jobs: &Sender<Job>) -> Reply {
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
    // Okta keeps the app's group as an APP_GROUP of the same name: the mapping's target.
    let name = org
        .groups
        .iter()
        .find(|g| g.id == source)
        .map(|g| g.name.clone())
        .unwrap_or_default();
    org.groups.push(super::Group {
        id: target.clone(),
        name,
        members: Vec::new(),
        kind: "APP_GROUP".into(),
    });
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

pub(super) fn update_mapping(org: &mut Org, req: &Request, id: &str, jobs: &Sender<Job>) -> Reply {
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

pub(super) fn delete_mapping(org: &mut Org, req: &Request, id: &str, jobs: &Sender<Job>) -> Reply {
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

pub(super) fn rename_group(org: &mut Org, req: &Request, id: &str, jobs: &Sender<Job>) -> Reply {
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

pub(super) fn membership(
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
    // A group assigned to the app assigns its members (scope GROUP): a member added is
    // assigned, one removed loses the assignment the group alone gave.
    if org.app_groups.iter().any(|g| g == group_id) {
        let user_id = org.user(user_id).map(|u| u.id.clone()).unwrap_or_default();
        if add {
            super::app_groups::assign_member(org, &user_id, jobs);
        } else {
            super::app_groups::unassign_member(org, &user_id, jobs);
        }
    }
    for mapping_id in active_mappings_of(org, group_id) {
        enqueue(org, jobs, Work::SyncMembers { mapping_id });
    }
    empty(204)
}
