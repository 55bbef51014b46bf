//! Signing in as an OAuth 2.0 service app, for orgs that forbid API tokens: the client
//! credentials grant with a private-key JWT (`private_key_jwt` client authentication) at the
//! org's token endpoint `/oauth2/v1/token`, giving an access token sent as `Bearer`. The key
//! (RSA, RS256; or EC P-256, ES256) is read from the file when needed and kept in memory only.
//! Service apps that require DPoP are refused by Okta with `invalid_dpop_proof`: scimplan does
//! not do DPoP and says so.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::client::OKTA_TIMEOUT;
use super::error::OktaError;
use crate::net::http::root_cause;
use crate::net::{HttpSettings, Secret, build_client, cut};
use crate::session::NetworkSettings;

/// How long the signed assertion is valid (Okta accepts at most an hour).
const ASSERTION_LIFETIME: u64 = 300;

/// The service app's settings and its private key (in memory only).
#[derive(Clone, Debug)]
pub struct ServiceApp {
    pub client_id: String,
    /// The PEM text of the private key.
    pub key_pem: Secret,
    /// The key's `kid` in the app's JWKS, when the app has several keys.
    pub key_id: Option<String>,
    pub scopes: Vec<String>,
}

impl ServiceApp {
    /// Reads the private key from `key_file`.
    pub fn from_key_file(
        client_id: &str,
        key_file: &str,
        key_id: Option<String>,
        scopes: Vec<String>,
    ) -> Result<ServiceApp, OktaError> {
        let text = std::fs::read_to_string(key_file).map_err(|e| {
            OktaError::Setup(format!(
                "{key_file}: cannot read the service app's private key ({e}). Give the PEM file of the key whose public half is in the app's JWKS."
            ))
        })?;
        if !text.contains("-----BEGIN") || !text.contains("PRIVATE KEY-----") {
            return Err(OktaError::Setup(format!(
                "{key_file}: not a PEM private key (it should start with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)."
            )));
        }
        Ok(ServiceApp {
            client_id: client_id.trim().to_string(),
            key_pem: Secret::new(text),
            key_id,
            scopes,
        })
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

/// The signed client assertion for the org's token endpoint.
pub fn client_assertion(org_url: &str, app: &ServiceApp) -> Result<String, OktaError> {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let pem = app.key_pem.expose().as_bytes();
    let (key, algorithm) = match EncodingKey::from_rsa_pem(pem) {
        Ok(key) => (key, Algorithm::RS256),
        Err(_) => match EncodingKey::from_ec_pem(pem) {
            Ok(key) => (key, Algorithm::ES256),
            Err(e) => {
                return Err(OktaError::Setup(format!(
                    "the service app's private key is neither an RSA nor a P-256 EC key in PEM ({e})."
                )));
            }
        },
    };
    let mut header = Header::new(algorithm);
    header.kid = app.key_id.clone();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let audience = format!("{org_url}/oauth2/v1/token");
    let claims = Claims {
        aud: &audience,
        iss: &app.client_id,
        sub: &app.client_id,
        iat: now.as_secs(),
        exp: now.as_secs() + ASSERTION_LIFETIME,
        jti: format!("{}-{}", now.as_nanos(), std::process::id()),
    };
    encode(&header, &claims, &key)
        .map_err(|e| OktaError::Setup(format!("cannot sign the client assertion: {e}")))
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// Asks the org for an access token with the service app's scopes.
pub fn access_token(
    org_url: &str,
    network: &NetworkSettings,
    app: &ServiceApp,
) -> Result<Secret, OktaError> {
    let request = "POST /oauth2/v1/token".to_string();
    let assertion = client_assertion(org_url, app)?;
    let http = build_client(&HttpSettings::api(OKTA_TIMEOUT).with_network(network))
        .map_err(|e| OktaError::Setup(e.to_string()))?;
    let form = [
        ("grant_type", "client_credentials".to_string()),
        ("scope", app.scopes.join(" ")),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
        ),
        ("client_assertion", assertion),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    let response = http
        .post(format!("{org_url}/oauth2/v1/token"))
        .header(reqwest::header::ACCEPT, "application/json")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .map_err(|e| OktaError::Unreachable {
            request: request.clone(),
            detail: root_cause(&e),
        })?;
    let status = response.status().as_u16();
    let text = response.text().unwrap_or_default();
    let answer: TokenAnswer = serde_json::from_str(&text).map_err(|_| OktaError::Unexpected {
        request: request.clone(),
        status,
        body: cut(&text),
    })?;
    match (status, answer.access_token) {
        (200, Some(token)) if !token.is_empty() => Ok(Secret::new(token)),
        _ => {
            let error = answer.error.unwrap_or_else(|| format!("HTTP {status}"));
            let description = answer.error_description.unwrap_or_default();
            Err(OktaError::OAuth {
                hint: oauth_hint(&error, app),
                error,
                description,
            })
        }
    }
}

/// What the tester can do about an OAuth error.
fn oauth_hint(error: &str, app: &ServiceApp) -> String {
    match error {
        "invalid_client" => format!(
            "Check the client id ({}) and that the app's public keys (JWKS) hold the public half of the key file{}.",
            app.client_id,
            if app.key_id.is_some() { " under that key id" } else { "" }
        ),
        "invalid_scope" => format!(
            "Grant the service app these scopes on its Okta API Scopes tab: {}.",
            app.scopes.join(" ")
        ),
        "invalid_dpop_proof" | "use_dpop_nonce" => {
            "The service app requires DPoP, which scimplan does not do: turn off \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" for it, or use an API token.".into()
        }
        "unauthorized_client" => "Allow the client credentials grant for the service app.".into(),
        _ => "See the service app's settings in the Admin Console.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_that_is_not_a_key_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "hello").unwrap();
        let err = ServiceApp::from_key_file("0oa1", path.to_str().unwrap(), None, vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a PEM private key"), "{err}");
        let err = ServiceApp::from_key_file("0oa1", "/nonexistent/key.pem", None, vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
        std::fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let app = ServiceApp::from_key_file("0oa1", path.to_str().unwrap(), None, vec![]).unwrap();
        let err = client_assertion("https://x.okta.com", &app)
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither an RSA nor a P-256"), "{err}");
        assert!(
            !format!("{app:?}").contains("AAAA"),
            "the key shows in Debug"
        );
    }
}
