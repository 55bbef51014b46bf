//! The tester's Okta org as the session keeps it (org URL, app instance, how scimplan signs in;
//! never the token or a private key's contents), and what the Okta side of a verification
//! leaves with the run: System Log events and the app user's sync state.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::connection::NetworkSettings;
use super::links::refuse_credentials;

/// The environment variable holding the Okta API token (sent as `Authorization: SSWS ...`).
pub const OKTA_TOKEN_ENV: &str = "SCIMPLAN_OKTA_TOKEN";

/// An Okta setting the tester gave that cannot work; the message says what to give.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct OktaSettingsError(pub String);

/// How scimplan authenticates to the Okta management API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum OktaAuth {
    /// An API token from `SCIMPLAN_OKTA_TOKEN` or a prompt: `Authorization: SSWS <token>`.
    ApiToken,
    /// An OAuth 2.0 service app: client credentials with a private-key JWT.
    ServiceApp {
        client_id: String,
        /// The PEM file of the private key (the path only; the key is read when needed).
        key_file: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
        scopes: Vec<String>,
    },
}

impl OktaAuth {
    pub fn label(&self) -> String {
        match self {
            OktaAuth::ApiToken => format!("API token (SSWS, from {OKTA_TOKEN_ENV})"),
            OktaAuth::ServiceApp { client_id, .. } => {
                format!("OAuth 2.0 service app {client_id} (private-key JWT)")
            }
        }
    }
}

/// The scopes the checks need when an OAuth service app signs in.
pub const OKTA_SCOPES: [&str; 4] = [
    "okta.users.manage",
    "okta.apps.manage",
    "okta.groups.manage",
    "okta.logs.read",
];

/// The tester's Okta org and app instance; stored in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OktaConnection {
    /// `https://dev-123456.okta.com` (normalised: no `-admin`, no path, no trailing slash).
    pub org_url: String,
    /// The app instance's id (`0oa...`).
    pub app_id: String,
    pub auth: OktaAuth,
    /// The integration's key Okta gave the app (`dev-123_myscimapp_1`), learnt when connecting:
    /// the Admin Console's app pages are under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// Extra CA files and a proxy for the org (`connect --ca-cert/--proxy`).
    #[serde(default, skip_serializing_if = "NetworkSettings::is_empty")]
    pub network: NetworkSettings,
}

impl OktaConnection {
    pub fn new(
        org_url: &str,
        app_id: &str,
        auth: OktaAuth,
    ) -> Result<OktaConnection, OktaSettingsError> {
        Ok(OktaConnection {
            org_url: normalise_org_url(org_url)?,
            app_id: check_app_id(app_id)?,
            auth,
            app_name: None,
            network: NetworkSettings::default(),
        })
    }

    /// The connection with the tester's network settings.
    pub fn with_network(self, network: NetworkSettings) -> OktaConnection {
        OktaConnection { network, ..self }
    }

    /// An Admin Console page: `path` is a profile's template (`{app_name}`, `{app_id}`,
    /// `{search}`, `{from}`); `search` is the test user or group, `from` when the case started.
    pub fn admin_page_url(
        &self,
        path: &str,
        search: Option<&str>,
        from: Option<DateTime<Utc>>,
    ) -> Result<String, OktaSettingsError> {
        let encode =
            |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let mut filled = path.replace("{app_id}", &encode(&self.app_id));
        if filled.contains("{app_name}") {
            let Some(name) = &self.app_name else {
                return Err(OktaSettingsError(
                    "scimplan does not know the app's name in Okta yet: connect the Okta org again (C, or scimplan connect --okta-org) so it reads it.".into(),
                ));
            };
            filled = filled.replace("{app_name}", &encode(name));
        }
        filled = filled
            .replace("{search}", &encode(search.unwrap_or_default()))
            .replace(
                "{from}",
                &encode(
                    &from
                        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                        .unwrap_or_default(),
                ),
            );
        Ok(format!("{}{filled}", self.admin_url()))
    }

    /// The Admin Console of the org (`https://dev-1-admin.okta.com`).
    pub fn admin_url(&self) -> String {
        match url::Url::parse(&self.org_url) {
            Ok(mut url)
                if url.host_str().is_some_and(|h| h.contains('.')) && url.scheme() == "https" =>
            {
                let host = url.host_str().unwrap_or_default().to_string();
                let (first, rest) = host.split_once('.').unwrap_or((&host, ""));
                let _ = url.set_host(Some(&format!("{first}-admin.{rest}")));
                url.as_str().trim_end_matches('/').to_string()
            }
            _ => self.org_url.clone(),
        }
    }
}

