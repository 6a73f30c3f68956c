-- The in-app notification centre. One row per thing a user is told about; the dispatcher,
-- connections and later domains write them through service::notifications.
--
-- source_key names what a notification is about and for which occurrence (e.g.
-- 'reminder:12:1764400000000', 'connection_request:7'); with the unique constraint it makes
-- every write idempotent (INSERT … ON CONFLICT DO NOTHING), so a retried or raced delivery
-- never shows the same notification twice. NULL for notifications that need no such guard.
-- kind is the API's `type` (connection_request, connection_accepted, reminder_due, todo_due,
-- birthday; later issues add more). link is an app path the UI opens. late is 1 when it was
-- delivered after downtime. Instants are unix milliseconds.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL DEFAULT '',
    link            TEXT,
    late            INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    source_key      TEXT,
    created_at      BIGINT  NOT NULL,
    read_at         BIGINT,
    UNIQUE (user_id, source_key)
);
-- The centre: one user's notifications newest first, and the unread count.
CREATE INDEX notifications_user_created ON notifications (user_id, created_at, id);
CREATE INDEX notifications_user_unread ON notifications (user_id, read_at);
