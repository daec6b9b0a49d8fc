-- Stored deadlines counted across a year whose holiday schedule was not loaded (weekends
-- only there), with what they were counted from: administrators see them listed, and loading
-- the year's schedule counts them again. A deadline counted with every schedule it needs has
-- no row. `seq` is the stop of an application (its consultation or fee notice), 0 otherwise.
CREATE TABLE provisional_deadlines (
    kind         text NOT NULL CHECK (kind IN ('case', 'case_delivery', 'request_reply',
                     'request_fee', 'request_consultation', 'publication', 'message_feedback',
                     'ticket', 'rectification', 'order', 'complaint_acceptance')),
    object_id    uuid NOT NULL,
    seq          integer NOT NULL DEFAULT 0,
    start_on     date NOT NULL,
    working_days integer NOT NULL CHECK (working_days >= 0),
    -- closed stops [{"start": …, "end": …}] whose working days move the deadline on
    stops        jsonb NOT NULL DEFAULT '[]',
    due_date     date NOT NULL,
    years        integer[] NOT NULL CHECK (cardinality(years) > 0),
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, object_id, seq)
);
CREATE INDEX provisional_deadlines_years_idx ON provisional_deadlines USING gin (years);
CREATE INDEX provisional_deadlines_object_idx ON provisional_deadlines (object_id);
