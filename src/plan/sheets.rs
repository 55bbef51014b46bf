//! Workbooks with more than one sheet carrying the plan's header. scimplan reads one plan
//! sheet; it never does so silently when cases stand elsewhere too: a sheet whose cases all
//! stand on the chosen sheet is a copy (reported), any other makes the workbook refused with the
//! sheets named.

use std::collections::BTreeSet;
use std::path::Path;

use super::Field;
use super::PlanError;
use super::load::{HEADER_SEARCH_ROWS, SheetGrid, header_in_row};

/// A sheet that repeats cases of the plan sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatedSheet {
    pub sheet: String,
    /// How many cases it holds (all of them also on the plan sheet).
    pub cases: usize,
    /// The plan sheet it repeats.
    pub of_sheet: String,
    /// Same case IDs as the plan sheet (a full copy) rather than some of them.
    pub identical: bool,
}

impl std::fmt::Display for RepeatedSheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.identical { "all" } else { "some" };
        write!(
            f,
            "sheet '{}' has the plan's header too and repeats {how} of the cases of sheet '{}' ({} case(s)); it is not read: only sheet '{}' is",
            self.sheet, self.of_sheet, self.cases, self.of_sheet
        )
    }
}

struct Candidate {
    index: usize,
    ids: BTreeSet<String>,
    /// One-based sheet rows of the first and last case.
    rows: Option<(u32, u32)>,
}

/// A sheet's cases when its header holds every required column.
fn candidate(index: usize, grid: &SheetGrid) -> Option<Candidate> {
    let header = (0..grid.rows.len().min(HEADER_SEARCH_ROWS))
        .filter_map(|row| header_in_row(grid, row))
        .find(|h| {
            Field::ALL
                .iter()
                .filter(|f| f.is_required())
                .all(|f| h.fields().any(|g| g == *f))
        })?;
    let id_col = header
        .columns
        .iter()
        .find(|c| c.field == Some(Field::Id))?
        .sheet_col;
    let mut ids = BTreeSet::new();
    let mut rows: Option<(u32, u32)> = None;
    for row in header.row + 1..grid.rows.len() {
        let id = grid.cell(row, id_col).as_text().trim().to_string();
        if id.is_empty() {
            continue;
        }
        let sheet_row = grid.first_row + row as u32 + 1;
        rows = Some(rows.map_or((sheet_row, sheet_row), |(first, _)| (first, sheet_row)));
        ids.insert(id);
    }
    Some(Candidate { index, ids, rows })
}

/// Chooses the plan sheet when several sheets have the plan's header: the one with the most
/// cases, provided every other one only repeats its cases. `None` when at most one sheet has
/// the header (the loader then picks as usual).
pub(super) fn choose_plan_sheet(
    path: &Path,
    sheets: &[SheetGrid],
) -> Result<(Option<usize>, Vec<RepeatedSheet>), PlanError> {
    let candidates: Vec<Candidate> = sheets
        .iter()
        .enumerate()
        .filter_map(|(i, grid)| candidate(i, grid))
        .collect();
    if candidates.len() < 2 {
        return Ok((None, Vec::new()));
    }
    let main = candidates
        .iter()
        .rev()
        .max_by_key(|c| c.ids.len())
        .expect("two candidates at least");
    let main_name = &sheets[main.index].name;
    let mut repeated = Vec::new();
    let mut spread = false;
    for other in candidates.iter().filter(|c| c.index != main.index) {
        if other.ids.is_subset(&main.ids) {
            repeated.push(RepeatedSheet {
                sheet: sheets[other.index].name.clone(),
                cases: other.ids.len(),
                of_sheet: main_name.clone(),
                identical: other.ids == main.ids,
            });
        } else {
            spread = true;
        }
    }
    if !spread {
        return Ok((Some(main.index), repeated));
    }
    let listing = candidates
        .iter()
        .map(|c| {
            let rows = c
                .rows
                .map(|(first, last)| format!(", rows {first}-{last}"))
                .unwrap_or_default();
            let elsewhere = if c.index == main.index {
                String::new()
            } else {
                let own = c.ids.difference(&main.ids).count();
                format!(", {own} not on sheet '{main_name}'")
            };
            format!(
                "sheet '{}' ({} case(s){rows}{elsewhere})",
                sheets[c.index].name,
                c.ids.len()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(PlanError::SpreadOverSheets {
        path: path.to_path_buf(),
        sheets: candidates
            .iter()
            .map(|c| sheets[c.index].name.clone())
            .collect(),
        listing,
    })
}
