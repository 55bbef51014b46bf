//! Faults on writes: a read-only folder, a full disk, the session path replaced by a folder.
//! Each gives a clear error naming the file, loses nothing on disk, keeps the change in memory
//! and saves it once the fault is gone.
//!
//! The read-only folder and the full disk are real file systems: a small tmpfs mounted for the
//! test (and remounted read-only). That needs root (as in CI); elsewhere those tests say they
//! were skipped. (chmod would not do: root writes through it.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{WorkspaceEdits, case_row, scimplan, stderr, write_plan};
use scimplan::session::{Outcome, Session, default_session_path};
use scimplan::workspace::{OpenOptions, Workspace};

/// A tmpfs of `size` mounted on a fresh folder, unmounted when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("fs");
        std::fs::create_dir(&root).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&root)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none() || !is_root(),
                "root in CI but mount -t tmpfs failed"
            );
            eprintln!("skipping: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(Tmpfs { _dir: dir, root })
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.root)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.root).status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}

fn small_plan(dir: &Path) -> PathBuf {
    let path = dir.join("plan.xlsx");
    write_plan(
        &path,
        (1..=5)
            .map(|i| {
                case_row(
                    &format!("C{i}"),
                    "Case",
                    "Create Users",
                    "",
                    "1. Do",
                    "Done",
                )
            })
            .collect(),
    );
    path
}

fn on_disk(plan: &Path) -> Session {
    serde_json::from_slice(&std::fs::read(default_session_path(plan)).unwrap()).unwrap()
}

fn leftover_temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_read_only_folder_refuses_clearly_and_the_change_waits_in_memory() {
    let Some(fs) = Tmpfs::mount("1m") else { return };
    let plan = small_plan(&fs.root);
    let out = scimplan(&fs.root, &["mark", "plan.xlsx", "C1", "pass"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(default_session_path(&plan)).unwrap();

    fs.remount("ro");
    // The CLI: exit 2, the session file named, nothing changed on disk.
    let out = scimplan(&fs.root, &["mark", "plan.xlsx", "C2", "fail"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("plan.scimplan.json"), "{err}");
    assert!(err.to_lowercase().contains("read-only"), "{err}");
    assert_eq!(std::fs::read(default_session_path(&plan)).unwrap(), before);
    // The export says which file it could not write.
    let out = scimplan(&fs.root, &["export", "plan.xlsx", "-o", "out.xlsx"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("out.xlsx"), "{}", stderr(&out));

    // The library keeps the change in memory and saves it once the folder is writable.
    fs.remount("rw");
    let mut ws = Workspace::open(&plan, &OpenOptions::default()).unwrap();
    fs.remount("ro");
    ws.mark_why("C3", Outcome::Blocked, Some("org down"));
    let err = ws.save().unwrap_err().to_string();
    assert!(
        err.contains("plan.scimplan.json") && err.contains("kept in memory"),
        "{err}"
    );
    assert_eq!(ws.session().outcome("C3"), Outcome::Blocked);
    fs.remount("rw");
    ws.save().unwrap();
    let saved = on_disk(&plan);
    assert_eq!(saved.outcome("C3"), Outcome::Blocked);
    assert_eq!(saved.outcome("C1"), Outcome::Pass);
}

#[test]
fn a_full_disk_loses_nothing_and_the_change_is_saved_when_space_returns() {
    let Some(fs) = Tmpfs::mount("512k") else {
        return;
    };
    let plan = small_plan(&fs.root);
    let mut ws = Workspace::open(&plan, &OpenOptions::default()).unwrap();
    ws.note("C1", "first note");
    ws.save().unwrap();
    let before = std::fs::read(default_session_path(&plan)).unwrap();

    // Fill the disk to the last byte.
    let filler = fs.root.join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&[0]).is_ok() {}
        let _ = file.sync_all();
    }

    ws.note("C2", &"a long note ".repeat(2_000));
    let err = ws.save().unwrap_err().to_string();
    assert!(err.contains("plan.scimplan.json"), "{err}");
    assert!(
        err.contains("No space left") || err.contains("space"),
        "{err}"
    );
    assert_eq!(std::fs::read(default_session_path(&plan)).unwrap(), before);
    assert!(
        leftover_temps(&fs.root).is_empty(),
        "{:?}",
        leftover_temps(&fs.root)
    );
    // The CLI on the full disk: a clear error, exit 2, the file as it was.
    let out = scimplan(
        &fs.root,
        &[
            "mark",
            "plan.xlsx",
            "C4",
            "pass",
            "--note",
            &"n".repeat(20_000),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("plan.scimplan.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(default_session_path(&plan)).unwrap(), before);
    // Exporting onto the full disk fails naming the file and leaves no partial workbook.
    let out = scimplan(&fs.root, &["export", "plan.xlsx", "-o", "out.xlsx"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("out.xlsx"), "{}", stderr(&out));
    assert!(!fs.root.join("out.xlsx").exists());

    std::fs::remove_file(&filler).unwrap();
    ws.save().unwrap();
    let saved = on_disk(&plan);
    assert!(saved.result("C2").unwrap().note.starts_with("a long note"));
    assert_eq!(saved.result("C1").unwrap().note, "first note");
}

#[test]
fn a_folder_where_the_session_should_be_is_named_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let session = default_session_path(&plan);
    let mut ws = Workspace::open(&plan, &OpenOptions::default()).unwrap();
    ws.apply(scimplan::session::Command::Mark {
        case: "C1".to_string(),
        outcome: Outcome::Pass,
        reason: None,
        note: None,
    });
    ws.save().unwrap();

    // Someone replaces the session file by a folder while the checklist is open.
    let aside = dir.path().join("aside.json");
    std::fs::rename(&session, &aside).unwrap();
    std::fs::create_dir(&session).unwrap();
    std::fs::write(session.join("inside.txt"), "someone's file").unwrap();
    ws.apply(scimplan::session::Command::Mark {
        case: "C2".to_string(),
        outcome: Outcome::Fail,
        reason: None,
        note: None,
    });
    let err = ws.save().unwrap_err().to_string();
    assert!(err.contains("plan.scimplan.json"), "{err}");
    assert_eq!(ws.session().outcome("C2"), Outcome::Fail);
    assert_eq!(
        std::fs::read_to_string(session.join("inside.txt")).unwrap(),
        "someone's file"
    );

    // Opening it from the command line says what is wrong, naming it.
    let out = scimplan(dir.path(), &["status", "plan.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("plan.scimplan.json"),
        "{}",
        stderr(&out)
    );

    // The folder goes away: the change in memory is saved.
    std::fs::remove_dir_all(&session).unwrap();
    ws.save().unwrap();
    let saved = on_disk(&plan);
    assert_eq!(saved.outcome("C2"), Outcome::Fail);
    assert_eq!(saved.outcome("C1"), Outcome::Pass);
}
