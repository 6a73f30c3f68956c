//! System settings an admin changes at run time, with their allowed ranges. Stored in the
//! database (so every server process sees them); the config file supplies the defaults.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::role::Role;

/// Who must have a second factor before using the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequireMfa {
    Off,
    Admins,
    Everyone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemSettings {
    pub registration_open: bool,
    /// The role self-registered accounts get.
    pub default_role: Role,
    pub session_idle_minutes: i64,
    pub session_absolute_minutes: i64,
    pub max_sessions_per_user: i64,
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub require_mfa: RequireMfa,
    pub audit_retention_days: i64,
}

/// One year in minutes: the longest any session may live.
const YEAR_MINUTES: i64 = 365 * 24 * 60;

impl SystemSettings {
    /// Every field that is out of range, with the allowed range.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, value: i64, low: i64, high: i64| {
            if !(low..=high).contains(&value) {
                problems.push((field, format!("must be between {low} and {high}")));
            }
        };
        check("session_idle_minutes", self.session_idle_minutes, 5, YEAR_MINUTES);
        check("session_absolute_minutes", self.session_absolute_minutes, 5, YEAR_MINUTES);
        check("max_sessions_per_user", self.max_sessions_per_user, 1, 100);
        check("lockout_threshold", self.lockout_threshold, 3, 100);
        check("lockout_minutes", self.lockout_minutes, 1, 24 * 60);
        check("audit_retention_days", self.audit_retention_days, 7, 3650);
        if self.session_absolute_minutes < self.session_idle_minutes {
            problems.push(("session_absolute_minutes", "must not be shorter than session_idle_minutes".into()));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced() {
        let good = SystemSettings {
            registration_open: false,
            default_role: Role::Standard,
            session_idle_minutes: 60,
            session_absolute_minutes: 600,
            max_sessions_per_user: 10,
            lockout_threshold: 10,
            lockout_minutes: 30,
            require_mfa: RequireMfa::Off,
            audit_retention_days: 365,
        };
        assert!(good.problems().is_empty());
        let bad = SystemSettings { lockout_threshold: 1, session_absolute_minutes: 30, ..good };
        let fields: Vec<_> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["lockout_threshold", "session_absolute_minutes"]);
    }
}
