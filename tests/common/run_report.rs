//! What `scimplan spec` or `crud` printed, read back: the exit status, the JSON report (with
//! `--json`; `null` otherwise) and both streams.

use std::process::Output;

use serde_json::Value;

use super::{stderr, stdout};

pub struct RunReport {
    pub code: Option<i32>,
    pub report: Value,
    pub out: String,
    pub err: String,
}

impl RunReport {
    pub fn of(out: &Output) -> RunReport {
        RunReport {
            code: out.status.code(),
            report: serde_json::from_str(&stdout(out)).unwrap_or(Value::Null),
            out: stdout(out),
            err: stderr(out),
        }
    }

    /// The file's run: SPEC's `file`, CRUD's `run`.
    pub fn file(&self) -> &Value {
        if self.report["file"].is_object() {
            &self.report["file"]
        } else {
            &self.report["run"]
        }
    }

    /// The request step at `position` (1-based, pauses counted) of the file.
    pub fn step(&self, position: u64) -> &Value {
        self.file()["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["position"] == position)
            .unwrap_or_else(|| panic!("no step {position}: {:#}", self.report))
    }

    pub fn status(&self, position: u64) -> &str {
        self.step(position)["status"].as_str().unwrap()
    }

    /// A SPEC check beyond the file, by part of its name.
    pub fn extra(&self, name_part: &str) -> &Value {
        self.report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"].as_str().unwrap().contains(name_part))
            .unwrap_or_else(|| panic!("no check {name_part}: {}", self.report["checks"]))
    }

    pub fn passed(&self) -> bool {
        self.code == Some(0)
    }
}
