//! The Okta side of a recipe (`[[recipe.okta]]` in `plans/okta-scim-recipes.toml`): what must
//! hold in the tester's org for the case (OKTA_SCIM.md, "Which cases an API can verify", the O
//! and S+O cases), as data. Parsed strictly (an unknown kind or field is refused naming the
//! recipe) and turned into `okta_side::OktaExpectation`s from the inputs, remembered values and what
//! the SCIM steps captured.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::okta_side::{MappingState, OktaExpectation, TO_APP_SETTINGS, ToApp};
use super::template::{render, split_list, template_names};

/// What kind of thing an Okta check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OktaKind {
    /// The user's app assignment is `PROVISIONED` and `SYNCHRONIZED`, linked to `scim_id`,
    /// assigned with `scope` when given.
    Provisioned,
    /// The user has no assignment to the app any more (or one Okta deprovisioned).
    Unassigned,
    /// The Okta user's lifecycle status.
    UserStatus,
    /// Provisioning to the app (feature and connection) on or off, and the "To App" settings
    /// of the capabilities the tester declared supported.
    Provisioning,
    /// Password sync on, and the user's app password pushed since the case started.
    PasswordPushed,
    /// The group's Group Push mapping (by its exact name).
    PushMapping,
    /// The app has an integration feature.
    AppFeature,
    /// The user's latest System Log event of a type since the case started is no failure.
    SystemLog,
    /// The Okta group is (or is not) assigned to the app.
    GroupAssigned,
    /// The Okta group has no member.
    EmptyGroup,
    /// The user was imported from the app: an Okta user, not deactivated, assigned to the app
    /// and linked to the app's user.
    Imported,
}

impl OktaKind {
    fn name(self) -> &'static str {
        match self {
            OktaKind::Provisioned => "provisioned",
            OktaKind::Unassigned => "unassigned",
            OktaKind::UserStatus => "user-status",
            OktaKind::Provisioning => "provisioning",
            OktaKind::PasswordPushed => "password-pushed",
            OktaKind::PushMapping => "push-mapping",
            OktaKind::AppFeature => "app-feature",
            OktaKind::SystemLog => "system-log",
            OktaKind::GroupAssigned => "group-assigned",
            OktaKind::EmptyGroup => "empty-group",
            OktaKind::Imported => "imported",
        }
    }

    /// The fields this kind needs, and the ones it may take besides.
    fn fields(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            OktaKind::Provisioned => (&["login"], &["scim_id", "scope", "for_each"]),
            OktaKind::Unassigned | OktaKind::PasswordPushed => (&["login"], &["for_each"]),
            OktaKind::UserStatus => (&["login", "status"], &["for_each"]),
            OktaKind::Provisioning => (&["enabled"], &["to_app"]),
            OktaKind::PushMapping => (&["group", "state"], &[]),
            OktaKind::AppFeature => (&["feature"], &[]),
            OktaKind::SystemLog => (&["login", "event"], &["for_each"]),
            OktaKind::GroupAssigned => (&["group", "assigned"], &[]),
            OktaKind::EmptyGroup => (&["group"], &[]),
            OktaKind::Imported => (&["login"], &[]),
        }
    }

    /// What the tester gains by connecting the org, for the note when it is not connected.
    pub fn gain(self) -> &'static str {
        match self {
            OktaKind::Provisioned => {
                "the app user's provisioning state (status, syncState, the SCIM id Okta linked) and every attribute Okta sent"
            }
            OktaKind::Unassigned => "that Okta removed the app assignments",
            OktaKind::UserStatus => "the Okta user's lifecycle state",
            OktaKind::Provisioning => {
                "the app's provisioning feature, connection and To App settings"
            }
            OktaKind::PasswordPushed => {
                "password sync and the password pushed since the case started"
            }
            OktaKind::PushMapping => "the Group Push mapping's status and error",
            OktaKind::AppFeature => "the app's features",
            OktaKind::SystemLog => "provisioning failures in the System Log since the case started",
            OktaKind::GroupAssigned => "the group's assignment to the app",
            OktaKind::EmptyGroup => "the Okta group's members",
            OktaKind::Imported => "the imported user's Okta account and assignment",
        }
    }
}

