//! Is the submission ready? Okta's rule: skip the cases of features the integration does not
//! support; every other case must pass; and the OIN Wizard wants what the kind of integration
//! calls for beside the manual plan. A SCIM integration: the SPEC and CRUD Runscope result
//! links (and the Entitlements one when it declares entitlement management), which only a
//! Runscope run fills (a local run of Okta's file is shown beside each, as a pre-flight; a
//! hosted run scimplan started, beside the link it recorded). An integration built with API
//! integration actions: no link; the Wizard's "Validate flows" is the tester's own item. A pure
//! function of plan, requirements and session.

use chrono::{DateTime, Utc};

use crate::plan::Plan;
use crate::plan::profile::{IntegrationKind, Requirements};
use crate::session::{
    HostedResult, HostedRun, Outcome, Session, SuiteKind, SuiteRun, check_result_link,
    tally_sections,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    pub ready: bool,
    pub plan_file: String,
    pub plan_sheet: String,
    pub fingerprint: String,
    pub app: Option<String>,
    pub tester: Option<String>,
    /// What the integration is, and who says so.
    pub integration: Integration,
    /// Every applicable case that is not Pass, in plan order.
    pub blockers: Vec<Blocker>,
    /// The suites whose links the OIN Wizard asks for, in its order (SPEC, CRUD, Entitlements);
    /// none for an integration built with API integration actions.
    pub suites: Vec<SuiteStatus>,
    /// What the Wizard checks that scimplan cannot (not blocking): the tester's own items.
    pub own_items: Vec<String>,
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

/// The kind of integration readiness judges, and where that came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    pub kind: IntegrationKind,
    pub source: KindSource,
    /// Entitlement Management is declared: the Wizard asks for the Entitlements link too.
    pub entitlements: bool,
    /// The entitlement endpoints declared (`/Roles`...).
    pub entitlement_endpoints: Vec<String>,
}

/// Who says what kind of integration it is.
#[derive(Debug, Clone, PartialEq)]
pub enum KindSource {
    /// The plan is one of Okta's workbooks, by its SHA-256 (`plans/okta-scim.toml`): its version.
    Plan(String),
    /// The tester declared it (`scimplan suites PLAN --integration KIND`).
    Declared,
    /// Nothing says otherwise: a SCIM integration.
    Default,
}

impl Integration {
    /// `a SCIM integration (Okta's v2 plan)`.
    pub fn describe(&self) -> String {
        let source = match &self.source {
            KindSource::Plan(version) => format!("Okta's {version} plan"),
            KindSource::Declared => "declared".into(),
            KindSource::Default => "not declared".into(),
        };
        let entitlements = if self.entitlements {
            ", with entitlement management"
        } else {
            ""
        };
        format!("{}{entitlements} ({source})", self.kind.describe())
    }
}

/// What the OIN Wizard gets for one of Okta's API suites: only a recorded Runscope result link
/// it accepts fills its field; a local run is a pre-flight shown beside it (OKTA_SCIM.md, "The
/// Wizard's link fields are what Okta requires").
#[derive(Debug, Clone, PartialEq)]
pub enum SuiteEvidence {
    /// A link to a Runscope result page.
    Link(String),
    /// A link is recorded that Okta would not accept (a session from before links were checked,
    /// or edited by hand): why.
    Invalid {
        link: String,
        why: String,
    },
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SuiteStatus {
    pub suite: SuiteKind,
    pub evidence: SuiteEvidence,
    /// The latest local run of Okta's file for this suite, shown beside the link.
    pub local: Option<SuiteRun>,
    /// The hosted run whose result page is the recorded link (scimplan recorded it itself),
    /// else the latest hosted run, when it did not give the link (failed, or not shared yet).
    pub hosted: Option<HostedRun>,
}

impl SuiteStatus {
    pub fn satisfied(&self) -> bool {
        matches!(self.evidence, SuiteEvidence::Link(_))
    }

