-- Evaluation of services (好差评): one evaluation per case by its applicant; a bad review
-- opens a rectification (整改); a department may appeal a review (申诉复核).

CREATE TABLE evaluations (
    id                  uuid PRIMARY KEY,
    -- one evaluation per case (一事一评); a parallel-approval project is evaluated per sub-case
    case_id             uuid NOT NULL UNIQUE REFERENCES cases (id),
    applicant_id        uuid REFERENCES users (id),
    -- what the statistics group by, fixed when the evaluation is given
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    window_id           uuid REFERENCES windows (id),
    -- the staff member evaluated: the case's assignee, else its first contact
    staff_id            uuid REFERENCES users (id),
    level               text NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied')),
    channel             text NOT NULL CHECK (channel IN ('pc', 'mobile', 'qr_code', 'hall_tablet', 'phone', 'sms')),
    text                text,
    evaluated_at        timestamptz NOT NULL,
    evaluated_on        date NOT NULL,
    -- set when an appeal against the review was upheld: it leaves statistics and summaries
    annulled_at         timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CHECK (level NOT IN ('dissatisfied', 'very_dissatisfied') OR text IS NOT NULL)
);
CREATE INDEX evaluations_org_idx ON evaluations (organization_id, evaluated_on);
CREATE INDEX evaluations_day_idx ON evaluations (evaluated_on, id);
CREATE INDEX evaluations_window_idx ON evaluations (window_id);
CREATE INDEX evaluations_staff_idx ON evaluations (staff_id);
CREATE INDEX evaluations_applicant_idx ON evaluations (applicant_id);
CREATE INDEX evaluations_bad_idx ON evaluations (organization_id, id)
    WHERE level IN ('dissatisfied', 'very_dissatisfied');

-- The rectification of a bad review. Other parts of the system read this table: an open
-- rectification is one in any state but 'closed' and 'annulled'.
CREATE TABLE rectifications (
    id                  uuid PRIMARY KEY,
    evaluation_id       uuid NOT NULL UNIQUE REFERENCES evaluations (id),
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    -- the staff member evaluated
    responsible_id      uuid REFERENCES users (id),
    state               text NOT NULL CHECK (state IN ('open', 'verified', 'rectified', 'explained', 'called_back', 'closed', 'annulled')),
    opened_on           date NOT NULL,
    due_date            date NOT NULL,
    -- 核实
    findings            text,
    verified_at         timestamptz,
    verified_by         uuid REFERENCES users (id),
    -- 整改 (measures) or 情况说明 (explanation, when the department was not at fault)
    measures            text,
    explanation         text,
    handled_at          timestamptz,
    handled_by          uuid REFERENCES users (id),
    -- 回访: what the applicant said when called back
    callback_satisfied  boolean,
    callback_note       text,
    called_back_at      timestamptz,
    called_back_by      uuid REFERENCES users (id),
    close_note          text,
    closed_at           timestamptz,
    closed_by           uuid REFERENCES users (id),
    version             integer NOT NULL DEFAULT 1,
    CHECK (due_date >= opened_on),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX rectifications_org_state_idx ON rectifications (organization_id, state, id);
CREATE INDEX rectifications_open_due_idx ON rectifications (due_date)
    WHERE state NOT IN ('closed', 'annulled');
CREATE INDEX rectifications_responsible_idx ON rectifications (responsible_id);
CREATE INDEX rectifications_verified_by_idx ON rectifications (verified_by);
CREATE INDEX rectifications_handled_by_idx ON rectifications (handled_by);
CREATE INDEX rectifications_called_back_by_idx ON rectifications (called_back_by);
CREATE INDEX rectifications_closed_by_idx ON rectifications (closed_by);

-- A department's appeal against a review (申诉复核), one per evaluation, decided by a
-- supervisor.
CREATE TABLE evaluation_appeals (
    evaluation_id       uuid PRIMARY KEY REFERENCES evaluations (id),
    state               text NOT NULL CHECK (state IN ('pending', 'upheld', 'rejected')),
    reason              text NOT NULL,
    appealed_by         uuid NOT NULL REFERENCES users (id),
    appealed_at         timestamptz NOT NULL,
    decision_reason     text,
    decided_by          uuid REFERENCES users (id),
    decided_at          timestamptz,
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX evaluation_appeals_pending_idx ON evaluation_appeals (appealed_at) WHERE state = 'pending';
CREATE INDEX evaluation_appeals_appealed_by_idx ON evaluation_appeals (appealed_by);
CREATE INDEX evaluation_appeals_decided_by_idx ON evaluation_appeals (decided_by);
