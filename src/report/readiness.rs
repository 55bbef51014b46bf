//! Is the submission ready? Okta's rule: skip the cases of features the integration does not
//! support; every other case must pass; and the OIN Wizard wants the SPEC and CRUD API suite
//! results beside the manual plan: the two Runscope links, which only a Runscope run fills (a
//! local run of Okta's file is shown beside each, as a pre-flight). A pure function of plan,
//! requirements and session.

use chrono::{DateTime, Utc};

use crate::plan::Plan;
use crate::plan::profile::Requirements;
use crate::session::{Outcome, Session, SuiteKind, SuiteRun, tally_sections};

#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    pub ready: bool,
    pub plan_file: String,
    pub plan_sheet: String,
    pub fingerprint: String,
    pub app: Option<String>,
    pub tester: Option<String>,
    /// Every applicable case that is not Pass, in plan order.
    pub blockers: Vec<Blocker>,
    /// SPEC then CRUD.
    pub suites: Vec<SuiteStatus>,
    pub sections: Vec<SectionTally>,
    /// Every case of the plan, in plan order.
    pub cases: Vec<CaseStatus>,
    pub total: SectionTally,
    pub capabilities: Vec<CapabilityStatus>,
    pub warnings: Vec<Warning>,
}

/// One case of the plan as the verdict sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseStatus {
    pub id: String,
    pub title: String,
    pub section: String,
    pub outcome: Outcome,
    pub applies: bool,
}

/// An applicable case that keeps the submission from being ready.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    /// Index of the case in `Plan::cases` (the TUI jumps there).
    pub case_index: usize,
    pub id: String,
    pub title: String,
    pub section: String,
    /// One-based row of the case in the workbook.
    pub row: u32,
    pub outcome: Outcome,
    pub note: String,
    pub reason: Option<String>,
}

impl Blocker {
    /// Why the case blocks, in the tester's words.
    pub fn problem(&self) -> &'static str {
        match self.outcome {
            Outcome::NotRun => "not run",
            Outcome::Fail => "failed",
            Outcome::Blocked => "blocked",
            Outcome::Skipped => "skipped although its capability is declared supported",
            Outcome::Pass => "passed",
        }
    }
}

/// What the OIN Wizard gets for one of Okta's API suites: only a recorded Runscope link fills
/// its field; a local run is a pre-flight shown beside it (OKTA_SCIM.md, "The Wizard's two link
/// fields are what Okta requires").
#[derive(Debug, Clone, PartialEq)]
pub enum SuiteEvidence {
    /// A link the tester recorded (Runscope results).
    Link(String),
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SuiteStatus {
    pub suite: SuiteKind,
    pub evidence: SuiteEvidence,
    /// The latest local run of Okta's file for this suite, shown beside the link.
    pub local: Option<SuiteRun>,
}

impl SuiteStatus {
    pub fn satisfied(&self) -> bool {
        matches!(self.evidence, SuiteEvidence::Link(_))
    }

    pub fn name(&self) -> &'static str {
        suite_name(self.suite)
    }

    /// The latest local run, in words: result, when, which file and its SHA-256.
    pub fn describe_local(&self) -> Option<String> {
        let run = self.local.as_ref()?;
        let result = if run.passed {
            format!("passed ({} requests)", run.checks)
        } else {
            format!("FAILED {} of {} requests", run.failures, run.checks)
        };
        let file = match (&run.file, &run.sha256) {
            (Some(file), Some(sha)) => format!(", {file}, SHA-256 {}", short_sha(sha)),
            (Some(file), None) => format!(", {file}"),
            _ => String::new(),
        };
        Some(format!(
            "local run {result} at {} against {}{file}",
            run.at.format("%Y-%m-%d %H:%M UTC"),
            run.target
        ))
    }

