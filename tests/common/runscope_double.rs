//! A test double of BlazeMeter API Monitoring's REST API (formerly Runscope; BlazeMeter itself
//! cannot be reached from the tests): a loopback HTTP server with one account that answers the
//! calls scimplan makes, shaped like BlazeMeter's documented examples (every answer wrapped in
//! `{"data", "meta", "error"}`), and that really runs a triggered test: the stored steps through
//! scimplan's Runscope runner (`scimplan::runscope::run_file`), from the environment's initial
//! variables and the values its initial script sets (made by the runner's native equivalent of
//! Okta's scripts), against whatever the variables point at (the pinned scim2-server).
//!
//! Where the double chooses (so a test never relies on more): one region; a run is `queued`
//! until its thread starts, `working` while it runs (at least `working_for`), then `pass` or
//! `fail` as Runscope decides: any failed assertion fails the test, an Optional note
//! notwithstanding; the initial script is not run as JavaScript: each `variables.set("NAME", ...)`
//! gets the value Okta's scripts would make for NAME, and other names are left unset.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// One request the double received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub authorization: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct StoredTest {
    pub id: String,
    pub bucket: String,
    pub name: String,
    pub description: String,
    pub steps: Vec<Value>,
    pub environment: Value,
    pub trigger: String,
}

#[derive(Debug, Clone)]
pub struct StoredRun {
    pub id: String,
    pub test: String,
    pub state: String,
    pub result: Value,
}

#[derive(Default)]
struct Account {
    buckets: Vec<(String, String)>,
    tests: Vec<StoredTest>,
    runs: Vec<StoredRun>,
    seen: Vec<Seen>,
    counter: u64,
}

impl Account {
    /// A UUID-shaped id (BlazeMeter's test and run ids), unique in the account.
    fn uuid(&mut self) -> String {
        self.counter += 1;
        let n = self.counter + std::process::id() as u64 * 1000;
        format!("{:08x}-0000-4000-8000-{:012x}", n, self.counter)
    }
}

pub struct RunscopeDouble {
    pub url: String,
    pub token: String,
    account: Arc<Mutex<Account>>,
}

impl RunscopeDouble {
    /// An account holding `buckets` (key, name), signed in to with `token`.
    pub fn start(token: &str, buckets: &[(&str, &str)]) -> RunscopeDouble {
        Self::start_with(token, buckets, Duration::from_millis(300))
    }

    /// As `start`; each run stays `working` at least `working_for`.
    pub fn start_with(
        token: &str,
        buckets: &[(&str, &str)],
        working_for: Duration,
    ) -> RunscopeDouble {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let account = Arc::new(Mutex::new(Account {
            buckets: buckets
                .iter()
                .map(|(k, n)| (k.to_string(), n.to_string()))
                .collect(),
            ..Account::default()
        }));
        let shared = account.clone();
        let (base, token_) = (url.clone(), token.to_string());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (account, base, token) = (shared.clone(), base.clone(), token_.clone());
                std::thread::spawn(move || serve(stream, &account, &base, &token, working_for));
            }
        });
        RunscopeDouble {
            url,
            token: token.to_string(),
            account,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.account.lock().unwrap().seen.clone()
    }

    pub fn tests(&self) -> Vec<StoredTest> {
        self.account.lock().unwrap().tests.clone()
    }

    pub fn runs(&self) -> Vec<StoredRun> {
        self.account.lock().unwrap().runs.clone()
    }
}

fn serve(
    mut stream: TcpStream,
    account: &Arc<Mutex<Account>>,
    base: &str,
    token: &str,
    working_for: Duration,
) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let body = String::from_utf8_lossy(&data[head_end..]).into_owned();
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let seen = Seen {
        method: method.clone(),
        target: target.clone(),
        authorization: header("authorization"),
        body: body.clone(),
    };
    account.lock().unwrap().seen.push(seen.clone());
    let (status, answer) = route(account, &seen, base, token, working_for);
    let text = answer.to_string();
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

