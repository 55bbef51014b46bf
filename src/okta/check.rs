//! What connecting to the Okta org checks at once: the app instance (label, sign-on mode,
//! status, features) and its provisioning (on or off, what it may do, the connection).

use super::api::{AppFeature, OktaApp, ProvisioningConnection};
use super::client::OktaClient;
use super::error::OktaError;

/// The app instance as Okta describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppCheck {
    pub app: OktaApp,
    /// `None`: provisioning is not enabled on the app.
    pub provisioning: Option<AppFeature>,
    pub connection: Option<ProvisioningConnection>,
}

/// Reads the app, its provisioning feature and its connection. Errors say what is wrong
/// (invalid token, no such app, a permission the token lacks) with Okta's code and summary.
pub fn check_app(client: &OktaClient) -> Result<AppCheck, OktaError> {
    let app = client.app()?;
    let provisioning = client.user_provisioning()?;
    let connection = client.provisioning_connection()?;
    Ok(AppCheck {
        app,
        provisioning,
        connection,
    })
}

impl AppCheck {
    /// Provisioning to the app is on: the feature enabled and the connection enabled.
    pub fn provisioning_on(&self) -> bool {
        self.provisioning
            .as_ref()
            .is_some_and(|f| f.status == "ENABLED")
            && self
                .connection
                .as_ref()
                .is_none_or(|c| c.status == "ENABLED")
    }

    /// Lines for the tester, in the Admin Console's words.
    pub fn lines(&self) -> Vec<String> {
        let app = &self.app;
        let mut lines = vec![format!(
            "app: {} ({}), {}, sign-on mode {}",
            app.label, app.id, app.status, app.sign_on_mode
        )];
        let connection = self.connection.as_ref().map(|c| {
            let scheme = c.auth_scheme.as_deref().unwrap_or("?");
            format!("connection {} ({scheme})", c.status)
        });
        match &self.provisioning {
            Some(feature) if self.provisioning_on() => {
                lines.push(format!(
                    "provisioning: on{}",
                    connection.map(|c| format!(", {c}")).unwrap_or_default()
                ));
                let caps = &feature.capabilities;
                let state = |on: bool| if on { "on" } else { "off" };
                lines.push(format!(
                    "to app: create users {}, update user attributes {}, deactivate users {}, sync password {}",
                    state(caps.create.lifecycle_create.enabled()),
                    state(caps.update.profile.enabled()),
                    state(caps.update.lifecycle_deactivate.enabled()),
                    state(caps.update.password.enabled()),
                ));
            }
            _ => lines.push(format!(
                "provisioning: off{}. Enable it on the app's Provisioning tab (Configure API Integration), or the provisioning cases cannot pass.",
                connection.map(|c| format!(" ({c})")).unwrap_or_default()
            )),
        }
        lines.push(if app.features.is_empty() {
            "features: none enabled".to_string()
        } else {
            format!("features: {}", app.features.join(", "))
        });
        lines
    }
}
