//! A token or password, held in memory only: from the environment or a masked prompt, never
//! serialized, redacted from everything that is kept.

use base64::Engine as _;
use thiserror::Error;

use crate::session::AuthScheme;

/// The secret's environment variable is not set.
#[derive(Debug, Error)]
#[error("the secret is not set: export {var} (it is read from the environment and never saved).")]
pub struct MissingSecret {
    pub var: &'static str,
}

/// A token or password, held in memory only: never serialized, never printed.
#[derive(Clone)]
pub struct Secret {
    value: String,
    /// Other spellings of the secret that may show up in text (Basic's base64 credentials).
    forms: Vec<String>,
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret {
            value: value.into(),
            forms: Vec::new(),
        }
    }

    /// The secret of `scheme` from its environment variable.
    pub fn from_env(scheme: &AuthScheme) -> Result<Secret, MissingSecret> {
        let var = scheme.secret_env();
        match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
            _ => Err(MissingSecret { var }),
        }
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Also redacts the base64 `user:secret` a Basic header carries.
    pub(crate) fn with_basic_form(mut self, username: &str) -> Secret {
        self.forms.push(
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{}", self.value)),
        );
        self
    }

    /// `text` with every occurrence of the secret replaced.
    pub fn redact(&self, text: &str) -> String {
        if self.value.len() < 4 {
            return text.to_string();
        }
        let mut out = text.replace(&self.value, "[redacted]");
        for form in &self.forms {
            out = out.replace(form, "[redacted]");
        }
        out
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("s3cr3t-token");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(secret.redact("a s3cr3t-token b"), "a [redacted] b");
        let basic = secret.with_basic_form("okta");
        assert_eq!(
            basic.redact("Basic b2t0YTpzM2NyM3QtdG9rZW4="),
            "Basic [redacted]"
        );
    }
}
