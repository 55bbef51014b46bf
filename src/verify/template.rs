//! Templates in recipes: `{{name}}` filled from inputs, remembered values and captures, and
//! list inputs (comma-separated values).

/// Replaces `{{name}}` with `lookup(name)`; `{{count:list}}` with the number of values of a
/// list. Fails naming the first unknown name.
pub fn render(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("'{template}': '{{{{' without '}}}}'"));
        };
        let name = after[..end].trim();
        let value = match name.strip_prefix("count:") {
            Some(list) => lookup(list.trim()).map(|v| split_list(&v).len().to_string()),
            None => lookup(name),
        };
        out.push_str(&value.ok_or_else(|| name.to_string())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The values of a list input: comma-separated, trimmed, empty ones dropped.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// The names a template uses (`{{ count:members }}` uses `members`).
pub fn template_names(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        names.push(
            name.strip_prefix("count:")
                .unwrap_or(name)
                .trim()
                .to_string(),
        );
        rest = &after[end + 2..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_names_and_counts_and_name_the_unknown() {
        let lookup = |name: &str| match name {
            "user" => Some("ann@x.com".to_string()),
            "members" => Some("a, b,,c".to_string()),
            _ => None,
        };
        assert_eq!(
            render("userName eq \"{{user}}\"", &lookup).unwrap(),
            "userName eq \"ann@x.com\""
        );
        assert_eq!(render("{{ count:members }}", &lookup).unwrap(), "3");
        assert_eq!(render("{{group}}", &lookup).unwrap_err(), "group");
    }
}
