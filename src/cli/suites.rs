//! `scimplan suites PLAN [--spec-link URL] [--crud-link URL] [--entitlements-link URL]
//! [--integration KIND]`: records the Runscope result links the OIN Wizard asks for, and how
//! the integration is built.

use std::path::PathBuf;

use clap::Args;

use super::common::{Common, Failure, save, usage_error};
use super::open::open;
use crate::plan::profile::IntegrationKind;
use crate::report::assess;
use crate::session::{Command, SuiteKind, check_result_link};

#[derive(Debug, Args)]
pub struct SuiteLinkArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// Link to the SPEC test results.
    #[arg(long, value_name = "URL")]
    pub spec_link: Option<String>,
    /// Link to the CRUD test results.
    #[arg(long, value_name = "URL")]
    pub crud_link: Option<String>,
    /// Link to the Entitlements test results (integrations that manage entitlements).
    #[arg(long, value_name = "URL")]
    pub entitlements_link: Option<String>,
    /// How the integration is built: scim, or actions (API integration actions, which need
    /// no Runscope link); for a plan the profile does not know.
    #[arg(long, value_name = "KIND")]
    pub integration: Option<String>,
}

pub fn run(common: &Common, args: SuiteLinkArgs) -> Result<u8, Failure> {
    // Checked before anything is opened or written: a link Okta would not take changes nothing.
    let mut links = Vec::new();
    for (suite, link) in [
        (SuiteKind::Spec, args.spec_link),
        (SuiteKind::Crud, args.crud_link),
        (SuiteKind::Entitlements, args.entitlements_link),
    ] {
        if let Some(link) = link {
            let link = check_result_link(&format!("--{}-link", suite.key()), &link)?;
            links.push((suite, link));
        }
    }
    let integration = match args.integration.as_deref() {
        None => None,
        Some(text) => Some(IntegrationKind::parse(text).ok_or_else(|| {
            usage_error(format!(
                "--integration {text}: give scim (a SCIM server) or actions (built with API integration actions)."
            ))
        })?),
    };
    let mut ws = open(&args.plan, common)?;
    let changed = !links.is_empty() || integration.is_some();
    if let Some(kind) = integration {
        ws.apply(Command::Integration(Some(kind)));
    }
    for (suite, link) in links {
        ws.apply(Command::SuiteLink { suite, link });
    }
    if changed {
        save(&mut ws)?;
    }
    let readiness = assess(&ws.plan, &ws.reqs, ws.session());
    println!("Integration: {}", readiness.integration.describe());
    if readiness.suites.is_empty() {
        println!("No Runscope link is asked of this kind of integration.");
    }
    for suite in &readiness.suites {
        println!("{}: {}", suite.name(), suite.describe());
    }
    for item in &readiness.own_items {
        println!("Your own item: {item}");
    }
    for warning in &readiness.warnings {
        if let crate::report::readiness::Warning::KindNotAsDeclared { .. } = warning {
            eprintln!("warning: {}", warning.describe());
        }
    }
    Ok(0)
}
