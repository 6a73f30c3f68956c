//! Cross-cutting request plumbing that runs before any route: who is asking (client IP),
//! how often (rate limits), from where (CSRF), and what every response carries (headers).

pub mod access_log;
pub mod canonical;
pub mod client_ip;
pub mod csrf;
pub mod gate;
pub mod headers;
pub mod json;
pub mod listener;
pub mod meta;
pub mod rate_limit;
pub mod request_id;
