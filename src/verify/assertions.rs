//! Evaluating a recipe's assertions against an answer, with expected and actual in words.
//!
//! Both sides are shown the same way (strings quoted, numbers and booleans bare); strings are
//! compared after Unicode NFC normalisation, and a match that needed it says so; characters a
//! reader cannot see are written as `\u{...}`; long lists are summarised.

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::is_nfc;

use super::recipe::Assertion;
use super::template::render;
use crate::net::Exchange;
use crate::scim::json_path::select;
use crate::session::AssertionRecord;

/// Lists longer than this are shown as a count and their first values.
pub const LIST_SHOWN: usize = 5;

/// Evaluates one assertion against an answer, recording expected and actual. `Err` when the
/// assertion's path cannot be read: the check cannot be made (an error, not a verdict).
pub fn check(
    assertion: &Assertion,
    answer: &Exchange,
    json: Option<&Value>,
    values: &dyn Fn(&str) -> Option<String>,
    step: &str,
) -> Result<AssertionRecord, String> {
    let mut record = AssertionRecord {
        step: step.to_string(),
        check: String::new(),
        expected: String::new(),
        actual: String::new(),
        passed: false,
        note: None,
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
        return Ok(record);
    }
    let render_path = |template: &str| {
        render(template, values).map_err(|name| format!("{step}: no value for {{{{{name}}}}}"))
    };
    let path = render_path(assertion.path.as_deref().unwrap_or(""))?;
    let Some(json) = json else {
        record.check = "body".into();
        record.expected = "a JSON body".into();
        record.actual = describe_non_json(answer);
        return Ok(record);
    };
    let mut found = select(json, &path)?;
    let mut shown_path = path.clone();
    if found.is_empty()
        && let Some(fallback) = &assertion.fallback
    {
        let fallback = render_path(fallback)?;
        found = select(json, &fallback)?;
        shown_path = format!("{path} (or {fallback})");
    }
    record.actual = show_many(&found);
    let ignore_case = assertion.ignore_case;
    let expected = |value: &toml::Value| -> Result<Value, String> {
        match value {
            toml::Value::String(s) => render(s, values)
                .map(Value::String)
                .map_err(|name| format!("{step}: no value for {{{{{name}}}}}")),
            other => serde_json::to_value(other).map_err(|e| e.to_string()),
        }
    };
    if let Some(exists) = assertion.exists {
        record.check = format!("{shown_path} exists");
        record.expected = if exists { "present" } else { "absent" }.into();
        record.passed = found.is_empty() != exists;
    } else if let Some(value) = &assertion.equals {
        record.check = format!("{shown_path} equals");
        let want = like(expected(value)?, &found);
        record.expected = show(&want);
        if found.is_empty() && assertion.absent_ok {
            record.passed = true;
            record.actual = "absent (accepted)".into();
        } else {
            record.passed = !found.is_empty() && found.iter().all(|v| same(v, &want, ignore_case));
            if record.passed && found.iter().any(|v| needed_nfc(v, &want, ignore_case)) {
                record.note = Some(format!(
                    "equal only after Unicode NFC normalisation: the app sent {}",
                    record.actual
                ));
            }
        }
    } else if let Some(value) = assertion.contains.as_ref().or(assertion.excludes.as_ref()) {
        let excludes = assertion.excludes.is_some();
        record.check = format!(
            "{shown_path} {}",
            if excludes { "excludes" } else { "contains" }
        );
        let want = like(expected(value)?, &found);
        record.expected = show(&want);
        let holds = contains(&found, &want, ignore_case);
        record.passed = holds != excludes;
    } else if assertion.is_number.is_some() {
        record.check = format!("{shown_path} is a number");
        record.expected = "a number".into();
        record.passed = !found.is_empty() && found.iter().all(|v| v.is_number());
    } else if let Some(value) = &assertion.count {
        record.check = format!("{shown_path} count");
        let counted = match found.as_slice() {
            [] => 0,
            [Value::Array(items)] => items.len(),
            [_] => 1,
            many => many.len(),
        };
        record.actual = counted.to_string();
        let want = plain(&expected(value)?);
        let Ok(wanted) = want.trim().parse::<usize>() else {
            return Err(format!("{step}: {want:?} is not a number of items"));
        };
        record.passed = wanted == counted;
        record.expected = wanted.to_string();
    }
    Ok(record)
}

