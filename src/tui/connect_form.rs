//! The connection form: the app's SCIM API (base URL, auth scheme, the scheme's username or
//! header name) and the tester's Okta org (org URL, app instance id, API token or OAuth service
//! app). Only these settings are saved in the session; secrets are asked for (masked) when
//! needed and stay in memory. The Okta part is checked against the org before it is saved.

use tui_input::Input;

use tui_input::InputRequest;

use super::action::Action;
use super::model::{Job, Model, Overlay};
use super::update::edit_line;
use super::wire;
use crate::session::{OKTA_SCOPES, OktaAuth, OktaConnection};
use crate::verify::{AuthScheme, Connection, VerifyError};

/// The auth schemes in the order the form offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeChoice {
    Bearer,
    Basic,
    Header,
}

impl SchemeChoice {
    pub const ALL: [SchemeChoice; 3] = [
        SchemeChoice::Bearer,
        SchemeChoice::Basic,
        SchemeChoice::Header,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SchemeChoice::Bearer => "Bearer token",
            SchemeChoice::Basic => "Basic",
            SchemeChoice::Header => "Custom header",
        }
    }

    fn step(self, forward: bool) -> SchemeChoice {
        let at = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        let n = Self::ALL.len();
        Self::ALL[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Url,
    Scheme,
    /// The Basic username or the custom header's name.
    Name,
    OktaOrg,
    OktaApp,
    OktaSignIn,
    ClientId,
    KeyFile,
}

/// How scimplan signs in to Okta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OktaSignIn {
    ApiToken,
    ServiceApp,
}

impl OktaSignIn {
    pub const ALL: [OktaSignIn; 2] = [OktaSignIn::ApiToken, OktaSignIn::ServiceApp];

    pub fn label(self) -> &'static str {
        match self {
            OktaSignIn::ApiToken => "API token",
            OktaSignIn::ServiceApp => "OAuth service app",
        }
    }
}

pub struct ConnectionForm {
    pub url: Input,
    pub scheme: SchemeChoice,
    /// Kept apart from the header name so switching schemes loses nothing typed.
    pub username: Input,
    pub header: Input,
    pub okta_org: Input,
    pub okta_app: Input,
    pub okta_sign_in: OktaSignIn,
    pub client_id: Input,
    /// The service app's private key (PEM): the path only, read when needed.
    pub key_file: Input,
    pub field: Field,
}

impl ConnectionForm {
    /// A form holding the saved settings, if any.
    pub fn new(saved: Option<&Connection>) -> ConnectionForm {
        let mut form = ConnectionForm {
            url: Input::default(),
            scheme: SchemeChoice::Bearer,
            username: Input::default(),
            header: Input::default(),
            okta_org: Input::default(),
            okta_app: Input::default(),
            okta_sign_in: OktaSignIn::ApiToken,
            client_id: Input::default(),
            key_file: Input::default(),
            field: Field::Url,
        };
        if let Some(saved) = saved {
            form.url = Input::new(saved.base_url.clone());
            form.scheme = match &saved.auth {
                AuthScheme::Bearer => SchemeChoice::Bearer,
                AuthScheme::Basic => SchemeChoice::Basic,
                AuthScheme::Header { name } => {
                    form.header = Input::new(name.clone());
                    SchemeChoice::Header
                }
            };
            if let Some(user) = &saved.username {
                form.username = Input::new(user.clone());
            }
        }
        form
    }

    /// The form holding the saved Okta settings too.
    pub fn with_okta(mut self, saved: Option<&OktaConnection>) -> ConnectionForm {
        if let Some(saved) = saved {
            self.okta_org = Input::new(saved.org_url.clone());
            self.okta_app = Input::new(saved.app_id.clone());
            if let OktaAuth::ServiceApp {
                client_id,
                key_file,
                ..
            } = &saved.auth
            {
                self.okta_sign_in = OktaSignIn::ServiceApp;
                self.client_id = Input::new(client_id.clone());
                self.key_file = Input::new(key_file.clone());
            }
        }
        self
    }

