//! Group assignments to the app in the Okta double (`PUT` / `DELETE
//! /api/v1/apps/{appId}/groups/{groupId}`): assigning a group assigns each member (scope
//! GROUP) and provisions them as an individual assignment does; removing it unassigns the
//! members it alone assigned, which deactivates them in the app. A member added to or
//! removed from an assigned group is assigned or unassigned the same way.

use std::sync::mpsc::Sender;

use serde_json::{Map, json};

use super::changes::map_profile;
use super::provision::{Job, Work, enqueue};
use super::routes::not_found;
use super::{AppUserState, Org, Reply, empty, json_reply, now};

pub(super) fn assign_group(org: &mut Org, group_id: &str, jobs: &Sender<Job>) -> Reply {
    let Some(group) = org.groups.iter().find(|g| g.id == group_id).cloned() else {
        return not_found(group_id, "UserGroup");
    };
    if !org.app_groups.iter().any(|g| g == group_id) {
        org.app_groups.push(group_id.to_string());
    }
    for member in &group.members {
        assign_member(org, member, jobs);
    }
    let priority = org
        .app_groups
        .iter()
        .position(|g| g == group_id)
        .unwrap_or_default();
    json_reply(
        200,
        json!({"id": group_id, "lastUpdated": now(), "priority": priority, "profile": {}}),
    )
}

/// Assigns a member of an assigned group (scope GROUP) and provisions it, unless it is
/// assigned already or deactivated.
pub(super) fn assign_member(org: &mut Org, member: &str, jobs: &Sender<Job>) {
    let Some(user) = org.user(member).cloned() else {
        return;
    };
    if org.app_user(&user.id).is_some() || user.status == "DEPROVISIONED" {
        return;
    }
    let provisioning = org.options.provisioning && org.options.scim.is_some();
    let at = now();
    let mut profile = Map::new();
    map_profile(&user.profile, &mut profile);
    org.app_users.push(AppUserState {
        user_id: user.id.clone(),
        status: "STAGED".into(),
        sync_state: if provisioning { "SYNCING" } else { "DISABLED" }.into(),
        external_id: None,
        scope: "GROUP".into(),
        user_name: user.profile["login"].as_str().unwrap_or_default().into(),
        profile,
        created: at.clone(),
        last_updated: at,
        last_sync: None,
        password_changed: None,
    });
    let targets = vec![org.user_target(&user.id), org.app_target()];
    org.log(
        "application.user_membership.add",
        "Add user to application membership",
        "SUCCESS",
        None,
        targets,
    );
    if provisioning {
        enqueue(org, jobs, Work::Push { user_id: user.id });
    }
}

pub(super) fn unassign_group(org: &mut Org, group_id: &str, jobs: &Sender<Job>) -> Reply {
    if !org.app_groups.iter().any(|g| g == group_id) {
        return not_found(group_id, "ApplicationGroupAssignment");
    }
    org.app_groups.retain(|g| g != group_id);
    let members = org
        .groups
        .iter()
        .find(|g| g.id == group_id)
        .map(|g| g.members.clone())
        .unwrap_or_default();
    for member in members {
        unassign_member(org, &member, jobs);
    }
    empty(204)
}

/// Removes the assignment a member had through groups of the app only, when no assigned
/// group holds it any more, and deactivates it in the app.
pub(super) fn unassign_member(org: &mut Org, member: &str, jobs: &Sender<Job>) {
    // Still assigned through another group of the app: Okta keeps the assignment.
    let elsewhere = org
        .groups
        .iter()
        .any(|g| g.members.iter().any(|m| m == member) && org.app_groups.contains(&g.id));
    let by_group = org.app_user(member).is_some_and(|a| a.scope == "GROUP");
    if elsewhere || !by_group {
        return;
    }
    org.app_users.retain(|a| a.user_id != member);
    enqueue(
        org,
        jobs,
        Work::Deactivate {
            user_id: member.to_string(),
        },
    );
    let targets = vec![org.user_target(member), org.app_target()];
    org.log(
        "application.user_membership.remove",
        "Remove user from application membership",
        "SUCCESS",
        None,
        targets,
    );
}
