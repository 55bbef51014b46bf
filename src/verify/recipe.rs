//! Declarative checks of a case against the app's SCIM API (`plans/okta-scim-recipes.toml`):
//! the inputs a case needs, templated requests, assertions and captured values.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::{InputError, VerifyError};
use super::recipe_okta::OktaCheck;
use super::template::{split_list, template_names};

const BUILTIN: &str = include_str!("../../plans/okta-scim-recipes.toml");

/// Every recipe, and what each input means (for prompts and error messages).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeBook {
    #[serde(default)]
    pub inputs: BTreeMap<String, InputSpec>,
    #[serde(default, rename = "recipe")]
    pub recipes: Vec<Recipe>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// What to type, in the tester's words.
    pub prompt: String,
    #[serde(default)]
    pub kind: InputKind,
    /// Values name the same thing whatever their letter case (userNames, as SCIM compares
    /// them): remembered values are kept under the lower-case form.
    #[serde(default)]
    pub case_insensitive: bool,
}

/// What an input's value must look like; checked before any request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// Any text (a first name may hold a comma).
    #[default]
    Text,
    /// One name or id: a comma means the tester gave several, which the recipe cannot check.
    One,
    /// Comma-separated values (e.g. the members of a group), at least one.
    List,
    /// A whole number of at least 0.
    Count,
    /// A SCIM attribute path (RFC 7644 §3.10).
    Path,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The plan cases this recipe verifies.
    pub cases: Vec<String>,
    /// What the recipe checks, in one line.
    pub title: String,
    /// Inputs that must be known before the check runs.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Inputs used when known (their assertions are skipped otherwise).
    #[serde(default)]
    pub optional: Vec<String>,
    /// The input naming the user or group remembered values are kept under, so each user or
    /// group has its own (C9292 on one user and C9294 on another).
    #[serde(default)]
    pub subject: Option<String>,
    /// Values the check needs from an earlier verified case (for the same subject), or
    /// observed by this recipe's `before` steps when the case was started.
    #[serde(default)]
    pub remembered: Vec<String>,
    /// Remembered values used when known (assertions with `when` on them are skipped else).
    #[serde(default)]
    pub recalls: Vec<String>,
    /// Captured values to keep in the session after a pass: remembered name -> capture name.
    #[serde(default)]
    pub remember: BTreeMap<String, String>,
    /// Steps run once when the tester starts the case, before its Okta steps: their captures
    /// are what the case will act on (its SCIM ids, its members).
    #[serde(default)]
    pub before: Vec<RecipeStep>,
    /// The SCIM side; a case checked in Okta only has none.
    #[serde(default, rename = "step")]
    pub steps: Vec<RecipeStep>,
    /// The Okta side as written (`[[recipe.okta]]`), read strictly into `okta` when the book
    /// is parsed, so an error names the recipe.
    #[serde(default, rename = "okta")]
    okta_entries: Vec<toml::Value>,
    /// The Okta side: what must hold in the org (checked when the org is connected).
    #[serde(skip)]
    pub okta: Vec<OktaCheck>,
    /// The input holding the Okta login whose profile gives the SCIM side's expected values
    /// (`given_name`, `family_name`, `email`) when the org is connected and the tester did not
    /// type them.
    #[serde(default)]
    pub okta_profile: Option<String>,
    /// The list input filled with the logins of the Okta group an input names, when the org is
    /// connected (so the tester types the group's name only); else the tester types the list.
    #[serde(default)]
    pub okta_members: Option<OktaMembers>,
    /// The parts of the case's expected result no API can see, in one line: every run says
    /// them, and claims nothing about them.
    #[serde(default)]
    pub by_hand: Option<String>,
}

/// `okta_members = { group = "group", into = "members" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OktaMembers {
    /// The input naming the Okta group (by its exact name).
    pub group: String,
    /// The optional list input its members' logins fill.
    pub into: String,
    /// Without the org: the tester types the list (`typed`, the default), or the case
    /// expects no member at all (`none`: C9317 pushes an empty group), so nothing is typed
    /// and a list typed for another case is not used.
    #[serde(default)]
    pub otherwise: MembersOtherwise,
}

