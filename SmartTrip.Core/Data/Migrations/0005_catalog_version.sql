-- A catalogue version number that every change to the catalogue tables increases. The recommendation engine keeps
-- the narrow scoring rows and the hydrated trips of the winners in memory and reloads them when this number moves,
-- so a search costs no catalogue query in the steady state.

CREATE TABLE catalog_version (
    singleton  BOOLEAN     PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version    BIGINT      NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO catalog_version (version) VALUES (1);

CREATE FUNCTION bump_catalog_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET version = version + 1, changed_at = now();
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    catalog_table TEXT;
BEGIN
    FOREACH catalog_table IN ARRAY ARRAY[
        'companies', 'countries', 'guides', 'trip_types', 'tags', 'trip_templates',
        'trip_template_tags', 'trip_template_countries', 'trip_occurrences']
    LOOP
        EXECUTE format(
            'CREATE TRIGGER trg_%1$s_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I
               FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()',
            catalog_table);
    END LOOP;
END;
$$;

-- The snapshot query: every occurrence that can still be recommended (not cancelled, not full, not in the past).
CREATE INDEX ix_trip_occurrences_recommendable ON trip_occurrences (start_date)
    INCLUDE (trip_template_id, end_date, price_override, spots_left, status)
    WHERE status NOT IN ('Cancelled', 'Full');
