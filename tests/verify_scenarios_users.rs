//! Scenario tables for the user recipes against the real scim2-server: for each, the correct
//! state, realistic wrong states, and the edges found in review (a stale primary email, NFD
//! text, extension attributes, value filters, per-user memory of deactivations, wiped
//! attributes, a user re-created with a new id, profile values given to C9335).

mod common;
#[path = "common/scenario.rs"]
mod scenario;
#[path = "common/scim_server.rs"]
mod scim_server;

use scenario::{ENTERPRISE, Expect, Row, run_table};
use scim_server::ScimServer;
use serde_json::json;

#[test]
fn assigned_user_c9290() {
    let server = ScimServer::start();
    let ann = &[
        "user=ann@example.com",
        "given_name=Ann",
        "family_name=Lee",
        "email=ann@example.com",
    ];
    run_table(
        &server,
        &[
            Row {
                name: "provisioned with the Okta profile",
                case: "C9290",
                inputs: ann,
                setup: |s| {
                    s.user("ann@example.com", "Ann", "Lee", true);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "not provisioned",
                case: "C9290",
                inputs: &["user=nobody@example.com"],
                setup: |_| {},
                expect: Expect::Fail(&["totalResults equals: expected 1, got 0"]),
            },
            Row {
                name: "provisioned inactive",
                case: "C9290",
                inputs: &["user=ina@example.com"],
                setup: |s| {
                    s.user("ina@example.com", "Ina", "Lee", false);
                },
                expect: Expect::Fail(&["active equals: expected true, got false"]),
            },
            Row {
                name: "a first name Okta did not send",
                case: "C9290",
                inputs: &["user=anne@example.com", "given_name=Anne"],
                setup: |s| {
                    s.user("anne@example.com", "Ann", "Lee", true);
                },
                expect: Expect::Fail(&["expected \"Anne\", got \"Ann\""]),
            },
            Row {
                name: "the Okta email is there, but a stale address is the primary",
                case: "C9290",
                inputs: &["user=stale@example.com", "email=stale@example.com"],
                setup: |s| {
                    s.user_with(
                        "stale@example.com",
                        json!({"emails": [
                            {"value": "old@example.com", "type": "home", "primary": true},
                            {"value": "stale@example.com", "type": "work"}
                        ]}),
                    );
                },
                expect: Expect::Fail(&["expected \"stale@example.com\", got \"old@example.com\""]),
            },
            Row {
                name: "no primary email: the work email counts",
                case: "C9290",
                inputs: &["user=work@example.com", "email=WORK@example.com"],
                setup: |s| {
                    s.user_with(
                        "work@example.com",
                        json!({"emails": [{"value": "work@example.com", "type": "work"}]}),
                    );
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the same name in another Unicode form (NFD) passes, saying so",
                case: "C9334",
                inputs: &["user=zoe@example.com", "given_name=Zo\u{eb}"],
                setup: |s| {
                    s.user("zoe@example.com", "Zoe\u{308}", "Lee", true);
                },
                expect: Expect::PassNoting(
                    "note: read the user by id: name.givenName equals: equal only after Unicode NFC normalisation: the app sent \"Zoe\\u{308}\"",
                ),
            },
            Row {
                name: "a different name that looks alike shows its characters",
                case: "C9336",
                inputs: &["user=zoey@example.com", "given_name=Zoey"],
                setup: |s| {
                    s.user("zoey@example.com", "Zoe\u{308}y", "Lee", true);
                },
                expect: Expect::Fail(&["expected \"Zoey\", got \"Zoe\\u{308}y\""]),
            },
        ],
    );
}

#[test]
fn existing_user_linked_c9335() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "linked, same id, with the Okta profile",
                case: "C9335",
                inputs: &["given_name=Cy", "family_name=Doe"],
                setup: |s| {
                    s.user("cy@example.com", "Cy", "Doe", true);
                    s.start("C9335", &["user=cy@example.com"]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the app replaced the user (a new id): a duplicate, not a link",
                case: "C9335",
                inputs: &[],
                setup: |s| {
                    let id = s.user("dup@example.com", "Du", "Pe", true);
                    s.start("C9335", &["user=dup@example.com"]);
                    s.server.delete_user(&id);
                    s.user("dup@example.com", "Du", "Pe", true);
                },
                expect: Expect::Fail(&["Resources[0].id equals: expected \""]),
            },
            Row {
                name: "a profile value given is checked, not ignored",
                case: "C9335",
                inputs: &["family_name=Smith"],
                setup: |s| {
                    s.user("fam@example.com", "Fa", "Jones", true);
                    s.start("C9335", &["user=fam@example.com"]);
                },
                expect: Expect::Fail(&["expected \"Smith\", got \"Jones\""]),
            },
            Row {
                name: "nothing observed before the assignment: asks to start the case",
                case: "C9335",
                inputs: &["user=never@example.com"],
                setup: |_| {},
                expect: Expect::Refused("scimplan start PLAN C9335"),
            },
            Row {
                name: "an input the case does not check is refused",
                case: "C9335",
                inputs: &["user=cy@example.com", "attribute=title"],
                setup: |_| {},
                expect: Expect::Refused("C9335 does not check it"),
            },
        ],
    );
}

