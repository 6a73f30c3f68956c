-- Weather and the dashboard (issue 11).
--
-- user_settings gains where the user's weather is for: weather_latitude and weather_longitude
-- (both or neither; the service enforces it), weather_place (the name that was geocoded to
-- them, or NULL when coordinates were typed) and units ('metric' | 'imperial').
--
-- System config (key/value rows of system_config, absent = default) gains weather_base_url
-- (default https://api.open-meteo.com; empty turns weather off) and weather_geocoding_url
-- (default https://geocoding-api.open-meteo.com): nothing to create here.
ALTER TABLE user_settings ADD COLUMN weather_latitude REAL;
ALTER TABLE user_settings ADD COLUMN weather_longitude REAL;
ALTER TABLE user_settings ADD COLUMN weather_place TEXT;
ALTER TABLE user_settings ADD COLUMN units TEXT NOT NULL DEFAULT 'metric';

-- The provider's answers, shared by every user and every server process: one row per
-- location rounded to 2 decimals (kept as integer hundredths, so equality is exact) and units.
--   payload             JSON of domain::weather::Forecast; NULL until a fetch succeeded.
--   refresh_claimed_at  the process refreshing this row claimed it then (one refresh at a
--                       time per key, across processes); also holds back retries after a failure.
CREATE TABLE weather_cache (
    latitude_key        BIGINT  NOT NULL,
    longitude_key       BIGINT  NOT NULL,
    units               TEXT    NOT NULL,
    payload             TEXT,
    fetched_at          BIGINT,
    refresh_claimed_at  BIGINT,
    PRIMARY KEY (latitude_key, longitude_key, units)
);

-- The dashboard reads a user's open todos by due instant.
CREATE INDEX todos_user_due ON todos (user_id, completed, due_sort);
