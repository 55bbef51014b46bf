//! The Okta side of a recipe (`[[recipe.okta]]` in `plans/okta-scim-recipes.toml`): what must
//! hold in the tester's org for the case (OKTA_SCIM.md, "Which cases an API can verify", the O
//! and S+O cases), as data. Parsed strictly (an unknown kind or field is refused naming the
//! recipe) and turned into `okta_side::OktaExpectation`s from the inputs, remembered values and what
//! the SCIM steps captured.

use serde::Deserialize;

use super::okta_side::{MappingState, OktaExpectation};
use super::template::{render, split_list, template_names};

/// What kind of thing an Okta check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OktaKind {
    /// The user's app assignment is `PROVISIONED` and `SYNCHRONIZED`, linked to `scim_id`.
    Provisioned,
    /// The user has no assignment to the app any more (a group's unassignment removed it).
    Unassigned,
    /// The Okta user's lifecycle status.
    UserStatus,
    /// Provisioning to the app (feature and connection) on or off.
    Provisioning,
    /// Password sync on, and the user's app password pushed.
    PasswordPushed,
    /// The group's Group Push mapping (by its exact name).
    PushMapping,
    /// The app has an integration feature.
    AppFeature,
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
        }
    }

    /// The fields this kind needs, and the ones it may take besides.
    fn fields(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            OktaKind::Provisioned => (&["login"], &["scim_id", "for_each"]),
            OktaKind::Unassigned | OktaKind::PasswordPushed => (&["login"], &["for_each"]),
            OktaKind::UserStatus => (&["login", "status"], &["for_each"]),
            OktaKind::Provisioning => (&["enabled"], &[]),
            OktaKind::PushMapping => (&["group", "state"], &[]),
            OktaKind::AppFeature => (&["feature"], &[]),
        }
    }

    /// What the tester gains by connecting the org, for the note when it is not connected.
    pub fn gain(self) -> &'static str {
        match self {
            OktaKind::Provisioned => {
                "the app user's provisioning state (status, syncState, the SCIM id Okta linked)"
            }
            OktaKind::Unassigned => "that Okta removed the app assignments",
            OktaKind::UserStatus => "the Okta user's lifecycle state",
            OktaKind::Provisioning => "the app's provisioning feature and connection",
            OktaKind::PasswordPushed => "password sync and the pushed app password",
            OktaKind::PushMapping => "the Group Push mapping's status and error",
            OktaKind::AppFeature => "the app's features",
        }
    }
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
    /// The Okta group's exact name.
    #[serde(default)]
    pub group: Option<String>,
    /// `user-status`: `ACTIVE`, `SUSPENDED`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// `provisioning`: on or off.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// `push-mapping`: `active`, `inactive` or `absent`.
    #[serde(default)]
    pub state: Option<String>,
    /// `app-feature`: e.g. `PROFILE_MASTERING`.
    #[serde(default)]
    pub feature: Option<String>,
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
            ("group", self.group.is_some()),
            ("status", self.status.is_some()),
            ("enabled", self.enabled.is_some()),
            ("state", self.state.is_some()),
            ("feature", self.feature.is_some()),
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
    /// and captures. A required value that is unknown is an `Err` naming it.
    pub fn expectations(
        &self,
        lookup: &dyn Fn(&str) -> Option<String>,
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
            let known = |name: &str| {
                if name == "item" {
                    item.clone()
                } else {
                    lookup(name)
                }
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
                },
                OktaKind::PasswordPushed => OktaExpectation::PasswordPushed {
                    login: fill(&self.login)?,
                },
                OktaKind::PushMapping => OktaExpectation::PushMapping {
                    group: fill(&self.group)?,
                    state: mapping_state(self.state.as_deref().unwrap_or_default())?,
                },
                OktaKind::AppFeature => OktaExpectation::AppFeature {
                    feature: self.feature.clone().unwrap_or_default(),
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

    #[test]
    fn expectations_come_from_inputs_captures_and_lists() {
        let lookup = |name: &str| match name {
            "user" => Some("ann@x.com".to_string()),
            "members" => Some("a@x.com, b@x.com".to_string()),
            _ => None,
        };
        let one = parse("kind = \"provisioned\"\nlogin = \"{{user}}\"\nscim_id = \"{{user_id}}\"")
            .unwrap();
        assert_eq!(
            one.expectations(&lookup).unwrap(),
            [OktaExpectation::Provisioned {
                login: "ann@x.com".into(),
                scim_id: None
            }]
        );
        let each =
            parse("kind = \"unassigned\"\nlogin = \"{{item}}\"\nfor_each = \"members\"").unwrap();
        assert_eq!(each.expectations(&lookup).unwrap().len(), 2);
        let group =
            parse("kind = \"push-mapping\"\ngroup = \"{{group}}\"\nstate = \"absent\"").unwrap();
        assert_eq!(group.expectations(&lookup).unwrap_err(), "group");
    }
}
