-- The dispatcher's bookkeeping (service::dispatch). Reminders carry their own claim columns
-- (0009); what else falls due, the pushes it sends and the links in those pushes live here.
-- Instants are unix milliseconds; flags are 0/1.

-- One row: when the dispatcher first ran on this database (todo and birthday alerts that fell
-- due before it existed are not sent: a fresh install does not announce every old overdue
-- todo) and how far its birthday scan has come (after downtime it resumes from there, so a
-- birthday that passed while every server was stopped is still delivered, once, late).
CREATE TABLE dispatch_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    epoch           BIGINT  NOT NULL,
    scanned_through BIGINT  NOT NULL
);

-- Todo due alerts and birthdays: one row per item and occurrence, written when it falls due
-- (item_key, unique, makes that idempotent: 'todo:<id>:<occurrence>', 'birthday:<id>:<date>')
-- and then claimed with a lease exactly like a reminder:
--   occurrence  todo: 'at:<due_at ms>' or 'date:<YYYY-MM-DD>'; birthday: the local date.
--   fire_at     when to alert; a push's "Snooze 1 h" moves it and sets pending again.
--   pending     1 until delivered (or found stale: the todo completed or moved meanwhile).
--   claimed_at  a dispatcher's lease, as in reminders.
CREATE TABLE due_alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    todo_id         INTEGER REFERENCES todos (id) ON DELETE CASCADE,
    person_id       INTEGER REFERENCES people (id) ON DELETE CASCADE,
    occurrence      TEXT    NOT NULL,
    item_key        TEXT    NOT NULL UNIQUE,
    fire_at         BIGINT  NOT NULL,
    pending         INTEGER NOT NULL DEFAULT 1 CHECK (pending IN (0, 1)),
    claimed_at      BIGINT,
    delivered_at    BIGINT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX due_alerts_pending ON due_alerts (pending, fire_at);
CREATE INDEX due_alerts_todo ON due_alerts (todo_id, occurrence);
CREATE INDEX due_alerts_person ON due_alerts (person_id, fire_at);
-- The todo scan: open todos by due moment.
CREATE INDEX todos_due_scan ON todos (completed, due_sort);

-- The push outbox: one row per push, written in the same transaction as the in-app
-- notification (same source_key), so a push retry never touches the notification.
--   status           pending | sent | failed (gave up after 5 attempts) | dropped (no ntfy
--                    target any more when its turn came).
--   next_attempt_at  when it may be sent: now, after a failure's backoff, or the end of the
--                    user's quiet hours (held = 1 once it was held back).
--   claimed_at       a sender's lease while the HTTP request is in flight.
--   item_kind/id     what the Done / Snooze buttons act on ('reminder' or 'todo'; NULL for
--                    pushes without buttons); alert_id the todo's due_alerts row.
--   last_error       the outbound client's or ntfy's status line, never a response body.
CREATE TABLE push_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_key      TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL DEFAULT '',
    link            TEXT,
    item_kind       TEXT,
    item_id         BIGINT,
    alert_id        INTEGER REFERENCES due_alerts (id) ON DELETE SET NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    claimed_at      BIGINT,
    held            INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
    last_status     BIGINT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT,
    UNIQUE (user_id, source_key)
);
CREATE INDEX push_deliveries_due ON push_deliveries (status, next_attempt_at);

-- The single-use links behind a push's buttons. Only the SHA-256 of the token is kept; a
-- token answers for exactly one action on one item until it expires or any link of the same
-- push has been used.
CREATE TABLE push_action_tokens (
    token_hash      TEXT    PRIMARY KEY,
    delivery_id     INTEGER NOT NULL REFERENCES push_deliveries (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action          TEXT    NOT NULL,
    item_kind       TEXT    NOT NULL,
    item_id         BIGINT  NOT NULL,
    alert_id        INTEGER REFERENCES due_alerts (id) ON DELETE CASCADE,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX push_action_tokens_delivery ON push_action_tokens (delivery_id);
CREATE INDEX push_action_tokens_expiry ON push_action_tokens (expires_at);