/// What an Okta check knows beyond its inputs: when the case started, and which
/// capabilities the tester declared supported.
pub struct CheckEnv<'a> {
    /// The start of the case's window (`job::case_started`): System Log events and pushes
    /// before it belong to something else.
    pub since: DateTime<Utc>,
    /// Declared support of a capability (`create-users`); one not declared counts as supported.
    pub supported: &'a dyn Fn(&str) -> bool,
}

/// One `[[recipe.okta]]` entry. Text fields are templates (`{{user}}`, `{{item}}`, a SCIM
/// step's capture such as `{{user_id}}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OktaCheck {
    pub kind: OktaKind,
    /// The Okta user's login.
    #[serde(default)]
    pub login: Option<String>,
    /// The SCIM id the app user must be linked to (`externalId`); a value the run does not
    /// know (the SCIM side found no user) leaves only "linked to some id".
    #[serde(default)]
    pub scim_id: Option<String>,
    /// `provisioned`: how the user must be assigned, `USER` or `GROUP`.
    #[serde(default)]
    pub scope: Option<String>,
    /// The Okta group's exact name.
    #[serde(default)]
    pub group: Option<String>,
    /// `user-status`: `ACTIVE`, `SUSPENDED`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// `provisioning`: on or off.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// `provisioning`: capability key -> the To App setting it needs on
    /// (`create-users = "create.lifecycleCreate"`); checked for declared capabilities only.
    #[serde(default)]
    pub to_app: Option<BTreeMap<String, String>>,
    /// `push-mapping`: `active`, `inactive` or `absent`.
    #[serde(default)]
    pub state: Option<String>,
    /// `app-feature`: e.g. `PROFILE_MASTERING`.
    #[serde(default)]
    pub feature: Option<String>,
    /// `system-log`: the event type (`application.provision.user.deactivate`).
    #[serde(default)]
    pub event: Option<String>,
    /// `group-assigned`: assigned or not.
    #[serde(default)]
    pub assigned: Option<bool>,
    /// Repeat for each value of a list input, as `{{item}}`.
    #[serde(default)]
    pub for_each: Option<String>,
}

impl OktaCheck {
    /// Reads one entry; `Err` says what is wrong (the caller names the recipe).
    pub fn parse(value: toml::Value) -> Result<OktaCheck, String> {
        let check: OktaCheck = value
            .try_into()
            .map_err(|e: toml::de::Error| e.message().trim().to_string())?;
        check.validate()?;
        Ok(check)
    }

