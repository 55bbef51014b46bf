//! Helpers for the checklist's Okta tests: a plan whose steps name Admin Console pages, the
//! model driven through the connection form's Okta part, the screen as text.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use scimplan::tui::overlays::connection::{ConnectionForm, Field};
use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
use scimplan::tui::{Action, Model, update};

use crate::common::{case_row, write_plan};
use crate::okta_double::OktaDouble;
pub use crate::tui_helpers::{message, screen};

pub const TOKEN: &str = "okta-token-tui-9f2c";

pub fn plan(dir: &Path) -> PathBuf {
    let path = dir.join("plan.xlsx");
    write_plan(
        &path,
        vec![
            case_row(
                "C9296",
                "Add People",
                "Preconditions - SCIM App Setup",
                "",
                "1. From the **People** page, click **Add Person**.",
                "Added",
            ),
            case_row(
                "C9290",
                "Verify App Assignment for New User",
                "Create Users",
                "",
                "1. Sign in to Okta as Admin\n2. Go to Directory > People and check the user\n4. From the Application page, select the Assignments Tab > Assign",
                "The user is created in the app",
            ),
            case_row(
                "C9312",
                "Verify Push Groups > Create Group",
                "Group Push",
                "",
                "1. Sign in to Okta as **Admin**\n4. From the **Application** page, select the **Push Groups** tab",
                "The group is created in the app",
            ),
        ],
    );
    path
}

pub fn paste(m: &mut Model, text: &str) {
    update(m, Action::Paste(text.into()));
}

/// Ticks until the message says `what` (the background read is done).
pub fn wait_for_message(m: &mut Model, what: &str) {
    for _ in 0..400 {
        update(m, Action::Tick);
        if message(m).contains(what) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("no message with {what:?}; last: {}", message(m));
}

pub fn focus(m: &mut Model, field: Field) {
    for _ in 0..12 {
        if m.top_as::<ConnectionForm>()
            .is_some_and(|form| form.field == field)
        {
            return;
        }
        update(m, Action::NextField);
    }
    panic!("the form has no field {field:?}");
}

pub fn connect(m: &mut Model, double: &OktaDouble, token: &str) {
    update(m, Action::ConnectionSettings);
    focus(m, Field::OktaOrg);
    paste(m, &double.url);
    update(m, Action::NextField);
    paste(m, &double.app_id);
    update(m, Action::Submit);
    assert!(
        m.top_as::<Prompt>()
            .is_some_and(|p| p.kind() == PromptKind::OktaToken),
        "without SCIMPLAN_OKTA_TOKEN the token is asked for: {}",
        message(m)
    );
    paste(m, token);
    update(m, Action::Submit);
}
