-- Calendars and events (issue 10): calendars with per-user view preferences, events with
-- RRULE recurrence and per-occurrence overrides, the per-calendar change log CalDAV sync will
-- read, templates, shares, invitations and secret ICS feeds. Instants are unix milliseconds
-- (UTC); all-day dates are 'YYYY-MM-DD' text; flags are 0/1; lists are JSON text.

-- timezone NULL means "the owner's zone" (user_settings.timezone, UTC when unset): the default
-- calendar is made when the account is, before the owner has chosen a zone.
-- sync_seq is the calendar's change counter: every change to one of its events takes the next
-- value in the same transaction (UPDATE … SET sync_seq = sync_seq + 1 … RETURNING), so the
-- counter only grows, survives restarts and is serialised by the row lock on PostgreSQL.
CREATE TABLE calendars (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    colour          TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    timezone        TEXT,
    is_default      BIGINT  NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    sync_seq        BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX calendars_owner ON calendars (owner_id);
-- One default calendar per user.
CREATE UNIQUE INDEX calendars_one_default ON calendars (owner_id) WHERE is_default = 1;

-- Every account has its default calendar from the moment it exists, whichever way it was
-- made (setup, registration, admin, CLI): the database makes it in the same statement.
CREATE TRIGGER users_default_calendar AFTER INSERT ON users
BEGIN
    INSERT INTO calendars (owner_id, name, colour, is_default, created_at, updated_at)
    VALUES (NEW.id, 'Personal', '#5B8DEF', 1, NEW.created_at, NEW.created_at);
END;
INSERT INTO calendars (owner_id, name, colour, is_default, created_at, updated_at)
SELECT id, 'Personal', '#5B8DEF', 1, created_at, created_at FROM users;

-- A user's view of a calendar they can see (their own or a shared one).
CREATE TABLE calendar_preferences (
    calendar_id     INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hidden          BIGINT  NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    colour_override TEXT,
    PRIMARY KEY (calendar_id, user_id)
);

-- Shares: the owner (or a manage member) offers a level to a connected user; nothing is
-- visible to the member until status is 'accepted'. Declining deletes the row. Access is
-- judged at use (calendar_members below): a share whose two users are no longer connected
-- grants nothing.
CREATE TABLE calendar_shares (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id     INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    member_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shared_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    level           TEXT    NOT NULL CHECK (level IN ('read', 'write', 'manage')),
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
    created_at      BIGINT  NOT NULL,
    accepted_at     BIGINT,
    UNIQUE (calendar_id, member_id)
);
CREATE INDEX calendar_shares_member ON calendar_shares (member_id, status);

-- The capability every calendar and event query joins: who may do what with which calendar.
-- level_rank 4 owner, 3 manage, 2 write, 1 read. A share counts only while accepted and while the
-- member and the owner are connected (the connections pair index answers that).
CREATE VIEW calendar_members AS
SELECT c.id AS calendar_id, c.owner_id AS user_id, CAST(4 AS BIGINT) AS level_rank
FROM calendars c
UNION ALL
SELECT s.calendar_id, s.member_id AS user_id,
       CAST(CASE s.level WHEN 'manage' THEN 3 WHEN 'write' THEN 2 ELSE 1 END AS BIGINT) AS level_rank
FROM calendar_shares s
JOIN calendars c ON c.id = s.calendar_id
JOIN connections k
  ON k.user_low = CASE WHEN s.member_id < c.owner_id THEN s.member_id ELSE c.owner_id END
 AND k.user_high = CASE WHEN s.member_id < c.owner_id THEN c.owner_id ELSE s.member_id END
 AND k.status = 'accepted'
WHERE s.status = 'accepted';

-- Events. Timed events have start_at/end_at (instants) and recur in `timezone`; all-day events
-- have start_date/end_date (end exclusive) and use `timezone` only for alerts. uid is stable
-- for the event's life (iCalendar UID, CalDAV resource name); revision grows with every change
-- to the event or its overrides (the ETag). recurrence is RRULE text; exdates a JSON list of
-- excluded occurrences, in the form of recurrence ids (see event_overrides).
-- span_start/span_end bound every occurrence, overrides included (all-day ones widened by the
-- largest zone offsets), span_end NULL for a series without end: a range read is one index
-- range per calendar, and only what overlaps is expanded.
-- created_by is the organiser for invitations.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id     INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid             TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    location        TEXT    NOT NULL DEFAULT '',
    location_id     INTEGER REFERENCES locations (id) ON DELETE SET NULL,
    colour          TEXT,
    all_day         BIGINT  NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    start_at        BIGINT,
    end_at          BIGINT,
    start_date      TEXT,
    end_date        TEXT,
    timezone        TEXT    NOT NULL,
    alerts          TEXT    NOT NULL DEFAULT '[]',
    recurrence      TEXT,
    exdates         TEXT    NOT NULL DEFAULT '[]',
    span_start      BIGINT  NOT NULL,
    span_end        BIGINT,
    revision        BIGINT  NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    CHECK ((all_day = 1 AND start_date IS NOT NULL AND end_date IS NOT NULL AND start_at IS NULL AND end_at IS NULL)
        OR (all_day = 0 AND start_at IS NOT NULL AND end_at IS NOT NULL AND start_date IS NULL AND end_date IS NULL)),
    UNIQUE (calendar_id, uid)
);
CREATE INDEX events_span ON events (calendar_id, span_start);
CREATE INDEX events_location ON events (location_id);

