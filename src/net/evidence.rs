//! What is kept of a request as evidence: bodies cut to the session's evidence limit (the
//! secrets in them are redacted by `Secret::redact` before).

use crate::session::verification::EVIDENCE_BODY_LIMIT;

/// `text` cut to the evidence limit at a character boundary, saying how much was left out.
pub fn cut(text: &str) -> String {
    if text.len() <= EVIDENCE_BODY_LIMIT {
        return text.to_string();
    }
    let mut end = EVIDENCE_BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… [{} more bytes not kept]",
        &text[..end],
        text.len() - end
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_at_a_character_boundary() {
        let body = "é".repeat(EVIDENCE_BODY_LIMIT);
        let kept = cut(&body);
        assert!(kept.len() < body.len());
        assert!(kept.contains("more bytes not kept"));
        assert_eq!(cut("short"), "short");
    }
}
