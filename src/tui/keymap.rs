//! Keys to actions, one table per mode. The help overlay and the footer are generated from these
//! tables, and a config file can rebind any key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::action::Action;

/// What the keyboard is talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Normal,
    Search,
    /// A single-line prompt (skip reason, evidence).
    Prompt,
    EditingNote,
    /// Preconditions are not met: Blocked, anyway, or cancel.
    Confirm,
    Capabilities,
    Help,
    Summary,
    /// The SCIM connection form.
    Connection,
    /// The SPEC suite is about to create a user: go ahead or not.
    ConfirmSpec,
}

impl Mode {
    pub const ALL: [Mode; 10] = [
        Mode::Normal,
        Mode::Search,
        Mode::Prompt,
        Mode::EditingNote,
        Mode::Confirm,
        Mode::Capabilities,
        Mode::Help,
        Mode::Summary,
        Mode::Connection,
        Mode::ConfirmSpec,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Mode::Normal => "Checklist",
            Mode::Search => "Search",
            Mode::Prompt => "Prompt",
            Mode::EditingNote => "Note editor",
            Mode::Confirm => "Preconditions not met",
            Mode::Capabilities => "Capabilities",
            Mode::Help => "Help",
            Mode::Summary => "Summary",
            Mode::Connection => "SCIM connection",
            Mode::ConfirmSpec => "Run the SPEC suite",
        }
    }

    /// The mode's name in config files.
    pub fn config_name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Search => "search",
            Mode::Prompt => "prompt",
            Mode::EditingNote => "editing-note",
            Mode::Confirm => "confirm",
            Mode::Capabilities => "capabilities",
            Mode::Help => "help",
            Mode::Summary => "summary",
            Mode::Connection => "connection",
            Mode::ConfirmSpec => "confirm-spec",
        }
    }

    /// Modes with a text field: keys without a binding are typed into it.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Mode::Search | Mode::Prompt | Mode::EditingNote | Mode::Connection
        )
    }
}

/// A key with its modifiers, as written in keymap files: `j`, `G`, `ctrl-r`, `space`, `pgdn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        // Terminals report `G` as shift+G; the character already says it.
        let modifiers = match code {
            KeyCode::Char(_) | KeyCode::BackTab => modifiers - KeyModifiers::SHIFT,
            _ => modifiers,
        };
        Key { code, modifiers }
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    pub fn parse(text: &str) -> Result<Key, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().expect("checked"))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => {
                        return Err(format!(
                            "'{text}' is not a key (write e.g. j, G, ctrl-r, space, enter, esc, tab, pgdn, f1)"
                        ));
                    }
                }
            }
        };
        Ok(Key::new(code, modifiers))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    tables: BTreeMap<Mode, Vec<(Key, Action)>>,
}

fn bind(table: &mut Vec<(Key, Action)>, keys: &[&str], action: Action) {
    for key in keys {
        table.push((Key::parse(key).expect("default keys parse"), action.clone()));
    }
}

impl Default for Keymap {
    fn default() -> Keymap {
        use Action::*;
        let mut tables = BTreeMap::new();

        let mut normal = Vec::new();
        bind(&mut normal, &["j", "down"], MoveDown);
        bind(&mut normal, &["k", "up"], MoveUp);
        bind(&mut normal, &["g", "home"], Top);
        bind(&mut normal, &["G", "end"], Bottom);
        bind(&mut normal, &["pgup"], PageUp);
        bind(&mut normal, &["pgdn"], PageDown);
        bind(&mut normal, &["tab"], SwitchPane);
        bind(&mut normal, &["enter"], OpenDetail);
        bind(&mut normal, &["esc"], Back);
        bind(&mut normal, &["p"], MarkPass);
        bind(&mut normal, &["f"], MarkFail);
        bind(&mut normal, &["b"], MarkBlocked);
        bind(&mut normal, &["s"], MarkSkipped);
        bind(&mut normal, &["x"], MarkNotRun);
        bind(&mut normal, &["space"], ToggleStep);
        bind(&mut normal, &["e"], EditNote);
        bind(&mut normal, &["a"], AddEvidence);
        bind(&mut normal, &["n"], NextNotRun);
        bind(&mut normal, &["N"], PrevNotRun);
        bind(&mut normal, &["/"], Search);
        bind(&mut normal, &["o"], FilterOutcome);
        bind(&mut normal, &["u"], Undo);
        bind(&mut normal, &["ctrl-r"], Redo);
        bind(&mut normal, &["c"], Capabilities);
        bind(&mut normal, &["S"], Summary);
        bind(&mut normal, &["E"], Export);
        bind(&mut normal, &["v"], VerifyCase);
        bind(&mut normal, &["V"], VerifyAll);
        bind(&mut normal, &["C"], ConnectionSettings);
        bind(&mut normal, &["?"], Help);
        bind(&mut normal, &["q", "ctrl-c"], Quit);
        tables.insert(Mode::Normal, normal);

        for mode in [Mode::Search, Mode::Prompt] {
            let mut table = Vec::new();
            bind(&mut table, &["enter"], Submit);
            bind(&mut table, &["esc"], Cancel);
            tables.insert(mode, table);
        }

        let mut note = Vec::new();
        bind(&mut note, &["esc", "ctrl-s"], SaveNote);
        tables.insert(Mode::EditingNote, note);

        let mut confirm = Vec::new();
        bind(&mut confirm, &["b"], BlockForPreconditions);
        bind(&mut confirm, &["y"], MarkAnyway);
        bind(&mut confirm, &["esc", "n"], Cancel);
        tables.insert(Mode::Confirm, confirm);

        let mut caps = Vec::new();
        bind(&mut caps, &["j", "down"], MoveDown);
        bind(&mut caps, &["k", "up"], MoveUp);
        bind(&mut caps, &["space"], ToggleCapability);
        bind(&mut caps, &["enter"], ConfirmCapabilities);
        bind(&mut caps, &["esc"], Cancel);
        bind(&mut caps, &["?"], Help);
        bind(&mut caps, &["q", "ctrl-c"], Quit);
        tables.insert(Mode::Capabilities, caps);

        let mut help = Vec::new();
        bind(&mut help, &["j", "down"], MoveDown);
        bind(&mut help, &["k", "up"], MoveUp);
        bind(&mut help, &["esc", "?", "q"], Close);
        tables.insert(Mode::Help, help);

        let mut summary = Vec::new();
        bind(&mut summary, &["j", "down"], MoveDown);
        bind(&mut summary, &["k", "up"], MoveUp);
        bind(&mut summary, &["pgup"], PageUp);
        bind(&mut summary, &["pgdn"], PageDown);
        bind(&mut summary, &["enter"], JumpToCase);
        bind(&mut summary, &["E"], Export);
        bind(&mut summary, &["l"], SpecLink);
        bind(&mut summary, &["L"], CrudLink);
        bind(&mut summary, &["r"], RunSpec);
        bind(&mut summary, &["C"], ConnectionSettings);
        bind(&mut summary, &["esc"], Back);
        bind(&mut summary, &["S", "q"], Close);
        bind(&mut summary, &["?"], Help);
        tables.insert(Mode::Summary, summary);

        let mut connection = Vec::new();
        bind(&mut connection, &["tab", "down"], NextField);
        bind(&mut connection, &["backtab", "up"], PrevField);
        bind(&mut connection, &["enter"], Submit);
        bind(&mut connection, &["esc"], Cancel);
        tables.insert(Mode::Connection, connection);

        let mut confirm_spec = Vec::new();
        bind(&mut confirm_spec, &["y"], Agree);
        bind(&mut confirm_spec, &["esc", "n"], Cancel);
        tables.insert(Mode::ConfirmSpec, confirm_spec);

        Keymap { tables }
    }
}

