//! The Okta client: any part of scimplan that reads or drives the tester's Okta org goes
//! through it. Knows nothing of cases or recipes (the Okta side of a case, its System Log
//! window and its Admin Console page are `verify`'s); no terminal code here.
//!
//! - `client`: auth (`SSWS` API token or an OAuth access token), rate limits (a 429 waits for
//!   the reset and reports it as progress), `Link` paging, timeouts, cancelling.
//! - `error`: Okta's JSON errors as types (invalid token, missing permission, not found, ...).
//! - `api`: typed calls (app, provisioning feature and connection, app users and groups,
//!   Group Push mappings, users and their lifecycle, System Log).
//! - `oauth`: signing in as an OAuth 2.0 service app (client credentials, private-key JWT).
//! - `check`: what `scimplan connect --okta-org` checks at once.
//! - `trail`: the System Log events about some users and groups and the app, and the app
//!   user's sync state, as `session::OktaTrail`.
//!
//! An Admin Console page's URL is filled in by the connection itself
//! (`OktaConnection::admin_page_url`, in `session`) from the profile's page template.

pub mod api;
pub mod check;
pub mod client;
pub mod error;
pub mod oauth;
pub mod trail;

pub use api::{
    AppFeature, AppGroup, AppUser, AppUserSchema, GroupPushMapping, GroupType, Lifecycle, LogEvent,
    LogQuery, OktaApp, OktaGroup, OktaUser, ProvisioningConnection,
};
pub use check::{AppCheck, check_app};
pub use client::{OktaClient, OktaCredential, OktaProgress, OktaResponse, RateLimit};
pub use error::{ApiError, OktaError};
pub use trail::{TrailSubject, okta_trail};

use crate::net::Secret;
use crate::session::{OKTA_TOKEN_ENV, OktaAuth, OktaConnection};

/// The Okta API token from `SCIMPLAN_OKTA_TOKEN`; `None` when it is not set.
pub fn token_from_env() -> Option<Secret> {
    std::env::var(OKTA_TOKEN_ENV)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

/// The credential a connection signs in with: the API token given (from the environment or a
/// prompt), or an access token the service app obtains with its private key.
pub fn credential_for(
    connection: &OktaConnection,
    api_token: Option<Secret>,
) -> Result<OktaCredential, OktaError> {
    match &connection.auth {
        OktaAuth::ApiToken => api_token.map(OktaCredential::ApiToken).ok_or_else(|| {
            OktaError::Setup(format!(
                "the Okta API token is not set: export {OKTA_TOKEN_ENV} (it is read from the environment, or asked on a terminal, and never saved)."
            ))
        }),
        OktaAuth::ServiceApp {
            client_id,
            key_file,
            key_id,
            scopes,
        } => {
            let app = oauth::ServiceApp::from_key_file(client_id, key_file, key_id.clone(), scopes.clone())?;
            oauth::access_token(&connection.org_url, &connection.network, &app).map(OktaCredential::AccessToken)
        }
    }
}
