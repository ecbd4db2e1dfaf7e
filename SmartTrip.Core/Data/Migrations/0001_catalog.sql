-- Catalogue: companies, countries, guides, trip types, tags, templates, occurrences and their links.
-- Catalogue timestamps are TIMESTAMP WITHOUT TIME ZONE holding UTC.

CREATE TYPE continent AS ENUM (
    'AFRICA', 'ASIA', 'EUROPE', 'NORTH_AND_CENTRAL_AMERICA', 'SOUTH_AMERICA', 'OCEANIA', 'ANTARCTICA'
);

CREATE TYPE gender AS ENUM ('MALE', 'FEMALE', 'OTHER');

CREATE TABLE companies (
    id             SERIAL PRIMARY KEY,
    name           VARCHAR(255) NOT NULL,
    name_he        VARCHAR(255) NOT NULL,
    description    TEXT,
    description_he TEXT,
    logo_url       VARCHAR(500),
    website_url    VARCHAR(500),
    email          VARCHAR(255),
    phone          VARCHAR(50),
    address        TEXT,
    is_active      BOOLEAN   NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at     TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_companies_name UNIQUE (name)
);
CREATE INDEX ix_companies_is_active ON companies (is_active);

CREATE TABLE countries (
    id         SERIAL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    name_he    VARCHAR(100) NOT NULL,
    continent  continent    NOT NULL,
    created_at TIMESTAMP    NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at TIMESTAMP    NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_countries_name UNIQUE (name)
);
CREATE INDEX ix_countries_continent ON countries (continent);

CREATE TABLE guides (
    id         SERIAL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    name_he    VARCHAR(100),
    email      VARCHAR(255) NOT NULL,
    phone      VARCHAR(20),
    gender     gender       NOT NULL,
    age        INTEGER,
    bio        TEXT,
    bio_he     TEXT,
    image_url  VARCHAR(500),
    is_active  BOOLEAN   NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_guides_email UNIQUE (email)
);
CREATE INDEX ix_guides_is_active ON guides (is_active);

CREATE TABLE trip_types (
    id          SERIAL PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    name_he     VARCHAR(100) NOT NULL,
    description TEXT,
    created_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_trip_types_name UNIQUE (name)
);

CREATE TABLE tags (
    id          SERIAL PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    name_he     VARCHAR(100) NOT NULL,
    description TEXT,
    created_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT uq_tags_name UNIQUE (name)
);

