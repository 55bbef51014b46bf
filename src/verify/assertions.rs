//! Evaluating a recipe's assertions against an answer, with expected and actual in words.

use serde_json::Value;

use super::http::Exchange;
use super::json_path::select;
use super::recipe::{Assertion, render};
use crate::session::AssertionRecord;

/// Evaluates one assertion against an answer, recording expected and actual.
pub fn check(
    assertion: &Assertion,
    answer: &Exchange,
    values: &dyn Fn(&str) -> Option<String>,
    step: &str,
) -> AssertionRecord {
    let mut record = AssertionRecord {
        step: step.to_string(),
        check: String::new(),
        expected: String::new(),
        actual: String::new(),
        passed: false,
    };
    if let Some(status) = &assertion.status {
        record.check = "status".into();
        record.expected = status.describe();
        match answer.status {
            Some(actual) => {
                record.passed = status.accepts(actual);
                record.actual = actual.to_string();
                if let Some(error) = answer.problem() {
                    record.actual = format!("{actual} ({error})");
                }
            }
            None => record.actual = format!("no answer: {}", answer.problem().unwrap_or("unknown")),
        }
        return record;
    }
    let path = match render(assertion.path.as_deref().unwrap_or(""), values) {
        Ok(path) => path,
        Err(name) => {
            record.check = "path".into();
            record.expected = format!("a value for {{{{{name}}}}}");
            record.actual = "none".into();
            return record;
        }
    };
    let expected = |value: &toml::Value| -> Result<Value, String> {
        match value {
            toml::Value::String(s) => render(s, values)
                .map(Value::String)
                .map_err(|name| format!("{{{{{name}}}}} unknown")),
            other => serde_json::to_value(other).map_err(|e| e.to_string()),
        }
    };
    let Some(json) = &answer.json else {
        record.check = "body".into();
        record.expected = "a JSON body".into();
        record.actual = describe_non_json(answer);
        return record;
    };
    let found = select(json, &path).unwrap_or_default();
    let shown = show(&found);
    record.actual = shown;
    let ignore_case = assertion.ignore_case;
    if let Some(exists) = assertion.exists {
        record.check = format!("{path} exists");
        record.expected = if exists { "present" } else { "absent" }.into();
        record.passed = found.is_empty() != exists;
    } else if let Some(value) = &assertion.equals {
        record.check = format!("{path} equals");
        match expected(value) {
            Ok(want) => {
                record.expected = show_one(&want);
                record.passed =
                    !found.is_empty() && found.iter().all(|v| loosely_equal(v, &want, ignore_case));
            }
            Err(e) => record.expected = e,
        }
    } else if let Some(value) = assertion.contains.as_ref().or(assertion.excludes.as_ref()) {
        let excludes = assertion.excludes.is_some();
        record.check = format!("{path} {}", if excludes { "excludes" } else { "contains" });
        match expected(value) {
            Ok(want) => {
                record.expected = show_one(&want);
                let holds = contains(&found, &want, ignore_case);
                record.passed = holds != excludes;
            }
            Err(e) => record.expected = e,
        }
    } else if assertion.is_number.is_some() {
        record.check = format!("{path} is a number");
        record.expected = "a number".into();
        record.passed = !found.is_empty() && found.iter().all(|v| v.is_number());
    } else if let Some(value) = &assertion.count {
        record.check = format!("{path} count");
        let counted = match found.as_slice() {
            [] => 0,
            [Value::Array(items)] => items.len(),
            [_] => 1,
            many => many.len(),
        };
        record.actual = counted.to_string();
        match expected(value).map(|v| plain(&v)) {
            Ok(want) => {
                record.passed = want.trim().parse::<usize>() == Ok(counted);
                record.expected = want;
            }
            Err(e) => record.expected = e,
        }
    }
    record
}

fn contains(found: &[&Value], want: &Value, ignore_case: bool) -> bool {
    match found {
        [Value::String(text)] => match want {
            Value::String(part) if ignore_case => {
                text.to_lowercase().contains(&part.to_lowercase())
            }
            Value::String(part) => text.contains(part.as_str()),
            _ => false,
        },
        [Value::Array(items)] => items.iter().any(|v| loosely_equal(v, want, ignore_case)),
        many => many.iter().any(|v| loosely_equal(v, want, ignore_case)),
    }
}

