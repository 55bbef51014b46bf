//! Keys to actions, one table per mode, and each mode's footer reminders. The help overlay and
//! the footers are generated from these tables; `config` rebinds keys from a file.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// What the keyboard is talking to: the checklist, or the overlay on top, each mode named as
/// its overlay is (`overlays::note::Note` answers to `Mode::Note`). In config files the names
/// are kebab-case (`[keys.note]`); the names of earlier releases are still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// The checklist itself, nothing open over it.
    Normal,
    Search,
    /// A single-line prompt (skip reason, link, a check's input or secret, the Okta token,
    /// where to save the session).
    Prompt,
    /// The note editor.
    Note,
    /// Preconditions are not met: Blocked, anyway, or cancel.
    Preconditions,
    Capabilities,
    Help,
    Summary,
    /// The connection form: the app's SCIM API and the Okta org.
    ConnectionForm,
    /// Okta's SPEC or CRUD file is about to create a user: go ahead or not.
    ConfirmSuite,
    /// Quitting with unsaved changes: retry, save elsewhere, or lose them.
    Unsaved,
    /// The evidence prompt: a file path (completed with Tab) or a link.
    Attach,
    /// Who is testing and which app.
    Identity,
    /// The latest local SPEC and CRUD runs, step by step.
    SuiteRuns,
    /// The note changed elsewhere while it was edited: keep mine, theirs, or both.
    NoteConflict,
    /// `v` on a case whose outcome a person set: may the check replace it?
    ConfirmReplace,
}

impl Mode {
    pub const ALL: [Mode; 16] = [
        Mode::Normal,
        Mode::Search,
        Mode::Prompt,
        Mode::Note,
        Mode::Preconditions,
        Mode::Capabilities,
        Mode::Help,
        Mode::Summary,
        Mode::ConnectionForm,
        Mode::ConfirmSuite,
        Mode::Attach,
        Mode::Identity,
        Mode::Unsaved,
        Mode::SuiteRuns,
        Mode::NoteConflict,
        Mode::ConfirmReplace,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Mode::Normal => "Checklist",
            Mode::Search => "Search",
            Mode::Prompt => "Prompt",
            Mode::Note => "Note editor",
            Mode::Preconditions => "Preconditions not met",
            Mode::Capabilities => "Capabilities",
            Mode::Help => "Help",
            Mode::Summary => "Summary",
            Mode::ConnectionForm => "SCIM connection",
            Mode::ConfirmSuite => "Run Okta's test file",
            Mode::Attach => "Attach evidence",
            Mode::Identity => "Who is testing",
            Mode::Unsaved => "Unsaved changes",
            Mode::SuiteRuns => "Local suite runs",
            Mode::NoteConflict => "Note changed elsewhere",
            Mode::ConfirmReplace => "Replace an outcome with a check's",
        }
    }

    /// The mode named `name` in a config file: its name, or the one it had before it was named
    /// as its overlay.
    pub fn from_config_name(name: &str) -> Option<Mode> {
        let earlier = match name {
            "editing-note" => Some(Mode::Note),
            "confirm" => Some(Mode::Preconditions),
            "connection" => Some(Mode::ConnectionForm),
            "confirm-spec" => Some(Mode::ConfirmSuite),
            "spec-run" => Some(Mode::SuiteRuns),
            _ => None,
        };
        earlier.or_else(|| Mode::ALL.into_iter().find(|m| m.config_name() == name))
    }

    /// The mode's name in config files.
    pub fn config_name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Search => "search",
            Mode::Prompt => "prompt",
            Mode::Note => "note",
            Mode::Preconditions => "preconditions",
            Mode::Capabilities => "capabilities",
            Mode::Help => "help",
            Mode::Summary => "summary",
            Mode::ConnectionForm => "connection-form",
            Mode::ConfirmSuite => "confirm-suite",
            Mode::Attach => "attach",
            Mode::Identity => "identity",
            Mode::Unsaved => "unsaved",
            Mode::SuiteRuns => "suite-runs",
            Mode::NoteConflict => "note-conflict",
            Mode::ConfirmReplace => "confirm-replace",
        }
    }

    /// Modes with a text field: keys without a binding are typed into it.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Mode::Search
                | Mode::Prompt
                | Mode::Note
                | Mode::ConnectionForm
                | Mode::Attach
                | Mode::Identity
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

