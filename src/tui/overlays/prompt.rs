//! Single-line prompts: a skip reason, a Runscope link, a recipe input or a secret a check waits
//! for, the Okta API token a connection waits for, the BlazeMeter token a hosted run waits for. Each prompt carries what it is for, so what
//! it answers goes where it belongs: a value that cannot be used keeps the field open with the
//! reason; a usable one closes it and the checklist carries on (`Flow::Then`).

use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::Input;

use crate::net::Secret;
use crate::session::{Command, OktaConnection, Outcome, SuiteKind};
use crate::tui::action::{Action, SecretKind, VerifyTarget};
use crate::tui::field::{draw_prompt, edit_line};
use crate::tui::keymap::Mode;
use crate::tui::model::{Flow, Model, Overlay};

/// What a prompt asks for, and what its answer carries on with.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Why `case` is skipped; it is marked Skipped with it.
    SkipReason { case: usize },
    /// The link to Runscope's results of a suite.
    Link(SuiteKind),
    /// A recipe input (`user`, `group`...) the check of `target` needs; remembered in the
    /// session.
    Input { target: VerifyTarget, name: String },
    /// A secret the check of `target` waits for: masked, kept in memory only.
    Secret {
        target: VerifyTarget,
        kind: SecretKind,
    },
    /// The Okta API token `connection` needs to be checked (then saved): masked, memory only.
    OktaToken { connection: OktaConnection },
    /// The BlazeMeter API Monitoring access token a hosted run (`b`) waits for: masked, memory
    /// only.
    HostedToken,
}

/// What kind of prompt it is, for its label and what an empty Enter is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    SkipReason,
    SpecLink,
    CrudLink,
    EntitlementsLink,
    /// A recipe input a verification needs.
    VerifyInput,
    /// The SCIM token or password.
    Secret,
    /// The Okta API token.
    OktaToken,
    /// The BlazeMeter API Monitoring access token.
    HostedToken,
}

impl PromptKind {
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::SkipReason => "Why is this case skipped?",
            PromptKind::SpecLink => "Runscope SPEC results link (http or https)",
            PromptKind::CrudLink => "Runscope CRUD results link (http or https)",
            PromptKind::EntitlementsLink => "Runscope Entitlements results link (http or https)",
            PromptKind::VerifyInput => "Input for the verification",
            PromptKind::Secret => "SCIM secret (kept in memory only, never saved)",
            PromptKind::OktaToken => "Okta API token (kept in memory only, never saved)",
            PromptKind::HostedToken => {
                "BlazeMeter API Monitoring access token (kept in memory only, never saved)"
            }
        }
    }

    /// What an empty Enter is told.
    pub fn empty_hint(self) -> &'static str {
        match self {
            PromptKind::SkipReason => "A skipped case needs a reason: type it, or Esc to cancel.",
            PromptKind::SpecLink | PromptKind::CrudLink | PromptKind::EntitlementsLink => {
                "Paste the link of the Runscope result page, or Esc to cancel."
            }
            PromptKind::VerifyInput | PromptKind::Secret => {
                "Type a value, or Esc to cancel the verification."
            }
            PromptKind::OktaToken => "Paste the Okta API token, or Esc to leave Okta unconnected.",
            PromptKind::HostedToken => {
                "Paste a personal access token of your BlazeMeter API Monitoring account (Account > Applications), or Esc to cancel."
            }
        }
    }
}

/// A single-line field with its title.
pub struct Prompt {
    pub purpose: Purpose,
    pub input: Input,
    /// The title shown above the field.
    pub title: String,
}

impl Prompt {
    /// Opens an empty prompt for `purpose` under `title`.
    pub fn open(m: &mut Model, purpose: Purpose, title: String) {
        Prompt::open_with(m, purpose, title, String::new());
    }

    /// Opens a prompt for `purpose` holding `value` (a link recorded before).
    pub fn open_with(m: &mut Model, purpose: Purpose, title: String, value: String) {
        m.push(Prompt {
            purpose,
            input: Input::new(value),
            title,
        });
    }

