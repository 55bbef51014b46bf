//! The one verification planner. For a request (cases named, the pending batch, a recheck, a
//! start) it reads the session, the recipe book and what is connected, and says what will run
//! on which side, what is missing before it can (a connection, a secret, an input) and which
//! cases are left out and why. The checklist and `scimplan verify`/`start` only present the
//! plan (the checklist asks for what is missing, the CLI names it and stops with exit 2) and
//! run its jobs with the one runner (`runner::Runner`).
//!
//! The rules it owns, for both:
//! - A case named is checked whatever its outcome, and nothing named is left out silently:
//!   what it lacks is missing (to be given), what it cannot be is refused (`left_out`).
//! - The pending batch covers applicable cases with a recipe, no outcome, and every step
//!   marked done; a recheck covers cases with a Pass or Fail, once each, recording nothing.
//! - A case checked in Okta only (`Recipe::is_okta_only`) needs the org and not the app; every
//!   other case needs the app's SCIM connection. A batch leaves out the cases whose side is
//!   not connected and runs the rest; it asks for the app's connection only when nothing else
//!   could run.
//! - A case with an Okta part (`Recipe::has_okta_part`) is checked on both sides when the org
//!   is connected, so a connected org without a usable credential is missing (never a verdict
//!   on one side); without an org it is checked on its SCIM side and the run says so.
//! - A list Okta would give (a group's members) is an input to type when no org is connected.

use std::time::Duration;

use super::error::VerifyError;
use super::job::{CheckJob, case_started, steps_done};
use super::recipe::{MembersOtherwise, Recipe, RecipeBook};
use super::runner::{Access, OktaAccess, ScimAccess};
use crate::net::{MissingSecret, Secret};
use crate::plan::Plan;
use crate::plan::profile::Requirements;
use crate::session::{OKTA_TOKEN_ENV, OktaAuth, Outcome, Session, Verdict, VerifyRun};

/// What the tester asked to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Cases named (`v` on a case, `scimplan verify PLAN CASE...`): each is checked and its
    /// verdict recorded whatever its outcome.
    Cases(Vec<String>),
    /// The pending batch (`V`, `scimplan verify PLAN`).
    Pending,
    /// A recheck of these cases, or of every applicable one: drift is reported, nothing
    /// recorded.
    Recheck(Option<Vec<String>>),
    /// Starting cases (`t`, `scimplan start`): their `before` steps note what they act on.
    Start(Vec<String>),
}

impl Request {
    /// One case, as `v` asks.
    pub fn case(id: &str) -> Request {
        Request::Cases(vec![id.to_string()])
    }

    /// The cases named, for a request about named cases only.
    pub fn named(&self) -> Option<&[String]> {
        match self {
            Request::Cases(ids) | Request::Start(ids) | Request::Recheck(Some(ids)) => Some(ids),
            Request::Pending | Request::Recheck(None) => None,
        }
    }
}

/// The secrets the caller holds (typed, or read from the environment): memory only.
#[derive(Clone, Default)]
pub struct Secrets {
    /// The app's token or password, for the saved SCIM connection.
    pub scim: Option<Secret>,
    /// The Okta API token (a service app needs none: it signs in with its key file).
    pub okta_token: Option<Secret>,
}

impl Secrets {
    /// From the environment: the variable of the saved SCIM connection's scheme, and
    /// `SCIMPLAN_OKTA_TOKEN`.
    pub fn from_env(session: &Session) -> Secrets {
        Secrets {
            scim: session
                .verify()
                .connection
                .as_ref()
                .and_then(|c| Secret::from_env(&c.auth).ok()),
            okta_token: crate::okta::token_from_env(),
        }
    }
}

/// The tester's Okta org, as far as checks are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OktaState {
    NotConnected,
    /// Connected with an API token, which is neither typed nor in the environment.
    NoToken,
    /// Connected, with a credential to sign in with.
    Ready,
}

/// Where a job's checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The app's SCIM API and the Okta org.
    Both,
    /// The app's SCIM API alone (a case without an Okta part, or no org connected).
    Scim,
    /// The Okta org alone (`Recipe::is_okta_only`).
    Okta,
}

/// An input a case needs, with what to type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needed {
    pub name: String,
    pub prompt: String,
    /// Comma-separated values.
    pub list: bool,
}

