//! Runscope's scripts, run as Runscope runs them: JavaScript in an embedded engine (QuickJS,
//! through `rquickjs`) with Runscope's script environment (`script_env.js`: `variables`,
//! `request`, `response`, `log`/`console.log`, Chai's `assert`, and the language's own `JSON`,
//! `Math`, `RegExp`, `Date`). Initial scripts (Okta's `Initial_Script_*.txt`), before-request
//! scripts and response scripts all come through `run`.
//!
//! Each script runs in a fresh engine, so nothing leaks from one step to the next but the
//! variables, as in Runscope. A script that runs too long or uses too much memory is stopped and
//! reported like any other error. What Runscope's environment has and this one does not (its
//! helper libraries: Underscore.js, Moment.js, CryptoJS, Marknote, tv4) is named when a script
//! reaches for it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rquickjs::{Context, Ctx, Runtime, Value, context::EvalOptions};
use serde_json::{Value as Json, json};

use super::template::Variables;
use crate::net::Exchange;

const ENVIRONMENT: &str = include_str!("script_env.js");

/// A script that runs longer than this is stopped (Runscope's own limit is not documented).
pub const TIME_LIMIT: Duration = Duration::from_secs(10);
const MEMORY_LIMIT: usize = 64 * 1024 * 1024;

/// Runscope's helper libraries, which scimplan's environment does not have.
const RUNSCOPE_LIBRARIES: [(&str, &str); 5] = [
    ("_", "Underscore.js"),
    ("moment", "Moment.js"),
    ("CryptoJS", "CryptoJS"),
    ("marknote", "Marknote"),
    ("tv4", "tv4"),
];

/// A request as a script sees it (and as a before-request script may change it).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// What a script runs with.
pub struct ScriptInput<'a> {
    pub variables: &'a Variables,
    pub request: Option<&'a ScriptRequest>,
    pub response: Option<&'a Exchange>,
}

/// Why a script failed: a failed `assert`, an error it threw, a syntax error, a time limit.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptError {
    /// `AssertionError`, `SyntaxError`, `TypeError`...
    pub name: String,
    pub message: String,
    /// The line in the script, when the engine says.
    pub line: Option<u32>,
}

impl ScriptError {
    /// `line 3: AssertionError: expected 'a' to equal 'b'`.
    pub fn describe(&self) -> String {
        let place = self
            .line
            .map(|line| format!("line {line}: "))
            .unwrap_or_default();
        if self.name.is_empty() {
            format!("{place}{}", self.message)
        } else {
            format!("{place}{}: {}", self.name, self.message)
        }
    }
}

/// What a script did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptOutcome {
    /// The variables it set, by name (the last value of each).
    pub set: BTreeMap<String, String>,
    /// What it logged (`log`, `console.log`), one entry per call.
    pub log: Vec<String>,
    /// The request as a before-request script left it.
    pub request: Option<ScriptRequest>,
    pub error: Option<ScriptError>,
}

