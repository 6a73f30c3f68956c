-- Core appliance: users, sessions, login failures, audit log, system settings.
-- Instants are unix milliseconds (BIGINT); flags are 0/1 integers.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'standard')),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    last_login_at   BIGINT
);

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    last_seen_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    locked          INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    ip              TEXT,
    user_agent      TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);

-- Keyed by the submitted username (lower case), whether or not such a user exists.
CREATE TABLE login_failures (
    username_key    TEXT    PRIMARY KEY,
    failures        INTEGER NOT NULL,
    locked_until    BIGINT,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              BIGINT  NOT NULL,
    actor           TEXT    NOT NULL,
    actor_user_id   INTEGER,
    action          TEXT    NOT NULL,
    target          TEXT,
    ip              TEXT,
    user_agent      TEXT,
    detail          TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE system_config (
    key             TEXT    PRIMARY KEY,
    value           TEXT    NOT NULL
);
