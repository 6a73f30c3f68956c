-- The change logs are pruned (jobs::cleanup): pruned_through is the highest sequence number
-- deleted from a collection's log, 0 while nothing was. Every change numbered above it is
-- still in the log, so a sync token at or above it gets an exact delta and one below it is
-- refused (valid-sync-token) — also when the whole log was pruned.
ALTER TABLE calendars ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0;
ALTER TABLE collection_sync ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0;

-- The cleanup job finds entries past the retention by age.
CREATE INDEX calendar_changes_changed_at ON calendar_changes (changed_at);
CREATE INDEX collection_changes_changed_at ON collection_changes (changed_at);
