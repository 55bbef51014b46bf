//! The project's own knowledge of Okta's plans (`plans/okta-scim.toml`): capabilities,
//! which sections and cases need them, and the official workbooks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use super::Plan;

const BUILTIN: &str = include_str!("../../plans/okta-scim.toml");

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("{path}: cannot read the profile: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: the profile is not valid TOML: {message}Fix the file or leave --profile out to use the built-in profile."
    )]
    Syntax { path: PathBuf, message: String },
    #[error(
        "{path}: {message}. Fix the profile or leave --profile out to use the built-in profile."
    )]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Capability {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SectionRule {
    pub names: Vec<String>,
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CaseRule {
    pub id: String,
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KnownWorkbook {
    pub version: String,
    pub file: String,
    pub url: String,
    pub sha256: String,
    /// The kind of integration the plan is for (what the OIN Wizard asks of it).
    #[serde(default)]
    pub kind: IntegrationKind,
}

/// How the integration's provisioning is built: it decides what the OIN Wizard asks for beside
/// the manual plan (OKTA_SCIM.md, "The Wizard's link fields are what Okta requires").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntegrationKind {
    /// A SCIM server: Okta's SPEC and CRUD files run in Runscope, their result links in the
    /// Wizard (and the Entitlements link for entitlement management).
    #[default]
    Scim,
    /// Flows built with API integration actions in Okta's Integration Builder: no Runscope
    /// run; the Wizard's "Validate flows" checks the flows.
    Actions,
}

impl IntegrationKind {
    pub fn parse(text: &str) -> Option<IntegrationKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "scim" => Some(IntegrationKind::Scim),
            "actions" | "api-integration-actions" | "flows" => Some(IntegrationKind::Actions),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            IntegrationKind::Scim => "scim",
            IntegrationKind::Actions => "actions",
        }
    }

    /// In the tester's words.
    pub fn describe(self) -> &'static str {
        match self {
            IntegrationKind::Scim => "a SCIM integration",
            IntegrationKind::Actions => "an integration built with API integration actions",
        }
    }
}

/// One of Okta's test files (a Runscope export or an initial script), pinned by SHA-256.
#[derive(Debug, Clone, Deserialize)]
pub struct KnownTestFile {
    /// `spec`, `crud`, `entitlements`, `spec-initial-script`, `crud-initial-script`.
    pub key: String,
    pub file: String,
    pub url: String,
    pub sha256: String,
}

/// The capability an integration declares when it manages entitlements (it adds the
/// Entitlements link and Okta's With-Entitlements CRUD file).
pub const ENTITLEMENTS: &str = "entitlements";
/// The capability whose declaration adds the Import User Schema pre-flight.
pub const IMPORT_USER_SCHEMA: &str = "user-schema-discovery";

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub name: String,
    /// Sections whose name starts with one of these (compared without case, spaces or
    /// punctuation) hold preconditions: they always apply, whatever a plan calls them
    /// ("Preconditions - ...", "Precondition - ...", "Pre-conditions", ...), and never become a
    /// capability to declare.
    #[serde(default)]
    pub precondition_sections: Vec<String>,
    #[serde(rename = "capability", default)]
    pub capabilities: Vec<Capability>,
    #[serde(rename = "section", default)]
    pub sections: Vec<SectionRule>,
    #[serde(rename = "case", default)]
    pub cases: Vec<CaseRule>,
    #[serde(rename = "workbook", default)]
    pub workbooks: Vec<KnownWorkbook>,
    #[serde(rename = "test_file", default)]
    pub test_files: Vec<KnownTestFile>,
    #[serde(rename = "admin_page", default)]
    pub admin_pages: Vec<AdminPage>,
}

/// An Okta Admin Console page a case's steps happen on (see `Profile::admin_page_for`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminPage {
    /// In the tester's words: "the app's Push Groups tab".
    pub name: String,
    /// Words in a case's steps that send the tester to this page; none: the fallback page.
    pub words: Vec<String>,
    /// Path under the Admin Console, a template (`{app_name}`, `{app_id}`, `{search}`, `{from}`).
    pub path: String,
    /// The System Log page (its own key in the checklist).
    #[serde(default)]
    pub system_log: bool,
}

