//! Attribute paths over SCIM answers, as RFC 7644 §3.10 writes them, plus the indexes recipes
//! use to reach into a list answer:
//! - `name.givenName`, `emails.value` (a name on a multi-valued attribute reaches every value);
//! - `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department` (an extension's
//!   attributes under its schema URN; a core schema URN names the top level);
//! - value filters on multi-valued attributes: `emails[type eq "work"].value`,
//!   `emails[primary eq true and type eq "work"]`, with eq ne co sw ew pr gt ge lt le, and/or;
//! - recipe indexes: `Resources[0]`, `members[*]` (every value).
//!
//! String comparisons in filters ignore case (RFC 7643 §2.1: `caseExact` is false unless an
//! attribute says otherwise). Anything else is an error naming the path, never "absent".

use std::cmp::Ordering;

use serde_json::Value;

/// The values `path` reaches in `root` (none when an attribute is missing); an error naming
/// the path when it is not one this language reads.
pub fn select<'a>(root: &'a Value, path: &str) -> Result<Vec<&'a Value>, String> {
    let segments = parse(path)?;
    let mut current = vec![root];
    for segment in &segments {
        let mut next = Vec::new();
        for value in current {
            apply(segment, value, &mut next);
        }
        current = next;
    }
    Ok(current)
}

/// Checks that `path` is one `select` reads, with the reason when not.
pub fn validate(path: &str) -> Result<(), String> {
    parse(path).map(|_| ())
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// An attribute name; on an array it reaches into every element.
    Key(String),
    /// A schema URN: the extension's object, or the top level for a core schema.
    Schema(String),
    Index(usize),
    All,
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Compare {
        attribute: Vec<String>,
        op: Op,
        value: Value,
    },
    Present(Vec<String>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

fn apply<'a>(segment: &Segment, value: &'a Value, out: &mut Vec<&'a Value>) {
    match segment {
        Segment::Key(key) => match value {
            Value::Array(items) => out.extend(items.iter().filter_map(|v| get_key(v, key))),
            other => out.extend(get_key(other, key)),
        },
        Segment::Schema(urn) => {
            if let Some(found) = get_key(value, urn) {
                out.push(found);
            } else if urn.to_ascii_lowercase().contains(":core:") && value.is_object() {
                out.push(value);
            }
        }
        Segment::Index(i) => out.extend(value.as_array().and_then(|a| a.get(*i))),
        Segment::All => {
            if let Some(items) = value.as_array() {
                out.extend(items.iter());
            }
        }
        Segment::Filter(filter) => match value {
            Value::Array(items) => out.extend(items.iter().filter(|v| matches(filter, v))),
            Value::Object(_) if matches(filter, value) => out.push(value),
            _ => {}
        },
    }
}

/// SCIM attribute names are case-insensitive (RFC 7643 §2.1): an exact match first, then any case.
fn get_key<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn matches(filter: &Filter, value: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, value) && matches(b, value),
        Filter::Or(a, b) => matches(a, value) || matches(b, value),
        Filter::Present(attribute) => reach(value, attribute)
            .iter()
            .any(|v| !v.is_null() && v.as_str() != Some("")),
        Filter::Compare {
            attribute,
            op,
            value: want,
        } => {
            let found = reach(value, attribute);
            // `ne` holds when no value equals (an absent attribute is not equal).
            if *op == Op::Ne {
                return !found.iter().any(|v| compare(v, Op::Eq, want));
            }
            found.iter().any(|v| compare(v, *op, want))
        }
    }
}

fn reach<'a>(value: &'a Value, attribute: &[String]) -> Vec<&'a Value> {
    let mut current = vec![value];
    for key in attribute {
        let mut next = Vec::new();
        for v in current {
            apply(&Segment::Key(key.clone()), v, &mut next);
        }
        current = next;
    }
    current
}

fn compare(actual: &Value, op: Op, want: &Value) -> bool {
    match (actual, want) {
        (Value::String(a), Value::String(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Co => a.contains(&b),
                Op::Sw => a.starts_with(&b),
                Op::Ew => a.ends_with(&b),
                _ => ordered(a.cmp(&b), op),
            }
        }
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b).is_some_and(|o| ordered(o, op)),
            _ => false,
        },
        (Value::Bool(a), Value::Bool(b)) => match op {
            Op::Eq => a == b,
            Op::Ne => a != b,
            _ => false,
        },
        (Value::Null, Value::Null) => op == Op::Eq,
        _ => op == Op::Ne,
    }
}

