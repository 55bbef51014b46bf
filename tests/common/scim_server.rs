//! The real SCIM server for the verify tests: `scim2-server` (pinned, installed by
//! tests/run.sh), started on a free loopback port with a bearer token and killed on drop.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

pub struct ScimServer {
    child: Child,
    pub url: String,
    pub token: String,
    http: reqwest::blocking::Client,
}

/// `SCIMPLAN_SCIM_SERVER`, else the checkout's `.venv/bin/scim2-server`.
fn executable() -> PathBuf {
    if let Some(path) = std::env::var_os("SCIMPLAN_SCIM_SERVER") {
        return PathBuf::from(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/scim2-server");
    assert!(
        venv.is_file(),
        "scim2-server not found: run tests/run.sh (it installs the pinned scim2-server into .venv) or set SCIMPLAN_SCIM_SERVER"
    );
    venv
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl ScimServer {
    /// One server for a whole test binary whose tests name their own users and groups:
    /// started by the first test that asks, stopped when the test process ends (a shell beside
    /// it waits for the end of its input, which the process holds open until it exits, then
    /// stops the server), so no test pays for starting Python.
    pub fn shared() -> &'static ScimServer {
        static SHARED: std::sync::OnceLock<ScimServer> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| ScimServer::launch(true))
    }

    /// Starts the server and waits until it answers.
    pub fn start() -> ScimServer {
        ScimServer::launch(false)
    }

    fn launch(watched: bool) -> ScimServer {
        let token = format!("scimplan-test-token-{}", std::process::id());
        // A port found free may be taken before the server binds it: try a few.
        for _ in 0..5 {
            let port = free_port();
            let mut command = if watched {
                let mut sh = Command::new("sh");
                sh.args([
                    "-c",
                    "exec 3<&0; \"$0\" \"$@\" </dev/null 3<&- & server=$!; (cat <&3 >/dev/null; kill $server) & wait $server",
                ])
                .arg(executable())
                .stdin(Stdio::piped());
                sh
            } else {
                Command::new(executable())
            };
            let child = command
                .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
                .args(["--bearer-token", &token])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start scim2-server");
            let url = format!("http://127.0.0.1:{port}");
            // reqwest 0.13 takes rustls's crypto provider from the process (scimplan's own
            // clients bring theirs); a second install is refused, which is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut server = ScimServer {
                child,
                url,
                token: token.clone(),
                http,
            };
            // Python starts slowly on a loaded machine: wait up to a minute while it lives;
            // a server that exited lost the port race, so try another port.
            for _ in 0..1200 {
                if let Ok(Some(_)) = server.child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok()
                    && server
                        .http
                        .get(format!("{}/ServiceProviderConfig", server.url))
                        .send()
                        .is_ok()
                {
                    // The first requests of a fresh Python server are slow: make them here.
                    server.get("/Users?startIndex=1&count=1");
                    server.get("/Groups?startIndex=1&count=1");
                    return server;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            drop(server);
        }
        panic!("scim2-server did not answer on a loopback port (5 tries, up to a minute each)");
    }

    fn request(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/scim+json")
                .body(body.to_string());
        }
        let response = request.send().expect("scim2-server answers");
        let status = response.status();
        let text = response.text().unwrap_or_default();
        assert!(
            status.is_success(),
            "{method} {path}: {status} {text} (test set-up failed)"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Creates a user as Okta would (POST /Users) and returns its SCIM id.
    pub fn create_user(&self, user_name: &str, given: &str, family: &str, active: bool) -> String {
        let body = json!({
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "name": {"givenName": given, "familyName": family},
            "emails": [{"value": user_name, "type": "work", "primary": true}],
            "displayName": format!("{given} {family}"),
            "active": active,
        });
        self.request(reqwest::Method::POST, "/Users", Some(body))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// PATCH replace on a user, as Okta sends for profile updates and (de)activation.
    pub fn patch_user(&self, id: &str, path: Option<&str>, value: Value) {
        let op = match path {
            Some(path) => json!({"op": "replace", "path": path, "value": value}),
            None => json!({"op": "replace", "value": value}),
        };
        self.request(
            reqwest::Method::PATCH,
            &format!("/Users/{id}"),
            Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [op]})),
        );
    }

    /// PATCH remove of an attribute (an app that wipes it).
    pub fn remove_attribute(&self, id: &str, path: &str) {
        let op = json!({"op": "remove", "path": path});
        self.request(
            reqwest::Method::PATCH,
            &format!("/Users/{id}"),
            Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [op]})),
        );
    }

    pub fn set_active(&self, id: &str, active: bool) {
        self.patch_user(id, None, json!({"active": active}));
    }

    pub fn delete_user(&self, id: &str) {
        self.request(reqwest::Method::DELETE, &format!("/Users/{id}"), None);
    }

    /// Creates a group as Group Push does and returns its SCIM id.
    pub fn create_group(&self, name: &str, member_ids: &[&str]) -> String {
        let members: Vec<Value> = member_ids.iter().map(|id| json!({"value": id})).collect();
        let body = json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": members});
        self.request(reqwest::Method::POST, "/Groups", Some(body))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn rename_group(&self, id: &str, name: &str) {
        let op = json!({"op": "replace", "value": {"displayName": name}});
        self.request(
            reqwest::Method::PATCH,
            &format!("/Groups/{id}"),
            Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [op]})),
        );
    }

    pub fn remove_member(&self, group_id: &str, user_id: &str) {
        let op = json!({"op": "remove", "path": format!("members[value eq \"{user_id}\"]")});
        self.request(
            reqwest::Method::PATCH,
            &format!("/Groups/{group_id}"),
            Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [op]})),
        );
    }

    pub fn delete_group(&self, id: &str) {
        self.request(reqwest::Method::DELETE, &format!("/Groups/{id}"), None);
    }

    /// PUT a whole resource (a user without an attribute the app dropped) and return the answer.
    pub fn put(&self, path: &str, body: Value) -> Value {
        self.request(reqwest::Method::PUT, path, Some(body))
    }

    /// POST any resource (a user with an extension, odd emails...) and return the answer.
    pub fn post(&self, path: &str, body: Value) -> Value {
        self.request(reqwest::Method::POST, path, Some(body))
    }

    /// PATCH add members to a group, as Group Push does.
    pub fn add_members(&self, group_id: &str, user_ids: &[&str]) {
        let members: Vec<Value> = user_ids.iter().map(|id| json!({"value": id})).collect();
        let op = json!({"op": "add", "path": "members", "value": members});
        self.request(
            reqwest::Method::PATCH,
            &format!("/Groups/{group_id}"),
            Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [op]})),
        );
    }

    pub fn get(&self, path: &str) -> Value {
        self.request(reqwest::Method::GET, path, None)
    }

    /// The users whose userName is `user_name`.
    pub fn find_users(&self, user_name: &str) -> Vec<Value> {
        let filter = format!("userName eq \"{user_name}\"");
        let url = url::Url::parse_with_params(&format!("{}/Users", self.url), [("filter", filter)])
            .unwrap();
        let response = self.http.get(url).bearer_auth(&self.token).send().unwrap();
        let body: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        body["Resources"].as_array().cloned().unwrap_or_default()
    }

    pub fn user_count(&self) -> u64 {
        self.get("/Users?startIndex=1&count=1")["totalResults"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
