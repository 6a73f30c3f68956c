//! Password rules after NIST SP 800-63B-4: length, not composition; no rotation; a blocklist
//! of common passwords, the username and the product name. Unicode is NFC-normalised first.

use std::collections::HashSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

pub const MIN_CHARS: usize = 15;
/// Anything longer is refused before hashing, so a huge password cannot buy CPU time.
pub const MAX_BYTES: usize = 1024;

/// The 10,000 most common passwords (the frequency list zxcvbn ships, MIT licensed).
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../auth/common_passwords.txt").lines().collect());

/// A password that passed the policy, already NFC-normalised.
pub struct AcceptablePassword(String);

impl AcceptablePassword {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Normalises a submitted password; used both when setting and when verifying one.
pub fn normalise(raw: &str) -> String {
    raw.nfc().collect()
}

pub fn check(raw: &str, username: &str) -> Result<AcceptablePassword, String> {
    if raw.len() > MAX_BYTES {
        return Err(format!("must be at most {MAX_BYTES} bytes long"));
    }
    let password = normalise(raw);
    if password.chars().count() < MIN_CHARS {
        return Err(format!("must be at least {MIN_CHARS} characters long"));
    }
    let lowered = password.to_lowercase();
    if COMMON.contains(lowered.as_str()) {
        return Err("is one of the most commonly used passwords; choose another".into());
    }
    if !username.is_empty() && lowered.contains(&username.to_lowercase()) {
        return Err("must not contain your username".into());
    }
    if lowered.contains("umbra") {
        return Err("must not contain the word \"umbra\"".into());
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err("must not be one character repeated".into());
    }
    Ok(AcceptablePassword(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_length_and_blocklist() {
        assert!(check("short", "bob").is_err());
        assert!(check(&"x".repeat(MAX_BYTES + 1), "bob").is_err());
        assert!(check("aaaaaaaaaaaaaaaaaaaa", "bob").is_err());
        assert!(check("bob-is-my-name-really", "bob").is_err());
        assert!(check("my umbra password!!", "bob").is_err());
        assert!(COMMON.len() >= 10_000);
        assert!(check("1234567890123456", "bob").is_err() || !COMMON.contains("1234567890123456"));
        assert!(check("correct horse battery staple", "bob").is_ok());
        assert!(check(&"é".repeat(128), "bob").is_err());
        assert!(check(&"éa".repeat(64), "bob").is_ok());
    }

    #[test]
    fn normalises_to_nfc() {
        let decomposed = "cafe\u{301} au lait, s'il vous plait";
        assert_eq!(check(decomposed, "bob").unwrap().as_str(), normalise("café au lait, s'il vous plait"));
    }
}
