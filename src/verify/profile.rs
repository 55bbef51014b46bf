//! What Okta sends the app for a user, as the app's SCIM attributes: the app user profile
//! (`GET /api/v1/apps/{appId}/users/{userId}`, the values Okta computed from the Okta profile,
//! the group assignment and what the admin typed) through the app's attribute mapping (the app
//! user schema, `GET /api/v1/meta/schemas/apps/{appId}/default`: each property's
//! `externalName` in `externalNamespace`). A check compares the SCIM user with every attribute
//! Okta sends, whatever the app maps, not a fixed list.
//!
//! Okta's profile mappings (`/api/v1/mappings`) say how the app user profile is computed from
//! the Okta user's; the app user profile is the result, so it is what is compared.

use std::collections::BTreeMap;

use serde_json::Value;

use super::assertions::{needed_nfc, same, show, show_many};
use crate::okta::{AppUserSchema, OktaClient, OktaError};
use crate::scim::json_path::{select, validate};
use crate::session::AssertionRecord;

/// The SCIM core User schema: attributes in it are written without their URN.
const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PRIMARY_EMAIL: &str = "emails[primary eq true].value";

/// Where each app user profile property goes in the app, as an RFC 7644 attribute path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeMap {
    pub paths: BTreeMap<String, String>,
    /// The map is not the app's own (its schema could not be read), said once per run.
    pub note: Option<String>,
}

impl AttributeMap {
    /// From the app user schema: properties with an `externalName` Okta sends; the others
    /// (no name in the app, or a name scimplan cannot read) are not sent, so not compared.
    pub fn from_schema(schema: &AppUserSchema) -> AttributeMap {
        let paths = schema
            .properties()
            .filter_map(|(property, p)| {
                let name = p.external_name.as_deref()?;
                Some((
                    property.clone(),
                    scim_path(name, p.external_namespace.as_deref())?,
                ))
            })
            .collect();
        AttributeMap { paths, note: None }
    }

    /// Okta's attribute names of a SCIM 2.0 app (what its app user schema holds unless the
    /// app changed it), for when the app's own schema cannot be read; `why` says why.
    pub fn standard(why: String) -> AttributeMap {
        let work = |sub: &str| format!("addresses[type eq \"work\"].{sub}");
        let mut paths: BTreeMap<String, String> = [
            ("userName", "userName".to_string()),
            ("givenName", "name.givenName".into()),
            ("familyName", "name.familyName".into()),
            ("middleName", "name.middleName".into()),
            ("honorificPrefix", "name.honorificPrefix".into()),
            ("honorificSuffix", "name.honorificSuffix".into()),
            ("email", "emails[type eq \"work\"].value".into()),
            ("title", "title".into()),
            ("displayName", "displayName".into()),
            ("nickName", "nickName".into()),
            ("profileUrl", "profileUrl".into()),
            (
                "primaryPhone",
                "phoneNumbers[type eq \"work\"].value".into(),
            ),
            (
                "mobilePhone",
                "phoneNumbers[type eq \"mobile\"].value".into(),
            ),
            ("streetAddress", work("streetAddress")),
            ("locality", work("locality")),
            ("region", work("region")),
            ("postalCode", work("postalCode")),
            ("countryCode", work("country")),
            ("preferredLanguage", "preferredLanguage".into()),
            ("locale", "locale".into()),
            ("timezone", "timezone".into()),
            ("userType", "userType".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for name in [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department",
        ] {
            paths.insert(name.to_string(), format!("{ENTERPRISE_USER}:{name}"));
        }
        AttributeMap {
            paths,
            note: Some(why),
        }
    }

    /// Reads the app's mapping from Okta. A schema Okta will not show (404, or 403: a service
    /// app needs `okta.schemas.read`) gives Okta's standard names, said in the map's note;
    /// any other failure is Okta's error.
    pub fn read(client: &OktaClient) -> Result<AttributeMap, OktaError> {
        let why = |what: String| {
            format!(
                "the app's attribute mapping could not be read ({what}): the attributes Okta sent are compared under Okta's standard SCIM 2.0 names"
            )
        };
        match client.app_user_schema() {
            Ok(Some(schema)) => Ok(AttributeMap::from_schema(&schema)),
            Ok(None) => Ok(AttributeMap::standard(why(
                "Okta has no app user schema".into()
            ))),
            Err(OktaError::Forbidden { api, .. }) => Ok(AttributeMap::standard(why(format!(
                "403 {}; a service app needs the scope okta.schemas.read",
                api.describe()
            )))),
            Err(e) => Err(e),
        }
    }
}

/// Okta's name of an app attribute (`name.givenName`, `emails^[type=='work'].value`) in its
/// namespace as an RFC 7644 path (`emails[type eq "work"].value`, the enterprise extension's
/// `urn:…:User:department`); `None` when it is not one scimplan can read.
pub fn scim_path(external_name: &str, namespace: Option<&str>) -> Option<String> {
    let mut path = String::new();
    let mut rest = external_name.trim();
    while let Some(open) = rest.find("^[") {
        path.push_str(&rest[..open]);
        let close = rest[open..].find(']')? + open;
        let (attribute, value) = rest[open + 2..close].split_once("==")?;
        let value = value.trim();
        let value = match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            Some(text) => format!("\"{text}\""),
            None if matches!(value, "true" | "false") => value.to_string(),
            None => return None,
        };
        path.push_str(&format!("[{} eq {value}]", attribute.trim()));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    if path.is_empty() {
        return None;
    }
    let path = match namespace.map(str::trim).filter(|n| !n.is_empty()) {
        None => path,
        Some(ns) if ns.eq_ignore_ascii_case(CORE_USER) => path,
        Some(ns) => format!("{ns}:{path}"),
    };
    validate(&path).ok().map(|_| path)
}

/// One attribute Okta sends: the app user profile's property, its SCIM path and value.
#[derive(Debug, Clone, PartialEq)]
pub struct SentAttribute {
    pub property: String,
    pub path: String,
    pub value: Value,
}

/// What Okta sends the app for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct AppProfile {
    pub login: String,
    pub attributes: Vec<SentAttribute>,
    /// Properties with a value and no SCIM name in the app's mapping: not sent, not compared.
    pub unmapped: Vec<String>,
}

impl AppProfile {
    /// The SCIM path a property goes to, when Okta sends it.
    pub fn path_of(&self, property: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.property == property)
            .map(|a| a.path.as_str())
    }

