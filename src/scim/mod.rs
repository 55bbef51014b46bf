//! The app's SCIM API (RFC 7643/7644), as Okta speaks to it. Knows nothing of cases or recipes:
//! `verify` decides what to send and what must hold.
//!
//! - `client`: `ScimClient` (base URL, auth from `session::Connection`, 429 waits, cancelling)
//!   and the evidence kept of each request (`request_record`).
//! - `request`: the message schemas, percent-encoded paths and `eq` filters.
//! - `json_path`: RFC 7644 attribute paths (`emails[type eq "work"].value`, extension URNs)
//!   read from a resource.

pub mod client;
pub mod json_path;
pub mod request;

pub use client::{ScimClient, request_record};
pub use request::encode_component;
