-- The 12345 hotline: tickets with their trail, and the question-and-answer knowledge base.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('sys_admin', 'org_admin', 'disclosure_officer', 'reviewer', 'clerk', 'supervisor', 'hotline_operator', 'applicant'));
ALTER TABLE api_clients DROP CONSTRAINT api_clients_role_check;
ALTER TABLE api_clients ADD CONSTRAINT api_clients_role_check CHECK (role IN ('org_admin', 'disclosure_officer', 'reviewer', 'clerk', 'supervisor', 'hotline_operator'));

CREATE TABLE hotline_tickets (
    id                  uuid PRIMARY KEY,
    number              text NOT NULL UNIQUE,
    kind                text NOT NULL CHECK (kind IN ('consultation', 'help', 'complaint', 'report', 'suggestion', 'praise')),
    urgency             text NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
    channel             text NOT NULL CHECK (channel IN ('phone', 'message', 'web')),
    subject             text NOT NULL,
    description         text NOT NULL,
    location            text,
    caller_name         text,
    -- phone, e-mail: never public
    caller_contact      jsonb NOT NULL DEFAULT '{}',
    classified          boolean NOT NULL DEFAULT false,
    -- the reply may be listed among the public answers
    public_answer       boolean NOT NULL DEFAULT false,
    query_code_hash     bytea NOT NULL,
    -- the hotline centre that took it
    center_id           uuid NOT NULL REFERENCES organizations (id),
    submitter_id        uuid REFERENCES users (id),
    state               text NOT NULL CHECK (state IN ('received', 'dispatched', 'returned', 'replied', 'called_back', 'reopened', 'closed', 'merged')),
    received_at         timestamptz NOT NULL,
    received_on         date NOT NULL,
    responsible_org_id  uuid REFERENCES organizations (id),
    dispatched_on       date,
    due_date            date,
    return_count        integer NOT NULL DEFAULT 0,
    extension_days      integer NOT NULL DEFAULT 0,
    -- a pending request: {"days": n, "reason": "...", "requested_on": "yyyy-mm-dd"}
    extension_request   jsonb,
    reply               text,
    replied_at          timestamptz,
    callback_satisfied  boolean,
    reopen_count        integer NOT NULL DEFAULT 0,
    merged_into         uuid REFERENCES hotline_tickets (id),
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CHECK (merged_into IS NULL OR merged_into <> id)
);
CREATE INDEX hotline_tickets_center_idx ON hotline_tickets (center_id, id);
CREATE INDEX hotline_tickets_responsible_idx ON hotline_tickets (responsible_org_id, state, id);
CREATE INDEX hotline_tickets_received_idx ON hotline_tickets (received_on);
CREATE INDEX hotline_tickets_submitter_idx ON hotline_tickets (submitter_id);
CREATE INDEX hotline_tickets_merged_idx ON hotline_tickets (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX hotline_tickets_open_due_idx ON hotline_tickets (due_date) WHERE state IN ('dispatched', 'reopened');
CREATE INDEX hotline_tickets_public_idx ON hotline_tickets (replied_at DESC, id) WHERE public_answer AND NOT classified;

CREATE TABLE hotline_events (
    id          bigserial PRIMARY KEY,
    ticket_id   uuid NOT NULL REFERENCES hotline_tickets (id),
    at          timestamptz NOT NULL,
    actor_id    uuid REFERENCES users (id),
    action      text NOT NULL,
    note        text,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX hotline_events_ticket_idx ON hotline_events (ticket_id, id);
CREATE INDEX hotline_events_actor_idx ON hotline_events (actor_id);

CREATE TABLE knowledge_entries (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    question            text NOT NULL,
    answer              text NOT NULL,
    matter_ids          uuid[] NOT NULL DEFAULT '{}',
    disclosure_ids      uuid[] NOT NULL DEFAULT '{}',
    valid_from          date,
    valid_to            date,
    state               text NOT NULL CHECK (state IN ('draft', 'submitted', 'published', 'retired')),
    author_id           uuid NOT NULL REFERENCES users (id),
    reviewer_id         uuid REFERENCES users (id),
    source_ticket_id    uuid REFERENCES hotline_tickets (id),
    search_vector       tsvector NOT NULL DEFAULT ''::tsvector,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)
);
CREATE INDEX knowledge_entries_org_idx ON knowledge_entries (organization_id, id);
CREATE INDEX knowledge_entries_author_idx ON knowledge_entries (author_id);
CREATE INDEX knowledge_entries_reviewer_idx ON knowledge_entries (reviewer_id);
CREATE INDEX knowledge_entries_ticket_idx ON knowledge_entries (source_ticket_id);
CREATE INDEX knowledge_entries_search_idx ON knowledge_entries USING gin (search_vector);
