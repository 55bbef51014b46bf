//! Who made a change: the checklist, or one of scimplan's commands. Every history entry and
//! every outcome records its writer, so undo takes back a writer's own changes and a check or
//! an undo that leaves something alone can say who changed it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Writer {
    /// The checklist (any checklist process: its undo history survives a restart).
    Checklist,
    /// A command, by its name (`mark`, `verify`, `capabilities`...).
    Command(String),
}

impl Writer {
    pub fn command(name: &str) -> Writer {
        Writer::Command(name.to_string())
    }

    /// Whether `u` in the checklist (true) or `scimplan undo` (false) takes back its changes.
    pub fn is_checklist(&self) -> bool {
        matches!(self, Writer::Checklist)
    }
}

impl std::fmt::Display for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Writer::Checklist => f.write_str("the checklist"),
            Writer::Command(name) => write!(f, "`scimplan {name}`"),
        }
    }
}

impl From<String> for Writer {
    fn from(text: String) -> Writer {
        match text.strip_prefix("scimplan ") {
            Some(name) => Writer::Command(name.to_string()),
            None if text == "checklist" => Writer::Checklist,
            None => Writer::Command(text),
        }
    }
}

impl From<Writer> for String {
    fn from(writer: Writer) -> String {
        match writer {
            Writer::Checklist => "checklist".into(),
            Writer::Command(name) => format!("scimplan {name}"),
        }
    }
}
