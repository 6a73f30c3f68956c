//! The lockout rules shared by passwords and second-factor codes: an attempt is reserved in
//! the database before the secret is checked (see `db::login_failures`), the threshold and
//! period come from the system settings, and the answer to a failure says how close the lock
//! is only when it is close. Also the audit name for a submitted username that matches no
//! account: people type passwords into the username field, so it is never stored as typed.

use hkdf::Hkdf;
use sha2::Sha256;

use sqlx::{Any, Executor};

use crate::db::login_failures::{self, Counter, FailureState};
use crate::domain::system_settings::SystemSettings;
use crate::domain::time::UtcMillis;

/// Hints about remaining attempts appear only this close to the lock.
const HINT_WHEN_REMAINING: i64 = 3;

/// The system settings' lockout rule, read once per attempt.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub threshold: i64,
    pub minutes: i64,
}

pub fn rule(settings: &SystemSettings) -> Rule {
    Rule { threshold: settings.lockout_threshold, minutes: settings.lockout_minutes }
}

/// Reserves one attempt on `counter` (see `login_failures::reserve`): `None` means locked,
/// and the secret must not be checked.
pub async fn reserve<'c>(
    db: impl Executor<'c, Database = Any>,
    counter: Counter<'_>,
    rule: Rule,
    now: UtcMillis,
) -> Result<Option<FailureState>, sqlx::Error> {
    login_failures::reserve(db, counter, now, rule.threshold, now.plus_minutes(rule.minutes)).await
}

/// A reserved attempt failed: the 401 detail (`base`, plus a hint when few attempts remain,
/// or the news that `what` is now locked) and whether this attempt reached the lock.
pub fn failure_detail(base: &str, reserved: FailureState, rule: Rule, what: &str) -> (String, bool) {
    if reserved.locked_until.is_some() {
        let minutes = rule.minutes;
        return (format!("{base} Too many failed attempts: {what} is now locked for {minutes} minutes."), true);
    }
    let remaining = rule.threshold - reserved.failures;
    if remaining > HINT_WHEN_REMAINING {
        return (base.to_string(), false);
    }
    let plural = if remaining == 1 { "attempt remains" } else { "attempts remain" };
    (format!("{base} {remaining} {plural} before {what} is locked."), false)
}

/// What the audit log records for a submitted name that matches no account: a keyed hash,
/// so repeated tries at one name can be told apart from a spray without the log keeping
/// what was typed (often a password, typed into the wrong field). The key comes from the
/// secret key, so a copy of the database alone cannot test guesses against it.
pub fn unknown_name_marker(master: &[u8; 64], typed: &str) -> String {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(b"umbra"), master)
        .expand(b"audit unknown names v1", &mut key)
        .expect("32 bytes is a valid length");
    // HKDF-Extract is HMAC-SHA256 keyed with the salt.
    let (tag, _) = Hkdf::<Sha256>::extract(Some(&key), typed.as_bytes());
    format!("unknown name #{}", hex::encode(&tag[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_keyed_hashes() {
        let marker = unknown_name_marker(&[1; 64], "my secret password");
        assert_eq!(marker, unknown_name_marker(&[1; 64], "my secret password"));
        assert_ne!(marker, unknown_name_marker(&[2; 64], "my secret password"));
        assert_ne!(marker, unknown_name_marker(&[1; 64], "another guess"));
        assert!(marker.starts_with("unknown name #") && !marker.contains("secret"));
    }

    #[test]
    fn hints_only_near_the_lock() {
        let rule = Rule { threshold: 10, minutes: 30 };
        let at = |failures, locked_until| FailureState { failures, locked_until };
        assert_eq!(failure_detail("No.", at(6, None), rule, "it"), ("No.".to_string(), false));
        assert_eq!(failure_detail("No.", at(8, None), rule, "it").0, "No. 2 attempts remain before it is locked.");
        assert!(failure_detail("No.", at(10, Some(UtcMillis(1))), rule, "it").1);
    }
}
