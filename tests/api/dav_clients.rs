//! Real DAV clients from PyPI against a live UMBRA over HTTPS: the `caldav` library, vdirsyncer
//! and caldav-server-tester, each signing in with an app password made through the API and
//! trusting the server's certificate from a file (verification stays on). After a client ran,
//! the JSON API must show what it did. The clients live in target/dav-venv, made by
//! tests/clients/setup.sh; without it these tests skip with a message, unless
//! `UMBRA_REQUIRE_DAV_CLIENTS=1` (CI) demands them.

mod caldav_library;
mod server_tester;
mod vdirsyncer;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::PASSWORD;
use crate::live::{LiveServer, pinned_client, serve_https, signed_in};

/// How long one client run may take before the test gives up on it (the server tester makes
/// a few hundred requests; the others a few dozen).
const CLIENT_TIMEOUT: Duration = Duration::from_mins(10);

pub(crate) fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's `bin/` folder, or `None` (after saying why) when the clients are not installed
/// and not required.
pub(crate) fn clients() -> Option<PathBuf> {
    let venv = std::env::var_os("UMBRA_DAV_VENV").map_or_else(|| repository().join("target/dav-venv"), PathBuf::from);
    let bin = venv.join("bin");
    let installed =
        ["python", "vdirsyncer", "caldav-server-tester", "oidc-provider-mock"].iter().all(|p| bin.join(p).exists());
    if installed {
        return Some(bin);
    }
    let how = format!("create it with `bash tests/clients/setup.sh` (expected {})", venv.display());
    let required = std::env::var("UMBRA_REQUIRE_DAV_CLIENTS").is_ok_and(|v| v == "1");
    assert!(!required, "UMBRA_REQUIRE_DAV_CLIENTS=1 but the DAV clients' venv is missing: {how}");
    eprintln!("SKIPPED DAV client test: the DAV clients' venv is missing; {how}");
    None
}

/// A live server with a standard user "ada" who holds an app password, and a folder for the
/// clients' files (the certificate to trust, configurations, local copies).
pub(crate) struct DavUser {
    pub server: LiveServer,
    /// ada's signed-in API client (a cookie session), to check what the clients did.
    pub api: reqwest::Client,
    pub username: String,
    pub app_password: String,
    pub app_password_id: i64,
    pub files: tempfile::TempDir,
    pub ca_file: PathBuf,
}

impl DavUser {
    pub async fn new() -> DavUser {
        let server = serve_https(|_| {}).await;
        let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
        let admin = pinned_client(&server.cert_pem);
        let setup = json!({"setup_code": code, "username": "admin", "password": PASSWORD});
        call(&server, &admin, "POST", "/api/auth/setup", setup).await;
        let ada = json!({"username": "ada", "password": PASSWORD, "role": "standard"});
        call(&server, &admin, "POST", "/api/admin/users", ada).await;

        let api = signed_in(&server, "ada").await.expect("ada signs in");
        call(&server, &api, "POST", "/api/auth/reauth", json!({"password": PASSWORD})).await;
        let made = call(&server, &api, "POST", "/api/auth/app-passwords", json!({"name": "DAV client test"})).await;
        let files = tempfile::tempdir().expect("temp folder");
        let ca_file = files.path().join("umbra-ca.pem");
        std::fs::write(&ca_file, &server.cert_pem).expect("write the certificate");
        DavUser {
            app_password: made["password"].as_str().expect("the new password").to_string(),
            app_password_id: made["id"].as_i64().expect("the new password's id"),
            username: "ada".into(),
            server,
            api,
            files,
            ca_file,
        }
    }

    /// One call of ada's on the JSON API; panics with the answer unless it succeeded.
    pub async fn api(&self, method: &str, path: &str, body: Value) -> Value {
        call(&self.server, &self.api, method, path, body).await
    }

    /// The status of one call of ada's on the JSON API (for what must be gone).
    pub async fn api_status(&self, path: &str) -> u16 {
        let response = self.api.get(self.server.url(path)).header("X-Requested-With", "XMLHttpRequest").send().await;
        response.expect("request").status().as_u16()
    }

    /// What every client script reads: where, who, and which certificate to trust.
    pub fn client_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("UMBRA_DAV_URL", self.server.base.clone()),
            ("UMBRA_DAV_USER", self.username.clone()),
            ("UMBRA_DAV_PASSWORD", self.app_password.clone()),
            ("UMBRA_DAV_CA", self.ca_file.display().to_string()),
        ]
    }
}

/// One API call; panics with the request and the answer unless it succeeded.
pub(crate) async fn call(
    server: &LiveServer,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: Value,
) -> Value {
    let request = match method {
        "GET" => client.get(server.url(path)),
        "PATCH" => client.patch(server.url(path)).json(&body),
        "DELETE" => client.delete(server.url(path)),
        _ => client.post(server.url(path)).json(&body),
    };
    let response = request.header("X-Requested-With", "XMLHttpRequest").send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("response body");
    assert!(status.is_success(), "{method} {path} {body}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// What a client run left: its exit status and output.
pub(crate) struct ClientRun {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl ClientRun {
    /// The whole run, for a failure message.
    pub fn transcript(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// Runs a client without blocking the runtime the live server shares with the test, with
/// nothing of the caller's environment but PATH, HOME and the given variables.
pub(crate) async fn run_client(program: &Path, args: &[&str], env: &[(&str, String)], cwd: &Path) -> ClientRun {
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cwd)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let output = tokio::time::timeout(CLIENT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{} {args:?} ran for more than {CLIENT_TIMEOUT:?}", program.display()))
        .expect("client output");
    ClientRun {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
