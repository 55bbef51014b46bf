use std::path::PathBuf;

use thiserror::Error;

/// The longest case ID scimplan takes: an ID must survive the completed workbook whole (Excel
/// cuts cells at 32,767 characters) and fit on a line of the checklist.
pub const MAX_ID_CHARS: usize = 255;

/// Why a workbook could not be read as a test plan. Every message names the file and says what to do.
#[derive(Debug, Error)]
pub enum PlanError {
    #[error("{path}: cannot read the file: {source}. Check the path and that you may read it.")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{path}: this is not a spreadsheet workbook ({detail}). Pass the .xlsx test plan Okta provides (scimplan fetch downloads it)."
    )]
    NotAWorkbook { path: PathBuf, detail: String },

    #[error(
        "{path}: the workbook is damaged and cannot be read ({detail}). Download it again, or open and re-save it in Excel or LibreOffice."
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error(
        "{path}: the workbook is password-protected or encrypted. Open it in Excel or LibreOffice, remove the password (File > Info > Protect Workbook), save, and try again."
    )]
    Encrypted { path: PathBuf },

    #[error(
        "{path}: no sheet has a header row with the test plan columns (ID, Title, Section, Preconditions, Steps, Expected Result). Found: {found}. Rename the headers or pass the right workbook."
    )]
    NoPlanSheet { path: PathBuf, found: String },

    #[error(
        "{path}, sheet '{sheet}', header row {row}: required column{plural} {missing} missing. Headers found: {found}. Add the column{plural} or rename the header{plural}.",
        plural = if missing.contains(',') { "s" } else { "" }
    )]
    MissingColumn {
        path: PathBuf,
        sheet: String,
        row: u32,
        missing: String,
        found: String,
    },

    #[error(
        "{path}: the test cases are spread over several sheets with the plan's header: {listing}. scimplan reads one plan sheet, so it would leave cases out: put every case on one sheet (and delete or rename the others' headers), then open the workbook again."
    )]
    SpreadOverSheets {
        path: PathBuf,
        /// The sheets' names, in workbook order.
        sheets: Vec<String>,
        listing: String,
    },

    #[error(
        "{path}, sheet '{sheet}': duplicate case IDs: {listing}. Each case needs its own ID: fix the workbook."
    )]
    DuplicateIds {
        path: PathBuf,
        sheet: String,
        /// Each duplicated ID with the rows it stands on.
        duplicates: Vec<(String, Vec<u32>)>,
        listing: String,
    },

    #[error(
        "{path}, sheet '{sheet}', row {row}, column {column} ('{header}'): the case ID is {length} characters long; scimplan takes IDs of up to {MAX_ID_CHARS} characters (Okta's are like C9290). Shorten it or pass the right workbook."
    )]
    LongId {
        path: PathBuf,
        sheet: String,
        row: u32,
        column: String,
        header: String,
        length: usize,
    },

    #[error(
        "{path}, sheet '{sheet}', row {row}, column {column} ('{header}'): the row has content but no case ID. Give the case an ID or delete the row."
    )]
    EmptyId {
        path: PathBuf,
        sheet: String,
        row: u32,
        column: String,
        header: String,
    },

    #[error(
        "{path}, sheet '{sheet}': the plan has a header row (row {row}) but no cases below it. Pass a workbook that lists the test cases."
    )]
    EmptyPlan {
        path: PathBuf,
        sheet: String,
        row: u32,
    },
}