impl Keymap {
    pub fn resolve(&self, mode: Mode, key: Key) -> Option<&Action> {
        self.tables
            .get(&mode)?
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, action)| action)
    }

    pub fn bindings(&self, mode: Mode) -> &[(Key, Action)] {
        self.tables.get(&mode).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The keys bound to an action in a mode, e.g. "j/↓".
    pub fn keys_for(&self, mode: Mode, action: &Action) -> String {
        self.bindings(mode)
            .iter()
            .filter(|(_, a)| a == action)
            .map(|(k, _)| k.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Actions of a mode in table order, each with all its keys: the help overlay's rows.
    pub fn grouped(&self, mode: Mode) -> Vec<(String, &Action)> {
        let mut rows: Vec<(String, &Action)> = Vec::new();
        for (key, action) in self.bindings(mode) {
            match rows.iter_mut().find(|(_, a)| *a == action) {
                Some((keys, _)) => {
                    keys.push('/');
                    keys.push_str(&key.to_string());
                }
                None => rows.push((key.to_string(), action)),
            }
        }
        rows
    }

    /// Binds `key` to `action` in `mode`, replacing what the key did there; `None` unbinds it.
    pub fn rebind(&mut self, mode: Mode, key: Key, action: Option<Action>) {
        let table = self.tables.entry(mode).or_default();
        table.retain(|(k, _)| *k != key);
        if let Some(action) = action {
            table.push((key, action));
        }
    }
}

/// Preferences a config file can set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// After marking a case, move to the next case that is Not run.
    pub advance_after_mark: bool,
    /// How long `v` polls the app for a case's expected state, as `scimplan verify --deadline`.
    pub verify_deadline: std::time::Duration,
    /// Where Okta's test files are found (and downloaded to when absent).
    pub okta_files: std::path::PathBuf,
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
        Ok((keymap, settings)) => (keymap, settings, None),
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

pub fn parse_config(text: &str) -> Result<(Keymap, Settings), String> {
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
            keymap.rebind(mode, key, action);
        }
    }
    Ok((keymap, settings))
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
        .flat_map(|m| Keymap::default().tables.remove(m).unwrap_or_default())
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
    fn keys_parse_and_print() {
        assert_eq!(Key::parse("ctrl-r").unwrap().to_string(), "Ctrl-r");
        assert_eq!(Key::parse("G").unwrap().to_string(), "G");
        assert_eq!(Key::parse("space").unwrap().to_string(), "Space");
        assert_eq!(Key::parse("pgdn").unwrap().to_string(), "PgDn");
        assert!(Key::parse("nope").unwrap_err().contains("'nope'"));
    }

    #[test]
    fn shift_is_implied_by_the_character() {
        let typed = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        let keymap = Keymap::default();
        assert_eq!(
            keymap.resolve(Mode::Normal, Key::from_event(&typed)),
            Some(&Action::Bottom)
        );
    }

    #[test]
    fn config_rebinds_and_unbinds() {
        let (keymap, settings) = parse_config(
            "[settings]\nadvance-after-mark = false\nverify-deadline = 5\n[keys.normal]\n\"ctrl-p\" = \"mark-pass\"\np = \"none\"\n",
        )
        .unwrap();
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