/// Runs `source` (named `name` in the engine's messages) with `input`.
pub fn run(source: &str, name: &str, input: &ScriptInput<'_>) -> ScriptOutcome {
    let mut outcome = ScriptOutcome::default();
    let fail = |message: String| ScriptError {
        name: String::new(),
        message,
        line: None,
    };
    let runtime = match Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            outcome.error = Some(fail(format!("the script engine did not start: {e}")));
            return outcome;
        }
    };
    runtime.set_memory_limit(MEMORY_LIMIT);
    runtime.set_max_stack_size(1024 * 1024);
    let deadline = Instant::now() + TIME_LIMIT;
    runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
    let context = match Context::full(&runtime) {
        Ok(context) => context,
        Err(e) => {
            outcome.error = Some(fail(format!("the script engine did not start: {e}")));
            return outcome;
        }
    };
    context.with(|ctx| {
        let prepared = ctx
            .globals()
            .set("__scimplan_input", input_json(input).to_string())
            .and_then(|()| ctx.eval::<(), _>(ENVIRONMENT));
        if let Err(e) = prepared {
            outcome.error = Some(fail(format!(
                "the script environment did not start: {}",
                caught(&ctx, e, "environment").describe()
            )));
            return;
        }
        let mut options = EvalOptions::default();
        options.global = true;
        options.strict = false;
        options.filename = Some(name.to_string());
        if let Err(e) = ctx.eval_with_options::<(), _>(source.as_bytes().to_vec(), options) {
            let mut error = caught(&ctx, e, name);
            if Instant::now() > deadline {
                error = ScriptError {
                    name: String::new(),
                    message: format!(
                        "stopped after {} s: the script did not end",
                        TIME_LIMIT.as_secs()
                    ),
                    line: error.line,
                };
            } else if error.name == "ReferenceError"
                && let Some((_, library)) = RUNSCOPE_LIBRARIES
                    .iter()
                    .find(|(global, _)| error.message.starts_with(&format!("{global} is not")))
            {
                error.message.push_str(&format!(
                    " ({library} is one of Runscope's script libraries, which scimplan's script environment does not have: check this step in Runscope)"
                ));
            }
            outcome.error = Some(error);
        }
        // What the script set and logged up to where it stopped.
        let output: Result<String, _> = ctx.eval("__scimplan_output()");
        match output.ok().and_then(|t| serde_json::from_str::<Json>(&t).ok()) {
            Some(json) => read_output(&json, input, &mut outcome),
            None if outcome.error.is_none() => {
                outcome.error = Some(fail(
                    "the script left its environment unreadable (it replaced a built-in)".into(),
                ));
            }
            None => {}
        }
    });
    outcome
}

fn read_output(json: &Json, input: &ScriptInput<'_>, outcome: &mut ScriptOutcome) {
    if let Some(set) = json.get("set").and_then(Json::as_object) {
        for (name, value) in set {
            if let Some(value) = value.as_str() {
                outcome.set.insert(name.clone(), value.to_string());
            }
        }
    }
    if let Some(log) = json.get("log").and_then(Json::as_array) {
        outcome.log = log
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect();
    }
    if let (Some(before), Some(after)) = (input.request, json.get("request"))
        && after.is_object()
    {
        outcome.request = Some(changed_request(before, after));
    }
}

/// The request a before-request script left: its URL (or, when only `params` changed, the URL
/// with those parameters), method, headers and body.
fn changed_request(before: &ScriptRequest, after: &Json) -> ScriptRequest {
    let text = |key: &str| after.get(key).and_then(Json::as_str).map(str::to_string);
    let mut url = text("url").unwrap_or_else(|| before.url.clone());
    let params: Vec<(String, String)> = after
        .get("params")
        .and_then(Json::as_array)
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| {
                    let name = pair.get(0)?.as_str()?;
                    let values = pair.get(1)?.as_array()?;
                    Some(values.iter().map(move |v| (name.to_string(), plain(v))))
                })
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    if url == before.url
        && let Ok(mut parsed) = reqwest::Url::parse(&before.url)
        && params != query_pairs(&parsed)
    {
        if params.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(&params);
        }
        url = parsed.to_string();
    }
    let headers = after
        .get("headers")
        .and_then(Json::as_array)
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| {
                    let pair = pair.as_array()?;
                    Some((
                        pair.first()?.as_str()?.into(),
                        pair.get(1)?.as_str()?.into(),
                    ))
                })
                .collect()
        })
        .unwrap_or_else(|| before.headers.clone());
    ScriptRequest {
        method: text("method").unwrap_or_else(|| before.method.clone()),
        url,
        headers,
        // A request without a body shows the script an empty one: left empty, it stays none.
        body: match after.get("body") {
            Some(Json::String(body)) if !(body.is_empty() && before.body.is_none()) => {
                Some(body.clone())
            }
            _ => None,
        },
    }
}

