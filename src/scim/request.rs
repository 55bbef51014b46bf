//! Pieces of RFC 7644 requests: the message schemas, and paths with percent-encoded ids and
//! filters.

/// `schemas` of a list answer (RFC 7644 section 3.4.2).
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// `schemas` of an error answer (RFC 7644 section 3.12).
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// `schemas` of a PATCH request (RFC 7644 section 3.5.2).
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `/{resource}?filter={attribute} eq "{value}"`, the value quoted and the filter encoded.
pub fn filter_path(resource: &str, attribute: &str, value: &str) -> String {
    let filter = format!("{attribute} eq \"{}\"", value.replace('"', "\\\""));
    format!("/{resource}?filter={}", encode_component(&filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("a b\"@"), "a%20b%22%40");
        assert_eq!(
            filter_path("Users", "userName", "a\"b"),
            "/Users?filter=userName%20eq%20%22a%5C%22b%22"
        );
    }
}
