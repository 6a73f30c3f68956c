//! The per-user DAV collections, driven through their six functions (`dav::todo_objects`,
//! `dav::contact_objects`) on the app's own database, beside the JSON API: the same todos and
//! people seen both ways, every write path in the change log, preconditions, isolation
//! between users, and bodies refused whole.

use umbra::dav::auth::DavAccount;
use umbra::dav::store::{DavError, ObjectMeta};
use umbra::domain::id::AppPasswordId;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::service::Context;

use crate::harness::{PASSWORD, Persona, TestApp};

mod contacts;
mod todos;

/// What a workflow runs with: the app's database and its (manual) clock.
fn ctx(app: &TestApp) -> Context<'_> {
    Context {
        db: &app.db,
        now: UtcMillis(app.clock.now_millis()),
        settings: umbra::server::default_system_settings(&app.config),
    }
}

/// A signed-in user and the DAV account their app password would give.
async fn dav_user<'a>(app: &'a TestApp, name: &str) -> (Persona<'a>, DavAccount) {
    let user_id = app.create_user(name, Role::Standard).await;
    let persona = app.persona(name, PASSWORD);
    assert_eq!(persona.login().await.status, 200);
    (persona, DavAccount { user_id, username: name.to_string(), app_password_id: AppPasswordId(0) })
}

fn names(metas: &[ObjectMeta]) -> Vec<String> {
    metas.iter().map(|m| m.name.clone()).collect()
}

/// An `Invalid` refusal's precondition and reason.
fn refusal<T: std::fmt::Debug>(result: Result<T, DavError>) -> (Option<&'static str>, String) {
    match result {
        Err(DavError::Invalid { precondition, detail }) => (precondition, detail),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn precondition_failed<T: std::fmt::Debug>(result: Result<T, DavError>) {
    assert!(matches!(result, Err(DavError::PreconditionFailed)), "{result:?}");
}
