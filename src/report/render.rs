//! The readiness verdict as text (terminal, TUI), Markdown (a ticket), JSON (scripts) and
//! JUnit XML (CI dashboards).
//!
//! JSON shape, schema version 1 (fields are only ever added within a version):
//! ```text
//! { "schema_version": 1, "ready": bool,
//!   "plan": { "file", "sheet", "fingerprint" }, "app": str|null, "tester": str|null,
//!   "integration": { "kind": "scim"|"actions", "source": "plan"|"declared"|"default",
//!                    "plan_version": str|null, "entitlements": bool,
//!                    "entitlement_endpoints": [str], "detail": str },
//!   "blockers": [ { "id", "title", "section", "row", "outcome", "problem", "note", "reason" } ],
//!   "suites": [ { "suite": "spec"|"crud"|"entitlements", "satisfied": bool,
//!                 "evidence": "link"|"invalid-link"|"missing",
//!                 "link": str|null, "run": { "at", "target", "passed", "checks", "failures",
//!                 "file", "sha256" }|null,
//!                 "hosted": { "result": "pass"|"fail"|"canceled"|"unfinished", "at", "page",
//!                             "bucket", "test", "run", "requests", "assertions_passed",
//!                             "assertions_failed", "linked": bool }|null,
//!                 "detail": str } ],
//!   "own_items": [str],
//!   "sections": [ { "name", "cases", "applicable", "not_run", "pass", "fail", "blocked", "skipped" } ],
//!   "total": { same as a section, "name": "Total" },
//!   "capabilities": [ { "key", "name", "supported", "cases" } ],
//!   "warnings": [ { "kind": "orphan-result"|"pass-before-precondition"|"failing-local-run"
//!                   |"kind-not-as-declared"|"later-hosted-run-failed", "case", "message" } ] }
//! ```
//! `suites` lists what the OIN Wizard asks for: SPEC and CRUD for a SCIM integration, plus
//! Entitlements when Entitlement Management is declared; none for one built with API
//! integration actions (its "Validate flows" is in `own_items`).
//! `outcome` is one of "not-run", "pass", "fail", "blocked", "skipped".

use std::fmt::Write;

use serde_json::{Value, json};

use super::readiness::{KindSource, Readiness, SectionTally, SuiteEvidence, counted, suite_key};
use crate::session::Outcome;

pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    Text,
    Markdown,
    Json,
    Junit,
}

impl SummaryFormat {
    pub fn parse(text: &str) -> Option<SummaryFormat> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => SummaryFormat::Text,
            "markdown" | "md" => SummaryFormat::Markdown,
            "json" => SummaryFormat::Json,
            "junit" | "xml" => SummaryFormat::Junit,
            _ => return None,
        })
    }
}

pub fn render(readiness: &Readiness, format: SummaryFormat) -> String {
    match format {
        SummaryFormat::Text => text(readiness),
        SummaryFormat::Markdown => markdown(readiness),
        SummaryFormat::Json => {
            let mut out = serde_json::to_string_pretty(&json_value(readiness))
                .expect("a JSON value always serializes");
            out.push('\n');
            out
        }
        SummaryFormat::Junit => super::junit::readiness(readiness),
    }
}

fn verdict_line(r: &Readiness) -> String {
    if r.ready {
        let names: Vec<&str> = r.suites.iter().map(|s| s.name()).collect();
        let verdict = r.verdict();
        match names.as_slice() {
            [] => format!(
                "{verdict}: every applicable case passed (no Runscope result is asked of this kind of integration)."
            ),
            [one] => {
                format!("{verdict}: every applicable case passed and the {one} result is recorded.")
            }
            [first @ .., last] => format!(
                "{verdict}: every applicable case passed and the {} and {last} results are recorded.",
                first.join(", ")
            ),
        }
    } else {
        format!("{}.", r.verdict())
    }
}

pub(super) fn section_label(name: &str) -> &str {
    if name.is_empty() {
        "(no section)"
    } else {
        name
    }
}

