-- Analytics: the recommendation request log, daily metrics and evaluation scenarios.

CREATE TABLE recommendation_requests (
    id                  SERIAL PRIMARY KEY,
    request_id          UUID          NOT NULL,
    session_id          VARCHAR(64),
    user_id             INTEGER,
    created_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    preferences         JSONB         NOT NULL,
    selected_countries  INTEGER[],
    selected_continents TEXT[],
    preferred_type_id   INTEGER,
    preferred_theme_ids INTEGER[],
    min_duration        INTEGER,
    max_duration        INTEGER,
    budget              NUMERIC(10,2),
    difficulty          INTEGER,
    year                TEXT,
    month               TEXT,
    response_time_ms    INTEGER       NOT NULL,
    total_candidates    INTEGER       NOT NULL,
    primary_count       INTEGER       NOT NULL,
    relaxed_count       INTEGER       NOT NULL DEFAULT 0,
    final_count         INTEGER       NOT NULL,
    has_relaxed_results BOOLEAN       NOT NULL DEFAULT FALSE,
    has_no_results      BOOLEAN       NOT NULL DEFAULT FALSE,
    top_score           NUMERIC(5,2),
    avg_score           NUMERIC(5,2),
    min_score           NUMERIC(5,2),
    score_std_dev       NUMERIC(5,2),
    result_trip_ids     INTEGER[]     NOT NULL,
    result_scores       NUMERIC(5,2)[] NOT NULL,
    algorithm_version   VARCHAR(32)   NOT NULL DEFAULT 'v2.0',
    search_type         VARCHAR(20)   NOT NULL CHECK (search_type IN ('exploration', 'focused_search')),
    CONSTRAINT uq_recommendation_requests_request_id UNIQUE (request_id)
);
CREATE INDEX idx_rec_requests_created_at ON recommendation_requests (created_at);
CREATE INDEX idx_rec_requests_session    ON recommendation_requests (session_id);
CREATE INDEX idx_rec_requests_relaxed    ON recommendation_requests (has_relaxed_results);
CREATE INDEX idx_rec_requests_no_results ON recommendation_requests (has_no_results);
CREATE INDEX idx_rec_requests_type       ON recommendation_requests (preferred_type_id);

CREATE TABLE recommendation_metrics_daily (
    id                      SERIAL PRIMARY KEY,
    date                    DATE          NOT NULL,
    total_requests          INTEGER       NOT NULL DEFAULT 0,
    unique_sessions         INTEGER       NOT NULL DEFAULT 0,
    avg_response_time_ms    NUMERIC(10,2),
    p50_response_time_ms    INTEGER,
    p95_response_time_ms    INTEGER,
    p99_response_time_ms    INTEGER,
    max_response_time_ms    INTEGER,
    avg_top_score           NUMERIC(5,2),
    avg_result_count        NUMERIC(5,2),
    relaxed_trigger_rate    NUMERIC(5,4),
    no_results_rate         NUMERIC(5,4),
    low_score_rate          NUMERIC(5,4),
    searches_with_country   INTEGER,
    searches_with_continent INTEGER,
    searches_with_type      INTEGER,
    searches_with_themes    INTEGER,
    searches_with_budget    INTEGER,
    searches_with_dates     INTEGER,
    top_countries           JSONB,
    top_continents          JSONB,
    top_types               JSONB,
    top_themes              JSONB,
    created_at              TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT uq_recommendation_metrics_daily_date UNIQUE (date)
);

CREATE TABLE evaluation_scenarios (
    id                     SERIAL PRIMARY KEY,
    name                   VARCHAR(100)   NOT NULL,
    description            TEXT,
    category               VARCHAR(50),
    preferences            JSONB          NOT NULL,
    expected_min_results   INTEGER        NOT NULL DEFAULT 1,
    expected_min_top_score NUMERIC(5,2),
    expects_relaxed        BOOLEAN        NOT NULL DEFAULT FALSE,
    expected_trip_types    INTEGER[],
    expected_countries     INTEGER[],
    baseline_result_ids    INTEGER[],
    baseline_scores        NUMERIC(5,2)[],
    baseline_captured_at   TIMESTAMPTZ,
    is_active              BOOLEAN        NOT NULL DEFAULT TRUE,
    priority               INTEGER        NOT NULL DEFAULT 5,
    created_at             TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX idx_eval_scenarios_category ON evaluation_scenarios (category);
