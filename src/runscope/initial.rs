//! The variables a Runscope run starts with: those the tester types into Runscope's environment
//! (from scimplan's connections, formatted as Okta's instructions ask) and the random test values
//! of the environment's initial script: Okta's `Initial_Script_*.txt` (or a tester's own) run as
//! written in the script engine, as Runscope runs it; without the script, scimplan's own
//! equivalent (`spec_values`, `crud_values`: the same names and shapes, made natively).

use std::path::Path;

use super::script::{self, ScriptInput};
use super::template::Variables;

/// An initial script, as the tester pastes it into Runscope's environment.
#[derive(Debug, Clone, PartialEq)]
pub struct InitialScript {
    /// Where it was read from, for messages.
    pub path: String,
    pub text: String,
}

impl InitialScript {
    pub fn load(path: &Path) -> Result<InitialScript, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the initial script: {e}", path.display()))?;
        Ok(InitialScript {
            path: path.display().to_string(),
            text,
        })
    }

    /// Runs the script with the environment's `variables` (as Runscope runs it, after the
    /// initial variables are set): the variables it set, and what it logged.
    pub fn run(&self, variables: &Variables) -> Result<(Variables, Vec<String>), String> {
        let outcome = script::run(
            &self.text,
            "initial script",
            &ScriptInput {
                variables,
                request: None,
                response: None,
            },
        );
        match outcome.error {
            Some(error) => Err(format!(
                "{}: the initial script failed, {}",
                self.path,
                error.describe()
            )),
            None => Ok((outcome.set.into_iter().collect(), outcome.log)),
        }
    }
}

/// Which of Okta's initial scripts a run's test values stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuesKind {
    Spec,
    Crud,
}

impl ValuesKind {
    /// Fresh values from scimplan's own equivalent of Okta's script.
    fn own_values(self) -> Variables {
        let mut rng = fastrand::Rng::new();
        match self {
            ValuesKind::Spec => spec_values(&mut rng),
            ValuesKind::Crud => crud_values(&mut rng),
        }
    }
}

/// Where a run's random test values come from: an initial script run as written (with the
/// variables the environment holds when it runs), or scimplan's own equivalent of Okta's.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesSource {
    kind: ValuesKind,
    /// The script run as written; `None`: scimplan's own equivalent of Okta's.
    pub script: Option<InitialScript>,
    /// The variables the script runs with.
    variables: Variables,
}

impl ValuesSource {
    /// scimplan's own equivalent of Okta's script, and its first values.
    pub fn own(kind: ValuesKind) -> (ValuesSource, Variables) {
        let source = ValuesSource {
            kind,
            script: None,
            variables: Variables::new(),
        };
        (source, kind.own_values())
    }

    /// `script` run as written with `variables`: the source, its first values and what the
    /// script logged.
    pub fn script(
        kind: ValuesKind,
        script: InitialScript,
        variables: Variables,
    ) -> Result<(ValuesSource, Variables, Vec<String>), String> {
        let (values, log) = script.run(&variables)?;
        let source = ValuesSource {
            kind,
            script: Some(script),
            variables,
        };
        Ok((source, values, log))
    }

    /// New random values for another run of the file, made as the first ones were.
    pub fn fresh(&self) -> Variables {
        self.script
            .as_ref()
            .and_then(|script| script.run(&self.variables).ok())
            .map(|(values, _)| values)
            .unwrap_or_else(|| self.kind.own_values())
    }

    /// Where the test values come from, in a sentence.
    pub fn describe(&self) -> String {
        let (name, file) = match self.kind {
            ValuesKind::Spec => ("SPEC", "Initial_Script_Spec.txt"),
            ValuesKind::Crud => ("CRUD", "Initial_Script_CRUD.txt"),
        };
        match &self.script {
            Some(script) => format!("the initial script {}, run as written", script.path),
            None => format!(
                "scimplan's own equivalent of Okta's {name} initial script (the same names and shapes; give Okta's {file} with --initial-script to run it as written)"
            ),
        }
    }
}