fn ordered(order: Ordering, op: Op) -> bool {
    match op {
        Op::Eq => order == Ordering::Equal,
        Op::Ne => order != Ordering::Equal,
        Op::Gt => order == Ordering::Greater,
        Op::Ge => order != Ordering::Less,
        Op::Lt => order == Ordering::Less,
        Op::Le => order != Ordering::Greater,
        Op::Co | Op::Sw | Op::Ew => false,
    }
}

fn parse(path: &str) -> Result<Vec<Segment>, String> {
    let fail =
        |why: String| format!("'{path}' is not a SCIM attribute path scimplan can read: {why}");
    let chars: Vec<char> = path.trim().chars().collect();
    if chars.is_empty() {
        return Err(fail("it is empty".into()));
    }
    let mut segments = Vec::new();
    let mut i = 0;
    loop {
        let rest: String = chars[i..].iter().collect();
        if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case("urn:") {
            // The URN runs to the last ':' outside brackets and quotes; the attribute follows.
            let end = last_colon(&chars[i..]).ok_or_else(|| {
                fail("a schema URN must be followed by ':' and an attribute name".into())
            })?;
            segments.push(Segment::Schema(chars[i..i + end].iter().collect()));
            i += end + 1;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '-' | '$'))
        {
            i += 1;
        }
        if i > start {
            segments.push(Segment::Key(chars[start..i].iter().collect()));
        }
        while i < chars.len() && chars[i] == '[' {
            let close =
                closing_bracket(&chars, i).ok_or_else(|| fail("a '[' without ']'".into()))?;
            let inner: String = chars[i + 1..close].iter().collect();
            let inner = inner.trim();
            segments.push(if inner == "*" {
                Segment::All
            } else if let Ok(index) = inner.parse::<usize>() {
                Segment::Index(index)
            } else {
                Segment::Filter(
                    parse_filter(inner).map_err(|why| fail(format!("[{inner}]: {why}")))?,
                )
            });
            i = close + 1;
        }
        if i == start {
            let found: String = chars[i..].iter().collect();
            return Err(fail(format!("unexpected '{found}'")));
        }
        if i == chars.len() {
            break;
        }
        if chars[i] != '.' {
            let found: String = chars[i..].iter().collect();
            return Err(fail(format!("unexpected '{found}'")));
        }
        i += 1;
        if i == chars.len() {
            return Err(fail("it ends with '.'".into()));
        }
    }
    if segments.is_empty() {
        return Err(fail("no attribute name".into()));
    }
    Ok(segments)
}

fn last_colon(chars: &[char]) -> Option<usize> {
    let mut depth = 0;
    let mut quoted = false;
    let mut last = None;
    for (i, c) in chars.iter().enumerate() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ':' if !quoted && depth == 0 => last = Some(i),
            _ => {}
        }
    }
    last
}

fn closing_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in chars.iter().enumerate().skip(open + 1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// Tokens of a filter: words, quoted strings (unescaped) and parentheses.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    None => return Err("a string without its closing '\"'".into()),
                    Some('"') => break,
                    Some('\\') => value.push(chars.next().ok_or("a '\\' at the end")?),
                    Some(other) => value.push(other),
                }
            }
            out.push(Token::Text(value));
        } else if c == '(' || c == ')' {
            return Err("parentheses are not supported in a path filter".into());
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(Token::Word(word));
        }
    }
    Ok(out)
}

/// `a op v [and|or a op v]...`; `and` binds tighter than `or` (RFC 7644 §3.4.2.2).
fn parse_filter(text: &str) -> Result<Filter, String> {
    let tokens = tokens(text)?;
    let mut ors: Vec<Filter> = Vec::new();
    let mut ands: Vec<Filter> = Vec::new();
    let mut i = 0;
    loop {
        let Some(Token::Word(attribute)) = tokens.get(i) else {
            return Err("expected an attribute name".into());
        };
        let attribute: Vec<String> = attribute.split('.').map(str::to_string).collect();
        if attribute.iter().any(|a| a.is_empty()) {
            return Err("an empty attribute name".into());
        }
        let Some(Token::Word(op)) = tokens.get(i + 1) else {
            return Err(format!(
                "expected an operator after '{}'",
                attribute.join(".")
            ));
        };
        let op = op.to_ascii_lowercase();
        let filter = if op == "pr" {
            i += 2;
            Filter::Present(attribute)
        } else {
            let op = match op.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "co" => Op::Co,
                "sw" => Op::Sw,
                "ew" => Op::Ew,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                "not" => return Err("'not' is not supported in a path filter".into()),
                other => {
                    return Err(format!(
                        "'{other}' is not an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le)"
                    ));
                }
            };
            let value = match tokens.get(i + 2) {
                Some(Token::Text(text)) => Value::String(text.clone()),
                Some(Token::Word(word)) => match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    number => serde_json::from_str::<serde_json::Number>(number)
                        .map(Value::Number)
                        .map_err(|_| {
                            format!("'{number}' is not a value: quote strings, e.g. \"{number}\"")
                        })?,
                },
                None => return Err("a comparison without a value".into()),
            };
            i += 3;
            Filter::Compare {
                attribute,
                op,
                value,
            }
        };
        ands.push(filter);
        match tokens.get(i) {
            None => break,
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("and") => {}
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("or") => {
                ors.push(fold(std::mem::take(&mut ands), Filter::And));
            }
            Some(other) => return Err(format!("expected 'and' or 'or', found {other:?}")),
        }
        i += 1;
    }
    ors.push(fold(ands, Filter::And));
    Ok(fold(ors, Filter::Or))
}