/// Something to give before the plan's jobs can run, in the order a tester gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// Neither the app nor the Okta org is connected: nothing to check against.
    Connection,
    /// The app's SCIM connection, which these cases read.
    ScimConnection { cases: Vec<String> },
    /// The Okta org, in which these cases are checked (in it only).
    OktaOrg { cases: Vec<String> },
    /// Inputs `case` needs.
    Inputs { case: String, inputs: Vec<Needed> },
    /// The members of an Okta group that `case` compares: typed, since no org gives them.
    Members {
        case: String,
        /// The group's name as given.
        group: String,
        /// The list input they fill.
        into: Needed,
    },
    /// The app's secret (its environment variable).
    ScimSecret { var: &'static str },
    /// The Okta API token: the org is connected and these cases have an Okta part.
    OktaToken { cases: Vec<String> },
}

/// Why a case the request covers does not run.
#[derive(Debug)]
pub enum Why {
    /// The pending batch leaves an outcome alone, whoever set it.
    HasOutcome(Outcome),
    /// The pending batch waits until the tester marks every step done.
    StepsNotDone { ticked: usize, steps: usize },
    /// A recheck compares a recorded Pass or Fail: this case has none.
    NothingToRecheck(Outcome),
    /// Checked in Okta only, and no org is connected (a batch).
    OktaOnlyWithoutOrg,
    /// Reads the app's SCIM API, which is not connected (a batch).
    NeedsScim,
    /// Inputs not known yet (a batch asks for none).
    Inputs(Vec<Needed>),
    /// A group's members to type, no org giving them (a batch).
    Members { group: String, into: Needed },
    /// No recipe, an input it cannot take, a value from an earlier case or start not known,
    /// nothing to start.
    NotReady(VerifyError),
}

/// A case left out of the plan, and why.
#[derive(Debug)]
pub struct LeftOut {
    pub case: String,
    pub why: Why,
}

/// What a request will do.
#[derive(Debug)]
pub struct VerifyPlan {
    pub request: Request,
    /// The checks (or starts) to run, in plan order.
    pub jobs: Vec<CheckJob>,
    /// What must be given before any job runs; empty when the jobs can run.
    pub missing: Vec<Missing>,
    /// Cases the request covers that do not run. A request of named cases runs none of its
    /// cases while one is left out.
    pub left_out: Vec<LeftOut>,
    /// The connections the jobs run with: set when nothing is missing.
    pub access: Access,
    pub okta: OktaState,
}

impl VerifyPlan {
    /// Where `job`'s checks run.
    pub fn side(&self, job: &CheckJob) -> Side {
        if job.recipe.is_okta_only() {
            Side::Okta
        } else if self.okta == OktaState::Ready && job.recipe.has_okta_part() {
            Side::Both
        } else {
            Side::Scim
        }
    }

    /// The jobs that run on `side`.
    pub fn on_side(&self, side: Side) -> Vec<&CheckJob> {
        self.jobs.iter().filter(|j| self.side(j) == side).collect()
    }

    /// The jobs can run: nothing missing, nothing named refused, something to do.
    pub fn ready(&self) -> bool {
        self.missing.is_empty()
            && !self.jobs.is_empty()
            && (self.request.named().is_none() || self.left_out.is_empty())
    }

    /// The cases left out for `why`'s kind (e.g. every case needing the app's connection).
    pub fn left_out_for(&self, kind: impl Fn(&Why) -> bool) -> Vec<&str> {
        self.left_out
            .iter()
            .filter(|l| kind(&l.why))
            .map(|l| l.case.as_str())
            .collect()
    }
}

/// Everything the planner reads.
pub struct Planner<'a> {
    pub book: &'a RecipeBook,
    pub plan: &'a Plan,
    pub reqs: &'a Requirements,
    pub session: &'a Session,
    pub secrets: &'a Secrets,
    /// How long each check may poll.
    pub deadline: Duration,
}

/// What stops one case.
enum Stop {
    Left(Why),
    ScimConnection,
    OktaOrg,
    Inputs(Vec<Needed>),
    Members { group: String, into: Needed },
}

