-- Passkeys (WebAuthn credentials, serialised by webauthn-rs) and the server-side state of
-- WebAuthn ceremonies, which any server process may finish.
ALTER TABLE users ADD COLUMN webauthn_handle TEXT;

CREATE TABLE passkeys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    credential_id   TEXT    NOT NULL UNIQUE,
    credential      TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT
);
CREATE INDEX passkeys_user ON passkeys (user_id);

CREATE TABLE webauthn_ceremonies (
    id              TEXT    PRIMARY KEY,
    kind            TEXT    NOT NULL,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT,
    state           TEXT    NOT NULL,
    expires_at      BIGINT  NOT NULL
);
