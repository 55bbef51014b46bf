//! The settings of the connection to the app's SCIM API that are not secret; stored in the
//! session. The secret itself lives in `net::secret`, in memory only. Also the network settings
//! a tester gives a connection (extra CA files, a proxy), shared with the Okta connection.

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::links::refuse_credentials;

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

/// How a connection reaches its server beyond what the system says: CA files trusted beside
/// the system's trust store, and a proxy in place of `HTTPS_PROXY`/`HTTP_PROXY`. Saved with the
/// connection (`connect --ca-cert/--proxy`): the files' paths, never a certificate or a decision
/// to trust; the files are read each time a client is set up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSettings {
    /// Absolute paths of PEM (or DER) files of certificate authorities to trust as well.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ca_certs: Vec<String>,
    /// `http://proxy.example.com:3128`: every request of the connection goes through it (hosts
    /// in `NO_PROXY` excepted). Never with credentials: those stay in the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
}

impl NetworkSettings {
    /// Checks what `connect` was given: the proxy's form (no credentials) and the CA files'
    /// paths, made absolute so that the session works from any folder. (Whether a file holds a
    /// certificate is checked by `net::trust`, which reads it.)
    pub fn new(
        ca_certs: &[impl AsRef<Path>],
        proxy: Option<&str>,
    ) -> Result<Self, ConnectionError> {
        let proxy = match proxy {
            Some(text) => {
                refuse_credentials(
                    "--proxy",
                    text,
                    "Put the proxy's address with its user name and password in HTTPS_PROXY (read from the environment, never saved) and leave --proxy out.",
                )
                .map_err(|e| ConnectionError(e.to_string()))?;
                Some(
                    proxy_url(text)
                        .map_err(|why| ConnectionError(format!("--proxy {why}")))?
                        .as_str()
                        .trim_end_matches('/')
                        .to_string(),
                )
            }
            None => None,
        };
        let ca_certs = ca_certs
            .iter()
            .map(|path| {
                let path = path.as_ref();
                std::path::absolute(path)
                    .unwrap_or_else(|_| path.to_path_buf())
                    .display()
                    .to_string()
            })
            .collect();
        Ok(NetworkSettings { ca_certs, proxy })
    }

    pub fn is_empty(&self) -> bool {
        self.ca_certs.is_empty() && self.proxy.is_none()
    }

    /// The settings for a service both connections lead to (the Runscope API): the CA files of
    /// both, and `self`'s proxy, else `other`'s.
    pub fn merged(&self, other: &NetworkSettings) -> NetworkSettings {
        let mut ca_certs = self.ca_certs.clone();
        for path in &other.ca_certs {
            if !ca_certs.contains(path) {
                ca_certs.push(path.clone());
            }
        }
        NetworkSettings {
            ca_certs,
            proxy: self.proxy.clone().or_else(|| other.proxy.clone()),
        }
    }
}

/// A proxy's address as a tester or the environment gives it (`proxy:3128` means
/// `http://proxy:3128`): http or https, a host, no path. Credentials are left for the caller
/// to judge (allowed in the environment, refused where they would be saved).
pub fn proxy_url(text: &str) -> Result<url::Url, String> {
    let trimmed = text.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let example = "Give the proxy's address, e.g. http://proxy.example.com:3128";
    let shown = match refuse_credentials("", trimmed, "") {
        Ok(()) => trimmed.to_string(),
        Err(e) => e.shown,
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| format!("'{shown}' is not a proxy address ({e}). {example}"))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "'{shown}': {other} proxies are not supported, only http:// and https:// ones. {example}"
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{shown}' has no host. {example}"));
    }
    if !(url.path().is_empty() || url.path() == "/") || url.query().is_some() {
        return Err(format!(
            "'{shown}' has a path; a proxy is a host and a port. {example}"
        ));
    }
    Ok(url)
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
    /// Extra CA files and a proxy for the app (`connect --ca-cert/--proxy`).
    #[serde(default, skip_serializing_if = "NetworkSettings::is_empty")]
    pub network: NetworkSettings,
}

impl Connection {
    pub fn new(
        base_url: &str,
        auth: AuthScheme,
        username: Option<String>,
    ) -> Result<Connection, ConnectionError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        refuse_credentials(
            "The SCIM base URL",
            trimmed,
            &format!(
                "The token comes from {TOKEN_ENV} (Basic: the user name from --username, the password from {PASSWORD_ENV}), or is asked for; it is never saved."
            ),
        )
        .map_err(|e| ConnectionError(e.to_string()))?;
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
            network: NetworkSettings::default(),
        })
    }

    /// The connection with the tester's network settings.
    pub fn with_network(self, network: NetworkSettings) -> Connection {
        Connection { network, ..self }
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
    fn credentials_in_the_base_url_are_refused() {
        let err = Connection::new("http://ann:pw123@host/v2", AuthScheme::Bearer, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SCIM base URL") && err.contains(TOKEN_ENV) && !err.contains("pw123"),
            "{err}"
        );
    }

    #[test]
    fn proxies_are_http_addresses_and_never_carry_credentials() {
        let ok = |text: &str| {
            NetworkSettings::new(&[] as &[&str], Some(text))
                .unwrap()
                .proxy
        };
        assert_eq!(
            ok("proxy.corp:3128").as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(ok("https://p.corp/").as_deref(), Some("https://p.corp"));
        for (bad, says) in [
            ("http://ann:pw99@proxy:3128", "HTTPS_PROXY"),
            ("socks5://proxy:1080", "not supported"),
            ("http://proxy:3128/path", "has a path"),
            ("http://", "not a proxy address"),
        ] {
            let err = NetworkSettings::new(&[] as &[&str], Some(bad))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says) && !err.contains("pw99"), "{bad}: {err}");
        }
        let relative = NetworkSettings::new(&["ca.pem"], None).unwrap();
        assert!(Path::new(&relative.ca_certs[0]).is_absolute());
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
