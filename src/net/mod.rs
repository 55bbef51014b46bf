//! The HTTP setup every remote system shares (the app's SCIM API, Okta, Okta's file downloads,
//! Runscope files run locally). Knows nothing of cases, recipes or the tester's plan.
//!
//! - `client`: the one place a `reqwest` client is built (timeouts, redirects, user agent, TLS
//!   trust, proxy), from `HttpSettings`.
//! - `trust`: the system's trust store plus a connection's CA files; refusals that say how to
//!   trust; the chains servers present (for `doctor`).
//! - `proxy`: which proxy a URL goes through (`--proxy`, `HTTPS_PROXY`, `NO_PROXY`...).
//! - `http`: the cancellable sender and what became of a request (`Exchange`, `Fate`), and
//!   `PlainClient`, which sends a request exactly as described (Runscope's steps).
//! - `cancel`: `CancelFlag`, raised from another thread (the checklist's Esc, Ctrl-C).
//! - `secret`: tokens and passwords in memory only, redacted from whatever is kept.
//! - `evidence`: bodies cut to the evidence limit before they are kept.

pub mod cancel;
pub mod client;
pub mod evidence;
pub mod http;
pub mod proxy;
pub mod secret;
pub mod trust;

pub use cancel::CancelFlag;
pub use client::{HttpSettings, Redirects, SetupError, build_client};
pub use evidence::cut;
pub use http::{Exchange, Fate, PlainClient, REQUEST_TIMEOUT};
pub use proxy::{Proxies, Route};
pub use secret::{MissingSecret, Secret};
pub use trust::{CertificateRefused, TlsObserver};
