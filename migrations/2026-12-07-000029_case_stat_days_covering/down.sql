ALTER TABLE case_stat_days RESET (autovacuum_vacuum_scale_factor,
                                  autovacuum_vacuum_insert_scale_factor, vacuum_index_cleanup);
CREATE UNIQUE INDEX case_stat_days_plain ON case_stat_days (organization_id, received_on, hall_id)
    NULLS NOT DISTINCT;
DROP INDEX case_stat_days_key;
ALTER INDEX case_stat_days_plain RENAME TO case_stat_days_key;
