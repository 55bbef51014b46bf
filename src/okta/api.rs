//! Typed calls of Okta's management API that scimplan needs, and the parts of Okta's answers
//! it reads (shapes from Okta's OpenAPI: `Application`, `ApplicationFeature`,
//! `ProvisioningConnectionResponse`, `AppUser`, `ApplicationGroupAssignment`,
//! `GroupPushMapping`, `User`, `Group`, `LogEvent`).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::client::OktaClient;
use super::error::OktaError;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaApp {
    pub id: String,
    /// The integration's key (`scim2testapp`, ...), used in Admin Console URLs.
    #[serde(default)]
    pub name: Option<String>,
    pub label: String,
    /// `ACTIVE`, `INACTIVE`.
    #[serde(default)]
    pub status: String,
    /// `SAML_2_0`, `AUTO_LOGIN`, ...
    pub sign_on_mode: String,
    /// `PUSH_NEW_USERS`, `PUSH_PROFILE_UPDATES`, `GROUP_PUSH`, ...
    #[serde(default)]
    pub features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Toggle {
    /// `ENABLED` or `DISABLED`.
    #[serde(default)]
    pub status: String,
}

impl Toggle {
    pub fn enabled(&self) -> bool {
        self.status == "ENABLED"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCapabilities {
    #[serde(default)]
    pub lifecycle_create: Toggle,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCapabilities {
    #[serde(default)]
    pub profile: Toggle,
    #[serde(default)]
    pub lifecycle_deactivate: Toggle,
    #[serde(default)]
    pub password: Toggle,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Capabilities {
    #[serde(default)]
    pub create: CreateCapabilities,
    #[serde(default)]
    pub update: UpdateCapabilities,
}

/// `GET /api/v1/apps/{appId}/features/USER_PROVISIONING`: the "To App" settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AppFeature {
    pub name: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub capabilities: Capabilities,
}

/// `GET /api/v1/apps/{appId}/connections/default`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningConnection {
    /// `ENABLED`, `DISABLED`, `UNKNOWN`.
    pub status: String,
    #[serde(default)]
    pub auth_scheme: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppUserCredentials {
    #[serde(default)]
    pub user_name: Option<String>,
}

/// An assignment of a user to the app instance and its provisioning state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppUser {
    pub id: String,
    /// The SCIM id Okta linked the user to.
    #[serde(default)]
    pub external_id: Option<String>,
    /// `PROVISIONED`, `STAGED`, `DEPROVISIONED`, ...
    #[serde(default)]
    pub status: String,
    /// `SYNCHRONIZED`, `ERROR`, `SYNCING`, ...
    #[serde(default)]
    pub sync_state: Option<String>,
    /// `USER` (assigned directly) or `GROUP`.
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub credentials: AppUserCredentials,
    #[serde(default)]
    pub profile: Map<String, Value>,
    #[serde(default)]
    pub last_sync: Option<String>,
    #[serde(default)]
    pub password_changed: Option<String>,
}

/// A group assigned to the app instance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AppGroup {
    pub id: String,
    #[serde(default)]
    pub priority: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPushMapping {
    pub id: String,
    #[serde(default)]
    pub source_group_id: Option<String>,
    #[serde(default)]
    pub target_group_id: Option<String>,
    /// `ACTIVE`, `INACTIVE`, `ERROR`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub error_summary: Option<String>,
    #[serde(default)]
    pub last_push: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// Every other attribute, as Okta sent it.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaUser {
    pub id: String,
    /// `ACTIVE`, `SUSPENDED`, `DEPROVISIONED`, `STAGED`, ...
    pub status: String,
    #[serde(default)]
    pub profile: UserProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct GroupProfile {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// The kinds of Okta group a lookup by name may mean: the tester's own groups (`OKTA_GROUP`),
/// or the groups Okta keeps for the app's groups (`APP_GROUP`: imported, or the target of a
/// Group Push, named like the Okta group it was pushed from).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    Okta,
    App,
}

impl GroupType {
    pub fn name(self) -> &'static str {
        match self {
            GroupType::Okta => "OKTA_GROUP",
            GroupType::App => "APP_GROUP",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OktaGroup {
    pub id: String,
    #[serde(default)]
    pub profile: GroupProfile,
    /// `OKTA_GROUP`, `APP_GROUP`, `BUILT_IN`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// One property of the app user schema: where Okta sends its value in the app
/// (`externalName`, e.g. `name.givenName` or `emails^[type=='work'].value`, in
/// `externalNamespace`, e.g. the SCIM enterprise extension's URN).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaProperty {
    #[serde(default)]
    pub external_name: Option<String>,
    #[serde(default)]
    pub external_namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct SchemaSection {
    #[serde(default)]
    pub properties: BTreeMap<String, SchemaProperty>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct SchemaDefinitions {
    #[serde(default)]
    pub base: SchemaSection,
    #[serde(default)]
    pub custom: SchemaSection,
}

/// `GET /api/v1/meta/schemas/apps/{appId}/default`: the app user profile's properties (Okta's
/// `#base` ones and the `#custom` ones the app added) and the app attribute each maps to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct AppUserSchema {
    #[serde(default)]
    pub definitions: SchemaDefinitions,
}

impl AppUserSchema {
    /// Every property, `#base` first.
    pub fn properties(&self) -> impl Iterator<Item = (&String, &SchemaProperty)> {
        self.definitions
            .base
            .properties
            .iter()
            .chain(&self.definitions.custom.properties)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct LogOutcome {
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogTarget {
    #[serde(default)]
    pub id: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub alternate_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    #[serde(default)]
    pub uuid: String,
    pub published: DateTime<Utc>,
    pub event_type: String,
    #[serde(default)]
    pub display_message: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub outcome: LogOutcome,
    #[serde(default)]
    pub target: Vec<LogTarget>,
}

/// A user lifecycle operation (`POST /api/v1/users/{id}/lifecycle/{op}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Activate,
    Deactivate,
    Reactivate,
    Suspend,
    Unsuspend,
}

impl Lifecycle {
    pub fn path(self) -> &'static str {
        match self {
            Lifecycle::Activate => "activate",
            Lifecycle::Deactivate => "deactivate",
            Lifecycle::Reactivate => "reactivate",
            Lifecycle::Suspend => "suspend",
            Lifecycle::Unsuspend => "unsuspend",
        }
    }
}

/// A System Log query. `until` is always sent: without it Okta treats the request as polling
/// and keeps offering a next page.
#[derive(Debug, Clone, PartialEq)]
pub struct LogQuery {
    pub since: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
    /// Okta's SCIM-like filter: `target.id eq "00u1" and outcome.result eq "FAILURE"`.
    pub filter: Option<String>,
    /// Events per page (Okta: 1000 at most).
    pub limit: u32,
}

impl LogQuery {
    pub fn since(since: DateTime<Utc>) -> LogQuery {
        LogQuery {
            since,
            until: None,
            filter: None,
            limit: 1000,
        }
    }

    pub fn filter(mut self, filter: impl Into<String>) -> LogQuery {
        self.filter = Some(filter.into());
        self
    }

    fn path(&self) -> String {
        let stamp = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
        // A second ahead, so an event of this very moment is not cut off by the bound.
        let until = self
            .until
            .unwrap_or_else(|| Utc::now() + chrono::Duration::seconds(1));
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("since", &stamp(&self.since));
        query.append_pair("until", &stamp(&until));
        if let Some(filter) = &self.filter {
            query.append_pair("filter", filter);
        }
        query.append_pair("limit", &self.limit.to_string());
        query.append_pair("sortOrder", "ASCENDING");
        format!("/api/v1/logs?{}", query.finish())
    }
}

/// A path segment with everything but unreserved characters (and `@`, frequent in logins)
/// percent-encoded, so a login cannot change the request path.
pub fn segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A string quoted for an Okta filter or search expression.
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A 404 as "absent"; other errors stay errors.
fn optional<T>(result: Result<T, OktaError>) -> Result<Option<T>, OktaError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(OktaError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Names what a 404 was about.
fn about<T>(result: Result<T, OktaError>, what: String) -> Result<T, OktaError> {
    result.map_err(|e| match e {
        OktaError::NotFound { request, api, .. } => OktaError::NotFound { what, request, api },
        other => other,
    })
}

impl OktaClient {
    fn app_path(&self) -> String {
        format!("/api/v1/apps/{}", segment(self.app_id()))
    }

    /// The app instance: label, sign-on mode, status, features.
    pub fn app(&self) -> Result<OktaApp, OktaError> {
        let what = format!(
            "app instance {} (check --okta-app-id: the id in the app's Admin Console URL, …/instance/0oa…/)",
            self.app_id()
        );
        about(self.get(&self.app_path()), what)
    }

    /// The app's provisioning feature; `None` when provisioning is not enabled on the app.
    pub fn user_provisioning(&self) -> Result<Option<AppFeature>, OktaError> {
        optional(self.get(&format!("{}/features/USER_PROVISIONING", self.app_path())))
    }

    pub fn app_features(&self) -> Result<Vec<AppFeature>, OktaError> {
        optional(self.get(&format!("{}/features", self.app_path()))).map(Option::unwrap_or_default)
    }

    /// The default provisioning connection; `None` when the app has none.
    pub fn provisioning_connection(&self) -> Result<Option<ProvisioningConnection>, OktaError> {
        optional(self.get(&format!("{}/connections/default", self.app_path())))
    }

    /// The user's assignment to the app; `None` when not assigned.
    pub fn app_user(&self, user_id: &str) -> Result<Option<AppUser>, OktaError> {
        optional(self.get(&format!("{}/users/{}", self.app_path(), segment(user_id))))
    }

    /// Every assignment of the app, page by page.
    pub fn app_users(&self) -> Result<Vec<AppUser>, OktaError> {
        self.get_all(&format!("{}/users?limit=500", self.app_path()))
    }

    /// The group's assignment to the app; `None` when the group is not assigned.
    pub fn app_group(&self, group_id: &str) -> Result<Option<AppGroup>, OktaError> {
        optional(self.get(&format!("{}/groups/{}", self.app_path(), segment(group_id))))
    }

    /// The app user schema (what each app user property is called in the app); `None` when
    /// Okta has none for the app.
    pub fn app_user_schema(&self) -> Result<Option<AppUserSchema>, OktaError> {
        optional(self.get(&format!(
            "/api/v1/meta/schemas/apps/{}/default",
            segment(self.app_id())
        )))
    }

    pub fn app_groups(&self) -> Result<Vec<AppGroup>, OktaError> {
        self.get_all(&format!("{}/groups?limit=200", self.app_path()))
    }

    pub fn group_push_mappings(&self) -> Result<Vec<GroupPushMapping>, OktaError> {
        self.get_all(&format!(
            "{}/group-push/mappings?limit=1000",
            self.app_path()
        ))
    }

    /// A user by login or id; `None` when there is none.
    pub fn user(&self, login_or_id: &str) -> Result<Option<OktaUser>, OktaError> {
        optional(self.get(&format!("/api/v1/users/{}", segment(login_or_id.trim()))))
    }

    /// The user whose login is `login`, found by a search (every page): the exact login, else
    /// the one login equal but for letter case (Okta's logins ignore case, so that is the same
    /// account). Never a user Okta finds by a short name or a prefix (`GET /users/{login}`
    /// also accepts "login shortnames"), and never one of two letter-case twins.
    pub fn user_by_login(&self, login: &str) -> Result<Option<OktaUser>, OktaError> {
        let login = login.trim();
        let search = format!("profile.login eq {}", quoted(login));
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("search", &search);
        let users: Vec<OktaUser> = self.get_all(&format!("/api/v1/users?{}", query.finish()))?;
        if let Some(exact) = users.iter().find(|u| u.profile.login == login) {
            return Ok(Some(exact.clone()));
        }
        let mut alike = users
            .into_iter()
            .filter(|u| u.profile.login.eq_ignore_ascii_case(login));
        Ok(match (alike.next(), alike.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        })
    }

    /// Groups whose name is exactly `name` (Okta's `eq` ignores letter case; this does not),
    /// of one type when `kind` says which: a group pushed to the app has an `APP_GROUP` twin
    /// of the same name, which a lookup of the tester's group must not count.
    pub fn groups_named(
        &self,
        name: &str,
        kind: Option<GroupType>,
    ) -> Result<Vec<OktaGroup>, OktaError> {
        let mut search = format!("profile.name eq {}", quoted(name));
        if let Some(kind) = kind {
            search.push_str(&format!(" and type eq {}", quoted(kind.name())));
        }
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("search", &search);
        let groups: Vec<OktaGroup> = self.get_all(&format!("/api/v1/groups?{}", query.finish()))?;
        Ok(groups
            .into_iter()
            .filter(|g| g.profile.name == name)
            .filter(|g| kind.is_none_or(|k| g.kind.as_deref().is_none_or(|t| t == k.name())))
            .collect())
    }

    /// The users of group `group_id`, every page.
    pub fn group_members(&self, group_id: &str) -> Result<Vec<OktaUser>, OktaError> {
        self.get_all(&format!(
            "/api/v1/groups/{}/users?limit=200",
            segment(group_id)
        ))
    }

    pub fn lifecycle(&self, user_id: &str, operation: Lifecycle) -> Result<(), OktaError> {
        let path = format!(
            "/api/v1/users/{}/lifecycle/{}",
            segment(user_id),
            operation.path()
        );
        let path = match operation {
            Lifecycle::Activate | Lifecycle::Reactivate | Lifecycle::Deactivate => {
                format!("{path}?sendEmail=false")
            }
            _ => path,
        };
        about(self.send("POST", &path, None), format!("user {user_id}")).map(|_| ())
    }

    /// Creates a user (activated, with a password when given).
    pub fn create_user(
        &self,
        profile: &Value,
        password: Option<&str>,
        activate: bool,
    ) -> Result<OktaUser, OktaError> {
        let mut body = json!({ "profile": profile });
        if let Some(password) = password {
            body["credentials"] = json!({ "password": { "value": password } });
        }
        let response = self.send(
            "POST",
            &format!("/api/v1/users?activate={activate}"),
            Some(&body),
        )?;
        decode_body("POST /api/v1/users", &response.body)
    }

    /// Replaces the user's profile (`PUT /api/v1/users/{id}`), as the CRUD file does.
    pub fn replace_user_profile(
        &self,
        user_id: &str,
        profile: &Value,
    ) -> Result<OktaUser, OktaError> {
        let path = format!("/api/v1/users/{}", segment(user_id));
        let response = about(
            self.send("PUT", &path, Some(&json!({ "profile": profile }))),
            format!("user {user_id}"),
        )?;
        decode_body(&format!("PUT {path}"), &response.body)
    }

    /// Deletes a user. Okta deletes only deactivated users: a first DELETE of an active user
    /// deactivates it, so this deactivates first.
    pub fn delete_user(&self, user_id: &str) -> Result<(), OktaError> {
        let Some(user) = self.user(user_id)? else {
            return Ok(());
        };
        if user.status != "DEPROVISIONED" {
            self.lifecycle(&user.id, Lifecycle::Deactivate)?;
        }
        let path = format!("/api/v1/users/{}", segment(&user.id));
        match self.send("DELETE", &path, None) {
            Ok(_) | Err(OktaError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Assigns a user to the app with an app-user profile.
    pub fn assign_user(
        &self,
        user_id: &str,
        user_name: &str,
        profile: &Value,
    ) -> Result<AppUser, OktaError> {
        let body = json!({
            "id": user_id,
            "scope": "USER",
            "credentials": { "userName": user_name },
            "profile": profile,
        });
        let path = format!("{}/users", self.app_path());
        let response = about(
            self.send("POST", &path, Some(&body)),
            format!("user {user_id} or app {}", self.app_id()),
        )?;
        decode_body(&format!("POST {path}"), &response.body)
    }

    /// Removes the user's assignment (Okta then deactivates the user in the app).
    pub fn unassign_user(&self, user_id: &str) -> Result<(), OktaError> {
        let path = format!("{}/users/{}", self.app_path(), segment(user_id));
        about(
            self.send("DELETE", &path, None),
            format!("assignment of user {user_id}"),
        )
        .map(|_| ())
    }

    /// System Log events, every page.
    pub fn logs(&self, query: &LogQuery) -> Result<Vec<LogEvent>, OktaError> {
        self.get_all(&query.path())
    }
}

fn decode_body<T: serde::de::DeserializeOwned>(request: &str, body: &str) -> Result<T, OktaError> {
    serde_json::from_str(body).map_err(|e| OktaError::Decode {
        request: request.to_string(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_cannot_change_the_path() {
        assert_eq!(segment("ann@example.com"), "ann@example.com");
        assert_eq!(segment("a/../apps"), "a%2F..%2Fapps");
        assert_eq!(segment("a b?x#y+z"), "a%20b%3Fx%23y%2Bz");
        assert_eq!(quoted("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn a_log_query_always_has_an_end() {
        let since = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let path = LogQuery::since(since)
            .filter("target.id eq \"00u1\"")
            .path();
        assert!(
            path.starts_with("/api/v1/logs?since=2026-11-29T12%3A00%3A00.000Z&until="),
            "{path}"
        );
        assert!(path.contains("filter=target.id+eq+%2200u1%22"), "{path}");
    }

    #[test]
    fn okta_shapes_are_read() {
        let app: OktaApp = serde_json::from_value(json!({
            "id": "0oa1", "name": "scim", "label": "My app", "status": "ACTIVE",
            "signOnMode": "SAML_2_0", "features": ["PUSH_NEW_USERS", "GROUP_PUSH"],
            "settings": {"app": {}}
        }))
        .unwrap();
        assert_eq!(app.features.len(), 2);
        let feature: AppFeature = serde_json::from_value(json!({
            "name": "USER_PROVISIONING", "status": "ENABLED",
            "capabilities": {"create": {"lifecycleCreate": {"status": "ENABLED"}},
                             "update": {"profile": {"status": "DISABLED"}, "lifecycleDeactivate": {"status": "ENABLED"}}}
        }))
        .unwrap();
        assert!(feature.capabilities.create.lifecycle_create.enabled());
        assert!(!feature.capabilities.update.profile.enabled());
        assert!(!feature.capabilities.update.password.enabled());
    }
}