/// Equal values; a string expectation also matches a number or boolean written the same way
/// (TOML templates yield strings).
fn loosely_equal(actual: &Value, want: &Value, ignore_case: bool) -> bool {
    match (actual, want) {
        (Value::String(a), Value::String(b)) if ignore_case => a.to_lowercase() == b.to_lowercase(),
        (Value::Number(_) | Value::Bool(_), Value::String(b)) => {
            actual.to_string().as_str() == b.as_str()
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => actual == want,
    }
}

/// A JSON value as text for templates and captures: strings without quotes.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn show_one(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 200 {
        let mut end = 200;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &text[..end])
    } else {
        text
    }
}

fn show(found: &[&Value]) -> String {
    match found {
        [] => "absent".into(),
        [one] => show_one(one),
        many => format!(
            "[{}]",
            many.iter()
                .map(|v| show_one(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Says what came back instead of JSON: nothing, an HTML page, or other text.
pub fn describe_non_json(answer: &Exchange) -> String {
    if answer.status.is_none() {
        return format!("no answer: {}", answer.problem().unwrap_or("unknown"));
    }
    let status = answer.status.unwrap_or_default();
    let body = answer.body.trim();
    if let Some(error) = answer.problem().filter(|_| body.is_empty()) {
        return format!("status {status}, {error}");
    }
    if body.is_empty() {
        return format!("status {status} with an empty body");
    }
    let start: String = body.chars().take(80).collect();
    let looks_html = body.to_ascii_lowercase().starts_with("<!doctype html")
        || body.to_ascii_lowercase().starts_with("<html")
        || answer
            .content_type
            .as_deref()
            .is_some_and(|c| c.contains("html"));
    if looks_html {
        format!("status {status} with an HTML page instead of JSON: {start}")
    } else {
        format!("status {status} with a body that is not JSON: {start}")
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn answer(status: u16, json: Value) -> Exchange {
        Exchange {
            method: "GET".into(),
            url: "http://127.0.0.1/Users".into(),
            status: Some(status),
            duration: Duration::ZERO,
            content_type: Some("application/scim+json".into()),
            request_body: None,
            body: json.to_string(),
            json: Some(json),
            fate: crate::verify::http::Fate::Answered,
            response_headers: Vec::new(),
            retry_after: None,
        }
    }

    fn assertion(text: &str) -> Assertion {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn assertions_report_expected_and_actual() {
        let doc = answer(
            200,
            json!({"totalResults": 1, "Resources": [{"active": false, "members": [{"value": "u1"}], "userName": "Ann@X.com"}]}),
        );
        let none = |_: &str| None;
        let r = check(
            &assertion("path = \"Resources[0].active\"\nequals = true"),
            &doc,
            &none,
            "s",
        );
        assert!(!r.passed);
        assert_eq!((r.expected.as_str(), r.actual.as_str()), ("true", "false"));
        let r = check(
            &assertion("path = \"totalResults\"\nequals = \"1\""),
            &doc,
            &none,
            "s",
        );
        assert!(r.passed, "{r:?}");
        let r = check(
            &assertion("path = \"Resources[0].members[*].value\"\ncontains = \"u1\""),
            &doc,
            &none,
            "s",
        );
        assert!(r.passed);
        let r = check(
            &assertion("path = \"Resources[0].members\"\nexcludes = \"u2\""),
            &doc,
            &none,
            "s",
        );
        assert!(r.passed, "{r:?}");
        let r = check(
            &assertion("path = \"Resources[0].groups\"\ncount = 0"),
            &doc,
            &none,
            "s",
        );
        assert!(r.passed);
        let r = check(
            &assertion(
                "path = \"Resources[0].userName\"\nequals = \"ann@x.com\"\nignore_case = true",
            ),
            &doc,
            &none,
            "s",
        );
        assert!(r.passed);
        let r = check(&assertion("status = [200, 204]"), &doc, &none, "s");
        assert!(r.passed);
        let r = check(
            &assertion("path = \"totalResults\"\nis_number = true"),
            &doc,
            &none,
            "s",
        );
        assert!(r.passed);
    }

    #[test]
    fn html_and_garbage_are_named() {
        let mut page = answer(500, json!(null));
        page.json = None;
        page.body = "<html><body>Internal error</body></html>".into();
        let none = |_: &str| None;
        let r = check(
            &assertion("path = \"id\"\nexists = true"),
            &page,
            &none,
            "s",
        );
        assert!(!r.passed);
        assert!(r.actual.contains("HTML page"), "{}", r.actual);
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("a b\"@"), "a%20b%22%40");
    }
}
