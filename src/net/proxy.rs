//! Which proxy a request goes through, decided in one place for every client and for
//! `doctor`: a connection's `--proxy`, else `HTTPS_PROXY` (for https URLs) or `HTTP_PROXY`
//! (for http URLs), else `ALL_PROXY`, each read in lower case first, then upper case; hosts
//! that `NO_PROXY` names go direct (`*` for all; a name covers its subdomains; IP addresses
//! and CIDR blocks such as `10.0.0.0/8`). A proxy's credentials come only from the
//! environment and are never shown.

use std::net::IpAddr;

use url::{Host, Url};

use crate::session::proxy_url;

/// Where requests to one URL go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Straight to the server; why (for `doctor`).
    Direct(String),
    /// Through `proxy`, chosen by `from` (`HTTPS_PROXY`, `--proxy`...).
    Via { proxy: Url, from: String },
}

impl Route {
    pub fn proxy(&self) -> Option<&Url> {
        match self {
            Route::Via { proxy, .. } => Some(proxy),
            Route::Direct(_) => None,
        }
    }

    /// `direct (no proxy is set)`, `through http://proxy:3128 (HTTPS_PROXY)`.
    pub fn describe(&self) -> String {
        match self {
            Route::Direct(why) => format!("direct ({why})"),
            Route::Via { proxy, from } => format!("through {} ({from})", shown(proxy)),
        }
    }
}

/// A proxy URL as it may be shown: credentials replaced by `…`.
pub fn shown(proxy: &Url) -> String {
    let text = proxy.as_str().trim_end_matches('/').to_string();
    match crate::session::refuse_credentials("", &text, "") {
        Ok(()) => text,
        Err(e) => e.shown,
    }
}

/// The proxy settings in force for one client.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    /// The connection's `--proxy`, for every URL.
    given: Option<Url>,
    https: Option<(Url, String)>,
    http: Option<(Url, String)>,
    /// The variable `NO_PROXY` was read from, and its entries.
    no_proxy: Option<(String, Vec<String>)>,
}

/// The proxy variables set in the environment, in the order they are read (for `doctor`);
/// values with their credentials hidden.
pub fn proxy_env() -> Vec<(String, String)> {
    let mut set = Vec::new();
    for name in [
        "https_proxy",
        "HTTPS_PROXY",
        "http_proxy",
        "HTTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        if let Some(value) = std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
            let value = match crate::session::refuse_credentials("", &value, "") {
                Ok(()) => value,
                Err(e) => e.shown,
            };
            set.push((name.to_string(), value));
        }
    }
    set
}

impl Proxies {
    /// `given` (a connection's `--proxy`) over the environment's variables.
    pub fn new(given: Option<&str>) -> Result<Proxies, String> {
        Proxies::from_vars(given, |name| std::env::var(name).ok())
    }

