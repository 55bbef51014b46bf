//! Reading a workbook into a `Plan`: format detection, header discovery, case rows.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx, XlsxError, open_workbook_from_rs};
use sha2::{Digest, Sha256};

use super::completed::{
    Added, RecordedResults, RecordedRow, is_summary_sheet, read_summary, take_added_columns,
};
use super::text::{RichText, find_refs, parse_steps};
use super::{Case, CellValue, Column, Field, Plan, PlanError, Section};

/// How many rows of a sheet are searched for the header row (title rows may stand above it).
pub(super) const HEADER_SEARCH_ROWS: usize = 30;

pub fn load_plan(path: &Path) -> Result<Plan, PlanError> {
    let bytes = std::fs::read(path).map_err(|source| PlanError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_plan_bytes(path, bytes)
}

pub fn fingerprint_bytes(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads a plan from workbook bytes; `path` names the file in errors and in the plan.
pub fn load_plan_bytes(path: &Path, bytes: Vec<u8>) -> Result<Plan, PlanError> {
    let fingerprint = fingerprint_bytes(&bytes);
    let mut sheets = read_sheets(path, bytes)?;
    // Several sheets with the plan's header: one is read whole or the workbook is refused.
    let (chosen, repeated_sheets) = super::sheets::choose_plan_sheet(path, &sheets)?;
    let (index, header) = match chosen {
        Some(i) => {
            let (_, header) = find_plan_sheet(path, &sheets[i..=i])?;
            (i, header)
        }
        None => find_plan_sheet(path, &sheets)?,
    };
    let summary = header.added.and_then(|_| {
        sheets
            .iter()
            .enumerate()
            .find(|(i, g)| *i != index && is_summary_sheet(&g.name))
            .map(|(_, g)| read_summary(g.rows.iter().map(Vec::as_slice)))
    });
    let mut plan = build_plan(
        path,
        fingerprint,
        &mut sheets[index],
        header.row,
        header.columns,
        header.added,
    )?;
    if let Some(recorded) = &mut plan.recorded {
        recorded.summary = summary;
    }
    plan.repeated_sheets = repeated_sheets;
    Ok(plan)
}

/// A sheet as rows of cells with absolute (zero-based) sheet coordinates.
pub(super) struct SheetGrid {
    pub(super) name: String,
    pub(super) first_row: u32,
    pub(super) first_col: u32,
    pub(super) rows: Vec<Vec<CellValue>>,
}

impl SheetGrid {
    pub(super) fn cell(&self, row: usize, sheet_col: u32) -> &CellValue {
        static EMPTY: CellValue = CellValue::Empty;
        sheet_col
            .checked_sub(self.first_col)
            .and_then(|c| self.rows.get(row)?.get(c as usize))
            .unwrap_or(&EMPTY)
    }

    /// Moves a cell out of the grid (each cell is taken once: the plan owns it afterwards).
    fn take(&mut self, row: usize, sheet_col: u32) -> CellValue {
        sheet_col
            .checked_sub(self.first_col)
            .and_then(|c| self.rows.get_mut(row)?.get_mut(c as usize))
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

enum Format {
    Zip,
    Ole,
    Unknown,
}

fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        Format::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Format::Ole
    } else {
        Format::Unknown
    }
}

fn read_sheets(path: &Path, bytes: Vec<u8>) -> Result<Vec<SheetGrid>, PlanError> {
    let corrupt = |detail: String| PlanError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let is_ods = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ods"));
    let is_xlsb = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsb"));
    match sniff(&bytes) {
        Format::Zip if is_ods || zip_has_entry(&bytes, b"content.xml") => {
            let mut book: Ods<_> = open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::OdsError| corrupt(e.to_string()))?;
            collect(&mut book).map_err(|e| corrupt(e.to_string()))
        }
        Format::Zip if is_xlsb => {
            let mut book: Xlsb<_> = open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsbError| corrupt(e.to_string()))?;
            collect(&mut book).map_err(|e| corrupt(e.to_string()))
        }
        Format::Zip => {
            let mut book: Xlsx<_> =
                open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
                    XlsxError::Password => PlanError::Encrypted {
                        path: path.to_path_buf(),
                    },
                    other => corrupt(other.to_string()),
                })?;
            collect(&mut book).map_err(|e| corrupt(e.to_string()))
        }
        Format::Ole => {
            // Encrypted .xlsx files are OLE containers holding an EncryptedPackage stream.
            if contains_utf16(&bytes, "EncryptedPackage")
                || contains_utf16(&bytes, "EncryptionInfo")
            {
                return Err(PlanError::Encrypted {
                    path: path.to_path_buf(),
                });
            }
            let mut book: Xls<_> =
                open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsError| {
                    let text = e.to_string();
                    if text.to_ascii_lowercase().contains("password")
                        || text.to_ascii_lowercase().contains("encrypt")
                    {
                        PlanError::Encrypted {
                            path: path.to_path_buf(),
                        }
                    } else {
                        corrupt(text)
                    }
                })?;
            collect(&mut book).map_err(|e| corrupt(e.to_string()))
        }
        Format::Unknown => Err(PlanError::NotAWorkbook {
            path: path.to_path_buf(),
            detail: describe_non_workbook(&bytes),
        }),
    }
}

