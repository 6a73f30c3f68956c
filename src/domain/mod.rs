//! Pure types and rules of UMBRA: no I/O, no HTTP, no SQL.

pub mod audit_action;
pub mod flag;
pub mod id;
pub mod password_policy;
pub mod patch;
pub mod role;
pub mod settings;
pub mod time;
pub mod username;
