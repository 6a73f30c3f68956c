-- Wrong second-factor codes (TOTP and recovery codes) per user, counted apart from wrong
-- passwords: a correct password must not forgive code guessing. Same shape and rules as
-- login_failures; `failures` counts attempts reserved before the check, so parallel
-- guesses cannot overrun the threshold.
CREATE TABLE second_factor_failures (
    user_id         BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    failures        BIGINT  NOT NULL,
    locked_until    BIGINT,
    updated_at      BIGINT  NOT NULL
);
