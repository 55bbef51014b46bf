//! The connection form: the app's SCIM API (base URL, auth scheme, the scheme's username or
//! header name) and the tester's Okta org (org URL, app instance id, API token or OAuth service
//! app). Only these settings are saved in the session; secrets are asked for (masked) when
//! needed and stay in memory. The Okta part is checked against the org before it is saved.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::{Input, InputRequest};

use crate::okta::{OktaError, check_app};
use crate::session::{OKTA_SCOPES, OKTA_TOKEN_ENV, OktaAuth, OktaConnection};
use crate::tui::action::{Action, JobEvent, VerifyTarget};
use crate::tui::draw::{Theme, centered, popup, with_hints};
use crate::tui::field::edit_line;
use crate::tui::job::{JobKind, Work};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};
use crate::tui::okta_access::{api_token, client, sign_in};
use crate::tui::overlays::prompt::{Prompt, Purpose};
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
    /// The check that waits for a connection: it carries on when the form is saved.
    pub then: Option<VerifyTarget>,
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
            then: None,
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

impl ConnectionForm {
    /// Opens the form over what is on screen, filled with the saved settings; `then` is a
    /// check waiting for the connection.
    pub fn open(m: &mut Model, then: Option<VerifyTarget>) {
        let verify = m.ws.session().verify();
        let mut form =
            ConnectionForm::new(verify.connection.as_ref()).with_okta(verify.okta.as_ref());
        form.then = then;
        m.push(form);
    }

    /// Enter: saves what the form describes (the Okta part once the org answered), or says
    /// what is wrong and stays open.
    fn submit(&mut self, m: &mut Model) -> Flow {
        // The form does not edit the network settings (`connect --ca-cert/--proxy`): they stay.
        let verify = m.ws.session().verify();
        let kept_scim = verify.connection.as_ref().map(|c| c.network.clone());
        let kept_okta = verify.okta.as_ref().map(|c| c.network.clone());
        let okta = match self.okta_connection() {
            Ok(okta) => okta.map(|c| c.with_network(kept_okta.unwrap_or_default())),
            Err(why) => {
                m.error(why);
                return Flow::Stay;
            }
        };
        // The Okta part alone may be saved (or removed): the SCIM part is then left as it is.
        let okta_part = okta.is_some() || m.ws.session().verify().okta.is_some();
        let scim = if self.url.value().trim().is_empty() && okta_part {
            None
        } else {
            match self.connection() {
                Ok(connection) => Some(connection.with_network(kept_scim.unwrap_or_default())),
                Err(e) => {
                    m.error(e.to_string());
                    return Flow::Stay;
                }
            }
        };
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
                connect_okta(m, new);
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
        match self.then.take() {
            Some(target) => Flow::Then(Action::Check(target)),
            None => Flow::Close,
        }
    }
}

