//! The Runscope result links the OIN Wizard asks for: what counts as one. And the rule every
//! URL scimplan saves obeys (the SCIM base URL, the Okta org, suite links, evidence links, a
//! proxy): no user name or password in it, since the URL is saved and the secret would be too.

use thiserror::Error;

/// A link that is not a web address; `field` names where it was typed (`--spec-link`,
/// `The SPEC link`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error(
        "{field} '{link}' is not a web link. Paste the full http:// or https:// address of the Runscope results page."
    )]
    NotALink { field: String, link: String },
    #[error(transparent)]
    Credentials(#[from] CredentialsInUrl),
}

/// A URL to be saved that carries `user:password@` (or a user name alone, where a token is
/// sometimes put). The URL is shown with them hidden.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{field} '{shown}' carries a user name or password (user:password@ before the host). scimplan saves this address, and the secret would be saved with it: give it without them. {instead}"
)]
pub struct CredentialsInUrl {
    pub field: String,
    /// The URL with what was before `@` replaced by `…`.
    pub shown: String,
    /// Where the secret goes instead.
    pub instead: String,
}

/// Refuses `url` when its authority carries a user name or password; `field` names where it
/// was given and `instead` says where the secret goes. Read from the text itself, so a URL
/// that does not parse is judged too (its other faults are the caller's to report).
pub fn refuse_credentials(field: &str, url: &str, instead: &str) -> Result<(), CredentialsInUrl> {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(());
    };
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return Ok(());
    };
    Err(CredentialsInUrl {
        field: field.to_string(),
        shown: format!("{scheme}://…{}", &rest[at..]),
        instead: instead.to_string(),
    })
}

/// The link trimmed, when it is an http(s) URL with a host, no white space and no credentials.
pub fn check_link(field: &str, link: &str) -> Result<String, LinkError> {
    let link = link.trim();
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(host) if !host.is_empty() && !link.chars().any(char::is_whitespace) => {
            refuse_credentials(
                field,
                link,
                "A results link opens without a password: make the result shareable and paste its link.",
            )?;
            Ok(link.to_string())
        }
        _ => Err(LinkError::NotALink {
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

    #[test]
    fn credentials_in_a_url_are_refused_without_being_repeated() {
        for bad in [
            "https://ann:s3cret@www.runscope.com/radar/x",
            "http://s3cret@host/x",
            "https://ann:s3cret@host",
            "https://a:b@c@host/x?y=z",
        ] {
            let err = check_link("--spec-link", bad).unwrap_err();
            assert!(matches!(err, LinkError::Credentials(_)), "{bad}: {err:?}");
            let text = err.to_string();
            assert!(
                text.contains("--spec-link") && text.contains("user:password@"),
                "{text}"
            );
            assert!(!text.contains("s3cret") && !text.contains("a:b"), "{text}");
        }
        // `@` after the host is not a credential.
        for good in [
            "https://host/user@example.com",
            "https://host/x?u=a@b",
            "https://host#a@b",
            "not a url @ all",
        ] {
            assert!(refuse_credentials("x", good, "").is_ok(), "{good}");
        }
        let err = refuse_credentials("The URL", "https://u:p@h:8/x", "Use the env.").unwrap_err();
        assert_eq!(err.shown, "https://…@h:8/x");
        assert!(err.to_string().ends_with("Use the env."), "{err}");
    }
}
