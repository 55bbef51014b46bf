//! Reading a Runscope test export (Okta's SPEC, CRUD and Entitlements files, or a tester's edited
//! copy) into steps the runner can execute. Everything the runner cannot do faithfully is refused
//! here, before any request: an unknown step type, source or comparison, a form or file body,
//! step-level auth.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::compare::Comparison;
use super::template;

/// A Runscope test, read from its export.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// The test's own name (`Okta SCIM 2.0 SPEC Test`).
    pub name: String,
    /// Where it was read from, for messages and records.
    pub path: String,
    pub sha256: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Request(Box<Request>),
    Pause { seconds: f64, skipped: bool },
}

/// Okta's notes say which steps decide the verdict: `Required Test: ...` or `Optional Test: ...`.
/// A note that says neither (the CRUD file's) counts as required, as every assertion does in
/// Runscope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Optional,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// 1-based position among all steps of the file (pauses included), as Runscope numbers them.
    pub position: usize,
    pub note: String,
    pub requirement: Requirement,
    pub skipped: bool,
    pub method: String,
    pub url: String,
    /// Name and value templates, one entry per header line, as the file lists them.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub assertions: Vec<Assertion>,
    pub variables: Vec<Extraction>,
    /// Non-empty scripts run after the response (empty ones are dropped).
    pub scripts: Vec<String>,
    /// Non-empty scripts run before the request.
    pub before_scripts: Vec<String>,
}

