//! Usernames: validated once at the edge and compared case-insensitively everywhere.

use std::fmt;

/// A valid username, stored and compared in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

pub const USERNAME_RULES: &str =
    "3 to 32 characters: letters a–z, digits, dot, dash or underscore, starting with a letter or digit";

impl Username {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let name = raw.trim().to_lowercase();
        let valid_chars =
            name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
        let starts_well = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if (3..=32).contains(&name.len()) && valid_chars && starts_well { Ok(Self(name)) } else { Err(USERNAME_RULES) }
    }

    /// The key that lockout counters use for any submitted name, valid or not, so that
    /// made-up usernames are counted exactly like real ones.
    pub fn lockout_key(raw: &str) -> String {
        let mut key = raw.trim().to_lowercase();
        key.truncate(key.floor_char_boundary(64));
        key
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(Username::parse(" Alice.B ").unwrap().as_str(), "alice.b");
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["ab", "-alice", "al ice", "älice", &"a".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }
}
