//! `scimplan status PLAN`: counts per section and outcome; and the plain-text views of a
//! workspace it and `capabilities` print.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure};
use super::open::open;

use crate::plan::text::shorten;
use crate::session::{Outcome, Tally, tally_sections};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The plan workbook.
    pub plan: PathBuf,
}

pub fn run(common: &Common, args: StatusArgs) -> Result<u8, Failure> {
    let ws = open(&args.plan, common)?;
    print!("{}", status_text(&ws));
    Ok(0)
}

pub fn status_text(ws: &Workspace) -> String {
    let plan = &ws.plan;
    let session = ws.session();
    let mut out = String::new();
    let version = ws
        .profile
        .known_version(plan.source_fingerprint())
        .map(|w| format!(", Okta plan {}", w.version))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} (sheet '{}', {} cases{version})",
        plan.source.display(),
        plan.sheet,
        plan.cases.len()
    );
    let _ = writeln!(
        out,
        "Session: {}{}",
        ws.session_path().display(),
        if ws.on_disk() { "" } else { " (new)" }
    );
    let _ = writeln!(
        out,
        "App: {}   Tester: {}",
        session.app_name().unwrap_or("-"),
        session.tester().unwrap_or("-")
    );
    let (sections, total) = tally_sections(&ws.plan, &ws.reqs, session);
    let _ = writeln!(
        out,
        "Progress: {} of {} applicable cases done; {} not applicable\n",
        total.done,
        total.applicable,
        total.cases - total.applicable
    );
    let name_width = sections
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 56);
    let _ = write!(out, "{:<name_width$}  Cases  Apply", "Section");
    for outcome in Outcome::ALL {
        let _ = write!(out, "  {:>7}", outcome.label());
    }
    out.push('\n');
    let row = |out: &mut String, name: &str, tally: &Tally| {
        let _ = write!(
            out,
            "{:<name_width$}  {:>5}  {:>5}",
            shorten(name, name_width),
            tally.cases,
            tally.applicable
        );
        for outcome in Outcome::ALL {
            let _ = write!(out, "  {:>7}", tally.count(outcome));
        }
        out.push('\n');
    };
    for tally in &sections {
        let name = if tally.name.is_empty() {
            "(no section)"
        } else {
            &tally.name
        };
        row(&mut out, name, tally);
    }
    row(&mut out, "Total", &total);
    // Each API suite: its Runscope link, and the latest local run of Okta's file beside it.
    let readiness = crate::report::assess(plan, &ws.reqs, session);
    out.push_str("\nAPI suites:\n");
    for suite in &readiness.suites {
        let _ = writeln!(out, "  {}: {}", suite.name(), suite.describe());
    }
    out
}

pub fn capabilities_text(ws: &Workspace) -> String {
    let session = ws.session();
    let mut out = String::new();
    let key_width = ws
        .reqs
        .capabilities
        .iter()
        .map(|c| c.key.len())
        .max()
        .unwrap_or(10);
    for cap in &ws.reqs.capabilities {
        let governed = ws.reqs.cases_governed(&cap.key);
        let mark = if session.is_supported(&cap.key) {
            "[x]"
        } else {
            "[ ]"
        };
        let _ = writeln!(
            out,
            "{mark} {:<key_width$}  {}  ({governed} case{})",
            cap.key,
            cap.name,
            if governed == 1 { "" } else { "s" }
        );
    }
    if !session.capabilities_confirmed() {
        let _ = writeln!(
            out,
            "\nNot declared yet: every capability counts as supported. Declare with --support KEY... / --unsupport KEY..."
        );
    }
    out
}