/// Accepts what a tester pastes (`https://dev-1-admin.okta.com/admin/dashboard`,
/// `dev-1.okta.com/`) and keeps the API origin: https, the org's own host (`-admin` removed),
/// no path. Plain http only to this machine (the tests' Okta double).
pub fn normalise_org_url(text: &str) -> Result<String, OktaSettingsError> {
    let trimmed = text.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let example = "Give the org's URL, e.g. https://dev-123456.okta.com";
    refuse_credentials(
        "The Okta org URL",
        &with_scheme,
        &format!(
            "The API token comes from {OKTA_TOKEN_ENV} (or is asked for) and is never saved; a service app signs in with its client id and key file."
        ),
    )
    .map_err(|e| OktaSettingsError(e.to_string()))?;
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| OktaSettingsError(format!("'{text}' is not a URL ({e}). {example}")))?;
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return Err(OktaSettingsError(format!(
            "'{text}' has no host. {example}"
        )));
    };
    let loopback = is_loopback(&host);
    let domain_like = host.contains('.')
        && host
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-'));
    if !loopback && !domain_like {
        return Err(OktaSettingsError(format!(
            "'{text}' is not an org's host name. {example}"
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(OktaSettingsError(format!(
                "'{text}' is plain http: the Okta token would travel unencrypted. Okta orgs are https: {example}"
            )));
        }
        other => {
            return Err(OktaSettingsError(format!(
                "'{text}' is not https ({other}). {example}"
            )));
        }
    }
    // A page of the Admin Console (what the browser shows) is accepted: only its origin counts.
    let path = url.path();
    let admin_page = path.starts_with("/admin");
    if !(path.is_empty() || path == "/" || admin_page) || (url.query().is_some() && !admin_page) {
        return Err(OktaSettingsError(format!(
            "'{text}' has a path or query ({path}); give the org URL without one. {example}"
        )));
    }
    // The Admin Console lives on `<org>-admin.<domain>`; the API on `<org>.<domain>`.
    let host = match host.split_once('.') {
        Some((first, rest)) if first.ends_with("-admin") && first.len() > "-admin".len() => {
            format!("{}.{rest}", first.trim_end_matches("-admin"))
        }
        _ => host,
    };
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{host}{port}", url.scheme()))
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Okta ids are letters and digits (`0oa1gjh63g214q0Hq0g4`); anything else would change the
/// request path.
fn check_app_id(text: &str) -> Result<String, OktaSettingsError> {
    let id = text.trim();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(OktaSettingsError(format!(
            "'{text}' is not an Okta app id: it is letters and digits like 0oa1gjh63g214q0Hq0g4, shown in the app's URL in the Admin Console (…/instance/0oa…/)."
        )));
    }
    Ok(id.to_string())
}

/// One System Log event kept as evidence with a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OktaLogEntry {
    pub published: DateTime<Utc>,
    /// `application.provision.user.push`, ...
    pub event_type: String,
    pub display_message: String,
    /// `SUCCESS`, `FAILURE`, ...
    pub result: String,
    /// Okta's reason for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who or what the event is about: `User ann@example.com`, `AppInstance My SCIM app`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    pub uuid: String,
}

impl OktaLogEntry {
    pub fn failed(&self) -> bool {
        matches!(self.result.as_str(), "FAILURE" | "DENY")
            || self.event_type == "application.integration.authentication_failure"
    }

    /// `12:01:02 application.provision.user.push FAILURE: reason`.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} {} {}",
            self.published.format("%H:%M:%S"),
            self.event_type,
            self.result
        );
        if let Some(reason) = &self.reason {
            line.push_str(": ");
            line.push_str(reason);
        }
        line
    }
}

