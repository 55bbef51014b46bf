//! Runscope's "standard JavaScript notation" for JSON properties (`Resources[0].name.familyName`,
//! `schemas`, `data["odd key"]`), evaluated the way JavaScript would: keys are case-sensitive
//! (unlike SCIM attribute names), an index past the end is `undefined`, `.length` of an array or
//! a string is its length.

use serde_json::Value;

/// What a property reaches: a JSON value, or nothing (JavaScript's `undefined`).
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Value(Value),
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Reads `property` from `root`. An empty property is the whole body.
pub fn lookup(root: &Value, property: &str) -> Result<Found, String> {
    let mut current = root.clone();
    for segment in parse(property)? {
        let next = match (&segment, &current) {
            (Segment::Key(key), Value::Object(map)) => map.get(key).cloned(),
            (Segment::Key(key), Value::Array(items)) if key == "length" => {
                Some(Value::from(items.len()))
            }
            (Segment::Key(key), Value::String(text)) if key == "length" => {
                // JavaScript counts UTF-16 code units.
                Some(Value::from(text.encode_utf16().count()))
            }
            (Segment::Key(key), Value::Array(items)) => {
                // `a["0"]` and `a.0`-like keys index arrays in JavaScript.
                key.parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned())
            }
            (Segment::Index(i), Value::Array(items)) => items.get(*i).cloned(),
            (Segment::Index(i), Value::Object(map)) => map.get(&i.to_string()).cloned(),
            _ => None,
        };
        match next {
            Some(value) => current = value,
            None => return Ok(Found::Missing),
        }
    }
    Ok(Found::Value(current))
}

fn parse(property: &str) -> Result<Vec<Segment>, String> {
    let bad = |why: &str| format!("'{property}' is not a JavaScript property path: {why}");
    let mut segments = Vec::new();
    let chars: Vec<char> = property.trim().chars().collect();
    let mut i = 0;
    let mut expect_key = true;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if expect_key && !segments.is_empty() {
                    return Err(bad("two dots in a row"));
                }
                expect_key = true;
                i += 1;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| bad("a '[' without ']'"))?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                let quoted = (inner.starts_with('"') && inner.ends_with('"'))
                    || (inner.starts_with('\'') && inner.ends_with('\''));
                if quoted && inner.len() >= 2 {
                    segments.push(Segment::Key(inner[1..inner.len() - 1].to_string()));
                } else {
                    let index = inner
                        .parse::<usize>()
                        .map_err(|_| bad(&format!("'[{inner}]' is not an index")))?;
                    segments.push(Segment::Index(index));
                }
                expect_key = false;
                i = close + 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let key: String = chars[start..i].iter().collect();
                segments.push(Segment::Key(key.trim().to_string()));
                expect_key = false;
            }
        }
    }
    if expect_key && !segments.is_empty() {
        return Err(bad("it ends with a dot"));
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn javascript_notation_reaches_nested_values() {
        let body = json!({"Resources": [{"name": {"familyName": "Doe"}, "emails": [{"value": "a@b"}]}],
                          "odd key": 1, "schemas": ["x"]});
        let get = |p: &str| lookup(&body, p).unwrap();
        assert_eq!(
            get("Resources[0].name.familyName"),
            Found::Value(json!("Doe"))
        );
        assert_eq!(
            get("Resources[0].emails[0].value"),
            Found::Value(json!("a@b"))
        );
        assert_eq!(get("[\"odd key\"]"), Found::Value(json!(1)));
        assert_eq!(get("schemas.length"), Found::Value(json!(1)));
        assert_eq!(get(""), Found::Value(body.clone()));
        assert_eq!(get("Resources[1].id"), Found::Missing);
        assert_eq!(get("resources"), Found::Missing, "keys are case-sensitive");
        assert_eq!(get("schemas[0].x"), Found::Missing);
    }

    #[test]
    fn broken_paths_are_errors() {
        for path in ["a[0", "a[x]", "a..b", "a."] {
            assert!(lookup(&json!({}), path).is_err(), "{path}");
        }
    }
}
