//! The config file: `[settings]` and `[keys.<mode>]` tables that rebind keys by action name.
//! A file that cannot be used is ignored with a message; a binding that would do nothing is
//! left out with a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::action::Action;
use super::keymap::{Key, Keymap, Mode};

/// Preferences a config file can set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// After marking a case, move to the next case that is Not run.
    pub advance_after_mark: bool,
    /// How long `v` polls the app for a case's expected state, as `scimplan verify --deadline`.
    pub verify_deadline: std::time::Duration,
    /// Where Okta's test files are found (and downloaded to when absent).
    pub okta_files: PathBuf,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            advance_after_mark: true,
            verify_deadline: crate::verify::DEFAULT_DEADLINE,
            okta_files: crate::workspace::data_dir(),
        }
    }
}

/// The config file as written: `[settings]` and `[keys.<mode>]` tables of `"key" = "action"`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    settings: SettingsFile,
    #[serde(default)]
    keys: BTreeMap<Mode, BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SettingsFile {
    advance_after_mark: Option<bool>,
    /// Seconds.
    verify_deadline: Option<f64>,
}

/// Where the config file is looked for: `SCIMPLAN_CONFIG`, else `config.toml` in the user's
/// config directory for scimplan.
pub fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCIMPLAN_CONFIG") {
        return Some(PathBuf::from(path));
    }
    directories::ProjectDirs::from("", "", "scimplan").map(|d| d.config_dir().join("config.toml"))
}

/// The keymap and settings, with the config file applied when it exists and is valid. The
/// message says why a file was ignored.
pub fn load_config(path: Option<&Path>) -> (Keymap, Settings, Option<String>) {
    let defaults = || (Keymap::default(), Settings::default());
    let Some(path) = path else {
        let (k, s) = defaults();
        return (k, s, None);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (k, s) = defaults();
            return (k, s, None);
        }
        Err(e) => {
            let (k, s) = defaults();
            return (
                k,
                s,
                Some(format!(
                    "{} ignored: {e}; using the default keys.",
                    path.display()
                )),
            );
        }
    };
    match parse_config(&text) {
        Ok((keymap, settings, warnings)) if warnings.is_empty() => (keymap, settings, None),
        Ok((keymap, settings, warnings)) => (
            keymap,
            settings,
            Some(format!("{}: {}", path.display(), warnings.join("; "))),
        ),
        Err(problem) => {
            let (k, s) = defaults();
            (
                k,
                s,
                Some(format!(
                    "{} ignored: {problem}. Using the default keys.",
                    path.display()
                )),
            )
        }
    }
}

/// The keymap and settings a config file describes, with a warning for each binding that
/// would do nothing (an action bound in a mode that has no use for it; that binding is left
/// out). An error names what makes the whole file unusable.
pub fn parse_config(text: &str) -> Result<(Keymap, Settings, Vec<String>), String> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut keymap = Keymap::default();
    let mut settings = Settings::default();
    if let Some(advance) = file.settings.advance_after_mark {
        settings.advance_after_mark = advance;
    }
    if let Some(secs) = file.settings.verify_deadline {
        if !(secs.is_finite() && secs > 0.0 && secs <= 3600.0) {
            return Err(format!(
                "[settings] verify-deadline = {secs}: give seconds above 0 (at most 3600)"
            ));
        }
        settings.verify_deadline = std::time::Duration::from_secs_f64(secs);
    }
    let mut warnings = Vec::new();
    for (mode, keys) in file.keys {
        for (key_text, action_text) in keys {
            let key =
                Key::parse(&key_text).map_err(|e| format!("[keys.{}] {e}", mode.config_name()))?;
            let action = if action_text == "none" {
                None
            } else {
                Some(
                    parse_action(&action_text)
                        .map_err(|e| format!("[keys.{}] '{key_text}': {e}", mode.config_name()))?,
                )
            };
            if let Some(action) = &action
                && !Keymap::handles(mode, action)
            {
                warnings.push(format!(
                    "[keys.{}] '{key_text}' = '{action_text}' ignored: {action_text} does nothing in the {} mode",
                    mode.config_name(),
                    mode.title()
                ));
                continue;
            }
            keymap.rebind(mode, key, action);
        }
    }
    Ok((keymap, settings, warnings))
}

