//! The admin's outbound allow-list, one `system_config` row (`outbound_allow`, a JSON array
//! of strings) so that every server process reads the same list.

use sqlx::{Any, Executor};

use super::system_config;
use crate::outbound::allow::AllowList;

pub const KEY: &str = "outbound_allow";

/// The stored list; an absent or unreadable row is an empty list (nothing private allowed).
pub async fn load<'c>(db: impl Executor<'c, Database = Any>) -> Result<AllowList, sqlx::Error> {
    Ok(AllowList::from_stored(system_config::get(db, KEY).await?.as_deref()))
}

pub async fn save<'c>(db: impl Executor<'c, Database = Any>, list: &AllowList) -> Result<(), sqlx::Error> {
    system_config::set(db, KEY, &list.to_stored()).await
}
