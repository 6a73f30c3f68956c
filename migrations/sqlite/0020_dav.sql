-- CalDAV/CardDAV sync and app passwords (issue 12).

-- Per-device app passwords: what DAV clients sign in with (HTTP Basic), never the account
-- password. token_hash is the SHA-256 (hex) of the normalised secret: the secret is 160
-- random bits, so a fast hash is enough and every DAV request can afford the check.
CREATE TABLE app_passwords (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT
);
CREATE INDEX app_passwords_user ON app_passwords (user_id);

-- Todos become VTODO resources: a stable UID (the resource name) and a revision (the ETag)
-- that grows with every change. Existing todos get a random UID.
ALTER TABLE todos ADD COLUMN uid TEXT NOT NULL DEFAULT '';
UPDATE todos SET uid = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX todos_user_uid ON todos (user_id, uid);
ALTER TABLE todos ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE people ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- Properties a DAV client sent that UMBRA has no field for, kept as the client's content
-- lines (unfolded, one per line) and written back into the object it reads.
ALTER TABLE events ADD COLUMN dav_extra TEXT NOT NULL DEFAULT '';
ALTER TABLE todos ADD COLUMN dav_extra TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN dav_extra TEXT NOT NULL DEFAULT '';

-- The resource name a DAV client chose for an object when it is not `<uid>.ics`/`<uid>.vcf`
-- (a client may PUT under any name and must find the object there again); NULL otherwise.
-- The change logs record the name too, so a deleted object is reported under it.
ALTER TABLE events ADD COLUMN dav_name TEXT;
CREATE UNIQUE INDEX events_dav_name ON events (calendar_id, dav_name);
ALTER TABLE todos ADD COLUMN dav_name TEXT;
CREATE UNIQUE INDEX todos_dav_name ON todos (user_id, dav_name);
ALTER TABLE people ADD COLUMN dav_name TEXT;
CREATE UNIQUE INDEX people_dav_name ON people (user_id, dav_name);
ALTER TABLE calendar_changes ADD COLUMN name TEXT;

-- The change logs of the per-user collections (calendars have theirs in calendar_changes):
-- 'todos' is the user's VTODO calendar, 'contacts' their address book. seq is the
-- collection's counter, taken with an upsert … RETURNING in the writer's transaction, so it
-- only grows, survives restarts and is serialised by the row lock on PostgreSQL.
CREATE TABLE collection_sync (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    collection      TEXT    NOT NULL CHECK (collection IN ('todos', 'contacts')),
    seq             BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, collection)
);

CREATE TABLE collection_changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    collection      TEXT    NOT NULL CHECK (collection IN ('todos', 'contacts')),
    seq             BIGINT  NOT NULL,
    uid             TEXT    NOT NULL,
    name            TEXT,
    kind            TEXT    NOT NULL CHECK (kind IN ('created', 'changed', 'deleted')),
    changed_at      BIGINT  NOT NULL,
    UNIQUE (user_id, collection, seq)
);
