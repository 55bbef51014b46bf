//! The config file: `[settings]` and `[keys.<mode>]` tables that rebind keys by action name.
//! A file that is not TOML is ignored with a message; any value that cannot be used (a setting
//! out of range, an unknown action, a binding that would do nothing) is left out alone with a
//! warning naming it, and the rest of the file is used.

use std::path::{Path, PathBuf};

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

/// The keymap and settings a config file describes. Each value is taken on its own: one that
/// cannot be used (an unknown setting, a value out of range, an unknown key, mode or action, a
/// binding that would do nothing) is left out with a warning naming it, and the rest of the
/// file is kept. An error means the file is not TOML at all.
pub fn parse_config(text: &str) -> Result<(Keymap, Settings, Vec<String>), String> {
    let file: toml::Table = toml::from_str(text).map_err(|e| e.message().trim().to_string())?;
    let mut keymap = Keymap::default();
    let mut settings = Settings::default();
    let mut warnings = Vec::new();
    for (table, value) in file {
        match (table.as_str(), value) {
            ("settings", toml::Value::Table(values)) => {
                for (name, value) in values {
                    if let Err(problem) = apply_setting(&mut settings, &name, &value) {
                        warnings.push(format!("[settings] {name} = {value} ignored: {problem}"));
                    }
                }
            }
            ("keys", toml::Value::Table(modes)) => {
                for (mode_name, keys) in modes {
                    bind_mode(&mut keymap, &mode_name, keys, &mut warnings);
                }
            }
            ("settings" | "keys", _) => {
                warnings.push(format!("{table} ignored: it must be a table, [{table}]"))
            }
            _ => warnings.push(format!(
                "[{table}] ignored: not a table scimplan knows (settings, keys.<mode>)"
            )),
        }
    }
    Ok((keymap, settings, warnings))
}

/// One `[settings]` value, checked.
fn apply_setting(settings: &mut Settings, name: &str, value: &toml::Value) -> Result<(), String> {
    match name {
        "advance-after-mark" => {
            settings.advance_after_mark = value
                .as_bool()
                .ok_or("give true or false (the default is true)")?;
        }
        "verify-deadline" => {
            let secs = match value {
                toml::Value::Integer(n) => *n as f64,
                toml::Value::Float(f) => *f,
                _ => return Err("give seconds, a number above 0 (at most 3600)".into()),
            };
            if !(secs.is_finite() && secs > 0.0 && secs <= 3600.0) {
                return Err(format!(
                    "give seconds above 0 (at most 3600); the default {} s is used",
                    crate::verify::DEFAULT_DEADLINE.as_secs()
                ));
            }
            settings.verify_deadline = std::time::Duration::from_secs_f64(secs);
        }
        _ => return Err("not a setting (known: advance-after-mark, verify-deadline)".into()),
    }
    Ok(())
}

/// The `[keys.<mode>]` table: each binding taken or left out with a warning on its own.
fn bind_mode(keymap: &mut Keymap, mode_name: &str, keys: toml::Value, warnings: &mut Vec<String>) {
    let Some(mode) = Mode::from_config_name(mode_name) else {
        let known: Vec<&str> = Mode::ALL.iter().map(|m| m.config_name()).collect();
        warnings.push(format!(
            "[keys.{mode_name}] ignored: unknown mode '{mode_name}' (known: {})",
            known.join(", ")
        ));
        return;
    };
    let toml::Value::Table(keys) = keys else {
        warnings.push(format!(
            "keys.{mode_name} ignored: it must be a table of \"key\" = \"action\""
        ));
        return;
    };
    let section = format!("[keys.{mode_name}]");
    for (key_text, action_value) in keys {
        let Some(action_text) = action_value.as_str() else {
            warnings.push(format!(
                "{section} '{key_text}' = {action_value} ignored: give an action name in quotes, or \"none\""
            ));
            continue;
        };
        let key = match Key::parse(&key_text) {
            Ok(key) => key,
            Err(e) => {
                warnings.push(format!("{section} {e}; that binding is ignored"));
                continue;
            }
        };
        let action = if action_text == "none" {
            None
        } else {
            match parse_action(action_text) {
                Ok(action) => Some(action),
                Err(e) => {
                    warnings.push(format!("{section} '{key_text}' ignored: {e}"));
                    continue;
                }
            }
        };
        if let Some(action) = &action
            && !Keymap::handles(mode, action)
        {
            warnings.push(format!(
                "{section} '{key_text}' = '{action_text}' ignored: {action_text} does nothing in the {} mode",
                mode.title()
            ));
            continue;
        }
        keymap.rebind(mode, key, action);
    }
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
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(
            keymap.resolve(Mode::Normal, key("ctrl-p")),
            Some(&Action::MarkPass)
        );
        assert_eq!(keymap.resolve(Mode::Normal, key("p")), None);
    }

    #[test]
    fn bad_values_are_named_and_skipped_alone() {
        let (keymap, settings, warnings) = parse_config(
            "[settings]\nverify-deadline = -5\nadvance-after-mark = false\nspeed = 3\n\
             [keys.normal]\nq = \"quitt\"\nctrl-nope = \"quit\"\n\"ctrl-p\" = \"mark-pass\"\nz = 3\n\
             [keys.nomode]\nq = \"quit\"\n",
        )
        .unwrap();
        let all = warnings.join("\n");
        for part in [
            "verify-deadline = -5",
            "speed",
            "'quitt'",
            "'ctrl-nope'",
            "'z' = 3",
            "nomode",
        ] {
            assert!(all.contains(part), "{part} in {all}");
        }
        assert_eq!(warnings.len(), 6, "{all}");
        // The rest of the file is kept.
        assert!(!settings.advance_after_mark);
        assert_eq!(
            settings.verify_deadline,
            Settings::default().verify_deadline
        );
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(
            keymap.resolve(Mode::Normal, key("ctrl-p")),
            Some(&Action::MarkPass)
        );
        assert_eq!(keymap.resolve(Mode::Normal, key("q")), Some(&Action::Quit));
        assert!(
            parse_config("[settings]\nverify-deadline = 0\n")
                .unwrap()
                .2
                .len()
                == 1
        );
        // Not TOML at all: the whole file is refused, with why.
        assert!(parse_config("[keys.normal\n").is_err());
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
            let (keymap, _, warnings) =
                parse_config(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(
                !warnings.iter().any(|w| w.contains("unknown mode")),
                "{warnings:?}"
            );
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
    fn a_file_that_is_not_toml_falls_back_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[keys.normal\nq = \"none\"\n").unwrap();
        let (keymap, _, message) = load_config(Some(&path));
        assert!(message.unwrap().contains("ignored"));
        assert_eq!(
            keymap.resolve(Mode::Normal, Key::parse("q").unwrap()),
            Some(&Action::Quit)
        );
    }

    #[test]
    fn one_bad_value_leaves_the_rest_of_the_file_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[settings]\nverify-deadline = -5\n[keys.normal]\n\"ctrl-p\" = \"mark-pass\"\n",
        )
        .unwrap();
        let (keymap, settings, message) = load_config(Some(&path));
        let message = message.unwrap();
        assert!(
            message.contains("verify-deadline = -5 ignored"),
            "{message}"
        );
        assert_eq!(
            settings.verify_deadline,
            Settings::default().verify_deadline
        );
        assert_eq!(
            keymap.resolve(Mode::Normal, Key::parse("ctrl-p").unwrap()),
            Some(&Action::MarkPass)
        );
    }
}