/// The expected value in the type of what was found, so both sides read alike: a template's
/// "2" against the number 2 is the number 2.
fn like(want: Value, found: &[&Value]) -> Value {
    let Value::String(text) = &want else {
        return want;
    };
    let sample = match found {
        [Value::Array(items)] => items.first(),
        [first, ..] => Some(*first),
        [] => None,
    };
    match sample {
        Some(Value::Number(_)) => serde_json::from_str::<serde_json::Number>(text.trim())
            .map(Value::Number)
            .unwrap_or(want),
        Some(Value::Bool(_)) => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => want,
        },
        _ => want,
    }
}

fn contains(found: &[&Value], want: &Value, ignore_case: bool) -> bool {
    match found {
        [Value::String(text)] => match want {
            Value::String(part) => {
                let (text, part) = (fold(text, ignore_case), fold(part, ignore_case));
                text.contains(&part)
            }
            _ => false,
        },
        [Value::Array(items)] => items.iter().any(|v| same(v, want, ignore_case)),
        many => many.iter().any(|v| same(v, want, ignore_case)),
    }
}

fn fold(text: &str, ignore_case: bool) -> String {
    let normal: String = text.nfc().collect();
    if ignore_case {
        normal.to_lowercase()
    } else {
        normal
    }
}

