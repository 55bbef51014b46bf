//! The Okta client: any part of scimplan that reads or drives the tester's Okta org goes
//! through it. No terminal code here.
//!
//! - `client`: auth (`SSWS` API token or an OAuth access token), rate limits (a 429 waits for
//!   the reset and reports it as progress), `Link` paging, timeouts, cancelling.
//! - `error`: Okta's JSON errors as types (invalid token, missing permission, not found, ...).
//! - `api`: typed calls (app, provisioning feature and connection, app users and groups,
//!   Group Push mappings, users and their lifecycle, System Log).
//! - `check`: what `scimplan connect --okta-org` checks at once.
//! - `trail`: a case's System Log events and the app user's sync state, kept with the run.

pub mod api;
pub mod check;
pub mod client;
pub mod error;
pub mod trail;

pub use api::{
    AppFeature, AppGroup, AppUser, GroupPushMapping, Lifecycle, LogEvent, LogQuery, OktaApp,
    OktaGroup, OktaUser, ProvisioningConnection,
};
pub use check::{AppCheck, check_app};
pub use client::{OktaClient, OktaCredential, OktaProgress, OktaResponse, RateLimit};
pub use error::{ApiError, OktaError};
pub use trail::{TRAIL_LOOKBACK, TrailSubject, okta_trail, subjects_of, trail_since};

use crate::session::OKTA_TOKEN_ENV;
use crate::verify::secret::Secret;

/// The Okta API token from `SCIMPLAN_OKTA_TOKEN`; `None` when it is not set.
pub fn token_from_env() -> Option<Secret> {
    std::env::var(OKTA_TOKEN_ENV)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}
