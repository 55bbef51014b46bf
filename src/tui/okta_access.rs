//! How the checklist reaches the tester's Okta org: the API token typed here (memory only) or
//! in the environment, and the credential a background read signs in with. One place for the
//! rule, whoever reads Okta (the checks' planner is given the same token).

use crate::net::{CancelFlag, Secret};
use crate::okta::{OktaClient, OktaCredential, OktaError, credential_for, token_from_env};
use crate::session::{OKTA_TOKEN_ENV, OktaAuth, OktaConnection};
use crate::tui::model::Model;

/// The token for an API-token connection: typed in this checklist, else the environment.
pub fn api_token(m: &Model) -> Option<Secret> {
    m.okta_secret
        .clone()
        .or_else(|| m.secrets_from_env.then(token_from_env).flatten())
}

/// The credential to sign in to `connection` with, or why there is none. A service app signs
/// in on the background thread (it is a request), so this only gathers what it needs.
pub fn sign_in(m: &Model, connection: &OktaConnection) -> Result<Option<Secret>, String> {
    match connection.auth {
        OktaAuth::ApiToken => api_token(m).map(Some).ok_or_else(|| {
            format!(
                "the Okta API token is not set: export {OKTA_TOKEN_ENV} before starting scimplan, or type it when the connection form (C) asks."
            )
        }),
        OktaAuth::ServiceApp { .. } => Ok(None),
    }
}

pub fn client(
    connection: &OktaConnection,
    token: Option<Secret>,
    cancel: &CancelFlag,
) -> Result<OktaClient, OktaError> {
    let credential: OktaCredential = credential_for(connection, token)?;
    Ok(OktaClient::new(connection, credential)?.with_cancel(cancel.clone()))
}
