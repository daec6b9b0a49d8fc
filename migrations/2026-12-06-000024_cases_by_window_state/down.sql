CREATE INDEX cases_window_idx ON cases (window_id);
DROP INDEX cases_window_state_idx;
