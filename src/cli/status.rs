//! Plain-text views of a workspace for the terminal.

use std::fmt::Write;

use crate::session::Outcome;
use crate::workspace::Workspace;

/// Outcome counts for a set of cases.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub cases: usize,
    pub applicable: usize,
    counts: [usize; 5],
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome, applies: bool) {
        self.cases += 1;
        if applies {
            self.applicable += 1;
        }
        self.counts[outcome as usize] += 1;
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.counts[outcome as usize]
    }
}

/// Per-section tallies in plan order, and the total.
pub fn tallies(ws: &Workspace) -> (Vec<(String, Tally)>, Tally) {
    let session = &ws.store.session;
    let mut total = Tally::default();
    let sections = ws
        .plan
        .sections
        .iter()
        .map(|section| {
            let mut tally = Tally::default();
            for &i in &section.cases {
                let case = &ws.plan.cases[i];
                let outcome = session.outcome(&case.id);
                let applies = session.applies(&ws.reqs, i);
                tally.add(outcome, applies);
                total.add(outcome, applies);
            }
            (section.name.clone(), tally)
        })
        .collect();
    (sections, total)
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

pub fn status_text(ws: &Workspace) -> String {
    let plan = &ws.plan;
    let session = &ws.store.session;
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
        ws.store.path.display(),
        if ws.store.on_disk { "" } else { " (new)" }
    );
    let _ = writeln!(
        out,
        "App: {}   Tester: {}",
        session.app_name.as_deref().unwrap_or("-"),
        session.tester.as_deref().unwrap_or("-")
    );
    let (sections, total) = tallies(ws);
    let applicable_done = ws
        .applicable()
        .filter(|(_, c)| session.outcome(&c.id).is_done())
        .count();
    let _ = writeln!(
        out,
        "Progress: {applicable_done} of {} applicable cases done; {} not applicable\n",
        total.applicable,
        total.cases - total.applicable
    );
    let name_width = sections
        .iter()
        .map(|(n, _)| n.chars().count())
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
    for (name, tally) in &sections {
        row(
            &mut out,
            if name.is_empty() {
                "(no section)"
            } else {
                name
            },
            tally,
        );
    }
    row(&mut out, "Total", &total);
    out
}

pub fn capabilities_text(ws: &Workspace) -> String {
    let session = &ws.store.session;
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
    if !session.capabilities_confirmed {
        let _ = writeln!(
            out,
            "\nNot declared yet: every capability counts as supported. Declare with --support KEY... / --unsupport KEY..."
        );
    }
    out
}
