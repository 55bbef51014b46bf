//! Which of Okta's files a suite run uses and where its test values come from: one rule for
//! `scimplan spec` and `crud`, the checklist's `r` and `R`, and the hosted runs (`hosted`).
//! Okta's file and initial script come from the folder of Okta's files (downloaded when
//! absent); the tester may give others (the CLI's `--file`, `--initial-script`).

use std::path::Path;

use super::crud::CrudOptions;
use super::spec::SpecOptions;
use crate::plan::Profile;
use crate::plan::profile::ENTITLEMENTS;
use crate::runscope::initial::InitialScript;
use crate::runscope::{self, TestFile};
use crate::session::{Connection, OktaConnection, Session, SuiteKind};

/// The profile's key of Okta's file a suite runs.
pub fn file_key(suite: SuiteKind, entitlements: bool) -> &'static str {
    match (suite, entitlements) {
        (SuiteKind::Spec, _) => "spec",
        (SuiteKind::Crud, false) => "crud",
        // Integrations that manage entitlements run Okta's With-Entitlements CRUD file.
        (SuiteKind::Crud, true) => "crud-entitlements",
        (SuiteKind::Entitlements, _) => "entitlements",
    }
}

/// The profile's key of Okta's file `suite` runs for this session's integration.
pub fn file_key_for(session: &Session, suite: SuiteKind) -> &'static str {
    file_key(suite, session.declared_supported(ENTITLEMENTS))
}

/// The profile's key of the initial script a suite's environment gets (the Entitlements file
/// uses no random values).
pub fn script_key(suite: SuiteKind) -> Option<&'static str> {
    match suite {
        SuiteKind::Spec => Some("spec-initial-script"),
        SuiteKind::Crud => Some("crud-initial-script"),
        SuiteKind::Entitlements => None,
    }
}

/// The entitlement endpoints Okta's Entitlements file runs against: the session's, once the
/// integration declares Entitlement Management.
pub fn declared_endpoints(session: &Session) -> Vec<String> {
    if session.declared_supported(ENTITLEMENTS) {
        session.declarations().entitlement_endpoints.clone()
    } else {
        Vec::new()
    }
}

/// Where the files come from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub profile: &'a Profile,
    /// The folder of Okta's files.
    pub dir: &'a Path,
    /// A Runscope export given in place of Okta's file.
    pub file: Option<&'a Path>,
    /// An initial script given in place of Okta's.
    pub initial_script: Option<&'a Path>,
}

impl<'a> Sources<'a> {
    /// Okta's own files, from `dir`.
    pub fn okta(profile: &'a Profile, dir: &'a Path) -> Sources<'a> {
        Sources {
            profile,
            dir,
            file: None,
            initial_script: None,
        }
    }
}

/// A suite run made ready, with what is worth saying before it starts.
#[derive(Debug)]
pub struct Prepared<T> {
    pub options: T,
    pub told: Told,
}

/// What is worth saying before a suite run starts.
#[derive(Debug, Default)]
pub struct Told {
    /// A file of Okta's that is not the one the profile pins.
    pub warnings: Vec<String>,
    /// Test values that are not made by Okta's script, and why.
    pub notes: Vec<String>,
    /// What the initial script logged.
    pub script_log: Vec<String>,
}

/// The file of `key` (the given one, else Okta's) with the SHA-256 the profile pins for Okta's.
fn test_file(
    sources: &Sources<'_>,
    key: &str,
    warnings: &mut Vec<String>,
) -> Result<(TestFile, Option<String>), String> {
    let pinned = sources.profile.test_file(key).map(|f| f.sha256.clone());
    let file = match sources.file {
        Some(path) => runscope::load(path).map_err(|e| e.to_string())?,
        None => {
            let (file, local) = runscope::files::load_okta(sources.profile, key, sources.dir)?;
            warnings.extend(local.mismatch_warning());
            file
        }
    };
    Ok((file, pinned))
}

/// The initial script of `key`: the given one, else Okta's, else none (scimplan's own
/// equivalent makes the values; a note says why). A file given in place of Okta's is not
/// paired with a downloaded script.
fn initial_script(
    sources: &Sources<'_>,
    key: &str,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<Option<InitialScript>, String> {
    if let Some(path) = sources.initial_script {
        return InitialScript::load(path).map(Some);
    }
    let Some(known) = sources.profile.test_file(key) else {
        return Ok(None);
    };
    let beside = sources.dir.join(&known.file);
    if sources.file.is_some() && !beside.is_file() {
        notes.push(format!(
            "{} is not in {}: the test values come from scimplan's own equivalent",
            known.file,
            sources.dir.display()
        ));
        return Ok(None);
    }
    match runscope::files::load_okta_script(sources.profile, key, sources.dir) {
        Ok((script, local)) => {
            warnings.extend(local.mismatch_warning());
            Ok(Some(script))
        }
        Err(why) => {
            notes.push(format!(
                "{} could not be had ({why}): the test values come from scimplan's own equivalent",
                known.file
            ));
            Ok(None)
        }
    }
}

/// Okta's SPEC file against `connection`, its values from the initial script, and the
/// Entitlements file once per endpoint in `endpoints`.
pub fn spec_options(
    sources: Sources<'_>,
    connection: &Connection,
    endpoints: &[String],
) -> Result<Prepared<SpecOptions>, String> {
    let (mut warnings, mut notes) = (Vec::new(), Vec::new());
    let (file, pinned) = test_file(&sources, file_key(SuiteKind::Spec, false), &mut warnings)?;
    let mut options = SpecOptions::new(connection.auth.clone(), file)?;
    options.expected_sha256 = pinned;
    let mut script_log = Vec::new();
    let key = script_key(SuiteKind::Spec).expect("the SPEC file has an initial script");
    if let Some(script) = initial_script(&sources, key, &mut warnings, &mut notes)? {
        script_log = options.use_initial_script(script, &connection.base_url)?;
    }
    if !endpoints.is_empty() {
        let key = file_key(SuiteKind::Entitlements, true);
        let (entitlements, _) = runscope::files::load_okta(sources.profile, key, sources.dir)?;
        options.entitlements = Some(entitlements);
        options.entitlement_endpoints = endpoints.to_vec();
    }
    Ok(Prepared {
        options,
        told: Told {
            warnings,
            notes,
            script_log,
        },
    })
}

/// Okta's CRUD file (the With-Entitlements one for an integration that manages entitlements)
/// against `okta` and `connection`, its values from the initial script.
pub fn crud_options(
    sources: Sources<'_>,
    session: &Session,
    connection: &Connection,
    okta: OktaConnection,
) -> Result<Prepared<CrudOptions>, String> {
    let (mut warnings, mut notes) = (Vec::new(), Vec::new());
    let key = file_key_for(session, SuiteKind::Crud);
    let (file, pinned) = test_file(&sources, key, &mut warnings)?;
    let mut options = CrudOptions::new(okta, file)?;
    options.expected_sha256 = pinned;
    let mut script_log = Vec::new();
    let key = script_key(SuiteKind::Crud).expect("the CRUD file has an initial script");
    if let Some(script) = initial_script(&sources, key, &mut warnings, &mut notes)? {
        script_log = options.use_initial_script(script, &connection.base_url)?;
    }
    Ok(Prepared {
        options,
        told: Told {
            warnings,
            notes,
            script_log,
        },
    })
}