    /// Okta sends an attribute at `path` (or, for `emails`, any email).
    pub fn covers(&self, path: &str) -> bool {
        self.attributes
            .iter()
            .any(|a| a.path == path || (path == "emails" && a.path.starts_with("emails")))
    }

    /// The line a run says about what it did not compare, if anything.
    pub fn unmapped_note(&self) -> Option<String> {
        (!self.unmapped.is_empty()).then(|| {
            format!(
                "the app user profile of {} holds {} with no attribute in the app's mapping: Okta does not send {}, so {} not compared",
                self.login,
                self.unmapped.join(", "),
                if self.unmapped.len() == 1 { "it" } else { "them" },
                if self.unmapped.len() == 1 { "it is" } else { "they are" },
            )
        })
    }
}

/// The app user profile of the Okta user `login` through `map`; `None` when there is no such
/// user or it is not assigned to the app (the Okta side says so).
pub fn read_profile(
    client: &OktaClient,
    login: &str,
    map: &AttributeMap,
) -> Result<Option<AppProfile>, OktaError> {
    let Some(user) = client.user_by_login(login)? else {
        return Ok(None);
    };
    let Some(app_user) = client.app_user(&user.id)? else {
        return Ok(None);
    };
    let mut profile = AppProfile {
        login: login.to_string(),
        attributes: Vec::new(),
        unmapped: Vec::new(),
    };
    for (property, value) in &app_user.profile {
        let empty = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        if empty {
            continue;
        }
        match map.paths.get(property) {
            Some(path) => profile.attributes.push(SentAttribute {
                property: property.clone(),
                path: path.clone(),
                value: value.clone(),
            }),
            None => profile.unmapped.push(property.clone()),
        }
    }
    Ok(Some(profile))
}

/// The SCIM user in an answer: the first of a list, else the answer itself.
pub fn user_in(answer: &Value) -> Option<&Value> {
    match answer.get("Resources") {
        Some(Value::Array(items)) => items.first(),
        Some(_) => None,
        None => Some(answer),
    }
}

