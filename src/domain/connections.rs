//! Connections between users: the request bodies, the direction a request list shows, the
//! per-sender rate limit and the pair rule (a pair of users is stored in id order, so one
//! pair has one row whoever asked first). No user search exists: a request or a block names an
//! exact username, and the answer never says whether it belongs to anyone.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::id::UserId;
use crate::domain::username::{USERNAME_RULES, Username};

/// Connection requests one user may send per window (to any names, existing or not).
pub const REQUESTS_PER_WINDOW: i64 = 20;
/// The rate limit's window: an hour.
pub const REQUEST_WINDOW_MS: i64 = 60 * 60 * 1000;
/// Names one user may block: enough for anyone, and a bound on what one account can store.
pub const BLOCKS_MAX: i64 = 1000;

/// `POST /api/connections`: ask the user with this exact username to connect.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConnectionRequest {
    /// The exact username (case-insensitive).
    pub username: String,
}

/// `POST /api/connections/blocks`: keep this username's requests out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    /// The exact username (case-insensitive).
    pub username: String,
}

/// A username as typed into either body: the format is checked (that reveals nothing about
/// who exists), the name is compared lower-case like every username.
pub fn parse_username(raw: &str) -> Result<Username, (String, String)> {
    Username::parse(raw).map_err(|_| ("username".to_string(), USERNAME_RULES.to_string()))
}

/// Which pending requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sent to the caller (they may accept or decline).
    Incoming,
    /// Sent by the caller (they may cancel).
    Outgoing,
}

impl Direction {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "incoming" => Some(Self::Incoming),
            "outgoing" => Some(Self::Outgoing),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
        }
    }
}

/// The pair's ids in order (`low < high`): the key that makes a pair one row.
pub fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a < b { (a, b) } else { (b, a) }
}

/// When a sender whose oldest attempt in the window was at `oldest` may try again, in whole
/// seconds from `now` (at least one).
pub fn retry_after_secs(oldest: i64, now: i64) -> u64 {
    let wait_ms = u64::try_from(oldest + REQUEST_WINDOW_MS - now).unwrap_or(0).max(1);
    wait_ms.div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_ordered_whoever_asks() {
        assert_eq!(pair(UserId(7), UserId(3)), (UserId(3), UserId(7)));
        assert_eq!(pair(UserId(3), UserId(7)), (UserId(3), UserId(7)));
    }

    #[test]
    fn retry_after_counts_up_to_the_oldest_attempt_leaving_the_window() {
        assert_eq!(retry_after_secs(0, REQUEST_WINDOW_MS - 1500), 2);
        assert_eq!(retry_after_secs(0, REQUEST_WINDOW_MS), 1);
        assert_eq!(retry_after_secs(0, 0), 3600);
    }

    #[test]
    fn directions_parse() {
        assert_eq!(Direction::parse("incoming"), Some(Direction::Incoming));
        assert_eq!(Direction::parse("outgoing").map(Direction::as_str), Some("outgoing"));
        assert_eq!(Direction::parse("both"), None);
    }

    #[test]
    fn usernames_are_checked_for_form_only() {
        assert_eq!(parse_username(" Bob ").unwrap().as_str(), "bob");
        assert_eq!(parse_username("x").unwrap_err().0, "username");
    }
}