fn describe_non_workbook(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "the file is empty".into()
    } else if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        "it is a text file".into()
    } else {
        "its content is not an Excel or OpenDocument workbook".into()
    }
}

fn zip_has_entry(bytes: &[u8], name: &[u8]) -> bool {
    bytes.windows(name.len()).take(4096).any(|w| w == name)
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let encoded: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes
        .windows(encoded.len())
        .any(|w| w == encoded.as_slice())
}

fn collect<RS, R>(book: &mut R) -> Result<Vec<SheetGrid>, R::Error>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    let names = book.sheet_names();
    let mut grids = Vec::with_capacity(names.len());
    for name in names {
        let mut range = book.worksheet_range(&name)?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let (height, width) = range.get_size();
        // Each cell's text is moved out of the range, not copied (tens of thousands of strings
        // on a large plan).
        let rows = (0..height)
            .map(|r| {
                (0..width)
                    .map(|c| cell_value(std::mem::take(&mut range[(r, c)])))
                    .collect()
            })
            .collect();
        grids.push(SheetGrid {
            name,
            first_row,
            first_col,
            rows,
        });
    }
    Ok(grids)
}

fn cell_value(data: Data) -> CellValue {
    match data {
        Data::Empty => CellValue::Empty,
        Data::String(s) => CellValue::Text(s),
        Data::Int(i) => CellValue::Number(i as f64),
        Data::Float(f) => CellValue::Number(f),
        Data::Bool(b) => CellValue::Bool(b),
        // Dates are rare in plans; keep Excel's serial number so nothing is invented.
        Data::DateTime(dt) => CellValue::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s),
        Data::Error(e) => CellValue::Text(format!("#{e:?}")),
    }
}

/// Header texts are compared without case, spaces or punctuation.
fn normalize_header(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn field_for_header(text: &str) -> Option<Field> {
    let field = match normalize_header(text).as_str() {
        "id" | "caseid" | "testid" | "testcaseid" | "tcid" | "testrailid" => Field::Id,
        "title" | "casetitle" | "testtitle" | "name" | "testname" | "testcase" | "testcasename"
        | "summary" => Field::Title,
        "section" | "sectionname" | "suite" | "area" | "feature" | "category" => Field::Section,
        "preconditions" | "precondition" | "prerequisites" | "prerequisite" | "preconds" => {
            Field::Preconditions
        }
        "steps" | "step" | "teststeps" | "procedure" | "stepstoreproduce" => Field::Steps,
        "expectedresult" | "expectedresults" | "expected" | "expectedoutcome"
        | "expectedbehavior" | "expectedbehaviour" => Field::Expected,
        _ => return None,
    };
    Some(field)
}

pub(super) struct HeaderMatch {
    pub(super) row: usize,
    pub(super) columns: Vec<Column>,
    /// Sheet column of scimplan's first added column, in a completed workbook.
    added: Option<u32>,
}

impl HeaderMatch {
    pub(super) fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.columns.iter().filter_map(|c| c.field)
    }

    fn score(&self) -> usize {
        self.fields().count()
    }
}

pub(super) fn header_in_row(grid: &SheetGrid, row: usize) -> Option<HeaderMatch> {
    let cells = grid.rows.get(row)?;
    let mut columns = Vec::new();
    let mut seen = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let text = cell.as_text();
        if text.trim().is_empty() {
            continue;
        }
        // The first column with a given meaning wins; a second one is kept as an extra column.
        let field = field_for_header(&text).filter(|f| !seen.contains(f));
        if let Some(f) = field {
            seen.push(f);
        }
        columns.push(Column {
            header: text,
            field,
            sheet_col: grid.first_col + i as u32,
        });
    }
    let added = take_added_columns(&mut columns);
    let candidate = HeaderMatch {
        row,
        columns,
        added,
    };
    (seen.contains(&Field::Id) && candidate.score() >= 2).then_some(candidate)
}