#[test]
fn attribute_update_c9291() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "the new value",
                case: "C9291",
                inputs: &[
                    "user=dee@example.com",
                    "attribute=name.givenName",
                    "value=Deanna",
                ],
                setup: |s| {
                    s.user("dee@example.com", "Deanna", "Fox", true);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the old value",
                case: "C9310",
                inputs: &[
                    "user=old@example.com",
                    "attribute=name.givenName",
                    "value=Olivia",
                ],
                setup: |s| {
                    s.user("old@example.com", "Liv", "Fox", true);
                },
                expect: Expect::Fail(&["expected \"Olivia\", got \"Liv\""]),
            },
            Row {
                name: "the group's assignment changed: every member has the new value",
                case: "C9309",
                inputs: &[
                    "members=gu1@example.com,gu2@example.com",
                    "attribute=title",
                    "value=Lead",
                ],
                setup: |s| {
                    for user in ["gu1@example.com", "gu2@example.com"] {
                        let id = s.user(user, "Gu", "Member", true);
                        s.server.patch_user(&id, Some("title"), json!("Lead"));
                    }
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the group's assignment changed: one member not updated",
                case: "C9309",
                inputs: &[
                    "members=gv1@example.com,gv2@example.com",
                    "attribute=title",
                    "value=Lead",
                ],
                setup: |s| {
                    let id = s.user("gv1@example.com", "Gv", "Member", true);
                    s.server.patch_user(&id, Some("title"), json!("Lead"));
                    s.user("gv2@example.com", "Gv", "Member", true);
                },
                expect: Expect::Fail(&[
                    "the member has the new value (gv2@example.com): title equals: expected \"Lead\", got absent",
                ]),
            },
            Row {
                name: "the group's assignment changed: a member missing from the app",
                case: "C9309",
                inputs: &[
                    "members=gw1@example.com,gw2@example.com",
                    "attribute=title",
                    "value=Lead",
                ],
                setup: |s| {
                    let id = s.user("gw1@example.com", "Gw", "Member", true);
                    s.server.patch_user(&id, Some("title"), json!("Lead"));
                },
                expect: Expect::Fail(&[
                    "find the member (gw2@example.com): totalResults equals: expected 1, got 0",
                ]),
            },
            Row {
                name: "an enterprise extension attribute by its URN",
                case: "C9291",
                inputs: &[
                    "user=ext@example.com",
                    "attribute=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value=Sales",
                ],
                setup: |s| {
                    s.user_with(
                        "ext@example.com",
                        json!({ENTERPRISE: {"department": "Sales"}}),
                    );
                },
                expect: Expect::Pass,
            },
            Row {
                name: "an enterprise extension attribute with the old value",
                case: "C9305",
                inputs: &[
                    "user=ext2@example.com",
                    "attribute=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value=Sales",
                ],
                setup: |s| {
                    s.user_with(
                        "ext2@example.com",
                        json!({ENTERPRISE: {"department": "Support"}}),
                    );
                },
                expect: Expect::Fail(&["expected \"Sales\", got \"Support\""]),
            },
            Row {
                name: "a value filter on a multi-valued attribute",
                case: "C9291",
                inputs: &[
                    "user=filt@example.com",
                    "attribute=emails[type eq \"work\"].value",
                    "value=new@example.com",
                ],
                setup: |s| {
                    s.user_with(
                        "filt@example.com",
                        json!({"emails": [
                            {"value": "home@example.com", "type": "home"},
                            {"value": "new@example.com", "type": "work"}
                        ]}),
                    );
                },
                expect: Expect::Pass,
            },
            Row {
                name: "an attribute the app does not hold is absent",
                case: "C9291",
                inputs: &["user=bare@example.com", "attribute=title", "value=Lead"],
                setup: |s| {
                    s.user("bare@example.com", "Ba", "Re", true);
                },
                expect: Expect::Fail(&["title equals: expected \"Lead\", got absent"]),
            },
            Row {
                name: "a path scimplan cannot read is refused, naming it",
                case: "C9291",
                inputs: &[
                    "user=bare@example.com",
                    "attribute=emails[type eq work].value",
                    "value=x",
                ],
                setup: |_| {},
                expect: Expect::Refused("'emails[type eq work].value'"),
            },
        ],
    );
}

