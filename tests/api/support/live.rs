//! A real UMBRA server on 127.0.0.1 over HTTPS with a certificate from its own local CA, for what
//! only a socket shows: TLS, client IPs, rate limits, cookie attributes. Also helpers to run
//! the built `umbra` binary.

use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use umbra::clock::{SharedClock, SystemClock};
use umbra::config::{Config, TlsMode};
use umbra::db::Db;
use umbra::http::listener::{self, Listening};
use umbra::server::{self, ServerParts};

use crate::harness::{TestDatabase, test_config};

pub struct LiveServer {
    pub base: String,
    pub client: reqwest::Client,
    /// What a client trusts: the local CA (or the operator's certificate).
    pub cert_pem: Vec<u8>,
    /// The fingerprint `umbra serve` prints: the local CA's (or the operator certificate's).
    pub fingerprint: String,
    pub db: Db,
    pub listening: Listening,
    /// Kept so the database outlives the server.
    _database: TestDatabase,
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        self.listening.stop_soon();
    }
}

/// reqwest is built without a crypto provider of its own; tests use ring, like the server.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client that trusts exactly this server's certificate.
pub fn pinned_client(cert_pem: &[u8]) -> reqwest::Client {
    install_crypto();
    let cert = reqwest::Certificate::from_pem(cert_pem).expect("PEM certificate");
    reqwest::Client::builder().tls_certs_only([cert]).cookie_store(true).build().expect("reqwest client")
}

pub async fn serve_https(adjust: impl FnOnce(&mut Config)) -> LiveServer {
    serve(true, Arc::new(SystemClock), adjust).await
}

/// HTTPS on the test's clock (certificate renewal).
pub async fn serve_https_with_clock(clock: SharedClock, adjust: impl FnOnce(&mut Config)) -> LiveServer {
    serve(true, clock, adjust).await
}

/// Plain HTTP on a known port, reached as http://localhost:<port>: the one origin where a
/// browser allows WebAuthn without a trusted certificate (used by the passkey browser test).
pub async fn serve_http_on_localhost(adjust: impl FnOnce(&mut Config)) -> LiveServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    serve(false, Arc::new(SystemClock), move |config| {
        config.listen = format!("127.0.0.1:{port}").parse().unwrap();
        config.public_url = Some(format!("http://localhost:{port}"));
        adjust(config);
    })
    .await
}

async fn serve(tls: bool, clock: SharedClock, adjust: impl FnOnce(&mut Config)) -> LiveServer {
    let database = TestDatabase::new().await;
    let mut config = test_config(database.dir.path(), &database.url);
    config.tls = if tls { TlsMode::LocalCa } else { TlsMode::Off };
    config.listen = "127.0.0.1:0".parse().unwrap();
    adjust(&mut config);
    let tls = umbra::tls::prepare(&config, clock.now()).expect("TLS");
    let cert_pem = match (&config.tls, tls.as_ref().and_then(|t| t.local_ca.as_ref())) {
        (_, Some(local_ca)) => local_ca.status().pem.clone().into_bytes(),
        (TlsMode::Files { cert, .. }, None) => std::fs::read(cert).unwrap(),
        _ => Vec::new(),
    };
    let fingerprint = tls.as_ref().map(|t| t.fingerprint.clone()).unwrap_or_default();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let db = Db::open(&config.database_url).await.expect("database");
    let rocket =
        server::build(ServerParts { config: config.clone(), db: db.clone(), clock, secret_key: [9; 64] }).unwrap();
    let listening = listener::launch(rocket, &config, tls.as_ref()).await.expect("listening");
    let port = listening.local_addr.port();
    LiveServer {
        base: format!("{scheme}://127.0.0.1:{port}"),
        client: if cert_pem.is_empty() {
            install_crypto();
            reqwest::Client::new()
        } else {
            pinned_client(&cert_pem)
        },
        cert_pem,
        fingerprint,
        db,
        listening,
        _database: database,
    }
}

impl LiveServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, path: &str, body: serde_json::Value, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).header("X-Requested-With", "XMLHttpRequest").json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request")
    }
}

/// Runs the built binary with no `UMBRA_*` variables from the caller's environment.
pub fn umbra(args: &[&str], stdin: Option<&str>) -> Output {
    umbra_with_env(args, stdin, &[])
}

/// Runs the built binary with exactly the given `UMBRA_*` variables. A command that should
/// exit but serves instead is stopped after two minutes (exit code 124), not left hanging.
pub fn umbra_with_env(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new("timeout");
    command
        .args(["--kill-after=5", "120", env!("CARGO_BIN_EXE_umbra")])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("UMBRA_")) {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("run umbra");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("umbra finished")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A client signed in as `username` over the live server's socket, for what a browser test
/// sets up or checks without the UI (an error, not a panic, so the test's run still quits
/// its browser).
pub async fn signed_in(server: &LiveServer, username: &str) -> Result<reqwest::Client, String> {
    let client = pinned_client(&server.cert_pem);
    let response = client
        .post(server.url("/api/auth/login"))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&serde_json::json!({"username": username, "password": crate::harness::PASSWORD}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("{username} cannot sign in: {}", response.status()));
    }
    Ok(client)
}

/// One API call with `client`; its JSON answer (null when empty), or the failure as an error.
pub async fn call(
    server: &LiveServer,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let request = match method {
        "GET" => client.get(server.url(path)),
        "PATCH" => client.patch(server.url(path)).json(&body),
        "PUT" => client.put(server.url(path)).json(&body),
        _ => client.post(server.url(path)).json(&body),
    };
    let response = request.header("X-Requested-With", "XMLHttpRequest").send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{method} {path} {body}: {status} {text}"));
    }
    Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}
