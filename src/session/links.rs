//! The Runscope result links the OIN Wizard asks for: what counts as one. And the rule every
//! URL scimplan saves obeys (the SCIM base URL, the Okta org, suite links, evidence links, a
//! proxy): no user name or password in it, since the URL is saved and the secret would be too.

use thiserror::Error;

/// The form of a result page Okta's guide shows, for messages.
pub const RESULT_LINK_FORM: &str = "https://www.runscope.com/radar/{bucket}/{test}/history/{run}";

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

/// Why a link is not one Okta accepts for a suite field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResultLinkError {
    #[error(transparent)]
    NotWeb(#[from] LinkError),
    /// `shown` is the link with its credentials replaced, never the password itself.
    #[error(
        "{field} '{shown}' carries a user name or password: it would be stored, exported and handed to Okta's reviewers. Give the result page's address without them (set the result to Shareable instead)."
    )]
    Credentials { field: String, shown: String },
    #[error(
        "{field} '{link}' is not a Runscope result page ({why}). Okta accepts the page of one test result in BlazeMeter API Monitoring (formerly Runscope): {RESULT_LINK_FORM} (also on a blazemeter.com host), over https. Open the result, set it to Shareable, and copy the address from the browser (`scimplan runscope` does this for you)."
    )]
    NotResult {
        field: String,
        link: String,
        why: String,
    },
}

/// A suite link Okta accepts: the https page of one test result in BlazeMeter API Monitoring
/// (formerly Runscope), `https://www.runscope.com/radar/{bucket}/{test}/history/{run}` as
/// Okta's guide shows it (or the same path on a blazemeter.com host), without credentials.
/// Returns the link trimmed.
pub fn check_result_link(field: &str, link: &str) -> Result<String, ResultLinkError> {
    let link = check_link(field, link)?;
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))
        .unwrap_or(&link);
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if let Some((_, host)) = authority.rsplit_once('@') {
        let scheme = &link[..link.len() - rest.len()];
        return Err(ResultLinkError::Credentials {
            field: field.to_string(),
            shown: format!("{scheme}[credentials]@{host}{path}"),
        });
    }
    let not_result = |why: &str| ResultLinkError::NotResult {
        field: field.to_string(),
        link: link.clone(),
        why: why.to_string(),
    };
    if !link.starts_with("https://") {
        return Err(not_result("not https"));
    }
    let host = authority.to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    if host == "api.runscope.com" {
        return Err(not_result(match parts.as_slice() {
            ["radar", .., "trigger"] => "a trigger URL starts runs; it shows no result",
            _ => {
                "an address of the API, which needs a token; Okta's reviewers open the result page"
            }
        }));
    }
    let known_host =
        matches!(host, "www.runscope.com" | "runscope.com") || host.ends_with(".blazemeter.com");
    if !known_host {
        return Err(not_result(&format!(
            "{host} is not Runscope's or BlazeMeter's"
        )));
    }
    match parts.as_slice() {
        ["radar", bucket, test, "history", run]
            if is_bucket_key(bucket) && is_uuid(test) && is_uuid(run) =>
        {
            Ok(link)
        }
        ["radar", _, _, "history", _] => Err(not_result(
            "the bucket, test or run is not an id BlazeMeter gives",
        )),
        _ => Err(not_result(
            "its path is not /radar/{bucket}/{test}/history/{run}",
        )),
    }
}

fn is_bucket_key(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `8-4-4-4-12` hexadecimal digits: the test and run ids BlazeMeter gives.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    #[test]
    fn result_links_okta_accepts() {
        let ok = |link: &str| check_result_link("--spec-link", link);
        assert_eq!(ok(&format!(" {RUN} ")).unwrap(), RUN);
        for link in [
            format!("{RUN}/"),
            format!("{RUN}?tab=requests"),
            RUN.replace("www.runscope.com", "runscope.com"),
            RUN.replace("www.runscope.com", "api-monitoring.blazemeter.com"),
            RUN.replace("www.runscope.com", "www.runscope.com:443"),
        ] {
            assert!(ok(&link).is_ok(), "{link}: {:?}", ok(&link));
        }
        // (link, what the refusal says)
        let refused = [
            (
                "https://example.com/not-runscope",
                "example.com is not Runscope",
            ),
            ("https://www.runscope.com/radar/x", "its path is not"),
            (&RUN.replace("https://", "http://"), "not https"),
            (
                "https://api.runscope.com/radar/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/trigger",
                "trigger URL",
            ),
            (
                "https://api.runscope.com/buckets/ab12/tests/t/results/r",
                "an address of the API",
            ),
            (&RUN.replace("9a8b7c6d-5e4f", "latest"), "not an id"),
            (
                "https://www.runscope.com.evil.example/radar/a/b/history/c",
                "is not Runscope",
            ),
            (
                "https://runscope.com@evil.example/radar/a/b/history/c",
                "user name or password",
            ),
            (
                &RUN.replace("https://", "https://ann:s3cr3t@"),
                "user name or password",
            ),
            ("runscope.com/radar", "not a web link"),
        ];
        for (link, why) in refused {
            let err = ok(link).unwrap_err().to_string();
            assert!(
                err.contains(why) && err.contains("--spec-link"),
                "{link}: {err}"
            );
            assert!(
                !err.contains("s3cr3t"),
                "the password is never echoed: {err}"
            );
            if !why.contains("web link") && !why.contains("password") {
                assert!(
                    err.contains(RESULT_LINK_FORM),
                    "says what is accepted: {err}"
                );
            }
        }
    }

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
