//! The HTTP setup every remote system shares (the app's SCIM API, Okta, Okta's file downloads,
//! Runscope files run locally). Knows nothing of cases, recipes or the tester's plan.
//!
//! - `client`: the one place a `reqwest` client is built (timeouts, redirects, user agent, TLS
//!   trust), from `HttpSettings`.
//! - `http`: the cancellable sender and what became of a request (`Exchange`, `Fate`), and
//!   `PlainClient`, which sends a request exactly as described (Runscope's steps).
//! - `cancel`: `CancelFlag`, raised from another thread (the checklist's Esc, Ctrl-C).
//! - `secret`: tokens and passwords in memory only, redacted from whatever is kept.
//! - `evidence`: bodies cut to the evidence limit before they are kept.

pub mod cancel;
pub mod client;
pub mod evidence;
pub mod http;
pub mod secret;

pub use cancel::CancelFlag;
pub use client::{HttpSettings, Redirects, SetupError, build_client};
pub use evidence::cut;
pub use http::{Exchange, Fate, PlainClient, REQUEST_TIMEOUT};
pub use secret::{MissingSecret, Secret};
