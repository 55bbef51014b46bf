//! What goes wrong talking to Okta, as types: Okta's JSON errors (`errorCode`, `errorSummary`,
//! `errorCauses`) sorted into what the tester must do about them.

use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

use crate::session::OKTA_TOKEN_ENV;

/// Okta's error body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(default)]
    pub error_code: String,
    #[serde(default)]
    pub error_summary: String,
    #[serde(default)]
    pub error_id: Option<String>,
    #[serde(default, deserialize_with = "causes")]
    pub error_causes: Vec<String>,
}

fn causes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Cause {
        #[serde(default)]
        error_summary: String,
    }
    let list: Option<Vec<Cause>> = Option::deserialize(d)?;
    Ok(list
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.error_summary)
        .filter(|s| !s.is_empty())
        .collect())
}

impl ApiError {
    /// `E0000011: Invalid token provided (password: too short; ...)`.
    pub fn describe(&self) -> String {
        let mut text = if self.error_code.is_empty() {
            self.error_summary.clone()
        } else {
            format!("{}: {}", self.error_code, self.error_summary)
        };
        if !self.error_causes.is_empty() {
            text.push_str(" (");
            text.push_str(&self.error_causes.join("; "));
            text.push(')');
        }
        text
    }
}

/// A request that failed, with what to do about it. `request` is `GET /api/v1/apps/0oa1`.
#[derive(Debug, Clone, Error)]
pub enum OktaError {
    #[error(
        "Okta refused the API token ({status} {}) for {request}. Check {OKTA_TOKEN_ENV}: an API token of this org (Security > API > Tokens), not revoked or expired.",
        api.describe()
    )]
    InvalidToken {
        request: String,
        status: u16,
        api: Box<ApiError>,
    },
    #[error(
        "the token lacks a permission for {request} (403 {}). Use a token of an admin who may manage apps, users and groups and read the System Log (a Super Admin, or an app and org admin), or grant the service app these scopes.",
        api.describe()
    )]
    Forbidden { request: String, api: Box<ApiError> },
    #[error("{what} not found in Okta ({request}: 404 {}).", api.describe())]
    NotFound {
        /// What was looked for, for the tester: `app instance 0oa1`.
        what: String,
        request: String,
        api: Box<ApiError>,
    },
    #[error("Okta refused {request} ({status} {}).", api.describe())]
    Api {
        request: String,
        status: u16,
        api: Box<ApiError>,
    },
    #[error("Okta answered {request} with {status} and no JSON error: {body}")]
    Unexpected {
        request: String,
        status: u16,
        body: String,
    },
    #[error("Okta's answer to {request} is not what its API documents: {detail}")]
    Decode { request: String, detail: String },
    #[error("cannot reach Okta for {request}: {detail}")]
    Unreachable { request: String, detail: String },
    #[error("Okta did not answer {request} within {} s.", timeout.as_secs())]
    Timeout { request: String, timeout: Duration },
    #[error("Okta did not answer {request} before the check's deadline.")]
    PastDeadline { request: String },
    #[error("cancelled before Okta answered {request}.")]
    Cancelled { request: String },
    #[error(
        "Okta kept answering {request} with 429 (rate limit) after {waits} waits for the reset; try again in a minute or raise the token's rate limit share."
    )]
    RateLimited { request: String, waits: u32 },
    #[error("Okta refused the service app's sign-in ({error}: {description}). {hint}")]
    OAuth {
        error: String,
        description: String,
        hint: String,
    },
    #[error("{0}")]
    Setup(String),
}

impl OktaError {
    /// Okta's error code, when Okta sent one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            OktaError::InvalidToken { api, .. }
            | OktaError::Forbidden { api, .. }
            | OktaError::NotFound { api, .. }
            | OktaError::Api { api, .. } => Some(api.error_code.as_str()),
            OktaError::OAuth { error, .. } => Some(error.as_str()),
            _ => None,
        }
    }

    /// The request never got an answer that says anything about Okta's data.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            OktaError::Unreachable { .. }
                | OktaError::Timeout { .. }
                | OktaError::PastDeadline { .. }
                | OktaError::Cancelled { .. }
        )
    }
}
