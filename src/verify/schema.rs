//! The Import User Schema pre-flight: when the integration declares it (the OIN Wizard's Import
//! User Schema, Okta's "User Schema Discovery"), Okta reads the app's `/ResourceTypes` to find the
//! User resource type, its schema and extensions, then `/Schemas` for their attributes. This
//! reads both the same way and says what Okta would not understand, by RFC 7643 (sections 6
//! and 7) and RFC 7644 (3.4.2, the ListResponse). Never part of any suite's verdict.

use std::time::Instant;

use serde_json::Value;

use crate::net::{CancelFlag, Exchange, REQUEST_TIMEOUT};
use crate::scim::ScimClient;

const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// RFC 7643 section 7: an attribute's `type`.
const TYPES: [&str; 8] = [
    "string",
    "boolean",
    "decimal",
    "integer",
    "dateTime",
    "reference",
    "complex",
    "binary",
];
const MUTABILITY: [&str; 4] = ["readOnly", "readWrite", "immutable", "writeOnly"];
const RETURNED: [&str; 4] = ["always", "never", "default", "request"];
const UNIQUENESS: [&str; 3] = ["none", "server", "global"];

/// What the pre-flight found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SchemaReport {
    /// What Okta would read, in a line each (the User resource type, its schemas).
    pub found: Vec<String>,
    /// What Okta would not understand, each with where it is.
    pub problems: Vec<String>,
    /// The app could not be reached or refused the credentials: nothing was judged.
    pub error: Option<String>,
}

impl SchemaReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.error.is_none()
    }
}

/// Reads `/ResourceTypes` and `/Schemas` as Okta does and checks them.
pub fn check_user_schema(client: &ScimClient, cancel: &CancelFlag) -> SchemaReport {
    let mut report = SchemaReport::default();
    let get = |path: &str| -> Exchange {
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        client
            .send_with("GET", path, None, deadline, cancel, true)
            .pop()
            .expect("send returns an exchange")
    };
    let types = get("/ResourceTypes");
    let Some(types) = list(&types, "/ResourceTypes", &mut report) else {
        return report;
    };
    let user = types.iter().find(|t| {
        t.get("endpoint").and_then(Value::as_str) == Some("/Users")
            || t.get("name").and_then(Value::as_str) == Some("User")
    });
    let Some(user) = user else {
        report.problems.push(format!(
            "/ResourceTypes: no resource type with endpoint /Users (found: {}): Okta finds no user schema to import",
            names(&types, "name")
        ));
        return report;
    };
    let Some(core) = user.get("schema").and_then(Value::as_str) else {
        report.problems.push(
            "/ResourceTypes: the User resource type has no `schema` (RFC 7643 section 6): Okta does not know which schema its users follow".into(),
        );
        return report;
    };
    let mut wanted = vec![(core.to_string(), true)];
    for (i, extension) in user
        .get("schemaExtensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match extension.get("schema").and_then(Value::as_str) {
            Some(urn) => wanted.push((urn.to_string(), false)),
            None => report.problems.push(format!(
                "/ResourceTypes: User schemaExtensions[{i}] has no `schema`"
            )),
        }
    }
    report.found.push(format!(
        "User resource type at {}: schema {core}{}",
        user.get("endpoint")
            .and_then(Value::as_str)
            .unwrap_or("(no endpoint)"),
        match wanted.len() - 1 {
            0 => String::new(),
            n => format!(", {n} extension(s)"),
        }
    ));
    if cancel.is_cancelled() {
        return report;
    }
    let schemas = get("/Schemas");
    let Some(schemas) = list(&schemas, "/Schemas", &mut report) else {
        return report;
    };
    for (urn, is_core) in &wanted {
        let Some(schema) = schemas
            .iter()
            .find(|s| s.get("id").and_then(Value::as_str) == Some(urn))
        else {
            report.problems.push(format!(
                "/Schemas: no schema with id {urn}, which the User resource type names (found: {}): Okta imports none of its attributes",
                names(&schemas, "id")
            ));
            continue;
        };
        let Some(attributes) = schema.get("attributes").and_then(Value::as_array) else {
            report
                .problems
                .push(format!("/Schemas {urn}: no `attributes` list"));
            continue;
        };
        for attribute in attributes {
            check_attribute(attribute, urn, 0, &mut report.problems);
        }
        if *is_core
            && !attributes
                .iter()
                .any(|a| a.get("name").and_then(Value::as_str) == Some("userName"))
        {
            report.problems.push(format!(
                "/Schemas {urn}: no userName attribute: Okta matches and creates users by userName"
            ));
        }
        report
            .found
            .push(format!("{urn}: {} attribute(s)", attributes.len()));
    }
    report
}

