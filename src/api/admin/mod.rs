//! `/api/admin`: the admin console's API. Every route takes `AdminUser`, so standard users
//! get 403 before any handler code runs; every change is audited.

pub mod app_passwords;
pub mod audit_logs;
pub mod config;
pub mod oidc;
pub mod outbound;
pub mod user_actions;
pub mod users;

api_module![
    users::list_users,
    users::create_user,
    users::update_user,
    users::delete_user,
    user_actions::reset_password,
    user_actions::unlock_user,
    user_actions::reset_mfa,
    app_passwords::list_user_app_passwords,
    app_passwords::revoke_user_app_password,
    config::get_config,
    config::put_config,
    outbound::get_outbound_allow,
    outbound::put_outbound_allow,
    audit_logs::list_audit_logs,
    oidc::get_oidc,
    oidc::put_oidc,
    oidc::test_oidc,
    oidc::list_user_identities,
    oidc::link_user_identity,
    oidc::unlink_user_identity,
];
