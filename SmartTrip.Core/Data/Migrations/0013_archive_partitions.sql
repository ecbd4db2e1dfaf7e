-- Dropping an archived month (decision 0013). The app's login has no DDL rights; it drops a month partition of a log
-- only through this function, and only when the partition holds exactly the rows the verified archive holds: the same
-- count and the same sum of ids, checked under an exclusive lock so that no row can arrive between the check and the
-- drop. Raises (and drops nothing) otherwise.
CREATE FUNCTION smarttrip_drop_month_partition(parent text, month date, expected_rows bigint, expected_id_sum numeric)
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
    IF to_regclass(partition_name) IS NULL THEN
        RAISE EXCEPTION 'no partition %', partition_name USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', partition_name);
    EXECUTE format('SELECT count(*), coalesce(sum(id), 0) FROM %I', partition_name) INTO actual_rows, actual_id_sum;
    IF actual_rows <> expected_rows OR actual_id_sum <> expected_id_sum THEN
        RAISE EXCEPTION 'partition % holds % rows (id sum %), the archive % (id sum %): not dropped',
            partition_name, actual_rows, actual_id_sum, expected_rows, expected_id_sum USING ERRCODE = 'data_exception';
    END IF;
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, partition_name);
    EXECUTE format('DROP TABLE %I', partition_name);
END $$;

REVOKE ALL ON FUNCTION smarttrip_drop_month_partition(text, date, bigint, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION smarttrip_drop_month_partition(text, date, bigint, numeric) TO smarttrip_app;
