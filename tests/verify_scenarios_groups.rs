//! Scenario tables for the group recipes against the real scim2-server: members checked by
//! userName (every one, the ones held before, removed ones gone), groups known by the SCIM id
//! the case acted on (a misspelt or never-pushed name is no "deleted" group), letter-case twins,
//! and members that were removed or deactivated.

mod common;
#[path = "common/scenario.rs"]
mod scenario;
#[path = "common/scim_server.rs"]
mod scim_server;

use scenario::{Expect, Row, Scene, run_table};
use scim_server::ScimServer;

/// Users `names` (active), their ids in order.
fn users(s: &Scene, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| s.user(&format!("{n}@example.com"), n, "Member", true))
        .collect()
}

fn refs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}

#[test]
fn group_assignment_c9307_and_unassignment_c9311() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "every member active",
                case: "C9307",
                inputs: &["group=Staff A", "members=ga1@example.com, ga2@example.com"],
                setup: |s| {
                    users(s, &["ga1", "ga2"]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "one member never provisioned",
                case: "C9307",
                inputs: &["group=Staff B", "members=gb1@example.com,gb2@example.com"],
                setup: |s| {
                    users(s, &["gb1"]);
                },
                expect: Expect::Fail(&["find the member (gb2@example.com)", "expected 1, got 0"]),
            },
            Row {
                name: "every member deactivated",
                case: "C9311",
                inputs: &["group=Staff C", "members=gc1@example.com,gc2@example.com"],
                setup: |s| {
                    for id in users(s, &["gc1", "gc2"]) {
                        s.server.set_active(&id, false);
                    }
                },
                expect: Expect::Pass,
            },
            Row {
                name: "one member deleted by the app, the other deactivated: removed or deactivated",
                case: "C9311",
                inputs: &["group=Staff D", "members=gd1@example.com,gd2@example.com"],
                setup: |s| {
                    let ids = users(s, &["gd1", "gd2"]);
                    s.server.delete_user(&ids[0]);
                    s.server.set_active(&ids[1], false);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "one member still active",
                case: "C9311",
                inputs: &["group=Staff E", "members=ge1@example.com,ge2@example.com"],
                setup: |s| {
                    let ids = users(s, &["ge1", "ge2"]);
                    s.server.set_active(&ids[0], false);
                },
                expect: Expect::Fail(&["(ge2@example.com)", "expected false, got true"]),
            },
        ],
    );
}

