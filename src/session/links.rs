//! The Runscope result links the OIN Wizard asks for: what counts as one.

use thiserror::Error;

/// A link that is not a web address; `field` names where it was typed (`--spec-link`,
/// `The SPEC link`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{field} '{link}' is not a web link. Paste the full http:// or https:// address of the Runscope results page."
)]
pub struct LinkError {
    pub field: String,
    pub link: String,
}

/// The link trimmed, when it is an http(s) URL with a host and no white space.
pub fn check_link(field: &str, link: &str) -> Result<String, LinkError> {
    let link = link.trim();
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(host) if !host.is_empty() && !link.chars().any(char::is_whitespace) => {
            Ok(link.to_string())
        }
        _ => Err(LinkError {
            field: field.to_string(),
            link: link.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_need_a_scheme_and_a_host() {
        assert_eq!(
            check_link("--spec-link", " https://www.runscope.com/radar/x ").unwrap(),
            "https://www.runscope.com/radar/x"
        );
        for bad in ["runscope.com/x", "https://", "ftp://x", "https://a b"] {
            let err = check_link("--spec-link", bad).unwrap_err().to_string();
            assert!(
                err.contains("--spec-link") && err.contains("not a web link"),
                "{err}"
            );
        }
    }
}
