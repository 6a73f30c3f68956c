//! The DAV protocol: which resource a path names and what each method does with it.
//! CONTRACT STUB: replaced by the protocol slice of issue 12.
#![allow(clippy::unused_async)] // The stub: the slice that fills this in awaits.

use rocket::http::Status;

use super::auth::DavAccount;
use super::{DavRequest, DavResponse};
use crate::server::AppState;

pub async fn dispatch(_state: &AppState, _account: &DavAccount, _request: DavRequest) -> DavResponse {
    DavResponse::text(Status::NotImplemented, "not built yet")
}
