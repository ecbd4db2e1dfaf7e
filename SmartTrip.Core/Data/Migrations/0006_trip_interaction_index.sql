-- The DailyMetrics trip-interaction recompute (analytics.md §5) reads every impression and click of a trip: this index
-- lets it do so with an index-only scan instead of scanning the whole events table.
CREATE INDEX IF NOT EXISTS ix_events_trip_interaction ON events (event_type_id, trip_id)
    INCLUDE (anonymous_id, "timestamp")
    WHERE trip_id IS NOT NULL;