    /// The fields on screen, top to bottom: the name field only when the scheme has one, the
    /// service app's fields only when it signs in to Okta.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = match self.scheme {
            SchemeChoice::Bearer => vec![Field::Url, Field::Scheme],
            _ => vec![Field::Url, Field::Scheme, Field::Name],
        };
        fields.extend([Field::OktaOrg, Field::OktaApp, Field::OktaSignIn]);
        if self.okta_sign_in == OktaSignIn::ServiceApp {
            fields.extend([Field::ClientId, Field::KeyFile]);
        }
        fields
    }

    /// The label of the name field, when the scheme has one.
    pub fn name_label(&self) -> Option<&'static str> {
        match self.scheme {
            SchemeChoice::Bearer => None,
            SchemeChoice::Basic => Some("Username"),
            SchemeChoice::Header => Some("Header name (e.g. X-API-Key)"),
        }
    }

    /// The text field of the name, when the scheme has one.
    pub fn name_input(&self) -> Option<&Input> {
        match self.scheme {
            SchemeChoice::Bearer => None,
            SchemeChoice::Basic => Some(&self.username),
            SchemeChoice::Header => Some(&self.header),
        }
    }

    fn focused_input(&mut self) -> Option<&mut Input> {
        match (self.field, self.scheme) {
            (Field::Url, _) => Some(&mut self.url),
            (Field::Name, SchemeChoice::Basic) => Some(&mut self.username),
            (Field::Name, SchemeChoice::Header) => Some(&mut self.header),
            (Field::OktaOrg, _) => Some(&mut self.okta_org),
            (Field::OktaApp, _) => Some(&mut self.okta_app),
            (Field::ClientId, _) => Some(&mut self.client_id),
            (Field::KeyFile, _) => Some(&mut self.key_file),
            _ => None,
        }
    }

    /// The Okta connection the form describes: `None` when no org is given.
    pub fn okta_connection(&self) -> Result<Option<OktaConnection>, String> {
        let org = self.okta_org.value().trim();
        let app = self.okta_app.value().trim();
        if org.is_empty() {
            if !app.is_empty() {
                return Err("Type the Okta org URL too, e.g. https://dev-123456.okta.com".into());
            }
            return Ok(None);
        }
        if app.is_empty() {
            return Err("Type the Okta app instance id: the 0oa… in the app's Admin Console URL (…/instance/0oa…/).".into());
        }
        let auth = match self.okta_sign_in {
            OktaSignIn::ApiToken => OktaAuth::ApiToken,
            OktaSignIn::ServiceApp => {
                let client_id = self.client_id.value().trim();
                let key_file = self.key_file.value().trim();
                if client_id.is_empty() || key_file.is_empty() {
                    return Err("An OAuth service app needs its client id and the path of its private key file (PEM).".into());
                }
                let key_file = std::path::absolute(key_file)
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| key_file.to_string());
                OktaAuth::ServiceApp {
                    client_id: client_id.to_string(),
                    key_file,
                    key_id: None,
                    scopes: OKTA_SCOPES.iter().map(|s| s.to_string()).collect(),
                }
            }
        };
        OktaConnection::new(org, app, auth)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    fn move_focus(&mut self, forward: bool) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let n = fields.len();
        self.field = fields[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
    }

    /// The connection the form describes, or what is wrong with it.
    pub fn connection(&self) -> Result<Connection, VerifyError> {
        let url = self.url.value().trim();
        if url.is_empty() {
            return Err(VerifyError::Settings(
                "Type the SCIM base URL, e.g. https://app.example.com/scim/v2".into(),
            ));
        }
        let (auth, username) = match self.scheme {
            SchemeChoice::Bearer => (AuthScheme::Bearer, None),
            SchemeChoice::Basic => {
                let user = self.username.value().trim();
                if user.is_empty() {
                    return Err(VerifyError::Settings(
                        "Basic auth needs a username: type it in the Username field.".into(),
                    ));
                }
                (AuthScheme::Basic, Some(user.to_string()))
            }
            SchemeChoice::Header => {
                let name = self.header.value().trim();
                if name.is_empty() {
                    return Err(VerifyError::Settings(
                        "Type the name of the header that carries the token, e.g. X-API-Key."
                            .into(),
                    ));
                }
                (AuthScheme::parse(&format!("header:{name}"))?, None)
            }
        };
        Ok(Connection::new(url, auth, username)?)
    }
}

/// Opens the form over what is on screen, filled with the saved settings.
pub fn open(m: &mut Model) {
    let verify = m.ws.session().verify();
    let form = ConnectionForm::new(verify.connection.as_ref()).with_okta(verify.okta.as_ref());
    m.push(Overlay::Connection(form));
}

