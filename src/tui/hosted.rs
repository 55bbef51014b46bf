//! The summary's key for hosted runs (`b`): the first suite readiness still lacks a link runs in
//! BlazeMeter API Monitoring as a background job (`verify::hosted`), its progress in the
//! footer; Esc stops waiting (the hosted run goes on). A passing result opens its page; once
//! the tester set it to Shareable there, `b` again records the link. The access token comes
//! from SCIMPLAN_RUNSCOPE_TOKEN or a masked prompt (memory only; forgotten when refused).

use super::action::JobEvent;
use super::job::{JobKind, Work};
use super::model::Model;
use super::okta_access::api_token;
use super::overlays::prompt::{Prompt, PromptKind, Purpose};
use crate::net::Secret;
use crate::report::assess;
use crate::report::readiness::suite_name;
use crate::runscope::hosted::{ApiMonitoring, HostedError, TOKEN_ENV, api_base};
use crate::session::{Command, HostedResult, HostedTest, SuiteKind, check_result_link};
use crate::verify::hosted::{HostedEvent, HostedJob, HostedOutcome, Polling, Secrets, run_hosted};

/// `b` in the summary.
pub fn run_or_record(m: &mut Model) {
    if m.jobs.is_pending(JobKind::Hosted) {
        return m.info("A hosted run is being watched: wait for it, or Esc to stop waiting.");
    }
    if let Some((suite, page)) = m.hosted.to_share.take() {
        return record(m, suite, &page);
    }
    let readiness = assess(&m.ws.plan, &m.ws.reqs, m.ws.session());
    if readiness.suites.is_empty() {
        return m.info(format!(
            "No Runscope link is asked of {}.",
            readiness.integration.describe()
        ));
    }
    let Some(suite) = readiness
        .suites
        .iter()
        .find(|s| !s.satisfied())
        .map(|s| s.suite)
    else {
        return m.info(
            "Every link is recorded. `scimplan runscope PLAN --suite spec|crud|entitlements` runs one again.",
        );
    };
    let from_env = std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| m.secrets_from_env && !t.trim().is_empty())
        .map(|t| Secret::new(t.trim()));
    // Without SCIMPLAN_RUNSCOPE_TOKEN, asked for here (masked, memory only); b goes on after.
    let Some(token) = m.hosted.token.clone().or(from_env) else {
        let title = PromptKind::HostedToken.label().to_string();
        return Prompt::open(m, Purpose::HostedToken, title);
    };
    let Some(connection) = m.ws.session().verify().connection.clone() else {
        return m.error("No SCIM connection yet: C opens the connection form.");
    };
    let scim = match m.secret.clone().or_else(|| {
        m.secrets_from_env
            .then(|| Secret::from_env(&connection.auth).ok())
            .flatten()
    }) {
        Some(secret) => secret,
        None => {
            return m.error(format!(
                "The SCIM secret is not set: export {} (or r asks for it), then b again.",
                connection.auth.secret_env()
            ));
        }
    };
    let okta = (suite == SuiteKind::Crud).then(|| api_token(m)).flatten();
    let session = m.ws.session().clone();
    let profile = m.ws.profile.clone();
    let dir = m.settings.okta_files.clone();
    let base = m.hosted.api.clone().unwrap_or_else(api_base);
    let network = m.ws.session().verify().shared_network();
    m.info(format!(
        "Running Okta's {} file in BlazeMeter API Monitoring…",
        suite_name(suite)
    ));
    let work = Work::Hosted {
        suite,
        progress: String::new(),
    };
    m.jobs
        .spawn_reporting(work, &m.inbox, move |cancel, news| {
            // What went wrong, and whether it was the access token BlazeMeter refused.
            let said = |e: HostedError| {
                let refused = matches!(e, HostedError::Refused { .. });
                (e.to_string(), refused)
            };
            let outcome = (|| {
                let api = ApiMonitoring::new(&base, token, &network).map_err(said)?;
                let bucket = match &session.hosted().bucket {
                    Some(bucket) => bucket.clone(),
                    None => {
                        let buckets = api.buckets().map_err(said)?;
                        match buckets.as_slice() {
                            [one] => one.key.clone(),
                            _ => {
                                return Err((
                                    format!(
                                        "Which bucket? Run `scimplan runscope PLAN --suite {} --bucket KEY` once; it is remembered.",
                                        suite.key()
                                    ),
                                    false,
                                ));
                            }
                        }
                    }
                };
                let secrets = Secrets {
                    scim: &scim,
                    okta: okta.as_ref(),
                };
                let job = HostedJob::prepare(suite, &bucket, &session, &profile, &dir, secrets)
                    .map_err(|e| (e.to_string(), false))?;
                let progress = |line: String| news(JobEvent::HostedProgress(line));
                for warning in &job.warnings {
                    progress(format!("Warning: {warning}"));
                }
                run_hosted(&api, &job, &Polling::default(), cancel, &mut |event| match event {
                    HostedEvent::Test { test, .. } => news(JobEvent::HostedTest(test)),
                    HostedEvent::Progress(line) => progress(line),
                })
                .map_err(said)
            })();
            let (outcome, token_refused) = match outcome {
                Ok(outcome) => (Ok(outcome), false),
                Err((why, refused)) => (Err(why), refused),
            };
            JobEvent::HostedDone {
                outcome: Box::new(outcome),
                token_refused,
            }
        });
}

