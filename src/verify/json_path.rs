//! A small path language over JSON answers: `Resources[0].name.givenName`, `members[*].value`,
//! `emails[*].value`. `[*]` fans out over an array; the result is every value reached.

use serde_json::Value;

/// The values `path` reaches in `root` (none when a segment is missing).
pub fn select<'a>(root: &'a Value, path: &str) -> Result<Vec<&'a Value>, String> {
    let mut current = vec![root];
    for segment in split(path)? {
        let mut next = Vec::new();
        for value in current {
            match &segment {
                Segment::Key(key) => {
                    if let Some(found) = get_key(value, key) {
                        next.push(found);
                    }
                }
                Segment::Index(i) => {
                    if let Some(found) = value.as_array().and_then(|a| a.get(*i)) {
                        next.push(found);
                    }
                }
                Segment::All => {
                    if let Some(items) = value.as_array() {
                        next.extend(items.iter());
                    }
                }
            }
        }
        current = next;
    }
    Ok(current)
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

#[derive(Debug, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
    All,
}

fn split(path: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(end) = stripped.find(']') else {
                return Err(format!("'{path}': a '[' without ']'"));
            };
            let inner = &stripped[..end];
            segments.push(if inner == "*" {
                Segment::All
            } else {
                Segment::Index(
                    inner
                        .parse()
                        .map_err(|_| format!("'{path}': '[{inner}]' is not an index or [*]"))?,
                )
            });
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("'{path}': unexpected '{rest}'"));
        }
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_keys_indexes_and_fans_out() {
        let doc = json!({"Resources": [{"name": {"givenName": "Ann"}, "emails": [{"value": "a@x"}, {"value": "b@x"}]}]});
        assert_eq!(
            select(&doc, "Resources[0].name.givenName").unwrap(),
            vec![&json!("Ann")]
        );
        assert_eq!(
            select(&doc, "resources[0].emails[*].value").unwrap(),
            vec![&json!("a@x"), &json!("b@x")]
        );
        assert!(select(&doc, "Resources[1].id").unwrap().is_empty());
        assert!(select(&doc, "Resources[x]").is_err());
    }
}
