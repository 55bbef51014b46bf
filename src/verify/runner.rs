//! The one runner of case checks. It opens the clients a plan's access names, once for all its
//! jobs, and runs each case on them: its SCIM steps and its Okta side polled together
//! (`engine::run_case`), then Okta's System Log since the case started kept with the run.
//! `scimplan verify` and `start` call it inline; the checklist's worker on its thread.

use super::engine::{ScimSide, observe_start, run_case};
use super::error::VerifyError;
use super::event::{StartReport, VerifyEvent};
use super::job::CheckJob;
use super::trail::{TRAIL_LOOKBACK, subjects_of};
use crate::net::{CancelFlag, Secret};
use crate::okta::{OktaClient, credential_for, okta_trail};
use crate::scim::ScimClient;
use crate::session::{AuthScheme, Connection, OktaConnection, VerifyRun};

/// The app's SCIM API: the saved connection and its secret (memory only).
#[derive(Debug, Clone)]
pub struct ScimAccess {
    pub connection: Connection,
    pub secret: Secret,
}

/// The Okta org to check the cases' Okta side in: the connection, and its API token (memory
/// only; `None` for a service app, which signs in with its key file when the runner opens,
/// since that is a request).
#[derive(Debug, Clone)]
pub struct OktaAccess {
    pub connection: OktaConnection,
    pub api_token: Option<Secret>,
}

/// The connections a plan's jobs run with (`VerifyPlan::access`). Without `okta`, a case with
/// an Okta part is checked on its SCIM side and the run says what the org would add.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub scim: Option<ScimAccess>,
    pub okta: Option<OktaAccess>,
}

/// The clients of one batch of checks.
pub struct Runner {
    scim: Option<(ScimClient, AuthScheme)>,
    okta: Option<OktaClient>,
}

impl Runner {
    /// Opens the clients `access` names; Okta's requests end with `cancel`, and its waits (a
    /// rate limit used up) are told to `progress`. A client that cannot be set up, or a
    /// service app that cannot sign in, stops everything before a case runs.
    pub fn open(
        access: &Access,
        cancel: &CancelFlag,
        progress: impl Fn(String) + Send + Sync + 'static,
    ) -> Result<Runner, VerifyError> {
        let scim = match &access.scim {
            Some(scim) => Some((
                ScimClient::new(&scim.connection, &scim.secret)?,
                scim.connection.auth.clone(),
            )),
            None => None,
        };
        let okta = match &access.okta {
            Some(okta) => {
                let credential = credential_for(&okta.connection, okta.api_token.clone())?;
                Some(
                    OktaClient::new(&okta.connection, credential)?
                        .with_cancel(cancel.clone())
                        .with_progress(move |p| progress(p.describe())),
                )
            }
            None => None,
        };
        Ok(Runner { scim, okta })
    }

    /// Checks one case on both sides until it holds, fails at its deadline, hits an error or is
    /// cancelled (each attempt reported to `on_event`), then keeps Okta's System Log since the
    /// case started (the job's `since`) for its user, members or group and the app.
    pub fn run(
        &self,
        job: &CheckJob,
        cancel: &CancelFlag,
        on_event: &mut dyn FnMut(VerifyEvent),
    ) -> VerifyRun {
        let scim = self
            .scim
            .as_ref()
            .map(|(client, auth)| ScimSide { client, auth });
        let mut run = run_case(scim, self.okta.as_ref(), job, cancel, on_event);
        if let Some(okta) = self.okta.as_ref().filter(|_| !cancel.is_cancelled()) {
            let since = job.since.unwrap_or(run.at - TRAIL_LOOKBACK);
            run.okta = Some(okta_trail(okta, since, &subjects_of(&run.inputs)));
        }
        run
    }

    /// Runs the `before` steps of a case's start once, now.
    pub fn start(&self, job: &CheckJob, cancel: &CancelFlag) -> StartReport {
        match &self.scim {
            Some((client, _)) => observe_start(client, job, cancel),
            None => StartReport {
                case: job.case.clone(),
                start: None,
                problem: Some(VerifyError::NoConnection.to_string()),
            },
        }
    }
}