/// The SPEC file's `auth` (and the CRUD file's `SCIMAuth`): the whole `Authorization` header
/// value, as Okta tells testers to enter it (`Bearer <token>`, `Basic <base64>`, or the raw token
/// when the app reads a header of its own: Okta's file still sends it as `Authorization`).
pub fn authorization_value(scheme: &AuthValue<'_>) -> String {
    match scheme {
        AuthValue::Bearer(token) => format!("Bearer {token}"),
        AuthValue::Basic { username, password } => {
            use base64::Engine as _;
            let pair = format!("{username}:{password}");
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        }
        AuthValue::Raw(token) => token.to_string(),
    }
}

/// The CRUD file's initial variables, as Okta's CRUD instructions ask testers to enter them:
/// `oktaOrgUrl` (`https://dev-123456.okta.com`, no trailing slash), `oktaAppId`, `oktaToken`
/// (the API token; the file sends `SSWS {{oktaToken}}` itself), `SCIMUrl` (no trailing slash),
/// `SCIMAuth` (the whole Authorization value, like the SPEC file's `auth`), plus the random values
/// of Okta's CRUD initial script.
pub fn crud_variables(
    okta_org_url: &str,
    okta_app_id: &str,
    okta_token: &str,
    scim_url: &str,
    scim_auth: &str,
    rng: &mut fastrand::Rng,
) -> Variables {
    with_crud_connections(
        crud_values(rng),
        okta_org_url,
        okta_app_id,
        okta_token,
        scim_url,
        scim_auth,
    )
}

/// The CRUD file's random `values` with the variables of both connections added.
pub fn with_crud_connections(
    values: Variables,
    okta_org_url: &str,
    okta_app_id: &str,
    okta_token: &str,
    scim_url: &str,
    scim_auth: &str,
) -> Variables {
    let mut v = values;
    v.insert(
        "oktaOrgUrl".into(),
        okta_org_url.trim().trim_end_matches('/').to_string(),
    );
    v.insert("oktaAppId".into(), okta_app_id.trim().to_string());
    v.insert("oktaToken".into(), okta_token.to_string());
    v.insert(
        "SCIMUrl".into(),
        scim_url.trim().trim_end_matches('/').to_string(),
    );
    v.insert("SCIMAuth".into(), scim_auth.to_string());
    v
}

/// The whole Authorization value for the SCIM connection (SPEC's `auth`, CRUD's `SCIMAuth`).
/// An app reading a header of its own still gets the token as `Authorization`, exactly as in
/// Runscope: Okta's files always send that header.
pub fn scim_authorization(connection: &crate::session::Connection, secret: &str) -> String {
    use crate::session::AuthScheme;
    authorization_value(&match &connection.auth {
        AuthScheme::Bearer => AuthValue::Bearer(secret),
        AuthScheme::Basic => AuthValue::Basic {
            username: connection.username.as_deref().unwrap_or_default(),
            password: secret,
        },
        AuthScheme::Header { .. } => AuthValue::Raw(secret),
    })
}