/// What a group's members are when no org gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MembersOtherwise {
    #[default]
    Typed,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeStep {
    pub name: String,
    #[serde(default = "default_method")]
    pub method: String,
    /// Path under the SCIM base URL, e.g. `/Users/{{user_id}}`.
    pub path: String,
    /// Query parameters (values are templates, URL-encoded when sent).
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Repeat the step for each value of a list (an input or a remembered list), as `{{item}}`.
    /// Consecutive steps over the same list run together for each value, so captures flow
    /// between them.
    #[serde(default)]
    pub for_each: Option<String>,
    /// List everything, by `startIndex`/`count` pages of 100 as Okta's import does; the
    /// answer is every page's `Resources` together.
    #[serde(default)]
    pub pages: bool,
    /// Keep only the `Resources` whose attribute is exactly the value (SCIM filters ignore
    /// case): attribute -> template. `totalResults` counts what is kept.
    #[serde(default)]
    pub exact: BTreeMap<String, String>,
    /// Captured values: the first value at a path.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// Captured lists: every value at a path, comma-separated.
    #[serde(default)]
    pub capture_all: BTreeMap<String, String>,
    /// The group in the answer has these members, compared by userName.
    #[serde(default)]
    pub members: Option<MembersSpec>,
    /// The user in the answer (the first of a list) holds every attribute Okta sends it: the
    /// app user profile of the recipe's `okta_profile` user (or of `{{item}}` in a
    /// `for_each` step) through the app's attribute mapping. Checked when the org is
    /// connected.
    #[serde(default)]
    pub profile: bool,
    /// Captured resources, whole: name -> path of the resource (`$` for the answer, or
    /// `Resources[0]`), kept as JSON without its `meta` (what "unchanged" compares).
    #[serde(default)]
    pub snapshot: BTreeMap<String, String>,
    /// The resource in the answer is what this snapshot (observed when the case started, or
    /// remembered by the last check of it) held: every attribute but `meta`.
    #[serde(default)]
    pub unchanged: Option<String>,
    #[serde(default)]
    pub expect: Vec<Assertion>,
}

/// What a group's members must be. `expect` and `drop` name list inputs of userNames; `keep`
/// names a remembered or observed list of SCIM ids (the members the group held before).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MembersSpec {
    /// Every one of these userNames is a member.
    #[serde(default)]
    pub expect: Option<String>,
    /// No member beyond `expect` and `keep`.
    #[serde(default)]
    pub exactly: bool,
    /// Every one of these ids is still a member, unless dropped.
    #[serde(default)]
    pub keep: Option<String>,
    /// None of these userNames is a member (a user the app removed altogether counts as gone).
    #[serde(default)]
    pub drop: Option<String>,
}

impl Recipe {
    /// The case is checked in Okta only: the recipe has no SCIM step, so the app's SCIM
    /// connection is not needed. The one spelling of that rule.
    pub fn is_okta_only(&self) -> bool {
        self.steps.is_empty()
    }

    /// The case has a part in Okta: checks in the org, or expected values the org gives (the
    /// Okta user's profile, the Okta group's members). Without the org it is checked on its
    /// SCIM side alone and says so; with the org it needs a usable credential.
    pub fn has_okta_part(&self) -> bool {
        !self.okta.is_empty() || self.okta_profile.is_some() || self.okta_members.is_some()
    }

    /// The required inputs `subjects` lacks, in the recipe's order. Starting a case
    /// (`for_start`) needs only what its `before` steps name, and its subject.
    pub fn missing_inputs(
        &self,
        subjects: &BTreeMap<String, String>,
        for_start: bool,
    ) -> Vec<String> {
        self.inputs
            .iter()
            .filter(|name| {
                !for_start
                    || self.subject.as_ref() == Some(*name)
                    || self.before.iter().any(|step| step.mentions(name))
            })
            .filter(|name| subjects.get(*name).is_none_or(|v| v.trim().is_empty()))
            .cloned()
            .collect()
    }
}