/// The form's keys (from the keymap's connection table): fields, the scheme choice, Enter
/// saves, Esc cancels; other keys type into the focused field.
impl Overlay for ConnectionForm {
    fn mode(&self) -> Mode {
        Mode::ConnectionForm
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::NextField => self.move_focus(true),
            Action::PrevField => self.move_focus(false),
            Action::NextChoice | Action::PrevChoice => {
                let forward = action == Action::NextChoice;
                let on_sign_in = self.field == Field::OktaSignIn;
                match self.focused_input() {
                    // In a text field the same keys move the cursor.
                    Some(input) => {
                        input.handle(if forward {
                            InputRequest::GoToNextChar
                        } else {
                            InputRequest::GoToPrevChar
                        });
                    }
                    None if on_sign_in => {
                        self.okta_sign_in = match self.okta_sign_in {
                            OktaSignIn::ApiToken => OktaSignIn::ServiceApp,
                            OktaSignIn::ServiceApp => OktaSignIn::ApiToken,
                        }
                    }
                    None => self.scheme = self.scheme.step(forward),
                }
            }
            Action::Submit => return self.submit(m),
            Action::Cancel => {
                return match self.then.take() {
                    Some(target) => Flow::Then(Action::CheckDropped(target)),
                    None => {
                        m.info("Connection unchanged.");
                        Flow::Close
                    }
                };
            }
            other => {
                if let Some(input) = self.focused_input() {
                    edit_line(input, &other);
                }
            }
        }
        Flow::Stay
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let form = self;
        let theme = Theme::of(model);
        let service_app = form.okta_sign_in == OktaSignIn::ServiceApp;
        let height = if service_app { 26 } else { 22 };
        let outer = centered(area, 78, height);
        let inner = popup(model, frame, outer, "Connections".into());
        let body = with_hints(model, frame, inner, Mode::ConnectionForm);
        let marker = |field: Field| {
            if form.field == field {
                Span::styled("> ", theme.accent().add_modifier(Modifier::BOLD))
            } else {
                Span::raw("  ")
            }
        };
        let label = |field: Field, text: &str| {
            let style = if form.field == field {
                theme.accent().add_modifier(Modifier::BOLD)
            } else {
                theme.dim()
            };
            Line::from(vec![marker(field), Span::styled(text.to_string(), style)])
        };
        let value = |input: &tui_input::Input| {
            Line::from(vec![
                Span::raw("    "),
                Span::styled(input.value().to_string(), theme.bold()),
            ])
        };
        let choices = |labels: Vec<(&'static str, bool)>| {
            let mut spans = vec![Span::raw("    ")];
            for (text, chosen) in labels {
                spans.push(if chosen {
                    Span::styled(
                        format!("(•) {text}"),
                        theme.bold().add_modifier(Modifier::BOLD),
                    )
                } else {
                    Span::styled(format!("( ) {text}"), theme.dim())
                });
                spans.push(Span::raw("   "));
            }
            Line::from(spans)
        };
        let choose = model
            .keymap
            .keys_for(Mode::ConnectionForm, &Action::PrevChoice)
            + "/"
            + &model
                .keymap
                .keys_for(Mode::ConnectionForm, &Action::NextChoice);
        // Rows of the text fields, for the cursor.
        let mut rows: Vec<(Field, usize, &tui_input::Input)> = Vec::new();
        let mut lines = vec![Line::from(Span::styled("The app's SCIM API", theme.bold()))];
        lines.push(label(Field::Url, "SCIM base URL"));
        rows.push((Field::Url, lines.len(), &form.url));
        lines.push(value(&form.url));
        lines.push(label(
            Field::Scheme,
            &format!("Authentication ({choose} to change)"),
        ));
        lines.push(choices(
            SchemeChoice::ALL
                .iter()
                .map(|c| (c.label(), *c == form.scheme))
                .collect(),
        ));
        if let (Some(name_label), Some(input)) = (form.name_label(), form.name_input()) {
            lines.push(label(Field::Name, name_label));
            rows.push((Field::Name, lines.len(), input));
            lines.push(value(input));
        }
        let var = match form.scheme {
            SchemeChoice::Basic => crate::session::connection::PASSWORD_ENV,
            _ => crate::session::connection::TOKEN_ENV,
        };
        lines.push(Line::from(Span::styled(
            format!("  Secret: {var}, or asked; never saved."),
            theme.dim(),
        )));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "The Okta org (optional: Okta's side, the CRUD file)",
            theme.bold(),
        )));
        lines.push(label(
            Field::OktaOrg,
            "Org URL (https://dev-123456.okta.com)",
        ));
        rows.push((Field::OktaOrg, lines.len(), &form.okta_org));
        lines.push(value(&form.okta_org));
        lines.push(label(
            Field::OktaApp,
            "App instance id (0oa… in its Admin URL)",
        ));
        rows.push((Field::OktaApp, lines.len(), &form.okta_app));
        lines.push(value(&form.okta_app));
        lines.push(label(
            Field::OktaSignIn,
            &format!("Sign in with ({choose} to change)"),
        ));
        lines.push(choices(
            OktaSignIn::ALL
                .iter()
                .map(|c| (c.label(), *c == form.okta_sign_in))
                .collect(),
        ));
        if service_app {
            lines.push(label(Field::ClientId, "Service app client id"));
            rows.push((Field::ClientId, lines.len(), &form.client_id));
            lines.push(value(&form.client_id));
            lines.push(label(
                Field::KeyFile,
                "Private key file (PEM; never copied)",
            ));
            rows.push((Field::KeyFile, lines.len(), &form.key_file));
            lines.push(value(&form.key_file));
        } else {
            lines.push(Line::from(Span::styled(
                format!(
                    "  Token: {}, or asked; never saved.",
                    crate::session::OKTA_TOKEN_ENV
                ),
                theme.dim(),
            )));
        }
        // On a short terminal the form scrolls so the focused field stays in view.
        let focused_row = rows
            .iter()
            .find(|(field, _, _)| *field == form.field)
            .map(|(_, row, _)| *row)
            .or_else(|| {
                // A choice: its label's row.
                let at = |needle: &str| lines.iter().position(|l| l.to_string().contains(needle));
                match form.field {
                    Field::Scheme => at("Authentication ("),
                    _ => at("Sign in with ("),
                }
                .map(|label| label + 1)
            })
            .unwrap_or(0);
        let offset = (focused_row + 1).saturating_sub(body.height as usize);
        frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), body);
        let cursor = rows
            .iter()
            .find(|(field, _, _)| *field == form.field)
            .map(|(_, row, input)| (*row - offset, *input));
        if let Some((row, input)) = cursor
            && (row as u16) < body.height
        {
            let x = body.x + 4 + input.visual_cursor() as u16;
            frame.set_cursor_position((x.min(body.right().saturating_sub(1)), body.y + row as u16));
        }
    }
}

