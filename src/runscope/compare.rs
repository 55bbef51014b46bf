//! Runscope's comparisons, with the semantics its documentation gives ("API Monitoring & Testing:
//! Assertions", https://www.runscope.com/docs/api-testing/assertions): the Actual Value is the
//! data the Source and Property locate; the Target Value may hold `{{variables}}`.
//!
//! What that page's comparison chart says, and how it is applied here:
//! - Equals / Does Not Equal / Contains / Does Not Contain: a string comparison; non-string
//!   values are cast to a string first; case-sensitive. A JSON number is cast the way
//!   JavaScript prints it (`1.0` -> `1`), a boolean as `true`/`false` (so Okta's `"true"`
//!   target matches a JSON `true`), null as `null`, arrays and objects as compact JSON.
//! - Equals (number), Less/Greater Than (or Equal): the actual value is (or can be cast to) a
//!   number; a numeric string such as `"0"` counts, a boolean or an empty string does not.
//! - Is a number: the actual value is a number or a string that can be cast to one.
//! - Empty / Not Empty: an empty string, an empty array or an empty object; a missing property
//!   or null is empty too (there is no data); `0` and `false` are not empty (they cast to
//!   non-empty strings).
//! - Has Key: the JSON property is an object with the target as a key. Has Value: the JSON
//!   property is an array with an item equal (as a string) to the target.
//! - Is Null: the JSON property is present and null (a missing property is not null).
//!
//! Where the page is silent (casting arrays, missing values for the negated comparisons) the
//! choice is written beside the code and pinned by a unit test.
//!
//! Sources: the page's own text (Source, Property in "standard JavaScript notation", Comparison,
//! Target Value with templates) as stored for the search tool; its comparison chart was not in
//! the stored copy, so the chart's wording above follows a service that reproduces it verbatim
//! ("A string comparison ... Non-string values are cast to a string before comparing. The check
//! is case sensitive."; "is (or can be cast to) a number ..."; "has key: the JSON property
//! evaluates to a dictionary and contains the target value as a dictionary key"). The
//! comparison names are those of Runscope's export format (as in Okta's files and Runscope's
//! steps API). Okta's own file pins two of these readings: `active` `equal` "true" must match a
//! JSON `true`, and `totalResults` `equal` "0" must match a JSON `0`.

use serde_json::Value;

use super::property::Found;

/// A comparison as the export names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    Empty,
    NotEmpty,
    Contains,
    DoesNotContain,
    IsANumber,
    EqualNumber,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    HasKey,
    HasValue,
    IsNull,
}

