//! A small W3C WebDriver client over HTTP to a chromedriver this test starts, driving headless
//! Chromium. Only the handful of commands the browser tests need; JSON handling is serde's.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// Where the browser tests look for Chromium and its driver (Debian's packages).
pub fn binaries() -> Option<(&'static str, &'static str)> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| Path::new(p).exists())?;
    let driver = ["/usr/bin/chromedriver"].into_iter().find(|p| Path::new(p).exists())?;
    Some((chromium, driver))
}

/// Whether browser tests must run (CI sets `UMBRA_REQUIRE_BROWSER=1`), or may skip.
pub fn required() -> bool {
    std::env::var("UMBRA_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

impl Browser {
    pub async fn start(chromium: &str, driver_path: &str) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut driver = Command::new(driver_path)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        // chromedriver says when it listens; reading that line is the synchronisation.
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        let ready = lines.by_ref().map_while(Result::ok).any(|line| line.contains("started successfully"));
        assert!(ready, "chromedriver did not start");
        std::thread::spawn(move || lines.for_each(drop));

        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--window-size=1280,900",
        ];
        let mut args: Vec<String> = args.iter().map(ToString::to_string).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "acceptInsecureCerts": true,
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        crate::live::install_crypto();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let created: Value =
            http.post(format!("{base}/session")).json(&capabilities).send().await.unwrap().json().await.unwrap();
        let session = created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}"));
        let browser = Browser { http, session: format!("{base}/session/{session}"), driver, _profile: profile };
        // Finding an element waits up to 20 s for it to appear: the UI renders asynchronously,
        // and on a loaded 2-core CI machine a page after a request has taken over 10 s.
        browser.command("POST", "/timeouts", json!({"implicit": 20_000})).await.unwrap();
        browser
    }

    async fn command(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response: Value =
            request.send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        match response["value"].get("error") {
            Some(error) => Err(format!("{error}: {}", response["value"]["message"])),
            None => Ok(response["value"].clone()),
        }
    }

    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.command("POST", "/url", json!({"url": url})).await.map(drop)
    }

    pub async fn find(&self, css: &str) -> Result<String, String> {
        let found = self.command("POST", "/element", json!({"using": "css selector", "value": css})).await;
        let found = found.map_err(|e| format!("{css}: {e}"))?;
        found[ELEMENT_KEY].as_str().map(str::to_string).ok_or_else(|| format!("{css}: no element id"))
    }

    /// The element of `css` whose text is exactly `text` (menu items, buttons).
    pub async fn find_text(&self, css: &str, text: &str) -> Result<String, String> {
        let xpath = format!("//{css}[normalize-space(.)='{text}']");
        let found = self.command("POST", "/element", json!({"using": "xpath", "value": xpath})).await;
        let found = found.map_err(|e| format!("{xpath}: {e}"))?;
        found[ELEMENT_KEY].as_str().map(str::to_string).ok_or_else(|| format!("{xpath}: no element id"))
    }

    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let element = self.find(css).await?;
        self.command("POST", &format!("/element/{element}/value"), json!({"text": text})).await.map(drop)
    }

    pub async fn command_clear(&self, element: &str) -> Result<(), String> {
        self.command("POST", &format!("/element/{element}/clear"), json!({})).await.map(drop)
    }

    pub async fn click(&self, element: &str) -> Result<(), String> {
        self.command("POST", &format!("/element/{element}/click"), json!({})).await.map(drop)
    }

    pub async fn text(&self, css: &str) -> Result<String, String> {
        let element = self.find(css).await?;
        let text = self.command("GET", &format!("/element/{element}/text"), json!({})).await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// Waits (up to 20 s) until the element's text contains `needle`: messages that answer a
    /// request appear when the response arrives, not when the click returns. A view redrawn
    /// between finding the element and reading it ("stale element") is looked up again.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Result<String, String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let text = match self.text(css).await {
                Ok(text) => text,
                Err(error) if error.contains("stale element") => String::new(),
                Err(error) => return Err(error),
            };
            if text.contains(needle) {
                return Ok(text);
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("{css} shows {text:?}, never {needle:?}"));
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub async fn path(&self) -> Result<String, String> {
        let url = self.command("GET", "/url", json!({})).await?;
        let url = url.as_str().unwrap_or_default();
        Ok(url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_default())
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and gives its result.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value, String> {
        self.command("POST", "/execute/sync", json!({"script": script, "args": args})).await
    }

    /// Waits (up to 10 s) until no API request is in flight (api.js counts them on
    /// `<html data-pending>`): the page has settled after what the last action started.
    pub async fn wait_idle(&self) -> Result<(), String> {
        let script = "const done = arguments[arguments.length - 1];
            const check = () => (document.documentElement.dataset.pending || '0') === '0'
                ? requestAnimationFrame(() => done(true)) : setTimeout(check, 20);
            check();";
        self.command("POST", "/execute/async", json!({"script": script, "args": []})).await.map(drop)
    }

    /// Resizes the browser window (the viewport follows): 390×844 is a phone.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        self.command("POST", "/window/rect", json!({"width": width, "height": height})).await.map(drop)
    }

    /// Whether the element is shown (not `hidden`, not `display: none`).
    pub async fn displayed(&self, element: &str) -> Result<bool, String> {
        let shown = self.command("GET", &format!("/element/{element}/displayed"), json!({})).await?;
        Ok(shown.as_bool().unwrap_or(false))
    }

    /// Presses a key (a WebDriver key code such as `\u{e00c}` for Escape) on the focused element.
    pub async fn press(&self, key: &str) -> Result<(), String> {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
        ]}]});
        self.command("POST", "/actions", actions).await.map(drop)
    }

    /// Presses `key` while holding `modifier` (e.g. Shift `\u{e008}` with ArrowDown `\u{e015}`).
    pub async fn press_with(&self, modifier: &str, key: &str) -> Result<(), String> {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": modifier}, {"type": "keyDown", "value": key},
            {"type": "keyUp", "value": key}, {"type": "keyUp", "value": modifier}
        ]}]});
        self.command("POST", "/actions", actions).await.map(drop)
    }

    /// Gives the browser a virtual platform authenticator (WebDriver's WebAuthn extension):
    /// resident keys, user verification that always succeeds.
    pub async fn add_virtual_authenticator(&self) -> Result<(), String> {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true
        });
        self.command("POST", "/webauthn/authenticator", options).await.map(drop)
    }

    /// The page's console messages so far (chromedriver's log extension), for a failing test.
    pub async fn console(&self) -> String {
        match self.command("POST", "/se/log", json!({"type": "browser"})).await {
            Ok(Value::Array(entries)) => {
                entries.iter().map(|e| e["message"].as_str().unwrap_or_default()).collect::<Vec<_>>().join("\n")
            }
            _ => String::new(),
        }
    }

    /// Saves what the browser shows, for a failing test to leave behind.
    pub async fn screenshot(&self, file: &Path) {
        if let Ok(png) = self.command("GET", "/screenshot", json!({})).await {
            use base64::Engine as _;
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default()) {
                let _ = std::fs::write(file, bytes);
            }
        }
    }

    pub async fn quit(mut self) {
        let _ = self.command("DELETE", "", json!({})).await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
