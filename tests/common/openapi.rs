//! Okta's management OpenAPI (`okta-management-openapi.yaml`, from `SCIMPLAN_OKTA_FILES` or
//! `../shared/okta`) as a validator of JSON responses: the Okta org test double checks every
//! response it sends against the schema the spec gives for that method, path and status. In a
//! fresh clone (no Okta files) the double skips that validation and says so once; the validator
//! itself is tested on a small OpenAPI sample of the tests' own (`openapi_sample.rs`).
//!
//! A small validator of the subset of JSON Schema the spec uses for these endpoints (`$ref`,
//! `type`, `nullable`, `enum`, `properties`, `required`, `additionalProperties`, `items`,
//! `allOf`, `anyOf`, `oneOf`, `discriminator` with `mapping`, `format` date-time and email,
//! `minLength`/`maxLength`, `minimum`/`maximum`, `writeOnly`). One rule of our own, stricter
//! than the spec: a property the schema does not declare (where it does not allow extra
//! properties) is an error, so that a misspelt field in the double (`syncstate`) cannot pass.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

/// The folder holding Okta's published files: `SCIMPLAN_OKTA_FILES`, else `../shared/okta` beside
/// the checkout; `None` when neither is a folder (a fresh clone).
pub fn okta_files_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SCIMPLAN_OKTA_FILES").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/okta")),
    ];
    candidates.into_iter().flatten().find(|d| d.is_dir())
}

pub struct OktaSpec {
    doc: Value,
}

/// Okta's management OpenAPI, loaded once per test process (the file is 3.4 MB); `None` when it
/// is absent, said once on stderr. Absent while `SCIMPLAN_REQUIRE_OKTA_FILES` is set (as in CI)
/// fails the test instead.
pub fn okta_spec() -> Option<&'static OktaSpec> {
    static SPEC: OnceLock<Option<OktaSpec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = okta_files_dir()
            .map(|d| d.join(SPEC_FILE))
            .filter(|p| p.is_file());
        let Some(path) = path else {
            assert!(
                std::env::var_os("SCIMPLAN_REQUIRE_OKTA_FILES").is_none(),
                "SCIMPLAN_REQUIRE_OKTA_FILES is set but {SPEC_FILE} was not found: the Okta double validates its answers against Okta's OpenAPI (set SCIMPLAN_OKTA_FILES to the folder of Okta's files; tests/run.sh does)"
            );
            skip_once(&format!(
                "skipping: validation of the Okta double's answers against Okta's OpenAPI ({SPEC_FILE} not found; set SCIMPLAN_OKTA_FILES)"
            ));
            return None;
        };
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Some(
            OktaSpec::parse(&text).unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display())),
        )
    })
    .as_ref()
}

const SPEC_FILE: &str = "okta-management-openapi.yaml";