    pub fn describe(&self) -> String {
        let key = suite_key(self.suite);
        let local = self.describe_local();
        match (&self.evidence, &self.local) {
            (SuiteEvidence::Link(url), Some(run)) if !run.passed => format!(
                "link recorded: {url}; warning: the latest {}",
                local.unwrap_or_default()
            ),
            (SuiteEvidence::Link(url), _) => match local {
                Some(local) => format!("link recorded: {url} ({local})"),
                None => format!("link recorded: {url}"),
            },
            (SuiteEvidence::Missing, _) => {
                let first = match self.suite {
                    SuiteKind::Spec => {
                        "run Okta's SPEC file locally (`scimplan spec PLAN`, or r in the summary) until it passes, then"
                    }
                    SuiteKind::Crud => {
                        "run Okta's CRUD file locally (`scimplan crud PLAN`, or R in the summary) until it passes, then"
                    }
                };
                let steps = format!(
                    "{first} run Okta's {} file in Runscope and record the results link with `scimplan suites PLAN --{key}-link URL`",
                    self.name()
                );
                match local {
                    Some(local) => format!("missing: {steps} (the {local})"),
                    None => format!("missing: {}", steps.trim_start()),
                }
            }
        }
    }
}

fn short_sha(sha: &str) -> String {
    sha.chars().take(12).collect()
}

pub fn suite_name(suite: SuiteKind) -> &'static str {
    match suite {
        SuiteKind::Spec => "SPEC",
        SuiteKind::Crud => "CRUD",
    }
}

pub fn suite_key(suite: SuiteKind) -> &'static str {
    match suite {
        SuiteKind::Spec => "spec",
        SuiteKind::Crud => "crud",
    }
}

/// Outcome counts of one section (or of the whole plan).
pub use crate::session::Tally as SectionTally;

#[derive(Debug, Clone, PartialEq)]
pub struct CapabilityStatus {
    pub key: String,
    pub name: String,
    pub supported: bool,
    /// How many cases of the plan need it.
    pub cases: usize,
}

/// Something worth a look that does not block the submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// The session keeps a result for a case the plan no longer has.
    OrphanResult { case: String, outcome: Outcome },
    /// A Runscope link is recorded, but the latest local run of Okta's file failed.
    FailingLocalRun {
        suite: SuiteKind,
        at: DateTime<Utc>,
        failures: usize,
        checks: usize,
    },
    /// A case was passed before a precondition case it cites had passed.
    PassBeforePrecondition {
        case: String,
        precondition: String,
        /// When the precondition passed; `None` when it has not passed at all.
        precondition_passed_at: Option<DateTime<Utc>>,
    },
}

