-- Second factors: a TOTP secret per user (encrypted; pending until confirmed), single-use
-- recovery codes (hashed), and the short-lived challenge between password and code.
CREATE TABLE user_totp (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_enc      TEXT    NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    last_step       BIGINT,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE recovery_codes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash       TEXT    NOT NULL,
    used_at         BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE mfa_challenges (
    token_hash      TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at      BIGINT  NOT NULL
);
