ALTER TABLE cases RESET (
    autovacuum_vacuum_insert_scale_factor,
    autovacuum_vacuum_scale_factor,
    autovacuum_analyze_scale_factor
);
ALTER TABLE case_outcomes RESET (
    autovacuum_vacuum_insert_scale_factor,
    autovacuum_vacuum_scale_factor
);