#[test]
fn deactivation_c9292_and_reactivation_c9293() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "deactivated, still there",
                case: "C9292",
                inputs: &["user=de@example.com"],
                setup: |s| {
                    s.user("de@example.com", "De", "Ac", false);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "still active",
                case: "C9294",
                inputs: &["user=act@example.com"],
                setup: |s| {
                    s.user("act@example.com", "Ac", "Tive", true);
                },
                expect: Expect::Fail(&["active equals: expected false, got true"]),
            },
            Row {
                // C9294's expected result: "Each application may choose different methods
                // for deactivating a user's access": deleting the user removes it.
                name: "unassigned and deleted by the app",
                case: "C9294",
                inputs: &["user=deleted@example.com"],
                setup: |_| {},
                expect: Expect::Pass,
            },
            Row {
                name: "deleted instead of deactivated",
                case: "C9292",
                inputs: &["user=gone@example.com"],
                setup: |_| {},
                expect: Expect::Fail(&["expected 1, got 0"]),
            },
            Row {
                name: "C9292 on one user, C9294 on another: each keeps its own id",
                case: "C9293",
                inputs: &["user=bob@example.com"],
                setup: |s| {
                    let bob = s.user("bob@example.com", "Bob", "Ray", false);
                    s.user("carl@example.com", "Carl", "Ray", false);
                    s.passes("C9292", &["user=bob@example.com"]);
                    s.passes("C9294", &["user=carl@example.com"]);
                    s.server.set_active(&bob, true);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the userName typed in another letter case names the same user",
                case: "C9293",
                inputs: &["user=case@example.com"],
                setup: |s| {
                    let id = s.user("case@example.com", "Ca", "Se", false);
                    s.passes("C9292", &["user=CASE@Example.com"]);
                    s.server.set_active(&id, true);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "reactivated with its attributes wiped",
                case: "C9293",
                inputs: &["user=wipe@example.com"],
                setup: |s| {
                    let id = s.user("wipe@example.com", "Wi", "Pe", false);
                    s.passes("C9292", &["user=wipe@example.com"]);
                    s.server.set_active(&id, true);
                    s.server.remove_attribute(&id, "name");
                    s.server.remove_attribute(&id, "emails");
                },
                expect: Expect::Fail(&["name.givenName equals: expected \"Wi\", got absent"]),
            },
            Row {
                name: "re-created with a new id instead of reactivated",
                case: "C9293",
                inputs: &["user=new@example.com"],
                setup: |s| {
                    let id = s.user("new@example.com", "Ne", "W", false);
                    s.passes("C9292", &["user=new@example.com"]);
                    s.server.delete_user(&id);
                    s.user("new@example.com", "Ne", "W", true);
                },
                expect: Expect::Fail(&["Resources[0].id equals"]),
            },
            Row {
                name: "still inactive",
                case: "C9293",
                inputs: &["user=still@example.com"],
                setup: |s| {
                    s.user("still@example.com", "St", "Ill", false);
                    s.passes("C9292", &["user=still@example.com"]);
                },
                expect: Expect::Fail(&["active equals: expected true, got false"]),
            },
            Row {
                name: "never deactivated through scimplan: says which case to verify first",
                case: "C9293",
                inputs: &["user=fresh@example.com"],
                setup: |s| {
                    s.user("fresh@example.com", "Fr", "Esh", true);
                },
                expect: Expect::Refused("verify C9292 or C9294 for fresh@example.com first"),
            },
        ],
    );
}