#[test]
fn group_push_c9312_c9317_c9332() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "pushed with exactly its members",
                case: "C9312",
                inputs: &["group=Push A", "members=pa1@example.com,pa2@example.com"],
                setup: |s| {
                    let ids = users(s, &["pa1", "pa2"]);
                    s.server.create_group("Push A", &refs(&ids));
                },
                expect: Expect::Pass,
            },
            Row {
                name: "one member missing, named by userName with its id",
                case: "C9312",
                inputs: &["group=Push B", "members=pb1@example.com,pb2@example.com"],
                setup: |s| {
                    let ids = users(s, &["pb1", "pb2"]);
                    s.server.create_group("Push B", &[&ids[0]]);
                },
                expect: Expect::Fail(&["missing \"pb2@example.com\" ["]),
            },
            Row {
                name: "a member Okta did not push",
                case: "C9312",
                inputs: &["group=Push C", "members=pc1@example.com"],
                setup: |s| {
                    let ids = users(s, &["pc1", "pc2"]);
                    s.server.create_group("Push C", &refs(&ids));
                },
                expect: Expect::Fail(&["not expected \"pc2@example.com\" ["]),
            },
            Row {
                name: "a group differing only in letter case already existed beside it",
                case: "C9312",
                inputs: &["group=Engineering", "members=pd1@example.com"],
                setup: |s| {
                    let ids = users(s, &["pd1"]);
                    s.server.create_group("engineering", &[]);
                    s.server.create_group("Engineering", &refs(&ids));
                },
                expect: Expect::Pass,
            },
            Row {
                name: "only a letter-case twin exists: not the pushed group, and named",
                case: "C9312",
                inputs: &["group=Support", "members=pe1@example.com"],
                setup: |s| {
                    let ids = users(s, &["pe1"]);
                    s.server.create_group("support", &refs(&ids));
                },
                expect: Expect::Fail(&[
                    "expected 1, got 0",
                    "differs in letter case: \"support\" [",
                ]),
            },
            Row {
                name: "pushed twice (a duplicate): every match named",
                case: "C9312",
                inputs: &["group=Twice", "members=pt1@example.com"],
                setup: |s| {
                    let ids = users(s, &["pt1"]);
                    s.server.create_group("Twice", &refs(&ids));
                    s.server.create_group("Twice", &refs(&ids));
                },
                expect: Expect::Fail(&["expected 1, got 2 (found: \"Twice\" [", "], \"Twice\" ["]),
            },
            Row {
                name: "a list where one group is expected is refused",
                case: "C9312",
                inputs: &["group=Engineering,Sales", "members=pd1@example.com"],
                setup: |_| {},
                expect: Expect::Refused("takes one value"),
            },
            Row {
                name: "the empty group pushed empty",
                case: "C9317",
                inputs: &["group=Empty"],
                setup: |s| {
                    s.server.create_group("Empty", &[]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the empty group arrived with members",
                case: "C9317",
                inputs: &["group=Not Empty"],
                setup: |s| {
                    let ids = users(s, &["pf1"]);
                    s.server.create_group("Not Empty", &refs(&ids));
                },
                expect: Expect::Fail(&[
                    "members (by userName): expected no members, got not expected \"pf1@example.com\"",
                ]),
            },
            Row {
                name: "members added to the pushed group (same id)",
                case: "C9332",
                inputs: &["group=Grow", "members=pg1@example.com,pg2@example.com"],
                setup: |s| {
                    let ids = users(s, &["pg1", "pg2"]);
                    let group = s.server.create_group("Grow", &[&ids[0]]);
                    s.passes("C9312", &["group=Grow", "members=pg1@example.com"]);
                    s.server.add_members(&group, &[&ids[1]]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the app re-created the group under the same name (a new id)",
                case: "C9316",
                inputs: &["group=Again", "members=ph1@example.com"],
                setup: |s| {
                    let ids = users(s, &["ph1"]);
                    let group = s.server.create_group("Again", &refs(&ids));
                    s.passes("C9312", &["group=Again", "members=ph1@example.com"]);
                    s.server.delete_group(&group);
                    s.server.create_group("Again", &refs(&ids));
                },
                expect: Expect::Fail(&[
                    "read the pushed group by id: status: expected 200, got 404",
                ]),
            },
        ],
    );
}

#[test]
fn linking_c9315_c9330_and_removing_members_c9333() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "renamed to the Okta name, members kept and added",
                case: "C9315",
                inputs: &["members=la2@example.com"],
                setup: |s| {
                    let ids = users(s, &["la1", "la2"]);
                    let old = s.server.create_group("la-old", &[&ids[0]]);
                    s.start("C9315", &["group=Link A", "app_group=la-old"]);
                    s.server.rename_group(&old, "Link A");
                    s.server.add_members(&old, &[&ids[1]]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "renamed only in letter case (engineering to Engineering)",
                case: "C9315",
                inputs: &["members=lb1@example.com"],
                setup: |s| {
                    let ids = users(s, &["lb1"]);
                    let old = s.server.create_group("platform", &refs(&ids));
                    s.start("C9315", &["group=Platform", "app_group=platform"]);
                    s.server.rename_group(&old, "Platform");
                },
                expect: Expect::Pass,
            },
            Row {
                name: "a new group made instead of renaming the linked one",
                case: "C9315",
                inputs: &["members=lc1@example.com"],
                setup: |s| {
                    let ids = users(s, &["lc1"]);
                    s.server.create_group("lc-old", &refs(&ids));
                    s.start("C9315", &["group=Link C", "app_group=lc-old"]);
                    s.server.create_group("Link C", &refs(&ids));
                },
                expect: Expect::Fail(&["displayName equals: expected \"Link C\", got \"lc-old\""]),
            },
            Row {
                name: "renamed, but the members it held before were dropped",
                case: "C9315",
                inputs: &["members=ld2@example.com"],
                setup: |s| {
                    let ids = users(s, &["ld1", "ld2"]);
                    let old = s.server.create_group("ld-old", &[&ids[0]]);
                    s.start("C9315", &["group=Link D", "app_group=ld-old"]);
                    s.server.rename_group(&old, "Link D");
                    s.server.remove_member(&old, &ids[0]);
                    s.server.add_members(&old, &[&ids[1]]);
                },
                expect: Expect::Fail(&["missing \"ld1@example.com\" ["]),
            },
            Row {
                name: "not renamed (C9330), members added, no new group",
                case: "C9330",
                inputs: &["members=le2@example.com"],
                setup: |s| {
                    let ids = users(s, &["le1", "le2"]);
                    let old = s.server.create_group("le-app", &[&ids[0]]);
                    s.start("C9330", &["group=Link E", "app_group=le-app"]);
                    s.server.add_members(&old, &[&ids[1]]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "not renamed, but every member wiped",
                case: "C9330",
                inputs: &["members=lf2@example.com"],
                setup: |s| {
                    let ids = users(s, &["lf1", "lf2"]);
                    let old = s.server.create_group("lf-app", &[&ids[0]]);
                    s.start("C9330", &["group=Link F", "app_group=lf-app"]);
                    s.server.remove_member(&old, &ids[0]);
                },
                expect: Expect::Fail(&[
                    "missing \"lf2@example.com\" [",
                    "the group has no members",
                ]),
            },
            Row {
                name: "a group added with the Okta name instead of linking",
                case: "C9330",
                inputs: &["members=lg1@example.com"],
                setup: |s| {
                    let ids = users(s, &["lg1"]);
                    s.server.create_group("lg-app", &refs(&ids));
                    s.start("C9330", &["group=Link G", "app_group=lg-app"]);
                    s.server.create_group("Link G", &[]);
                },
                expect: Expect::Fail(&[
                    "no group was created with the Okta name",
                    "expected 0, got 1",
                ]),
            },
            Row {
                name: "the removed member left, the others stayed",
                case: "C9333",
                inputs: &["removed_members=ra2@example.com"],
                setup: |s| {
                    let ids = users(s, &["ra1", "ra2", "ra3"]);
                    let group = s.server.create_group("Remove A", &refs(&ids));
                    s.start("C9333", &["group=Remove A"]);
                    s.server.remove_member(&group, &ids[1]);
                    s.server.set_active(&ids[1], false);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the removed member deleted from the app altogether",
                case: "C9333",
                inputs: &["removed_members=rb2@example.com"],
                setup: |s| {
                    let ids = users(s, &["rb1", "rb2"]);
                    let group = s.server.create_group("Remove B", &refs(&ids));
                    s.start("C9333", &["group=Remove B"]);
                    s.server.remove_member(&group, &ids[1]);
                    s.server.delete_user(&ids[1]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the removed member is still there",
                case: "C9333",
                inputs: &["removed_members=rc2@example.com"],
                setup: |s| {
                    let ids = users(s, &["rc1", "rc2"]);
                    s.server.create_group("Remove C", &refs(&ids));
                    s.start("C9333", &["group=Remove C"]);
                },
                expect: Expect::Fail(&["still there \"rc2@example.com\" ["]),
            },
            Row {
                // Expected: "... unassigned from a group and removed from the application":
                // leaving the group is not enough, the app must deactivate or remove the user.
                name: "the removed member left the group but is still active in the app",
                case: "C9333",
                inputs: &["removed_members=re2@example.com"],
                setup: |s| {
                    let ids = users(s, &["re1", "re2"]);
                    let group = s.server.create_group("Remove E", &refs(&ids));
                    s.start("C9333", &["group=Remove E"]);
                    s.server.remove_member(&group, &ids[1]);
                },
                expect: Expect::Fail(&[
                    "the removed member is deactivated or removed in the app (re2@example.com)",
                    "expected false, got true",
                ]),
            },
            Row {
                name: "every member wiped, not only the removed one",
                case: "C9333",
                inputs: &["removed_members=rd2@example.com"],
                setup: |s| {
                    let ids = users(s, &["rd1", "rd2"]);
                    let group = s.server.create_group("Remove D", &refs(&ids));
                    s.start("C9333", &["group=Remove D"]);
                    s.server.remove_member(&group, &ids[0]);
                    s.server.remove_member(&group, &ids[1]);
                    s.server.set_active(&ids[1], false);
                },
                expect: Expect::Fail(&["missing \"rd1@example.com\" ["]),
            },
        ],
    );
}

#[test]
fn unlinking_c9318_c9327_c9321() {
    let server = ScimServer::start();
    run_table(
        &server,
        &[
            Row {
                name: "the pushed group deleted, its members kept",
                case: "C9318",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["ua1"]);
                    let group = s.server.create_group("Unlink A", &refs(&ids));
                    s.passes("C9312", &["group=Unlink A", "members=ua1@example.com"]);
                    s.server.delete_group(&group);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "the pushed group still there",
                case: "C9327",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["ub1"]);
                    s.server.create_group("Unlink B", &refs(&ids));
                    s.passes("C9312", &["group=Unlink B", "members=ub1@example.com"]);
                },
                expect: Expect::Fail(&["status: expected 404, got 200"]),
            },
            Row {
                name: "a misspelt name that never existed is no deleted group",
                case: "C9318",
                inputs: &["group=Enginering"],
                setup: |_| {},
                expect: Expect::Refused("verify C9312"),
            },
            Row {
                name: "the group deleted and its member accounts with it",
                case: "C9318",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["uc1"]);
                    let group = s.server.create_group("Unlink C", &refs(&ids));
                    s.start("C9318", &["group=Unlink C"]);
                    s.server.delete_group(&group);
                    s.server.delete_user(&ids[0]);
                },
                expect: Expect::Fail(&["the member is still in the app", "expected 200, got 404"]),
            },
            Row {
                name: "an unrelated letter-case twin beside the deleted group",
                case: "C9318",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["ud1"]);
                    let group = s.server.create_group("Unlink D", &refs(&ids));
                    s.start("C9318", &["group=Unlink D"]);
                    s.server.delete_group(&group);
                    s.server.create_group("unlink d", &[]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "left in the app with its name and members",
                case: "C9321",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["ue1"]);
                    s.server.create_group("Unlink E", &refs(&ids));
                    s.passes("C9312", &["group=Unlink E", "members=ue1@example.com"]);
                },
                expect: Expect::Pass,
            },
            Row {
                name: "deleted although it should be left",
                case: "C9326",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["uf1"]);
                    let group = s.server.create_group("Unlink F", &refs(&ids));
                    s.start("C9326", &["group=Unlink F"]);
                    s.server.delete_group(&group);
                },
                expect: Expect::Fail(&["expected 200, got 404"]),
            },
            Row {
                name: "left, but its members dropped",
                case: "C9331",
                inputs: &[],
                setup: |s| {
                    let ids = users(s, &["ug1"]);
                    let group = s.server.create_group("Unlink G", &refs(&ids));
                    s.start("C9331", &["group=Unlink G"]);
                    s.server.remove_member(&group, &ids[0]);
                },
                expect: Expect::Fail(&["missing \"ug1@example.com\" ["]),
            },
        ],
    );
}
