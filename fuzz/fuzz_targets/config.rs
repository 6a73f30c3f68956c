//! The config file: `Config::load` on a file holding the input (TOML text → `Config`, then its
//! validation), exactly as `umbra serve --config FILE` reads it.
//!
//! Properties, for any bytes:
//! - loading never panics (overflow checks are on here);
//! - a refusal is one line of text (`main` prints it and exits 2; a newline or a control
//!   character from the file would forge or hide log lines and terminal output);
//! - an accepted config can be used: the Argon2 cost is one the hasher takes, the connection
//!   timeouts can be added to any instant of the next century, the session and lockout
//!   policy are defaults the system-settings API itself accepts (an admin can save the
//!   settings page as it is shown), and the rate limiters build.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use umbra::cli::{ServeArgs, StorageArgs};
use umbra::config::Config;

/// One file per fuzzing process, rewritten for every input; in memory where there is a
/// tmpfs, so the run costs no disk writes.
fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let dir = if shm.is_dir() { shm } else { std::env::temp_dir() };
        dir.join(format!("umbra-fuzz-config-{}.toml", std::process::id()))
    })
}

const CENTURY: Duration = Duration::from_secs(100 * 366 * 86_400);

fuzz_target!(|bytes: &[u8]| {
    let path = path();
    std::fs::write(path, bytes).expect("the scratch file can be written");
    let args = ServeArgs {
        storage: StorageArgs { config: Some(path.clone()), ..StorageArgs::default() },
        ..ServeArgs::default()
    };
    let config = match Config::load(&args) {
        Ok(config) => config,
        Err(error) => {
            let text = error.to_string();
            assert!(!text.chars().any(char::is_control), "a refusal that is not one plain line: {text:?}");
            return;
        }
    };
    let a = config.argon2;
    assert!(
        argon2::Params::new(a.memory_kib, a.iterations, a.parallelism, None).is_ok(),
        "accepted an Argon2 cost the hasher refuses: {a:?}"
    );
    let c = config.connections;
    let now = Instant::now();
    for secs in [c.handshake_timeout_secs, c.header_timeout_secs, c.idle_timeout_secs] {
        let far = Duration::from_secs(secs).checked_add(CENTURY);
        assert!(far.and_then(|d| now.checked_add(d)).is_some(), "a timeout of {secs} s overflows an instant");
    }
    let settings = umbra::server::system_settings_from(&config.sessions, &config.lockout);
    let problems = settings.problems();
    assert!(problems.is_empty(), "the settings API would refuse these defaults: {problems:?}");
    let _ = umbra::http::rate_limit::RateLimiters::new(&config.rate_limits);
});
