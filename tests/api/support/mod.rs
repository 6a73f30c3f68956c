//! What the tests stand on: the in-process harness with its personas (`harness`), a real
//! server on a loopback socket (`live`) and a small WebDriver client for headless Chromium
//! (`webdriver`). `main.rs` re-exports them, so tests write `crate::harness::…`.

pub mod harness;
pub mod live;
pub mod oidc_provider;
pub mod stand_in;
pub mod webdriver;
