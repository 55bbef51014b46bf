//! Checks of cases verified in Okta only (their recipe has no SCIM step) when no SCIM
//! connection is saved: the Okta org is all they need, so the checklist does not ask for the
//! app's connection (the Okta token is asked for when it is neither typed nor in the
//! environment).

use super::model::{Job, Model};
use super::state::{SecretKind, Verification, VerifyTarget};
use super::wire::{ask_secret, case_check, okta_access, pending_batch};
use crate::verify::{Batch, CheckJob, spawn_okta_only};

/// Case `case` is checked in Okta only and an org is connected.
pub fn is_okta_only(m: &Model, case: usize) -> bool {
    let id = &m.ws.plan.cases[case].id;
    m.ws.session().verify().okta.is_some()
        && m.recipes.for_case(id).is_some_and(|r| r.steps.is_empty())
}

/// `v` on such a case.
pub fn verify_case(m: &mut Model, case: usize) {
    let Some(job) = case_check(m, case) else {
        return;
    };
    run(m, VerifyTarget::Case(case), vec![job], String::new());
}

/// `V` without a SCIM connection: the pending cases checked in Okta only, when an org is
/// connected and there are some; `false` leaves it to the usual path (which asks for the
/// app's connection).
pub fn verify_all(m: &mut Model) -> bool {
    if m.ws.session().verify().okta.is_none() {
        return false;
    }
    let Batch { jobs, .. } = pending_batch(m);
    let (okta_only, need_scim): (Vec<CheckJob>, Vec<CheckJob>) = jobs
        .into_iter()
        .partition(|job| job.recipe.steps.is_empty());
    if okta_only.is_empty() {
        return false;
    }
    let left = if need_scim.is_empty() {
        String::new()
    } else {
        format!(
            "; {} more need the app's SCIM connection (C)",
            need_scim.len()
        )
    };
    run(m, VerifyTarget::All, okta_only, left);
    true
}

fn run(m: &mut Model, target: VerifyTarget, jobs: Vec<CheckJob>, left: String) {
    let Some(okta) = okta_access(m) else {
        return ask_secret(m, target, SecretKind::Okta, "");
    };
    m.info(format!(
        "Verifying {} case(s) in the Okta org {}{left}…",
        jobs.len(),
        okta.connection.org_url
    ));
    let kind = super::wire::cases_kind(m, &jobs);
    let running = spawn_okta_only(jobs, okta, m.inbox.job_sink());
    m.job = Job::Running(Verification::new(running, kind));
}