impl Warning {
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::OrphanResult { .. } => "orphan-result",
            Warning::FailingLocalRun { .. } => "failing-local-run",
            Warning::PassBeforePrecondition { .. } => "pass-before-precondition",
        }
    }

    pub fn case(&self) -> &str {
        match self {
            Warning::OrphanResult { case, .. } | Warning::PassBeforePrecondition { case, .. } => {
                case
            }
            Warning::FailingLocalRun { suite, .. } => suite_name(*suite),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Warning::OrphanResult { case, outcome } => format!(
                "{case}: a result ({outcome}) is kept for a case that is no longer in the plan"
            ),
            Warning::FailingLocalRun {
                suite,
                at,
                failures,
                checks,
            } => format!(
                "{}: a Runscope link is recorded, but the latest local run of Okta's file failed {failures} of {checks} requests ({}): check that the linked Runscope run really passed",
                suite_name(*suite),
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            Warning::PassBeforePrecondition {
                case,
                precondition,
                precondition_passed_at: Some(at),
            } => format!(
                "{case}: passed before its precondition {precondition} passed ({}); check it again",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            Warning::PassBeforePrecondition {
                case, precondition, ..
            } => format!("{case}: passed although its precondition {precondition} has not passed"),
        }
    }
}

/// Assesses whether the submission is ready. Pure: reads the three inputs, changes nothing.
pub fn assess(plan: &Plan, reqs: &Requirements, session: &Session) -> Readiness {
    let mut blockers = Vec::new();
    let (sections, total) = tally_sections(plan, reqs, session);
    let mut cases = Vec::with_capacity(plan.cases.len());
    for (index, case) in plan.cases.iter().enumerate() {
        let outcome = session.outcome(&case.id);
        cases.push(CaseStatus {
            id: case.id.clone(),
            title: case.title.clone(),
            section: case.section.clone(),
            outcome,
            applies: session.applies(reqs, index),
        });
        if outcome != Outcome::Pass && session.applies(reqs, index) {
            let result = session.result(&case.id);
            blockers.push(Blocker {
                case_index: index,
                id: case.id.clone(),
                title: case.title.clone(),
                section: case.section.clone(),
                row: case.row,
                outcome,
                note: result.map(|r| r.note.clone()).unwrap_or_default(),
                reason: result.and_then(|r| r.reason.clone()),
            });
        }
    }

    let capabilities = reqs
        .relevant()
        .map(|c| CapabilityStatus {
            key: c.key.clone(),
            name: c.name.clone(),
            supported: session.is_supported(&c.key),
            cases: reqs.cases_governed(&c.key),
        })
        .collect();

    let suites = suite_statuses(session);
    let ready = blockers.is_empty() && suites.iter().all(SuiteStatus::satisfied);
    let warnings = {
        let mut warnings = warnings(plan, reqs, session);
        for suite in &suites {
            if let (SuiteEvidence::Link(_), Some(run)) = (&suite.evidence, &suite.local)
                && !run.passed
            {
                warnings.push(Warning::FailingLocalRun {
                    suite: suite.suite,
                    at: run.at,
                    failures: run.failures,
                    checks: run.checks,
                });
            }
        }
        warnings
    };
    Readiness {
        ready,
        plan_file: plan.file_name(),
        plan_sheet: plan.sheet.clone(),
        fingerprint: plan.fingerprint.clone(),
        app: session.app_name().map(str::to_string),
        tester: session.tester().map(str::to_string),
        blockers,
        suites,
        sections,
        cases,
        total,
        capabilities,
        warnings,
    }
}

fn suite_statuses(session: &Session) -> Vec<SuiteStatus> {
    let status = |suite: SuiteKind, link: &Option<String>| {
        let link = link.as_deref().map(str::trim).filter(|l| !l.is_empty());
        SuiteStatus {
            suite,
            evidence: match link {
                Some(url) => SuiteEvidence::Link(url.to_string()),
                None => SuiteEvidence::Missing,
            },
            local: session.latest_suite_run(suite).cloned(),
        }
    };
    vec![
        status(SuiteKind::Spec, &session.suites().spec),
        status(SuiteKind::Crud, &session.suites().crud),
    ]
}

fn warnings(plan: &Plan, reqs: &Requirements, session: &Session) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (index, case) in plan.cases.iter().enumerate() {
        let Some(result) = session.result(&case.id) else {
            continue;
        };
        if result.outcome != Outcome::Pass || !session.applies(reqs, index) {
            continue;
        }
        for precondition in &case.refs {
            let Some(pre_index) = plan.case_index(precondition) else {
                continue;
            };
            // A precondition of an unsupported feature is skipped by design.
            if !session.applies(reqs, pre_index) {
                continue;
            }
            let pre = session.result(precondition);
            let passed_at = pre
                .filter(|r| r.outcome == Outcome::Pass)
                .map(|r| r.updated_at);
            let warn = match (passed_at, result.updated_at) {
                (None, _) => true,
                (Some(Some(pre_at)), Some(case_at)) => pre_at > case_at,
                _ => false,
            };
            if warn {
                warnings.push(Warning::PassBeforePrecondition {
                    case: case.id.clone(),
                    precondition: precondition.clone(),
                    precondition_passed_at: passed_at.flatten(),
                });
            }
        }
    }
    for (id, result) in session.results() {
        if !plan.contains(id) && !result.is_blank() {
            warnings.push(Warning::OrphanResult {
                case: id.clone(),
                outcome: result.outcome,
            });
        }
    }
    warnings
}
