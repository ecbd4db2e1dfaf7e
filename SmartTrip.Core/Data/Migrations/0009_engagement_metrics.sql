-- Engagement metrics (docs/engagement.md): one JSON document per UTC day, so a new engagement figure needs no column;
-- and the half-to-even rounding the request metrics use, so a metric is rounded where SQL computes it.

-- Rounds half to even at `places` decimals (2.345 -> 2.34, 2.355 -> 2.36); exact for numeric input.
CREATE FUNCTION metrics_round(v NUMERIC, places INTEGER) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN abs(v * 10::numeric ^ places) % 1 = 0.5 AND trunc(v * 10::numeric ^ places) % 2 = 0 THEN trunc(v, places)
        ELSE round(v, places)
    END
$$;

CREATE TABLE engagement_metrics_daily (
    date       DATE        PRIMARY KEY,
    metrics    JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