impl Request {
    /// `step 3 (Required Test: Get Users/{{id}})`, for messages.
    pub fn label(&self) -> String {
        if self.note.trim().is_empty() {
            format!("step {} ({} {})", self.position, self.method, self.url)
        } else {
            format!("step {} ({})", self.position, self.note.trim())
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Status,
    Json,
    Text,
    Header,
    TimeMs,
    SizeBytes,
}

impl Source {
    fn parse(name: &str) -> Option<Source> {
        Some(match name.trim() {
            "response_status" => Source::Status,
            "response_json" => Source::Json,
            "response_text" => Source::Text,
            "response_headers" | "response_header" => Source::Header,
            "response_time" => Source::TimeMs,
            "response_size" => Source::SizeBytes,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Source::Status => "response_status",
            Source::Json => "response_json",
            Source::Text => "response_text",
            Source::Header => "response_headers",
            Source::TimeMs => "response_time",
            Source::SizeBytes => "response_size",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    pub source: Source,
    pub property: String,
    pub comparison: Comparison,
    /// The target value as text (the file gives strings, numbers or null).
    pub target: String,
}

/// A variable a step sets from its response.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub name: String,
    pub source: Source,
    pub property: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: cannot read: {error}")]
    Read { path: String, error: String },
    #[error("{path}: not a Runscope test export: {why}")]
    NotAnExport { path: String, why: String },
    #[error("{path}: {step}: {why}")]
    Step {
        path: String,
        step: String,
        why: String,
    },
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    name: Option<String>,
    steps: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HeaderValues {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawRequest {
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    skipped: Option<bool>,
    method: String,
    url: String,
    #[serde(default)]
    headers: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    form: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    multipart_form: Option<Vec<Value>>,
    #[serde(default)]
    binary_body: Option<Value>,
    #[serde(default)]
    auth: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    assertions: Vec<RawAssertion>,
    #[serde(default)]
    variables: Vec<RawVariable>,
    #[serde(default)]
    scripts: Vec<String>,
    #[serde(default)]
    before_scripts: Vec<String>,
}

#[derive(Deserialize)]
struct RawAssertion {
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    property: Option<String>,
    #[serde(default)]
    comparison: Option<String>,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct RawVariable {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    property: Option<String>,
}

/// Reads and checks an export file.
pub fn load(path: &Path) -> Result<TestFile, FileError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::Read {
        path: path.display().to_string(),
        error: e.to_string(),
    })?;
    parse(&bytes, &path.display().to_string())
}

/// SHA-256 of a file's bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads an export from its bytes; `path` names it in messages.
pub fn parse(bytes: &[u8], path: &str) -> Result<TestFile, FileError> {
    let not_export = |why: String| FileError::NotAnExport {
        path: path.to_string(),
        why,
    };
    let raw: RawFile = serde_json::from_slice(bytes).map_err(|e| {
        not_export(format!(
            "{e}. Give the JSON file Runscope exports (e.g. Okta-SCIM-20-SPEC-Test.json)"
        ))
    })?;
    if raw.steps.is_empty() {
        return Err(not_export("it has no steps".into()));
    }
    let mut steps = Vec::with_capacity(raw.steps.len());
    for (index, value) in raw.steps.iter().enumerate() {
        steps.push(step(index + 1, value, path)?);
    }
    Ok(TestFile {
        name: raw.name.unwrap_or_default(),
        path: path.to_string(),
        sha256: sha256_hex(bytes),
        steps,
    })
}

fn step(position: usize, value: &Value, path: &str) -> Result<Step, FileError> {
    let fail = |step: String, why: String| FileError::Step {
        path: path.to_string(),
        step,
        why,
    };
    let here = format!("step {position}");
    let kind = value.get("step_type").and_then(Value::as_str).unwrap_or("");
    let skipped = value
        .get("skipped")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match kind {
        "pause" => {
            let seconds = value
                .get("duration")
                .and_then(|d| d.as_f64().or_else(|| d.as_str()?.trim().parse().ok()))
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| {
                    fail(here.clone(), "a pause without a duration in seconds".into())
                })?;
            Ok(Step::Pause { seconds, skipped })
        }
        "request" => request(position, value, path).map(|r| Step::Request(Box::new(r))),
        other => Err(fail(
            here,
            format!(
                "step type '{other}' is not supported (scimplan runs 'request' and 'pause' steps); the file cannot be run as Runscope would"
            ),
        )),
    }
}

fn request(position: usize, value: &Value, path: &str) -> Result<Request, FileError> {
    let raw: RawRequest = serde_json::from_value(value.clone()).map_err(|e| FileError::Step {
        path: path.to_string(),
        step: format!("step {position}"),
        why: format!("not a request step Runscope would accept: {e}"),
    })?;
    let note = raw.note.clone().unwrap_or_default();
    let label = if note.trim().is_empty() {
        format!("step {position} ({} {})", raw.method, raw.url)
    } else {
        format!("step {position} ({})", note.trim())
    };
    let fail = |why: String| FileError::Step {
        path: path.to_string(),
        step: label.clone(),
        why,
    };
    if raw.form.as_ref().is_some_and(|f| !f.is_empty())
        || raw.multipart_form.as_ref().is_some_and(|f| !f.is_empty())
        || raw.binary_body.as_ref().is_some_and(|b| !is_empty(b))
    {
        return Err(fail(
            "form, multipart or file bodies are not supported; only a text body is".into(),
        ));
    }
    if raw.auth.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(fail(
            "step-level auth is not supported: put the credentials in a header, as Okta's files do"
                .into(),
        ));
    }
    let mut headers = Vec::new();
    for (name, values) in raw.headers.unwrap_or_default() {
        let values: HeaderValues = serde_json::from_value(values).map_err(|_| {
            fail(format!(
                "header '{name}' is neither a string nor a list of strings"
            ))
        })?;
        match values {
            HeaderValues::One(v) => headers.push((name.clone(), v)),
            HeaderValues::Many(vs) => headers.extend(vs.into_iter().map(|v| (name.clone(), v))),
        }
    }
    let mut assertions = Vec::new();
    for (i, a) in raw.assertions.into_iter().enumerate() {
        let which = format!("assertion {}", i + 1);
        let source_name = a.source.unwrap_or_default();
        let source = Source::parse(&source_name).ok_or_else(|| {
            fail(format!(
                "{which}: source '{source_name}' is not supported (response_status, response_json, response_text, response_headers, response_time, response_size)"
            ))
        })?;
        let comparison_name = a.comparison.unwrap_or_default();
        let comparison = Comparison::parse(&comparison_name).ok_or_else(|| {
            fail(format!(
                "{which}: comparison '{comparison_name}' is not one of Runscope's: {}",
                Comparison::known_names()
            ))
        })?;
        assertions.push(Assertion {
            source,
            property: a.property.unwrap_or_default(),
            comparison,
            target: target_text(&a.value),
        });
    }
    let mut variables = Vec::new();
    for (i, v) in raw.variables.into_iter().enumerate() {
        // The CRUD file has an entry with no name and an empty property: nothing to set.
        let Some(name) = v.name.filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let source_name = v.source.unwrap_or_default();
        let source = Source::parse(&source_name).ok_or_else(|| {
            fail(format!(
                "variable {} ({name}): source '{source_name}' is not supported",
                i + 1
            ))
        })?;
        variables.push(Extraction {
            name: name.trim().to_string(),
            source,
            property: v.property.unwrap_or_default(),
        });
    }
    let requirement = if note
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("optional")
    {
        Requirement::Optional
    } else {
        Requirement::Required
    };
    let non_empty = |scripts: Vec<String>| -> Vec<String> {
        scripts
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect()
    };
    Ok(Request {
        position,
        note,
        requirement,
        skipped: raw.skipped.unwrap_or(false),
        method: raw.method.trim().to_ascii_uppercase(),
        url: raw.url,
        headers,
        body: raw.body.filter(|b| !b.is_empty()),
        assertions,
        variables,
        scripts: non_empty(raw.scripts),
        before_scripts: non_empty(raw.before_scripts),
    })
}

/// No content: null, or an empty list, object or string (Okta's With-Entitlements CRUD file
/// writes `"binary_body": []` on its text-body steps).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn target_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => super::compare::cast_to_string(other),
    }
}

impl TestFile {
    /// The request steps, in order.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        self.steps.iter().filter_map(|s| match s {
            Step::Request(r) => Some(r.as_ref()),
            Step::Pause { .. } => None,
        })
    }

    /// The first `{{name}}` no initial variable and no earlier step defines, with the step using
    /// it: such a file cannot run. A step's own variables and its scripts' `variables.set` count
    /// for its assertions (Runscope checks them last) and the steps after it; a script that sets
    /// a variable whose name is not written out ends the check (its names cannot be known).
    pub fn undefined_variable(&self, initial: &template::Variables) -> Option<(String, String)> {
        let mut known: std::collections::BTreeSet<String> = initial.keys().cloned().collect();
        let first_unknown = |texts: Vec<&str>, known: &std::collections::BTreeSet<String>| {
            texts.into_iter().find_map(|text| {
                template::names(text)
                    .into_iter()
                    .find(|n| !known.contains(n))
            })
        };
        for request in self.requests() {
            let mut texts = vec![request.url.as_str()];
            for (name, value) in &request.headers {
                texts.push(name);
                texts.push(value);
            }
            if let Some(body) = &request.body {
                texts.push(body);
            }
            if let Some(name) = first_unknown(texts, &known) {
                return Some((name, request.label()));
            }
            known.extend(request.variables.iter().map(|v| v.name.clone()));
            for script in request.before_scripts.iter().chain(&request.scripts) {
                known.extend(script_sets(script)?);
            }
            let texts = request
                .assertions
                .iter()
                .flat_map(|a| [a.target.as_str(), a.property.as_str()])
                .collect();
            if let Some(name) = first_unknown(texts, &known) {
                return Some((name, request.label()));
            }
        }
        None
    }
}

