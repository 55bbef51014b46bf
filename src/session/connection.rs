//! The settings of the connection to the app's SCIM API that are not secret; stored in the
//! session. The secret itself lives in `verify::secret`, in memory only.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A connection setting the tester gave that cannot work; the message says what to give.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct ConnectionError(pub String);

/// The environment variable holding the bearer token or the named header's value.
pub const TOKEN_ENV: &str = "SCIMPLAN_SCIM_TOKEN";
/// The environment variable holding the Basic auth password.
pub const PASSWORD_ENV: &str = "SCIMPLAN_SCIM_PASSWORD";

/// How the app's SCIM API authenticates Okta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "scheme")]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic ...` with the session's username and a password.
    Basic,
    /// A custom header carrying the token, e.g. `X-API-Key`.
    Header { name: String },
}

impl AuthScheme {
    /// Reads `bearer`, `basic` or `header:NAME`.
    pub fn parse(text: &str) -> Result<AuthScheme, ConnectionError> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "bearer" => Ok(AuthScheme::Bearer),
            "basic" => Ok(AuthScheme::Basic),
            _ => match text.trim().split_once(':') {
                Some((kind, name))
                    if kind.eq_ignore_ascii_case("header") && is_header_name(name.trim()) =>
                {
                    Ok(AuthScheme::Header {
                        name: name.trim().to_string(),
                    })
                }
                _ => Err(ConnectionError(format!(
                    "'{text}' is not an auth scheme. Use bearer, basic or header:NAME (e.g. header:X-API-Key)."
                ))),
            },
        }
    }

    pub fn label(&self) -> String {
        match self {
            AuthScheme::Bearer => "bearer".into(),
            AuthScheme::Basic => "basic".into(),
            AuthScheme::Header { name } => format!("header:{name}"),
        }
    }

    /// The environment variable the secret of this scheme is read from.
    pub fn secret_env(&self) -> &'static str {
        match self {
            AuthScheme::Basic => PASSWORD_ENV,
            _ => TOKEN_ENV,
        }
    }
}

/// An HTTP header name (RFC 9110 token): what a custom auth header may be called.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The settings of the connection that are not secret; stored in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The SCIM base URL, e.g. `https://app.example.com/scim/v2` (no trailing slash).
    pub base_url: String,
    pub auth: AuthScheme,
    /// The Basic auth username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl Connection {
    pub fn new(
        base_url: &str,
        auth: AuthScheme,
        username: Option<String>,
    ) -> Result<Connection, ConnectionError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let url = url::Url::parse(trimmed).map_err(|e| {
            ConnectionError(format!(
                "'{base_url}' is not a URL ({e}). Give the SCIM base URL, e.g. https://app.example.com/scim/v2"
            ))
        })?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(ConnectionError(format!(
                "'{base_url}' is not an http(s) URL. Give the SCIM base URL, e.g. https://app.example.com/scim/v2"
            )));
        }
        if auth == AuthScheme::Basic && username.as_deref().is_none_or(str::is_empty) {
            return Err(ConnectionError(
                "Basic auth needs a username: add --username NAME (the password comes from SCIMPLAN_SCIM_PASSWORD)."
                    .into(),
            ));
        }
        Ok(Connection {
            base_url: trimmed.to_string(),
            auth,
            username,
        })
    }

    /// A warning when the secret would travel unencrypted to another machine (plain http is
    /// fine for a test server on this one).
    pub fn plain_http_warning(&self) -> Option<String> {
        let url = url::Url::parse(&self.base_url).ok()?;
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let local = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        (url.scheme() == "http" && !local).then(|| {
            format!(
                "{} is plain http: the secret would travel unencrypted. Use https unless this is a local test server.",
                self.base_url
            )
        })
    }

    /// How the connection authenticates, for messages: `bearer`, `basic as ann`, `header:X-Key`.
    pub fn describe_auth(&self) -> String {
        match &self.username {
            Some(user) if self.auth == AuthScheme::Basic => format!("basic as {user}"),
            _ => self.auth.label(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_schemes_parse_and_reject_nonsense() {
        assert_eq!(AuthScheme::parse("Bearer").unwrap(), AuthScheme::Bearer);
        assert_eq!(AuthScheme::parse("basic").unwrap(), AuthScheme::Basic);
        assert_eq!(
            AuthScheme::parse("header:X-API-Key").unwrap(),
            AuthScheme::Header {
                name: "X-API-Key".into()
            }
        );
        let err = AuthScheme::parse("oauth").unwrap_err().to_string();
        assert!(
            err.contains("'oauth'") && err.contains("header:NAME"),
            "{err}"
        );
        assert!(AuthScheme::parse("header:bad name").is_err());
    }

    #[test]
    fn connection_needs_a_url_and_a_basic_username() {
        assert!(Connection::new("not a url", AuthScheme::Bearer, None).is_err());
        assert!(Connection::new("ftp://x", AuthScheme::Bearer, None).is_err());
        assert!(Connection::new("https://x/scim/v2", AuthScheme::Basic, None).is_err());
        let c = Connection::new("https://x/scim/v2/", AuthScheme::Bearer, None).unwrap();
        assert_eq!(c.base_url, "https://x/scim/v2");
    }

    #[test]
    fn plain_http_is_flagged_only_off_this_machine() {
        let warn = |url: &str| {
            Connection::new(url, AuthScheme::Bearer, None)
                .unwrap()
                .plain_http_warning()
        };
        for local in [
            "http://localhost:8000/scim",
            "http://127.0.0.1:9/scim",
            "http://127.8.0.1/scim",
            "http://[::1]:8000/scim",
            "https://app.example.com/scim",
        ] {
            assert_eq!(warn(local), None, "{local}");
        }
        let remote = warn("http://app.example.com/scim").expect("a warning");
        assert!(remote.contains("plain http"), "{remote}");
    }
}