fn plain(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The URL's query, pair by pair, in order.
fn query_pairs(url: &reqwest::Url) -> Vec<(String, String)> {
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// The URL's parameters in order, a name with its values each (`[["count", ["1"]], ...]`):
/// the environment builds `request.params` from it in this order.
fn params_json(url: &str) -> Json {
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    if let Ok(parsed) = reqwest::Url::parse(url) {
        for (name, value) in query_pairs(&parsed) {
            match params.iter_mut().find(|(n, _)| *n == name) {
                Some((_, values)) => values.push(value),
                None => params.push((name, vec![value])),
            }
        }
    }
    params
        .into_iter()
        .map(|(name, values)| json!([name, values]))
        .collect()
}

fn input_json(input: &ScriptInput<'_>) -> Json {
    let pairs = |headers: &[(String, String)]| -> Json {
        headers
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect()
    };
    let request = input.request.map(|r| {
        let parsed = reqwest::Url::parse(&r.url).ok();
        let body = r.body.clone().unwrap_or_default();
        json!({
            "method": r.method,
            "url": r.url,
            "headers": pairs(&r.headers),
            "body": body,
            "params": params_json(&r.url),
            "host": parsed.as_ref().and_then(|u| u.host_str()).unwrap_or_default(),
            "path": parsed.as_ref().map(|u| u.path()).unwrap_or_default(),
            "scheme": parsed.as_ref().map(|u| u.scheme()).unwrap_or_default(),
            "size_bytes": body.len(),
        })
    });
    let response = input.response.map(|e| {
        json!({
            "body": e.body,
            "headers": pairs(&e.response_headers),
            "status": e.status,
            "reason": e
                .status
                .and_then(|s| reqwest::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or_default(),
            "response_time_ms": e.duration.as_millis() as u64,
            "size_bytes": e.body.len(),
        })
    });
    json!({
        "variables": input.variables,
        "request": request,
        "response": response,
    })
}

/// The exception an evaluation threw, with the line in the script `name` where it happened.
fn caught(ctx: &Ctx<'_>, error: rquickjs::Error, name: &str) -> ScriptError {
    if !matches!(error, rquickjs::Error::Exception) {
        return ScriptError {
            name: String::new(),
            message: error.to_string(),
            line: None,
        };
    }
    let thrown: Value = ctx.catch();
    let Some(object) = thrown.as_object() else {
        // `throw "text"`: a value, not an Error.
        let message = thrown
            .as_string()
            .and_then(|s| s.to_string().ok())
            .or_else(|| thrown.as_number().map(|n| n.to_string()))
            .unwrap_or_else(|| format!("{:?}", thrown.type_of()));
        return ScriptError {
            name: "thrown".into(),
            message,
            line: None,
        };
    };
    let field = |key: &str| object.get::<_, Option<String>>(key).ok().flatten();
    let message = field("message").unwrap_or_default();
    let stack = field("stack").unwrap_or_default();
    ScriptError {
        name: field("name").unwrap_or_default(),
        line: line_in(&stack, name).or_else(|| line_in(&message, name)),
        message,
    }
}

/// The first `name:LINE` in an engine's stack text.
fn line_in(text: &str, name: &str) -> Option<u32> {
    let mut rest = text;
    while let Some(at) = rest.find(name) {
        let after = &rest[at + name.len()..];
        if let Some(digits) = after.strip_prefix(':') {
            let line: String = digits.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(line) = line.parse() {
                return Some(line);
            }
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Fate;

    fn answer(status: u16, body: &str) -> Exchange {
        Exchange {
            method: "GET".into(),
            url: "https://app.example/scim/v2/Users?startIndex=1".into(),
            status: Some(status),
            duration: Duration::from_millis(42),
            content_type: Some("application/scim+json".into()),
            request_body: None,
            body: body.into(),
            json: serde_json::from_str(body).ok(),
            fate: Fate::Answered,
            retry_after: None,
            response_headers: vec![("content-type".into(), "application/scim+json".into())],
        }
    }

    fn after(source: &str, exchange: &Exchange, variables: &Variables) -> ScriptOutcome {
        run(
            source,
            "step 3 script",
            &ScriptInput {
                variables,
                request: None,
                response: Some(exchange),
            },
        )
    }

    #[test]
    fn the_response_the_variables_and_the_log_are_there() {
        let vars: Variables = [("id".to_string(), "u1".to_string())].into();
        let exchange = answer(200, r#"{"totalResults": 2, "Resources": [{"id": "u1"}]}"#);
        let out = after(
            r#"var data = JSON.parse(response.body);
               assert.equal(response.status, 200);
               assert.strictEqual(data.Resources[0].id, variables.get("id"));
               assert.equal(response.headers["Content-Type"][0], "application/scim+json");
               assert.isBelow(response.response_time_ms, 1000);
               assert.equal(response.size_bytes, response.body.length);
               assert.equal(response.reason, "OK");
               variables.set("count", data.totalResults);
               console.log("found", data.totalResults, {a: [1]});
               log(Math.max(1, 2));"#,
            &exchange,
            &vars,
        );
        assert_eq!(out.error, None);
        assert_eq!(out.set["count"], "2");
        assert_eq!(out.log, ["found 2 { a: [ 1 ] }", "2"]);
    }

    #[test]
    fn a_failed_assert_and_a_syntax_error_name_their_line() {
        let vars = Variables::new();
        let exchange = answer(200, r#"{"userName": "a@b"}"#);
        let out = after(
            "var data = JSON.parse(response.body);\n\nassert.notEqual(data.userName, 'a@b', 'userName is kept');\n",
            &exchange,
            &vars,
        );
        let error = out.error.unwrap();
        assert_eq!(error.name, "AssertionError");
        assert_eq!(error.line, Some(3));
        assert_eq!(
            error.describe(),
            "line 3: AssertionError: userName is kept: expected 'a@b' to not equal 'a@b'"
        );
        let out = after("var a = 1;\nvar b = ;\n", &exchange, &vars);
        let error = out.error.unwrap();
        assert_eq!(error.name, "SyntaxError", "{error:?}");
        assert_eq!(error.line, Some(2), "{error:?}");
        let out = after("JSON.parse('<html>')", &answer(200, "<html>"), &vars);
        assert_eq!(out.error.unwrap().name, "SyntaxError");
    }

    #[test]
    fn what_the_script_did_before_it_failed_is_kept_and_limits_hold() {
        let vars = Variables::new();
        let exchange = answer(200, "{}");
        let out = after(
            "variables.set('a', 'x'); log('before'); assert(false, 'no');",
            &exchange,
            &vars,
        );
        assert_eq!(out.set["a"], "x");
        assert_eq!(out.log, ["before"]);
        assert_eq!(out.error.unwrap().describe(), "line 1: AssertionError: no");
        let out = after("_.each([1], log)", &exchange, &vars);
        assert!(
            out.error.unwrap().message.contains("Underscore.js"),
            "the missing library is named"
        );
        let out = after("throw 'plain text'", &exchange, &vars);
        assert_eq!(out.error.unwrap().describe(), "thrown: plain text");
    }

    #[test]
    fn a_before_request_script_changes_the_request() {
        let vars = Variables::new();
        let request = ScriptRequest {
            method: "GET".into(),
            url: "https://app.example/scim/v2/Users?count=1".into(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
        };
        let out = run(
            r#"request.headers["X-Signed"] = [request.method + " " + request.path];
               request.params["startIndex"] = ["1"];
               assert.equal(request.host, "app.example");
               assert.equal(request.headers.accept[0], "application/json");"#,
            "before",
            &ScriptInput {
                variables: &vars,
                request: Some(&request),
                response: None,
            },
        );
        assert_eq!(out.error, None);
        let changed = out.request.unwrap();
        assert_eq!(
            changed.url,
            "https://app.example/scim/v2/Users?count=1&startIndex=1"
        );
        assert!(
            changed
                .headers
                .contains(&("X-Signed".into(), "GET /scim/v2/Users".into()))
        );
        // A script that changes nothing leaves the URL as it was, its parameters in order.
        let unsorted = ScriptRequest {
            url: "https://app.example/scim/v2/Users?startIndex=1&count=1&a=2&a=1".into(),
            ..request
        };
        let out = run(
            "log(request.params.startIndex[0])",
            "before",
            &ScriptInput {
                variables: &vars,
                request: Some(&unsorted),
                response: None,
            },
        );
        assert_eq!(out.request.unwrap(), unsorted);
        assert_eq!(out.log, ["1"]);
    }

    #[test]
    fn math_random_differs_between_runs() {
        let vars = Variables::new();
        let pick = || {
            run(
                "variables.set('r', String(Math.random()))",
                "initial",
                &ScriptInput {
                    variables: &vars,
                    request: None,
                    response: None,
                },
            )
            .set["r"]
                .clone()
        };
        assert_ne!(pick(), pick());
    }
}
