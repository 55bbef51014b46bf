//! JUnit XML for CI: one test case per verified case or SPEC check.

use super::record::{Verdict, VerifyRun};
use super::spec::{CheckStatus, SpecReport};
// One XML escaper for every JUnit file scimplan writes.
use crate::report::render::xml_escape as escape;

struct TestCase {
    name: String,
    seconds: f64,
    /// `Some(message)` for a failure.
    failure: Option<String>,
    /// An error (the check could not be made) rather than a failure.
    error: bool,
    skipped: bool,
    output: String,
}

fn suite(name: &str, cases: &[TestCase]) -> String {
    let failures = cases
        .iter()
        .filter(|c| c.failure.is_some() && !c.error)
        .count();
    let errors = cases.iter().filter(|c| c.error).count();
    let skipped = cases.iter().filter(|c| c.skipped).count();
    let time: f64 = cases.iter().map(|c| c.seconds).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites><testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.3}\">\n",
        escape(name),
        cases.len()
    ));
    for case in cases {
        xml.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
            escape(name),
            escape(&case.name),
            case.seconds
        ));
        if let Some(message) = &case.failure {
            let tag = if case.error { "error" } else { "failure" };
            xml.push_str(&format!(
                "<{tag} message=\"{}\">{}</{tag}>",
                escape(message),
                escape(&case.output)
            ));
        } else if case.skipped {
            xml.push_str("<skipped/>");
        }
        xml.push_str("</testcase>\n");
    }
    xml.push_str("</testsuite></testsuites>\n");
    xml
}

/// One test case per run.
pub fn runs_xml(runs: &[VerifyRun]) -> String {
    let cases: Vec<TestCase> = runs
        .iter()
        .map(|run| TestCase {
            name: run.case.clone(),
            seconds: run.duration_ms as f64 / 1000.0,
            failure: (run.verdict != Verdict::Pass).then(|| run.summary.clone()),
            error: run.verdict == Verdict::Error,
            skipped: run.verdict == Verdict::Cancelled,
            output: run
                .assertions
                .iter()
                .map(|a| {
                    format!(
                        "[{}] {}: {}: expected {}, got {}",
                        if a.passed { "ok" } else { "FAIL" },
                        a.step,
                        a.check,
                        a.expected,
                        a.actual
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        })
        .collect();
    suite("scimplan verify", &cases)
}

/// One test case per SPEC check; warnings pass.
pub fn spec_xml(report: &SpecReport) -> String {
    let cases: Vec<TestCase> = report
        .checks
        .iter()
        .map(|check| TestCase {
            name: check.name.clone(),
            seconds: check.duration_ms as f64 / 1000.0,
            failure: (check.status == CheckStatus::Fail).then(|| check.detail.join("; ")),
            error: false,
            skipped: false,
            output: check.detail.join("\n"),
        })
        .collect();
    suite("scimplan spec", &cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_messages_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
