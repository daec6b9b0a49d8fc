DROP TABLE request_counters;
DROP TABLE request_remedies;
DROP TABLE request_events;
DROP TABLE request_stops;
DROP TABLE request_replies;
DROP TABLE disclosure_requests;
