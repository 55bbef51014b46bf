//! Runscope's `{{name}}` templates in URLs, headers, bodies and assertion values.

use std::collections::BTreeMap;

/// Variables by name, as a run knows them.
pub type Variables = BTreeMap<String, String>;

/// Every `{{name}}` used in `text`, in order (names trimmed).
pub fn names(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        found.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    found
}

/// `text` with each `{{name}}` replaced; the first name without a value is the error.
pub fn render(text: &str, variables: &Variables) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let name = after[..end].trim();
        let value = variables.get(name).ok_or_else(|| name.to_string())?;
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_occurrence_and_names_the_missing_one() {
        let vars: Variables = [
            ("a".to_string(), "1".to_string()),
            ("b c".into(), "2".into()),
        ]
        .into_iter()
        .collect();
        assert_eq!(render("x{{a}}y{{ a }}z", &vars).unwrap(), "x1y1z");
        assert_eq!(render("{{b c}}", &vars).unwrap(), "2");
        assert_eq!(render("no templates", &vars).unwrap(), "no templates");
        assert_eq!(render("{{a}}{{nope}}", &vars).unwrap_err(), "nope");
        assert_eq!(render("half {{open", &vars).unwrap(), "half {{open");
        assert_eq!(
            names("{{SCIMBaseURL}}/Users/{{ISVUserid}}"),
            ["SCIMBaseURL", "ISVUserid"]
        );
    }
}
