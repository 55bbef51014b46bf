//! Fixture workbooks written with rust_xlsxwriter, shared by the tests, the benches and the
//! `large_plan` example (which cannot use the rest of `common`: it names the test binary).
#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::Workbook;

pub use scimplan::plan::OKTA_HEADERS;

/// A sheet to write: its name and rows of text cells (row 0 first).
pub struct SheetSpec<'a> {
    pub name: &'a str,
    pub rows: Vec<Vec<String>>,
}

pub fn write_workbook(path: &Path, sheets: &[SheetSpec]) {
    let mut workbook = Workbook::new();
    for spec in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(spec.name).unwrap();
        for (r, row) in spec.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if !value.is_empty() {
                    sheet.write_string(r as u32, c as u16, value).unwrap();
                }
            }
        }
    }
    workbook.save(path).unwrap();
}

/// A case row in Okta's column order.
pub fn case_row(
    id: &str,
    title: &str,
    section: &str,
    pre: &str,
    steps: &str,
    expected: &str,
) -> Vec<String> {
    [id, title, section, pre, steps, expected]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// A small plan in Okta's layout: header row then `rows`.
pub fn write_plan(path: &Path, rows: Vec<Vec<String>>) {
    let mut all = vec![OKTA_HEADERS.iter().map(|s| s.to_string()).collect()];
    all.extend(rows);
    write_workbook(
        path,
        &[SheetSpec {
            name: "Sheet1",
            rows: all,
        }],
    );
}

/// A plan of `n` cases spread over Okta's sections (for speed and scale tests).
pub fn large_plan_rows(n: usize) -> Vec<Vec<String>> {
    let sections = [
        "Preconditions - SCIM App Setup / Add People / Add Group",
        "Create Users",
        "Update Users",
        "Deprovision (Deactivate) Users",
        "Using Group Push",
    ];
    (0..n)
        .map(|i| {
            case_row(
                &format!("C{}", 100_000 + i),
                &format!("Generated case {i}"),
                sections[i * sections.len() / n.max(1)],
                if i > 0 {
                    "1. SCIM app is added [C100000]"
                } else {
                    ""
                },
                "1. Sign in to Okta as Admin\n2. Open the **app**\n3. Check the result",
                "The user is **provisioned**",
            )
        })
        .collect()
}