/// The names a script sets with `variables.set("name", ...)`; `None` when one is not written
/// out as a string.
fn script_sets(script: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = script;
    while let Some(at) = rest.find("variables.set(") {
        rest = rest[at + "variables.set(".len()..].trim_start();
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let inner = &rest[1..];
        let end = inner.find(quote)?;
        names.push(inner[..end].to_string());
        rest = &inner[end..];
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(steps: &str) -> Result<TestFile, FileError> {
        parse(
            format!(r#"{{"name":"t","steps":[{steps}]}}"#).as_bytes(),
            "t.json",
        )
    }

    #[test]
    fn headers_as_lists_or_strings_and_the_empty_variable_entry() {
        let t = file(
            r#"{"step_type":"request","method":"get","url":"{{u}}/x","note":"Optional Test: x",
               "headers":{"A":["1","2"],"Authorization":"SSWS {{t}}"},
               "assertions":[{"source":"response_status","comparison":"equal_number","value":200}],
               "variables":[{"source":"response_json","property":"","name":null},
                            {"source":"response_json","property":"id","name":"id"}],
               "scripts":[""]},
               {"step_type":"pause","duration":5}"#,
        )
        .unwrap();
        let Step::Request(r) = &t.steps[0] else {
            panic!()
        };
        assert_eq!(r.method, "GET");
        assert_eq!(r.requirement, Requirement::Optional);
        assert_eq!(
            r.headers,
            [
                ("A".to_string(), "1".to_string()),
                ("A".into(), "2".into()),
                ("Authorization".into(), "SSWS {{t}}".into())
            ]
        );
        assert_eq!(r.assertions[0].target, "200");
        assert_eq!(r.variables.len(), 1);
        assert!(r.scripts.is_empty(), "empty scripts are dropped");
        assert_eq!(
            t.steps[1],
            Step::Pause {
                seconds: 5.0,
                skipped: false
            }
        );
        let vars = [("u".to_string(), "x".to_string())].into_iter().collect();
        assert_eq!(
            t.undefined_variable(&vars),
            Some(("t".to_string(), "step 1 (Optional Test: x)".to_string()))
        );
    }

    #[test]
    fn variables_from_scripts_and_extractions_are_known_where_runscope_has_them() {
        let t = file(
            r#"{"step_type":"request","method":"GET","url":"{{u}}/a","note":"first",
               "variables":[{"source":"response_json","property":"id","name":"id"}],
               "scripts":["variables.set('fromScript', 1); variables.set( \"other\" , 2)"],
               "assertions":[{"source":"response_json","property":"id","comparison":"equal","value":"{{id}}{{fromScript}}"}]},
               {"step_type":"request","method":"GET","url":"{{u}}/{{other}}/{{later}}","note":"second"}"#,
        )
        .unwrap();
        let vars = [("u".to_string(), "x".to_string())].into_iter().collect();
        assert_eq!(
            t.undefined_variable(&vars),
            Some(("later".to_string(), "step 2 (second)".to_string()))
        );
        assert_eq!(
            script_sets("variables.set(name, 1)"),
            None,
            "a name not written out cannot be known"
        );
        let t = file(
            r#"{"step_type":"request","method":"GET","url":"{{u}}/{{notYet}}","note":"uses",
               "scripts":["variables.set('notYet', 1)"]}"#,
        )
        .unwrap();
        assert_eq!(
            t.undefined_variable(&vars).map(|(n, _)| n).as_deref(),
            Some("notYet"),
            "a step's URL is filled before its scripts run"
        );
    }

    #[test]
    fn what_cannot_be_run_faithfully_is_refused_with_the_step_named() {
        let err = |steps: &str| file(steps).unwrap_err().to_string();
        let e = err(r#"{"step_type":"condition"}"#);
        assert!(e.contains("step 1") && e.contains("'condition'"), "{e}");
        let e = err(
            r#"{"step_type":"request","method":"GET","url":"x","note":"Required Test: a",
                "assertions":[{"source":"response_status","comparison":"equalz","value":"1"}]}"#,
        );
        assert!(
            e.contains("Required Test: a") && e.contains("'equalz'") && e.contains("equal_number"),
            "{e}"
        );
        let e = err(r#"{"step_type":"request","method":"GET","url":"x",
                "assertions":[{"source":"response_xml","comparison":"equal","value":"1"}]}"#);
        assert!(e.contains("response_xml"), "{e}");
        let e = err(r#"{"step_type":"request","method":"GET","url":"x","form":{"a":["b"]}}"#);
        assert!(e.contains("form"), "{e}");
        let e = err(r#"{"step_type":"request","method":"GET","url":"x","binary_body":{"f":"x"}}"#);
        assert!(e.contains("file bodies"), "{e}");
        // Empty bodies of other kinds beside a text body, as Okta's With-Entitlements CRUD file
        // writes them, are no bodies.
        assert!(
            file(
                r#"{"step_type":"request","method":"PUT","url":"x","body":"{}",
                "form":{},"multipart_form":[],"binary_body":[],"graphql_body":{}}"#
            )
            .is_ok()
        );
        assert!(err(r#"{"step_type":"pause"}"#).contains("duration"));
        let e = parse(b"{\"steps\":[]}", "e.json").unwrap_err().to_string();
        assert!(e.contains("no steps"), "{e}");
        let e = parse(b"<html>", "h.json").unwrap_err().to_string();
        assert!(
            e.contains("h.json") && e.contains("not a Runscope test export"),
            "{e}"
        );
    }
}