/// Checks `connection` now, or first asks for the API token when none is known (the prompt
/// carries the connection, checked when the token is typed).
pub fn connect_okta(m: &mut Model, connection: OktaConnection) {
    if connection.auth == OktaAuth::ApiToken && api_token(m).is_none() {
        let title = format!(
            "{OKTA_TOKEN_ENV} not set: paste the Okta API token (memory only, never saved)"
        );
        return Prompt::open(m, Purpose::OktaToken { connection }, title);
    }
    check_okta(m, connection);
}

/// Checks the org and app in the background (the connection form's Enter); the connection is
/// saved when the answer arrives and the check passed, as `scimplan connect` does.
pub fn check_okta(m: &mut Model, connection: OktaConnection) {
    if m.jobs.is_pending(JobKind::OktaCheck) {
        return m.info("An Okta org is being checked: wait for it, or Esc to cancel it.");
    }
    let token = match sign_in(m, &connection) {
        Ok(token) => token,
        Err(why) => return m.error(format!("Okta connection not saved: {why}")),
    };
    m.info(format!(
        "Checking the Okta org {} and app {}…",
        connection.org_url, connection.app_id
    ));
    let work = Work::OktaCheck {
        org: connection.org_url.clone(),
    };
    m.jobs.spawn(work, &m.inbox, move |cancel| {
        let outcome = client(&connection, token, cancel).and_then(|c| check_app(&c));
        let (connection, result, token_refused) = match outcome {
            Ok(check) => {
                let mut connection = connection;
                connection.app_name = check.app.name.clone();
                let mut lines = check.lines();
                if !check.provisioning_on() {
                    lines.push(format!(
                        "Provisioning is off for {}: the cases that check Okta's provisioning cannot pass until it is on.",
                        check.app.label
                    ));
                }
                (connection, Ok(lines), false)
            }
            Err(error) => {
                let refused = matches!(error, OktaError::InvalidToken { .. });
                (connection, Err(error.to_string()), refused)
            }
        };
        JobEvent::OktaChecked {
            connection,
            result,
            token_refused,
        }
    });
}

/// The Okta part was checked: saved if the check passed (with the app's name), else why not;
/// the job is over. A cancelled check saves nothing.
pub fn okta_checked(
    m: &mut Model,
    connection: OktaConnection,
    result: Result<Vec<String>, String>,
    token_refused: bool,
) {
    let cancelled = m
        .jobs
        .finish(JobKind::OktaCheck)
        .is_some_and(|job| job.cancelled);
    match (connection, result) {
        (connection, _) if cancelled => m.info(format!(
            "Okta check of {} cancelled: the connection is not saved.",
            connection.org_url
        )),
        (connection, Ok(lines)) => {
            let command = crate::session::Command::OktaConnection(Some(connection.clone()));
            if m.ws.apply(command).changed {
                m.after_change();
            }
            m.info(format!(
                "Okta connection saved ({}, never the token): {}",
                connection.auth.label(),
                lines.join("; ")
            ));
        }
        (connection, Err(why)) => {
            let mut text = format!("Okta connection to {} not saved: {why}", connection.org_url);
            if token_refused && m.okta_secret.take().is_some() {
                text.push_str(" The typed token is forgotten.");
            }
            m.error(text);
        }
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