/// The sheet (its index) whose header row names the most plan columns, and that header.
fn find_plan_sheet(path: &Path, sheets: &[SheetGrid]) -> Result<(usize, HeaderMatch), PlanError> {
    let mut best: Option<(usize, HeaderMatch)> = None;
    for (index, grid) in sheets.iter().enumerate() {
        let found = (0..grid.rows.len().min(HEADER_SEARCH_ROWS))
            .filter_map(|row| header_in_row(grid, row))
            .max_by_key(|m| (m.score(), std::cmp::Reverse(m.row)));
        if let Some(found) = found
            && best.as_ref().is_none_or(|(_, b)| found.score() > b.score())
        {
            best = Some((index, found));
        }
    }
    let Some((index, header)) = best else {
        return Err(PlanError::NoPlanSheet {
            path: path.to_path_buf(),
            found: describe_sheets(sheets),
        });
    };
    let grid = &sheets[index];
    let missing: Vec<&str> = Field::ALL
        .iter()
        .filter(|f| f.is_required() && !header.fields().any(|h| h == **f))
        .map(|f| f.canonical_header())
        .collect();
    if !missing.is_empty() {
        return Err(PlanError::MissingColumn {
            path: path.to_path_buf(),
            sheet: grid.name.clone(),
            row: grid.first_row + header.row as u32 + 1,
            missing: missing.join(", "),
            found: quote_list(header.columns.iter().map(|c| c.header.as_str())),
        });
    }
    Ok((index, header))
}

fn quote_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.map(|s| format!("'{}'", s.trim())).collect();
    if quoted.is_empty() {
        "nothing".into()
    } else {
        quoted.join(", ")
    }
}

