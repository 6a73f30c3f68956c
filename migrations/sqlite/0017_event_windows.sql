-- The range read's index. Selecting events by `span_start < window end` alone walks every
-- earlier event of a calendar (years of them) to test `span_end`. An event whose span is at
-- most 31 days can only overlap a window if it starts at most 31 days before it, so those
-- are found by a short index range; the few long ones (series without end, long series,
-- long single events) are walked on their own. `long_span` is computed by the database, so
-- no writer can get it wrong; the 31 days are `db::events::SHORT_SPAN_MS`.
ALTER TABLE events ADD COLUMN long_span INTEGER
    GENERATED ALWAYS AS (CASE WHEN span_end IS NULL OR span_end - span_start > 2678400000 THEN 1 ELSE 0 END) VIRTUAL;
DROP INDEX events_span;
CREATE INDEX events_window ON events (calendar_id, long_span, span_start);