/// The plain-text summary the CLI prints and the TUI summary screen shows.
pub fn text(r: &Readiness) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", verdict_line(r));
    let _ = writeln!(
        out,
        "Plan: {} (sheet '{}')   App: {}   Tester: {}",
        r.plan_file,
        r.plan_sheet,
        r.app.as_deref().unwrap_or("-"),
        r.tester.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "Integration: {}", r.integration.describe());
    if !r.blockers.is_empty() {
        let _ = writeln!(out, "\nBlocking cases:");
        for b in &r.blockers {
            let _ = writeln!(
                out,
                "  {} {} [{}] row {}: {}",
                b.id,
                b.title,
                section_label(&b.section),
                b.row,
                b.problem()
            );
            if let Some(reason) = &b.reason {
                let _ = writeln!(out, "      reason: {reason}");
            }
            if !b.note.trim().is_empty() {
                let first = b.note.lines().next().unwrap_or("");
                let more = if b.note.lines().count() > 1 {
                    " …"
                } else {
                    ""
                };
                let _ = writeln!(out, "      note: {first}{more}");
            }
        }
    }
    let _ = writeln!(out, "\nAPI suites:");
    if r.suites.is_empty() {
        let _ = writeln!(out, "  none asked of {}", r.integration.kind.describe());
    }
    for s in &r.suites {
        let mark = if s.satisfied() { "ok" } else { "!!" };
        let _ = writeln!(out, "  [{mark}] {}: {}", s.name(), s.describe());
        if let Some(run) = s.hosted.as_ref() {
            for failure in run.failures.iter().take(5) {
                let _ = writeln!(
                    out,
                    "        ✗ {}: {}",
                    failure.step,
                    failure.problems.join("; ")
                );
            }
        }
    }
    if !r.own_items.is_empty() {
        let _ = writeln!(out, "\nYour own items (scimplan cannot check them):");
        for item in &r.own_items {
            let _ = writeln!(out, "  [ ] {item}");
        }
    }
    let width = r
        .sections
        .iter()
        .map(|s| section_label(&s.name).chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 56);
    let _ = write!(out, "\n{:<width$}  Cases  Apply", "Section");
    for outcome in Outcome::ALL {
        let _ = write!(out, "  {:>7}", outcome.label());
    }
    out.push('\n');
    for tally in r.sections.iter().chain(std::iter::once(&r.total)) {
        let name: String = section_label(&tally.name).chars().take(width).collect();
        let _ = write!(
            out,
            "{name:<width$}  {:>5}  {:>5}",
            tally.cases, tally.applicable
        );
        for outcome in Outcome::ALL {
            let _ = write!(out, "  {:>7}", tally.count(outcome));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nCapabilities:");
    for c in &r.capabilities {
        let mark = if c.supported { "[x]" } else { "[ ]" };
        let _ = writeln!(
            out,
            "  {mark} {} ({})",
            c.name,
            counted(c.cases, "case", "cases")
        );
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings (not blocking):");
        for w in &r.warnings {
            let _ = writeln!(out, "  {}", w.describe());
        }
    }
    out
}

/// Escapes text for a Markdown table cell: pipes, newlines and HTML-significant characters.
fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

pub fn markdown(r: &Readiness) -> String {
    let mut out = String::new();
    let title = r.app.as_deref().unwrap_or("SCIM integration");
    let _ = writeln!(out, "## Okta OIN SCIM test plan: {}\n", md_cell(title));
    let _ = writeln!(out, "**{}**\n", verdict_line(r));
    let _ = writeln!(
        out,
        "- Plan: `{}` (sheet '{}'), SHA-256 `{}`",
        r.plan_file, r.plan_sheet, r.fingerprint
    );
    let _ = writeln!(out, "- App: {}", md_cell(r.app.as_deref().unwrap_or("-")));
    let _ = writeln!(
        out,
        "- Tester: {}",
        md_cell(r.tester.as_deref().unwrap_or("-"))
    );
    let _ = writeln!(out, "- Integration: {}", md_cell(&r.integration.describe()));
    if !r.blockers.is_empty() {
        let _ = writeln!(out, "\n### Blocking cases\n");
        let _ = writeln!(out, "| ID | Title | Section | Problem | Note |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for b in &r.blockers {
            let note = match (&b.reason, b.note.trim()) {
                (Some(reason), "") => format!("Reason: {reason}"),
                (Some(reason), note) => format!("Reason: {reason}\n{note}"),
                (None, note) => note.to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md_cell(&b.id),
                md_cell(&b.title),
                md_cell(section_label(&b.section)),
                b.problem(),
                md_cell(&note)
            );
        }
    }
    let _ = writeln!(out, "\n### API suites\n");
    if r.suites.is_empty() {
        let _ = writeln!(out, "None asked of {}.", r.integration.kind.describe());
    }
    for s in &r.suites {
        let mark = if s.satisfied() { "x" } else { " " };
        let _ = writeln!(out, "- [{mark}] {}: {}", s.name(), md_cell(&s.describe()));
    }
    if !r.own_items.is_empty() {
        let _ = writeln!(out, "\n### Your own items\n");
        for item in &r.own_items {
            let _ = writeln!(out, "- [ ] {}", md_cell(item));
        }
    }
    let _ = writeln!(out, "\n### Sections\n");
    let mut header = String::from("| Section | Cases | Applicable |");
    let mut rule = String::from("| --- | ---: | ---: |");
    for outcome in Outcome::ALL {
        let _ = write!(header, " {} |", outcome.label());
        rule.push_str(" ---: |");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for tally in r.sections.iter().chain(std::iter::once(&r.total)) {
        let _ = write!(
            out,
            "| {} | {} | {} |",
            md_cell(section_label(&tally.name)),
            tally.cases,
            tally.applicable
        );
        for outcome in Outcome::ALL {
            let _ = write!(out, " {} |", tally.count(outcome));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n### Capabilities\n");
    for c in &r.capabilities {
        let mark = if c.supported { "x" } else { " " };
        let _ = writeln!(
            out,
            "- [{mark}] {} ({})",
            md_cell(&c.name),
            counted(c.cases, "case", "cases")
        );
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "\n### Warnings (not blocking)\n");
        for w in &r.warnings {
            let _ = writeln!(out, "- {}", md_cell(&w.describe()));
        }
    }
    out
}

pub(super) fn outcome_key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NotRun => "not-run",
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Blocked => "blocked",
        Outcome::Skipped => "skipped",
    }
}

fn tally_json(t: &SectionTally) -> Value {
    json!({
        "name": t.name,
        "cases": t.cases,
        "applicable": t.applicable,
        "not_run": t.count(Outcome::NotRun),
        "pass": t.count(Outcome::Pass),
        "fail": t.count(Outcome::Fail),
        "blocked": t.count(Outcome::Blocked),
        "skipped": t.count(Outcome::Skipped),
    })
}

pub fn json_value(r: &Readiness) -> Value {
    let blockers: Vec<Value> = r
        .blockers
        .iter()
        .map(|b| {
            json!({
                "id": b.id, "title": b.title, "section": b.section, "row": b.row,
                "outcome": outcome_key(b.outcome), "problem": b.problem(),
                "note": b.note, "reason": b.reason,
            })
        })
        .collect();
    let suites: Vec<Value> = r
        .suites
        .iter()
        .map(|s| {
            let (kind, link) = match &s.evidence {
                SuiteEvidence::Link(url) => ("link", Some(url.clone())),
                SuiteEvidence::Invalid { link, .. } => ("invalid-link", Some(link.clone())),
                SuiteEvidence::Missing => ("missing", None),
            };
            let run = s.local.as_ref();
            let linked = s.linked_run().is_some();
            let hosted = s.hosted.as_ref().map(|h| {
                json!({
                    "result": h.result, "at": h.at.to_rfc3339(), "page": h.page,
                    "bucket": h.bucket, "test": h.test_id, "run": h.run_id,
                    "requests": h.requests, "assertions_passed": h.assertions_passed,
                    "assertions_failed": h.assertions_failed, "linked": linked,
                })
            });
            json!({
                "suite": suite_key(s.suite),
                "satisfied": s.satisfied(),
                "evidence": kind,
                "link": link,
                "run": run.map(|run| json!({
                    "at": run.at.to_rfc3339(), "target": run.target, "passed": run.passed,
                    "checks": run.checks, "failures": run.failures,
                    "file": run.file, "sha256": run.sha256,
                })),
                "hosted": hosted,
                "detail": s.describe(),
            })
        })
        .collect();
    json!({
        "schema_version": JSON_SCHEMA_VERSION,
        "ready": r.ready,
        "plan": { "file": r.plan_file, "sheet": r.plan_sheet, "fingerprint": r.fingerprint },
        "app": r.app,
        "tester": r.tester,
        "integration": {
            "kind": r.integration.kind.key(),
            "source": match &r.integration.source {
                KindSource::Plan(_) => "plan",
                KindSource::Declared => "declared",
                KindSource::Default => "default",
            },
            "plan_version": match &r.integration.source {
                KindSource::Plan(version) => Some(version.clone()),
                _ => None,
            },
            "entitlements": r.integration.entitlements,
            "entitlement_endpoints": r.integration.entitlement_endpoints,
            "detail": r.integration.describe(),
        },
        "blockers": blockers,
        "suites": suites,
        "own_items": r.own_items,
        "sections": r.sections.iter().map(tally_json).collect::<Vec<_>>(),
        "total": tally_json(&r.total),
        "capabilities": r.capabilities.iter().map(|c| json!({
            "key": c.key, "name": c.name, "supported": c.supported, "cases": c.cases,
        })).collect::<Vec<_>>(),
        "warnings": r.warnings.iter().map(|w| json!({
            "kind": w.kind(), "case": w.case(), "message": w.describe(),
        })).collect::<Vec<_>>(),
    })
}
