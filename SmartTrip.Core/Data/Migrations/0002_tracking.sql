-- Tracking: users, sessions, event reference data, events and per-trip interaction counters.

CREATE TABLE users (
    id                 SERIAL PRIMARY KEY,
    anonymous_id       UUID        NOT NULL,
    auth_user_id       VARCHAR(255),
    email              VARCHAR(255),
    name               VARCHAR(100),
    name_he            VARCHAR(100),
    phone              VARCHAR(20),
    preferred_language VARCHAR(5)  DEFAULT 'he',
    first_seen_at      TIMESTAMPTZ DEFAULT now(),
    last_seen_at       TIMESTAMPTZ DEFAULT now(),
    total_sessions     INTEGER     NOT NULL DEFAULT 0,
    total_searches     INTEGER     NOT NULL DEFAULT 0,
    total_clicks       INTEGER     NOT NULL DEFAULT 0,
    is_registered      BOOLEAN     NOT NULL DEFAULT FALSE,
    is_active          BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_users_anonymous_id UNIQUE (anonymous_id),
    CONSTRAINT uq_users_auth_user_id UNIQUE (auth_user_id),
    CONSTRAINT uq_users_email UNIQUE (email)
);
CREATE INDEX idx_users_last_seen ON users (last_seen_at);

CREATE TABLE sessions (
    id               SERIAL PRIMARY KEY,
    session_id       UUID        NOT NULL,
    user_id          INTEGER     REFERENCES users (id),
    anonymous_id     UUID        NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at         TIMESTAMPTZ,
    duration_seconds INTEGER,
    user_agent       TEXT,
    ip_address       INET,
    referrer         TEXT,
    device_type      VARCHAR(20),
    search_count     INTEGER     NOT NULL DEFAULT 0,
    click_count      INTEGER     NOT NULL DEFAULT 0,
    save_count       INTEGER     NOT NULL DEFAULT 0,
    contact_count    INTEGER     NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_sessions_session_id UNIQUE (session_id)
);
CREATE INDEX idx_sessions_user_id      ON sessions (user_id);
CREATE INDEX idx_sessions_started_at   ON sessions (started_at);
CREATE INDEX idx_sessions_anonymous_id ON sessions (anonymous_id);
CREATE INDEX ix_sessions_open          ON sessions (started_at) WHERE ended_at IS NULL;

CREATE TABLE event_categories (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(50) NOT NULL,
    name_he     VARCHAR(50) NOT NULL,
    description TEXT,
    created_at  TIMESTAMP   NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_event_categories_name UNIQUE (name)
);

CREATE TABLE event_types (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(50) NOT NULL,
    name_he     VARCHAR(50) NOT NULL,
    category_id INTEGER     NOT NULL REFERENCES event_categories (id) ON DELETE RESTRICT,
    description TEXT,
    created_at  TIMESTAMP   NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_event_types_name UNIQUE (name)
);
CREATE INDEX ix_event_types_category ON event_types (category_id);

CREATE TABLE events (
    id                        BIGSERIAL PRIMARY KEY,
    event_id                  UUID         NOT NULL,
    user_id                   INTEGER      REFERENCES users (id),
    session_id                UUID         NOT NULL,
    anonymous_id              UUID         NOT NULL,
    event_type_id             INTEGER      NOT NULL REFERENCES event_types (id) ON DELETE RESTRICT,
    trip_id                   INTEGER,
    recommendation_request_id UUID,
    source                    VARCHAR(50),
    event_data                JSONB        NOT NULL DEFAULT '{}',
    position_in_results       INTEGER,
    score_at_time             NUMERIC(5,2),
    "timestamp"               TIMESTAMPTZ  NOT NULL DEFAULT now(),
    client_timestamp          TIMESTAMPTZ,
    page_url                  TEXT,
    referrer                  TEXT,
    created_at                TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ux_events_event_id          ON events (event_id);
CREATE INDEX idx_events_user_id                 ON events (user_id);
CREATE INDEX idx_events_trip_id                 ON events (trip_id);
CREATE INDEX idx_events_timestamp               ON events ("timestamp");
CREATE INDEX idx_events_source                  ON events (source);
CREATE INDEX idx_events_user_timestamp          ON events (user_id, "timestamp");
CREATE INDEX idx_events_trip_timestamp          ON events (trip_id, "timestamp");
CREATE INDEX ix_events_event_type_id            ON events (event_type_id);
CREATE INDEX ix_events_session_timestamp        ON events (session_id, "timestamp");

CREATE TABLE trip_interactions (
    id                       SERIAL PRIMARY KEY,
    trip_id                  INTEGER       NOT NULL,
    impression_count         INTEGER       NOT NULL DEFAULT 0,
    unique_viewers           INTEGER       NOT NULL DEFAULT 0,
    click_count              INTEGER       NOT NULL DEFAULT 0,
    unique_clickers          INTEGER       NOT NULL DEFAULT 0,
    total_dwell_time_seconds INTEGER       NOT NULL DEFAULT 0,
    avg_dwell_time_seconds   INTEGER       NOT NULL DEFAULT 0,
    save_count               INTEGER       NOT NULL DEFAULT 0,
    whatsapp_contact_count   INTEGER       NOT NULL DEFAULT 0,
    phone_contact_count      INTEGER       NOT NULL DEFAULT 0,
    booking_start_count      INTEGER       NOT NULL DEFAULT 0,
    click_through_rate       NUMERIC(10,4),
    save_rate                NUMERIC(10,4),
    contact_rate             NUMERIC(10,4),
    impressions_7d           INTEGER       NOT NULL DEFAULT 0,
    clicks_7d                INTEGER       NOT NULL DEFAULT 0,
    last_clicked_at          TIMESTAMPTZ,
    updated_at               TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT uq_trip_interactions_trip_id UNIQUE (trip_id)
);
CREATE INDEX idx_trip_interactions_clicks ON trip_interactions (click_count DESC);
CREATE INDEX idx_trip_interactions_ctr    ON trip_interactions (click_through_rate DESC NULLS LAST);
