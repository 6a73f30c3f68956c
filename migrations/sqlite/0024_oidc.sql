-- OpenID Connect sign-in (issue 13).
--
-- An identity at a provider is the pair (issuer, subject), never an e-mail address: it is
-- linked to one UMBRA account by an admin, by the signed-in user, or at creation.
CREATE TABLE oidc_identities (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issuer          TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_login_at   BIGINT,
    UNIQUE (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

-- A sign-in (or link) in progress at the provider: keyed by a hash of its state, bound to the
-- browser that started it by a hash of a cookie, used once, and gone after ten minutes.
CREATE TABLE oidc_flows (
    state_hash      TEXT    PRIMARY KEY,
    browser_hash    TEXT    NOT NULL,
    nonce           TEXT    NOT NULL,
    pkce_verifier   TEXT    NOT NULL,
    issuer          TEXT    NOT NULL,
    -- Set when a signed-in user links an identity to their own account.
    link_user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX oidc_flows_expiry ON oidc_flows (expires_at);

-- The identity a session was started with, if any: logout then ends the provider's session too.
ALTER TABLE sessions ADD COLUMN oidc_identity_id INTEGER REFERENCES oidc_identities (id) ON DELETE SET NULL;

-- A single sign-on that still needs UMBRA's own authenticator code (require_local_mfa): the
-- identity it came through and the role its groups give (NULL: keep), applied only once the
-- code is right, so nothing changes for someone who has the provider's password alone.
ALTER TABLE mfa_challenges ADD COLUMN oidc_identity_id INTEGER REFERENCES oidc_identities (id) ON DELETE CASCADE;
ALTER TABLE mfa_challenges ADD COLUMN oidc_role TEXT;
