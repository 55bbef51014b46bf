//! Words that mean something else never become an outcome: `mark` refuses empty, unknown and
//! symbolic words (exit 2, naming the accepted words, nothing written); importing a completed
//! workbook takes ✓ as Pass and ✗ as Fail deliberately and reports every other unknown cell
//! with its row.

mod common;

use common::*;
use scimplan::session::{Outcome, Session};

const RESULT_COL: usize = 6;

#[test]
fn mark_refuses_empty_unknown_and_symbolic_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(3));
    for word in [
        "", "  ", "-", "✓", "✗", "x", "none", "todo", "?", "pass!", "1", "done",
    ] {
        let out = scimplan(d, &["mark", "plan.xlsx", "C100000", word]);
        assert_eq!(out.status.code(), Some(2), "{word:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("is not an outcome; nothing was recorded")
                && err.contains("pass, fail, blocked, skip, not-run"),
            "{word:?}: {err}"
        );
        if word.trim().is_empty() {
            assert!(err.contains("an empty word"), "{err}");
        }
        assert!(
            !d.join("plan.scimplan.json").exists(),
            "{word:?} wrote the session"
        );
    }
    for (word, outcome) in [
        ("Passed", Outcome::Pass),
        ("not run", Outcome::NotRun),
        ("n/a", Outcome::Skipped),
        ("BLOCKED", Outcome::Blocked),
        ("f", Outcome::Fail),
    ] {
        let out = scimplan(d, &["mark", "plan.xlsx", "C100001", word, "--reason", "r"]);
        assert!(out.status.success(), "{word}: {}", stderr(&out));
        let s: Session =
            serde_json::from_slice(&std::fs::read(d.join("plan.scimplan.json")).unwrap()).unwrap();
        assert_eq!(s.outcome("C100001"), outcome, "{word}");
    }
}

#[test]
fn import_takes_check_marks_deliberately_and_reports_every_other_word() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), large_plan_rows(12));
    let out = scimplan(d, &["export", "plan.xlsx", "-o", "done.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let words = [
        "✓",
        "✔️",
        "✗",
        "✘",
        "❌",
        "x",
        "-",
        "none",
        "todo",
        "TRUE",
        "Pass with issues",
    ];
    hand_edited(
        &d.join("done.xlsx"),
        &d.join("edited.xlsx"),
        |sheet, r, c| {
            (sheet == "Sheet1" && c == RESULT_COL && (1..=words.len()).contains(&r))
                .then(|| words[r - 1].to_string())
        },
    );
    let out = scimplan(d, &["status", "edited.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let s: Session =
        serde_json::from_slice(&std::fs::read(d.join("edited.scimplan.json")).unwrap()).unwrap();
    let expected = [
        Outcome::Pass,
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Fail,
        Outcome::Fail,
    ];
    for (i, outcome) in expected.iter().enumerate() {
        assert_eq!(
            s.outcome(&format!("C{}", 100_000 + i)),
            *outcome,
            "{}",
            words[i]
        );
    }
    for (i, word) in words.iter().enumerate().skip(expected.len()) {
        let case = format!("C{}", 100_000 + i);
        let line = format!(
            "row {}, column G ({case}): '{word}' is not an outcome",
            i + 2
        );
        assert!(err.contains(&line), "{line}\n{err}");
        assert_eq!(s.outcome(&case), Outcome::NotRun, "{word} is not guessed");
    }
    assert_eq!(
        err.matches("is not an outcome").count(),
        words.len() - expected.len(),
        "{err}"
    );
}
