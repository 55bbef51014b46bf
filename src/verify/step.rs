//! One step of a recipe: the request (every page of a list, like Okta's import), the answer
//! narrowed to exact matches, captures, the members comparison, and the assertions, with
//! every match named when a filter finds more than one.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::assertions::{check, describe_non_json, list_names, plain, same, show};
use super::attempt::{Attempt, Context, PAGE_SIZE, name_of};
use super::members::check_members;
use super::profile::{compare, user_in};
use super::recipe::RecipeStep;
use super::template::render;
use crate::net::Exchange;
use crate::scim::encode_component;
use crate::scim::json_path::select;
use crate::session::{AssertionRecord, RunFailure};

/// A list bigger than this many pages (of `PAGE_SIZE`) is cut.
const MAX_PAGES: usize = 1000;

/// Looks a name up: `{{item}}`, then this attempt's captures, then what the job knows.
pub fn lookup<'a>(
    ctx: &'a Context<'a>,
    captured: &'a BTreeMap<String, String>,
    item: Option<&'a str>,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name: &str| {
        if name == "item" {
            return item.map(str::to_string);
        }
        captured.get(name).cloned().or_else(|| (ctx.known)(name))
    }
}

/// Runs one step (for one item of its list) and adds what it found to `attempt`.
pub fn run_step(ctx: &Context, step: &RecipeStep, item: Option<&str>, attempt: &mut Attempt) {
    let label = match item {
        Some(item) => format!("{} ({item})", step.name),
        None => step.name.clone(),
    };
    let path = match request_path(ctx, step, item, &attempt.captured) {
        Ok(path) => path,
        Err(name) => {
            attempt.assertions.push(AssertionRecord {
                step: label,
                check: "request".into(),
                expected: format!("a value for {{{{{name}}}}}"),
                actual: "none: an earlier step found nothing to capture".into(),
                passed: false,
                note: None,
            });
            return;
        }
    };
    let (answer, mut body) = if step.pages {
        match fetch_pages(ctx, &path, &label, attempt) {
            Some(found) => found,
            None => return,
        }
    } else {
        let Some(answer) = ctx.send(&path, attempt) else {
            return;
        };
        let body = answer.json.clone();
        (answer, body)
    };
    if answer.unreachable() {
        attempt.fatal = Some((
            RunFailure::Unreachable,
            format!(
                "{label}: the app could not be reached: {}",
                answer.problem().unwrap_or_default()
            ),
        ));
        return;
    }
    if let Some(status @ (401 | 403)) = answer.status {
        // Name the variable this scheme reads: Basic reads the password, not the token.
        let secret_env = ctx.client.auth().secret_env();
        attempt.fatal = Some((
            RunFailure::CredentialsRefused {
                status,
                secret_env: secret_env.to_string(),
            },
            format!(
                "{label}: the app refused the credentials ({status}). Check the secret in {secret_env} (or the one typed) and the auth scheme set by `scimplan connect`."
            ),
        ));
        return;
    }
    if answer.status.is_none() {
        // No answer: one record says so, rather than one per assertion.
        attempt.assertions.push(AssertionRecord {
            step: label,
            check: "answer".into(),
            expected: "an answer".into(),
            actual: describe_non_json(&answer),
            passed: false,
            note: None,
        });
        return;
    }
    let mut set_aside = Vec::new();
    if !step.exact.is_empty()
        && let Some(body) = body.as_mut()
    {
        let values = lookup(ctx, &attempt.captured, item);
        match keep_exact(body, &step.exact, &values) {
            Ok(others) => set_aside = others,
            Err(name) => {
                attempt.fatal = Some((
                    RunFailure::CannotCheck,
                    format!("{label}: no value for {{{{{name}}}}}"),
                ));
                return;
            }
        }
    }
    if let Some(body) = &body {
        capture(step, body, attempt);
    }
    // A filter that finds more than one names them all (a listing is summarised instead).
    let matches = body
        .as_ref()
        .filter(|_| step.query.contains_key("filter"))
        .and_then(name_matches);
    if let (Some(spec), Some(group)) = (&step.members, &body) {
        let known: BTreeMap<String, String> = {
            let values = lookup(ctx, &attempt.captured, item);
            [&spec.expect, &spec.keep, &spec.drop]
                .into_iter()
                .flatten()
                .filter_map(|name| values(name).map(|v| (name.clone(), v)))
                .collect()
        };
        check_members(ctx, spec, group, &known, &label, attempt);
        if attempt.fatal.is_some() {
            return;
        }
    }
    let values = lookup(ctx, &attempt.captured, item);
    let mut json_reported = false;
    for assertion in &step.expect {
        if let Some(when) = &assertion.when
            && values(when).is_none()
        {
            continue;
        }
        let is_body_check = assertion.status.is_none();
        if is_body_check && body.is_none() {
            if json_reported {
                continue;
            }
            json_reported = true;
        }
        match check(assertion, &answer, body.as_ref(), &values, &label) {
            Ok(mut record) => {
                if !record.passed && is_body_check {
                    if let Some(matches) = &matches {
                        record.actual.push_str(&format!(" (found: {matches})"));
                    }
                    if !set_aside.is_empty() {
                        record.actual.push_str(&format!(
                            " (not counted, the name differs in letter case: {})",
                            list_names(set_aside.clone())
                        ));
                    }
                }
                attempt.assertions.push(record);
            }
            Err(error) => {
                attempt.fatal = Some((RunFailure::CannotCheck, format!("{label}: {error}")));
                return;
            }
        }
    }
    // The comparisons below read a resource: an error answer has none (its status says so).
    let Some(body) = body.as_ref().filter(|_| answer.status == Some(200)) else {
        return;
    };
    if step.profile {
        // What Okta sent this user, when the org is connected and the user is assigned (the
        // Okta side says when it is not).
        let login = item.or(ctx.profile_login).map(str::to_lowercase);
        if let Some(sent) = login.and_then(|l| ctx.profiles.get(&l))
            && let Some(user) = user_in(body)
        {
            attempt.assertions.extend(compare(user, sent, &label));
        }
    }
    if let Some(name) = &step.unchanged
        && let (Some(before), Some(now)) = ((ctx.known)(name), user_in(body))
    {
        let since = ctx.sources.get(name).map(String::as_str);
        attempt
            .assertions
            .extend(unchanged(&label, &before, now, since));
    }
}