fn ok(data: Value) -> Value {
    json!({"data": data, "meta": {"status": "success"}, "error": null})
}

fn failure(status: u16, message: &str) -> (u16, Value) {
    (
        status,
        json!({"data": [], "meta": {"status": "error"},
               "error": {"status": status, "message": message}}),
    )
}

fn route(
    account: &Arc<Mutex<Account>>,
    req: &Seen,
    base: &str,
    token: &str,
    working_for: Duration,
) -> (u16, Value) {
    let path = req.target.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    // The trigger URL needs no token.
    if let ["radar", trigger, "trigger"] = parts.as_slice() {
        return trigger_run(account, trigger, base, working_for);
    }
    if req.authorization.as_deref() != Some(&format!("Bearer {token}")) {
        return failure(401, "Unauthorized: invalid or missing access token");
    }
    let mut acc = account.lock().unwrap();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["buckets"]) => (
            200,
            ok(Value::Array(
                acc.buckets
                    .iter()
                    .map(|(key, name)| {
                        json!({"key": key, "name": name, "default": false, "verify_ssl": true,
                               "auth_token": null, "team": {"name": "Team", "id": "t1"},
                               "collections_url": format!("{base}/buckets/{key}/collections"),
                               "tests_url": format!("{base}/buckets/{key}/tests")})
                    })
                    .collect(),
            )),
        ),
        (_, ["buckets", bucket, ..]) if !acc.buckets.iter().any(|(k, _)| k == bucket) => {
            failure(404, "Bucket not found")
        }
        ("POST", ["buckets", bucket, "tests"]) => {
            let Ok(body) = serde_json::from_str::<Value>(&req.body) else {
                return failure(400, "The request body is not JSON");
            };
            let steps = body["steps"].as_array().cloned().unwrap_or_default();
            if steps.len() >= 100 {
                return failure(400, "A test holds fewer than 100 steps");
            }
            let (id, env, trigger) = (acc.uuid(), acc.uuid(), acc.uuid());
            let test = StoredTest {
                id,
                bucket: bucket.to_string(),
                name: body["name"].as_str().unwrap_or("Untitled").to_string(),
                description: body["description"].as_str().unwrap_or("").to_string(),
                steps,
                environment: json!({"id": env, "name": "Test Settings", "initial_variables": {},
                    "script": "", "regions": ["us1"], "verify_ssl": true,
                    "preserve_cookies": false, "stop_on_failure": false, "webhooks": null,
                    "test_id": null, "parent_environment_id": null, "retry_on_failure": false}),
                trigger,
            };
            acc.tests.push(test.clone());
            (201, ok(test_json(&test, base)))
        }
        ("GET", ["buckets", bucket, "tests", test]) => {
            match acc
                .tests
                .iter()
                .find(|t| t.id == *test && t.bucket == *bucket)
            {
                Some(t) => (200, ok(test_json(t, base))),
                None => failure(404, "Test not found"),
            }
        }
        ("PUT", ["buckets", bucket, "tests", test]) => {
            let Ok(body) = serde_json::from_str::<Value>(&req.body) else {
                return failure(400, "The request body is not JSON");
            };
            let Some(t) = acc
                .tests
                .iter_mut()
                .find(|t| t.id == *test && t.bucket == *bucket)
            else {
                return failure(404, "Test not found");
            };
            if let Some(steps) = body["steps"].as_array() {
                t.steps = steps.clone();
            }
            if let Some(name) = body["name"].as_str() {
                t.name = name.to_string();
            }
            if let Some(d) = body["description"].as_str() {
                t.description = d.to_string();
            }
            let t = t.clone();
            (200, ok(test_json(&t, base)))
        }
        (method, ["buckets", bucket, "tests", test, "environments", env]) => {
            let Some(t) = acc
                .tests
                .iter_mut()
                .find(|t| t.id == *test && t.bucket == *bucket)
            else {
                return failure(404, "Test not found");
            };
            if t.environment["id"] != *env {
                return failure(404, "Environment not found");
            }
            match method {
                "GET" => (200, ok(t.environment.clone())),
                "PUT" => {
                    let Ok(body) = serde_json::from_str::<Value>(&req.body) else {
                        return failure(400, "The request body is not JSON");
                    };
                    for key in ["initial_variables", "script"] {
                        if let Some(v) = body.get(key) {
                            t.environment[key] = v.clone();
                        }
                    }
                    (200, ok(t.environment.clone()))
                }
                _ => failure(405, "Method not allowed"),
            }
        }
        ("GET", ["buckets", _bucket, "tests", test, "results", run]) => {
            match acc.runs.iter().find(|r| r.id == *run && r.test == *test) {
                Some(r) => {
                    let mut result = r.result.clone();
                    result["result"] = json!(r.state);
                    (200, ok(result))
                }
                None => failure(404, "Test run not found"),
            }
        }
        _ => failure(404, "Not found"),
    }
}

