-- Integrations: the outbox of domain events (the change feed) and webhook subscriptions
-- with their deliveries.

-- Each domain event, written in the transaction of the change it reports.
--
-- The feed is read in `position` order. A position is given to an event only once it is
-- committed, by one sealer at a time (under an advisory lock), in `seq` order: so a reader's
-- cursor never passes an event that commits later (that event will get a larger position),
-- and a subject's events, written under the subject's row lock, keep the order in which
-- they happened. Events without a position are not shown yet.
CREATE TABLE outbox_events (
    seq             bigserial PRIMARY KEY,
    position        bigint UNIQUE,
    id              uuid NOT NULL UNIQUE,
    type            text NOT NULL,
    subject         text NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    -- the responsible organisation's path: who may read the event
    org_path        text NOT NULL,
    -- the applicant whose object it is, who may read it too
    owner_id        uuid,
    occurred_at     timestamptz NOT NULL,
    data            jsonb NOT NULL
);
CREATE INDEX outbox_events_unsealed_idx ON outbox_events (seq) WHERE position IS NULL;
CREATE INDEX outbox_events_owner_idx ON outbox_events (owner_id, position)
    WHERE owner_id IS NOT NULL;
CREATE INDEX outbox_events_org_idx ON outbox_events (organization_id);

-- The outbox is append-only: events are facts that subscribers may already hold. Only the
-- sealer's giving of a position is allowed.
CREATE FUNCTION outbox_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.position IS NULL AND NEW.position IS NOT NULL
       AND (OLD.seq, OLD.id, OLD.type, OLD.subject, OLD.organization_id, OLD.org_path,
            OLD.owner_id, OLD.occurred_at, OLD.data)
           IS NOT DISTINCT FROM
           (NEW.seq, NEW.id, NEW.type, NEW.subject, NEW.organization_id, NEW.org_path,
            NEW.owner_id, NEW.occurred_at, NEW.data) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'outbox_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_events_no_update BEFORE UPDATE OR DELETE ON outbox_events
    FOR EACH ROW EXECUTE FUNCTION outbox_events_append_only();

-- A webhook subscription: which events of which organisation's subtree go to which URL.
CREATE TABLE webhook_subscriptions (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    url             text NOT NULL,
    event_types     text[] NOT NULL CHECK (cardinality(event_types) > 0),
    description     text,
    -- "whsec_…", used to sign; the previous one signs too until it expires
    secret          text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    active          boolean NOT NULL DEFAULT true,
    -- why it is inactive: 'owner', 'gone' (the receiver answered 410), 'failures'
    disabled_reason text CHECK (disabled_reason IN ('owner', 'gone', 'failures')),
    disabled_at     timestamptz,
    -- failed attempts since the last success
    failures        integer NOT NULL DEFAULT 0,
    -- the outbox position up to which events were fanned out to its deliveries
    position        bigint NOT NULL,
    created_by      uuid NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK (active = (disabled_reason IS NULL))
);
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (organization_id, id);

-- One event to send to one subscription, until a receiver takes it.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_seq       bigint NOT NULL REFERENCES outbox_events (seq),
    subject         text NOT NULL,
    delivered       boolean NOT NULL DEFAULT false,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    -- a sender holds it until then; after a crash, another sender takes it again
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    -- the next attempt is a redelivery its owner asked for
    manual          boolean NOT NULL DEFAULT false,
    UNIQUE (subscription_id, event_seq)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE NOT delivered;
CREATE INDEX webhook_deliveries_subject_idx ON webhook_deliveries (subscription_id, subject, id)
    WHERE NOT delivered;
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_seq);

-- Every attempt of a delivery: when, how long, and what came back.
CREATE TABLE webhook_attempts (
    id              bigserial PRIMARY KEY,
    delivery_id     bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at    timestamptz NOT NULL,
    duration_ms     integer NOT NULL,
    status_code     integer,
    error           text,
    -- 'manual' for a redelivery asked by the owner
    trigger         text NOT NULL CHECK (trigger IN ('scheduled', 'manual'))
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
