-- Supervision (电子监察): rules per organisation, the alert history, supervision orders,
-- accountability records, complaints and reports.

-- The rules of an organisation, inherited by its subtree unless a lower one sets its own.
CREATE TABLE supervision_rules (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id),
    config          jsonb NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    updated_by      uuid REFERENCES users (id),
    updated_at      timestamptz NOT NULL
);
CREATE INDEX supervision_rules_updated_by_idx ON supervision_rules (updated_by);

-- The level each watched deadline was last recorded at; the alert job compares against it
-- under an advisory lock, so that several replicas record each change once.
CREATE TABLE alert_states (
    object_kind     text NOT NULL,
    object_id       uuid NOT NULL,
    -- the procedure step of a case step, 0 otherwise
    stage           integer NOT NULL DEFAULT 0,
    level           text NOT NULL CHECK (level IN ('yellow', 'red')),
    due_date        date NOT NULL,
    PRIMARY KEY (object_kind, object_id, stage)
);

-- Each change of level: none → yellow → red, and back to none (cleared) when the object is
-- finished or its deadline moved.
CREATE TABLE alert_events (
    id              bigserial PRIMARY KEY,
    object_kind     text NOT NULL,
    object_id       uuid NOT NULL,
    stage           integer NOT NULL DEFAULT 0,
    label           text NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    responsible_id  uuid REFERENCES users (id),
    rule_id         text NOT NULL,
    from_level      text CHECK (from_level IN ('yellow', 'red')),
    to_level        text CHECK (to_level IN ('yellow', 'red')),
    due_date        date NOT NULL,
    as_of           date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    CHECK (from_level IS DISTINCT FROM to_level)
);
CREATE INDEX alert_events_object_idx ON alert_events (object_kind, object_id, id);
CREATE INDEX alert_events_org_idx ON alert_events (organization_id, id);
CREATE INDEX alert_events_responsible_idx ON alert_events (responsible_id);

-- 督办单: a supervisor orders an organisation to act on an item by a deadline.
CREATE TABLE supervision_orders (
    id              uuid PRIMARY KEY,
    number          text NOT NULL UNIQUE,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    object_kind     text NOT NULL,
    object_id       uuid NOT NULL,
    subject         text NOT NULL,
    instructions    text NOT NULL,
    -- 1 when issued, +1 at each escalation (升级督办)
    level           integer NOT NULL DEFAULT 1,
    issued_on       date NOT NULL,
    due_date        date NOT NULL,
    state           text NOT NULL CHECK (state IN ('issued', 'responded', 'escalated', 'closed')),
    issued_by       uuid NOT NULL REFERENCES users (id),
    issued_at       timestamptz NOT NULL,
    response        text,
    responded_by    uuid REFERENCES users (id),
    responded_at    timestamptz,
    escalation_reason text,
    closing_note    text,
    closed_by       uuid REFERENCES users (id),
    closed_at       timestamptz,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX supervision_orders_org_idx ON supervision_orders (organization_id, id);
CREATE INDEX supervision_orders_object_idx ON supervision_orders (object_kind, object_id);
CREATE INDEX supervision_orders_open_due_idx ON supervision_orders (due_date) WHERE state IN ('issued', 'escalated');
CREATE INDEX supervision_orders_issued_by_idx ON supervision_orders (issued_by);
CREATE INDEX supervision_orders_responded_by_idx ON supervision_orders (responded_by);
CREATE INDEX supervision_orders_closed_by_idx ON supervision_orders (closed_by);

-- 投诉举报 about an organisation, a window or a staff member.
CREATE TABLE complaints (
    id                  uuid PRIMARY KEY,
    number              text NOT NULL UNIQUE,
    kind                text NOT NULL CHECK (kind IN ('complaint', 'report')),
    category            text NOT NULL CHECK (category IN ('attitude', 'delay', 'shirking', 'improper_fees', 'kickbacks', 'other')),
    complainant_id      uuid REFERENCES users (id),
    complainant_name    text,
    -- phone, e-mail: never public
    contact             jsonb NOT NULL DEFAULT '{}',
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    window_id           uuid REFERENCES windows (id),
    staff_id            uuid REFERENCES users (id),
    case_id             uuid REFERENCES cases (id),
    text                text NOT NULL,
    -- SHA-256 of the query code given to the complainant for the public progress lookup
    query_code_hash     bytea NOT NULL,
    received_on         date NOT NULL,
    received_at         timestamptz NOT NULL,
    acceptance_due      date NOT NULL,
    state               text NOT NULL CHECK (state IN ('submitted', 'accepted', 'not_accepted', 'handled', 'replied', 'closed', 'referred')),
    handler_id          uuid REFERENCES users (id),
    decided_at          timestamptz,
    decision_reason     text,
    findings            text,
    reply               text,
    replied_at          timestamptz,
    referral_note       text,
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1
);
CREATE INDEX complaints_org_idx ON complaints (organization_id, id);
CREATE INDEX complaints_complainant_idx ON complaints (complainant_id);
CREATE INDEX complaints_window_idx ON complaints (window_id);
CREATE INDEX complaints_staff_idx ON complaints (staff_id);
CREATE INDEX complaints_case_idx ON complaints (case_id);
CREATE INDEX complaints_handler_idx ON complaints (handler_id);
CREATE INDEX complaints_open_due_idx ON complaints (acceptance_due) WHERE state = 'submitted';

-- 责任追究: criticism, interview or referral, attached to an order or a complaint, against an
-- organisation or a staff member.
CREATE TABLE accountability_records (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('criticism', 'interview', 'referral_to_discipline_inspection')),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    user_id         uuid REFERENCES users (id),
    order_id        uuid REFERENCES supervision_orders (id),
    complaint_id    uuid REFERENCES complaints (id),
    reason          text NOT NULL,
    decided_on      date NOT NULL,
    recorded_by     uuid NOT NULL REFERENCES users (id),
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX accountability_org_idx ON accountability_records (organization_id, id);
CREATE INDEX accountability_user_idx ON accountability_records (user_id);
CREATE INDEX accountability_order_idx ON accountability_records (order_id);
CREATE INDEX accountability_complaint_idx ON accountability_records (complaint_id);
CREATE INDEX accountability_recorded_by_idx ON accountability_records (recorded_by);

-- Yearly serials of order and complaint numbers.
CREATE TABLE supervision_counters (
    kind        text NOT NULL,
    year        integer NOT NULL,
    last_serial integer NOT NULL,
    PRIMARY KEY (kind, year)
);