fn describe_sheets(sheets: &[SheetGrid]) -> String {
    if sheets.is_empty() {
        return "no sheets".into();
    }
    sheets
        .iter()
        .map(|grid| {
            let first = grid
                .rows
                .iter()
                .position(|r| r.iter().any(|c| !c.is_empty()));
            match first {
                None => format!("sheet '{}' is empty", grid.name),
                Some(i) => {
                    format!(
                        "sheet '{}' row {}: {}",
                        grid.name,
                        grid.first_row + i as u32 + 1,
                        quote_list(grid.rows[i].iter().filter(|c| !c.is_empty()).map(
                            |c| match c {
                                CellValue::Text(t) => t.as_str(),
                                _ => "(a number)",
                            }
                        ))
                    )
                }
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn column_letter(index: u32) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

fn build_plan(
    path: &Path,
    fingerprint: String,
    grid: &mut SheetGrid,
    header_row: usize,
    columns: Vec<Column>,
    added: Option<u32>,
) -> Result<Plan, PlanError> {
    let pos = |field: Field| columns.iter().position(|c| c.field == Some(field));
    let id_col = pos(Field::Id).expect("the header has an ID column");
    let first_row = grid.first_row;
    let sheet_row = |row: usize| first_row + row as u32 + 1;

    let mut raw_rows = Vec::new();
    let mut recorded = added.map(|first_col| RecordedResults {
        first_col,
        ..RecordedResults::default()
    });
    for row in header_row + 1..grid.rows.len() {
        let cells: Vec<CellValue> = columns
            .iter()
            .map(|c| grid.take(row, c.sheet_col))
            .collect();
        if cells.iter().all(CellValue::is_empty) {
            continue;
        }
        let id = cells[id_col].as_text().trim().to_string();
        if id.is_empty() {
            return Err(PlanError::EmptyId {
                path: path.to_path_buf(),
                sheet: grid.name.clone(),
                row: sheet_row(row),
                column: column_letter(columns[id_col].sheet_col),
                header: columns[id_col].header.clone(),
            });
        }
        let length = id.chars().count();
        if length > super::error::MAX_ID_CHARS {
            return Err(PlanError::LongId {
                path: path.to_path_buf(),
                sheet: grid.name.clone(),
                row: sheet_row(row),
                column: column_letter(columns[id_col].sheet_col),
                header: columns[id_col].header.clone(),
                length,
            });
        }
        if let Some(recorded) = &mut recorded {
            let first_col = recorded.first_col;
            let added = |k: Added| grid.take(row, first_col + k.offset() as u32);
            recorded
                .rows
                .push(RecordedRow::new(id.clone(), sheet_row(row), added));
        }
        raw_rows.push((id, sheet_row(row), cells));
    }
    if raw_rows.is_empty() {
        return Err(PlanError::EmptyPlan {
            path: path.to_path_buf(),
            sheet: grid.name.clone(),
            row: sheet_row(header_row),
        });
    }

    let mut index: HashMap<String, usize> = HashMap::with_capacity(raw_rows.len());
    let mut duplicates: Vec<(String, Vec<u32>)> = Vec::new();
    for (i, (id, row, _)) in raw_rows.iter().enumerate() {
        if let Some(&first) = index.get(id) {
            match duplicates.iter_mut().find(|(d, _)| d == id) {
                Some((_, rows)) => rows.push(*row),
                None => duplicates.push((id.clone(), vec![raw_rows[first].1, *row])),
            }
        } else {
            index.insert(id.clone(), i);
        }
    }
    if !duplicates.is_empty() {
        let listing = duplicates
            .iter()
            .map(|(id, rows)| {
                let rows: Vec<String> = rows.iter().map(u32::to_string).collect();
                format!("{id} on rows {}", rows.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(PlanError::DuplicateIds {
            path: path.to_path_buf(),
            sheet: grid.name.clone(),
            duplicates,
            listing,
        });
    }

    // Most words of a precondition are not case IDs: a word whose first byte no ID starts
    // with is passed over without hashing it.
    let mut first_bytes = [false; 256];
    for id in index.keys() {
        first_bytes[id.as_bytes()[0] as usize] = true;
    }
    let known = |id: &str| first_bytes[id.as_bytes()[0] as usize] && index.contains_key(id);
    let build = |(id, row, cells): (String, u32, Vec<CellValue>)| {
        let preconditions_raw = field_text(&cells, pos(Field::Preconditions));
        Case {
            title: field_text(&cells, pos(Field::Title)).trim().to_string(),
            section: field_text(&cells, pos(Field::Section)).trim().to_string(),
            refs: find_refs(&preconditions_raw, &known, &id),
            preconditions: RichText::parse(preconditions_raw.trim_end()),
            steps: parse_steps(&field_text(&cells, pos(Field::Steps))),
            expected: RichText::parse(field_text(&cells, pos(Field::Expected)).trim_end()),
            row,
            cells,
            id,
        }
    };
    let cases = build_cases(raw_rows, build);
    let mut sections: Vec<Section> = Vec::new();
    let mut section_pos: HashMap<&str, usize> = HashMap::new();
    for (i, case) in cases.iter().enumerate() {
        let slot = *section_pos.entry(&case.section).or_insert_with(|| {
            sections.push(Section {
                name: case.section.clone(),
                cases: Vec::new(),
            });
            sections.len() - 1
        });
        sections[slot].cases.push(i);
    }

    Ok(Plan {
        source: path.to_path_buf(),
        sheet: grid.name.clone(),
        header_row: sheet_row(header_row),
        fingerprint,
        columns,
        sections,
        cases,
        index,
        recorded,
        repeated_sheets: Vec::new(),
    })
}

/// The text of the cell at `col` without a copy when it holds text (most do).
fn field_text(cells: &[CellValue], col: Option<usize>) -> std::borrow::Cow<'_, str> {
    match col.map(|i| &cells[i]) {
        Some(CellValue::Text(text)) => text.as_str().into(),
        Some(other) => other.as_text().into(),
        None => "".into(),
    }
}

/// Rows become cases (parsing their text) on two threads when there are many: on a
/// 10,000-case plan that is a few tens of milliseconds of work, in order either way.
fn build_cases<R: Send>(mut rows: Vec<R>, build: impl Fn(R) -> Case + Sync) -> Vec<Case> {
    const ENOUGH_FOR_A_THREAD: usize = 2_000;
    if rows.len() < ENOUGH_FOR_A_THREAD {
        return rows.into_iter().map(build).collect();
    }
    let second_half = rows.split_off(rows.len() / 2);
    let build = &build;
    std::thread::scope(|scope| {
        let second = scope.spawn(move || second_half.into_iter().map(build).collect::<Vec<_>>());
        let mut cases: Vec<Case> = rows.into_iter().map(build).collect();
        cases.extend(
            second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        cases
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn header_variants_are_recognised() {
        assert_eq!(field_for_header(" Case ID "), Some(Field::Id));
        assert_eq!(field_for_header("EXPECTED RESULTS"), Some(Field::Expected));
        assert_eq!(
            field_for_header("Pre-conditions"),
            Some(Field::Preconditions)
        );
        assert_eq!(field_for_header("Owner"), None);
    }

    #[test]
    fn text_file_is_not_a_workbook() {
        let err = load_plan_bytes(Path::new("plan.xlsx"), b"ID,Title\n".to_vec()).unwrap_err();
        assert!(matches!(err, PlanError::NotAWorkbook { .. }), "{err}");
        assert!(err.to_string().contains("plan.xlsx"));
    }

    #[test]
    fn truncated_zip_is_corrupt() {
        let err =
            load_plan_bytes(Path::new("plan.xlsx"), b"PK\x03\x04garbage".to_vec()).unwrap_err();
        assert!(matches!(err, PlanError::Corrupt { .. }), "{err}");
    }
}
