//! `scimplan console PLAN CASE`: the Admin Console page a case's steps start on, from the real
//! binary with an org connected through the Okta double (which also tells scimplan the app's
//! name, which the app pages are under).

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;

use std::path::Path;
use std::process::{Command, Output};

use common::{case_row, stderr, stdout, write_plan};
use okta_double::{DoubleOptions, OktaDouble};

const TOKEN: &str = "okta-token-console-5a1e";

fn scimplan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SCIMPLAN_OKTA_TOKEN", TOKEN)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn console_prints_the_page_of_the_case_and_its_system_log() {
    let double = OktaDouble::start(DoubleOptions {
        token: TOKEN.into(),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    write_plan(
        &dir.path().join("plan.xlsx"),
        vec![
            case_row(
                "C9312",
                "Verify Push Groups > Create Group",
                "Group Push",
                "",
                "1. Sign in to Okta as **Admin**\n4. From the **Application** page, select the **Push Groups** tab",
                "Created",
            ),
            case_row(
                "C9290",
                "Verify App Assignment for New User",
                "Create Users",
                "",
                "4. From the Application page, select the Assignments Tab > Assign Button",
                "Created",
            ),
        ],
    );
    // Before the org is connected: a clear error, exit 2.
    let out = scimplan(dir.path(), &["console", "plan.xlsx", "C9312"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No Okta org connected"),
        "{}",
        stderr(&out)
    );

    let out = scimplan(
        dir.path(),
        &[
            "connect",
            "plan.xlsx",
            "--okta-org",
            &double.url,
            "--okta-app-id",
            &double.app_id,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    let app = format!(
        "{}/admin/app/acmescim/instance/{}/",
        double.url, double.app_id
    );
    let out = scimplan(dir.path(), &["console", "plan.xlsx", "C9312"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), format!("{app}#tab-group-push"));
    assert!(stderr(&out).contains("Push Groups tab"), "{}", stderr(&out));

    let out = scimplan(dir.path(), &["console", "plan.xlsx", "C9290", "--open"]);
    assert_eq!(stdout(&out).trim(), format!("{app}#tab-assignments"));
    // No display here: said, and the URL is still printed.
    assert!(stderr(&out).contains("not opened"), "{}", stderr(&out));

    let out = scimplan(
        dir.path(),
        &["console", "plan.xlsx", "C9290", "--system-log"],
    );
    assert!(
        stdout(&out).trim().starts_with(&format!(
            "{}/report/system_log_2?search=&fromTime=20",
            double.url
        )),
        "{}",
        stdout(&out)
    );

    let out = scimplan(dir.path(), &["console", "plan.xlsx", "C1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("C1"), "{}", stderr(&out));
}
