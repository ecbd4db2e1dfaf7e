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

-- part / whole rounded half to even at 4 decimals, without trailing zeros (0.5, not 0.5000); 0 when whole is 0.
CREATE FUNCTION metrics_rate(part BIGINT, whole BIGINT) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(trim_scale(metrics_round(part::numeric / nullif(whole, 0), 4)), 0)
$$;

CREATE TABLE engagement_metrics_daily (
    date       DATE        PRIMARY KEY,
    metrics    JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
