//! Scenario tables for the import recipes against the real scim2-server holding more than one
//! page of users: Okta's import pages through everything (startIndex, count = 100), so the
//! checks do too; a failure summarises the list instead of dumping it; a count that is not a
//! number is refused before any request.

mod common;
#[path = "common/scenario.rs"]
mod scenario;
#[path = "common/scim_server.rs"]
mod scim_server;

use scenario::{Expect, Row, run_table};
use scim_server::ScimServer;

const USERS: usize = 150;

#[test]
fn imports_page_through_every_user_c9303_c9304_c9338() {
    let server = ScimServer::start();
    for i in 0..USERS {
        server.create_user(&format!("imp{i:03}@example.com"), "Im", "Port", true);
    }
    server.create_group("Imported A", &[]);
    server.create_group("Imported B", &[]);
    run_table(
        &server,
        &[
            Row {
                name: "the user is on the second page",
                case: "C9303",
                inputs: &["user=imp149@example.com"],
                setup: |_| {},
                expect: Expect::Pass,
            },
            Row {
                name: "the user is on no page: the list is summarised",
                case: "C9303",
                inputs: &["user=nobody@example.com"],
                setup: |_| {},
                expect: Expect::Fail(&["got 150 values: [\"imp", "…145 more]"]),
            },
            Row {
                name: "as many users as Okta scanned, over two pages",
                case: "C9304",
                inputs: &["users_scanned=150"],
                setup: |_| {},
                expect: Expect::Pass,
            },
            Row {
                name: "Okta scanned only the first page's worth",
                case: "C9304",
                inputs: &["users_scanned=100"],
                setup: |_| {},
                expect: Expect::Fail(&["Resources count: expected 100, got 150"]),
            },
            Row {
                name: "a count that is not a number is refused before polling",
                case: "C9304",
                inputs: &["users_scanned=two"],
                setup: |_| {},
                expect: Expect::Refused("users_scanned=two: give a whole number"),
            },
            Row {
                name: "as many groups as Okta scanned",
                case: "C9338",
                inputs: &["groups_scanned=2"],
                setup: |_| {},
                expect: Expect::Pass,
            },
            Row {
                name: "more groups than Okta scanned",
                case: "C9338",
                inputs: &["groups_scanned=1"],
                setup: |_| {},
                expect: Expect::Fail(&["expected 1, got 2"]),
            },
        ],
    );
}
