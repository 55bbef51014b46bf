//! The client's header parsing and error sorting.

use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_next_link_is_found_among_others() {
    let headers = pairs(&[
        (
            "link",
            "<https://o.okta.com/api/v1/users?limit=2>; rel=\"self\"",
        ),
        (
            "link",
            "<https://o.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"",
        ),
    ]);
    assert_eq!(
        next_link(&headers).as_deref(),
        Some("https://o.okta.com/api/v1/users?after=00u2&limit=2")
    );
    let one = pairs(&[(
        "link",
        "<https://o/a?x=1>; rel=\"self\", <https://o/a?after=b>; rel=\"next\"",
    )]);
    assert_eq!(next_link(&one).as_deref(), Some("https://o/a?after=b"));
    let none = pairs(&[("link", "<https://o/a>; rel=\"self\"")]);
    assert_eq!(next_link(&none), None);
}

#[test]
fn the_wait_runs_on_oktas_clock() {
    let headers = pairs(&[("date", "Sun, 29 Nov 2026 12:00:00 GMT")]);
    let at = DateTime::parse_from_rfc2822("Sun, 29 Nov 2026 12:00:00 GMT")
        .unwrap()
        .timestamp();
    let rate = RateLimit {
        limit: Some(10),
        remaining: Some(0),
        reset: Some(at + 7),
    };
    assert_eq!(wait_for_reset(&rate, &headers), Duration::from_secs(7));
    let past = RateLimit {
        reset: Some(at - 50),
        ..rate
    };
    assert_eq!(wait_for_reset(&past, &headers), Duration::from_secs(1));
}

#[test]
fn okta_errors_are_sorted_by_what_to_do() {
    let body = r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"x","errorCauses":[]}"#;
    let err = error_for("GET /api/v1/apps/0oa1".into(), 401, body);
    assert!(matches!(err, OktaError::InvalidToken { .. }));
    let text = err.to_string();
    assert!(
        text.contains("E0000011") && text.contains("SCIMPLAN_OKTA_TOKEN"),
        "{text}"
    );
    let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: password","errorCauses":[{"errorSummary":"password: Password requirements were not met."}]}"#;
    let text = error_for("POST /api/v1/users".into(), 400, body).to_string();
    assert!(
        text.contains("Password requirements were not met"),
        "{text}"
    );
    let err = error_for("GET /x".into(), 502, "<html>bad gateway</html>");
    assert!(
        matches!(err, OktaError::Unexpected { status: 502, .. }),
        "{err:?}"
    );
}
