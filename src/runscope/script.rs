//! The scripts of Okta's files. scimplan runs no JavaScript: the one real script Okta's files
//! hold (the SPEC file's optional `GET /Groups` step) is recognised by its text and done natively;
//! any other is reported as not run by the runner.

use crate::net::Exchange;

use super::export::sha256_hex;

/// SHA-256 of the SPEC file's `GET /Groups` script with its whitespace collapsed: the script
/// parses the body, and asserts only things that always hold (`assert("nogroups", ...)` passes,
/// a string being truthy; `assert.ok(true)` passes). So it fails exactly when `JSON.parse`
/// throws, or when the body is JSON `null` (reading `totalResults` of null throws).
const OKTA_GROUPS_SCRIPT: &str = "3566c59eaf4266b1c8240165ece33681459d1b11f81dfec3cec00cc41b93b516";

pub type NativeScript = fn(&Exchange) -> Result<(), String>;

/// The native version of a script scimplan knows, or `None`.
pub fn native(script: &str) -> Option<NativeScript> {
    let collapsed = script.split_whitespace().collect::<Vec<_>>().join(" ");
    (sha256_hex(collapsed.as_bytes()) == OKTA_GROUPS_SCRIPT).then_some(okta_groups_script)
}

fn okta_groups_script(exchange: &Exchange) -> Result<(), String> {
    match serde_json::from_str::<serde_json::Value>(&exchange.body) {
        Err(e) => Err(format!(
            "JSON.parse(response.body) throws ({e}): the body is not JSON"
        )),
        Ok(serde_json::Value::Null) => {
            Err("the body is JSON null: reading its totalResults throws".into())
        }
        Ok(_) => Ok(()),
    }
}