-- One changed occurrence of a series ("this event" edits, iCalendar RECURRENCE-ID).
-- recurrence_id is the occurrence's original start: the instant for timed series, the date at
-- 00:00 UTC for all-day ones. The override holds the occurrence's own values in full.
CREATE TABLE event_overrides (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    recurrence_id   BIGINT  NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    location        TEXT    NOT NULL DEFAULT '',
    colour          TEXT,
    start_at        BIGINT,
    end_at          BIGINT,
    start_date      TEXT,
    end_date        TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (event_id, recurrence_id)
);

-- The change log CalDAV sync reads (sync-token = seq). uid names the resource, also after it
-- was deleted; kind is 'created', 'changed' or 'deleted'.
CREATE TABLE calendar_changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id     INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    seq             BIGINT  NOT NULL,
    uid             TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('created', 'changed', 'deleted')),
    changed_at      BIGINT  NOT NULL,
    UNIQUE (calendar_id, seq)
);

-- Presets for new events, per user.
CREATE TABLE event_templates (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    title            TEXT    NOT NULL DEFAULT '',
    duration_minutes BIGINT  NOT NULL DEFAULT 60,
    calendar_id      INTEGER REFERENCES calendars (id) ON DELETE SET NULL,
    description      TEXT    NOT NULL DEFAULT '',
    location         TEXT    NOT NULL DEFAULT '',
    alerts           TEXT    NOT NULL DEFAULT '[]',
    colour           TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX event_templates_owner ON event_templates (owner_id);

-- Invitations to one event. The organiser is events.created_by; an invitation grants the
-- invitee read access to that event only while they are connected to the organiser.
CREATE TABLE event_invitations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    invitee_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'tentative', 'declined')),
    created_at      BIGINT  NOT NULL,
    responded_at    BIGINT,
    UNIQUE (event_id, invitee_id)
);
CREATE INDEX event_invitations_invitee ON event_invitations (invitee_id, status);

-- Secret ICS feeds: only the SHA-256 of the token is kept (hex); one feed per calendar.
CREATE TABLE calendar_feeds (
    calendar_id     INTEGER PRIMARY KEY REFERENCES calendars (id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL
);

-- Event alerts ride on the dispatcher's due_alerts (kind 'event_alert',
-- item_key 'event:<id>:<occurrence start ms>:<minutes>').
ALTER TABLE due_alerts ADD COLUMN event_id INTEGER REFERENCES events (id) ON DELETE CASCADE;
CREATE INDEX due_alerts_event ON due_alerts (event_id);
