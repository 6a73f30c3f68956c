//! The `umbra` binary: version, configuration errors, admin commands, and serve itself.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::harness::{PASSWORD, app};
use crate::live::{pinned_client, stderr, stdout, umbra};

#[test]
fn version_is_printed() {
    let output = umbra(&["--version"], None);
    assert!(output.status.success());
    assert_eq!(stdout(&output).trim(), format!("umbra {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn invalid_configuration_is_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let bad_listen = umbra(&["serve", "--data-dir", data, "--listen", "nowhere"], None);
    assert_eq!(bad_listen.status.code(), Some(2));
    assert_eq!(stderr(&bad_listen).trim().lines().count(), 1, "{}", stderr(&bad_listen));
    assert!(stderr(&bad_listen).contains("listen"));

    let file = dir.path().join("umbra.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:1\"\nno_such_key = 1\n").unwrap();
    let bad_file = umbra(&["serve", "--config", file.to_str().unwrap()], None);
    assert_eq!(bad_file.status.code(), Some(2));
    assert!(stderr(&bad_file).contains("no_such_key"), "{}", stderr(&bad_file));
    assert_eq!(stderr(&bad_file).trim().lines().count(), 1);

    // Passkeys need a domain name, and the public URL must belong to it.
    let ip_name = ["--public-name", "192.0.2.7", "--no-tls"];
    let foreign_url = ["--public-name", "umbra.home.arpa", "--public-url", "https://elsewhere.example"];
    for args in [&ip_name[..], &foreign_url[..]] {
        let out = umbra(&[&["serve", "--data-dir", data, "--listen", "127.0.0.1:0"][..], args].concat(), None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("passkeys"), "{}", stderr(&out));
    }

    std::fs::write(&file, "trusted_proxies = [\"not-a-network\"]\n").unwrap();
    let bad_proxy = umbra(&["serve", "--config", file.to_str().unwrap()], None);
    assert_eq!(bad_proxy.status.code(), Some(2));
    assert!(stderr(&bad_proxy).contains("not-a-network"));
}

#[tokio::test]
async fn admin_commands_manage_users_and_are_audited() {
    let app = app().await;
    let url = app.database.url.clone();
    let db = ["--database-url", url.as_str()];
    let run = |args: &[&str], stdin: Option<&str>| umbra(&[args, &db[..]].concat(), stdin);

    let created = run(&["admin", "create-user", "alice", "--password-stdin"], Some(&format!("{PASSWORD}\n")));
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("Created standard user alice"));
    let again = run(&["admin", "create-user", "Alice", "--password-stdin"], Some(PASSWORD));
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("taken"));
    let weak = run(&["admin", "create-user", "bob", "--password-stdin"], Some("password"));
    assert_eq!(weak.status.code(), Some(1));

    // The server sees the user the CLI made.
    let alice = app.persona("alice", PASSWORD);
    assert_eq!(alice.login().await.status, 200);

    assert!(run(&["admin", "set-role", "alice", "admin"], None).status.success());
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], false, "a role change signs out");
    assert_eq!(alice.login().await.status, 200);
    let listing = stdout(&run(&["admin", "list-users"], None));
    let row = listing.lines().find(|l| l.contains("alice")).unwrap_or_default().to_string();
    assert!(listing.starts_with("ID") && row.contains("admin") && row.contains("yes"), "{listing}");

    let reset = run(&["admin", "reset-password", "alice", "--password-stdin"], Some("another long passphrase"));
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert!(stdout(&reset).contains("ended 1 session"), "{}", stdout(&reset));
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], false, "sessions revoked");
    assert_eq!(alice.login_with("another long passphrase").await.status, 200);

    let revoked = run(&["admin", "revoke-sessions", "alice"], None);
    assert!(stdout(&revoked).contains("Ended 1 session"));
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], false);

    let unknown = run(&["admin", "revoke-sessions", "nobody"], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no user named 'nobody'"));

    let rows = umbra::db::audit::recent(app.db.pool(), 50).await.unwrap();
    let cli_actions: Vec<&str> = rows.iter().filter(|r| r.actor == "cli").map(|r| r.action.as_str()).collect();
    for action in ["create_user", "set_role", "list_users", "reset_password", "revoke_sessions"] {
        assert!(cli_actions.contains(&action), "{action} not audited: {cli_actions:?}");
    }
}

