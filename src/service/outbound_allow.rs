//! Replacing the outbound allow-list: stored for every server process, audited as
//! before → after (it widens what the server may be made to reach).

use super::{Caller, Context};
use crate::db::outbound_allow;
use crate::domain::audit_action::AuditAction;
use crate::outbound::allow::AllowList;

pub async fn replace(ctx: Context<'_>, caller: &Caller, list: &AllowList) -> Result<AllowList, sqlx::Error> {
    let mut tx = ctx.db.write().await?;
    let before = outbound_allow::load(&mut *tx).await?;
    outbound_allow::save(&mut *tx, list).await?;
    tx.commit().await?;
    let detail = serde_json::to_string(&(before.texts(), list.texts())).unwrap_or_default();
    caller.audit(ctx, AuditAction::AdminOutboundAllowChange, "outbound_allow", Some(detail)).await?;
    Ok(list.clone())
}