impl RecipeStep {
    /// Every name the step captures: values, lists and snapshots.
    pub fn captures(&self) -> impl Iterator<Item = &String> {
        self.capture
            .keys()
            .chain(self.capture_all.keys())
            .chain(self.snapshot.keys())
    }

    /// The step's request or its exact match uses `{{name}}`.
    pub fn mentions(&self, name: &str) -> bool {
        let wanted = format!("{{{{{name}}}}}");
        std::iter::once(&self.path)
            .chain(self.query.values())
            .chain(self.exact.values())
            .any(|t| t.replace(' ', "").contains(&wanted))
            || self.for_each.as_deref() == Some(name)
    }
}

fn default_method() -> String {
    "GET".into()
}

/// One expectation about an answer. Exactly one of `status`, `exists`, `equals`, `contains`,
/// `excludes`, `is_number`, `count` is set; all but `status` apply to the values at `path`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    #[serde(default)]
    pub status: Option<StatusExpectation>,
    #[serde(default)]
    pub path: Option<String>,
    /// A second path, used when `path` finds nothing (the primary email, else the work email).
    #[serde(default)]
    pub fallback: Option<String>,
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default)]
    pub equals: Option<toml::Value>,
    /// A string containing the text, or a list (or `[*]` fan-out) holding the value.
    #[serde(default)]
    pub contains: Option<toml::Value>,
    /// The opposite of `contains`.
    #[serde(default)]
    pub excludes: Option<toml::Value>,
    #[serde(default)]
    pub is_number: Option<bool>,
    /// The length of the array at `path` (0 when absent), or the number of `[*]` values.
    #[serde(default)]
    pub count: Option<toml::Value>,
    /// Compare strings without regard to case (emails, userNames).
    #[serde(default)]
    pub ignore_case: bool,
    /// `equals` also holds when the path finds nothing ("removed or deactivated").
    #[serde(default)]
    pub absent_ok: bool,
    /// Only checked when this optional input (or recalled value) is known.
    #[serde(default)]
    pub when: Option<String>,
}

/// One status or several accepted ones (`status = 200` or `status = [200, 204]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StatusExpectation {
    One(u16),
    Any(Vec<u16>),
}

