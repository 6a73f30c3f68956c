//! Certificate dates as plain arithmetic on the app's clock: how long the local CA and the
//! server certificate it issues are valid, and when each must be replaced. No I/O, so the
//! rules are tested without making a certificate.

use crate::domain::time::UtcMillis;

const DAY: i64 = 24 * 60 * UtcMillis::MINUTE;
/// The local CA is installed by hand once per device, so it lives long: ten years.
pub const CA_DAYS: i64 = 3650;
/// Mozilla's "intermediate" TLS configuration (the one `tests/tls/sslyze_check.sh` holds the
/// listener to) allows server certificates of at most 366 days, under Apple's 825 and the
/// CA/Browser Forum's 398; 365 stays under all three with a day to spare. The renewal is
/// automatic and devices trust the CA, not this certificate, so a shorter life costs nothing.
pub const SERVER_DAYS: i64 = 365;
/// A certificate is replaced this long before it expires, so a server that was stopped or
/// a pass that failed has a month to catch up before any client sees an expired certificate.
pub const RENEW_BEFORE_DAYS: i64 = 30;
/// Certificates start an hour in the past: a phone whose clock runs a little behind must not
/// see a certificate that is not valid yet.
const BACKDATE: i64 = 60 * UtcMillis::MINUTE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: UtcMillis,
    pub not_after: UtcMillis,
}

/// The dates of a CA made at `now`.
pub fn ca_validity(now: UtcMillis) -> Validity {
    let not_before = whole_seconds(now).plus_millis(-BACKDATE);
    Validity { not_before, not_after: not_before.plus_millis(CA_DAYS * DAY) }
}

/// The dates of a server certificate issued at `now` by a CA valid until `ca_not_after`:
/// never longer than `SERVER_DAYS` in all, and never past the CA (a certificate that
/// outlives its issuer does not verify).
pub fn server_validity(now: UtcMillis, ca_not_after: UtcMillis) -> Validity {
    let not_before = whole_seconds(now).plus_millis(-BACKDATE);
    Validity { not_before, not_after: not_before.plus_millis(SERVER_DAYS * DAY).min(ca_not_after) }
}

/// Whether a server certificate with these dates must be replaced at `now`: within
/// `RENEW_BEFORE_DAYS` of its end, past it, or not valid yet (the clock was set back, and
/// clients would refuse it).
pub fn server_due(validity: Validity, now: UtcMillis) -> bool {
    now < validity.not_before || near_end(validity.not_after, now)
}

/// Whether the CA must be replaced at `now`: only near its end. A clock that runs behind (a
/// board without a battery-backed clock, before NTP) must never replace the CA that every
/// device trusts, so "not valid yet" is no reason here.
pub fn ca_due(not_after: UtcMillis, now: UtcMillis) -> bool {
    near_end(not_after, now)
}

fn near_end(not_after: UtcMillis, now: UtcMillis) -> bool {
    now >= not_after.plus_millis(-RENEW_BEFORE_DAYS * DAY)
}

/// X.509 writes whole seconds; dates made here are whole seconds already, so what is read
/// back from a file equals what was written.
fn whole_seconds(at: UtcMillis) -> UtcMillis {
    UtcMillis(at.0.div_euclid(1000) * 1000)
}

/// An instant as X.509 writes it: whole seconds (rounded down).
pub fn to_x509(at: UtcMillis) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(at.0.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// An instant read from a certificate (unix seconds).
pub fn from_x509_seconds(seconds: i64) -> UtcMillis {
    UtcMillis(seconds.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-29T20:00:00.250Z, with a fraction of a second that X.509 drops.
    const NOW: UtcMillis = UtcMillis(1_795_982_400_250);

    #[test]
    fn a_server_certificate_lasts_365_days_from_an_hour_ago() {
        let ca = ca_validity(NOW);
        let server = server_validity(NOW, ca.not_after);
        assert_eq!(server.not_before, UtcMillis(1_795_982_400_000).plus_minutes(-60), "whole seconds");
        assert_eq!(server.not_after.0 - server.not_before.0, 365 * DAY);
        let span = to_x509(server.not_after) - to_x509(server.not_before);
        assert_eq!(span, time::Duration::days(365));
        // Mozilla "intermediate": a server certificate lives at most 366 days.
        assert!(span <= time::Duration::days(366));
        assert_eq!(from_x509_seconds(to_x509(server.not_after).unix_timestamp()), server.not_after);
    }

    #[test]
    fn the_ca_lasts_ten_years_and_caps_the_server_certificate() {
        let ca = ca_validity(NOW);
        assert_eq!(ca.not_after.0 - ca.not_before.0, 3650 * DAY);
        let near_the_end = ca.not_after.plus_millis(-100 * DAY);
        let server = server_validity(near_the_end, ca.not_after);
        assert_eq!(server.not_after, ca.not_after);
    }

    #[test]
    fn renewal_is_due_thirty_days_before_expiry() {
        let server = server_validity(NOW, ca_validity(NOW).not_after);
        let renew_at = server.not_after.plus_millis(-30 * DAY);
        assert!(!server_due(server, NOW));
        assert!(!server_due(server, renew_at.plus_millis(-1)));
        assert!(server_due(server, renew_at));
        assert!(server_due(server, server.not_after.plus_millis(DAY)), "expired");
        // 335 days after issue (the hour of backdating included) is the first due day.
        assert!(!server_due(server, NOW.plus_millis(334 * DAY)));
        assert!(server_due(server, NOW.plus_millis(335 * DAY)));
    }

    #[test]
    fn a_clock_set_back_renews_the_server_certificate_but_never_the_ca() {
        let ca = ca_validity(NOW);
        let server = server_validity(NOW, ca.not_after);
        let earlier = NOW.plus_millis(-2 * DAY);
        assert!(server_due(server, earlier));
        assert!(!ca_due(ca.not_after, earlier));
        assert!(!ca_due(ca.not_after, UtcMillis(0)), "a board booting at 1970");
        assert!(ca_due(ca.not_after, ca.not_after.plus_millis(-30 * DAY)));
        assert!(!ca_due(ca.not_after, ca.not_after.plus_millis(-31 * DAY)));
    }

    #[test]
    fn x509_times_are_whole_seconds() {
        let written = to_x509(NOW);
        assert_eq!(written.unix_timestamp(), 1_795_982_400);
        assert_eq!(from_x509_seconds(written.unix_timestamp()), UtcMillis(1_795_982_400_000));
        let before_1970 = to_x509(UtcMillis(-1));
        assert_eq!(before_1970.unix_timestamp(), -1);
    }
}