/// Every key of every mode, and which actions each mode's footer recalls: the help overlay
/// and the footers are drawn from this one table.
#[derive(Debug, Clone)]
pub struct Keymap {
    tables: BTreeMap<Mode, Vec<(Key, Action)>>,
    /// The actions worth a reminder in each mode's footer, in order.
    hints: BTreeMap<Mode, Vec<Action>>,
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
        bind(&mut normal, &["]"], NextEvidence);
        bind(&mut normal, &["O"], OpenEvidence);
        bind(&mut normal, &["D"], RemoveEvidence);
        bind(&mut normal, &["T"], WhoIsTesting);
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
        bind(&mut normal, &["t"], StartCase);
        bind(&mut normal, &["C"], ConnectionSettings);
        bind(&mut normal, &["w"], OpenAdminPage);
        bind(&mut normal, &["W"], OpenSystemLog);
        bind(&mut normal, &["l"], ReadSystemLog);
        bind(&mut normal, &["?"], Help);
        bind(&mut normal, &["q", "ctrl-c"], Quit);
        tables.insert(Mode::Normal, normal);

        for mode in [Mode::Search, Mode::Prompt] {
            let mut table = Vec::new();
            bind(&mut table, &["enter"], Submit);
            bind(&mut table, &["esc"], Cancel);
            tables.insert(mode, table);
        }

        let mut attach = Vec::new();
        bind(&mut attach, &["enter"], Submit);
        bind(&mut attach, &["tab"], CompletePath);
        bind(&mut attach, &["esc"], Cancel);
        tables.insert(Mode::Attach, attach);

        let mut identity = Vec::new();
        bind(&mut identity, &["tab", "down"], NextField);
        bind(&mut identity, &["backtab", "up"], PrevField);
        bind(&mut identity, &["enter"], Submit);
        bind(&mut identity, &["esc"], Cancel);
        tables.insert(Mode::Identity, identity);

        let mut note = Vec::new();
        bind(&mut note, &["esc", "ctrl-s"], SaveNote);
        tables.insert(Mode::Note, note);

        let mut confirm = Vec::new();
        bind(&mut confirm, &["b"], BlockForPreconditions);
        bind(&mut confirm, &["y"], MarkAnyway);
        bind(&mut confirm, &["esc", "n"], Cancel);
        tables.insert(Mode::Preconditions, confirm);

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
        bind(&mut summary, &["R"], RunCrud);
        bind(&mut summary, &["b"], RunHosted);
        bind(&mut summary, &["d"], SpecRunDetail);
        bind(&mut summary, &["C"], ConnectionSettings);
        bind(&mut summary, &["esc"], Back);
        bind(&mut summary, &["S", "q"], Close);
        bind(&mut summary, &["?"], Help);
        tables.insert(Mode::Summary, summary);

        let mut connection = Vec::new();
        bind(&mut connection, &["tab", "down"], NextField);
        bind(&mut connection, &["backtab", "up"], PrevField);
        bind(&mut connection, &["right"], NextChoice);
        bind(&mut connection, &["left"], PrevChoice);
        bind(&mut connection, &["enter"], Submit);
        bind(&mut connection, &["esc"], Cancel);
        tables.insert(Mode::ConnectionForm, connection);

        let mut confirm_spec = Vec::new();
        bind(&mut confirm_spec, &["y"], Agree);
        bind(&mut confirm_spec, &["esc", "n"], Cancel);
        tables.insert(Mode::ConfirmSuite, confirm_spec);

        let mut unsaved = Vec::new();
        bind(&mut unsaved, &["r"], RetrySave);
        bind(&mut unsaved, &["s"], SaveElsewhere);
        bind(&mut unsaved, &["L"], QuitLosingChanges);
        bind(&mut unsaved, &["esc"], Cancel);
        tables.insert(Mode::Unsaved, unsaved);

