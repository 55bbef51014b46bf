//! The Okta double's endpoints: the management API calls scimplan and Okta's CRUD file make,
//! answered in the shapes of Okta's OpenAPI (the double validates every answer).

use std::sync::mpsc::Sender;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::app_groups;
use super::changes::{
    assign, create_mapping, create_user, delete_mapping, delete_user, lifecycle, membership,
    rename_group, unassign, update_mapping, update_user,
};
use super::provision::Job;
use super::{AppUserState, Group, Mapping, Org, Reply, Request, User, empty, error, json_reply};

pub fn route(org: &mut Org, req: &Request, jobs: &Sender<Job>) -> Reply {
    let parts: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    if !req.path.starts_with("/api/v1/") {
        return not_found(&req.path, "Endpoint");
    }
    let method = req.method.as_str();
    match (method, parts.as_slice()) {
        (_, ["apps", app, ..] | ["meta", "schemas", "apps", app, ..]) if *app != org.app_id => {
            not_found(app, "AppInstance")
        }
        ("GET", ["meta", "schemas", "apps", _, "default"]) => json_reply(200, schema_json(org)),
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
        ("GET", ["apps", _, "groups", group]) => {
            match org.app_groups.iter().position(|g| g == group) {
                Some(priority) => json_reply(
                    200,
                    json!({"id": group, "lastUpdated": org.created, "priority": priority, "profile": {}}),
                ),
                None => not_found(group, "ApplicationGroupAssignment"),
            }
        }
        ("PUT", ["apps", _, "groups", group]) => app_groups::assign_group(org, group, jobs),
        ("DELETE", ["apps", _, "groups", group]) => app_groups::unassign_group(org, group, jobs),
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
                kind: "OKTA_GROUP".into(),
            });
            let group = org.groups.last().unwrap();
            json_reply(200, group_json(org, group))
        }
        ("GET", ["groups", id, "users"]) => match org.groups.iter().find(|g| g.id == *id) {
            Some(group) => {
                let items = group
                    .members
                    .iter()
                    .filter_map(|member| org.user(member))
                    .map(|u| (u.id.clone(), user_json(org, u)))
                    .collect();
                page(org, req, items, 1000)
            }
            None => not_found(id, "UserGroup"),
        },
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

pub(super) fn not_found(id: &str, kind: &str) -> Reply {
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
    let mut features = features;
    if org.options.profile_sourcing {
        features.push("PROFILE_MASTERING");
    }
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
    let setting = |name: &str| {
        status(org.options.provisioning && !org.options.to_app_off.iter().any(|s| s == name))
    };
    json!({
        "name": "USER_PROVISIONING",
        "status": on,
        "capabilities": {
            "create": {"lifecycleCreate": {"status": setting("create.lifecycleCreate")}},
            "update": {"profile": {"status": setting("update.profile")}, "lifecycleDeactivate": {"status": setting("update.lifecycleDeactivate")}, "password": {"status": status(org.options.provisioning && org.options.password_sync)}},
        },
        "_links": {"self": link(org, &format!("/api/v1/apps/{}/features/USER_PROVISIONING", org.app_id))},
    })
}

/// The app user schema: each property and the SCIM attribute it goes to
/// (`provision::SCHEMA`, and the app's custom properties).
fn schema_json(org: &Org) -> Value {
    let mut base = Map::new();
    let mut custom = Map::new();
    let property = |title: &str, name: Option<&str>, namespace: Option<&str>| {
        let mut p = json!({"title": title, "type": "string", "scope": "NONE", "master": {"type": "PROFILE_MASTER"}});
        if let Some(name) = name {
            p["externalName"] = json!(name);
            p["externalNamespace"] =
                json!(namespace.unwrap_or("urn:ietf:params:scim:schemas:core:2.0:User"));
        }
        p
    };
    for (name, external, namespace, in_base) in super::provision::SCHEMA {
        let target = if *in_base { &mut base } else { &mut custom };
        target.insert(name.to_string(), property(name, Some(external), *namespace));
    }
    for (name, external) in &org.options.custom_properties {
        custom.insert(name.clone(), property(name, external.as_deref(), None));
    }
    json!({
        "id": format!("{}/meta/schemas/apps/{}/default", org.url, org.app_id),
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": "acmescim",
        "title": format!("{} User", org.options.app_label),
        "created": org.created,
        "lastUpdated": org.created,
        "definitions": {
            "base": {"id": "#base", "type": "object", "properties": base, "required": []},
            "custom": {"id": "#custom", "type": "object", "properties": custom, "required": ["userName"]},
        },
        "type": "object",
        "properties": {"profile": {"allOf": [{"$ref": "#/definitions/base"}, {"$ref": "#/definitions/custom"}]}},
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

pub(super) fn app_user_json(org: &Org, a: &AppUserState) -> Value {
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
    if let Some(at) = &a.password_changed {
        value["passwordChanged"] = json!(at);
    }
    value
}

pub(super) fn user_json(org: &Org, u: &User) -> Value {
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

pub(super) fn group_json(org: &Org, g: &Group) -> Value {
    let class = if g.kind == "APP_GROUP" {
        "okta:app_group"
    } else {
        "okta:user_group"
    };
    json!({
        "id": g.id,
        "created": org.created,
        "lastUpdated": org.created,
        "lastMembershipUpdated": org.created,
        "objectClass": [class],
        "type": g.kind,
        "profile": {"name": g.name},
        "_links": {"self": link(org, &format!("/api/v1/groups/{}", g.id))},
    })
}

pub(super) fn mapping_json(m: &Mapping) -> Value {
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

/// `POST /governance/api/v1/grants` (Okta Identity Governance): a CUSTOM grant of the app to an
/// Okta user, as the With-Entitlements CRUD file makes it; answered in the shape Okta's
/// Governance API documents (the grant with its id, status and the principal and target given).
pub fn grant(org: &Org, req: &Request) -> Reply {
    if (req.method.as_str(), req.path.as_str()) != ("POST", "/governance/api/v1/grants") {
        return not_found(&req.path, "Endpoint");
    }
    let Some(body) = &req.body else {
        return error(
            400,
            "E0000003",
            "The request body was not well-formed.",
            &[],
        );
    };
    let user = body["targetPrincipal"]["externalId"].as_str().unwrap_or("");
    let app = body["target"]["externalId"].as_str().unwrap_or("");
    if org.user(user).is_none() {
        return not_found(user, "User");
    }
    if app != org.app_id {
        return not_found(app, "AppInstance");
    }
    let now = super::now();
    json_reply(
        200,
        json!({
            "id": format!("0gg{}", &user[3.min(user.len())..]),
            "grantType": body["grantType"],
            "targetPrincipal": body["targetPrincipal"],
            "target": body["target"],
            "actor": body["actor"],
            "status": "ACTIVE",
            "created": now, "createdBy": {"id": "00uadmin", "type": "OKTA_USER"},
            "lastUpdated": now, "lastUpdatedBy": {"id": "00uadmin", "type": "OKTA_USER"},
        }),
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