    pub fn kind(&self) -> PromptKind {
        match &self.purpose {
            Purpose::SkipReason { .. } => PromptKind::SkipReason,
            Purpose::Link(SuiteKind::Spec) => PromptKind::SpecLink,
            Purpose::Link(SuiteKind::Crud) => PromptKind::CrudLink,
            Purpose::Link(SuiteKind::Entitlements) => PromptKind::EntitlementsLink,
            Purpose::Input { .. } => PromptKind::VerifyInput,
            Purpose::Secret {
                kind: SecretKind::Scim,
                ..
            } => PromptKind::Secret,
            Purpose::Secret {
                kind: SecretKind::Okta,
                ..
            }
            | Purpose::OktaToken { .. } => PromptKind::OktaToken,
            Purpose::HostedToken => PromptKind::HostedToken,
        }
    }

    /// Enter: the answer goes where it belongs, or the field stays open saying why not.
    fn submit(&mut self, m: &mut Model) -> Flow {
        let value = self.input.value().trim().to_string();
        if value.is_empty() {
            m.error(self.kind().empty_hint());
            return Flow::Stay;
        }
        match &self.purpose {
            Purpose::SkipReason { case } => Flow::Then(Action::MarkWith {
                case: *case,
                outcome: Outcome::Skipped,
                reason: Some(value),
            }),
            // A link that is not one keeps the field open with what was typed.
            Purpose::Link(suite) => record_link(m, *suite, &value),
            Purpose::Input { target, name } => {
                // A value the recipe cannot use keeps the field open, and is not stored.
                if let Err(why) = m.recipes.check_input(name, &value) {
                    m.error(why.to_string());
                    return Flow::Stay;
                }
                m.ws.apply(Command::Subject {
                    name: name.clone(),
                    value,
                });
                m.after_change();
                Flow::Then(Action::Check(target.clone()))
            }
            Purpose::Secret { target, kind } => {
                let slot = match kind {
                    SecretKind::Scim => &mut m.secret,
                    SecretKind::Okta => &mut m.okta_secret,
                };
                *slot = Some(Secret::new(value));
                Flow::Then(Action::Check(target.clone()))
            }
            Purpose::OktaToken { connection } => {
                m.okta_secret = Some(Secret::new(value));
                Flow::Then(Action::CheckOkta(connection.clone()))
            }
            Purpose::HostedToken => {
                m.hosted.token = Some(Secret::new(value));
                Flow::Then(Action::RunHosted)
            }
        }
    }
}

/// Records a Runscope link, or says why it is none and keeps the field open.
fn record_link(m: &mut Model, suite: SuiteKind, value: &str) -> Flow {
    let name = crate::report::readiness::suite_name(suite);
    let link = match crate::session::check_result_link(&format!("The {name} link"), value) {
        Ok(link) => link,
        Err(error) => {
            m.error(error.to_string());
            return Flow::Stay;
        }
    };
    m.ws.apply(Command::SuiteLink { suite, link });
    m.after_change();
    m.info(format!("{name} suite link recorded."));
    Flow::Close
}

impl Overlay for Prompt {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    fn update(&mut self, m: &mut Model, action: Action) -> Flow {
        match action {
            Action::Submit => self.submit(m),
            Action::Cancel => {
                m.info("Cancelled: nothing recorded.");
                match &self.purpose {
                    Purpose::Input { target, .. } | Purpose::Secret { target, .. } => {
                        Flow::Then(Action::CheckDropped(target.clone()))
                    }
                    Purpose::OktaToken { .. } => {
                        m.info("Okta connection not saved: it needs the token to be checked.");
                        Flow::Close
                    }
                    Purpose::SkipReason { .. } | Purpose::Link(_) | Purpose::HostedToken => {
                        Flow::Close
                    }
                }
            }
            other => {
                edit_line(&mut self.input, &other);
                Flow::Stay
            }
        }
    }

    fn draw(&self, model: &Model, frame: &mut Frame, area: Rect) {
        let masked = matches!(
            self.kind(),
            PromptKind::Secret | PromptKind::OktaToken | PromptKind::HostedToken
        );
        draw_prompt(
            model,
            frame,
            area,
            (&self.title, Mode::Prompt),
            &self.input,
            masked,
        );
    }
}
