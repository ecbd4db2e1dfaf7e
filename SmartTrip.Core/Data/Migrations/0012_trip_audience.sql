-- Unique viewers and clickers of each trip, kept as events arrive instead of recounted from all of history every night
-- (decision 0012): trip_audience holds each (trip, kind, browser) once, kind 1 a viewer (an impression), 2 a clicker
-- (a click_trip). The drain inserts a stored event's browser there in the event's transaction and adds the rows it
-- created to trip_interactions.unique_viewers / unique_clickers; archiving old events leaves both as they are. This
-- migration fills the table from the events there are and sets the counters from it.
CREATE TABLE trip_audience (
    trip_id      INTEGER  NOT NULL,
    kind         SMALLINT NOT NULL CHECK (kind IN (1, 2)),
    anonymous_id UUID     NOT NULL,
    PRIMARY KEY (trip_id, kind, anonymous_id)
);

INSERT INTO trip_audience (trip_id, kind, anonymous_id)
SELECT DISTINCT e.trip_id, CASE t.name WHEN 'impression' THEN 1 ELSE 2 END, e.anonymous_id
  FROM events e JOIN event_types t ON t.id = e.event_type_id
 WHERE e.trip_id IS NOT NULL AND t.name IN ('impression', 'click_trip');

UPDATE trip_interactions i
   SET unique_viewers = coalesce(a.viewers, 0), unique_clickers = coalesce(a.clickers, 0)
  FROM trip_interactions o
  LEFT JOIN (SELECT trip_id, count(*) FILTER (WHERE kind = 1) AS viewers, count(*) FILTER (WHERE kind = 2) AS clickers
               FROM trip_audience GROUP BY trip_id) a ON a.trip_id = o.trip_id
 WHERE i.id = o.id;
