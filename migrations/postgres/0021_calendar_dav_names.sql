-- The URL segment a DAV client chose for a calendar it made with MKCALENDAR
-- (/dav/calendars/<user>/<segment>/): clients keep using the URL they asked for (RFC 4791
-- §5.3.1). NULL: the calendar is addressed by its id. Unique per owner, like a folder name.
ALTER TABLE calendars ADD COLUMN dav_name TEXT;
CREATE UNIQUE INDEX calendars_dav_name ON calendars (owner_id, dav_name);