/// Writes `line` to the test process's stderr once, past the test harness's capture, so a
/// skip shows in the output of a passing run.
pub fn skip_once(line: &str) {
    static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    if SAID
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(line.to_string())
    {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

#[derive(Clone, Default)]
struct Context {
    /// Schemas whose discriminator was already applied to this value.
    dispatched: Vec<String>,
    /// The schema is one branch of an `allOf` over the same value: the unknown-property check
    /// is made once, over all branches, by the caller.
    branch: bool,
}

impl OktaSpec {
    /// An OpenAPI document in YAML (Okta's, or a test's own sample).
    pub fn parse(text: &str) -> Result<OktaSpec, String> {
        let doc: Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        Ok(OktaSpec { doc })
    }

    /// The response object the spec gives for `method` on a concrete `path` and `status`:
    /// `Err` when the spec has no such operation.
    pub fn response(
        &self,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<Option<&Value>, String> {
        let template = self
            .template_for(path)
            .ok_or_else(|| format!("no path of the spec matches {path}"))?;
        let operation = self.doc["paths"][template.as_str()]
            .get(method.to_ascii_lowercase())
            .ok_or_else(|| format!("the spec has no {method} on {template}"))?;
        let responses = &operation["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
            .map(|r| self.resolve_response(r));
        Ok(match response {
            Some(r) => Some(r),
            // Okta answers a missing or wrong token with 401, and input it refuses with 400
            // E0000001, on every operation, though many operations list neither: the spec's own
            // shared responses for these statuses describe them.
            None if status == 401 => {
                Some(&self.doc["components"]["responses"]["ErrorInvalidToken401"])
            }
            None if status == 400 => {
                Some(&self.doc["components"]["responses"]["ErrorApiValidationFailed400"])
            }
            None => {
                return Err(format!(
                    "the spec lists no {status} for {method} {template}"
                ));
            }
        })
    }

    fn resolve_response<'a>(&'a self, response: &'a Value) -> &'a Value {
        match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.pointer(reference),
            None => response,
        }
    }

    fn pointer(&self, reference: &str) -> &Value {
        self.doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("the spec has no {reference}"))
    }

    /// The spec's path template matching `path` (query ignored), preferring literal segments.
    pub fn template_for(&self, path: &str) -> Option<String> {
        let path = path.split('?').next().unwrap_or(path);
        let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        paths
            .keys()
            .filter_map(|template| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != wanted.len() {
                    return None;
                }
                let mut params = 0;
                for (t, w) in parts.iter().zip(&wanted) {
                    if t.starts_with('{') && t.ends_with('}') {
                        if w.is_empty() {
                            return None;
                        }
                        params += 1;
                    } else if t != w {
                        return None;
                    }
                }
                Some((params, template))
            })
            .min_by_key(|(params, _)| *params)
            .map(|(_, template)| template.clone())
    }

    /// Checks one response: its status must be one the operation lists (or 401), its body must
    /// match the schema (or be empty when the spec gives none). Returns what is wrong.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &str,
    ) -> Vec<String> {
        let response = match self.response(method, path, status) {
            Ok(Some(response)) => response,
            Ok(None) => return Vec::new(),
            Err(e) => return vec![e],
        };
        let schema = response
            .get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"));
        let where_ = format!("{method} {path} {status}");
        match schema {
            None if body.trim().is_empty() => Vec::new(),
            None => vec![format!(
                "{where_}: the spec gives no body, but one was sent: {body}"
            )],
            Some(schema) => match serde_json::from_str::<Value>(body) {
                Err(e) => vec![format!("{where_}: the body is not JSON ({e}): {body}")],
                Ok(value) => {
                    let mut errors = Vec::new();
                    self.check(schema, &value, "$", &mut errors, Context::default());
                    errors
                        .into_iter()
                        .map(|e| format!("{where_}: {e}"))
                        .collect()
                }
            },
        }
    }

    /// Checks `value` against the component schema `name` (e.g. `AppUser`).
    pub fn validate_component(&self, name: &str, value: &Value) -> Vec<String> {
        let schema = &self.doc["components"]["schemas"][name];
        assert!(!schema.is_null(), "the spec has no schema {name}");
        let mut errors = Vec::new();
        self.check(schema, value, "$", &mut errors, Context::default());
        errors
    }

    fn check(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        errors: &mut Vec<String>,
        ctx: Context,
    ) {
        // OpenAPI 3.0: a `$ref` replaces its siblings.
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference
                .rsplit('/')
                .next()
                .unwrap_or(reference)
                .to_string();
            let target = self.pointer(reference);
            let mut inner = ctx;
            if target.get("discriminator").is_some() && !inner.dispatched.contains(&name) {
                if let Some(mapped) = self.discriminated(target, value)
                    && mapped != reference
                {
                    inner.dispatched.push(name);
                    let mapped_name = mapped.rsplit('/').next().unwrap_or(mapped).to_string();
                    inner.dispatched.push(mapped_name);
                    return self.check(self.pointer(mapped), value, at, errors, inner);
                }
                inner.dispatched.push(name);
            }
            return self.check(target, value, at, errors, inner);
        }
        if value.is_null() {
            let nullable = schema["nullable"] == Value::Bool(true)
                || schema["allOf"]
                    .as_array()
                    .is_some_and(|b| b.iter().any(|s| s["nullable"] == Value::Bool(true)));
            let unconstrained = schema.as_object().is_none_or(|o| {
                !o.contains_key("type") && !o.contains_key("allOf") && !o.contains_key("properties")
            });
            if !nullable && !unconstrained {
                errors.push(format!("{at}: null, but the schema is not nullable"));
            }
            return;
        }
        if let Some(branches) = schema["allOf"].as_array() {
            for branch in branches {
                let inner = Context {
                    branch: true,
                    ..ctx.clone()
                };
                self.check(branch, value, at, errors, inner);
            }
        }
        for (keyword, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            if let Some(branches) = schema[keyword].as_array() {
                let results: Vec<Vec<String>> = branches
                    .iter()
                    .map(|branch| {
                        let mut found = Vec::new();
                        self.check(branch, value, at, &mut found, Context::default());
                        found
                    })
                    .collect();
                let passing = results.iter().filter(|r| r.is_empty()).count();
                if passing == 0 || (exactly_one && passing > 1) {
                    errors.push(format!(
                        "{at}: matches {passing} of the {keyword} branches: {}",
                        results.concat().join("; ")
                    ));
                }
            }
        }
        if let Some(kind) = schema["type"].as_str() {
            let fits = match kind {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                _ => true,
            };
            if !fits {
                errors.push(format!("{at}: {value} is not of type {kind}"));
                return;
            }
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of the spec's values"));
        }
        match value {
            Value::String(text) => self.check_string(schema, text, at, errors),
            Value::Number(number) => {
                let n = number.as_f64().unwrap_or_default();
                if schema["minimum"].as_f64().is_some_and(|min| n < min)
                    || schema["maximum"].as_f64().is_some_and(|max| n > max)
                {
                    errors.push(format!("{at}: {n} is out of the spec's range"));
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(
                            item_schema,
                            item,
                            &format!("{at}[{i}]"),
                            errors,
                            Context::default(),
                        );
                    }
                }
            }
            Value::Object(object) => {
                for name in schema["required"].as_array().into_iter().flatten() {
                    if let Some(name) = name.as_str()
                        && !object.contains_key(name)
                    {
                        errors.push(format!("{at}: the required property '{name}' is missing"));
                    }
                }
                let properties = schema["properties"].as_object();
                for (key, item) in object {
                    let place = format!("{at}.{key}");
                    match properties.and_then(|p| p.get(key)) {
                        Some(property) => {
                            if self.resolved(property)["writeOnly"] == Value::Bool(true)
                                || property["writeOnly"] == Value::Bool(true)
                            {
                                errors.push(format!("{place}: write-only, never in a response"));
                            }
                            self.check(property, item, &place, errors, Context::default());
                        }
                        None => {
                            if let Some(extra) = schema.get("additionalProperties")
                                && extra.is_object()
                            {
                                self.check(extra, item, &place, errors, Context::default());
                            }
                        }
                    }
                }
                if !ctx.branch {
                    let (known, open) = self.known_properties(schema);
                    if !open {
                        for key in object.keys().filter(|k| !known.contains(*k)) {
                            errors.push(format!("{at}.{key}: not a property of the spec's schema"));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn check_string(&self, schema: &Value, text: &str, at: &str, errors: &mut Vec<String>) {
        let length = text.chars().count() as u64;
        if schema["minLength"].as_u64().is_some_and(|min| length < min)
            || schema["maxLength"].as_u64().is_some_and(|max| length > max)
        {
            errors.push(format!(
                "{at}: \"{text}\" has a length the spec does not allow"
            ));
        }
        match schema["format"].as_str() {
            Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                errors.push(format!("{at}: \"{text}\" is not a date-time (RFC 3339)"));
            }
            Some("email") if !text.contains('@') => {
                errors.push(format!("{at}: \"{text}\" is not an email address"));
            }
            _ => {}
        }
    }

    fn resolved<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolved(self.pointer(reference)),
            None => schema,
        }
    }

    /// The discriminator's target for `value`, as a `$ref` string.
    fn discriminated<'a>(&'a self, schema: &'a Value, value: &Value) -> Option<&'a str> {
        let discriminator = &schema["discriminator"];
        let property = discriminator["propertyName"].as_str()?;
        let key = value.get(property)?.as_str()?;
        discriminator["mapping"][key].as_str()
    }

    /// Every property the schema declares for one value, through `$ref` and `allOf`; `open`
    /// when it allows undeclared ones.
    fn known_properties(&self, schema: &Value) -> (BTreeSet<String>, bool) {
        let schema = self.resolved(schema);
        let mut known: BTreeSet<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let mut open =
            matches!(schema.get("additionalProperties"), Some(v) if *v != Value::Bool(false));
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for branch in schema[keyword].as_array().into_iter().flatten() {
                let (more, branch_open) = self.known_properties(branch);
                known.extend(more);
                open |= branch_open;
            }
        }
        (known, open)
    }
}