fn fold(mut parts: Vec<Filter>, join: fn(Box<Filter>, Box<Filter>) -> Filter) -> Filter {
    let first = parts.remove(0);
    parts
        .into_iter()
        .fold(first, |acc, next| join(Box::new(acc), Box::new(next)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "name": {"givenName": "Ann"},
            "emails": [
                {"value": "old@x.com", "type": "home", "primary": true},
                {"value": "ann@x.com", "type": "Work"}
            ],
            ENTERPRISE: {"department": "Eng", "manager": {"value": "m1"}},
            "Resources": [{"id": "a"}, {"id": "b"}]
        })
    }

    #[test]
    fn selects_keys_indexes_and_fans_out() {
        let doc = user();
        assert_eq!(select(&doc, "name.givenName").unwrap(), vec![&json!("Ann")]);
        assert_eq!(
            select(&doc, "resources[*].id").unwrap(),
            vec![&json!("a"), &json!("b")]
        );
        assert_eq!(
            select(&doc, "emails.value").unwrap(),
            vec![&json!("old@x.com"), &json!("ann@x.com")]
        );
        assert!(select(&doc, "Resources[5].id").unwrap().is_empty());
        assert!(select(&doc, "title").unwrap().is_empty());
    }

    #[test]
    fn extension_urns_and_core_urns() {
        let doc = user();
        let department = format!("{ENTERPRISE}:department");
        assert_eq!(select(&doc, &department).unwrap(), vec![&json!("Eng")]);
        let manager = format!("{ENTERPRISE}:manager.value");
        assert_eq!(select(&doc, &manager).unwrap(), vec![&json!("m1")]);
        let core = "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName";
        assert_eq!(select(&doc, core).unwrap(), vec![&json!("Ann")]);
        let other = "urn:example:params:scim:schemas:extension:acme:2.0:User:badge";
        assert!(select(&doc, other).unwrap().is_empty());
    }

    #[test]
    fn value_filters_on_multi_valued_attributes() {
        let doc = user();
        assert_eq!(
            select(&doc, "emails[type eq \"work\"].value").unwrap(),
            vec![&json!("ann@x.com")],
            "string comparison ignores case"
        );
        assert_eq!(
            select(&doc, "emails[primary eq true].value").unwrap(),
            vec![&json!("old@x.com")]
        );
        assert_eq!(
            select(
                &doc,
                "emails[type eq \"home\" or value ew \"ann@x.com\"].value"
            )
            .unwrap()
            .len(),
            2
        );
        assert!(
            select(&doc, "emails[type eq \"work\" and primary eq true]")
                .unwrap()
                .is_empty()
        );
        assert_eq!(select(&doc, "emails[primary pr]").unwrap().len(), 1);
        assert_eq!(
            select(&doc, "emails[type ne \"home\"].value")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn unsupported_paths_are_errors_naming_the_path() {
        for (path, why) in [
            ("emails[type eq work].value", "quote strings"),
            ("emails[type eq \"work\"", "without ']'"),
            ("emails[type like \"w\"]", "not an operator"),
            ("emails[not (type eq \"w\")]", "parentheses"),
            ("name..givenName", "unexpected"),
            ("name.", "ends with"),
            ("", "empty"),
            ("name givenName", "unexpected"),
        ] {
            let err = select(&user(), path).unwrap_err();
            assert!(
                err.contains(&format!("'{path}'")) && err.contains(why),
                "{path}: {err}"
            );
        }
    }
}
