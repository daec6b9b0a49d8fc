-- Applications for disclosure (依申请公开) with the statutory clock, replies and remedies.

CREATE TABLE disclosure_requests (
    id                  uuid PRIMARY KEY,
    number              text NOT NULL UNIQUE,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    applicant_id        uuid REFERENCES users (id),
    applicant_name      text NOT NULL,
    applicant_type      text NOT NULL CHECK (applicant_type IN ('natural_person', 'legal_person')),
    legal_person_kind   text,
    -- phone, e-mail, postal address: never public
    contact             jsonb NOT NULL DEFAULT '{}',
    description         text NOT NULL,
    purpose             text,
    requested_form      text NOT NULL,
    delivery_method     text NOT NULL,
    channel             text NOT NULL CHECK (channel IN ('online', 'letter', 'in_person', 'fax')),
    submitted_on        date NOT NULL,
    received_on         date NOT NULL,
    state               text NOT NULL CHECK (state IN ('received', 'awaiting_correction', 'consulting', 'awaiting_fee', 'replied', 'deemed_withdrawn')),
    restarted_on        date,
    correction_due      date,
    corrected_on        date,
    extension_days      integer NOT NULL DEFAULT 0 CHECK (extension_days BETWEEN 0 AND 20),
    due_date            date,
    fee_method          text CHECK (fee_method IN ('by_case', 'by_volume')),
    fee_fen             bigint,
    fee_due             date,
    created_by          uuid REFERENCES users (id),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_requests_org_idx ON disclosure_requests (organization_id, state, id);
CREATE INDEX disclosure_requests_received_idx ON disclosure_requests (organization_id, received_on);
CREATE INDEX disclosure_requests_applicant_idx ON disclosure_requests (applicant_id);
CREATE INDEX disclosure_requests_creator_idx ON disclosure_requests (created_by);
CREATE INDEX disclosure_requests_open_due_idx ON disclosure_requests (due_date)
    WHERE state IN ('received', 'consulting', 'awaiting_fee');

CREATE TABLE request_replies (
    request_id          uuid PRIMARY KEY REFERENCES disclosure_requests (id),
    reply_type          text NOT NULL,
    reply_text          text NOT NULL,
    responsible_agency  text,
    provided_items      jsonb NOT NULL DEFAULT '[]',
    replied_on          date NOT NULL,
    late                boolean NOT NULL,
    replied_by          uuid REFERENCES users (id)
);
CREATE INDEX request_replies_type_idx ON request_replies (reply_type);
CREATE INDEX request_replies_by_idx ON request_replies (replied_by);

-- Stops of the clock: third-party or agency consultation (OGI Art.32, 34), fee notices (Art.42).
CREATE TABLE request_stops (
    request_id  uuid NOT NULL REFERENCES disclosure_requests (id),
    seq         integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('third_party', 'agency', 'fee')),
    party       text,
    start_on    date NOT NULL,
    due_on      date,
    end_on      date,
    opinion     text,
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE request_events (
    id          bigserial PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES disclosure_requests (id),
    at          timestamptz NOT NULL,
    actor_id    uuid REFERENCES users (id),
    action      text NOT NULL,
    note        text,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX request_events_request_idx ON request_events (request_id, id);
CREATE INDEX request_events_actor_idx ON request_events (actor_id);

-- Administrative reconsideration and litigation, for table 4 of the annual report.
CREATE TABLE request_remedies (
    id          uuid PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES disclosure_requests (id),
    kind        text NOT NULL CHECK (kind IN ('reconsideration', 'litigation_direct', 'litigation_after_reconsideration')),
    filed_on    date NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('upheld', 'corrected', 'other', 'pending')),
    decided_on  date,
    note        text,
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX request_remedies_request_idx ON request_remedies (request_id);

CREATE TABLE request_counters (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    day             date NOT NULL,
    last_serial     integer NOT NULL,
    PRIMARY KEY (organization_id, day)
);