/// Equal values, strings after NFC normalisation; a string expectation also matches a number
/// or boolean written the same way.
pub fn same(actual: &Value, want: &Value, ignore_case: bool) -> bool {
    match (actual, want) {
        (Value::String(a), Value::String(b)) => fold(a, ignore_case) == fold(b, ignore_case),
        (Value::Number(_) | Value::Bool(_), Value::String(b)) => {
            actual.to_string().as_str() == b.trim()
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => actual == want,
    }
}

/// The two are equal only after NFC normalisation (a match a note should explain).
pub fn needed_nfc(actual: &Value, want: &Value, ignore_case: bool) -> bool {
    match (actual, want) {
        (Value::String(a), Value::String(b)) => {
            let raw = if ignore_case {
                a.to_lowercase() == b.to_lowercase()
            } else {
                a == b
            };
            !raw
        }
        _ => false,
    }
}

/// A JSON value as text for templates and captures: strings without quotes.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One value as a tester reads it: strings in quotes with invisible or decomposed characters
/// spelt out, everything else as JSON; cut at 200 characters.
pub fn show(value: &Value) -> String {
    let text = match value {
        Value::String(s) => quote(s),
        other => other.to_string(),
    };
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

/// `"text"`, with characters that look like nothing or like their neighbours written as
/// `\u{...}`: controls, zero-width and non-breaking spaces, and combining marks of text that
/// is not in NFC (so "Zoë" in NFD reads `"Zoe\u{308}"`).
pub fn quote(text: &str) -> String {
    let decomposed = !is_nfc(text);
    let mut out = String::from("\"");
    for c in text.chars() {
        let invisible = c.is_control()
            || matches!(c, '\u{a0}' | '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202f}' | '\u{2060}'..='\u{2064}' | '\u{feff}');
        let combining = decomposed && ('\u{300}'..='\u{36f}').contains(&c);
        if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if invisible || combining {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Values found at a path: "absent", one value, or a list (summarised past `LIST_SHOWN`).
pub fn show_many(found: &[&Value]) -> String {
    match found {
        [] => "absent".into(),
        [Value::Array(items)] if items.len() > LIST_SHOWN => {
            summarise(items.iter().map(show).collect())
        }
        [one] => show(one),
        many => summarise(many.iter().map(|v| show(v)).collect()),
    }
}

/// `a, b`, or `12: a, b, c, d, e, …7 more` (names of members and matches).
pub fn list_names(items: Vec<String>) -> String {
    match items.len() {
        0 => "none".into(),
        n if n <= LIST_SHOWN => items.join(", "),
        n => format!(
            "{n}: {}, …{} more",
            items[..LIST_SHOWN].join(", "),
            n - LIST_SHOWN
        ),
    }
}

/// `[a, b]`, or `12 values: [a, b, c, d, e, …7 more]`.
pub fn summarise(items: Vec<String>) -> String {
    if items.len() <= LIST_SHOWN {
        return format!("[{}]", items.join(", "));
    }
    format!(
        "{} values: [{}, …{} more]",
        items.len(),
        items[..LIST_SHOWN].join(", "),
        items.len() - LIST_SHOWN
    )
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
            fate: crate::net::Fate::Answered,
            response_headers: Vec::new(),
            retry_after: None,
        }
    }

    fn assertion(text: &str) -> Assertion {
        toml::from_str(text).unwrap()
    }

    fn run(text: &str, doc: &Exchange) -> AssertionRecord {
        let none = |_: &str| None;
        check(&assertion(text), doc, doc.json.as_ref(), &none, "s").unwrap()
    }

    #[test]
    fn assertions_report_expected_and_actual() {
        let doc = answer(
            200,
            json!({"totalResults": 1, "Resources": [{"active": false, "members": [{"value": "u1"}], "userName": "Ann@X.com"}]}),
        );
        let r = run("path = \"Resources[0].active\"\nequals = true", &doc);
        assert!(!r.passed);
        assert_eq!((r.expected.as_str(), r.actual.as_str()), ("true", "false"));
        let r = run("path = \"totalResults\"\nequals = \"1\"", &doc);
        assert!(r.passed, "{r:?}");
        let r = run("path = \"totalResults\"\nequals = \"2\"", &doc);
        assert_eq!(
            (r.expected.as_str(), r.actual.as_str()),
            ("2", "1"),
            "both sides alike"
        );
        assert!(
            run(
                "path = \"Resources[0].members[*].value\"\ncontains = \"u1\"",
                &doc
            )
            .passed
        );
        assert!(run("path = \"Resources[0].members\"\nexcludes = \"u2\"", &doc).passed);
        assert!(run("path = \"Resources[0].groups\"\ncount = 0", &doc).passed);
        assert!(
            run(
                "path = \"Resources[0].userName\"\nequals = \"ann@x.com\"\nignore_case = true",
                &doc
            )
            .passed
        );
        assert!(run("status = [200, 204]", &doc).passed);
        assert!(run("path = \"totalResults\"\nis_number = true", &doc).passed);
        assert!(
            run(
                "path = \"Resources[0].title\"\nequals = false\nabsent_ok = true",
                &doc
            )
            .passed
        );
    }

    #[test]
    fn unicode_forms_compare_equal_and_say_so_and_invisible_characters_show() {
        let doc = answer(
            200,
            json!({"given": "Zoe\u{308}", "spaced": "Ann\u{a0}Lee"}),
        );
        let r = run("path = \"given\"\nequals = \"Zo\u{eb}\"", &doc);
        assert!(r.passed, "{r:?}");
        let note = r.note.unwrap_or_default();
        assert!(note.contains("NFC") && note.contains("\\u{308}"), "{note}");
        assert_eq!(quote("Zoe\u{308}"), "\"Zoe\\u{308}\"");
        let r = run("path = \"spaced\"\nequals = \"Ann Lee\"", &doc);
        assert!(!r.passed);
        assert_eq!(r.actual, "\"Ann\\u{a0}Lee\"");
    }

    #[test]
    fn long_lists_are_summarised_and_bad_paths_are_errors() {
        let names: Vec<Value> = (0..12).map(|i| json!(format!("u{i}"))).collect();
        let doc = answer(200, json!({"Resources": names}));
        let r = run("path = \"Resources[*]\"\ncontains = \"nobody\"", &doc);
        assert!(!r.passed);
        assert!(r.actual.starts_with("12 values: [\"u0\""), "{}", r.actual);
        assert!(r.actual.ends_with("…7 more]"), "{}", r.actual);
        let none = |_: &str| None;
        let err = check(
            &assertion("path = \"emails[type eq work]\"\nexists = true"),
            &doc,
            doc.json.as_ref(),
            &none,
            "s",
        )
        .unwrap_err();
        assert!(err.contains("emails[type eq work]"), "{err}");
    }

    #[test]
    fn html_and_garbage_are_named() {
        let mut page = answer(500, json!(null));
        page.json = None;
        page.body = "<html><body>Internal error</body></html>".into();
        let r = run("path = \"id\"\nexists = true", &page);
        assert!(!r.passed);
        assert!(r.actual.contains("HTML page"), "{}", r.actual);
    }
}
