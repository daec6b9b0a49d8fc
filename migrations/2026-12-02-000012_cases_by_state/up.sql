-- Case lists filtered by state walk the cases in id order (keyset pagination). Without this
-- index they walked the primary key and skipped every case of another state: measured at
-- scale 1, 4,500 rows read (115 ms) for a page of 21 submitted cases of one county; with it,
-- 325 rows (8 ms).
CREATE INDEX cases_state_id_idx ON cases (state, id);