impl Planner<'_> {
    pub fn plan(&self, request: Request) -> VerifyPlan {
        let verify = self.session.verify();
        let okta = match &verify.okta {
            None => OktaState::NotConnected,
            Some(c) if c.auth == OktaAuth::ApiToken && self.secrets.okta_token.is_none() => {
                OktaState::NoToken
            }
            Some(_) => OktaState::Ready,
        };
        let mut plan = VerifyPlan {
            request,
            jobs: Vec::new(),
            missing: Vec::new(),
            left_out: Vec::new(),
            access: Access::default(),
            okta,
        };
        if verify.connection.is_none() && verify.okta.is_none() {
            plan.missing.push(Missing::Connection);
            return plan;
        }
        let named = plan.request.named().is_some();
        let (mut scim_cases, mut org_cases, mut inputs) = (Vec::new(), Vec::new(), Vec::new());
        for case in self.cases(&plan.request) {
            let stop = match self.prepare(&plan.request, okta, &case) {
                Ok(job) => {
                    plan.jobs.push(job);
                    continue;
                }
                Err(stop) => stop,
            };
            // A batch leaves the case out; a named case needs what it lacks.
            let why = match stop {
                Stop::Left(why) => why,
                Stop::ScimConnection if named => {
                    scim_cases.push(case);
                    continue;
                }
                Stop::ScimConnection => Why::NeedsScim,
                Stop::OktaOrg if named => {
                    org_cases.push(case);
                    continue;
                }
                Stop::OktaOrg => Why::OktaOnlyWithoutOrg,
                Stop::Inputs(needed) if named => {
                    inputs.push(Missing::Inputs {
                        case,
                        inputs: needed,
                    });
                    continue;
                }
                Stop::Inputs(needed) => Why::Inputs(needed),
                Stop::Members { group, into } if named => {
                    inputs.push(Missing::Members { case, group, into });
                    continue;
                }
                Stop::Members { group, into } => Why::Members { group, into },
            };
            plan.left_out.push(LeftOut { case, why });
        }
        // A batch with nothing else to run asks for the app's connection its cases need.
        if !named && plan.jobs.is_empty() {
            scim_cases = plan
                .left_out_for(|w| matches!(w, Why::NeedsScim))
                .into_iter()
                .map(str::to_string)
                .collect();
        }
        if !scim_cases.is_empty() {
            plan.missing
                .push(Missing::ScimConnection { cases: scim_cases });
        }
        if !org_cases.is_empty() {
            plan.missing.push(Missing::OktaOrg { cases: org_cases });
        }
        plan.missing.extend(inputs);
        let start = matches!(plan.request, Request::Start(_));
        let reads_scim = plan
            .jobs
            .iter()
            .any(|job| start || !job.recipe.is_okta_only());
        let scim = match (&verify.connection, &self.secrets.scim) {
            (Some(connection), Some(secret)) if reads_scim => Some(ScimAccess {
                connection: connection.clone(),
                secret: secret.clone(),
            }),
            (Some(connection), None) if reads_scim => {
                plan.missing.push(Missing::ScimSecret {
                    var: connection.auth.secret_env(),
                });
                None
            }
            _ => None,
        };
        let with_okta: Vec<String> = plan
            .jobs
            .iter()
            .filter(|job| !start && job.recipe.has_okta_part())
            .map(|job| job.case.clone())
            .collect();
        if okta == OktaState::NoToken && !with_okta.is_empty() {
            plan.missing.push(Missing::OktaToken { cases: with_okta });
        }
        if plan.missing.is_empty() {
            plan.access = Access {
                scim,
                // Every check keeps the System Log when it can, whatever its recipe.
                okta: verify
                    .okta
                    .clone()
                    .filter(|_| okta == OktaState::Ready && !start && !plan.jobs.is_empty())
                    .map(|connection| OktaAccess {
                        connection,
                        api_token: self.secrets.okta_token.clone(),
                    }),
            };
        }
        plan
    }

    /// The cases the request covers, as the plan spells them.
    fn cases(&self, request: &Request) -> Vec<String> {
        match request.named() {
            Some(ids) => ids.to_vec(),
            None => self
                .plan
                .cases
                .iter()
                .enumerate()
                .filter(|(index, case)| {
                    self.book.for_case(&case.id).is_some()
                        && self.session.applies(self.reqs, *index)
                })
                .map(|(_, case)| case.id.clone())
                .collect(),
        }
    }

    /// The job of `case`, or what stops it.
    fn prepare(&self, request: &Request, okta: OktaState, case: &str) -> Result<CheckJob, Stop> {
        let session = self.session;
        let recipe = self
            .book
            .recipe(case)
            .map_err(|e| Stop::Left(Why::NotReady(e)))?;
        let outcome = session.outcome(case);
        let start = matches!(request, Request::Start(_));
        match request {
            Request::Pending if outcome != Outcome::NotRun => {
                return Err(Stop::Left(Why::HasOutcome(outcome)));
            }
            Request::Pending if !steps_done(self.plan, session, case) => {
                return Err(Stop::Left(Why::StepsNotDone {
                    ticked: session.result(case).map_or(0, |r| r.steps_checked.len()),
                    steps: self.plan.case(case).map_or(0, |c| c.steps.len()),
                }));
            }
            Request::Recheck(_) if !matches!(outcome, Outcome::Pass | Outcome::Fail) => {
                return Err(Stop::Left(Why::NothingToRecheck(outcome)));
            }
            _ => {}
        }
        let verify = session.verify();
        if start && recipe.before.is_empty() {
            return Err(Stop::Left(Why::NotReady(VerifyError::NothingToStart {
                case: case.to_string(),
            })));
        }
        if !start && recipe.is_okta_only() {
            if okta == OktaState::NotConnected {
                return Err(Stop::OktaOrg);
            }
        } else if verify.connection.is_none() {
            return Err(Stop::ScimConnection);
        }
        let missing = recipe.missing_inputs(&verify.subjects, start);
        if !missing.is_empty() {
            return Err(Stop::Inputs(
                missing.iter().map(|name| self.needed(name)).collect(),
            ));
        }
        let job = if start {
            CheckJob::for_start(self.book, case, verify, self.deadline)
        } else {
            CheckJob::prepare(self.book, case, verify, self.deadline)
        };
        let mut job = job.map_err(|e| Stop::Left(Why::NotReady(e)))?;
        if !start
            && okta == OktaState::NotConnected
            && let Some(members) = self.members_to_type(recipe)
        {
            return Err(members);
        }
        if !start {
            job.steps_done = steps_done(self.plan, session, case);
            job.since = Some(case_started(session, case, chrono::Utc::now()));
            job.capabilities = session.capabilities().clone();
            job.single_attempt = matches!(request, Request::Recheck(_));
        }
        Ok(job)
    }

    /// The group's members `recipe` compares, when nobody typed them (no org gives them).
    fn members_to_type(&self, recipe: &Recipe) -> Option<Stop> {
        let members = recipe
            .okta_members
            .as_ref()
            .filter(|m| m.otherwise == MembersOtherwise::Typed)?;
        let subjects = &self.session.verify().subjects;
        let typed = subjects
            .get(&members.into)
            .is_some_and(|v| !v.trim().is_empty());
        (!typed).then(|| Stop::Members {
            group: subjects.get(&members.group).cloned().unwrap_or_default(),
            into: self.needed(&members.into),
        })
    }

    fn needed(&self, name: &str) -> Needed {
        Needed {
            name: name.to_string(),
            prompt: self.book.prompt(name).to_string(),
            list: self.book.is_list(name),
        }
    }
}

