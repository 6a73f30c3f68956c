//! OpenID Connect sign-in settings (the admin's `oidc` section of the system config) and the
//! rules that hold whatever the provider says: who may still use a password, and what a
//! group claim maps to.

use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use crate::domain::role::Role;

/// Who may sign in with a password once single sign-on is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum PasswordLogin {
    #[default]
    Allowed,
    AdminsOnly,
    /// Nobody, except an admin account with no other way in (see `password_allowed`).
    Disabled,
}

impl PasswordLogin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::AdminsOnly => "admins_only",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Allowed, Self::AdminsOnly, Self::Disabled].into_iter().find(|mode| mode.as_str() == text)
    }
}

/// What the admin sets (the client secret is kept apart, sealed, and never shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OidcSettings {
    pub enabled: bool,
    /// The provider's issuer URL; discovery is at `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Space-separated; always includes `openid`.
    pub scopes: String,
    pub button_label: String,
    /// Create an account at the first sign-in of an identity nobody linked.
    pub auto_create: bool,
    /// The role of a created account when no admin group decides it.
    pub default_role: Role,
    /// The claim holding the user's groups.
    pub groups_claim: String,
    /// Members of this group are admins; empty: nobody becomes admin through the provider.
    pub admin_group: String,
    /// Members of this group are standard users; empty: anyone the provider signs in is.
    pub user_group: String,
    pub password_login: PasswordLogin,
    /// Allows a plain-http issuer that is not on this machine (tokens travel unencrypted).
    pub allow_http_issuer: bool,
    /// Ask for UMBRA's own authenticator code after the provider's sign-in too.
    pub require_local_mfa: bool,
    /// Sign out at the provider as well, when it offers an end-session endpoint.
    pub rp_logout: bool,
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            issuer: String::new(),
            client_id: String::new(),
            scopes: "openid profile email".into(),
            button_label: "Sign in with single sign-on".into(),
            auto_create: false,
            default_role: Role::Standard,
            groups_claim: "groups".into(),
            admin_group: String::new(),
            user_group: String::new(),
            password_login: PasswordLogin::Allowed,
            allow_http_issuer: false,
            require_local_mfa: false,
            rp_logout: true,
        }
    }
}

/// What the groups say about a user at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupVerdict {
    /// The groups decide the role (an admin group is set): this one, at every sign-in.
    Role(Role),
    /// Allowed in; with no admin group the groups say nothing about roles, so an existing
    /// account keeps its own and a new one gets `default_role`.
    Member,
    /// In neither group.
    Refused,
}

impl OidcSettings {
    /// Every field that is wrong, with why. `secret_set`: a client secret is stored or given.
    pub fn problems(&self, secret_set: bool) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if (!self.issuer.is_empty() || self.enabled)
            && let Err(why) = check_issuer(&self.issuer, self.allow_http_issuer)
        {
            problems.push(("issuer", why));
        }
        if self.enabled && self.client_id.trim().is_empty() {
            problems.push(("client_id", "is required to switch single sign-on on".into()));
        }
        if self.client_id.len() > 255 {
            problems.push(("client_id", "must be at most 255 characters".into()));
        }
        if self.enabled && !secret_set {
            problems.push(("client_secret", "is required to switch single sign-on on".into()));
        }
        let scopes: Vec<&str> = self.scopes.split_whitespace().collect();
        if !scopes.contains(&"openid") {
            problems.push(("scopes", "must include openid".into()));
        } else if self.scopes.len() > 500
            || scopes.iter().any(|s| !s.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'))
        {
            problems.push(("scopes", "must be space-separated scope names".into()));
        }
        let label = self.button_label.trim();
        if label.is_empty() || label.chars().count() > 60 {
            problems.push(("button_label", "must be 1 to 60 characters".into()));
        }
        for (field, value) in
            [("groups_claim", &self.groups_claim), ("admin_group", &self.admin_group), ("user_group", &self.user_group)]
        {
            if value.chars().count() > 200 || value.chars().any(char::is_control) {
                problems.push((field, "must be at most 200 characters, without control characters".into()));
            }
        }
        if self.groups_claim.trim().is_empty() {
            problems.push(("groups_claim", "must name a claim (usually groups)".into()));
        }
        problems
    }

    /// What the provider's groups give, applied at every sign-in: the admin group makes an
    /// admin; the user group (or, when no user group is set, any sign-in) lets a user in, as a
    /// standard user when an admin group is set (so leaving it demotes); anyone else is
    /// refused.
    pub fn role_for(&self, groups: &[String]) -> GroupVerdict {
        let member = |group: &str| !group.is_empty() && groups.iter().any(|g| g == group);
        if member(&self.admin_group) {
            GroupVerdict::Role(Role::Admin)
        } else if !(member(&self.user_group) || self.user_group.is_empty()) {
            GroupVerdict::Refused
        } else if self.admin_group.is_empty() {
            GroupVerdict::Member
        } else {
            GroupVerdict::Role(Role::Standard)
        }
    }

