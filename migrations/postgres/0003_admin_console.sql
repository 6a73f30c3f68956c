-- Admin console and self-service sessions: a forced password change, and when a session
-- last proved its password again (sensitive changes require it within 10 minutes).
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
ALTER TABLE sessions ADD COLUMN reauth_at BIGINT;
