//! The one-time setup code that guards the first admin account: random, printed at startup
//! and by `umbra admin setup-code`, consumed by the first successful setup.

use sha2::{Digest, Sha256};
use sqlx::AnyPool;

use crate::db::{system_config, users};

/// Unambiguous characters (no 0/O, 1/I/L): the code is typed from a terminal.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// 16 characters from 31: about 79 bits, in four groups for reading aloud.
pub fn generate() -> String {
    let bytes: [u8; 16] = rand::random();
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Accepts the code however it was typed: any case, with or without dashes and spaces.
pub fn normalise(input: &str) -> String {
    let compact: String = input.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    let chars: Vec<char> = compact.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Compares a submitted (normalised) code with the stored one through their SHA-256
/// digests, so the comparison's time says nothing about how much of the code was right.
pub fn matches(stored: &str, submitted: &str) -> bool {
    Sha256::digest(stored.as_bytes()) == Sha256::digest(submitted.as_bytes())
}

/// The current setup code while no user exists (creating it if needed), otherwise `None`.
pub async fn current(pool: &AnyPool) -> Result<Option<String>, sqlx::Error> {
    if users::count(pool).await? > 0 {
        return Ok(None);
    }
    system_config::get_or_insert(pool, system_config::SETUP_CODE, &generate()).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_forgiving() {
        let code = generate();
        assert_eq!(code.len(), 19);
        assert_ne!(code, generate());
        assert_eq!(normalise(&code.to_lowercase().replace('-', " ")), code);
        assert!(matches(&code, &normalise(&code.to_lowercase())));
        assert!(!matches(&code, &generate()));
    }
}
