-- Locations: places a user goes to, linked from people (and, later, events). Coordinates are
-- optional but come in pairs (checked by the application); text fields default to ''.
CREATE TABLE locations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    address         TEXT    NOT NULL DEFAULT '',
    latitude        REAL,
    longitude       REAL,
    category        TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    -- Name and address lower-cased by the application (SQLite's LOWER knows only ASCII):
    -- what `q` searches.
    search_text     TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX locations_user_name ON locations (user_id, name);