fn parse_action(text: &str) -> Result<Action, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
        format!(
            "unknown action '{text}' (known: {}, or none to unbind)",
            bindable_action_names().join(", ")
        )
    })
}

/// Names of every action a key can be bound to.
pub fn bindable_action_names() -> Vec<String> {
    let mut names: Vec<String> = Mode::ALL
        .iter()
        .flat_map(|m| Keymap::default().bindings(*m).to_vec())
        .filter_map(|(_, a)| serde_json::to_value(&a).ok()?.as_str().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_rebinds_and_unbinds() {
        let (keymap, settings, warnings) = parse_config(
            "[settings]\nadvance-after-mark = false\nverify-deadline = 5\n[keys.normal]\n\"ctrl-p\" = \"mark-pass\"\np = \"none\"\n",
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(!settings.advance_after_mark);
        assert_eq!(settings.verify_deadline, std::time::Duration::from_secs(5));
        assert!(parse_config("[settings]\nverify-deadline = 0\n").is_err());
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(
            keymap.resolve(Mode::Normal, key("ctrl-p")),
            Some(&Action::MarkPass)
        );
        assert_eq!(keymap.resolve(Mode::Normal, key("p")), None);
    }

    #[test]
    fn bad_config_names_the_problem() {
        let err = parse_config("[keys.normal]\nq = \"quitt\"\n").unwrap_err();
        assert!(err.contains("'quitt'") && err.contains("quit"), "{err}");
        let err = parse_config("[keys.normal]\nctrl-nope = \"quit\"\n").unwrap_err();
        assert!(err.contains("'ctrl-nope'"), "{err}");
        let err = parse_config("[keys.nomode]\nq = \"quit\"\n").unwrap_err();
        assert!(err.contains("nomode"), "{err}");
    }

    #[test]
    fn an_action_bound_where_it_does_nothing_is_a_warning_naming_key_action_and_mode() {
        let (keymap, _, warnings) =
            parse_config("[keys.summary]\nx = \"mark-pass\"\nz = \"close\"\n").unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let warning = &warnings[0];
        for part in ["[keys.summary]", "'x'", "mark-pass", "Summary"] {
            assert!(warning.contains(part), "{part} in {warning}");
        }
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(keymap.resolve(Mode::Summary, key("x")), None);
        assert_eq!(
            keymap.resolve(Mode::Summary, key("z")),
            Some(&Action::Close)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[keys.summary]\nx = \"mark-pass\"\n").unwrap();
        let (_, _, message) = load_config(Some(&path));
        assert!(message.unwrap().contains("mark-pass does nothing"));
    }

    #[test]
    fn modes_are_named_as_their_overlays_and_the_earlier_names_still_work() {
        let key = |k| Key::parse(k).unwrap();
        for mode in Mode::ALL {
            let text = format!("[keys.{}]\nctrl-z = \"help\"\n", mode.config_name());
            let (keymap, _, _) = parse_config(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            if Keymap::handles(mode, &Action::Help) {
                assert_eq!(keymap.resolve(mode, key("ctrl-z")), Some(&Action::Help));
            }
        }
        for (old, mode, action) in [
            ("editing-note", Mode::Note, "save-note"),
            ("confirm", Mode::Preconditions, "mark-anyway"),
            ("connection", Mode::ConnectionForm, "next-field"),
            ("confirm-spec", Mode::ConfirmSuite, "agree"),
            ("spec-run", Mode::SuiteRuns, "close"),
        ] {
            let (keymap, _, warnings) =
                parse_config(&format!("[keys.{old}]\nctrl-z = \"{action}\"\n")).unwrap();
            assert!(warnings.is_empty(), "{old}: {warnings:?}");
            let bound = keymap.resolve(mode, key("ctrl-z")).cloned();
            assert_eq!(bound, Some(parse_action(action).unwrap()), "[keys.{old}]");
        }
    }

    #[test]
    fn unreadable_config_falls_back_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[keys.normal]\nq = 3\n").unwrap();
        let (keymap, _, message) = load_config(Some(&path));
        assert!(message.unwrap().contains("ignored"));
        assert_eq!(
            keymap.resolve(Mode::Normal, Key::parse("q").unwrap()),
            Some(&Action::Quit)
        );
    }
}
