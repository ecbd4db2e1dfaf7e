-- The role the application runs as: data only (SELECT, INSERT, UPDATE, DELETE on the tables, the sequences behind
-- them), no DDL and no ownership. A login for the app is made a member of it by `smarttrip migrate --app-login NAME`
-- (decision 0009); the administrator that runs the migrations keeps the schema. Roles belong to the whole server, so
-- the role is created only when it does not exist yet (also when another database migrates at the same moment).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'smarttrip_app') THEN
        CREATE ROLE smarttrip_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created by a concurrent migration of another database
END
$$;

GRANT USAGE ON SCHEMA public TO smarttrip_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO smarttrip_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO smarttrip_app;
-- Tables and sequences later migrations create (as the same administrator) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO smarttrip_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO smarttrip_app;
-- The migration journal is the administrator's alone.
REVOKE ALL ON schema_migrations FROM smarttrip_app;