pub enum AuthValue<'a> {
    Bearer(&'a str),
    Basic {
        username: &'a str,
        password: &'a str,
    },
    Raw(&'a str),
}

/// The random values Okta's SPEC initial script (`Initial_Script_Spec.txt`) sets, same shapes:
/// given name `Runscope` + 3 digits; family name one capital, 8 small letters, 3 digits;
/// userName = email = both + `@atko.com`; an upper-case copy; two fixed values.
pub fn spec_values(rng: &mut fastrand::Rng) -> Variables {
    let first = first_name(rng);
    let last = last_name(rng);
    let email = format!("{first}{last}@atko.com");
    let mut v = Variables::new();
    v.insert("randomGivenName".into(), first);
    v.insert("randomFamilyName".into(), last);
    v.insert("randomEmail".into(), email.clone());
    v.insert("randomUsername".into(), email.clone());
    v.insert("InvalidUserEmail".into(), "abcdefgh@atko.com".into());
    v.insert(
        "UserIdThatDoesNotExist".into(),
        "010101001010101011001010101011".into(),
    );
    v.insert("randomUsernameCaps".into(), email.to_uppercase());
    v
}

/// The values Okta's CRUD initial script (`Initial_Script_CRUD.txt`) sets, same shapes.
pub fn crud_values(rng: &mut fastrand::Rng) -> Variables {
    let first = first_name(rng);
    let last = last_name(rng);
    let email = format!("{first}{last}@atko.com");
    let update = format!("{first}update");
    let mut v = Variables::new();
    v.insert("okta_user_fullname".into(), format!("{first} {last}"));
    v.insert(
        "okta_user_fullname_update".into(),
        format!("{update} {last}"),
    );
    v.insert("okta_user_firstname_update".into(), update);
    v.insert("okta_user_firstname".into(), first);
    v.insert("okta_user_lastname".into(), last);
    v.insert("okta_user_email".into(), email);
    v.insert("okta_user_title".into(), "Engineer".into());
    v.insert("okta_user_primaryphone".into(), "415.123.4567".into());
    v
}

fn first_name(rng: &mut fastrand::Rng) -> String {
    let mut name = String::from("Runscope");
    for _ in 0..3 {
        name.push(rng.digit(10));
    }
    name
}

fn last_name(rng: &mut fastrand::Rng) -> String {
    let mut name = String::new();
    name.push(rng.uppercase());
    for _ in 0..8 {
        name.push(rng.lowercase());
    }
    for _ in 0..3 {
        name.push(rng.digit(10));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_values_have_the_shapes_of_okta_script() {
        let mut rng = fastrand::Rng::with_seed(7);
        let v = spec_values(&mut rng);
        let first = &v["randomGivenName"];
        let last = &v["randomFamilyName"];
        assert!(first.starts_with("Runscope") && first.len() == 11);
        assert!(first[8..].chars().all(|c| c.is_ascii_digit()));
        assert_eq!(last.len(), 12);
        assert!(last[..1].chars().all(|c| c.is_ascii_uppercase()));
        assert!(last[1..9].chars().all(|c| c.is_ascii_lowercase()));
        assert!(last[9..].chars().all(|c| c.is_ascii_digit()));
        assert_eq!(v["randomEmail"], format!("{first}{last}@atko.com"));
        assert_eq!(v["randomUsername"], v["randomEmail"]);
        assert_eq!(v["randomUsernameCaps"], v["randomEmail"].to_uppercase());
        assert_eq!(v["InvalidUserEmail"], "abcdefgh@atko.com");
        assert_eq!(v.len(), 7);
        let other = spec_values(&mut fastrand::Rng::with_seed(8));
        assert_ne!(other["randomEmail"], v["randomEmail"]);
    }

    #[test]
    fn crud_values_and_auth_header_values() {
        let v = crud_values(&mut fastrand::Rng::with_seed(1));
        assert_eq!(
            v["okta_user_firstname_update"],
            format!("{}update", v["okta_user_firstname"])
        );
        assert_eq!(
            v["okta_user_fullname"],
            format!("{} {}", v["okta_user_firstname"], v["okta_user_lastname"])
        );
        assert!(v["okta_user_email"].ends_with("@atko.com"));
        assert_eq!(authorization_value(&AuthValue::Bearer("t")), "Bearer t");
        assert_eq!(
            authorization_value(&AuthValue::Basic {
                username: "okta",
                password: "s3cr3t-token"
            }),
            "Basic b2t0YTpzM2NyM3QtdG9rZW4="
        );
        assert_eq!(authorization_value(&AuthValue::Raw("k")), "k");
        let crud = crud_variables(
            "https://dev-1.okta.com/",
            " 0oa1 ",
            "00tok",
            "https://app/scim/v2/",
            "Bearer t",
            &mut fastrand::Rng::with_seed(2),
        );
        assert_eq!(crud["oktaOrgUrl"], "https://dev-1.okta.com");
        assert_eq!(crud["oktaAppId"], "0oa1");
        assert_eq!(crud["SCIMUrl"], "https://app/scim/v2");
        assert_eq!(crud["SCIMAuth"], "Bearer t");
        assert!(crud.contains_key("okta_user_email"));
    }
}
