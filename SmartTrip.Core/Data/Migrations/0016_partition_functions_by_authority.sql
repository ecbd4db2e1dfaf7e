-- The SECURITY DEFINER partition functions decide by the database's own rules, not by numbers the caller can compute
-- (second security review). The app's login could count a month's rows and sum its ids itself, so the row check alone
-- let it drop the current month; and a temporary table named like a missing month made the create function believe the
-- month existed. Now:
-- - lifecycle_policy holds the archive age (Lifecycle__ArchiveAfterMonths, written by `smarttrip migrate` as the
--   administrator); the app's login may read it, never change it;
-- - a month is dropped only when its end is at least that many months ago (and it holds the archive's rows);
-- - a month is created only from the current one to 24 months ahead, or, for a restore, when it is past the archive age;
-- - every name is resolved in public only (qualified), and nobody but the owner may create temporary tables.
CREATE TABLE lifecycle_policy (
    singleton            boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    archive_after_months integer     NOT NULL CHECK (archive_after_months BETWEEN 1 AND 120),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
INSERT INTO lifecycle_policy (archive_after_months) VALUES (13);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON lifecycle_policy FROM smarttrip_app;

-- Whether a month (its first day) ended at least the archive age ago.
CREATE FUNCTION smarttrip_month_past_archive_age(month date) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT (date_trunc('month', month)::timestamp + interval '1 month') AT TIME ZONE 'UTC'
           <= now() - make_interval(months => (SELECT archive_after_months FROM public.lifecycle_policy))
$$;

CREATE OR REPLACE FUNCTION smarttrip_create_month_partition(parent text, month date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    partition_name text := format('%s_%s', parent, to_char(first_day, 'YYYY_MM'));
    month_start timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
    month_end timestamptz := (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
    IF parent NOT IN ('events', 'recommendation_requests') THEN
        RAISE EXCEPTION 'not a partitioned log: %', parent;
    END IF;
    IF NOT (first_day BETWEEN this_month AND (this_month + interval '24 months')::date
            OR public.smarttrip_month_past_archive_age(first_day)) THEN
        RAISE EXCEPTION 'month % is neither from this month to 24 months ahead nor past the archive age', to_char(first_day, 'YYYY-MM')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(format('public.%I', partition_name)) IS NOT NULL THEN
        RETURN 0;
    END IF;
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                   partition_name, parent, month_start, month_end);
    RETURN 1;
END $$;

CREATE OR REPLACE FUNCTION smarttrip_drop_month_partition(parent text, month date, expected_rows bigint, expected_id_sum numeric)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    partition_name text := format('%s_%s', parent, to_char(month, 'YYYY_MM'));
    actual_rows bigint;
    actual_id_sum numeric;
BEGIN
    IF parent NOT IN ('events', 'recommendation_requests') THEN
        RAISE EXCEPTION 'not a partitioned log: %', parent;
    END IF;
    IF NOT public.smarttrip_month_past_archive_age(month) THEN
        RAISE EXCEPTION 'month % is not past the archive age: not dropped', to_char(month, 'YYYY-MM')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(format('public.%I', partition_name)) IS NULL THEN
        RAISE EXCEPTION 'no partition %', partition_name USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', partition_name);
    EXECUTE format('SELECT count(*), coalesce(sum(id), 0) FROM public.%I', partition_name) INTO actual_rows, actual_id_sum;
    IF actual_rows <> expected_rows OR actual_id_sum <> expected_id_sum THEN
        RAISE EXCEPTION 'partition % holds % rows (id sum %), the archive % (id sum %): not dropped',
            partition_name, actual_rows, actual_id_sum, expected_rows, expected_id_sum USING ERRCODE = 'data_exception';
    END IF;
    EXECUTE format('ALTER TABLE public.%I DETACH PARTITION public.%I', parent, partition_name);
    EXECUTE format('DROP TABLE public.%I', partition_name);
END $$;

REVOKE ALL ON FUNCTION smarttrip_month_past_archive_age(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION smarttrip_month_past_archive_age(date) TO smarttrip_app;

-- Temporary tables are how a name in pg_temp could shadow one in public; nobody but the database's owner needs them
-- (the seeder's staging tables run as the administrator). Where the migrating login may not revoke it (it does not own
-- the database), the qualified names above still hold.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'TEMPORARY on database % left to PUBLIC: the migrating login does not own it', current_database();
END
$$;
