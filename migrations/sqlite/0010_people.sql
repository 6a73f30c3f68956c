-- People: a user's contacts. E-mail addresses and phone numbers are JSON lists of
-- {label, value} (TEXT); tags are a JSON list for reading and rows of person_tags for the
-- exact tag filter. `uid` is the vCard UID (server-assigned, or kept from an import), unique
-- per user so that re-importing a file updates instead of duplicating. Birthdays are
-- `YYYY-MM-DD` or `--MM-DD` (year unknown).
CREATE TABLE people (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    uid             TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    nickname        TEXT    NOT NULL DEFAULT '',
    emails          TEXT    NOT NULL DEFAULT '[]',
    phones          TEXT    NOT NULL DEFAULT '[]',
    -- Name, nickname and e-mail addresses, lower-cased by the application (SQLite's LOWER
    -- knows only ASCII), one a line: what `q` searches; the JSON's keys and labels must not match.
    search_text     TEXT    NOT NULL DEFAULT '',
    birthday        TEXT,
    address         TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    tags            TEXT    NOT NULL DEFAULT '[]',
    favourite       BIGINT  NOT NULL DEFAULT 0,
    location_id     INTEGER REFERENCES locations (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (user_id, uid)
);
CREATE INDEX people_user_name ON people (user_id, name);
CREATE INDEX people_location ON people (location_id);

CREATE TABLE person_tags (
    person_id       INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    tag             TEXT    NOT NULL,
    PRIMARY KEY (person_id, tag)
);
CREATE INDEX person_tags_tag ON person_tags (tag);