impl Comparison {
    pub const ALL: [(&'static str, Comparison); 15] = [
        ("equal", Comparison::Equal),
        ("not_equal", Comparison::NotEqual),
        ("empty", Comparison::Empty),
        ("not_empty", Comparison::NotEmpty),
        ("contains", Comparison::Contains),
        ("does_not_contain", Comparison::DoesNotContain),
        ("is_a_number", Comparison::IsANumber),
        ("equal_number", Comparison::EqualNumber),
        ("is_less_than", Comparison::LessThan),
        ("is_less_than_or_equal", Comparison::LessThanOrEqual),
        ("is_greater_than", Comparison::GreaterThan),
        ("is_greater_than_or_equal", Comparison::GreaterThanOrEqual),
        ("has_key", Comparison::HasKey),
        ("has_value", Comparison::HasValue),
        ("is_null", Comparison::IsNull),
    ];

    /// The comparison of an export's `comparison` field; `None` for a name Runscope does not have.
    pub fn parse(name: &str) -> Option<Comparison> {
        Comparison::ALL
            .iter()
            .find(|(n, _)| *n == name.trim())
            .map(|(_, c)| *c)
    }

    pub fn name(self) -> &'static str {
        Comparison::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    pub fn known_names() -> String {
        Comparison::ALL
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether the comparison uses the target value at all.
    pub fn takes_target(self) -> bool {
        !matches!(
            self,
            Comparison::Empty | Comparison::NotEmpty | Comparison::IsANumber | Comparison::IsNull
        )
    }

    /// Does `actual` satisfy the comparison against `target` (already rendered)?
    pub fn holds(self, actual: &Found, target: &str) -> bool {
        let text = as_text(actual);
        match self {
            Comparison::Equal => text.as_deref() == Some(target),
            // A missing value differs from every target (JavaScript: undefined != "x").
            Comparison::NotEqual => text.as_deref() != Some(target),
            Comparison::Empty => is_empty(actual),
            Comparison::NotEmpty => !is_empty(actual),
            Comparison::Contains => text.is_some_and(|t| t.contains(target)),
            Comparison::DoesNotContain => !text.is_some_and(|t| t.contains(target)),
            Comparison::IsANumber => as_number(actual).is_some(),
            Comparison::EqualNumber => numeric(actual, target, |a, b| a == b),
            Comparison::LessThan => numeric(actual, target, |a, b| a < b),
            Comparison::LessThanOrEqual => numeric(actual, target, |a, b| a <= b),
            Comparison::GreaterThan => numeric(actual, target, |a, b| a > b),
            Comparison::GreaterThanOrEqual => numeric(actual, target, |a, b| a >= b),
            Comparison::HasKey => {
                matches!(actual, Found::Value(Value::Object(map)) if map.contains_key(target))
            }
            Comparison::HasValue => match actual {
                Found::Value(Value::Array(items)) => {
                    items.iter().any(|item| cast_to_string(item) == target)
                }
                _ => false,
            },
            Comparison::IsNull => matches!(actual, Found::Value(Value::Null)),
        }
    }
}

/// The actual value cast to a string; `None` when there is no value.
pub fn as_text(actual: &Found) -> Option<String> {
    match actual {
        Found::Value(value) => Some(cast_to_string(value)),
        Found::Missing => None,
    }
}

/// A JSON value as Runscope's string comparisons see it.
pub fn cast_to_string(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number_text(number),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// A number as JavaScript prints it: integers without a fraction (`1.0` -> `1`).
fn number_text(number: &serde_json::Number) -> String {
    if number.is_i64() || number.is_u64() {
        return number.to_string();
    }
    match number.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i128),
        Some(f) => format!("{f}"),
        None => number.to_string(),
    }
}

fn is_empty(actual: &Found) -> bool {
    match actual {
        Found::Missing | Found::Value(Value::Null) => true,
        Found::Value(Value::String(text)) => text.is_empty(),
        Found::Value(Value::Array(items)) => items.is_empty(),
        Found::Value(Value::Object(map)) => map.is_empty(),
        Found::Value(Value::Number(_) | Value::Bool(_)) => false,
    }
}

/// The actual value as a number: a JSON number, or a string holding one.
pub fn as_number(actual: &Found) -> Option<f64> {
    match actual {
        Found::Value(Value::Number(n)) => n.as_f64(),
        Found::Value(Value::String(text)) => parse_number(text),
        _ => None,
    }
}

/// A decimal number written as text (`"12"`, `" 1.5 "`, `"1e3"`); not `""`, `"NaN"`, `"0x1"`.
pub fn parse_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    let plain = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    if !plain {
        return None;
    }
    trimmed.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn numeric(actual: &Found, target: &str, op: fn(f64, f64) -> bool) -> bool {
    match (as_number(actual), parse_number(target)) {
        (Some(a), Some(b)) => op(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! One test per comparison, across numbers, numeric strings, booleans, arrays, null and
    //! missing values, each row following the Runscope assertions page cited above.
    use super::*;
    use serde_json::json;

    fn v(value: Value) -> Found {
        Found::Value(value)
    }
    const MISSING: Found = Found::Missing;

    #[test]
    fn equal_is_a_string_comparison_after_casting() {
        let eq = |a: &Found, t: &str| Comparison::Equal.holds(a, t);
        assert!(eq(&v(json!(401)), "401"), "a number equals its text");
        assert!(eq(&v(json!("401")), "401"), "a numeric string");
        assert!(eq(&v(json!(0)), "0"));
        assert!(eq(&v(json!(1.0)), "1"), "JavaScript prints 1.0 as 1");
        assert!(!eq(&v(json!(1.5)), "1"));
        assert!(eq(&v(json!(true)), "true"), "Okta's active == \"true\"");
        assert!(!eq(&v(json!("True")), "true"), "case-sensitive");
        assert!(!eq(&v(json!(1)), "true"));
        assert!(eq(&v(json!(null)), "null"));
        assert!(!eq(&MISSING, ""), "nothing equals a missing value");
        assert!(!eq(&MISSING, "null"));
        assert!(eq(&v(json!(["a", "b"])), r#"["a","b"]"#));
        assert!(!eq(&v(json!("Ann@X.com")), "ann@x.com"));
    }

    #[test]
    fn not_equal_is_the_negation_and_missing_differs_from_everything() {
        let ne = |a: &Found, t: &str| Comparison::NotEqual.holds(a, t);
        assert!(!ne(&v(json!(404)), "404"));
        assert!(!ne(&v(json!("404")), "404"));
        assert!(ne(&v(json!(false)), "true"));
        assert!(ne(&MISSING, "x"));
        assert!(ne(&v(json!([1])), "1"));
    }

    #[test]
    fn empty_and_not_empty() {
        let empty = |a: &Found| Comparison::Empty.holds(a, "");
        let not_empty = |a: &Found| Comparison::NotEmpty.holds(a, "");
        for (value, is_empty) in [
            (v(json!("")), true),
            (v(json!([])), true),
            (v(json!({})), true),
            (v(json!(null)), true),
            (MISSING, true),
            (v(json!("x")), false),
            (v(json!(0)), false),
            (v(json!(false)), false),
            (v(json!(true)), false),
            (v(json!([0])), false),
            (v(json!({"a": null})), false),
        ] {
            assert_eq!(empty(&value), is_empty, "{value:?}");
            assert_eq!(not_empty(&value), !is_empty, "{value:?}");
        }
    }

    #[test]
    fn contains_and_does_not_contain_cast_to_strings() {
        let has = |a: &Found, t: &str| Comparison::Contains.holds(a, t);
        let lacks = |a: &Found, t: &str| Comparison::DoesNotContain.holds(a, t);
        let user = "urn:ietf:params:scim:schemas:core:2.0:User";
        assert!(has(&v(json!([user])), user), "an array holding the URN");
        assert!(has(&v(json!(user)), "core:2.0"), "a substring");
        assert!(has(&v(json!(12345)), "234"), "a number as text");
        assert!(has(&v(json!(true)), "ru"));
        assert!(!has(&v(json!("User")), "user"), "case-sensitive");
        assert!(!has(&MISSING, ""), "a missing value contains nothing");
        assert!(!has(&v(json!(null)), "x"));
        assert!(lacks(&MISSING, "x"));
        assert!(lacks(&v(json!(["a"])), "b"));
        assert!(!lacks(&v(json!(["a"])), "a"));
    }

    #[test]
    fn is_a_number_accepts_numbers_and_numeric_strings() {
        let num = |a: &Found| Comparison::IsANumber.holds(a, "");
        assert!(num(&v(json!(1))));
        assert!(num(&v(json!(0))));
        assert!(num(&v(json!(-2.5))));
        assert!(num(&v(json!("1"))), "a string that casts to a number");
        assert!(num(&v(json!(" 10 "))));
        assert!(!num(&v(json!(""))));
        assert!(!num(&v(json!("ten"))));
        assert!(!num(&v(json!("NaN"))));
        assert!(!num(&v(json!("0x10"))));
        assert!(!num(&v(json!(true))), "a boolean is not a number");
        assert!(!num(&v(json!(null))));
        assert!(!num(&v(json!([1]))));
        assert!(!num(&MISSING));
    }

    #[test]
    fn number_comparisons_cast_both_sides() {
        let eqn = |a: &Found, t: &str| Comparison::EqualNumber.holds(a, t);
        assert!(eqn(&v(json!(200)), "200"));
        assert!(eqn(&v(json!(0)), "0"));
        assert!(eqn(&v(json!("0")), "0"), "a numeric string");
        assert!(eqn(&v(json!(1.0)), "1"));
        assert!(eqn(&v(json!("1.0")), "1"));
        assert!(!eqn(&v(json!(false)), "0"), "false is not 0 here");
        assert!(!eqn(&v(json!(null)), "0"));
        assert!(!eqn(&MISSING, "0"));
        assert!(!eqn(&v(json!([0])), "0"));
        assert!(
            !eqn(&v(json!(1)), "one"),
            "a target that is no number never holds"
        );
        let lt = |a: &Found, t: &str| Comparison::LessThan.holds(a, t);
        assert!(lt(&v(json!(599)), "600"));
        assert!(!lt(&v(json!(600)), "600"));
        assert!(lt(&v(json!("9")), "10"), "numeric, not alphabetical");
        assert!(!lt(&MISSING, "600"));
        assert!(Comparison::LessThanOrEqual.holds(&v(json!(600)), "600"));
        assert!(!Comparison::LessThanOrEqual.holds(&v(json!(601)), "600"));
        assert!(Comparison::GreaterThan.holds(&v(json!(2)), "1"));
        assert!(!Comparison::GreaterThan.holds(&v(json!(true)), "0"));
        assert!(Comparison::GreaterThanOrEqual.holds(&v(json!("1")), "1"));
        assert!(!Comparison::GreaterThanOrEqual.holds(&v(json!(null)), "-1"));
    }

    #[test]
    fn has_key_needs_an_object() {
        let key = |a: &Found, t: &str| Comparison::HasKey.holds(a, t);
        assert!(key(&v(json!({"detail": "x"})), "detail"));
        assert!(
            key(&v(json!({"detail": null})), "detail"),
            "present, even null"
        );
        assert!(!key(&v(json!({"Detail": 1})), "detail"), "case-sensitive");
        assert!(
            !key(&v(json!(["detail"])), "detail"),
            "an array has no keys"
        );
        assert!(!key(&v(json!("detail")), "detail"));
        assert!(!key(&MISSING, "detail"));
        assert!(!key(&v(json!(null)), "detail"));
    }

    #[test]
    fn has_value_needs_an_array_holding_the_item() {
        let has = |a: &Found, t: &str| Comparison::HasValue.holds(a, t);
        let list = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
        assert!(has(&v(json!([list])), list));
        assert!(has(&v(json!(["a", list])), list));
        assert!(!has(&v(json!(list)), list), "a string is not an array");
        assert!(
            !has(&v(json!([list.to_lowercase()])), list),
            "case-sensitive"
        );
        assert!(
            !has(&v(json!([format!("{list} ")])), list),
            "whole items only"
        );
        assert!(has(&v(json!([1, 2])), "2"), "items cast to strings");
        assert!(has(&v(json!([true])), "true"));
        assert!(!has(&v(json!([])), list));
        assert!(!has(&MISSING, list));
        assert!(!has(&v(json!(null)), list));
        assert!(
            !has(&v(json!({"a": list})), list),
            "an object is not an array"
        );
    }

    #[test]
    fn is_null_means_present_and_null() {
        let null = |a: &Found| Comparison::IsNull.holds(a, "");
        assert!(null(&v(json!(null))));
        assert!(!null(&MISSING));
        assert!(!null(&v(json!(""))));
        assert!(!null(&v(json!(0))));
        assert!(!null(&v(json!(false))));
        assert!(!null(&v(json!([]))));
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for (name, comparison) in Comparison::ALL {
            assert_eq!(Comparison::parse(name), Some(comparison));
            assert_eq!(comparison.name(), name);
        }
        assert_eq!(Comparison::parse("equals"), None);
        assert_eq!(Comparison::parse("is_less"), None);
        assert!(Comparison::known_names().contains("has_value"));
    }
}