    /// The hosted run behind the recorded link, when scimplan recorded it.
    pub fn linked_run(&self) -> Option<&HostedRun> {
        match &self.evidence {
            SuiteEvidence::Link(url) => self.hosted.as_ref().filter(|r| r.page == *url),
            _ => None,
        }
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
        let hosted = self.hosted.as_ref().map(|run| {
            let page = match self.linked_run() {
                Some(_) => String::new(),
                None => format!(", {}", run.page),
            };
            format!("{}{page}", run.describe())
        });
        let beside: Vec<String> = hosted.iter().chain(local.iter()).cloned().collect();
        let beside = match beside.is_empty() {
            true => String::new(),
            false => format!(" ({})", beside.join("; ")),
        };
        match (&self.evidence, &self.local) {
            (SuiteEvidence::Link(url), Some(run)) if !run.passed && self.linked_run().is_none() => {
                format!(
                    "link recorded: {url}; warning: the latest {}",
                    local.unwrap_or_default()
                )
            }
            (SuiteEvidence::Link(url), _) => format!("link recorded: {url}{beside}"),
            (SuiteEvidence::Invalid { why, .. }, _) => format!(
                "the recorded link is not one Okta accepts: {why} Record the result page with `scimplan suites PLAN --{key}-link URL`, or run `scimplan runscope PLAN --suite {key}`{beside}"
            ),
            (SuiteEvidence::Missing, _) => {
                let first = match self.suite {
                    SuiteKind::Spec => {
                        "run Okta's SPEC file locally (`scimplan spec PLAN`, or r in the summary) until it passes, then"
                    }
                    SuiteKind::Crud => {
                        "run Okta's CRUD file locally (`scimplan crud PLAN`, or R in the summary) until it passes, then"
                    }
                    SuiteKind::Entitlements => {
                        "run Okta's Entitlements file locally per entitlement endpoint (`scimplan spec PLAN --entitlement-endpoint /Roles`) until it passes, then"
                    }
                };
                let steps = format!(
                    "{first} run it in BlazeMeter API Monitoring with `scimplan runscope PLAN --suite {key}` (or run Okta's {} file in Runscope yourself and record the result page with `scimplan suites PLAN --{key}-link URL`)",
                    self.name()
                );
                format!("missing: {steps}{beside}")
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
        SuiteKind::Entitlements => "Entitlements",
    }
}

pub fn suite_key(suite: SuiteKind) -> &'static str {
    suite.key()
}

/// The tester's own item for an integration built with API integration actions.
pub const VALIDATE_FLOWS: &str = "Validate flows: in the OIN Wizard, run \"Validate flows\" on the integration's API integration actions (Okta checks the flows there; there is no Runscope run for this kind of integration).";

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
    /// The tester declared another kind of integration than the plan is for: the plan decides.
    KindNotAsDeclared {
        declared: IntegrationKind,
        plan: IntegrationKind,
        version: String,
    },
    /// A link is recorded, but a hosted run of the suite after it did not pass.
    LaterHostedRunFailed {
        suite: SuiteKind,
        at: DateTime<Utc>,
        page: String,
    },
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
            Warning::KindNotAsDeclared { .. } => "kind-not-as-declared",
            Warning::LaterHostedRunFailed { .. } => "later-hosted-run-failed",
            Warning::PassBeforePrecondition { .. } => "pass-before-precondition",
        }
    }

    pub fn case(&self) -> &str {
        match self {
            Warning::OrphanResult { case, .. } | Warning::PassBeforePrecondition { case, .. } => {
                case
            }
            Warning::FailingLocalRun { suite, .. } => suite_name(*suite),
            Warning::KindNotAsDeclared { .. } => "integration",
            Warning::LaterHostedRunFailed { suite, .. } => suite_name(*suite),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Warning::KindNotAsDeclared {
                declared,
                plan,
                version,
            } => format!(
                "the integration is declared {}, but Okta's {version} plan is for {}: readiness follows the plan (`scimplan suites PLAN --integration {}` declares it so)",
                declared.describe(),
                plan.describe(),
                plan.key()
            ),
            Warning::LaterHostedRunFailed { suite, at, page } => format!(
                "{}: a link is recorded, but a later hosted run did not pass ({}, {page}): check that the app still passes before submitting",
                suite_name(*suite),
                at.format("%Y-%m-%d %H:%M UTC")
            ),
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

/// `n` and the noun, singular for one: "1 case", "2 cases".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Readiness {
    /// API suite results the OIN Wizard asks for that are not recorded yet.
    pub fn missing_suites(&self) -> usize {
        self.suites.iter().filter(|s| !s.satisfied()).count()
    }

    /// The verdict in one sentence, the same words wherever it is shown (the CLI's summary,
    /// the checklist's summary screen, the reports and the workbook's Summary sheet):
    /// "READY to submit" or "NOT READY: 61 blocking cases and 2 missing API suite results".
    pub fn verdict(&self) -> String {
        if self.ready {
            "READY to submit".into()
        } else {
            format!(
                "NOT READY: {} and {}",
                counted(self.blockers.len(), "blocking case", "blocking cases"),
                counted(
                    self.missing_suites(),
                    "missing API suite result",
                    "missing API suite results"
                )
            )
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

    let integration = integration(reqs, session);
    let suites = suite_statuses(session, &integration);
    let own_items = match integration.kind {
        IntegrationKind::Actions => vec![VALIDATE_FLOWS.to_string()],
        IntegrationKind::Scim => Vec::new(),
    };
    let ready = blockers.is_empty() && suites.iter().all(SuiteStatus::satisfied);
    let warnings = {
        let mut warnings = warnings(plan, reqs, session);
        if let (Some(declared), KindSource::Plan(version)) =
            (session.declarations().integration, &integration.source)
            && declared != integration.kind
        {
            warnings.push(Warning::KindNotAsDeclared {
                declared,
                plan: integration.kind,
                version: version.clone(),
            });
        }
        for suite in &suites {
            if let (SuiteEvidence::Link(_), Some(latest)) =
                (&suite.evidence, session.hosted().latest(suite.suite))
                && latest.result != HostedResult::Pass
                && suite
                    .linked_run()
                    .is_some_and(|linked| linked.at < latest.at)
            {
                warnings.push(Warning::LaterHostedRunFailed {
                    suite: suite.suite,
                    at: latest.at,
                    page: latest.page.clone(),
                });
            }
            // A hosted run scimplan recorded the link from says more than a local run.
            if let (SuiteEvidence::Link(_), Some(run), None) =
                (&suite.evidence, &suite.local, suite.linked_run())
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
        integration,
        blockers,
        suites,
        own_items,
        sections,
        cases,
        total,
        capabilities,
        warnings,
    }
}

/// The kind of integration: the plan's, when the profile knows the workbook; else the tester's
/// declaration; else SCIM.
fn integration(reqs: &Requirements, session: &Session) -> Integration {
    let declared = session.declarations();
    let (kind, source) = match (&reqs.known_plan, declared.integration) {
        (Some((version, kind)), _) => (*kind, KindSource::Plan(version.clone())),
        (None, Some(kind)) => (kind, KindSource::Declared),
        (None, None) => (IntegrationKind::Scim, KindSource::Default),
    };
    Integration {
        kind,
        source,
        entitlements: session.declared_supported(ENTITLEMENTS),
        entitlement_endpoints: declared.entitlement_endpoints.clone(),
    }
}

pub use crate::plan::profile::{ENTITLEMENTS, IMPORT_USER_SCHEMA};

/// The suites the Wizard asks links for, by kind of integration.
pub fn required_suites(integration: &Integration) -> Vec<SuiteKind> {
    match (integration.kind, integration.entitlements) {
        (IntegrationKind::Actions, _) => Vec::new(),
        (IntegrationKind::Scim, false) => vec![SuiteKind::Spec, SuiteKind::Crud],
        (IntegrationKind::Scim, true) => SuiteKind::ALL.to_vec(),
    }
}

fn suite_statuses(session: &Session, integration: &Integration) -> Vec<SuiteStatus> {
    let status = |suite: SuiteKind| {
        let link = session
            .suites()
            .get(suite)
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let evidence = match link {
            Some(url) => match check_result_link("The link", url) {
                Ok(url) => SuiteEvidence::Link(url),
                Err(why) => SuiteEvidence::Invalid {
                    link: url.to_string(),
                    why: why.to_string(),
                },
            },
            None => SuiteEvidence::Missing,
        };
        let hosted = session.hosted();
        let hosted = link
            .and_then(|url| hosted.run_for_link(suite, url))
            .or_else(|| {
                // The latest hosted run, unless it passed and gave the link already recorded.
                hosted.latest(suite).filter(|run| {
                    link != Some(run.page.as_str()) || run.result != HostedResult::Pass
                })
            })
            .cloned();
        SuiteStatus {
            suite,
            evidence,
            local: session.latest_suite_run(suite).cloned(),
            hosted,
        }
    };
    required_suites(integration)
        .into_iter()
        .map(status)
        .collect()
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