/// The resource is what the snapshot `before` held, attribute by attribute, `meta` aside
/// (some apps change `meta.lastModified` on their own, a sign-in for instance): one record per
/// attribute that changed, or one saying none did.
fn unchanged(label: &str, before: &str, now: &Value, since: Option<&str>) -> Vec<AssertionRecord> {
    let since = since.map(|s| format!(" since {s}")).unwrap_or_default();
    let record = |check: String, expected: String, actual: String, passed: bool| AssertionRecord {
        step: label.to_string(),
        check,
        expected,
        actual,
        passed,
        note: None,
    };
    let (Ok(Value::Object(before)), Some(now)) =
        (serde_json::from_str::<Value>(before), now.as_object())
    else {
        return vec![record(
            format!("unchanged{since}"),
            "the resource as it was".into(),
            "no resource to compare".into(),
            false,
        )];
    };
    let shown = |value: Option<&Value>| value.map_or_else(|| "absent".to_string(), show);
    let names: BTreeSet<&String> = before
        .keys()
        .chain(now.keys())
        .filter(|k| k.as_str() != "meta")
        .collect();
    let changed: Vec<AssertionRecord> = names
        .iter()
        .filter(|name| before.get(**name) != now.get(**name))
        .map(|name| {
            record(
                format!("{name} unchanged{since}"),
                shown(before.get(*name)),
                shown(now.get(*name)),
                false,
            )
        })
        .collect();
    if !changed.is_empty() {
        return changed;
    }
    vec![record(
        format!("every attribute but meta unchanged{since}"),
        format!("the {} attributes as they were", names.len()),
        "as they were".into(),
        true,
    )]
}

fn request_path(
    ctx: &Context,
    step: &RecipeStep,
    item: Option<&str>,
    captured: &BTreeMap<String, String>,
) -> Result<String, String> {
    let values = lookup(ctx, captured, item);
    let encoded = |name: &str| values(name).map(|v| encode_component(&v));
    // Query values sit inside SCIM filter strings: escape their quotes (RFC 7644 §3.4.2.2).
    let quoted = |name: &str| values(name).map(|v| v.replace('\\', "\\\\").replace('"', "\\\""));
    let path = render(&step.path, &encoded)?;
    let mut query = Vec::new();
    for (key, template) in &step.query {
        query.push(format!(
            "{}={}",
            encode_component(key),
            encode_component(&render(template, &quoted)?)
        ));
    }
    Ok(if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    })
}

