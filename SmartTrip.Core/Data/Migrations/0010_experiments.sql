-- Ranking experiments (docs/experiments.md): variants of the recommendation constants served to shares of the browsers.
CREATE TABLE experiments (
    id          SERIAL       PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    description TEXT,
    surface     VARCHAR(50)  NOT NULL DEFAULT 'recommendations',
    status      VARCHAR(10)  NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'stopped')),
    -- [{"name", "share" (percent, the shares add up to 100), "overrides" {RecommendationOptions property: number}}];
    -- the first variant is the control and overrides nothing.
    variants    JSONB        NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    started_at  TIMESTAMPTZ,
    stopped_at  TIMESTAMPTZ,
    CONSTRAINT uq_experiments_name UNIQUE (name)
);
-- At most one running experiment per surface.
CREATE UNIQUE INDEX ux_experiments_running ON experiments (surface) WHERE status = 'running';

-- What each logged search was served with, and the browser it was assigned by.
ALTER TABLE recommendation_requests
    ADD COLUMN experiment_id INTEGER,
    ADD COLUMN variant       VARCHAR(50),
    ADD COLUMN anonymous_id  UUID;
CREATE INDEX ix_rec_requests_experiment ON recommendation_requests (experiment_id, variant) WHERE experiment_id IS NOT NULL;