/// How a recheck's run compares with the case's recorded outcome: `None` when they agree,
/// else one line saying what changed (the run is not recorded).
pub fn drift(session: &Session, run: &VerifyRun) -> Option<String> {
    let recorded = session.outcome(&run.case);
    let now = match run.verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail => Outcome::Fail,
        Verdict::Error | Verdict::Cancelled => {
            return Some(format!(
                "{}: recorded {recorded}, could not check now: {}",
                run.case, run.summary
            ));
        }
    };
    (now != recorded).then(|| {
        format!(
            "{}: recorded {recorded}, the app now says {}: {}",
            run.case,
            run.verdict.label(),
            run.summary
        )
    })
}

fn inputs_text(case: &str, inputs: &[Needed]) -> String {
    let each: Vec<String> = inputs
        .iter()
        .map(|n| format!("--input {}=... ({})", n.name, n.prompt))
        .collect();
    format!("{case} needs input(s) not known yet: {}", each.join(", "))
}

fn members_text(case: &str, group: &str, into: &Needed) -> String {
    format!(
        "{case} compares the group's members: connect the Okta org (its group {group} gives them) or type them (--input {}=login1,login2)",
        into.name
    )
}

fn okta_only_text(cases: &[String]) -> String {
    let (is, it) = if cases.len() == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    format!(
        "{} {is} checked in Okta only: connect the org (scimplan connect PLAN --okta-org URL --okta-app-id ID) and export {OKTA_TOKEN_ENV} to verify {it}",
        cases.join(", ")
    )
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Connection => write!(f, "{}", VerifyError::NoConnection),
            Missing::ScimConnection { cases } => write!(
                f,
                "{} read the app's SCIM API: {}",
                cases.join(", "),
                VerifyError::NoConnection
            ),
            Missing::OktaOrg { cases } => f.write_str(&okta_only_text(cases)),
            Missing::Inputs { case, inputs } => f.write_str(&inputs_text(case, inputs)),
            Missing::Members { case, group, into } => f.write_str(&members_text(case, group, into)),
            Missing::ScimSecret { var } => write!(f, "{}", MissingSecret { var }),
            Missing::OktaToken { cases } => write!(
                f,
                "{} also {} the Okta org, which is connected, but {OKTA_TOKEN_ENV} is not set: export it (it is read from the environment and never saved) so both sides are checked.",
                cases.join(", "),
                if cases.len() == 1 { "checks" } else { "check" }
            ),
        }
    }
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let case = &self.case;
        match &self.why {
            Why::HasOutcome(outcome) => write!(
                f,
                "{case} already has an outcome ({outcome}): a check of many cases leaves it alone (name the case to verify it again, or --recheck to compare)"
            ),
            Why::StepsNotDone { ticked, steps } => write!(
                f,
                "{case}: {ticked} of {steps} steps ticked; mark its steps done (Space in the checklist, or `scimplan done PLAN {case}`) once you did them in Okta, or name the case to verify it now"
            ),
            Why::NothingToRecheck(outcome) => {
                write!(f, "{case} is {outcome}: nothing recorded to recheck")
            }
            Why::OktaOnlyWithoutOrg => f.write_str(&okta_only_text(std::slice::from_ref(case))),
            Why::NeedsScim => write!(
                f,
                "{case} reads the app's SCIM API, which is not connected (scimplan connect PLAN --scim-url URL)"
            ),
            Why::Inputs(inputs) => f.write_str(&inputs_text(case, inputs)),
            Why::Members { group, into } => f.write_str(&members_text(case, group, into)),
            Why::NotReady(error) => write!(f, "{error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::plan::{Profile, load_plan_bytes};
    use crate::session::{AuthScheme, Command, Connection, OktaConnection, Scope, Writer};

    /// Cases with Okta's IDs: C9290 (SCIM and an Okta part), C9303 (SCIM only), C9306 (Okta
    /// only), C9320 (members an Okta group gives), C9315 (a start), C9296 (no recipe).
    const CASES: [(&str, &str); 6] = [
        (
            "C9296",
            "Preconditions - SCIM App Setup / Add People / Add Group",
        ),
        ("C9306", "Precondition - Provisioning and SSO"),
        ("C9290", "Create Users"),
        ("C9303", "Read (Import) Users"),
        ("C9315", "Using Group Push"),
        ("C9320", "Using Group Push"),
    ];

    struct World {
        plan: Plan,
        reqs: Requirements,
        session: Session,
        book: RecipeBook,
        secrets: Secrets,
    }

    impl World {
        fn new() -> World {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in crate::plan::OKTA_HEADERS.iter().enumerate() {
                sheet.write_string(0, c as u16, *h).unwrap();
            }
            for (r, (id, section)) in CASES.iter().enumerate() {
                let r = r as u32 + 1;
                sheet.write_string(r, 0, *id).unwrap();
                sheet.write_string(r, 1, format!("Case {id}")).unwrap();
                sheet.write_string(r, 2, *section).unwrap();
                sheet.write_string(r, 4, "1. do it\n2. check it").unwrap();
                sheet.write_string(r, 5, "done").unwrap();
            }
            let bytes = book.save_to_buffer().unwrap();
            let plan = load_plan_bytes(Path::new("plan.xlsx"), bytes).unwrap();
            let reqs = Requirements::new(&Profile::builtin(), &plan);
            let session = Session::new(&plan);
            World {
                plan,
                reqs,
                session,
                book: RecipeBook::builtin(),
                secrets: Secrets::default(),
            }
        }

        fn apply(&mut self, command: Command) -> &mut World {
            let scope = Scope {
                plan: &self.plan,
                reqs: &self.reqs,
            };
            self.session.apply(command, &Writer::Checklist, scope);
            self
        }

        fn scim(&mut self) -> &mut World {
            let connection =
                Connection::new("https://app.example.com/scim/v2", AuthScheme::Bearer, None);
            self.apply(Command::Connection(Some(connection.unwrap())))
        }

        fn org(&mut self) -> &mut World {
            let org = OktaConnection::new("https://acme.okta.com", "0oa1", OktaAuth::ApiToken);
            self.apply(Command::OktaConnection(Some(org.unwrap())))
        }

        fn secrets(&mut self, scim: bool, okta: bool) -> &mut World {
            self.secrets = Secrets {
                scim: scim.then(|| Secret::new("scim-secret")),
                okta_token: okta.then(|| Secret::new("okta-token")),
            };
            self
        }

        fn input(&mut self, name: &str, value: &str) -> &mut World {
            self.apply(Command::Subject {
                name: name.into(),
                value: value.into(),
            })
        }

        fn done(&mut self, case: &str) -> &mut World {
            for step in 0..2 {
                self.apply(Command::Step {
                    case: case.into(),
                    step,
                    ticked: true,
                });
            }
            self
        }

        fn mark(&mut self, case: &str, outcome: Outcome) -> &mut World {
            self.apply(Command::Mark {
                case: case.into(),
                outcome,
                reason: None,
                note: None,
            })
        }

        fn plan(&self, request: Request) -> VerifyPlan {
            Planner {
                book: &self.book,
                plan: &self.plan,
                reqs: &self.reqs,
                session: &self.session,
                secrets: &self.secrets,
                deadline: Duration::from_secs(5),
            }
            .plan(request)
        }
    }

    fn cases(plan: &VerifyPlan) -> Vec<&str> {
        plan.jobs.iter().map(|j| j.case.as_str()).collect()
    }

    fn why(plan: &VerifyPlan, case: &str) -> String {
        let left = plan.left_out.iter().find(|l| l.case == case);
        left.map(|l| format!("{:?}", l.why)).unwrap_or_default()
    }

    #[test]
    fn the_okta_only_rule_is_the_recipe_without_a_scim_step() {
        let book = RecipeBook::builtin();
        let c9306 = book.for_case("C9306").unwrap();
        assert!(c9306.is_okta_only() && c9306.has_okta_part());
        let c9290 = book.for_case("C9290").unwrap();
        assert!(!c9290.is_okta_only() && c9290.has_okta_part());
        let c9303 = book.for_case("C9303").unwrap();
        assert!(!c9303.is_okta_only() && !c9303.has_okta_part());
        // Members an Okta group gives are an Okta part too, with no [[recipe.okta]] entry.
        let c9320 = book.for_case("C9320").unwrap();
        assert!(c9320.has_okta_part());
    }

    #[test]
    fn nothing_connected_is_the_one_thing_missing() {
        let mut w = World::new();
        w.input("user", "ann@example.com").done("C9290");
        for request in [
            Request::Pending,
            Request::case("C9290"),
            Request::case("C9296"),
        ] {
            let plan = w.plan(request);
            assert_eq!(plan.missing, vec![Missing::Connection]);
            assert!(plan.jobs.is_empty() && plan.left_out.is_empty() && !plan.ready());
        }
    }

    #[test]
    fn a_named_case_runs_whatever_its_outcome_on_the_sides_connected() {
        let mut w = World::new();
        w.scim().org().secrets(true, true);
        w.input("user", "ann@example.com")
            .mark("C9290", Outcome::Pass);
        let plan = w.plan(Request::case("C9290"));
        assert!(plan.ready(), "{:?}", plan.missing);
        assert_eq!(cases(&plan), ["C9290"]);
        assert_eq!(plan.side(&plan.jobs[0]), Side::Both);
        assert!(!plan.jobs[0].steps_done && plan.jobs[0].since.is_some());
        assert!(plan.access.scim.is_some() && plan.access.okta.is_some());
        // Without an org, the SCIM side alone (the run says what Okta would add).
        let mut w = World::new();
        w.scim()
            .secrets(true, false)
            .input("user", "ann@example.com");
        let plan = w.plan(Request::case("C9290"));
        assert!(plan.ready());
        assert_eq!(plan.side(&plan.jobs[0]), Side::Scim);
        assert!(plan.access.okta.is_none());
    }

    #[test]
    fn what_a_named_case_lacks_is_missing_in_the_order_it_is_asked_for() {
        let mut w = World::new();
        w.scim().org();
        let plan = w.plan(Request::case("C9290"));
        assert_eq!(
            plan.missing,
            vec![Missing::Inputs {
                case: "C9290".into(),
                inputs: vec![Needed {
                    name: "user".into(),
                    prompt: w.book.prompt("user").into(),
                    list: false,
                }],
            }],
            "the secrets are asked for once the case can be prepared"
        );
        assert!(plan.to_string_all().contains("--input user="));
        w.input("user", "ann@example.com");
        let plan = w.plan(Request::case("C9290"));
        assert_eq!(
            plan.missing,
            vec![
                Missing::ScimSecret {
                    var: "SCIMPLAN_SCIM_TOKEN"
                },
                Missing::OktaToken {
                    cases: vec!["C9290".into()]
                },
            ]
        );
        assert!(plan.access.scim.is_none() && !plan.ready());
        // The org connected without its token: never a verdict on the SCIM side alone.
        w.secrets(true, false);
        let plan = w.plan(Request::case("C9290"));
        assert_eq!(plan.okta, OktaState::NoToken);
        assert!(
            plan.missing[0]
                .to_string()
                .contains("SCIMPLAN_OKTA_TOKEN is not set")
        );
        // A case without an Okta part needs no token: it runs, the System Log not kept.
        let plan = w.plan(Request::case("C9303"));
        assert!(plan.ready(), "{:?}", plan.missing);
        assert!(plan.access.okta.is_none());
    }

    #[test]
    fn a_side_not_connected_is_missing_for_a_named_case() {
        let mut w = World::new();
        w.org()
            .secrets(false, true)
            .input("user", "ann@example.com");
        // C9306 needs the org alone, and no SCIM secret.
        let plan = w.plan(Request::case("C9306"));
        assert!(plan.ready(), "{:?}", plan.missing);
        assert_eq!(plan.side(&plan.jobs[0]), Side::Okta);
        assert!(plan.access.scim.is_none() && plan.access.okta.is_some());
        let plan = w.plan(Request::case("C9290"));
        assert_eq!(
            plan.missing,
            vec![Missing::ScimConnection {
                cases: vec!["C9290".into()]
            }]
        );
        assert!(
            plan.missing[0]
                .to_string()
                .contains("C9290 read the app's SCIM API")
        );
        let mut w = World::new();
        w.scim().secrets(true, false);
        let plan = w.plan(Request::case("C9306"));
        assert_eq!(
            plan.missing,
            vec![Missing::OktaOrg {
                cases: vec!["C9306".into()]
            }]
        );
        assert!(
            plan.missing[0]
                .to_string()
                .starts_with("C9306 is checked in Okta only")
        );
    }

    #[test]
    fn a_named_case_that_cannot_be_prepared_is_refused_not_skipped() {
        let mut w = World::new();
        w.scim().secrets(true, false);
        let plan = w.plan(Request::case("C9296"));
        assert!(why(&plan, "C9296").contains("NoRecipe"), "{plan:?}");
        assert!(!plan.ready());
        assert!(
            plan.left_out[0]
                .to_string()
                .contains("no verification recipe")
        );
        // An input the recipe cannot take.
        w.input("group", "Eng, Ops");
        let plan = w.plan(Request::case("C9320"));
        assert!(why(&plan, "C9320").contains("BadInput"), "{plan:?}");
        assert!(!plan.ready());
    }

    #[test]
    fn members_okta_would_give_are_typed_without_an_org() {
        let mut w = World::new();
        w.scim().secrets(true, false).input("group", "Platform");
        let plan = w.plan(Request::case("C9320"));
        let [Missing::Members { case, group, into }] = plan.missing.as_slice() else {
            panic!("{:?}", plan.missing);
        };
        assert_eq!((case.as_str(), group.as_str()), ("C9320", "Platform"));
        assert!(into.list && into.name == "members");
        assert!(
            plan.missing[0]
                .to_string()
                .contains("C9320 compares the group's members")
        );
        // With the org, Okta gives them.
        w.org().secrets(true, true);
        assert!(w.plan(Request::case("C9320")).ready());
        // Typed, they are used.
        let mut w = World::new();
        w.scim().secrets(true, false);
        w.input("group", "Platform")
            .input("members", "ann@example.com");
        assert!(w.plan(Request::case("C9320")).ready());
    }

    #[test]
    fn the_pending_batch_leaves_out_each_case_with_its_reason() {
        let mut w = World::new();
        w.scim()
            .secrets(true, false)
            .input("user", "ann@example.com");
        w.done("C9290").done("C9303").done("C9306").done("C9320");
        w.mark("C9303", Outcome::Fail);
        let plan = w.plan(Request::Pending);
        assert_eq!(cases(&plan), ["C9290"]);
        assert!(plan.ready() && plan.jobs[0].steps_done);
        assert!(why(&plan, "C9303").starts_with("HasOutcome(Fail)"));
        assert!(why(&plan, "C9315").starts_with("StepsNotDone { ticked: 0, steps: 2 }"));
        assert!(why(&plan, "C9306").starts_with("OktaOnlyWithoutOrg"));
        assert!(why(&plan, "C9320").starts_with("Inputs"), "{plan:?}");
        assert_eq!(
            why(&plan, "C9296"),
            "",
            "a case without a recipe is no candidate"
        );
        // A case whose capability is declared unsupported is not covered.
        w.apply(Command::Capabilities {
            changes: vec![("create-users".to_string(), false)],
            confirm: true,
        });
        let plan = w.plan(Request::Pending);
        assert!(
            plan.jobs.is_empty() && why(&plan, "C9290").is_empty(),
            "{plan:?}"
        );
    }

    #[test]
    fn a_batch_runs_what_its_sides_allow_and_asks_for_the_app_only_when_nothing_else_runs() {
        let mut w = World::new();
        w.org()
            .secrets(false, true)
            .input("user", "ann@example.com");
        w.done("C9290").done("C9306");
        let plan = w.plan(Request::Pending);
        assert_eq!(cases(&plan), ["C9306"]);
        assert!(plan.ready(), "{:?}", plan.missing);
        assert_eq!(
            plan.left_out_for(|w| matches!(w, Why::NeedsScim)),
            ["C9290"]
        );
        assert_eq!(plan.on_side(Side::Okta).len(), 1);
        // Nothing checked in Okta only is pending: the app's connection is what is missing.
        w.mark("C9306", Outcome::Pass);
        let plan = w.plan(Request::Pending);
        assert_eq!(
            plan.missing,
            vec![Missing::ScimConnection {
                cases: vec!["C9290".into()]
            }]
        );
        // The org without its token: the Okta-only case waits for the token.
        let mut w = World::new();
        w.scim().org().secrets(true, false).done("C9306");
        let plan = w.plan(Request::Pending);
        assert_eq!(
            plan.missing,
            vec![Missing::OktaToken {
                cases: vec!["C9306".into()]
            }]
        );
    }

    #[test]
    fn a_recheck_covers_recorded_verdicts_once_each() {
        let mut w = World::new();
        w.scim()
            .secrets(true, false)
            .input("user", "ann@example.com");
        w.mark("C9290", Outcome::Pass)
            .mark("C9303", Outcome::Blocked);
        let plan = w.plan(Request::Recheck(None));
        assert_eq!(cases(&plan), ["C9290"]);
        assert!(plan.jobs[0].single_attempt);
        assert!(why(&plan, "C9303").starts_with("NothingToRecheck(Blocked)"));
        let plan = w.plan(Request::Recheck(Some(vec!["C9303".into()])));
        assert!(!plan.ready());
        assert_eq!(
            plan.left_out[0].to_string(),
            "C9303 is Blocked: nothing recorded to recheck"
        );
    }

    #[test]
    fn a_start_needs_the_app_and_only_the_inputs_its_before_steps_name() {
        let mut w = World::new();
        w.scim()
            .org()
            .secrets(false, false)
            .input("group", "Platform");
        let plan = w.plan(Request::Start(vec!["C9315".into()]));
        let names: Vec<&str> = match plan.missing.first() {
            Some(Missing::Inputs { inputs, .. }) => {
                inputs.iter().map(|n| n.name.as_str()).collect()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(names, ["app_group"], "members are what the start observes");
        w.input("app_group", "platform-old");
        let plan = w.plan(Request::Start(vec!["C9315".into()]));
        assert_eq!(
            plan.missing,
            vec![Missing::ScimSecret {
                var: "SCIMPLAN_SCIM_TOKEN"
            }],
            "a start needs no Okta token"
        );
        w.secrets(true, false);
        let plan = w.plan(Request::Start(vec!["C9315".into()]));
        assert!(plan.ready() && plan.access.okta.is_none());
        let plan = w.plan(Request::Start(vec!["C9306".into()]));
        assert!(why(&plan, "C9306").contains("NothingToStart"), "{plan:?}");
    }

    /// "Since the case started": the start the tester recorded, else 15 minutes before the
    /// first tick of its steps or the check, whichever is earlier; the job carries it.
    #[test]
    fn the_window_starts_at_the_start_else_15_minutes_before_the_first_tick() {
        use super::super::trail::TRAIL_LOOKBACK;
        use crate::session::CaseStart;
        let mut w = World::new();
        w.scim()
            .secrets(true, false)
            .input("user", "ann@example.com");
        let before = chrono::Utc::now();
        w.done("C9290");
        let after = chrono::Utc::now();
        let later = after + chrono::Duration::hours(2);
        let since = case_started(&w.session, "C9290", later);
        assert!(
            since >= before - TRAIL_LOOKBACK && since <= after - TRAIL_LOOKBACK,
            "{since}: the Okta steps come before the ticks"
        );
        let plan = w.plan(Request::case("C9290"));
        let job_since = plan.jobs[0].since.unwrap();
        assert!(job_since >= before - TRAIL_LOOKBACK && job_since <= after - TRAIL_LOOKBACK);
        // No tick: 15 minutes before the check; a check before the tick (a clock set back):
        // before the check.
        assert_eq!(
            case_started(&w.session, "C9303", later),
            later - TRAIL_LOOKBACK
        );
        let early = before - chrono::Duration::minutes(1);
        assert_eq!(
            case_started(&w.session, "C9290", early),
            early - TRAIL_LOOKBACK
        );
        // A recorded start is the case's start, whenever it was.
        let at = before - chrono::Duration::days(1);
        w.apply(Command::RecordStart {
            case: "C9290".into(),
            start: CaseStart {
                at,
                subject: Some("ann@example.com".into()),
                observed: Default::default(),
            },
        });
        assert_eq!(case_started(&w.session, "C9290", later), at);
    }

    impl VerifyPlan {
        fn to_string_all(&self) -> String {
            let missing = self.missing.iter().map(ToString::to_string);
            let left = self.left_out.iter().map(ToString::to_string);
            missing.chain(left).collect::<Vec<_>>().join("\n")
        }
    }
}
