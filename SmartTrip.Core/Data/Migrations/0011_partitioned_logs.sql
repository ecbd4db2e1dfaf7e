-- The two logs that grow without bound become monthly range partitions (decision 0012): events on the server's receive
-- time ("timestamp"), recommendation_requests on created_at, each month a table events_YYYY_MM (UTC months), plus a
-- default partition that catches a row no month takes (health warns when it holds any). Existing rows are copied into
-- their months in this one transaction; the indexes are built after the copy.
--
-- A unique key of a partitioned table must hold its partition key, so events.event_id can no longer be unique by
-- itself: event_ids keeps every event id the drain stored with its receive time (the drain inserts there first and
-- stores only the events whose id was new), and keys older than the dedupe window are pruned. For the request log,
-- (request_id, created_at) is unique: a row is written with its created_at, so a retried write carries the same one.

-- Creates the partition of one UTC month of a log (idempotent; 1 when it was created). SECURITY DEFINER: the app's
-- login (smarttrip_app) has no DDL rights and keeps partitions ahead through this function only.
CREATE FUNCTION smarttrip_create_month_partition(parent text, month date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    partition_name text := format('%s_%s', parent, to_char(month, 'YYYY_MM'));
    month_start timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
    month_end timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF parent NOT IN ('events', 'recommendation_requests') THEN
        RAISE EXCEPTION 'not a partitioned log: %', parent;
    END IF;
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN 0;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', partition_name, parent, month_start, month_end);
    RETURN 1;
END $$;

-- The partitions of this month and the next months_ahead months of both logs; how many were created.
CREATE FUNCTION smarttrip_ensure_partitions(months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    created integer := 0;
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
    IF months_ahead NOT BETWEEN 0 AND 24 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 24, not %', months_ahead;
    END IF;
    FOR i IN 0..months_ahead LOOP
        created := created + smarttrip_create_month_partition('events', (this_month + make_interval(months => i))::date)
                           + smarttrip_create_month_partition('recommendation_requests', (this_month + make_interval(months => i))::date);
    END LOOP;
    RETURN created;
END $$;

REVOKE ALL ON FUNCTION smarttrip_create_month_partition(text, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION smarttrip_ensure_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION smarttrip_create_month_partition(text, date) TO smarttrip_app;
GRANT EXECUTE ON FUNCTION smarttrip_ensure_partitions(integer) TO smarttrip_app;

-- The months a table's rows fall in, and three ahead.
CREATE FUNCTION pg_temp.create_months(parent text, first_row timestamptz, last_row timestamptz) RETURNS void
LANGUAGE sql AS $$
    SELECT smarttrip_create_month_partition(parent, m::date)
      FROM generate_series(date_trunc('month', coalesce(first_row, now()) AT TIME ZONE 'UTC'),
                           greatest(date_trunc('month', coalesce(last_row, now()) AT TIME ZONE 'UTC'),
                                    date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months'),
                           interval '1 month') AS m;
$$;

-- events ------------------------------------------------------------------------------------------------------------
CREATE TABLE event_ids (
    event_id    UUID        PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE events RENAME TO events_unpartitioned;
ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey;

CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE ("timestamp");
ALTER SEQUENCE events_id_seq OWNED BY events.id;
SELECT pg_temp.create_months('events', (SELECT min("timestamp") FROM events_unpartitioned), (SELECT max("timestamp") FROM events_unpartitioned));
CREATE TABLE events_default PARTITION OF events DEFAULT;

DROP INDEX ux_events_event_id, idx_events_user_id, idx_events_trip_id, idx_events_timestamp, idx_events_source,
           idx_events_user_timestamp, idx_events_trip_timestamp, ix_events_event_type_id, ix_events_session_timestamp,
           ix_events_trip_interaction;
INSERT INTO event_ids (event_id, received_at) SELECT event_id, "timestamp" FROM events_unpartitioned;
INSERT INTO events SELECT * FROM events_unpartitioned;
DROP TABLE events_unpartitioned;

ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id, "timestamp");
ALTER TABLE events ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE events ADD CONSTRAINT events_event_type_id_fkey FOREIGN KEY (event_type_id) REFERENCES event_types (id) ON DELETE RESTRICT;
CREATE INDEX idx_events_timestamp        ON events ("timestamp");
CREATE INDEX idx_events_source           ON events (source);
CREATE INDEX idx_events_user_timestamp   ON events (user_id, "timestamp");
CREATE INDEX idx_events_trip_timestamp   ON events (trip_id, "timestamp");
CREATE INDEX ix_events_event_type_id     ON events (event_type_id);
CREATE INDEX ix_events_session_timestamp ON events (session_id, "timestamp");
CREATE INDEX ix_events_trip_interaction  ON events (event_type_id, trip_id) INCLUDE (anonymous_id, "timestamp") WHERE trip_id IS NOT NULL;
CREATE INDEX ix_event_ids_received_at    ON event_ids (received_at);

-- recommendation_requests -------------------------------------------------------------------------------------------
ALTER TABLE recommendation_requests RENAME TO recommendation_requests_unpartitioned;
ALTER TABLE recommendation_requests_unpartitioned RENAME CONSTRAINT recommendation_requests_pkey TO recommendation_requests_unpartitioned_pkey;
ALTER TABLE recommendation_requests_unpartitioned DROP CONSTRAINT uq_recommendation_requests_request_id;

CREATE TABLE recommendation_requests (LIKE recommendation_requests_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (created_at);
ALTER SEQUENCE recommendation_requests_id_seq OWNED BY recommendation_requests.id;
SELECT pg_temp.create_months('recommendation_requests',
    (SELECT min(created_at) FROM recommendation_requests_unpartitioned), (SELECT max(created_at) FROM recommendation_requests_unpartitioned));
CREATE TABLE recommendation_requests_default PARTITION OF recommendation_requests DEFAULT;

DROP INDEX idx_rec_requests_created_at, idx_rec_requests_session, idx_rec_requests_relaxed, idx_rec_requests_no_results,
           idx_rec_requests_type, ix_rec_requests_experiment;
INSERT INTO recommendation_requests SELECT * FROM recommendation_requests_unpartitioned;
DROP TABLE recommendation_requests_unpartitioned;

ALTER TABLE recommendation_requests ADD CONSTRAINT recommendation_requests_pkey PRIMARY KEY (id, created_at);
ALTER TABLE recommendation_requests ADD CONSTRAINT uq_recommendation_requests_request_id UNIQUE (request_id, created_at);
CREATE INDEX idx_rec_requests_created_at ON recommendation_requests (created_at);
CREATE INDEX idx_rec_requests_session    ON recommendation_requests (session_id);
CREATE INDEX idx_rec_requests_relaxed    ON recommendation_requests (has_relaxed_results);
CREATE INDEX idx_rec_requests_no_results ON recommendation_requests (has_no_results);
CREATE INDEX idx_rec_requests_type       ON recommendation_requests (preferred_type_id);
CREATE INDEX ix_rec_requests_experiment  ON recommendation_requests (experiment_id, variant) WHERE experiment_id IS NOT NULL;