        let mut conflict = Vec::new();
        bind(&mut conflict, &["m"], KeepMine);
        bind(&mut conflict, &["t"], KeepTheirs);
        bind(&mut conflict, &["b"], KeepBoth);
        bind(&mut conflict, &["esc"], Cancel);
        tables.insert(Mode::NoteConflict, conflict);

        let mut replace = Vec::new();
        bind(&mut replace, &["y"], Agree);
        bind(&mut replace, &["n"], Decline);
        bind(&mut replace, &["esc"], Cancel);
        tables.insert(Mode::ConfirmReplace, replace);

        let mut spec_run = Vec::new();
        bind(&mut spec_run, &["j", "down"], MoveDown);
        bind(&mut spec_run, &["k", "up"], MoveUp);
        bind(&mut spec_run, &["pgdn"], PageDown);
        bind(&mut spec_run, &["pgup"], PageUp);
        bind(&mut spec_run, &["esc", "q", "d"], Close);
        tables.insert(Mode::SuiteRuns, spec_run);

        let hints = BTreeMap::from([
            (
                Mode::Normal,
                vec![
                    MarkPass,
                    MarkFail,
                    MarkBlocked,
                    MarkSkipped,
                    ToggleStep,
                    EditNote,
                    NextNotRun,
                    Search,
                    Undo,
                    Quit,
                    Summary,
                    VerifyCase,
                    Export,
                    ConnectionSettings,
                    AddEvidence,
                    OpenEvidence,
                    WhoIsTesting,
                    FilterOutcome,
                ],
            ),
            (Mode::Search, vec![Submit, Cancel]),
            (Mode::Prompt, vec![Submit, Cancel]),
            (Mode::Attach, vec![Submit, CompletePath, Cancel]),
            (Mode::Identity, vec![NextField, Submit, Cancel]),
            (Mode::Note, vec![SaveNote]),
            (
                Mode::Preconditions,
                vec![BlockForPreconditions, MarkAnyway, Cancel],
            ),
            (
                Mode::Capabilities,
                vec![
                    MoveDown,
                    ToggleCapability,
                    ConfirmCapabilities,
                    Cancel,
                    Quit,
                ],
            ),
            (Mode::Help, vec![MoveDown, Close]),
            (
                Mode::Summary,
                vec![
                    JumpToCase, RunSpec, RunCrud, SpecLink, CrudLink, Back, Export, Close,
                ],
            ),
            // The scheme's own label says which keys choose it.
            (Mode::ConnectionForm, vec![NextField, Submit, Cancel]),
            (Mode::ConfirmSuite, vec![Agree, Cancel]),
            (
                Mode::NoteConflict,
                vec![KeepMine, KeepTheirs, KeepBoth, Cancel],
            ),
            (Mode::ConfirmReplace, vec![Agree, Decline, Cancel]),
            (
                Mode::Unsaved,
                vec![RetrySave, SaveElsewhere, QuitLosingChanges, Cancel],
            ),
            (Mode::SuiteRuns, vec![MoveDown, Close]),
        ]);
        Keymap { tables, hints }
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

    /// The actions a mode's footer recalls, each with its keys (actions left without a key
    /// are left out).
    pub fn hints(&self, mode: Mode) -> Vec<(String, &Action)> {
        self.hints
            .get(&mode)
            .into_iter()
            .flatten()
            .map(|action| (self.keys_for(mode, action), action))
            .filter(|(keys, _)| !keys.is_empty())
            .collect()
    }

    /// Whether a mode does anything with `action`: what its default keys reach.
    pub fn handles(mode: Mode, action: &Action) -> bool {
        Keymap::default()
            .bindings(mode)
            .iter()
            .any(|(_, a)| a == action)
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
    fn the_connection_forms_keys_are_in_the_keymap() {
        let keymap = Keymap::default();
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(
            keymap.resolve(Mode::ConnectionForm, key("right")),
            Some(&Action::NextChoice)
        );
        assert_eq!(
            keymap.resolve(Mode::ConnectionForm, key("left")),
            Some(&Action::PrevChoice)
        );
        assert!(
            keymap
                .hints(Mode::ConnectionForm)
                .iter()
                .any(|(keys, action)| keys == "Enter" && **action == Action::Submit)
        );
    }
}