    /// As `new`, with the variables read through `var` (tests).
    pub fn from_vars(
        given: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Proxies, String> {
        let first = |names: &[&str]| {
            names.iter().find_map(|name| {
                var(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (name.to_string(), v))
            })
        };
        let read = |names: &[&str]| -> Result<Option<(Url, String)>, String> {
            match first(names) {
                Some((name, value)) => proxy_url(&value)
                    .map(|url| Some((url, name.clone())))
                    .map_err(|why| format!("{name}: {why}")),
                None => Ok(None),
            }
        };
        let all = read(&["all_proxy", "ALL_PROXY"])?;
        let https = read(&["https_proxy", "HTTPS_PROXY"])?.or_else(|| all.clone());
        let http = read(&["http_proxy", "HTTP_PROXY"])?.or(all);
        let given = match given {
            Some(text) => Some(proxy_url(text).map_err(|why| format!("--proxy {why}"))?),
            None => None,
        };
        let no_proxy = first(&["no_proxy", "NO_PROXY"]).map(|(name, value)| {
            let entries = value
                .split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .filter(|e| !e.is_empty())
                .collect();
            (name, entries)
        });
        Ok(Proxies {
            given,
            https,
            http,
            no_proxy,
        })
    }

    /// Where a request to `url` goes.
    pub fn route(&self, url: &Url) -> Route {
        let chosen = match &self.given {
            Some(proxy) => Some((
                proxy.clone(),
                "--proxy, saved with the connection".to_string(),
            )),
            None if url.scheme() == "https" => self.https.clone(),
            None => self.http.clone(),
        };
        let Some((proxy, from)) = chosen else {
            return Route::Direct("no proxy is set for this kind of URL".into());
        };
        if let (Some((name, entries)), Some(host)) = (&self.no_proxy, url.host())
            && let Some(entry) = entries.iter().find(|e| bypasses(e, &host))
        {
            return Route::Direct(format!("{name} holds {entry}"));
        }
        Route::Via { proxy, from }
    }
}

/// Whether one `NO_PROXY` entry covers `host`.
fn bypasses(entry: &str, host: &Host<&str>) -> bool {
    if entry == "*" {
        return true;
    }
    let ip = match host {
        Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        Host::Domain(_) => None,
    };
    if let Some((network, bits)) = entry.split_once('/') {
        let (Ok(network), Ok(bits), Some(ip)) = (
            network.trim_matches(['[', ']']).parse::<IpAddr>(),
            bits.parse::<u32>(),
            ip,
        ) else {
            return false;
        };
        return in_network(ip, network, bits);
    }
    // `[::1]`, `[::1]:8080`, `10.0.0.1`, `host:8080` (the port is not compared).
    let bare = match entry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(entry),
        None => entry,
    };
    if let Ok(listed) = bare.parse::<IpAddr>() {
        return ip == Some(listed);
    }
    let Host::Domain(name) = host else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    let suffix = bare.trim_start_matches('*').trim_start_matches('.');
    !suffix.is_empty() && (name == suffix || name.ends_with(&format!(".{suffix}")))
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u32) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(given: Option<&str>, vars: &[(&str, &str)]) -> Proxies {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Proxies::from_vars(given, move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .unwrap()
    }

    fn via(p: &Proxies, url: &str) -> Option<String> {
        p.route(&Url::parse(url).unwrap())
            .proxy()
            .map(|u| u.as_str().trim_end_matches('/').to_string())
    }

    #[test]
    fn the_scheme_picks_the_variable_lower_case_first() {
        let p = proxies(
            None,
            &[
                ("HTTPS_PROXY", "http://upper:1"),
                ("https_proxy", "lower:2"),
                ("HTTP_PROXY", "http://plain:3"),
            ],
        );
        assert_eq!(
            via(&p, "https://a.example/x").as_deref(),
            Some("http://lower:2")
        );
        assert_eq!(
            via(&p, "http://a.example/x").as_deref(),
            Some("http://plain:3")
        );
        let only_all = proxies(None, &[("ALL_PROXY", "http://all:4")]);
        assert_eq!(
            via(&only_all, "https://a/").as_deref(),
            Some("http://all:4")
        );
        assert_eq!(via(&proxies(None, &[]), "https://a/"), None);
    }

    #[test]
    fn no_proxy_names_hosts_domains_addresses_and_blocks() {
        let p = proxies(
            None,
            &[
                ("HTTPS_PROXY", "http://proxy:3128"),
                (
                    "NO_PROXY",
                    "localhost, .corp.example,internal.test:8443,10.0.0.0/8,[::1],192.168.1.7",
                ),
            ],
        );
        for direct in [
            "https://localhost:8000/scim",
            "https://app.corp.example/",
            "https://corp.example/",
            "https://internal.test/",
            "https://10.2.3.4/",
            "https://[::1]:9/",
            "https://192.168.1.7/",
        ] {
            assert_eq!(via(&p, direct), None, "{direct}");
        }
        for proxied in [
            "https://notcorp.example/",
            "https://11.0.0.1/",
            "https://dev-1.okta.com/",
            "https://192.168.1.8/",
        ] {
            assert!(via(&p, proxied).is_some(), "{proxied}");
        }
        let all = proxies(None, &[("HTTPS_PROXY", "proxy:1"), ("no_proxy", "*")]);
        assert_eq!(via(&all, "https://x.example/"), None);
        let route = p.route(&Url::parse("https://app.corp.example/").unwrap());
        assert_eq!(route.describe(), "direct (NO_PROXY holds .corp.example)");
    }

    #[test]
    fn a_given_proxy_overrides_the_environment_but_not_no_proxy() {
        let p = proxies(
            Some("http://given:8080"),
            &[
                ("HTTPS_PROXY", "http://env:1"),
                ("NO_PROXY", "skip.example"),
            ],
        );
        assert_eq!(
            via(&p, "https://a.example/").as_deref(),
            Some("http://given:8080")
        );
        assert_eq!(
            via(&p, "http://a.example/").as_deref(),
            Some("http://given:8080")
        );
        assert_eq!(via(&p, "https://skip.example/"), None);
    }

    #[test]
    fn bad_proxy_variables_are_named_and_credentials_never_shown() {
        let err = Proxies::from_vars(None, |name| {
            (name == "HTTPS_PROXY").then(|| "socks5://ann:pw55@p:1".to_string())
        })
        .unwrap_err();
        assert!(
            err.starts_with("HTTPS_PROXY:") && !err.contains("pw55"),
            "{err}"
        );
        let p = proxies(None, &[("HTTPS_PROXY", "http://ann:pw55@proxy:3128")]);
        let route = p.route(&Url::parse("https://a.example/").unwrap());
        assert_eq!(
            route.describe(),
            "through http://…@proxy:3128 (HTTPS_PROXY)"
        );
        assert_eq!(route.proxy().unwrap().password(), Some("pw55"));
    }
}
