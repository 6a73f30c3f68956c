//! Authentication: password hashing, sessions and their cookie, lockout, and the request
//! guards that give handlers the signed-in user.

pub mod guards;
pub mod lockout;
pub mod passkeys;
pub mod password;
pub mod session;
pub mod setup_code;
pub mod totp;
