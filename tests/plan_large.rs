//! A plan large enough to be read on two threads (over 2,000 cases) keeps every case in sheet
//! order, with its sections and cited cases.

use std::path::Path;

use scimplan::plan::load_plan_bytes;

#[test]
fn a_large_plan_keeps_its_rows_in_order_across_threads() {
    // Over the two-thread threshold: every case in sheet order, sections and refs intact.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "ID",
        "Title",
        "Section",
        "Preconditions",
        "Steps",
        "Expected",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    let count = 4_001u32;
    for i in 0..count {
        let row = i + 1;
        sheet.write_string(row, 0, format!("C{i}")).unwrap();
        sheet.write_string(row, 1, format!("Case **{i}**")).unwrap();
        sheet
            .write_string(row, 2, format!("S{}", i * 3 / count))
            .unwrap();
        if i > 0 {
            sheet
                .write_string(row, 3, format!("After [C{}]", i - 1))
                .unwrap();
        }
        sheet.write_string(row, 4, "1. one\r\n2. two").unwrap();
        sheet.write_string(row, 5, "done").unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let plan = load_plan_bytes(Path::new("large.xlsx"), bytes).unwrap();
    assert_eq!(plan.cases.len(), count as usize);
    for (i, case) in plan.cases.iter().enumerate() {
        assert_eq!(case.id, format!("C{i}"));
        assert_eq!(case.row, i as u32 + 2);
        assert_eq!(plan.case_index(&case.id), Some(i));
        assert_eq!(case.steps.len(), 2);
        let expected_refs: Vec<String> =
            (i > 0).then(|| format!("C{}", i - 1)).into_iter().collect();
        assert_eq!(case.refs, expected_refs);
    }
    let sections: Vec<(&str, usize)> = plan
        .sections
        .iter()
        .map(|s| (s.name.as_str(), s.cases.len()))
        .collect();
    let in_section = |k: u32| (0..count).filter(|i| i * 3 / count == k).count();
    assert_eq!(
        sections,
        [
            ("S0", in_section(0)),
            ("S1", in_section(1)),
            ("S2", in_section(2))
        ]
    );
    assert!(plan.sections[1].cases.windows(2).all(|w| w[1] == w[0] + 1));
}