/// The test the hosted run made or reused: recorded at once.
pub fn test_made(m: &mut Model, test: HostedTest) {
    m.ws.apply(Command::HostedTest(test));
    m.after_change();
}

/// The hosted run's progress goes to the footer (and warnings to the message line).
pub fn progress(m: &mut Model, line: String) {
    if line.starts_with("Warning:") {
        m.info(line.clone());
    }
    if let Some(job) = m.jobs.get_mut(JobKind::Hosted)
        && let Work::Hosted { progress, .. } = &mut job.work
    {
        *progress = line;
    }
}

/// The hosted run ended (or could not start): the job is over. A typed token BlazeMeter
/// refused is forgotten, so `b` asks for it again.
pub fn done(m: &mut Model, outcome: Result<HostedOutcome, String>, token_refused: bool) {
    m.jobs.finish(JobKind::Hosted);
    let forgot = token_refused && m.hosted.token.take().is_some();
    match outcome {
        Err(why) if forgot => {
            let keys = m
                .keymap
                .keys_for(super::keymap::Mode::Summary, &super::Action::RunHosted);
            m.error(format!(
                "Hosted run: {why} The typed token is forgotten: {keys} asks for it again."
            ))
        }
        Err(why) => m.error(format!("Hosted run: {why}")),
        Ok(outcome) => finished(m, outcome),
    }
}

fn finished(m: &mut Model, outcome: HostedOutcome) {
    let run = outcome.run;
    m.ws.apply(Command::RecordHosted(Box::new(run.clone())));
    m.after_change();
    let name = suite_name(run.suite);
    match run.result {
        HostedResult::Pass => {
            let opened = match crate::opener::open_detached(&run.page) {
                Ok(_) => "opened",
                Err(_) => "not opened here",
            };
            let keys = m
                .keymap
                .keys_for(super::keymap::Mode::Summary, &super::Action::RunHosted);
            m.info(format!(
                "{name} {}: {} ({opened}). Set the result to Shareable on that page, then {keys} records the link.",
                run.describe(),
                run.page
            ));
            m.hosted.to_share = Some((run.suite, run.page));
        }
        HostedResult::Unfinished => m.info(format!(
            "Stopped waiting: {} goes on in BlazeMeter; once it passed and is Shareable, `scimplan suites PLAN --{}-link {}` records it.",
            run.run_id,
            run.suite.key(),
            run.page
        )),
        HostedResult::Fail | HostedResult::Canceled => {
            let first = run
                .failures
                .first()
                .map(|f| format!(" First failure: {}: {}", f.step, f.problems.join("; ")))
                .unwrap_or_default();
            m.error(format!(
                "{name} {}: no link recorded.{first} {}",
                run.describe(),
                run.page
            ));
        }
    }
}

fn record(m: &mut Model, suite: SuiteKind, page: &str) {
    let name = suite_name(suite);
    match check_result_link(&format!("The {name} link"), page) {
        Ok(link) => {
            m.ws.apply(Command::SuiteLink { suite, link });
            m.after_change();
            m.info(format!("{name} link recorded: {page}"));
        }
        Err(e) => m.error(e.to_string()),
    }
}
