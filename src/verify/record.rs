//! The evidence a run keeps of its requests (`session::verification`), with every secret
//! redacted and bodies cut to the evidence limit. Recording runs in the session is a session
//! command (`Command::RecordRun`, `RecordSpec`, `RecordStart`, `RecordCrud`).

use super::http::Exchange;
use super::secret::Secret;
use crate::session::verification::{EVIDENCE_BODY_LIMIT, RequestRecord};

/// The evidence kept of one exchange: credentials redacted wherever they appear.
pub fn request_record(exchange: &Exchange, auth_header: &str, secret: &Secret) -> RequestRecord {
    RequestRecord {
        method: exchange.method.clone(),
        url: secret.redact(&exchange.url),
        status: exchange.status,
        duration_ms: exchange.duration.as_millis() as u64,
        request_headers: vec![
            format!("{auth_header}: [redacted]"),
            "Accept: application/scim+json".into(),
        ],
        request_body: exchange
            .request_body
            .as_deref()
            .map(|b| cut(&secret.redact(b))),
        content_type: exchange.content_type.clone(),
        response_body: cut(&secret.redact(&exchange.body)),
        error: exchange.problem().map(|e| secret.redact(e)),
    }
}

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