impl StatusExpectation {
    pub fn accepts(&self, status: u16) -> bool {
        match self {
            StatusExpectation::One(s) => *s == status,
            StatusExpectation::Any(list) => list.contains(&status),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            StatusExpectation::One(s) => s.to_string(),
            StatusExpectation::Any(list) => list
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

impl RecipeBook {
    /// The recipes compiled into scimplan.
    pub fn builtin() -> RecipeBook {
        RecipeBook::parse(BUILTIN).expect("the built-in recipes are valid (checked by tests)")
    }

    pub fn parse(text: &str) -> Result<RecipeBook, VerifyError> {
        let mut book: RecipeBook =
            toml::from_str(text).map_err(|e| VerifyError::Recipe(e.to_string()))?;
        for recipe in &mut book.recipes {
            let case = recipe.cases.first().cloned().unwrap_or_else(|| "?".into());
            recipe.okta = std::mem::take(&mut recipe.okta_entries)
                .into_iter()
                .enumerate()
                .map(|(i, entry)| {
                    OktaCheck::parse(entry).map_err(|why| {
                        VerifyError::Recipe(format!("{case}: [[recipe.okta]] {}: {why}", i + 1))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        book.validate()?;
        Ok(book)
    }

    /// The recipe that verifies `case_id`.
    pub fn for_case(&self, case_id: &str) -> Option<&Recipe> {
        self.recipes
            .iter()
            .find(|r| r.cases.iter().any(|c| c.eq_ignore_ascii_case(case_id)))
    }

    /// Every case that has a recipe, in recipe order.
    pub fn cases(&self) -> impl Iterator<Item = &str> {
        self.recipes
            .iter()
            .flat_map(|r| r.cases.iter().map(String::as_str))
    }

    /// The cases whose verification remembers `name`.
    pub fn rememberers(&self, name: &str) -> Vec<&str> {
        self.recipes
            .iter()
            .filter(|r| r.remember.contains_key(name))
            .flat_map(|r| r.cases.iter().map(String::as_str))
            .collect()
    }

    /// The recipe of `case`, or the error naming the cases that have one.
    pub fn recipe(&self, case: &str) -> Result<&Recipe, VerifyError> {
        self.for_case(case).ok_or_else(|| VerifyError::NoRecipe {
            case: case.to_string(),
            known: self.cases().collect::<Vec<_>>().join(", "),
        })
    }

    pub fn prompt<'a>(&'a self, input: &'a str) -> &'a str {
        self.inputs
            .get(input)
            .map(|s| s.prompt.as_str())
            .unwrap_or(input)
    }

    pub fn is_list(&self, input: &str) -> bool {
        self.kind(input) == InputKind::List
    }

    pub fn kind(&self, input: &str) -> InputKind {
        self.inputs.get(input).map(|s| s.kind).unwrap_or_default()
    }

    /// Checks a value the tester gave for `input` before anything is sent or remembered;
    /// the error says what is wrong and what to type instead.
    pub fn check_input(&self, input: &str, value: &str) -> Result<(), InputError> {
        let value = value.trim();
        let (input, value_owned) = (input.to_string(), value.to_string());
        match self.kind(&input) {
            InputKind::Text => Ok(()),
            InputKind::One if value.contains(',') => Err(InputError::NotOne {
                input,
                value: value_owned,
            }),
            InputKind::One => Ok(()),
            InputKind::List if split_list(value).is_empty() => Err(InputError::EmptyList {
                input,
                value: value_owned,
            }),
            InputKind::List => Ok(()),
            InputKind::Count => {
                value
                    .parse::<u64>()
                    .map(|_| ())
                    .map_err(|_| InputError::NotCount {
                        input,
                        value: value_owned,
                    })
            }
            InputKind::Path => crate::scim::json_path::validate(value)
                .map_err(|why| InputError::NotPath { input, why }),
        }
    }

    fn validate(&self) -> Result<(), VerifyError> {
        let bad = |case: &str, message: String| VerifyError::Recipe(format!("{case}: {message}"));
        for recipe in &self.recipes {
            let case = recipe.cases.first().map(String::as_str).unwrap_or("?");
            for input in recipe.inputs.iter().chain(&recipe.optional) {
                if !self.inputs.contains_key(input) {
                    return Err(bad(case, format!("input '{input}' is not described")));
                }
            }
            if let Some(subject) = &recipe.subject
                && !recipe.inputs.contains(subject)
            {
                return Err(bad(case, format!("subject '{subject}' is not an input")));
            }
            let observed: Vec<&String> = recipe
                .before
                .iter()
                .flat_map(RecipeStep::captures)
                .collect();
            for name in recipe.remembered.iter().chain(&recipe.recalls) {
                if self.rememberers(name).is_empty() && !observed.contains(&name) {
                    return Err(bad(
                        case,
                        format!("no recipe remembers '{name}' and no before step observes it"),
                    ));
                }
            }
            if recipe.is_okta_only() && recipe.okta.is_empty() {
                return Err(bad(case, "no step and no okta check".into()));
            }
            validate_okta_side(self, recipe).map_err(|why| bad(case, why))?;
            // A list Okta fills (a group's members) may be optional.
            let okta_list = recipe.okta_members.as_ref().map(|m| &m.into);
            let lists: Vec<&String> = recipe
                .inputs
                .iter()
                .filter(|i| self.is_list(i))
                .chain(&recipe.remembered)
                .chain(okta_list)
                .collect();
            let optional: Vec<&String> = recipe.optional.iter().chain(&recipe.recalls).collect();
            for step in recipe.before.iter().chain(&recipe.steps) {
                if step.profile && recipe.okta_profile.is_none() && step.for_each.is_none() {
                    return Err(bad(
                        case,
                        format!(
                            "step '{}': profile = true needs the recipe's okta_profile, or a for_each over logins",
                            step.name
                        ),
                    ));
                }
                if let Some(name) = &step.unchanged
                    && !(recipe.remembered.contains(name) || recipe.recalls.contains(name))
                {
                    return Err(bad(
                        case,
                        format!(
                            "step '{}': unchanged = '{name}' is not remembered or recalled",
                            step.name
                        ),
                    ));
                }
                if let Some(list) = &step.for_each
                    && !lists.contains(&list)
                {
                    return Err(bad(
                        case,
                        format!(
                            "step '{}' loops over '{list}', not a list input or remembered list",
                            step.name
                        ),
                    ));
                }
                if let Some(members) = &step.members {
                    for list in [&members.expect, &members.drop].into_iter().flatten() {
                        // A list Okta fills (a group's members) may be optional.
                        let okta_fills = recipe
                            .okta_members
                            .as_ref()
                            .is_some_and(|m| &m.into == list);
                        if !(recipe.inputs.contains(list) || okta_fills) || !self.is_list(list) {
                            return Err(bad(
                                case,
                                format!(
                                    "step '{}': members '{list}' is not a list input",
                                    step.name
                                ),
                            ));
                        }
                    }
                    if let Some(keep) = &members.keep
                        && !recipe.remembered.contains(keep)
                    {
                        return Err(bad(
                            case,
                            format!(
                                "step '{}': members keep '{keep}' is not remembered",
                                step.name
                            ),
                        ));
                    }
                }
                for assertion in &step.expect {
                    let kinds = [
                        assertion.status.is_some(),
                        assertion.exists.is_some(),
                        assertion.equals.is_some(),
                        assertion.contains.is_some(),
                        assertion.excludes.is_some(),
                        assertion.is_number.is_some(),
                        assertion.count.is_some(),
                    ];
                    if kinds.iter().filter(|k| **k).count() != 1 {
                        return Err(bad(
                            case,
                            format!(
                                "step '{}': an assertion must set exactly one of status, exists, equals, contains, excludes, is_number, count",
                                step.name
                            ),
                        ));
                    }
                    if assertion.status.is_none() && assertion.path.is_none() {
                        return Err(bad(
                            case,
                            format!("step '{}': an assertion without a path", step.name),
                        ));
                    }
                    if let Some(when) = &assertion.when
                        && !optional.contains(&when)
                    {
                        return Err(bad(
                            case,
                            format!(
                                "step '{}': when = '{when}' is not optional or recalled",
                                step.name
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The Okta side names only what the check knows: a user or group by a required input (or
/// the list item), an id by anything the SCIM side captures or remembers.
fn validate_okta_side(book: &RecipeBook, recipe: &Recipe) -> Result<(), String> {
    if let Some(profile) = &recipe.okta_profile
        && !recipe.inputs.contains(profile)
    {
        return Err(format!("okta_profile '{profile}' is not an input"));
    }
    if let Some(members) = &recipe.okta_members {
        if !recipe.inputs.contains(&members.group) {
            return Err(format!(
                "okta_members: group '{}' is not an input",
                members.group
            ));
        }
        if !(recipe.optional.contains(&members.into) && book.is_list(&members.into)) {
            return Err(format!(
                "okta_members: into '{}' is not an optional list input",
                members.into
            ));
        }
    }
    let captured: Vec<&String> = recipe.steps.iter().flat_map(RecipeStep::captures).collect();
    let okta_list = recipe.okta_members.as_ref().map(|m| &m.into);
    for (i, check) in recipe.okta.iter().enumerate() {
        let at = format!("[[recipe.okta]] {}", i + 1);
        if let Some(list) = &check.for_each
            && !((recipe.inputs.contains(list) || okta_list == Some(list)) && book.is_list(list))
        {
            return Err(format!("{at}: for_each '{list}' is not a list input"));
        }
        for template in [&check.login, &check.group, &check.status]
            .into_iter()
            .flatten()
        {
            for name in template_names(template) {
                let known =
                    recipe.inputs.contains(&name) || (name == "item" && check.for_each.is_some());
                if !known {
                    return Err(format!(
                        "{at}: '{{{{{name}}}}}' in '{template}' is not a required input"
                    ));
                }
            }
        }
        for name in check.names() {
            let known = name == "item"
                || recipe.inputs.contains(&name)
                || recipe.optional.contains(&name)
                || recipe.remembered.contains(&name)
                || recipe.recalls.contains(&name)
                || captured.contains(&&name);
            if !known {
                return Err(format!(
                    "{at}: '{{{{{name}}}}}' is no input, remembered value or capture"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case OKTA_SCIM.md marks S or S+O has a recipe.
    #[test]
    fn builtin_recipes_cover_every_scim_verifiable_case() {
        let book = RecipeBook::builtin();
        let wanted = "C9290 C9334 C9336 C9335 C9291 C9310 C9309 C9292 C9294 C9293 C9307 C9311 \
            C9312 C9317 C9332 C9316 C9315 C9330 C9333 C9318 C9327 C9321 C9326 C9331 C9303 C9304 C9305 \
            C9338";
        for case in wanted.split_whitespace() {
            assert!(book.for_case(case).is_some(), "{case} has no recipe");
        }
        assert_eq!(
            book.rememberers("deactivated_user_id"),
            vec!["C9292", "C9294"]
        );
        assert!(book.is_list("members") && !book.is_list("user"));
        let known = BTreeMap::from([("group".to_string(), "Eng".to_string())]);
        let c9312 = book.for_case("C9312").unwrap();
        assert_eq!(c9312.missing_inputs(&known, false), vec!["members"]);
        assert!(book.recipe("C9296").is_err());
        assert!(book.prompt("members").contains("comma-separated"));
    }

    #[test]
    fn invalid_recipes_are_refused_with_the_case_named() {
        let text = r#"
[inputs]
user = { prompt = "userName" }
[[recipe]]
cases = ["C1"]
title = "t"
inputs = ["user"]
[[recipe.step]]
name = "s"
path = "/Users"
expect = [{ status = 200, exists = true, path = "id" }]
"#;
        let err = RecipeBook::parse(text).unwrap_err().to_string();
        assert!(err.contains("C1") && err.contains("exactly one"), "{err}");
        let unknown_input = text
            .replace("inputs = [\"user\"]", "inputs = [\"group\"]")
            .replace("status = 200, ", "");
        let err = RecipeBook::parse(&unknown_input).unwrap_err().to_string();
        assert!(err.contains("'group'"), "{err}");
    }

    /// OKTA_SCIM.md's table: the O and S+O cases have an Okta side, the S cases none.
    #[test]
    fn builtin_recipes_give_the_o_and_s_plus_o_cases_their_okta_side() {
        let book = RecipeBook::builtin();
        let with_okta = "C9290 C9334 C9336 C9335 C9291 C9310 C9305 C9292 C9294 C9293 C9295 C9300 \
            C9301 C9302 C9306 C9339 C9307 C9311 C9312 C9317 C9332 C9316 C9315 C9330 C9333 C9318 \
            C9327 C9321 C9326 C9331 C9319 C9328 C9320 C9329 C9359 C9360 C9361";
        for case in with_okta.split_whitespace() {
            let recipe = book
                .for_case(case)
                .unwrap_or_else(|| panic!("{case}: no recipe"));
            assert!(!recipe.okta.is_empty(), "{case} has no Okta side");
        }
        for case in "C9309 C9303 C9304 C9338".split_whitespace() {
            assert!(book.for_case(case).unwrap().okta.is_empty(), "{case}");
        }
        let okta_only: Vec<&str> = book
            .recipes
            .iter()
            .filter(|r| r.is_okta_only())
            .flat_map(|r| r.cases.iter().map(String::as_str))
            .collect();
        assert_eq!(
            okta_only,
            ["C9301", "C9302", "C9306", "C9359", "C9360", "C9361"]
        );
    }

    #[test]
    fn profile_and_unchanged_steps_name_what_they_compare_with() {
        let book = |recipe: &str| {
            RecipeBook::parse(&format!(
                r#"
[inputs]
user = {{ prompt = "login" }}
[[recipe]]
cases = ["C8"]
title = "t"
inputs = ["user"]
{recipe}
"#
            ))
        };
        let profile = "[[recipe.step]]\nname = \"read\"\npath = \"/Users\"\nprofile = true\nexpect = [{ status = 200 }]";
        let err = book(profile).unwrap_err().to_string();
        assert!(err.contains("C8") && err.contains("okta_profile"), "{err}");
        assert!(book(&format!("okta_profile = \"user\"\n{profile}")).is_ok());
        let unchanged = "[[recipe.step]]\nname = \"read\"\npath = \"/Users\"\nunchanged = \"snap\"\nexpect = [{ status = 200 }]";
        let err = book(unchanged).unwrap_err().to_string();
        assert!(
            err.contains("unchanged = 'snap' is not remembered"),
            "{err}"
        );
        // A snapshot observed when the case starts is what it compares with.
        let observed = format!(
            "remembered = [\"snap\"]\n[[recipe.before]]\nname = \"b\"\npath = \"/Users\"\nsnapshot = {{ snap = \"Resources[0]\" }}\nexpect = [{{ status = 200 }}]\n{unchanged}"
        );
        let parsed = book(&observed).unwrap();
        assert_eq!(
            parsed.for_case("C8").unwrap().before[0]
                .captures()
                .collect::<Vec<_>>(),
            ["snap"]
        );
        // Every built-in recipe naming a part of its expected result no API sees says it in
        // one line.
        let builtin = RecipeBook::builtin();
        for recipe in &builtin.recipes {
            if let Some(line) = &recipe.by_hand {
                assert!(
                    !line.contains('\n') && !line.is_empty(),
                    "{:?}",
                    recipe.cases
                );
            }
        }
        assert!(builtin.for_case("C9302").unwrap().by_hand.is_some());
    }

    #[test]
    fn okta_entries_are_refused_naming_the_recipe() {
        let book = |okta: &str| {
            RecipeBook::parse(&format!(
                r#"
[inputs]
user = {{ prompt = "login" }}
given_name = {{ prompt = "first name" }}
members = {{ prompt = "members", kind = "list" }}
[[recipe]]
cases = ["C7"]
title = "t"
inputs = ["user"]
optional = ["given_name"]
{okta}
"#
            ))
        };
        let ok = book(
            "[[recipe.okta]]\nkind = \"user-status\"\nlogin = \"{{user}}\"\nstatus = \"SUSPENDED\"",
        )
        .unwrap();
        assert_eq!(
            ok.for_case("C7").unwrap().okta.len(),
            1,
            "Okta only, no step"
        );
        for (okta, wanted) in [
            (
                "[[recipe.okta]]\nkind = \"suspended\"\nlogin = \"{{user}}\"",
                "suspended",
            ),
            (
                "[[recipe.okta]]\nkind = \"provisioned\"\nlogin = \"{{user}}\"\nsmic_id = \"x\"",
                "smic_id",
            ),
            (
                "[[recipe.okta]]\nkind = \"provisioned\"\nlogin = \"{{given_name}}\"",
                "not a required input",
            ),
            (
                "[[recipe.okta]]\nkind = \"provisioned\"\nlogin = \"{{user}}\"\nscim_id = \"{{nobody}}\"",
                "'{{nobody}}'",
            ),
            (
                "[[recipe.okta]]\nkind = \"provisioned\"\nlogin = \"{{item}}\"\nfor_each = \"user\"",
                "not a list input",
            ),
            ("", "no step and no okta check"),
        ] {
            let err = book(okta).unwrap_err().to_string();
            assert!(err.contains("C7") && err.contains(wanted), "{okta}: {err}");
        }
    }
}
