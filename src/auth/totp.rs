//! TOTP (RFC 6238 via totp-rs: SHA-1, 6 digits, 30 s, ±1 step) and recovery codes. Secrets
//! are stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the
//! persistent secret key, so a copy of the database alone does not yield them.

use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Totp};

use crate::domain::time::UtcMillis;

pub const ISSUER: &str = "UMBRA";
pub const RECOVERY_CODES: usize = 10;
const STEP_SECONDS: i64 = 30;

/// The key that encrypts TOTP secrets at rest.
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl SecretBox {
    pub fn derive(master: &[u8; 64]) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"umbra"), master)
            .expand(b"totp secrets v1", &mut key)
            .expect("32 bytes is a valid length");
        Self { cipher: Aes256Gcm::new_from_slice(&key).expect("32-byte key") }
    }

    /// `base64(nonce || ciphertext)`.
    pub fn seal(&self, plain: &[u8]) -> String {
        let nonce: [u8; 12] = rand::random();
        let sealed = self.cipher.encrypt(Nonce::from_slice(&nonce), plain).expect("AES-GCM encryption does not fail");
        STANDARD.encode([nonce.as_slice(), &sealed].concat())
    }

    pub fn open(&self, stored: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(stored).ok()?;
        let (nonce, sealed) = bytes.split_at_checked(12)?;
        self.cipher.decrypt(Nonce::from_slice(nonce), sealed).ok()
    }
}

/// A fresh 160-bit secret (RFC 4226's recommended length).
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; 20]>().to_vec()
}

pub fn totp(secret: Vec<u8>, username: &str) -> Option<Totp> {
    Builder::new().with_secret(secret).with_account_name(username).with_issuer(Some(ISSUER)).build().ok()
}

/// The time step a code matches at `now` (within ±1 step), if any.
pub fn matching_step(totp: &Totp, code: &str, now: UtcMillis) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let seconds = u64::try_from(now.0 / 1000).ok()?;
    totp.check(&code, seconds).and_then(|step| i64::try_from(step).ok())
}

/// The current code, for tests and for showing what an authenticator would show.
pub fn code_at(totp: &Totp, now: UtcMillis) -> String {
    totp.generate(u64::try_from(now.0 / 1000).unwrap_or(0)).to_string()
}

pub fn step_of(now: UtcMillis) -> i64 {
    now.0 / 1000 / STEP_SECONDS
}

/// The QR code of the otpauth URI, as an SVG document.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// Ten fresh recovery codes like `k3f9-x2mq-77ht` (60 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> =
                rand::random::<[u8; 12]>().iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// What is stored for a recovery code: the SHA-256 of its canonical form (any case, any dashes).
pub fn hash_recovery_code(code: &str) -> String {
    let canonical: String = code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Whether input looks like a recovery code rather than a 6-digit TOTP code.
pub fn looks_like_recovery_code(code: &str) -> bool {
    code.chars().filter(char::is_ascii_alphanumeric).count() == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let sealed = SecretBox::derive(&[1; 64]).seal(b"secret");
        assert_eq!(SecretBox::derive(&[1; 64]).open(&sealed).as_deref(), Some(&b"secret"[..]));
        assert!(SecretBox::derive(&[2; 64]).open(&sealed).is_none());
        assert!(!sealed.contains("secret"));
    }

    #[test]
    fn codes_match_within_one_step() {
        let totp = totp(new_secret(), "alice").unwrap();
        let now = UtcMillis(1_700_000_000_000);
        let code = code_at(&totp, now);
        assert_eq!(matching_step(&totp, &code, now), Some(step_of(now)));
        assert_eq!(matching_step(&totp, &code, now.plus_millis(30_000)), Some(step_of(now)));
        assert_eq!(matching_step(&totp, &code, now.plus_millis(95_000)), None);
        assert!(totp.to_url().unwrap().starts_with("otpauth://totp/UMBRA:alice?"));
        assert!(qr_svg("otpauth://totp/x").unwrap().starts_with("<?xml"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgiving() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(looks_like_recovery_code(&codes[0]));
        assert_eq!(hash_recovery_code(&codes[0].to_uppercase().replace('-', "")), hash_recovery_code(&codes[0]));
        assert_ne!(codes[0], codes[1]);
    }
}
