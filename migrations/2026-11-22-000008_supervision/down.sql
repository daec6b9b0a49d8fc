DROP TABLE supervision_counters;
DROP TABLE accountability_records;
DROP TABLE complaints;
DROP TABLE supervision_orders;
DROP TABLE alert_events;
DROP TABLE alert_states;
DROP TABLE supervision_rules;
