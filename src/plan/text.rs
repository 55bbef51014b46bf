//! Cell text as Okta writes it: `**bold**` markers, numbered step lines, cited case IDs.

use std::collections::HashSet;

/// A run of text, bold or not. Newlines stay inside the text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextSpan {
    pub text: String,
    pub bold: bool,
}

/// Text with `**bold**` markers parsed into spans once, at load time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RichText {
    pub spans: Vec<TextSpan>,
}

impl RichText {
    /// Parses `**bold**` markers; an unmatched `**` stays literal text.
    pub fn parse(raw: &str) -> RichText {
        let raw = normalize_newlines(raw);
        // Most cells have no marker at all: one span, found with a byte scan rather than a
        // substring search (tens of thousands of cells on a large plan).
        if !raw.as_bytes().contains(&b'*') {
            return RichText {
                spans: if raw.is_empty() {
                    Vec::new()
                } else {
                    vec![TextSpan {
                        text: raw.into_owned(),
                        bold: false,
                    }]
                },
            };
        }
        // At most one span per two stars and one more: room for them up front, not regrown.
        let stars = raw.bytes().filter(|b| *b == b'*').count();
        let mut spans = Vec::with_capacity(stars / 2 + 1);
        let mut rest = &*raw;
        while let Some(open) = find_marker(rest) {
            let after_open = &rest[open + 2..];
            let Some(close) = find_marker(after_open) else {
                break;
            };
            push_span(&mut spans, &rest[..open], false);
            push_span(&mut spans, &after_open[..close], true);
            rest = &after_open[close + 2..];
        }
        push_span(&mut spans, rest, false);
        // Most cells are one or two spans: no spare room kept for each of 10,000 cases.
        spans.shrink_to_fit();
        RichText { spans }
    }

    /// The text without markers.
    pub fn plain(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.iter().all(|s| s.text.trim().is_empty())
    }

    /// The spans split into lines (for renderers that lay out line by line).
    pub fn lines(&self) -> Vec<Vec<TextSpan>> {
        let mut lines = vec![Vec::new()];
        for span in &self.spans {
            for (i, part) in span.text.split('\n').enumerate() {
                if i > 0 {
                    lines.push(Vec::new());
                }
                if !part.is_empty() {
                    lines.last_mut().expect("at least one line").push(TextSpan {
                        text: part.to_string(),
                        bold: span.bold,
                    });
                }
            }
        }
        lines
    }
}

/// Where the first `**` starts: a byte scan for `*` (a substring search costs more to set up
/// than most cells are long).
fn find_marker(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes[from..].iter().position(|b| *b == b'*') {
        let at = from + at;
        if bytes.get(at + 1) == Some(&b'*') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn push_span(spans: &mut Vec<TextSpan>, text: &str, bold: bool) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.bold == bold => last.text.push_str(text),
        _ => spans.push(TextSpan {
            text: text.to_string(),
            bold,
        }),
    }
}

fn normalize_newlines(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains('\r') {
        raw.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        raw.into()
    }
}

/// One step of a case, with the number its author wrote (numbers may repeat or skip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub number: Option<u32>,
    pub text: RichText,
}

/// Splits a Steps cell into steps. A line that starts with `N.` or `N)` begins a step;
/// other lines continue the step before them (or form an unnumbered step when none has begun).
pub fn parse_steps(raw: &str) -> Vec<Step> {
    let raw = normalize_newlines(raw);
    let mut steps = Vec::new();
    // The step being read: its number and text (one buffer for all steps).
    let mut current: Option<Option<u32>> = None;
    let mut text = String::new();
    let mut finish = |number: Option<u32>, text: &mut String| {
        steps.push(Step {
            number,
            text: RichText::parse(text),
        });
        text.clear();
    };
    for line in raw.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match split_step_number(trimmed) {
            Some((number, rest)) => {
                if let Some(previous) = current.replace(Some(number)) {
                    finish(previous, &mut text);
                }
                text.push_str(rest);
            }
            None if current.is_some() => {
                text.push('\n');
                text.push_str(trimmed);
            }
            None => {
                current = Some(None);
                text.push_str(trimmed);
            }
        }
    }
    if let Some(number) = current {
        finish(number, &mut text);
    }
    steps.shrink_to_fit();
    steps
}

fn split_step_number(line: &str) -> Option<(u32, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = &line[digits..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?;
    // "1.5 GB" is not a step number; a step number is followed by a space or nothing.
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((line[..digits].parse().ok()?, rest.trim_start()))
}

/// IDs of cases cited in text (`[C9298]`, `C9298`, `(C9296)`), kept only when `known` has them,
/// without duplicates, in order of appearance.
pub fn find_refs(text: &str, known: &dyn Fn(&str) -> bool, own_id: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut refs = Vec::new();
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')) {
        let word = word.trim_matches(|c| c == '-' || c == '_');
        if word.is_empty() || word == own_id || !known(word) {
            continue;
        }
        if seen.insert(word.to_string()) {
            refs.push(word.to_string());
        }
    }
    refs
}

/// Cuts text to `width` characters, marking the cut.
pub fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_markers_become_spans() {
        let text = RichText::parse("From the **People** page, click **Add Person**.");
        assert_eq!(text.plain(), "From the People page, click Add Person.");
        assert_eq!(
            text.spans
                .iter()
                .filter(|s| s.bold)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>(),
            ["People", "Add Person"]
        );
    }

    #[test]
    fn unmatched_marker_stays_literal() {
        let text = RichText::parse("a **b");
        assert_eq!(text.plain(), "a **b");
        assert!(text.spans.iter().all(|s| !s.bold));
    }

    #[test]
    fn steps_keep_author_numbers_even_repeated_or_skipped() {
        let steps = parse_steps("1. one\r\n2. two\n2. again\n\n5. five\ncontinued\n");
        let numbers: Vec<_> = steps.iter().map(|s| s.number).collect();
        assert_eq!(numbers, [Some(1), Some(2), Some(2), Some(5)]);
        assert_eq!(steps[3].text.plain(), "five\ncontinued");
    }

    #[test]
    fn unnumbered_text_is_one_step() {
        let steps = parse_steps("Sign in to Okta as Admin");
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].number, None);
    }

    #[test]
    fn decimal_numbers_do_not_start_steps() {
        let steps = parse_steps("1. Upload 1.5 GB\n2.5 is not a step");
        assert_eq!(steps.len(), 1);
    }

    #[test]
    fn refs_in_all_citation_styles_only_known_ids() {
        let known = |id: &str| ["C9298", "C9296", "C1"].contains(&id);
        let refs = find_refs(
            "1. SCIM app is added [C9298]\n2. user (C9296) and C9298 again, C7777 unknown, C1",
            &known,
            "C1",
        );
        assert_eq!(refs, ["C9298", "C9296"]);
    }
}
