DROP INDEX cases_state_id_idx;