/// The `Resources` of a ListResponse, or `None` with the problem noted.
fn list(answer: &Exchange, path: &str, report: &mut SchemaReport) -> Option<Vec<Value>> {
    let Some(status) = answer.status else {
        report.error = Some(format!(
            "GET {path}: no answer: {}",
            answer.problem().unwrap_or("unknown")
        ));
        return None;
    };
    if matches!(status, 401 | 403) {
        report.error = Some(format!(
            "GET {path} answered {status}: the app refused the credentials"
        ));
        return None;
    }
    if status != 200 {
        report.problems.push(format!(
            "GET {path} answered {status}, not 200: Okta cannot read it"
        ));
        return None;
    }
    let Some(body) = &answer.json else {
        report.problems.push(format!(
            "GET {path}: the body is not JSON: Okta cannot read it"
        ));
        return None;
    };
    let resources = body.get("Resources").and_then(Value::as_array);
    let is_list = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(LIST_RESPONSE)));
    match resources {
        Some(resources) if is_list => Some(resources.clone()),
        Some(resources) => {
            report.problems.push(format!(
                "GET {path}: `schemas` does not name {LIST_RESPONSE} (RFC 7644 section 3.4.2)"
            ));
            Some(resources.clone())
        }
        None => {
            let shape = match body {
                Value::Array(_) => "a bare JSON array",
                Value::Object(_) => "an object without `Resources`",
                _ => "not a list",
            };
            report.problems.push(format!(
                "GET {path}: {shape}, not a ListResponse with `Resources` (RFC 7644 section 3.4.2): Okta reads nothing from it"
            ));
            None
        }
    }
}

/// Checks one attribute definition (and its sub-attributes) by RFC 7643 section 7.
fn check_attribute(attribute: &Value, within: &str, depth: usize, problems: &mut Vec<String>) {
    let name = attribute.get("name").and_then(Value::as_str).unwrap_or("");
    let at = format!("/Schemas {within}: attribute '{name}'");
    if !valid_name(name) {
        problems.push(format!(
            "/Schemas {within}: an attribute's name '{name}' is not an attribute name (a letter, then letters, digits, - or _)"
        ));
    }
    let kind = attribute.get("type").and_then(Value::as_str);
    match kind {
        None => problems.push(format!("{at}: no `type`")),
        Some(kind) if !TYPES.contains(&kind) => problems.push(format!(
            "{at}: type '{kind}' is not one of RFC 7643's ({})",
            TYPES.join(", ")
        )),
        _ => {}
    }
    for (key, allowed) in [
        ("mutability", &MUTABILITY[..]),
        ("returned", &RETURNED[..]),
        ("uniqueness", &UNIQUENESS[..]),
    ] {
        match attribute.get(key) {
            None => {}
            Some(Value::String(v)) if allowed.contains(&v.as_str()) => {}
            Some(v) => problems.push(format!(
                "{at}: {key} {v} is not one of {}",
                allowed.join(", ")
            )),
        }
    }
    for key in ["multiValued", "required", "caseExact"] {
        if let Some(v) = attribute.get(key)
            && !v.is_boolean()
        {
            problems.push(format!("{at}: {key} is {v}, not true or false"));
        }
    }
    let subs = attribute.get("subAttributes").and_then(Value::as_array);
    if kind == Some("complex") {
        match subs {
            Some(subs) if depth > 0 => problems.push(format!(
                "{at}: a complex sub-attribute ({} sub-attributes): RFC 7643 allows one level only",
                subs.len()
            )),
            Some(subs) if !subs.is_empty() => {
                for sub in subs {
                    check_attribute(sub, &format!("{within} {name}"), depth + 1, problems);
                }
            }
            _ => problems.push(format!("{at}: complex without subAttributes")),
        }
    }
}

/// RFC 7643 section 2.1: ATTRNAME = ALPHA *(nameChar); `$ref` is allowed too.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name == "$ref"
        || (chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

fn names(list: &[Value], key: &str) -> String {
    let names: Vec<&str> = list
        .iter()
        .filter_map(|v| v.get(key).and_then(Value::as_str))
        .collect();
    match names.is_empty() {
        true => "none".into(),
        false => names.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_okta_would_not_understand() {
        let mut problems = Vec::new();
        let good = json!({"name": "emails", "type": "complex", "multiValued": true,
            "subAttributes": [{"name": "value", "type": "string"}, {"name": "$ref", "type": "reference"}]});
        check_attribute(&good, "urn:x", 0, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        for (bad, says) in [
            (json!({"name": "age", "type": "int"}), "type 'int'"),
            (json!({"name": "age"}), "no `type`"),
            (
                json!({"name": "1st", "type": "string"}),
                "not an attribute name",
            ),
            (
                json!({"name": "x", "type": "complex"}),
                "complex without subAttributes",
            ),
            (
                json!({"name": "x", "type": "string", "multiValued": "yes"}),
                "multiValued",
            ),
            (
                json!({"name": "x", "type": "string", "mutability": "rw"}),
                "mutability",
            ),
            (
                json!({"name": "x", "type": "complex", "subAttributes": [
                    {"name": "y", "type": "complex", "subAttributes": [{"name": "z", "type": "string"}]}]}),
                "one level only",
            ),
        ] {
            let mut problems = Vec::new();
            check_attribute(&bad, "urn:x", 0, &mut problems);
            assert!(
                problems.iter().any(|p| p.contains(says)),
                "{bad}: {problems:?}"
            );
        }
    }
}