fn capture(step: &RecipeStep, body: &Value, attempt: &mut Attempt) {
    for (name, path) in &step.snapshot {
        let found = if path == "$" {
            Some(body)
        } else {
            select(body, path).ok().and_then(|v| v.first().copied())
        };
        match found.and_then(Value::as_object) {
            Some(resource) => {
                let mut resource = resource.clone();
                resource.remove("meta");
                attempt
                    .captured
                    .insert(name.clone(), Value::Object(resource).to_string());
            }
            None => {
                attempt.captured.remove(name);
            }
        }
    }
    for (name, path) in &step.capture {
        // Nothing found forgets an earlier item's value, so the next step cannot check the
        // wrong user.
        match select(body, path)
            .ok()
            .and_then(|v| v.first().map(|f| plain(f)))
        {
            Some(value) => attempt.captured.insert(name.clone(), value),
            None => attempt.captured.remove(name),
        };
    }
    for (name, path) in &step.capture_all {
        if let Ok(values) = select(body, path) {
            let all: Vec<String> = values.iter().map(|v| plain(v)).collect();
            attempt.captured.insert(name.clone(), all.join(","));
        }
    }
}

/// Keeps the `Resources` whose attributes equal the rendered values exactly (SCIM filters
/// ignore case, so `engineering` answers a filter for `Engineering`); `totalResults` counts
/// what is kept. Returns the ones set aside, named.
fn keep_exact(
    body: &mut Value,
    exact: &BTreeMap<String, String>,
    values: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, String> {
    let mut wanted = Vec::new();
    for (attribute, template) in exact {
        wanted.push((attribute.clone(), render(template, values)?));
    }
    let Some(resources) = body.get_mut("Resources").and_then(Value::as_array_mut) else {
        return Ok(Vec::new());
    };
    let (kept, others): (Vec<Value>, Vec<Value>) = resources.drain(..).partition(|resource| {
        wanted.iter().all(|(attribute, value)| {
            // Exact letter case; Unicode forms (NFC or not) still name the same text.
            select(resource, attribute)
                .ok()
                .and_then(|found| found.first().cloned())
                .is_some_and(|found| same(found, &Value::String(value.clone()), false))
        })
    });
    let set_aside = others.iter().map(name_of).collect();
    body["totalResults"] = json!(kept.len());
    body["Resources"] = Value::Array(kept);
    Ok(set_aside)
}

/// Every resource of a list answer holding more than one, named.
fn name_matches(body: &Value) -> Option<String> {
    let resources = body.get("Resources")?.as_array()?;
    (resources.len() > 1).then(|| list_names(resources.iter().map(name_of).collect()))
}

/// Lists everything page by page as Okta's import does (`startIndex`, `count` = 100) and
/// returns the last answer with every page's `Resources` together. `None` when the attempt
/// ended (a fatal answer is returned for the caller to report).
fn fetch_pages(
    ctx: &Context,
    path: &str,
    label: &str,
    attempt: &mut Attempt,
) -> Option<(Exchange, Option<Value>)> {
    let mut all: Vec<Value> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut start = 1;
    let mut total = 0;
    let mut pages = 0;
    let mut last = None;
    let before = attempt.exchanges.len();
    while pages < MAX_PAGES {
        let separator = if path.contains('?') { '&' } else { '?' };
        let page_path = format!("{path}{separator}startIndex={start}&count={PAGE_SIZE}");
        let answer = ctx.send(&page_path, attempt)?;
        pages += 1;
        let page = answer
            .json
            .as_ref()
            .filter(|_| answer.status == Some(200))
            .cloned();
        let Some(page) = page else {
            return Some((answer, None));
        };
        total = page
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let items = page
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        last = Some(answer);
        if items.is_empty() {
            break;
        }
        let repeated = items
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_str))
            .any(|id| !seen.insert(id.to_string()));
        if repeated {
            attempt.assertions.push(AssertionRecord {
                step: label.to_string(),
                check: "paging".into(),
                expected: format!("page {pages} (startIndex={start}) to hold users not listed before"),
                actual: "it repeats earlier ones: the app ignores startIndex, so Okta's import would read the first page again and again".into(),
                passed: false,
                note: None,
            });
            break;
        }
        start += items.len();
        all.extend(items);
        if all.len() >= total {
            break;
        }
    }
    // Evidence: the first two pages and the last, not every page of a large app.
    let exchanges = attempt.exchanges.split_off(before);
    let count = exchanges.len();
    for (i, exchange) in exchanges.into_iter().enumerate() {
        if i < 2 || i + 1 == count {
            attempt.exchanges.push(exchange);
        }
    }
    let answer = last?;
    let body = json!({"totalResults": total, "pages": pages, "Resources": all});
    Some((answer, Some(body)))
}