fn test_json(test: &StoredTest, base: &str) -> Value {
    json!({
        "id": test.id, "name": test.name, "description": test.description,
        "default_environment_id": test.environment["id"],
        "trigger_url": format!("{base}/radar/{}/trigger", test.trigger),
        "steps": test.steps,
        "environments": [test.environment],
        "created_at": 1_700_000_000, "created_by": {"name": "Tester"},
        "last_run": null, "schedules": [],
    })
}

fn trigger_run(
    account: &Arc<Mutex<Account>>,
    trigger: &str,
    base: &str,
    working_for: Duration,
) -> (u16, Value) {
    let mut acc = account.lock().unwrap();
    let Some(test) = acc.tests.iter().find(|t| t.trigger == trigger).cloned() else {
        return failure(404, "Trigger not found");
    };
    let run_id = acc.uuid();
    acc.runs.push(StoredRun {
        id: run_id.clone(),
        test: test.id.clone(),
        state: "queued".into(),
        result: json!({"test_run_id": run_id, "test_id": test.id, "bucket_key": test.bucket,
                       "source": "trigger_url", "started_at": null, "finished_at": null}),
    });
    let shared = account.clone();
    let run = run_id.clone();
    drop(acc);
    std::thread::spawn(move || execute(&shared, &test, &run, working_for));
    let bucket = {
        let acc = account.lock().unwrap();
        acc.tests
            .iter()
            .find(|t| t.trigger == trigger)
            .map(|t| t.bucket.clone())
            .unwrap_or_default()
    };
    (
        201,
        ok(json!({
            "runs": [{
                "test_run_id": run_id, "test_id": "", "test_name": "", "bucket_key": bucket,
                "environment_id": "", "environment_name": "Test Settings",
                "region": "us1", "agent": null, "status": "init", "variables": {},
                "test_run_url": format!("{base}/buckets/{bucket}/tests/x/results/{run_id}"),
                "url": format!("https://www.runscope.com/radar/{bucket}/x/history/{run_id}"),
            }],
            "runs_started": 1, "runs_failed": 0, "runs_total": 1,
        })),
    )
}

/// The values Okta's initial scripts set, for the names a script sets (`variables.set("NAME"`).
fn script_values(script: &str) -> BTreeMap<String, String> {
    let mut rng = fastrand::Rng::new();
    let mut known = scimplan::runscope::initial::spec_values(&mut rng);
    known.extend(scimplan::runscope::initial::crud_values(&mut rng));
    let mut values = BTreeMap::new();
    for piece in script.split("variables.set(").skip(1) {
        let name: String = piece
            .trim_start()
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if let Some(value) = known.get(&name) {
            values.insert(name, value.clone());
        }
    }
    values
}