fn normalize_section(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A name without case, spaces or punctuation: "Pre-Conditions -" and "preconditions" match.
fn squeeze(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The capability key a section of its own gets: its name in lowercase words joined by dashes.
pub fn section_key(section: &str) -> String {
    let words: Vec<String> = section
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "no-section".into()
    } else {
        words.join("-")
    }
}

impl Profile {
    /// The profile compiled into the binary.
    pub fn builtin() -> Profile {
        Profile::parse(Path::new("plans/okta-scim.toml (built in)"), BUILTIN)
            .expect("the built-in profile is valid")
    }

    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Profile::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| ProfileError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        profile.validate(path)?;
        Ok(profile)
    }

    fn validate(&self, path: &Path) -> Result<(), ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut keys = Vec::new();
        for cap in &self.capabilities {
            if keys.contains(&cap.key.as_str()) {
                return Err(invalid(format!(
                    "capability '{}' is defined twice",
                    cap.key
                )));
            }
            keys.push(cap.key.as_str());
        }
        let rules = self
            .sections
            .iter()
            .map(|s| (format!("section {:?}", s.names), &s.needs))
            .chain(
                self.cases
                    .iter()
                    .map(|c| (format!("case {}", c.id), &c.needs)),
            );
        for (what, needs) in rules {
            if let Some(unknown) = needs.iter().find(|n| !keys.contains(&n.as_str())) {
                return Err(invalid(format!(
                    "{what} needs capability '{unknown}', which the profile does not define (known: {})",
                    keys.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The Admin Console page `steps` (a case's steps, plain text) start on: the page whose
    /// words appear first, else the fallback page (one without words).
    pub fn admin_page_for(&self, steps: &str) -> Option<&AdminPage> {
        let steps = steps.to_lowercase();
        self.admin_pages
            .iter()
            .filter_map(|page| {
                page.words
                    .iter()
                    .filter_map(|w| steps.find(&w.to_lowercase()))
                    .min()
                    .map(|at| (at, page))
            })
            // The earliest mention wins; on a tie, the page listed first.
            .min_by_key(|(at, _)| *at)
            .map(|(_, page)| page)
            .or_else(|| self.admin_pages.iter().find(|p| p.words.is_empty()))
    }

    /// The System Log page, when the profile has one.
    pub fn system_log_page(&self) -> Option<&AdminPage> {
        self.admin_pages.iter().find(|p| p.system_log)
    }

    pub fn capability(&self, key: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.key == key)
    }

    /// Whether a section of a plan holds preconditions (see `precondition_sections`).
    pub fn is_precondition_section(&self, section: &str) -> bool {
        let name = squeeze(section);
        self.precondition_sections
            .iter()
            .map(|prefix| squeeze(prefix))
            .any(|prefix| !prefix.is_empty() && name.starts_with(&prefix))
    }

    pub fn workbook(&self, version: &str) -> Option<&KnownWorkbook> {
        self.workbooks.iter().find(|w| w.version == version)
    }

    /// One of Okta's test files by key (`spec`, `crud`, ...).
    pub fn test_file(&self, key: &str) -> Option<&KnownTestFile> {
        self.test_files.iter().find(|f| f.key == key)
    }

    /// The kind of integration a plan is for, when the profile knows the workbook (by the
    /// SHA-256 of the plan it came from: `Plan::source_fingerprint`).
    pub fn integration_kind(&self, fingerprint: &str) -> Option<IntegrationKind> {
        self.known_version(fingerprint).map(|w| w.kind)
    }

    /// The workbook version whose checksum matches a fingerprint, if Okta published it.
    pub fn known_version(&self, fingerprint: &str) -> Option<&KnownWorkbook> {
        self.workbooks
            .iter()
            .find(|w| w.sha256.eq_ignore_ascii_case(fingerprint))
    }
}

/// What each case of one plan needs, under one profile: computed once per (plan, profile).
#[derive(Debug, Clone)]
pub struct Requirements {
    /// The profile's capabilities, then one per section the profile does not know.
    pub capabilities: Vec<Capability>,
    /// Per case (plan order), the capability keys it needs.
    needs: Vec<Vec<String>>,
    governed: HashMap<String, usize>,
    /// The plan is one of Okta's workbooks the profile knows: its version and the kind of
    /// integration it is for.
    pub known_plan: Option<(String, IntegrationKind)>,
}

impl Requirements {
    pub fn new(profile: &Profile, plan: &Plan) -> Requirements {
        let mut capabilities = profile.capabilities.clone();
        let section_needs: HashMap<String, &Vec<String>> = profile
            .sections
            .iter()
            .flat_map(|rule| {
                rule.names
                    .iter()
                    .map(move |n| (normalize_section(n), &rule.needs))
            })
            .collect();
        let case_needs: HashMap<&str, &Vec<String>> = profile
            .cases
            .iter()
            .map(|rule| (rule.id.as_str(), &rule.needs))
            .collect();

        let mut needs_by_section: HashMap<&str, Vec<String>> = HashMap::new();
        for section in &plan.sections {
            let needs = match section_needs.get(&normalize_section(&section.name)) {
                Some(needs) => (*needs).clone(),
                None if profile.is_precondition_section(&section.name) => Vec::new(),
                None => {
                    let mut key = section_key(&section.name);
                    if profile.capability(&key).is_some() {
                        key.push_str("-section");
                    }
                    if !capabilities.iter().any(|c| c.key == key) {
                        capabilities.push(Capability {
                            key: key.clone(),
                            name: if section.name.is_empty() {
                                "(no section)".into()
                            } else {
                                section.name.clone()
                            },
                            description: "A section scimplan's profile does not know.".into(),
                        });
                    }
                    vec![key]
                }
            };
            needs_by_section.insert(section.name.as_str(), needs);
        }

        let needs: Vec<Vec<String>> = plan
            .cases
            .iter()
            .map(|case| match case_needs.get(case.id.as_str()) {
                Some(needs) => (*needs).clone(),
                None => needs_by_section[case.section.as_str()].clone(),
            })
            .collect();
        let mut governed = HashMap::new();
        for keys in &needs {
            for key in keys {
                *governed.entry(key.clone()).or_insert(0) += 1;
            }
        }
        Requirements {
            capabilities,
            needs,
            governed,
            known_plan: profile
                .known_version(plan.source_fingerprint())
                .map(|w| (w.version.clone(), w.kind)),
        }
    }

    /// Capability keys the case at `index` (plan order) needs.
    pub fn needs(&self, index: usize) -> &[String] {
        &self.needs[index]
    }

    /// How many cases need a capability.
    pub fn cases_governed(&self, key: &str) -> usize {
        self.governed.get(key).copied().unwrap_or(0)
    }

    pub fn capability(&self, key: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.key == key)
    }

    /// Capabilities that govern at least one case of the plan, in profile order.
    pub fn relevant(&self) -> impl Iterator<Item = &Capability> {
        self.capabilities
            .iter()
            .filter(|c| self.cases_governed(&c.key) > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_page_is_where_the_steps_start() {
        let profile = Profile::builtin();
        let page = |steps: &str| profile.admin_page_for(steps).map(|p| p.name.as_str());
        // C9334 starts on People and only later opens the app's Assignments tab.
        assert_eq!(
            page("1. Sign in\n2. Go to Directory > People.\n8. select the Assignments tab"),
            Some("the People page")
        );
        assert_eq!(
            page("4. From the Application page, select the Push Groups tab"),
            Some("the app's Push Groups tab")
        );
        assert_eq!(
            page("4. From the Application page, select Provisioning TAB"),
            Some("the app's Provisioning tab")
        );
        assert_eq!(
            page("1. From the Group page, click Add Group"),
            Some("the Groups page")
        );
        // Nothing named: the app's own page.
        assert_eq!(
            page("Setup SCIM application"),
            Some("the app's General tab")
        );
        assert!(
            profile
                .system_log_page()
                .is_some_and(|p| p.path.contains("{search}"))
        );
    }

    #[test]
    fn builtin_profile_has_the_thirteen_capabilities() {
        let profile = Profile::builtin();
        let keys: Vec<_> = profile
            .capabilities
            .iter()
            .map(|c| c.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "create-users",
                "update-users",
                "deactivate-users",
                "sync-password",
                "import-users",
                "import-groups",
                "group-push",
                "profile-sourcing",
                "entitlements",
                "user-schema-discovery",
                "sso-saml",
                "sso-swa",
                "oauth-provisioning"
            ]
        );
        assert!(profile.workbook("v2").is_some());
    }

    #[test]
    fn unknown_capability_in_a_rule_is_rejected() {
        let err = Profile::parse(
            Path::new("p.toml"),
            "name='x'\n[[section]]\nnames=['A']\nneeds=['nope']\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("'nope'"), "{err}");
    }

    #[test]
    fn precondition_sections_are_known_by_their_start() {
        let profile = Profile::builtin();
        for name in [
            "Preconditions - Something New",
            "Precondition - Provisioning",
            "Pre-conditions",
            "PRE CONDITIONS: org setup",
            "Prerequisites",
        ] {
            assert!(profile.is_precondition_section(name), "{name}");
        }
        for name in ["Create Users", "Conditions of use", "Post-conditions", ""] {
            assert!(!profile.is_precondition_section(name), "{name}");
        }
    }

    #[test]
    fn section_keys_are_slugs() {
        assert_eq!(section_key("Using Group Push"), "using-group-push");
        assert_eq!(section_key("  "), "no-section");
    }
}
