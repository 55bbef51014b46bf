//! Evaluating a step's assertions and variables against an answer: the value a source and
//! property locate, compared with Runscope's semantics (`compare`), and said in words for the
//! report (expected against actual, with the JSON type visible).

use super::compare::Comparison;
use super::export::{Request, Source};
use super::property::{Found, lookup};
use super::template::{Variables, render};
use crate::net::Exchange;
use crate::session::AssertionResult;

pub(super) fn source_value(source: Source, property: &str, exchange: &Exchange) -> Found {
    let number = |n: u64| Found::Value(serde_json::Value::from(n));
    match source {
        Source::Status => exchange
            .status
            .map(|s| number(u64::from(s)))
            .unwrap_or(Found::Missing),
        Source::TimeMs => number(exchange.duration.as_millis() as u64),
        Source::SizeBytes => number(exchange.body.len() as u64),
        Source::Text => match exchange.status {
            Some(_) => Found::Value(serde_json::Value::String(exchange.body.clone())),
            None => Found::Missing,
        },
        Source::Header => {
            let values: Vec<&str> = exchange
                .response_headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case(property.trim()))
                .map(|(_, value)| value.as_str())
                .collect();
            if values.is_empty() {
                Found::Missing
            } else {
                Found::Value(serde_json::Value::String(values.join(", ")))
            }
        }
        Source::Json => match &exchange.json {
            Some(json) => lookup(json, property).unwrap_or(Found::Missing),
            None => Found::Missing,
        },
    }
}

pub(super) fn evaluate(
    request: &Request,
    exchange: &Exchange,
    variables: &Variables,
    redact: &dyn Fn(&str) -> String,
) -> Vec<AssertionResult> {
    request
        .assertions
        .iter()
        .map(|assertion| {
            let mut result = AssertionResult {
                source: assertion.source.name().to_string(),
                property: assertion.property.clone(),
                comparison: assertion.comparison.name().to_string(),
                expected: String::new(),
                actual: String::new(),
                passed: false,
            };
            let (property, target) = match (
                render(&assertion.property, variables),
                render(&assertion.target, variables),
            ) {
                (Ok(p), Ok(t)) => (p, t),
                (Err(name), _) | (_, Err(name)) => {
                    result.expected = format!("{{{{{name}}}}}, which has no value");
                    result.actual = "not compared".into();
                    return result;
                }
            };
            if assertion.source == Source::Json
                && let Err(problem) = lookup(&serde_json::Value::Null, &property)
            {
                result.expected = redact(&target);
                result.actual = problem;
                return result;
            }
            let found = source_value(assertion.source, &property, exchange);
            result.passed = assertion.comparison.holds(&found, &target);
            result.expected = redact(&expected_words(assertion.comparison, &target));
            result.actual = redact(&actual_words(assertion.source, &found, exchange));
            result
        })
        .collect()
}

fn expected_words(comparison: Comparison, target: &str) -> String {
    match comparison {
        Comparison::Empty => "empty".into(),
        Comparison::NotEmpty => "not empty".into(),
        Comparison::IsANumber => "a number".into(),
        Comparison::IsNull => "null".into(),
        Comparison::NotEqual => format!("not {target}"),
        Comparison::DoesNotContain => format!("without {target}"),
        Comparison::HasKey => format!("an object with key {target}"),
        Comparison::HasValue => format!("an array holding {target}"),
        Comparison::LessThan => format!("< {target}"),
        Comparison::LessThanOrEqual => format!("<= {target}"),
        Comparison::GreaterThan => format!("> {target}"),
        Comparison::GreaterThanOrEqual => format!(">= {target}"),
        Comparison::Equal | Comparison::EqualNumber | Comparison::Contains => target.to_string(),
    }
}

fn actual_words(source: Source, found: &Found, exchange: &Exchange) -> String {
    match found {
        Found::Value(value) => {
            let text = match value {
                // Show the JSON type: "401" (a string) and 401 (a number) differ for the tester.
                serde_json::Value::String(s) if source == Source::Json => format!("\"{s}\""),
                other => super::compare::cast_to_string(other),
            };
            shorten(&text)
        }
        Found::Missing => match (source, exchange.status) {
            (_, None) => format!("no answer: {}", exchange.problem().unwrap_or("unknown")),
            (Source::Json, Some(status)) if exchange.json.is_none() => {
                if exchange.body.trim().is_empty() {
                    format!("no JSON: status {status} with an empty body")
                } else {
                    format!(
                        "no JSON: status {status}, body starts {}",
                        shorten(exchange.body.trim())
                    )
                }
            }
            _ => "missing".into(),
        },
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 120 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(120).collect::<String>())
    }
}
