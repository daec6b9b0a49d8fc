-- A case list reads the ids of a subtree's cases from the indexes (organisation, state, id)
-- and (window, state, id) alone only where the visibility map marks the heap page all
-- visible; elsewhere each id costs a visit to the table. New and changed cases are the
-- pages not yet marked, and the ones lists show first. With the default thresholds
-- (20% of the table) autovacuum would mark them after two million inserts in a table of ten
-- million cases; these let it come after about one in a hundred.
ALTER TABLE cases SET (
    autovacuum_vacuum_insert_scale_factor = 0.01,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);
ALTER TABLE case_outcomes SET (
    autovacuum_vacuum_insert_scale_factor = 0.01,
    autovacuum_vacuum_scale_factor = 0.02
);
