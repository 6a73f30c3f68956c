//! `umbra admin list-users`: a table of id, username, role, active, locked-until, last login.

use super::{Admin, Failure};
use crate::db::users;
use crate::domain::audit_action::AuditAction;
use crate::domain::time::UtcMillis;

pub async fn run(admin: &Admin) -> Result<String, Failure> {
    let rows = users::list(admin.db.pool()).await?;
    admin.audit(AuditAction::ListUsers, "users", None).await?;
    let now = UtcMillis::now();
    let show = |t: Option<i64>| t.map_or_else(|| "-".to_string(), |t| UtcMillis(t).to_rfc3339());
    let mut table = vec![["ID", "USERNAME", "ROLE", "ACTIVE", "LOCKED UNTIL", "LAST LOGIN"].map(String::from)];
    for row in rows {
        let locked = row.locked_until.filter(|t| *t > now.0);
        table.push([
            row.id.to_string(),
            row.username,
            row.role,
            if row.active.get() { "yes" } else { "no" }.to_string(),
            show(locked),
            show(row.last_login_at),
        ]);
    }
    let widths: Vec<usize> = (0..6).map(|c| table.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let lines: Vec<String> = table
        .iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect();
    Ok(lines.join("\n"))
}
