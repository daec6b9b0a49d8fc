-- Cases (办件): from application through intake, processing and decision to delivery.

CREATE TABLE cases (
    id                  uuid PRIMARY KEY,
    number              text NOT NULL UNIQUE,
    -- parallel approval (并联审批): a project case with one sub-case per department's matter
    parent_id           uuid REFERENCES cases (id),
    matter_id           uuid REFERENCES service_matters (id),
    matter_version      integer,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    window_id           uuid REFERENCES windows (id),
    applicant_id        uuid REFERENCES users (id),
    applicant_name      text NOT NULL,
    applicant_type      text NOT NULL CHECK (applicant_type IN ('natural_person', 'legal_person')),
    applicant_phone     text,
    project_name        text,
    channel             text NOT NULL CHECK (channel IN ('window', 'web', 'mobile', 'post')),
    submitted_materials jsonb NOT NULL DEFAULT '[]',
    query_password_hash bytea NOT NULL,
    state               text NOT NULL CHECK (state IN ('submitted', 'materials_requested', 'accepted', 'suspended', 'decided', 'delivered', 'refused')),
    case_kind           text NOT NULL CHECK (case_kind IN ('immediate', 'promised')),
    statutory_days      integer NOT NULL,
    promised_days       integer NOT NULL,
    received_at         timestamptz NOT NULL,
    received_on         date NOT NULL,
    -- the round of submission (a one-time notice per round)
    submission_round    integer NOT NULL DEFAULT 1,
    accepted_on         date,
    extension_days      integer NOT NULL DEFAULT 0,
    due_date            date,
    decided_on          date,
    assignee_id         uuid REFERENCES users (id),
    first_contact_id    uuid REFERENCES users (id),
    green_channel       boolean NOT NULL DEFAULT false,
    classified          boolean NOT NULL DEFAULT false,
    version             integer NOT NULL DEFAULT 1,
    FOREIGN KEY (matter_id, matter_version) REFERENCES service_matter_versions (matter_id, number),
    -- a sub-case always has its matter; only a project case (the parent) may have none
    CHECK (parent_id IS NULL OR matter_id IS NOT NULL)
);
CREATE INDEX cases_org_state_idx ON cases (organization_id, state, id);
CREATE INDEX cases_org_received_idx ON cases (organization_id, received_on);
CREATE INDEX cases_parent_idx ON cases (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX cases_matter_idx ON cases (matter_id, matter_version);
CREATE INDEX cases_window_idx ON cases (window_id);
CREATE INDEX cases_applicant_idx ON cases (applicant_id);
CREATE INDEX cases_assignee_idx ON cases (assignee_id);
CREATE INDEX cases_first_contact_idx ON cases (first_contact_id);
CREATE INDEX cases_open_due_idx ON cases (due_date) WHERE state IN ('accepted', 'suspended');

-- What happened at the decisive points of a case (1:1 with cases).
CREATE TABLE case_outcomes (
    case_id             uuid PRIMARY KEY REFERENCES cases (id),
    accepted_at         timestamptz,
    refusal_reason      text,
    extension_reason    text,
    decision            text CHECK (decision IN ('approved', 'denied')),
    decision_reason     text,
    result_number       text,
    decided_at          timestamptz,
    delivered_at        timestamptz,
    delivery_method     text,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- The trail (全流程留痕): every action with actor, time and note.
CREATE TABLE case_events (
    id          bigserial PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    at          timestamptz NOT NULL,
    actor_id    uuid REFERENCES users (id),
    action      text NOT NULL,
    note        text,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
CREATE INDEX case_events_actor_idx ON case_events (actor_id);

-- Special procedures that stop the clock (AL Art.45).
CREATE TABLE case_pauses (
    case_id         uuid NOT NULL REFERENCES cases (id),
    seq             integer NOT NULL,
    procedure       text NOT NULL,
    reason          text NOT NULL,
    start_on        date NOT NULL,
    expected_end    date,
    end_on          date,
    PRIMARY KEY (case_id, seq)
);

-- Review steps (审核, 决定 …) with the acting staff and opinion ("一审一核").
CREATE TABLE case_steps (
    case_id     uuid NOT NULL REFERENCES cases (id),
    seq         integer NOT NULL,
    name        text NOT NULL,
    actor_id    uuid NOT NULL REFERENCES users (id),
    opinion     text NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_steps_actor_idx ON case_steps (actor_id);

-- One-time notices of missing materials (一次性告知), one per submission round.
CREATE TABLE case_missing_notices (
    case_id     uuid NOT NULL REFERENCES cases (id),
    round       integer NOT NULL,
    items       jsonb NOT NULL,
    at          timestamptz NOT NULL,
    by_id       uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (case_id, round)
);
CREATE INDEX case_missing_notices_by_idx ON case_missing_notices (by_id);

-- What was charged, per fee item; anything not in the list or above its standard is flagged.
CREATE TABLE case_fees (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    item_name   text NOT NULL,
    amount_fen  bigint NOT NULL CHECK (amount_fen > 0),
    anomaly     text CHECK (anomaly IN ('fee_not_listed', 'fee_above_standard')),
    at          timestamptz NOT NULL,
    by_id       uuid NOT NULL REFERENCES users (id)
);
CREATE INDEX case_fees_case_idx ON case_fees (case_id);
CREATE INDEX case_fees_by_idx ON case_fees (by_id);
CREATE INDEX case_fees_anomaly_idx ON case_fees (anomaly) WHERE anomaly IS NOT NULL;

-- Daily serials of case numbers per organisation.
CREATE TABLE case_counters (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    day             date NOT NULL,
    last_serial     integer NOT NULL,
    PRIMARY KEY (organization_id, day)
);