    /// The issuer as a URL (only meaningful once `problems` found none for it).
    pub fn issuer_url(&self) -> Option<Url> {
        Url::parse(&self.issuer).ok()
    }
}

/// An issuer must be https, or http on this machine (a loopback host), or http where the admin
/// allowed it explicitly; no credentials, query or fragment.
pub fn check_issuer(issuer: &str, allow_http: bool) -> Result<(), String> {
    let url = Url::parse(issuer).map_err(|_| "must be a URL like https://id.example.org".to_string())?;
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err("must not carry a user name, password, query or fragment".into());
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => return Err("must name a host".into()),
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback || allow_http => Ok(()),
        "http" => Err("must be https:// (or allow a plain-http issuer explicitly)".into()),
        _ => Err("must be an https:// URL".into()),
    }
}

/// Whether a password may sign this account in. `other_way_in`: the account has a linked
/// identity or a passkey. With passwords disabled, an admin without another way in keeps the
/// password, so the last admin can never be shut out by a setting.
pub fn password_allowed(mode: PasswordLogin, oidc_enabled: bool, role: Role, other_way_in: bool) -> bool {
    if !oidc_enabled {
        return true;
    }
    match mode {
        PasswordLogin::Allowed => true,
        PasswordLogin::AdminsOnly => role == Role::Admin,
        PasswordLogin::Disabled => role == Role::Admin && !other_way_in,
    }
}

/// Reads a group claim: an array of strings, or one string (some providers send one group
/// that way). Anything else holds no groups.
pub fn groups_from_claim(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn issuers_must_be_https_except_on_this_machine() {
        assert!(check_issuer("https://id.example.org/realms/home", false).is_ok());
        assert!(check_issuer("http://127.0.0.1:8080", false).is_ok());
        assert!(check_issuer("http://[::1]:8080", false).is_ok());
        assert!(check_issuer("http://localhost:9000", false).is_ok());
        assert!(check_issuer("http://id.lan", false).is_err());
        assert!(check_issuer("http://id.lan", true).is_ok());
        assert!(check_issuer("ftp://id.example.org", true).is_err());
        assert!(check_issuer("https://user:pw@id.example.org", false).is_err());
        assert!(check_issuer("https://id.example.org/?x=1", false).is_err());
        assert!(check_issuer("id.example.org", false).is_err());
    }

    #[test]
    fn groups_map_to_roles_and_strangers_are_refused() {
        let settings = OidcSettings { admin_group: "admins".into(), user_group: "family".into(), ..Default::default() };
        assert_eq!(settings.role_for(&groups(&["family", "admins"])), GroupVerdict::Role(Role::Admin));
        assert_eq!(settings.role_for(&groups(&["family"])), GroupVerdict::Role(Role::Standard));
        assert_eq!(settings.role_for(&groups(&["neighbours"])), GroupVerdict::Refused);
        assert_eq!(settings.role_for(&[]), GroupVerdict::Refused);
        let open = OidcSettings { default_role: Role::Admin, ..Default::default() };
        assert_eq!(open.role_for(&[]), GroupVerdict::Member, "no admin group: roles stay UMBRA's");
        // An empty group name never matches an empty claim value.
        let no_admins = OidcSettings { user_group: "family".into(), ..Default::default() };
        assert_eq!(no_admins.role_for(&groups(&[""])), GroupVerdict::Refused);
    }

    #[test]
    fn the_last_admin_keeps_a_way_in() {
        use PasswordLogin::*;
        assert!(password_allowed(Disabled, false, Role::Standard, true), "OIDC off: passwords work");
        assert!(password_allowed(AdminsOnly, true, Role::Admin, true));
        assert!(!password_allowed(AdminsOnly, true, Role::Standard, false));
        assert!(!password_allowed(Disabled, true, Role::Admin, true));
        assert!(password_allowed(Disabled, true, Role::Admin, false));
        assert!(!password_allowed(Disabled, true, Role::Standard, false));
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let on = OidcSettings { enabled: true, ..Default::default() };
        let fields: Vec<_> = on.problems(false).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["issuer", "client_id", "client_secret"]);
        let good = OidcSettings {
            enabled: true,
            issuer: "https://id.example.org".into(),
            client_id: "umbra".into(),
            ..Default::default()
        };
        assert!(good.problems(true).is_empty());
        let bad = OidcSettings { scopes: "profile email".into(), button_label: " ".into(), ..good };
        let fields: Vec<_> = bad.problems(true).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["scopes", "button_label"]);
        assert_eq!(groups_from_claim(Some(&serde_json::json!("one"))), groups(&["one"]));
        assert_eq!(groups_from_claim(Some(&serde_json::json!(["a", 1, "b"]))), groups(&["a", "b"]));
    }
}
