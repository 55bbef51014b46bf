//! JUnit XML, the one writer for every JUnit file scimplan produces: the readiness summary (a
//! suite per plan section plus the API suites), case verification runs, SPEC and CRUD runs.

use std::fmt::Write as _;

use super::readiness::Readiness;
use super::render::{outcome_key, section_label};
use crate::session::{
    CheckStatus, CleanUp, CrudReport, FileRun, Outcome, SpecReport, StepRecord, StepStatus,
    Verdict, VerifyRun,
};

/// What became of one test case.
enum Result {
    Passed,
    Skipped(String),
    /// `<failure>` (a check that did not hold) or `<error>` (one that could not be made).
    Failed {
        error: bool,
        kind: String,
        message: String,
        detail: String,
    },
}

struct TestCase {
    class: String,
    name: String,
    seconds: Option<f64>,
    result: Result,
}

struct TestSuite {
    name: String,
    cases: Vec<TestCase>,
}

impl TestSuite {
    fn count(&self, wanted: fn(&Result) -> bool) -> usize {
        self.cases.iter().filter(|c| wanted(&c.result)).count()
    }

    fn failures(&self) -> usize {
        self.count(|r| matches!(r, Result::Failed { error: false, .. }))
    }

    fn errors(&self) -> usize {
        self.count(|r| matches!(r, Result::Failed { error: true, .. }))
    }

    fn skipped(&self) -> usize {
        self.count(|r| matches!(r, Result::Skipped(_)))
    }
}

