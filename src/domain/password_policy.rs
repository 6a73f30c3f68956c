//! Password rules after NIST SP 800-63B-4: length, not composition; no rotation; a blocklist
//! of common passwords, the username and the product name. Unicode is NFC-normalised first.
//!
//! The blocklist matches whole passwords only, so "password password" would pass it; the
//! zxcvbn estimator (Dropbox's, ported to Rust) also sees repeats, keyboard patterns, dates
//! and l33t spellings of common words, the username and the site name, and its feedback is
//! the plain-words reason a refusal gives.

use std::collections::HashSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

pub const MIN_CHARS: usize = 15;
/// zxcvbn's score from 0 to 4; 3 means more than 10^8 guesses ("safely unguessable").
pub const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;
/// The estimate looks at this many characters: its matching is superlinear in the length,
/// and a prefix this long that is weak makes a weak password anyway.
const ESTIMATE_CHARS: usize = 100;
/// Counted as weak like a common word: whoever guesses knows which site this is.
pub const SITE_NAME: &str = "umbra";
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
    if let Some(why) = too_guessable(&password, username) {
        return Err(why);
    }
    Ok(AcceptablePassword(password))
}

/// How the policy judges a password being typed, for the strength meter.
pub struct Strength {
    /// zxcvbn's score, 0 (guessed at once) to 4 (very unlikely to be guessed).
    pub score: u8,
    /// Why the policy refuses it, or `None` when it would be accepted.
    pub problem: Option<String>,
}

pub fn strength(raw: &str, username: &str) -> Strength {
    let problem = check(raw, username).err();
    Strength { score: score(&normalise(raw), username), problem }
}

fn user_inputs(username: &str) -> Vec<&str> {
    [username, SITE_NAME].into_iter().filter(|s| !s.is_empty()).collect()
}

/// zxcvbn's estimate of the password, and of the password with repeated words left out:
/// zxcvbn finds "passwordpassword" but scores "password password" as three unrelated
/// pieces, while a guesser tries common words twice as early as two different ones.
fn estimates(password: &str, username: &str) -> (zxcvbn::Entropy, Option<zxcvbn::Entropy>) {
    let prefix: String = password.chars().take(ESTIMATE_CHARS).collect();
    let inputs = user_inputs(username);
    let whole = zxcvbn::zxcvbn(&prefix, &inputs);
    let words: Vec<String> =
        prefix.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let mut distinct: Vec<&str> = Vec::new();
    for word in &words {
        if !distinct.contains(&word.as_str()) {
            distinct.push(word);
        }
    }
    let deduplicated = (distinct.len() < words.len()).then(|| zxcvbn::zxcvbn(&distinct.join(" "), &inputs));
    (whole, deduplicated)
}

fn score(password: &str, username: &str) -> u8 {
    let (whole, deduplicated) = estimates(password, username);
    deduplicated.map_or(whole.score(), |d| d.score().min(whole.score())).into()
}

/// Why zxcvbn finds the password too easy to guess, or `None` when it scores well enough.
fn too_guessable(password: &str, username: &str) -> Option<String> {
    let (whole, deduplicated) = estimates(password, username);
    let (weakest, repeated) = match deduplicated {
        Some(d) if d.score() < MIN_SCORE && d.score() <= whole.score() => (d, true),
        _ if whole.score() < MIN_SCORE => (whole, false),
        _ => return None,
    };
    let feedback = weakest.feedback().map(ToString::to_string).unwrap_or_default();
    let feedback = feedback.trim().trim_end_matches('.');
    let mut why = String::from("is too easy to guess.");
    if repeated {
        why.push_str(" Repeating a word adds little.");
    }
    if feedback.is_empty() {
        why.push_str(" Add another word or two, not a common phrase");
    } else {
        why.push(' ');
        why.push_str(feedback);
    }
    Some(why.trim_end_matches('.').to_string())
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
        assert!(check("château rouge, volière bleue, forêt noire", "bob").is_ok());
    }

    #[test]
    fn guessable_phrases_are_refused_with_a_reason() {
        for weak in ["password password", "passwordpassword", "bobbybobbybobby!", "umbraumbraumbraumbra"] {
            let why = check(weak, "bobby").err().unwrap_or_else(|| panic!("{weak} was accepted"));
            assert!(!why.is_empty(), "{weak}");
        }
        let why = check("password password", "bob").err().unwrap();
        assert!(why.starts_with("is too easy to guess. "), "{why}");
        assert!(!why.ends_with('.'), "the caller ends the sentence: {why}");
        assert!(check("violet kettle sings at dawn", "bob").is_ok());
    }

    #[test]
    fn normalises_to_nfc() {
        let decomposed = "cafe\u{301} au lait, s'il vous plait";
        assert_eq!(check(decomposed, "bob").unwrap().as_str(), normalise("café au lait, s'il vous plait"));
    }
}