CREATE TABLE trip_templates (
    id                      SERIAL PRIMARY KEY,
    title                   VARCHAR(255)  NOT NULL,
    title_he                VARCHAR(255)  NOT NULL,
    description             TEXT          NOT NULL,
    description_he          TEXT          NOT NULL,
    short_description       VARCHAR(500),
    short_description_he    VARCHAR(500),
    image_url               VARCHAR(500),
    base_price              NUMERIC(10,2) NOT NULL CHECK (base_price >= 0),
    single_supplement_price NUMERIC(10,2),
    typical_duration_days   INTEGER       NOT NULL CHECK (typical_duration_days > 0),
    default_max_capacity    INTEGER       NOT NULL,
    difficulty_level        SMALLINT      NOT NULL CHECK (difficulty_level BETWEEN 1 AND 5),
    company_id              INTEGER       NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    trip_type_id            INTEGER       REFERENCES trip_types (id) ON DELETE RESTRICT,
    primary_country_id      INTEGER       REFERENCES countries (id) ON DELETE RESTRICT,
    is_active               BOOLEAN       NOT NULL DEFAULT TRUE,
    properties              JSONB,
    created_at              TIMESTAMP     NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at              TIMESTAMP     NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX ix_trip_templates_company    ON trip_templates (company_id);
CREATE INDEX ix_trip_templates_type       ON trip_templates (trip_type_id);
CREATE INDEX ix_trip_templates_country    ON trip_templates (primary_country_id);
CREATE INDEX ix_trip_templates_active     ON trip_templates (is_active);
CREATE INDEX ix_trip_templates_difficulty ON trip_templates (difficulty_level);
CREATE INDEX ix_trip_templates_title      ON trip_templates (title);

CREATE TABLE trip_occurrences (
    id                         SERIAL PRIMARY KEY,
    trip_template_id           INTEGER       NOT NULL REFERENCES trip_templates (id) ON DELETE RESTRICT,
    guide_id                   INTEGER       REFERENCES guides (id) ON DELETE SET NULL,
    start_date                 DATE          NOT NULL,
    end_date                   DATE          NOT NULL,
    price_override             NUMERIC(10,2),
    single_supplement_override NUMERIC(10,2),
    max_capacity_override      INTEGER,
    spots_left                 INTEGER       NOT NULL CHECK (spots_left >= 0),
    status                     VARCHAR(20)   NOT NULL DEFAULT 'Open'
        CHECK (status IN ('Open', 'Guaranteed', 'Last Places', 'Full', 'Cancelled')),
    image_url_override         VARCHAR(500),
    notes                      TEXT,
    notes_he                   TEXT,
    properties                 JSONB,
    created_at                 TIMESTAMP     NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at                 TIMESTAMP     NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT ck_trip_occurrences_dates CHECK (end_date >= start_date)
);
CREATE INDEX ix_trip_occurrences_template       ON trip_occurrences (trip_template_id);
CREATE INDEX ix_trip_occurrences_guide          ON trip_occurrences (guide_id);
CREATE INDEX ix_trip_occurrences_dates          ON trip_occurrences (start_date, end_date);
CREATE INDEX ix_trip_occurrences_status         ON trip_occurrences (status);
CREATE INDEX ix_trip_occurrences_start_status   ON trip_occurrences (start_date, status);
CREATE INDEX ix_trip_occurrences_template_start ON trip_occurrences (trip_template_id, start_date);
CREATE INDEX ix_trip_occurrences_bookable       ON trip_occurrences (start_date)
    WHERE status NOT IN ('Cancelled', 'Full') AND spots_left > 0;

CREATE TABLE trip_template_tags (
    trip_template_id INTEGER   NOT NULL REFERENCES trip_templates (id) ON DELETE CASCADE,
    tag_id           INTEGER   NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    PRIMARY KEY (trip_template_id, tag_id)
);
CREATE INDEX ix_trip_template_tags_tag ON trip_template_tags (tag_id);

CREATE TABLE trip_template_countries (
    trip_template_id INTEGER   NOT NULL REFERENCES trip_templates (id) ON DELETE CASCADE,
    country_id       INTEGER   NOT NULL REFERENCES countries (id) ON DELETE CASCADE,
    visit_order      INTEGER   NOT NULL DEFAULT 1,
    days_in_country  INTEGER,
    created_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    PRIMARY KEY (trip_template_id, country_id)
);
CREATE INDEX ix_trip_template_countries_country ON trip_template_countries (country_id);
CREATE INDEX ix_trip_template_countries_order   ON trip_template_countries (trip_template_id, visit_order);

CREATE TABLE price_history (
    id               SERIAL PRIMARY KEY,
    trip_template_id INTEGER       NOT NULL REFERENCES trip_templates (id) ON DELETE CASCADE,
    old_price        NUMERIC(10,2),
    new_price        NUMERIC(10,2) NOT NULL,
    change_reason    VARCHAR(255),
    changed_by       VARCHAR(100),
    changed_at       TIMESTAMP     NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX ix_price_history_template ON price_history (trip_template_id);
CREATE INDEX ix_price_history_date     ON price_history (changed_at);

CREATE TABLE reviews (
    id                 SERIAL PRIMARY KEY,
    trip_template_id   INTEGER     NOT NULL REFERENCES trip_templates (id) ON DELETE CASCADE,
    trip_occurrence_id INTEGER     REFERENCES trip_occurrences (id) ON DELETE SET NULL,
    reviewer_name      VARCHAR(100),
    reviewer_email     VARCHAR(255),
    is_anonymous       BOOLEAN     NOT NULL DEFAULT FALSE,
    rating             SMALLINT    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title              VARCHAR(200),
    content            TEXT,
    content_he         TEXT,
    source             VARCHAR(20) NOT NULL DEFAULT 'Website',
    is_verified        BOOLEAN     NOT NULL DEFAULT FALSE,
    is_approved        BOOLEAN     NOT NULL DEFAULT FALSE,
    is_featured        BOOLEAN     NOT NULL DEFAULT FALSE,
    travel_date        DATE,
    created_at         TIMESTAMP   NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at         TIMESTAMP   NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX ix_reviews_template    ON reviews (trip_template_id);
CREATE INDEX ix_reviews_occurrence  ON reviews (trip_occurrence_id);
CREATE INDEX ix_reviews_is_approved ON reviews (is_approved);
CREATE INDEX ix_reviews_is_featured ON reviews (is_featured);
CREATE INDEX ix_reviews_rating      ON reviews (rating);
