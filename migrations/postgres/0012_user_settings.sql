-- Per-user settings (GET/PATCH /api/settings). A user without a row has the defaults, so
-- accounts created before this migration need nothing written for them.
--   timezone        IANA name; NULL until set (the UI sets it from the browser at the first
--                   sign-in); readers treat NULL as UTC.
--   quiet_start/end 'HH:MM' local to timezone, both set or both NULL; pushes falling inside are
--                   held back until the end (in-app notifications are never held).
--   ntfy_token      sealed with the server's secret box (like TOTP secrets), never returned.
--   ntfy_priorities JSON object: notification type -> 1..5; a missing type uses 3.
CREATE TABLE user_settings (
    user_id                 BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    display_name            TEXT    NOT NULL DEFAULT '',
    timezone                TEXT,
    week_start              TEXT    NOT NULL DEFAULT 'monday',
    date_format             TEXT    NOT NULL DEFAULT 'iso',
    time_format             TEXT    NOT NULL DEFAULT '24h',
    theme                   TEXT    NOT NULL DEFAULT 'system',
    quiet_start             TEXT,
    quiet_end               TEXT,
    ntfy_server             TEXT,
    ntfy_topic              TEXT,
    ntfy_token              TEXT,
    ntfy_priorities         TEXT    NOT NULL DEFAULT '{}',
    todo_due_alert_minutes  BIGINT  NOT NULL DEFAULT 60,
    updated_at              BIGINT  NOT NULL
);
