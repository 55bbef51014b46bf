//! The test plan as read from a workbook: immutable once loaded.

pub mod completed;
mod error;
mod load;
pub mod profile;
mod sheets;
pub mod text;

pub use completed::{ADDED_HEADERS, RecordedResults, RecordedRow, SummaryFacts};
pub use error::{MAX_ID_CHARS, PlanError};
pub use load::{column_letter, fingerprint_bytes, load_plan, load_plan_bytes};
pub use profile::{AdminPage, Capability, Profile, ProfileError};
pub use sheets::RepeatedSheet;
pub use text::{RichText, Step, TextSpan};

/// The headers of Okta's plan sheet, in Okta's order (the loader also takes variants and any
/// order; fixtures and benchmarks write these).
pub const OKTA_HEADERS: [&str; 6] = [
    "ID",
    "Title",
    "Section",
    "Preconditions",
    "Steps",
    "Expected Result",
];

use std::collections::HashMap;
use std::path::PathBuf;

/// What a column of the plan sheet means to scimplan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Id,
    Title,
    Section,
    Preconditions,
    Steps,
    Expected,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Id,
        Field::Title,
        Field::Section,
        Field::Preconditions,
        Field::Steps,
        Field::Expected,
    ];

    /// Columns without which a sheet is not a usable plan.
    pub fn is_required(self) -> bool {
        !matches!(self, Field::Preconditions)
    }

    /// The header text Okta's workbooks use.
    pub fn canonical_header(self) -> &'static str {
        match self {
            Field::Id => "ID",
            Field::Title => "Title",
            Field::Section => "Section",
            Field::Preconditions => "Preconditions",
            Field::Steps => "Steps",
            Field::Expected => "Expected Result",
        }
    }
}

/// One column of the plan sheet, in its original position.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text exactly as written in the workbook.
    pub header: String,
    /// The meaning of the column, or `None` for an extra column kept as is.
    pub field: Option<Field>,
    /// Zero-based column index in the sheet.
    pub sheet_col: u32,
}

/// A cell value as read, kept so the export can reproduce the original cell for cell.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CellValue {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
}

impl CellValue {
    pub fn as_text(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(text) => text.clone(),
            CellValue::Number(n) => format_number(*n),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }
}

/// Numbers as Excel shows them by default: whole numbers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// One test case: a row of the plan sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub section: String,
    pub preconditions: RichText,
    pub steps: Vec<Step>,
    pub expected: RichText,
    /// One-based row number in the sheet, as a spreadsheet shows it.
    pub row: u32,
    /// IDs of other cases of this plan cited in the preconditions, in order of appearance.
    pub refs: Vec<String>,
    /// Every cell of the row, one per plan column, in column order.
    pub cells: Vec<CellValue>,
}

/// A section of the plan, in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: String,
    /// Indexes into `Plan::cases`.
    pub cases: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub source: PathBuf,
    pub sheet: String,
    /// One-based row number of the header row.
    pub header_row: u32,
    /// SHA-256 of the workbook file, lowercase hex.
    pub fingerprint: String,
    pub columns: Vec<Column>,
    pub sections: Vec<Section>,
    pub cases: Vec<Case>,
    index: HashMap<String, usize>,
    /// In a completed workbook written by scimplan: the results in its added columns.
    pub recorded: Option<RecordedResults>,
    /// Other sheets with the plan's header whose cases all stand on the plan sheet too (copies):
    /// not read, and worth telling the tester about.
    pub repeated_sheets: Vec<RepeatedSheet>,
}

impl Plan {
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.index.get(id).map(|&i| &self.cases[i])
    }

    pub fn case_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The plan column holding a field.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| c.field == Some(field))
    }

    /// The SHA-256 of the plan workbook the cases come from: for a completed workbook, the one
    /// its Summary sheet names (Okta's original), else this file's own. Use it to recognise
    /// which Okta plan this is; `fingerprint` tells whether this file changed.
    pub fn source_fingerprint(&self) -> &str {
        self.recorded
            .as_ref()
            .and_then(|r| r.summary.as_ref()?.source_sha256.as_deref())
            .unwrap_or(&self.fingerprint)
    }

    pub fn file_name(&self) -> String {
        self.source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.source.display().to_string())
    }
}
