//! `scimplan connect PLAN --scim-url URL` and/or `--okta-org URL --okta-app-id ID`: the app's
//! SCIM connection and the tester's Okta org (checked at once: the app, its provisioning),
//! saved in the session without any secret; and reading the saved SCIM connection back, with
//! its secret from the environment, for the commands that use it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;

use super::common::{Common, EXIT_ERROR, Failure, save, usage_error};
use super::doctor::{network_settings, note_dropped, print_network};
use super::open::open;
use super::prompt::masked_prompt;
use crate::net::Secret;
use crate::okta::{OktaClient, OktaError, check_app, credential_for, token_from_env};
use crate::session::{NetworkSettings, OKTA_SCOPES, OKTA_TOKEN_ENV, OktaAuth, OktaConnection};
use crate::verify::{AuthScheme, Connection, VerifyError};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["scim_url", "okta_org"])))]
pub struct ConnectArgs {
    /// The plan workbook.
    pub plan: PathBuf,
    /// The SCIM base URL, e.g. https://app.example.com/scim/v2
    #[arg(long, value_name = "URL")]
    pub scim_url: Option<String>,
    /// The Okta org, e.g. https://dev-123456.okta.com (the -admin address works too);
    /// checked at once with the API token from SCIMPLAN_OKTA_TOKEN (or a prompt).
    #[arg(long, value_name = "URL", requires = "okta_app_id")]
    pub okta_org: Option<String>,
    /// The app instance's id (0oa..., in the app's Admin Console URL).
    #[arg(long, value_name = "ID", requires = "okta_org")]
    pub okta_app_id: Option<String>,
    /// Sign in to Okta as this OAuth 2.0 service app (client credentials with a private-key
    /// JWT) instead of an API token.
    #[arg(long, value_name = "CLIENT_ID", requires_all = ["okta_org", "okta_key_file"])]
    pub okta_client_id: Option<String>,
    /// The service app's private key (PEM, RSA or P-256); read when needed, never copied.
    #[arg(long, value_name = "FILE", requires = "okta_client_id")]
    pub okta_key_file: Option<PathBuf>,
    /// The key's id (kid) in the service app's public keys, when it has several.
    #[arg(long, value_name = "KID", requires = "okta_client_id")]
    pub okta_key_id: Option<String>,
    /// bearer, basic or header:NAME (a custom header carrying the token).
    #[arg(long, default_value = "bearer")]
    pub auth: String,
    /// The Basic auth username.
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// A certificate authority to trust besides the system's trust store (a PEM file;
    /// repeatable), for the SCIM app and/or Okta org given here; the Runscope API uses the
    /// CA files of both. The path is saved and the file read each time.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,
    /// Reach the SCIM app and/or Okta org given here through this proxy instead of
    /// HTTPS_PROXY/HTTP_PROXY (NO_PROXY still applies). Without credentials: a proxy that
    /// needs them is given in HTTPS_PROXY, which is never saved.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

/// Saves the SCIM connection and/or the Okta org given; the exit code is the worse of the two.
pub fn run(common: &Common, args: ConnectArgs) -> Result<u8, Failure> {
    let ConnectArgs {
        plan,
        scim_url,
        okta_org,
        okta_app_id,
        okta_client_id,
        okta_key_file,
        okta_key_id,
        auth,
        username,
        ca_certs,
        proxy,
    } = args;
    let network = network_settings(&ca_certs, proxy.as_deref())?;
    let mut code = 0;
    if let Some(scim_url) = scim_url {
        code = connect_scim(&plan, common, &scim_url, &auth, username, &network)?;
    }
    if let Some(org) = okta_org {
        let service_app = okta_client_id.map(|client_id| ServiceAppArgs {
            client_id,
            key_file: okta_key_file.unwrap_or_default(),
            key_id: okta_key_id,
        });
        code = code.max(connect_okta(
            &plan,
            common,
            &org,
            okta_app_id.as_deref(),
            service_app,
            &network,
        )?);
    }
    Ok(code)
}

/// `--scim-url`: stores the connection settings (never the secret) in the session.
fn connect_scim(
    plan: &Path,
    common: &Common,
    scim_url: &str,
    auth: &str,
    username: Option<String>,
    network: &NetworkSettings,
) -> Result<u8, Failure> {
    let auth = AuthScheme::parse(auth)?;
    let connection =
        Connection::new(scim_url, auth.clone(), username)?.with_network(network.clone());
    let mut ws = open(plan, common)?;
    let before = ws.session().verify().connection.clone();
    ws.apply(crate::session::Command::Connection(Some(
        connection.clone(),
    )));
    save(&mut ws)?;
    println!("SCIM connection saved: {}", connection.base_url);
    if let Some(before) = before {
        note_dropped(&before.network, &connection.network);
    }
    if let Some(warning) = connection.plain_http_warning() {
        eprintln!("warning: {warning}");
    }
    println!("auth: {}", connection.describe_auth());
    print_network(&connection.network);
    let var = auth.secret_env();
    let set = if std::env::var_os(var).is_some() {
        "set"
    } else {
        "not set yet"
    };
    println!("secret: read from {var} ({set}) when checks run; never saved.");
    Ok(0)
}

/// The saved SCIM connection, and its secret from the environment.
pub(super) fn connection_and_secret(ws: &Workspace) -> Result<(Connection, Secret), Failure> {
    let connection = ws
        .session()
        .verify()
        .connection
        .clone()
        .ok_or(VerifyError::NoConnection)?;
    let secret = Secret::from_env(&connection.auth)?;
    Ok((connection, secret))
}

/// `--okta-client-id`, `--okta-key-file`, `--okta-key-id`.
struct ServiceAppArgs {
    client_id: String,
    key_file: std::path::PathBuf,
    key_id: Option<String>,
}

/// Checks the org and the app with the token, then saves the connection (never the token).
/// Nothing is saved when the check fails: an earlier connection stays as it was.
fn connect_okta(
    plan: &Path,
    common: &Common,
    org: &str,
    app_id: Option<&str>,
    service_app: Option<ServiceAppArgs>,
    network: &NetworkSettings,
) -> Result<u8, Failure> {
    let Some(app_id) = app_id else {
        return Err(usage_error(
            "--okta-org needs --okta-app-id ID: the app instance's id, shown in its Admin Console URL (…/instance/0oa…/).",
        ));
    };
    let auth = match service_app {
        None => OktaAuth::ApiToken,
        Some(args) => {
            // Kept absolute, so later commands find the key from any folder.
            let key_file = std::path::absolute(&args.key_file).unwrap_or(args.key_file);
            OktaAuth::ServiceApp {
                client_id: args.client_id.trim().to_string(),
                key_file: key_file.display().to_string(),
                key_id: args.key_id,
                scopes: OKTA_SCOPES.iter().map(|s| s.to_string()).collect(),
            }
        }
    };
    let connection = OktaConnection::new(org, app_id, auth)?.with_network(network.clone());
    let mut ws = open(plan, common)?;
    let token = match connection.auth {
        OktaAuth::ApiToken => Some(okta_token()?),
        OktaAuth::ServiceApp { .. } => None,
    };
    println!(
        "Okta org: {} (app {})",
        connection.org_url, connection.app_id
    );
    println!("signing in with: {}", connection.auth.label());
    print_network(&connection.network);
    let client = match credential_for(&connection, token) {
        Ok(credential) => OktaClient::new(&connection, credential)?
            .with_progress(|progress| eprintln!("  {}", progress.describe())),
        Err(error) => {
            eprintln!("error: {}", explain(&error));
            eprintln!("The Okta connection was not saved.");
            return Ok(EXIT_ERROR);
        }
    };
    let check = match check_app(&client) {
        Ok(check) => check,
        Err(error) => {
            eprintln!("error: {}", explain(&error));
            eprintln!("The Okta connection was not saved.");
            return Ok(EXIT_ERROR);
        }
    };
    for line in check.lines() {
        println!("{line}");
    }
    let mut connection = connection;
    connection.app_name = check.app.name.clone();
    let before = ws.session().verify().okta.clone();
    ws.apply(crate::session::Command::OktaConnection(Some(
        connection.clone(),
    )));
    save(&mut ws)?;
    if let Some(before) = before {
        note_dropped(&before.network, &connection.network);
    }
    match &connection.auth {
        OktaAuth::ApiToken => println!(
            "Okta connection saved. Token: read from {OKTA_TOKEN_ENV} (or asked) when needed; never saved."
        ),
        OktaAuth::ServiceApp { key_file, .. } => println!(
            "Okta connection saved. The private key stays in {key_file}: read when needed, never copied."
        ),
    }
    if !check.provisioning_on() {
        eprintln!(
            "warning: provisioning is off for {}: the cases that check Okta's provisioning cannot pass until it is on.",
            check.app.label
        );
    }
    Ok(0)
}

/// Okta's errors, with the next step for the ones a tester meets when connecting.
fn explain(error: &OktaError) -> String {
    error.to_string()
}

/// The token from `SCIMPLAN_OKTA_TOKEN`, else a masked prompt on the terminal.
fn okta_token() -> Result<Secret, Failure> {
    if let Some(token) = token_from_env() {
        return Ok(token);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(usage_error(format!(
            "the Okta API token is not set: export {OKTA_TOKEN_ENV} (it is read from the environment, or asked on a terminal, and never saved)."
        )));
    }
    let token = masked_prompt("Okta API token (input hidden): ")
        .map_err(|e| usage_error(format!("cannot read the token: {e}")))?;
    if token.trim().is_empty() {
        return Err(usage_error(format!(
            "no token given. Export {OKTA_TOKEN_ENV} or type the token at the prompt."
        )));
    }
    Ok(Secret::new(token.trim()))
}