/// Runs a stored test as BlazeMeter would, through scimplan's runner.
fn execute(account: &Arc<Mutex<Account>>, test: &StoredTest, run: &str, working_for: Duration) {
    let set_state = |state: &str| {
        let mut acc = account.lock().unwrap();
        if let Some(r) = acc.runs.iter_mut().find(|r| r.id == run) {
            r.state = state.to_string();
        }
    };
    std::thread::sleep(Duration::from_millis(100));
    set_state("working");
    let started = std::time::Instant::now();
    let started_at = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    let mut variables: scimplan::runscope::Variables = test.environment["initial_variables"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    variables.extend(script_values(
        test.environment["script"].as_str().unwrap_or_default(),
    ));
    let export = json!({"name": test.name, "steps": test.steps}).to_string();
    let (state, requests, passed, failed) =
        match scimplan::runscope::parse(export.as_bytes(), "stored test") {
            Err(e) => (
                "fail",
                vec![json!({"result": "fail", "error_messages": [e.to_string()]})],
                0,
                1,
            ),
            Ok(file) => {
                let client = scimplan::net::PlainClient::new().unwrap();
                let cancel = scimplan::net::CancelFlag::new();
                let options = scimplan::runscope::RunOptions::default();
                let context = scimplan::runscope::RunContext {
                    client: &client,
                    secrets: &[],
                    cancel: &cancel,
                    options: &options,
                };
                let run = scimplan::runscope::run_file(
                    &file,
                    &variables,
                    "the stored test",
                    &context,
                    &mut |_| {},
                );
                result_requests(&run)
            }
        };
    let left = working_for.saturating_sub(started.elapsed());
    std::thread::sleep(left);
    let finished_at = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    let mut acc = account.lock().unwrap();
    if let Some(r) = acc.runs.iter_mut().find(|r| r.id == run) {
        r.result["started_at"] = json!(started_at);
        r.result["finished_at"] = json!(finished_at);
        r.result["requests_executed"] = json!(requests.len());
        r.result["assertions_passed"] = json!(passed);
        r.result["assertions_failed"] = json!(failed);
        r.result["assertions_defined"] = json!(passed + failed);
        r.result["requests"] = Value::Array(requests);
        r.state = state.to_string();
    }
}

/// A run's `requests[]` as BlazeMeter's results list them, and the verdict: any failed
/// assertion (or a step that could not run) fails the test.
fn result_requests(run: &scimplan::session::FileRun) -> (&'static str, Vec<Value>, usize, usize) {
    use scimplan::session::StepStatus;
    let mut requests = Vec::new();
    let (mut passed, mut failed) = (0, 0);
    let mut any_failed = false;
    for step in run.requests() {
        let result = match step.status {
            StepStatus::Pass => "pass",
            StepStatus::Skipped => "skipped",
            _ => "fail",
        };
        any_failed |= result == "fail";
        let assertions: Vec<Value> = step
            .assertions
            .iter()
            .map(|a| {
                if a.passed {
                    passed += 1;
                } else {
                    failed += 1;
                }
                json!({"result": if a.passed { "pass" } else { "fail" }, "source": a.source,
                       "property": a.property, "comparison": a.comparison,
                       "target_value": a.expected, "actual_value": a.actual, "error": null})
            })
            .collect();
        let last = step.attempts.last();
        requests.push(json!({
            "uuid": format!("step-{}", step.position), "method": step.method, "url": step.url,
            "result": result,
            "response_status_code": last.and_then(|a| a.status).map(|s| s.to_string()),
            "assertions": assertions,
            "assertions_defined": step.assertions.len(),
            "assertions_passed": step.assertions.iter().filter(|a| a.passed).count(),
            "assertions_failed": step.assertions.iter().filter(|a| !a.passed).count(),
            "scripts": [], "variables": [],
            "error_messages": step.problems,
        }));
    }
    let state = if any_failed || run.steps.is_empty() {
        "fail"
    } else {
        "pass"
    };
    (state, requests, passed, failed)
}