/// The app user's provisioning state when the Okta side was looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUserSync {
    pub user_id: String,
    /// `PROVISIONED`, `STAGED`, ...
    pub status: String,
    /// `SYNCHRONIZED`, `ERROR`, ...
    pub sync_state: String,
    /// The SCIM id Okta linked the app user to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// What Okta says about a case's test user or group since the case started: kept with the run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OktaTrail {
    /// Events from this moment on were asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<OktaLogEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_user: Option<AppUserSync>,
    /// Why the trail could not be read (the run's verdict does not depend on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl OktaTrail {
    /// Okta's side for the tester, one line each: the app user's state, the failed events
    /// (time, event, reason), or how many events there were when none failed.
    pub fn lines(&self) -> Vec<String> {
        if let Some(error) = &self.error {
            return vec![format!("could not read the System Log: {error}")];
        }
        let mut lines = Vec::new();
        if let Some(user) = &self.app_user {
            let linked = user
                .external_id
                .as_deref()
                .map(|id| format!(", SCIM id {id}"))
                .unwrap_or_default();
            lines.push(format!(
                "app user {} {} (sync {}{linked})",
                user.user_id, user.status, user.sync_state
            ));
        }
        let failed: Vec<String> = self
            .events
            .iter()
            .filter(|e| e.failed())
            .map(|e| format!("System Log: {}", e.line()))
            .collect();
        if failed.is_empty() {
            let since = self
                .since
                .map(|t| format!(" since {}", t.format("%H:%M:%S")))
                .unwrap_or_default();
            lines.push(format!(
                "System Log: {} event(s){since}, no failure",
                self.events.len()
            ));
        }
        lines.extend(failed);
        lines
    }

    /// The failures worth showing first: failed events, then a sync error.
    pub fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .events
            .iter()
            .filter(|e| e.failed())
            .map(OktaLogEntry::line)
            .collect();
        if let Some(user) = &self.app_user
            && user.sync_state == "ERROR"
        {
            out.push(format!(
                "app user {} is in sync state ERROR (status {})",
                user.user_id, user.status
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_urls_are_normalised_and_plain_http_only_to_this_machine() {
        let ok = |text: &str| normalise_org_url(text).unwrap();
        assert_eq!(
            ok("https://dev-123456.okta.com/"),
            "https://dev-123456.okta.com"
        );
        assert_eq!(ok("dev-123456.okta.com"), "https://dev-123456.okta.com");
        assert_eq!(
            ok("https://dev-123456-admin.okta.com/admin/dashboard"),
            "https://dev-123456.okta.com"
        );
        assert_eq!(
            ok("https://Dev-1-ADMIN.oktapreview.com"),
            "https://dev-1.oktapreview.com"
        );
        assert_eq!(ok("https://login.example.com"), "https://login.example.com");
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://localhost:9"), "http://localhost:9");
        for bad in [
            "http://dev-1.okta.com",
            "ftp://dev-1.okta.com",
            "https://dev-1.okta.com/api/v1",
            "https://user:pw@dev-1.okta.com",
            "https://",
            "-admin",
        ] {
            assert!(normalise_org_url(bad).is_err(), "{bad} was accepted");
        }
        let err = normalise_org_url("http://dev-1.okta.com")
            .unwrap_err()
            .to_string();
        assert!(err.contains("plain http"), "{err}");
        let err = normalise_org_url("ann:pw77@dev-1.okta.com")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(OKTA_TOKEN_ENV) && err.contains("user:password@") && !err.contains("pw77"),
            "{err}"
        );
    }

    #[test]
    fn app_ids_are_letters_and_digits() {
        let auth = OktaAuth::ApiToken;
        assert!(
            OktaConnection::new("https://x.okta.com", "0oa1gjh63g214q0Hq0g4", auth.clone()).is_ok()
        );
        for bad in ["", "0oa1/../users", "0oa 1", "0oa1?x=1"] {
            let err = OktaConnection::new("https://x.okta.com", bad, auth.clone()).unwrap_err();
            assert!(
                err.to_string().contains("not an Okta app id"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn the_admin_console_is_on_the_admin_host() {
        let c = OktaConnection::new("https://dev-1.okta.com", "0oa1", OktaAuth::ApiToken).unwrap();
        assert_eq!(c.admin_url(), "https://dev-1-admin.okta.com");
    }

    #[test]
    fn admin_pages_fill_the_app_and_the_test_user() {
        let mut c =
            OktaConnection::new("https://dev-1.okta.com", "0oa1", OktaAuth::ApiToken).unwrap();
        let app_page = "/admin/app/{app_name}/instance/{app_id}/#tab-group-push";
        // Without the app's name the page cannot be built: the error says how to learn it.
        let err = c.admin_page_url(app_page, None, None).unwrap_err();
        assert!(
            err.to_string().contains("connect the Okta org again"),
            "{err}"
        );
        c.app_name = Some("dev-1_acme_1".into());
        assert_eq!(
            c.admin_page_url(app_page, None, None).unwrap(),
            "https://dev-1-admin.okta.com/admin/app/dev-1_acme_1/instance/0oa1/#tab-group-push"
        );
        let from = "2026-11-29T10:00:00Z".parse().unwrap();
        assert_eq!(
            c.admin_page_url(
                "/report/system_log_2?search={search}&fromTime={from}",
                Some("ann+1@x.com"),
                Some(from)
            )
            .unwrap(),
            "https://dev-1-admin.okta.com/report/system_log_2?search=ann%2B1%40x.com&fromTime=2026-11-29T10%3A00%3A00Z"
        );
    }
}
