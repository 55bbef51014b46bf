//! The SCIM connection form: base URL, auth scheme, and the scheme's username or header name.
//! Only these settings are saved in the session; the secret is asked for (masked) when a check
//! needs it and stays in memory.

use tui_input::Input;

use tui_input::InputRequest;

use super::action::Action;
use super::model::{Job, Model, Overlay};
use super::update::edit_line;
use super::wire;
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
}

pub struct ConnectionForm {
    pub url: Input,
    pub scheme: SchemeChoice,
    /// Kept apart from the header name so switching schemes loses nothing typed.
    pub username: Input,
    pub header: Input,
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

    /// The fields on screen, top to bottom: the name field only when the scheme has one.
    pub fn fields(&self) -> Vec<Field> {
        match self.scheme {
            SchemeChoice::Bearer => vec![Field::Url, Field::Scheme],
            _ => vec![Field::Url, Field::Scheme, Field::Name],
        }
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
            _ => None,
        }
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
    let form = ConnectionForm::new(m.ws.store.session.verify.connection.as_ref());
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
            match form.focused_input() {
                // In a text field the same keys move the cursor.
                Some(input) => {
                    input.handle(if forward {
                        InputRequest::GoToNextChar
                    } else {
                        InputRequest::GoToPrevChar
                    });
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
    let connection = match form.connection() {
        Ok(connection) => connection,
        Err(e) => return m.error(e.to_string()),
    };
    m.pop();
    let verify = &mut m.ws.store.session.verify;
    if verify.connection.as_ref() == Some(&connection) {
        m.info("Connection unchanged.");
    } else {
        // A typed secret belongs to the connection it was typed for.
        m.secret = None;
        verify.connection = Some(connection.clone());
        m.commit();
        let var = connection.auth.secret_env();
        let secret = if m.secrets_from_env && std::env::var_os(var).is_some() {
            format!("the secret comes from {var}")
        } else {
            "the secret is asked for when a check runs (never saved)".to_string()
        };
        match connection.plain_http_warning() {
            Some(warning) => m.error(format!("Saved, but {warning}")),
            None => m.info(format!(
                "SCIM connection saved: {} ({}); {secret}.",
                connection.base_url,
                connection.describe_auth()
            )),
        }
    }
    if let Job::NeedsConnection(target) = std::mem::take(&mut m.job) {
        wire::verify(m, target);
    }
}