#[tokio::test]
async fn reset_lockout_unlocks_a_locked_user_while_the_server_runs() {
    let app = app().await;
    let _admin = app.admin().await;
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    let alice = app.persona("alice", PASSWORD);
    for _ in 0..10 {
        alice.login_with("guessing, guessing, guessing").await.problem(401);
    }
    alice.login().await.problem(401);
    let url = app.database.url.clone();
    let listing = stdout(&umbra(&["admin", "list-users", "--database-url", &url], None));
    let row = listing.lines().find(|l| l.contains("alice")).unwrap().to_string();
    assert!(row.contains('T') && row.contains('Z'), "locked-until shown: {row}");

    let reset = umbra(&["admin", "reset-lockout", "alice", "--database-url", &url], None);
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert!(stdout(&reset).contains("lock"), "{}", stdout(&reset));
    assert_eq!(alice.login().await.status, 200);

    let unknown = umbra(&["admin", "reset-lockout", "mallory", "--database-url", &url], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("mallory"));
    let rows = umbra::db::audit::recent(app.db.pool(), 5).await.unwrap();
    assert!(rows.iter().any(|r| r.actor == "cli" && r.action == "reset_lockout"));
}

#[tokio::test]
async fn setup_code_command_prints_the_code_setup_accepts() {
    let app = app().await;
    let url = app.database.url.clone();
    let printed = umbra(&["admin", "setup-code", "--database-url", &url], None);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let code = stdout(&printed).trim().to_string();
    let admin = app.persona("admin", PASSWORD);
    let created =
        admin.post("/api/auth/setup", json!({"setup_code": code, "username": "admin", "password": PASSWORD})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let after = umbra(&["admin", "setup-code", "--database-url", &url], None);
    assert_eq!(after.status.code(), Some(1));
    assert!(stderr(&after).contains("already done"));
}

/// `umbra serve` with zero configuration beyond a data folder: it makes the folder, the key
/// and the certificate, prints URL, fingerprint and setup code, serves HTTPS, and stops
/// cleanly on SIGTERM.
#[tokio::test]
async fn serve_starts_from_nothing_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let mut command = Command::new(env!("CARGO_BIN_EXE_umbra"));
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
        "--log-dir",
        dir.path().join("logs").to_str().unwrap(),
    ]);
    // This test is about the zero-configuration default, which is SQLite on either run.
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("UMBRA_")) {
        command.env_remove(key);
    }
    // Stand in for systemd's notification socket (Type=notify).
    let notify = std::os::unix::net::UnixDatagram::bind(dir.path().join("notify.sock")).unwrap();
    notify.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    command.env("NOTIFY_SOCKET", dir.path().join("notify.sock"));
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let Announcement { url, fingerprint, code } = read_announcement(child.stdout.take().unwrap());
    assert_eq!(received(&notify), "READY=1");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(code.len(), 19, "{code}");
    for file in ["umbra.db", "secret.key", "tls/ca.pem", "tls/ca-key.pem", "tls/cert.pem", "tls/key.pem"] {
        assert!(data.join(file).exists(), "{file} created");
    }
    for key in ["secret.key", "tls/ca-key.pem", "tls/key.pem"] {
        assert_eq!(std::fs::metadata(data.join(key)).unwrap().permissions().mode() & 0o777, 0o600, "{key}");
    }

    // The fingerprint printed is the local CA's, and trusting that CA alone is enough.
    let ca = std::fs::read(data.join("tls/ca.pem")).unwrap();
    assert_eq!(Some(fingerprint), umbra::tls::pem_fingerprint(&ca));
    let client = pinned_client(&ca);
    let health = client.get(format!("{url}health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let page = client.get(format!("{url}login")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("app.js"));
    let setup = client
        .post(format!("{url}api/auth/setup"))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&json!({"setup_code": code, "username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201);
    let with_query = client.get(format!("{url}health?token=sekrit-value")).send().await.unwrap();
    assert_eq!(with_query.status(), 200);

    drop(client); // idle keep-alive connections would hold the shutdown for its grace period
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    assert_eq!(received(&notify), "STOPPING=1");
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "graceful exit on SIGTERM: {:?}", output.status);

    let secrets = ["sekrit-value", PASSWORD, code.as_str()];
    check_logs(&output.stderr, &dir.path().join("logs"), &secrets);
}

/// flag > environment > file > default, shown by which database `list-users` reads.
#[tokio::test]
async fn configuration_precedence_is_flag_env_file_default() {
    let dir = tempfile::tempdir().unwrap();
    let url = |name: &str| umbra::config::sqlite_url(&dir.path().join(format!("{name}.db")));
    for source in ["file", "env", "flag"] {
        // Admin commands need an existing database (only `serve` creates one).
        umbra::db::Db::open(&url(source)).await.unwrap().close().await;
        let created = umbra(
            &["admin", "create-user", &format!("from-{source}"), "--password-stdin", "--database-url", &url(source)],
            Some(PASSWORD),
        );
        assert!(created.status.success(), "{}", stderr(&created));
    }
    let config = dir.path().join("umbra.toml");
    std::fs::write(&config, format!("database_url = \"{}\"\n", url("file"))).unwrap();
    let config = config.to_str().unwrap();
    let env_url = url("env");
    let env = [("UMBRA_DATABASE_URL", env_url.as_str()), ("UMBRA_CONFIG", config)];
    let listed = |args: &[&str], env: &[(&str, &str)]| {
        let output = crate::live::umbra_with_env(&[&["admin", "list-users"], args].concat(), None, env);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    assert!(listed(&["--database-url", &url("flag")], &env).contains("from-flag"));
    assert!(listed(&[], &env).contains("from-env"));
    assert!(listed(&[], &env[1..]).contains("from-file"));
    assert!(listed(&["--config", config], &[]).contains("from-file"));
    // Default: SQLite in the data folder (made by `serve`; an admin command makes none).
    let data_dir = dir.path().join("data");
    umbra::db::Db::open(&umbra::config::sqlite_url(&data_dir.join("umbra.db"))).await.unwrap().close().await;
    let default = listed(&["--data-dir", data_dir.to_str().unwrap()], &[]);
    assert_eq!(default.trim().lines().count(), 1, "{default}");
}

/// What `umbra serve` prints once it listens.
struct Announcement {
    url: String,
    fingerprint: String,
    code: String,
}

fn read_announcement(stdout: std::process::ChildStdout) -> Announcement {
    let mut found = Announcement { url: String::new(), fingerprint: String::new(), code: String::new() };
    for line in BufReader::new(stdout).lines().take(3) {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("UMBRA is listening on ") {
            found.url = rest.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("CA certificate SHA-256 fingerprint: ") {
            found.fingerprint = rest.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("One-time setup code: ") {
            found.code = rest.split_whitespace().next().unwrap().to_string();
        }
    }
    found
}

/// The access log has one line per request with what an operator needs, holds none of the
/// secrets, has no colour codes, and `--log-dir` got the same lines in a daily file
/// (umbra.log.YYYY-MM-DD).
fn check_logs(stderr: &[u8], log_dir: &std::path::Path, secrets: &[&str]) {
    let log = String::from_utf8_lossy(stderr);
    let access = log.lines().find(|l| l.contains("path=/health") && l.contains("status=200")).unwrap_or_default();
    for part in ["method=GET", "latency_ms=", "client_ip=127.0.0.1", "request_id="] {
        assert!(access.contains(part), "{part} missing from {access:?}");
    }
    for secret in secrets {
        assert!(!log.contains(secret), "the log holds a secret: {secret}");
    }
    assert!(!log.contains('\u{1b}'), "no ANSI colours when stderr is not a terminal");
    let files: Vec<_> = std::fs::read_dir(log_dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].file_name().unwrap().to_string_lossy().starts_with("umbra.log."));
    assert!(std::fs::read_to_string(&files[0]).unwrap().contains("path=/health"));
}

fn received(socket: &std::os::unix::net::UnixDatagram) -> String {
    let mut buffer = [0u8; 256];
    let n = socket.recv(&mut buffer).expect("a notification for systemd");
    String::from_utf8_lossy(&buffer[..n]).trim().to_string()
}
