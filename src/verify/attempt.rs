//! One pass over a recipe's steps: what it found (`Attempt`), what its requests run against
//! (`Context`), and how a user or group is named in what the tester reads. Shared by the step
//! runner and the members comparison.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

use super::assertions::show;
use super::profile::AppProfile;
use crate::net::{CancelFlag, Exchange};
use crate::scim::ScimClient;
use crate::session::{AssertionRecord, RequestRecord, RunFailure};

/// Okta's import reads this many per page (so does a check that lists everything).
pub const PAGE_SIZE: usize = 100;

/// What one pass over a recipe's steps found.
#[derive(Clone, Default)]
pub struct Attempt {
    pub exchanges: Vec<Exchange>,
    pub assertions: Vec<AssertionRecord>,
    pub captured: BTreeMap<String, String>,
    /// Why the check cannot be made (unreachable, credentials refused, a path it cannot
    /// read), and what to tell the tester: an error, never a verdict.
    pub fatal: Option<(RunFailure, String)>,
    /// The Okta requests of this attempt's Okta side (credential redacted).
    pub okta_requests: Vec<RequestRecord>,
    /// An Okta request was cut short by the deadline: like a SCIM request timing out, the last
    /// complete attempt says more.
    pub okta_timed_out: bool,
}

/// What a step runs against and with.
pub struct Context<'a> {
    pub client: &'a ScimClient,
    pub deadline: Instant,
    pub cancel: &'a CancelFlag,
    /// Inputs, then remembered values (captures of this attempt come first).
    pub known: &'a dyn Fn(&str) -> Option<String>,
    /// Where each remembered value comes from (`CheckJob::sources`).
    pub sources: &'a BTreeMap<String, String>,
    /// What Okta sends each user, by lower-case login (read this attempt; empty without the
    /// org): a `profile` step compares the user with it.
    pub profiles: &'a BTreeMap<String, AppProfile>,
    /// The login a `profile` step without `for_each` is about (the recipe's `okta_profile`).
    pub profile_login: Option<&'a str>,
}

impl Context<'_> {
    pub fn send(&self, path: &str, attempt: &mut Attempt) -> Option<Exchange> {
        let exchanges = self
            .client
            .send("GET", path, None, self.deadline, self.cancel);
        let answer = exchanges.last().cloned();
        attempt.exchanges.extend(exchanges);
        answer
    }
}

/// `"ann@example.com" [id]` for a user, `"Engineering" [id]` for a group.
pub fn name_of(resource: &Value) -> String {
    let name = ["userName", "displayName"]
        .iter()
        .find_map(|key| resource.get(*key))
        .map(show)
        .unwrap_or_else(|| "(no name)".into());
    match resource.get("id").and_then(Value::as_str) {
        Some(id) => format!("{name} [{id}]"),
        None => name,
    }
}