    fn set(&self) -> Vec<&'static str> {
        [
            ("login", self.login.is_some()),
            ("scim_id", self.scim_id.is_some()),
            ("scope", self.scope.is_some()),
            ("group", self.group.is_some()),
            ("status", self.status.is_some()),
            ("enabled", self.enabled.is_some()),
            ("to_app", self.to_app.is_some()),
            ("state", self.state.is_some()),
            ("feature", self.feature.is_some()),
            ("event", self.event.is_some()),
            ("assigned", self.assigned.is_some()),
            ("for_each", self.for_each.is_some()),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| name)
        .collect()
    }

    fn validate(&self) -> Result<(), String> {
        let kind = self.kind.name();
        let (needs, may) = self.kind.fields();
        let set = self.set();
        if let Some(missing) = needs.iter().find(|n| !set.contains(n)) {
            return Err(format!("okta check '{kind}' needs {missing}"));
        }
        if let Some(extra) = set.iter().find(|n| !needs.contains(n) && !may.contains(n)) {
            let mut takes: Vec<&str> = needs.to_vec();
            takes.extend(may);
            return Err(format!(
                "okta check '{kind}' does not take {extra} (it takes {})",
                takes.join(", ")
            ));
        }
        if let Some(state) = &self.state {
            mapping_state(state)?;
        }
        if let Some(scope) = &self.scope
            && !matches!(scope.as_str(), "USER" | "GROUP")
        {
            return Err(format!("scope '{scope}': use USER or GROUP"));
        }
        for setting in self.to_app.iter().flat_map(|m| m.values()) {
            if !TO_APP_SETTINGS.iter().any(|(s, _)| s == setting) {
                let known: Vec<&str> = TO_APP_SETTINGS.iter().map(|(s, _)| *s).collect();
                return Err(format!(
                    "to_app setting '{setting}': use one of {}",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Every `{{name}}` the entry's templates use.
    pub fn names(&self) -> Vec<String> {
        [&self.login, &self.scim_id, &self.group, &self.status]
            .into_iter()
            .flatten()
            .flat_map(|t| template_names(t))
            .collect()
    }

    /// The expectations this entry stands for, with `lookup` giving inputs, remembered values
    /// and captures (a capture of a `for_each` step for one item as `name[item]`). A required
    /// value that is unknown is an `Err` naming it.
    pub fn expectations(
        &self,
        lookup: &dyn Fn(&str) -> Option<String>,
        env: &CheckEnv,
    ) -> Result<Vec<OktaExpectation>, String> {
        let items: Vec<Option<String>> = match &self.for_each {
            Some(list) => split_list(&lookup(list).unwrap_or_default())
                .into_iter()
                .map(Some)
                .collect(),
            None => vec![None],
        };
        let mut out = Vec::new();
        for item in items {
            let known = |name: &str| match &item {
                _ if name == "item" => item.clone(),
                // This item's own capture first: another item's must not stand in.
                Some(item) => lookup(&format!("{name}[{item}]")).or_else(|| lookup(name)),
                None => lookup(name),
            };
            let fill = |template: &Option<String>| -> Result<String, String> {
                let template = template.as_deref().unwrap_or_default();
                render(template, &known).map(|v| v.trim().to_string())
            };
            out.push(match self.kind {
                OktaKind::Provisioned => OktaExpectation::Provisioned {
                    login: fill(&self.login)?,
                    // An id the SCIM side did not find: Okta must still have linked one.
                    scim_id: self
                        .scim_id
                        .as_ref()
                        .and_then(|_| fill(&self.scim_id).ok())
                        .filter(|id| !id.is_empty()),
                    scope: self.scope.clone(),
                },
                OktaKind::Unassigned => OktaExpectation::Unassigned {
                    login: fill(&self.login)?,
                },
                OktaKind::UserStatus => OktaExpectation::UserStatus {
                    login: fill(&self.login)?,
                    status: fill(&self.status)?,
                },
                OktaKind::Provisioning => OktaExpectation::Provisioning {
                    enabled: self.enabled.unwrap_or(true),
                    to_app: self
                        .to_app
                        .iter()
                        .flatten()
                        .filter(|(capability, _)| (env.supported)(capability))
                        .map(|(capability, setting)| ToApp {
                            capability: capability.clone(),
                            setting: setting.clone(),
                        })
                        .collect(),
                },
                OktaKind::PasswordPushed => OktaExpectation::PasswordPushed {
                    login: fill(&self.login)?,
                    since: env.since,
                },
                OktaKind::PushMapping => OktaExpectation::PushMapping {
                    group: fill(&self.group)?,
                    state: mapping_state(self.state.as_deref().unwrap_or_default())?,
                },
                OktaKind::AppFeature => OktaExpectation::AppFeature {
                    feature: self.feature.clone().unwrap_or_default(),
                },
                OktaKind::SystemLog => OktaExpectation::SystemLog {
                    login: fill(&self.login)?,
                    event: self.event.clone().unwrap_or_default(),
                    since: env.since,
                },
                OktaKind::GroupAssigned => OktaExpectation::GroupAssigned {
                    group: fill(&self.group)?,
                    assigned: self.assigned.unwrap_or(true),
                },
                OktaKind::EmptyGroup => OktaExpectation::EmptyGroup {
                    group: fill(&self.group)?,
                },
                OktaKind::Imported => OktaExpectation::Imported {
                    login: fill(&self.login)?,
                },
            });
        }
        Ok(out)
    }
}

fn mapping_state(text: &str) -> Result<MappingState, String> {
    match text {
        "active" => Ok(MappingState::Active),
        "inactive" => Ok(MappingState::Inactive),
        "absent" => Ok(MappingState::Absent),
        other => Err(format!(
            "push-mapping state '{other}': use active, inactive or absent"
        )),
    }
}

/// What connecting the org would add to a check with these entries, in one line.
pub fn what_okta_adds(checks: &[OktaCheck]) -> String {
    let mut gains: Vec<&str> = Vec::new();
    for check in checks {
        if !gains.contains(&check.kind.gain()) {
            gains.push(check.kind.gain());
        }
    }
    gains.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<OktaCheck, String> {
        OktaCheck::parse(toml::from_str::<toml::Value>(text).unwrap())
    }

    #[test]
    fn entries_are_read_strictly() {
        let ok = parse("kind = \"provisioned\"\nlogin = \"{{user}}\"\nscim_id = \"{{user_id}}\"")
            .unwrap();
        assert_eq!(ok.names(), ["user", "user_id"]);
        assert!(
            parse("kind = \"provisoned\"\nlogin = \"x\"")
                .unwrap_err()
                .contains("provisoned")
        );
        assert!(
            parse("kind = \"provisioned\"\nlogn = \"x\"")
                .unwrap_err()
                .contains("logn")
        );
        assert_eq!(
            parse("kind = \"provisioned\"").unwrap_err(),
            "okta check 'provisioned' needs login"
        );
        assert!(
            parse("kind = \"app-feature\"\nfeature = \"X\"\nlogin = \"a\"")
                .unwrap_err()
                .contains("does not take login")
        );
        assert!(
            parse("kind = \"push-mapping\"\ngroup = \"g\"\nstate = \"on\"")
                .unwrap_err()
                .contains("active, inactive or absent")
        );
    }

    fn env(supported: &dyn Fn(&str) -> bool) -> CheckEnv<'_> {
        CheckEnv {
            since: DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            supported,
        }
    }

    #[test]
    fn expectations_come_from_inputs_captures_and_lists() {
        let lookup = |name: &str| match name {
            "user" => Some("ann@x.com".to_string()),
            "members" => Some("a@x.com, b@x.com".to_string()),
            // Each member's own SCIM id, and the last one's under the plain name.
            "member_id[a@x.com]" => Some("scim-a".to_string()),
            "member_id[b@x.com]" => Some(String::new()),
            "member_id" => Some("scim-b-stale".to_string()),
            _ => None,
        };
        let all = |_: &str| true;
        let one = parse("kind = \"provisioned\"\nlogin = \"{{user}}\"\nscim_id = \"{{user_id}}\"")
            .unwrap();
        assert_eq!(
            one.expectations(&lookup, &env(&all)).unwrap(),
            [OktaExpectation::Provisioned {
                login: "ann@x.com".into(),
                scim_id: None,
                scope: None,
            }]
        );
        let each =
            parse("kind = \"unassigned\"\nlogin = \"{{item}}\"\nfor_each = \"members\"").unwrap();
        assert_eq!(each.expectations(&lookup, &env(&all)).unwrap().len(), 2);
        let linked = parse(
            "kind = \"provisioned\"\nlogin = \"{{item}}\"\nscim_id = \"{{member_id}}\"\nscope = \"GROUP\"\nfor_each = \"members\"",
        )
        .unwrap();
        let ids: Vec<Option<String>> = linked
            .expectations(&lookup, &env(&all))
            .unwrap()
            .into_iter()
            .map(|e| match e {
                OktaExpectation::Provisioned { scim_id, .. } => scim_id,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            ids,
            [Some("scim-a".to_string()), None],
            "never another item's id"
        );
        let group =
            parse("kind = \"push-mapping\"\ngroup = \"{{group}}\"\nstate = \"absent\"").unwrap();
        assert_eq!(
            group.expectations(&lookup, &env(&all)).unwrap_err(),
            "group"
        );
        // The To App settings of the capabilities declared supported only.
        let to_app = parse(
            "kind = \"provisioning\"\nenabled = true\nto_app = { create-users = \"create.lifecycleCreate\", sync-password = \"update.password\" }",
        )
        .unwrap();
        let no_password = |c: &str| c != "sync-password";
        let expected = to_app.expectations(&lookup, &env(&no_password)).unwrap();
        let [OktaExpectation::Provisioning { to_app, .. }] = expected.as_slice() else {
            panic!("{expected:?}")
        };
        assert_eq!(
            *to_app,
            vec![ToApp {
                capability: "create-users".into(),
                setting: "create.lifecycleCreate".into()
            }]
        );
        assert!(
            parse("kind = \"provisioning\"\nenabled = true\nto_app = { x = \"update.nothing\" }")
                .unwrap_err()
                .contains("update.nothing")
        );
    }
}
