-- Reminders: a title and a time (optionally repeating in an IANA zone), optionally linked to
-- one of the owner's todos. Instants are unix milliseconds; statuses are active|done|dismissed.
--
-- Delivery (in-app and push) comes with the notifications work; the columns it needs are here
-- already so that no reminder created before then is missed:
--   fire_at        when the reminder next fires: snoozed_until when snoozed, else remind_at.
--                  Every write that changes either keeps it in step (service::reminders).
--   claimed_at     a dispatcher's lease: it claims due rows with one statement, e.g.
--                    UPDATE reminders SET claimed_at = $now
--                     WHERE status = 'active' AND fire_at <= $now
--                       AND (delivered_for IS NULL OR delivered_for <> fire_at)
--                       AND (claimed_at IS NULL OR claimed_at < $now - $lease)
--                    RETURNING id, user_id, title, fire_at
--                  and, once sent, sets delivered_at = $now, delivered_for = fire_at,
--                  claimed_at = NULL. A reschedule (snooze, done on a series, a new
--                  remind_at) changes fire_at and clears claimed_at, so the new time fires
--                  once more; the same fire_at is never delivered twice.
--   delivered_at   when it was last delivered; delivered_for the fire_at that delivery was for.
-- series_start is the first occurrence of a repeating reminder (a COUNT counts from it); it
-- moves only when the reminder's time, zone or rule is edited.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    notes           TEXT    NOT NULL DEFAULT '',
    remind_at       BIGINT  NOT NULL,
    -- IANA zone a series recurs in (09:00 local stays 09:00 across DST).
    timezone        TEXT    NOT NULL DEFAULT 'UTC',
    recurrence      TEXT,
    series_start    BIGINT  NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'active',
    snoozed_until   BIGINT,
    fire_at         BIGINT  NOT NULL,
    -- The owner's todo this reminder is about; deleting the todo unlinks it. Ownership is
    -- checked by the service before the link is written.
    todo_id         INTEGER REFERENCES todos (id) ON DELETE SET NULL,
    claimed_at      BIGINT,
    delivered_at    BIGINT,
    delivered_for   BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
-- The list: one user's reminders of a status in firing order.
CREATE INDEX reminders_user_fire ON reminders (user_id, status, fire_at, id);
-- The dispatcher: every user's due active reminders.
CREATE INDEX reminders_due ON reminders (status, fire_at);
CREATE INDEX reminders_todo ON reminders (todo_id);