/// One assertion per attribute Okta sends: the SCIM user holds the value. Emails and the
/// userName compare without regard to letter case, as SCIM does.
pub fn compare(user: &Value, profile: &AppProfile, step: &str) -> Vec<AssertionRecord> {
    profile
        .attributes
        .iter()
        .map(|sent| {
            let mut found = select(user, &sent.path).unwrap_or_default();
            let mut note = None;
            // An email kept without its type is still the user's email: the primary one, as
            // the recipes compare emails.
            if found.is_empty() && sent.path.starts_with("emails[") {
                found = select(user, PRIMARY_EMAIL).unwrap_or_default();
                if !found.is_empty() {
                    note = Some(format!(
                        "the app keeps no email at {}: compared with its primary email",
                        sent.path
                    ));
                }
            }
            let ignore_case = sent.path == "userName" || sent.path.starts_with("emails");
            let passed =
                !found.is_empty() && found.iter().all(|v| same(v, &sent.value, ignore_case));
            let actual = show_many(&found);
            if passed
                && found
                    .iter()
                    .any(|v| needed_nfc(v, &sent.value, ignore_case))
            {
                note = Some(format!(
                    "equal only after Unicode NFC normalisation: the app sent {actual}"
                ));
            }
            AssertionRecord {
                step: step.to_string(),
                check: format!(
                    "{} equals the app user profile's {} (what Okta sent)",
                    sent.path, sent.property
                ),
                expected: show(&sent.value),
                actual,
                passed,
                note,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn oktas_attribute_names_become_scim_paths() {
        assert_eq!(
            scim_path("name.givenName", Some(CORE_USER)).as_deref(),
            Some("name.givenName")
        );
        assert_eq!(
            scim_path("emails^[type=='work'].value", None).as_deref(),
            Some("emails[type eq \"work\"].value")
        );
        assert_eq!(
            scim_path("emails^[primary==true].value", None).as_deref(),
            Some("emails[primary eq true].value")
        );
        assert_eq!(
            scim_path("department", Some(ENTERPRISE_USER)).as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
        );
        assert_eq!(scim_path("", None), None);
        assert_eq!(scim_path("emails^[type=work].value", None), None);
    }

    #[test]
    fn the_schema_says_what_is_sent_and_the_user_is_compared_with_it() {
        let schema: AppUserSchema = serde_json::from_value(json!({"definitions": {
            "base": {"properties": {
                "title": {"externalName": "title", "externalNamespace": CORE_USER},
                "email": {"externalName": "emails^[type=='work'].value"},
                "nickName": {"title": "no name in the app"}
            }},
            "custom": {"properties": {
                "department": {"externalName": "department", "externalNamespace": ENTERPRISE_USER}
            }}
        }}))
        .unwrap();
        let map = AttributeMap::from_schema(&schema);
        assert_eq!(map.paths.len(), 3);
        assert!(!map.paths.contains_key("nickName"));
        let profile = AppProfile {
            login: "ann@x.com".into(),
            attributes: ["title", "email", "department"]
                .iter()
                .map(|p| SentAttribute {
                    property: p.to_string(),
                    path: map.paths[*p].clone(),
                    value: json!(if *p == "email" { "Ann@X.com" } else { "VP" }),
                })
                .collect(),
            unmapped: vec!["nickName".into()],
        };
        let mut user = json!({"title": "VP", "emails": [{"type": "work", "value": "ann@x.com"}]});
        user[ENTERPRISE_USER] = json!({"department": "Sales"});
        let records = compare(&user, &profile, "read the user");
        let failed: Vec<&AssertionRecord> = records.iter().filter(|r| !r.passed).collect();
        assert_eq!(failed.len(), 1, "{records:?}");
        assert!(
            failed[0]
                .check
                .starts_with(&format!("{ENTERPRISE_USER}:department"))
        );
        assert_eq!(
            (failed[0].expected.as_str(), failed[0].actual.as_str()),
            ("\"VP\"", "\"Sales\"")
        );
        assert!(profile.unmapped_note().unwrap().contains("nickName"));
        // An email kept without its type: the primary one stands in, and the run says so.
        let untyped = json!({"title": "VP", "emails": [{"primary": true, "value": "ann@x.com"}]});
        let email = compare(&untyped, &profile, "read the user")
            .into_iter()
            .find(|r| r.check.starts_with("emails"))
            .unwrap();
        assert!(email.passed && email.note.is_some(), "{email:?}");
        assert!(profile.covers("emails") && profile.covers("title"));
        assert_eq!(user_in(&json!({"Resources": []})), None);
    }
}
