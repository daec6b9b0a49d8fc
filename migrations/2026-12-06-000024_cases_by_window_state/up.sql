-- A subtree's cases in one state are read per organisation (cases_org_state_idx) and per
-- window of its halls: the window's index carries the state and the id order too. It
-- replaces the index on the window alone, whose lookups it serves as well.
CREATE INDEX cases_window_state_idx ON cases (window_id, state, id);
DROP INDEX cases_window_idx;
