//! Why a check cannot be prepared or set up, and why a value typed for an input is refused.

use thiserror::Error;

/// A check that cannot be prepared, or whose clients cannot be set up: nothing is sent.
#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Connection(#[from] crate::session::ConnectionError),
    /// A client that could not be set up stops the check before it sends anything.
    #[error(transparent)]
    Setup(#[from] crate::net::SetupError),
    /// The Okta client could not be set up, or the service app could not sign in.
    #[error("Okta: {0}")]
    Okta(#[from] crate::okta::OktaError),
    #[error(
        "no SCIM connection in this session. Run `scimplan connect PLAN --scim-url URL --auth bearer` first."
    )]
    NoConnection,
    #[error(
        "{case} has no verification recipe: check it by hand. Cases that can be verified: {known}"
    )]
    NoRecipe { case: String, known: String },
    /// Each missing input as `--input NAME=... (what to type)`.
    #[error("{case} needs input(s) not known yet: {}", missing.join(", "))]
    MissingInputs { case: String, missing: Vec<String> },
    #[error("{case}: {why}")]
    BadInput { case: String, why: InputError },
    #[error("{case} compares with '{name}', which scimplan has not seen yet: {how}.")]
    NeedsEarlierCase {
        case: String,
        name: String,
        how: String,
    },
    #[error("{case} has no before steps: nothing to observe when it starts")]
    NothingToStart { case: String },
    #[error("verification recipes: {0}")]
    Recipe(String),
}

/// A value an input cannot take (`RecipeBook::check_input`), checked before anything is sent
/// or remembered: what is wrong and what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    #[error(
        "{input}={value}: takes one value, and this looks like a list. Verify the case once for each{}.",
        if input == "group" { " group" } else { "" }
    )]
    NotOne { input: String, value: String },
    #[error("{input}={value}: give at least one value, comma-separated")]
    EmptyList { input: String, value: String },
    #[error("{input}={value}: give a whole number (0 or more), e.g. {input}=12")]
    NotCount { input: String, value: String },
    #[error("{input}: {why}")]
    NotPath { input: String, why: String },
}