fn write(name: &str, suites: &[TestSuite]) -> String {
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(TestSuite::failures).sum();
    let errors: usize = suites.iter().map(TestSuite::errors).sum();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n",
        escape(name)
    );
    for suite in suites {
        let time: Option<f64> = suite.cases.iter().map(|c| c.seconds).sum();
        let _ = write!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            escape(&suite.name),
            suite.cases.len(),
            suite.failures(),
            suite.errors(),
            suite.skipped()
        );
        if let Some(time) = time {
            let _ = write!(xml, " time=\"{time:.3}\"");
        }
        xml.push_str(">\n");
        for case in &suite.cases {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(&case.class),
                escape(&case.name)
            );
            if let Some(seconds) = case.seconds {
                let _ = write!(xml, " time=\"{seconds:.3}\"");
            }
            match &case.result {
                Result::Passed => xml.push_str("/>\n"),
                Result::Skipped(message) => {
                    let _ = writeln!(
                        xml,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(message)
                    );
                }
                Result::Failed {
                    error,
                    kind,
                    message,
                    detail,
                } => {
                    let tag = if *error { "error" } else { "failure" };
                    let _ = writeln!(
                        xml,
                        ">\n      <{tag} type=\"{}\" message=\"{}\">{}</{tag}>\n    </testcase>",
                        escape(kind),
                        escape(message),
                        escape(detail)
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// Escapes text for an XML attribute or element; drops characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// The readiness summary: one suite per plan section with every case, plus the API suites.
/// Blockers are failures (Blocked ones errors); cases of unsupported features are skipped.
pub fn readiness(r: &Readiness) -> String {
    let blocker_of = |id: &str| r.blockers.iter().find(|b| b.id == id);
    let mut suites: Vec<TestSuite> = r
        .sections
        .iter()
        .map(|section| TestSuite {
            name: section_label(&section.name).to_string(),
            cases: r
                .cases
                .iter()
                .filter(|c| c.section == section.name)
                .map(|case| TestCase {
                    class: section_label(&section.name).to_string(),
                    name: format!("{} {}", case.id, case.title),
                    seconds: None,
                    result: match (case.applies, blocker_of(&case.id)) {
                        (false, _) => Result::Skipped("capability not supported".into()),
                        (true, None) => Result::Passed,
                        (true, Some(b)) => Result::Failed {
                            error: b.outcome == Outcome::Blocked,
                            kind: outcome_key(b.outcome).to_string(),
                            message: format!("{} {}", b.id, b.problem()),
                            detail: match &b.reason {
                                Some(reason) => format!("Reason: {reason}\n{}", b.note),
                                None => b.note.clone(),
                            }
                            .trim()
                            .to_string(),
                        },
                    },
                })
                .collect(),
        })
        .collect();
    suites.push(TestSuite {
        name: "API suites".into(),
        cases: r
            .suites
            .iter()
            .map(|s| TestCase {
                class: "API suites".into(),
                name: format!("{} suite", s.name()),
                seconds: None,
                result: if s.satisfied() {
                    Result::Passed
                } else {
                    Result::Failed {
                        error: false,
                        kind: "missing".into(),
                        message: s.describe(),
                        detail: String::new(),
                    }
                },
            })
            .collect(),
    });
    write(&format!("scimplan {}", r.plan_file), &suites)
}

/// One test case per verification run.
pub fn runs(runs: &[VerifyRun]) -> String {
    let cases = runs
        .iter()
        .map(|run| TestCase {
            class: "scimplan verify".into(),
            name: run.case.clone(),
            seconds: Some(run.duration_ms as f64 / 1000.0),
            result: match run.verdict {
                Verdict::Pass => Result::Passed,
                Verdict::Cancelled => Result::Skipped(run.summary.clone()),
                Verdict::Fail | Verdict::Error => Result::Failed {
                    error: run.verdict == Verdict::Error,
                    kind: run.verdict.label().to_lowercase(),
                    message: run.summary.clone(),
                    detail: run
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
                },
            },
        })
        .collect();
    let suite = TestSuite {
        name: "scimplan verify".into(),
        cases,
    };
    write("scimplan verify", &[suite])
}

/// One test case per SPEC check; warnings pass.
pub fn spec(report: &SpecReport) -> String {
    let mut suites: Vec<TestSuite> = report
        .file
        .iter()
        .chain(report.entitlements.iter())
        .map(file_suite)
        .collect();
    // Reported apart and never part of Okta's verdict: problems are skipped cases, not failures.
    let extra = report
        .checks
        .iter()
        .map(|check| TestCase {
            class: "beyond the SPEC file".into(),
            name: check.name.clone(),
            seconds: Some(check.duration_ms as f64 / 1000.0),
            result: if check.status == CheckStatus::Pass {
                Result::Passed
            } else {
                Result::Skipped(format!(
                    "not part of Okta's verdict: {}",
                    check.detail.join("; ")
                ))
            },
        })
        .collect();
    suites.push(TestSuite {
        name: "what Okta's provisioning relies on beyond the SPEC file".into(),
        cases: extra,
    });
    write("scimplan spec", &suites)
}

/// One test case per CRUD step, then the clean-up of the Okta user (an error when it failed:
/// the tester must remove the user by hand).
pub fn crud(report: &CrudReport) -> String {
    let mut suite = file_suite(&report.run);
    suite.cases.push(TestCase {
        class: "clean-up".into(),
        name: format!("remove the Okta user {}", report.okta_user),
        seconds: None,
        result: match &report.cleanup {
            CleanUp::Failed { .. } => Result::Failed {
                error: true,
                kind: "clean-up failed".into(),
                message: report.cleanup_line(),
                detail: report.cleanup_line(),
            },
            _ => Result::Passed,
        },
    });
    write("scimplan crud", &[suite])
}

/// A Runscope file's run: one test case per request step.
fn file_suite(run: &FileRun) -> TestSuite {
    let class = run.file.name.clone();
    let cases = run
        .requests()
        .map(|step| TestCase {
            class: class.clone(),
            name: step.title(),
            seconds: Some(step.duration_ms as f64 / 1000.0),
            result: step_result(step),
        })
        .collect();
    TestSuite {
        name: format!("{} against {}", run.file.name, run.target),
        cases,
    }
}

fn step_result(step: &StepRecord) -> Result {
    let why = || step.what_failed();
    match step.status {
        StepStatus::Pass | StepStatus::Pause => Result::Passed,
        StepStatus::Skipped => Result::Skipped("skipped in the file".into()),
        // Okta: an Optional step's failure is a warning, not a failure of the file.
        StepStatus::Warn => Result::Skipped(format!(
            "optional step failed (a warning): {}",
            why().join("; ")
        )),
        StepStatus::Fail => Result::Failed {
            error: false,
            kind: "fail".into(),
            message: why().first().cloned().unwrap_or_default(),
            detail: why().join("\n"),
        },
        StepStatus::NotRun => Result::Failed {
            error: true,
            kind: "not run".into(),
            message: why().first().cloned().unwrap_or_default(),
            detail: why().join("\n"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_messages_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