/// The form's keys (from the keymap's connection table): fields, the scheme choice, Enter
/// saves, Esc cancels; other keys type into the focused field.
pub fn update(m: &mut Model, action: Action) {
    let Some(Overlay::Connection(form)) = m.top_mut() else {
        return;
    };
    match action {
        Action::NextField => form.move_focus(true),
        Action::PrevField => form.move_focus(false),
        Action::NextChoice | Action::PrevChoice => {
            let forward = action == Action::NextChoice;
            let on_sign_in = form.field == Field::OktaSignIn;
            match form.focused_input() {
                // In a text field the same keys move the cursor.
                Some(input) => {
                    input.handle(if forward {
                        InputRequest::GoToNextChar
                    } else {
                        InputRequest::GoToPrevChar
                    });
                }
                None if on_sign_in => {
                    form.okta_sign_in = match form.okta_sign_in {
                        OktaSignIn::ApiToken => OktaSignIn::ServiceApp,
                        OktaSignIn::ServiceApp => OktaSignIn::ApiToken,
                    }
                }
                None => form.scheme = form.scheme.step(forward),
            }
        }
        Action::Submit => submit(m),
        Action::Cancel => {
            m.pop();
            if matches!(m.job, Job::NeedsConnection(_)) {
                wire::abandon(m);
            } else {
                m.info("Connection unchanged.");
            }
        }
        other => {
            if let Some(input) = form.focused_input() {
                edit_line(input, &other);
            }
        }
    }
}

fn submit(m: &mut Model) {
    let Some(Overlay::Connection(form)) = m.top() else {
        return;
    };
    let okta = match form.okta_connection() {
        Ok(okta) => okta,
        Err(why) => return m.error(why),
    };
    // The Okta part alone may be saved (or removed): the SCIM part is then left as it is.
    let okta_part = okta.is_some() || m.ws.session().verify().okta.is_some();
    let scim = if form.url.value().trim().is_empty() && okta_part {
        None
    } else {
        match form.connection() {
            Ok(connection) => Some(connection),
            Err(e) => return m.error(e.to_string()),
        }
    };
    m.pop();
    let mut said = Vec::new();
    if let Some(connection) = scim {
        said.push(save_scim(m, connection));
    }
    let saved = m.ws.session().verify().okta.clone();
    let same = |a: &OktaConnection, b: &OktaConnection| {
        a.org_url == b.org_url && a.app_id == b.app_id && a.auth == b.auth
    };
    match (okta, saved) {
        (None, Some(_)) => {
            m.ws.apply(crate::session::Command::OktaConnection(None));
            m.after_change();
            said.push("Okta connection removed.".to_string());
        }
        (Some(new), Some(old)) if same(&new, &old) && old.app_name.is_some() => {
            said.push("Okta connection unchanged.".to_string());
        }
        (Some(new), _) => {
            super::okta::connect(m, new);
            // The check's progress (or the token prompt's reason) follows what was saved.
            if let Some(message) = m.message.take() {
                said.push(message.text.clone());
                let text = said.join(" ");
                if message.error {
                    m.error(text);
                } else {
                    m.info(text);
                }
                said.clear();
            }
        }
        (None, None) => {}
    }
    if !said.is_empty() {
        let text = said.join(" ");
        if text.contains("Saved, but") {
            m.error(text);
        } else {
            m.info(text);
        }
    }
    if let Job::NeedsConnection(target) = std::mem::take(&mut m.job) {
        wire::verify(m, target);
    }
}

/// Saves the SCIM part; what to tell the tester.
fn save_scim(m: &mut Model, connection: Connection) -> String {
    if m.ws.session().verify().connection.as_ref() == Some(&connection) {
        return "Connection unchanged.".to_string();
    }
    // A typed secret belongs to the connection it was typed for.
    m.secret = None;
    m.ws.apply(crate::session::Command::Connection(Some(
        connection.clone(),
    )));
    m.after_change();
    let var = connection.auth.secret_env();
    let secret = if m.secrets_from_env && std::env::var_os(var).is_some() {
        format!("the secret comes from {var}")
    } else {
        "the secret is asked for when a check runs (never saved)".to_string()
    };
    match connection.plain_http_warning() {
        Some(warning) => format!("Saved, but {warning}"),
        None => format!(
            "SCIM connection saved: {} ({}); {secret}.",
            connection.base_url,
            connection.describe_auth()
        ),
    }
}
