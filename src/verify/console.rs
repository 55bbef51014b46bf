//! The Okta Admin Console page a case needs: the page its steps start on (from the profile's
//! `[[admin_page]]` rules) or the System Log filtered to its test user since it started. Shared
//! by the checklist's keys and `scimplan console`.

use std::collections::BTreeMap;

use chrono::Utc;

use super::job::case_started;
use super::recipe::RecipeBook;
use crate::plan::{Case, Profile};
use crate::session::{Session, VerifyState};

/// What to do when a case needs the Okta org and none is connected.
pub const NO_ORG: &str = "No Okta org connected: C in the checklist opens the connection form (its Okta part), or run scimplan connect PLAN --okta-org URL --okta-app-id ID.";

/// Why there is no page to open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsoleError {
    #[error("{NO_ORG}")]
    NoOrg,
    #[error("The plan's profile names no Admin Console pages ([[admin_page]]).")]
    NoPages,
    /// The page's URL could not be made from the org's.
    #[error("{0}")]
    Url(String),
}

/// A page to open, in the tester's words and as a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsolePage {
    /// "the app's Push Groups tab".
    pub name: String,
    pub url: String,
}

/// The inputs of `case`'s recipe the session knows (its test user, group, members).
pub fn case_inputs(book: &RecipeBook, state: &VerifyState, case: &str) -> BTreeMap<String, String> {
    let named: Vec<&String> = book
        .for_case(case)
        .map(|r| r.inputs.iter().chain(&r.optional).collect())
        .unwrap_or_default();
    state
        .subjects
        .iter()
        .filter(|(name, _)| named.contains(name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The page `case` needs, or what is missing (no Okta org connected, no such page in the
/// profile, the app's name not known yet).
pub fn console_page(
    profile: &Profile,
    book: &RecipeBook,
    session: &Session,
    case: &Case,
    system_log: bool,
) -> Result<ConsolePage, ConsoleError> {
    let state = &session.verify();
    let Some(connection) = &state.okta else {
        return Err(ConsoleError::NoOrg);
    };
    let steps: Vec<String> = case.steps.iter().map(|s| s.text.plain()).collect();
    let page = if system_log {
        profile.system_log_page()
    } else {
        profile.admin_page_for(&steps.join("\n"))
    };
    let Some(page) = page else {
        return Err(ConsoleError::NoPages);
    };
    let inputs = case_inputs(book, state, &case.id);
    // The System Log's search takes one term: the user, else the first member, else the group.
    let search = ["user", "members", "group"]
        .iter()
        .find_map(|name| inputs.get(*name))
        .map(|v| v.split(',').next().unwrap_or_default().trim().to_string());
    let from = case_started(session, &case.id, Utc::now());
    let url = connection
        .admin_page_url(&page.path, search.as_deref(), Some(from))
        .map_err(|e| ConsoleError::Url(e.to_string()))?;
    Ok(ConsolePage {
        name: page.name.clone(),
        url,
    })
}
