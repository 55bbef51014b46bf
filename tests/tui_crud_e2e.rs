//! The real checklist in a pty: `R` on the summary runs Okta's CRUD file (from the data folder; the
//! tests' CRUD-shaped fixture in a fresh clone)
//! against the Okta double and the real scim2-server, both tokens from the environment; a
//! SIGTERM while it polls ends the checklist only after the Okta user it created is removed.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/screen.rs"]
mod screen;

use std::process::Command;
use std::time::{Duration, Instant};

use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use rexpect::process::Signal;
use scim_server::ScimServer;
use scimplan::session::{Session, SuiteKind, default_session_path};
use screen::Screen;

const OKTA_TOKEN: &str = "okta-token-for-the-pty-test";

#[test]
fn sigterm_while_the_crud_file_polls_still_removes_its_okta_user() {
    let crud = common::okta_or_fixture(common::CRUD_FILE).path;
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.xlsx");
    common::write_plan(&plan, common::large_plan_rows(5));
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(&crud, data.join("Okta-SCIM-20-CRUD-Test.json")).unwrap();
    // Its initial script beside it, as the folder of Okta's files holds it (run as written).
    let script = crud.parent().unwrap().join(common::CRUD_SCRIPT_FILE);
    std::fs::copy(&script, data.join(common::CRUD_SCRIPT_FILE)).unwrap();
    let server = ScimServer::start();
    // Okta provisions after 5 s: step 5 is being polled when the signal comes.
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: server.token.clone(),
        }),
        provisioning_delay: Duration::from_secs(5),
        ..DoubleOptions::default()
    });
    let connect = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(["connect", "plan.xlsx", "--scim-url", &server.url])
        .args(["--okta-org", &double.url, "--okta-app-id", &double.app_id])
        .current_dir(dir.path())
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .output()
        .unwrap();
    assert!(connect.status.success(), "{}", common::stderr(&connect));

    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"stty cols 120 rows 40 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_scimplan"))
        .arg(&plan)
        .args(["--tester", "Zoë Tester"])
        .current_dir(dir.path())
        .env("SCIMPLAN_CONFIG", dir.path().join("no-config.toml"))
        .env("SCIMPLAN_DATA_DIR", &data)
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1");
    let mut p = rexpect::session::spawn_command(command, Some(60_000)).unwrap();
    let mut screen = Screen::new();
    let send = |p: &mut rexpect::session::PtySession, keys: &str| {
        p.send(keys).unwrap();
        p.flush().unwrap();
    };
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    screen.wait_for(&mut p, "Cases 5/5");
    send(&mut p, "S");
    screen.wait_for(&mut p, "R runs it here, b in BlazeMeter");
    send(&mut p, "R");
    let shown = screen.wait_for(&mut p, "Run Okta's CRUD file?");
    assert!(
        shown.contains("It creates the Okta user Runscope"),
        "{shown}"
    );
    send(&mut p, "y");
    // Both tokens come from the environment: no prompt, it runs.
    screen.wait_for(&mut p, "Okta's CRUD file: ");
    let until = Instant::now() + Duration::from_secs(30);
    while double.org.lock().unwrap().users.is_empty() {
        assert!(
            Instant::now() < until,
            "the file never created its Okta user"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    screen.wait_for(&mut p, "step 5 attempt");
    assert!(
        double.org.lock().unwrap().scim_ids.is_empty(),
        "not provisioned yet: the signal comes while step 5 polls"
    );
    p.process_mut().signal(Signal::SIGTERM).unwrap();
    p.exp_eof().unwrap();
    assert!(
        double.org.lock().unwrap().users.is_empty(),
        "the Okta user was left behind"
    );
    let bytes = std::fs::read(default_session_path(&plan)).unwrap();
    let session: Session = serde_json::from_slice(&bytes).unwrap();
    assert!(
        session.latest_suite_run(SuiteKind::Crud).is_none(),
        "a cancelled run is no CRUD result"
    );
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(OKTA_TOKEN) && !text.contains(&server.token));
    double.assert_valid();
}
