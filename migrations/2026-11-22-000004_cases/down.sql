DROP TABLE case_counters;
DROP TABLE case_fees;
DROP TABLE case_missing_notices;
DROP TABLE case_steps;
DROP TABLE case_pauses;
DROP TABLE case_events;
DROP TABLE case_outcomes;
DROP TABLE cases;
