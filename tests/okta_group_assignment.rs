//! C9307/C9311 end to end: the tester assigns a group to the app (the double provisions each
//! member into the real scim2-server, as Okta does) and removes it (the members it alone
//! assigned are deactivated in the app); both cases pass and fail from Okta and the app.

mod common;
#[path = "common/okta_cases.rs"]
mod okta_cases;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::time::Duration;

use common::stderr;
use okta_cases::{assign, okta_send, setup, verify};
use okta_double::DoubleOptions;
use reqwest::Method;

#[test]
fn a_group_assigned_and_removed_provisions_and_deactivates_its_members() {
    let (dir, server, double) = setup(true, None, DoubleOptions::default());
    let ann = "ann.assigned@example.com";
    let bob = "bob.assigned@example.com";
    let cat = "cat.individual@example.com";
    let ann_id = double.add_user(ann, "Ann", "Tester");
    let bob_id = double.add_user(bob, "Bob", "Tester");
    // Cat is assigned on her own: once she joins the group too, removing the group leaves
    // her assignment.
    let cat_id = assign(&double, cat, "Cat", "Cat");
    let group = double.add_group("Sales", &[ann_id.as_str(), bob_id.as_str()]);
    let members = format!("members={ann},{bob}");

    // Before the group is assigned: neither Okta nor the app has the members (the tester
    // types the group's name, Okta gives its members).
    let (out, text) = verify(dir.path(), &server, "C9307", &["group=Sales"]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "Okta: group Sales: assigned to the app: expected assigned, got not assigned"
        ),
        "{text}"
    );

    let path = format!("/api/v1/apps/{}/groups/{group}", double.app_id);
    okta_send(&double, Method::PUT, &path, Some(serde_json::json!({})));
    assert!(double.wait_idle(Duration::from_secs(30)));
    let (out, text) = verify(dir.path(), &server, "C9307", &["group=Sales"]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    for (login, id) in [(ann, &ann_id), (bob, &bob_id)] {
        assert_eq!(server.find_users(login)[0]["active"], true, "{login}");
        assert_eq!(double.app_user(id).unwrap().scope, "GROUP");
    }
    okta_send(
        &double,
        Method::PUT,
        &format!("/api/v1/groups/{group}/users/{cat_id}"),
        None,
    );
    assert!(double.wait_idle(Duration::from_secs(30)));
    // C9311 while the group is still assigned: the members are active, so it fails.
    let (out, text) = verify(dir.path(), &server, "C9311", &[&members]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));

    okta_send(&double, Method::DELETE, &path, None);
    assert!(double.wait_idle(Duration::from_secs(30)));
    let (out, text) = verify(dir.path(), &server, "C9311", &[&members]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    for login in [ann, bob] {
        assert_eq!(server.find_users(login)[0]["active"], false, "{login}");
    }
    // Cat's own assignment stays, and so does her app user.
    assert!(double.app_user(&cat_id).is_some());
    assert_eq!(server.find_users(cat)[0]["active"], true);
    double.assert_valid();
}
