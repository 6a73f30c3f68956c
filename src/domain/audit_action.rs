//! `AuditAction`: every kind of entry the audit log holds. Stored (and filtered on) as the
//! snake_case names it has always used, so rows written before this type existed read the
//! same; a new action is a new variant here, never a free string at a call site.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditAction {
            $($(#[$doc])* $variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $text,)*
                }
            }

            /// The action with this stored name; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    // Sign-in and sessions.
    Setup = "setup",
    Register = "register",
    Login = "login",
    LoginFailure = "login_failure",
    Lockout = "lockout",
    Logout = "logout",
    MfaChallenge = "mfa_challenge",
    MfaSuccess = "mfa_success",
    MfaFailure = "mfa_failure",
    Reauth = "reauth",
    ReauthFailure = "reauth_failure",
    SessionLock = "session_lock",
    SessionUnlock = "session_unlock",
    SessionUnlockFailure = "session_unlock_failure",
    SessionRevoke = "session_revoke",
    SessionRevokeOthers = "session_revoke_others",
    PasswordChange = "password_change",
    PasswordChangeFailure = "password_change_failure",
    // Second factors.
    TotpEnable = "totp_enable",
    TotpDisable = "totp_disable",
    TotpDisableFailure = "totp_disable_failure",
    RecoveryCodesRegenerate = "recovery_codes_regenerate",
    PasskeyAdd = "passkey_add",
    PasskeyRemove = "passkey_remove",
    PasskeyLogin = "passkey_login",
    PasskeyCounterRegression = "passkey_counter_regression",
    // App passwords and the DAV clients that sign in with them.
    AppPasswordCreate = "app_password_create",
    AppPasswordRevoke = "app_password_revoke",
    DavLoginFailure = "dav_login_failure",
    // Single sign-on (OpenID Connect).
    OidcLogin = "oidc_login",
    OidcLoginFailure = "oidc_login_failure",
    OidcAccountCreate = "oidc_account_create",
    OidcRoleChange = "oidc_role_change",
    OidcLink = "oidc_link",
    OidcUnlink = "oidc_unlink",
    OidcConfigChange = "oidc_config_change",
    // The admin API.
    AdminCreateUser = "admin_create_user",
    AdminUpdateUser = "admin_update_user",
    AdminDeleteUser = "admin_delete_user",
    AdminResetPassword = "admin_reset_password",
    AdminRevokeSessions = "admin_revoke_sessions",
    AdminUnlockUser = "admin_unlock_user",
    AdminResetMfa = "admin_reset_mfa",
    AdminConfigChange = "admin_config_change",
    AdminOutboundAllowChange = "admin_outbound_allow_change",
    // Outbound requests (ntfy, weather) the SSRF rules refused.
    OutboundRefused = "outbound_refused",
    // `umbra admin` (actor "cli").
    CreateUser = "create_user",
    SetRole = "set_role",
    ResetPassword = "reset_password",
    RevokeSessions = "revoke_sessions",
    ResetLockout = "reset_lockout",
    ListUsers = "list_users",
    ShowSetupCode = "show_setup_code",
    Backup = "backup",
    Restore = "restore",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn stored_names_round_trip_and_match_the_json_names() {
        for &action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
        assert_eq!(AuditAction::parse("Login"), None);
        assert_eq!(AuditAction::parse("drop_tables"), None);
    }
}
