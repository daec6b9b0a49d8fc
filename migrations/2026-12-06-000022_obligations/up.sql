-- Every obligation with a deadline, stored as it changes (issue: supervision at city scale).
--
-- One row per watched deadline: a case's time limit, the pending step of its procedure and
-- its delivery, an application for disclosure, a proactive item not yet published, a
-- forwarded topic request or message, a rectification, a supervision order, a complaint
-- awaiting acceptance and a hotline ticket. The row holds what the alerts need: the
-- responsible organisation (and its path, for subtree filters) and person, the due date,
-- and the days on which the alert turns yellow and red under the calendar and the
-- supervision rules in force (`yellow_on` is NULL while the rule is disabled there). A
-- closed obligation keeps its row with the day it closed; a reopened one is open again.
--
-- organization_id has no foreign key: the rows are derived and rebuilt, and the check
-- would cost two statements on every write that settles.
--
-- The rows are derived by the server (working days need the calendar). Every change to a
-- source record queues the object in obligation_queue, in the same transaction, by the
-- triggers below; a change of the rules queues the organisation's subtree and a change of
-- the calendar queues everything. The server settles what its own transaction queued before
-- it commits, and a background refresher settles the rest. A reader counts the stored rows
-- of every object that is not queued and the records of every queued one, so answers are
-- always those the records give.
CREATE TABLE obligations (
    -- Byte order: the list's keyset cursor compares kinds as the server does.
    kind            text COLLATE "C" NOT NULL,
    object_id       uuid NOT NULL,
    stage           integer NOT NULL,
    label           text NOT NULL,
    organization_id uuid NOT NULL,
    org_path        text NOT NULL,
    responsible_id  uuid,
    start_on        date,
    due_date        date NOT NULL,
    limit_days      integer,
    yellow_on       date,
    red_on          date NOT NULL,
    opened_on       date NOT NULL,
    closed_on       date,
    PRIMARY KEY (kind, object_id, stage)
);
-- The alert list: open rows in due-date order (red ones come first by construction).
CREATE INDEX obligations_open_due_idx ON obligations (due_date, kind, object_id, stage)
    WHERE closed_on IS NULL;
CREATE INDEX obligations_object_idx ON obligations (object_id);
CREATE INDEX obligations_open_path_idx ON obligations (org_path text_pattern_ops)
    WHERE closed_on IS NULL;

CREATE TABLE obligation_queue (
    id          bigserial PRIMARY KEY,
    -- The kind of object (case steps and deliveries are queued as their case), or NULL with
    -- a path: every object of the organisations under it ('' for all of them).
    source      text,
    object_id   uuid,
    path        text,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CHECK ((source IS NULL) = (object_id IS NULL) AND (source IS NULL) = (path IS NOT NULL))
);
CREATE INDEX obligation_queue_xid_idx ON obligation_queue (xid);

-- The advisory lock that serialises the settling of one object (with the class of the
-- obligations' locks): 32 bits of its id, random in v4 and v7 ids. -1 is the key every
-- settler holds shared and a rebuild exclusively; an object never takes it.
CREATE FUNCTION obligation_lock_key(id uuid) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN k = -1 THEN -2 ELSE k END
      FROM (SELECT ('x' || right(replace(id::text, '-', ''), 8))::bit(32)::integer AS k) AS x
$$;

-- Queues the object named by column TG_ARGV[1] of the row as source TG_ARGV[0].
CREATE FUNCTION obligation_queue_object() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    INSERT INTO obligation_queue (source, object_id) VALUES (TG_ARGV[0], (r ->> TG_ARGV[1])::uuid);
    RETURN NULL;
END $$;

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('case', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON cases FOR EACH ROW
    WHEN ((OLD.state, OLD.organization_id, OLD.number, OLD.matter_id, OLD.matter_version,
           OLD.accepted_on, OLD.due_date, OLD.decided_on, OLD.promised_days,
           OLD.extension_days, OLD.assignee_id, OLD.first_contact_id)
          IS DISTINCT FROM
          (NEW.state, NEW.organization_id, NEW.number, NEW.matter_id, NEW.matter_version,
           NEW.accepted_on, NEW.due_date, NEW.decided_on, NEW.promised_days,
           NEW.extension_days, NEW.assignee_id, NEW.first_contact_id))
    EXECUTE FUNCTION obligation_queue_object('case', 'id');
CREATE TRIGGER obligation_queue_change AFTER INSERT OR UPDATE OR DELETE ON case_steps
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('case', 'case_id');
CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON case_outcomes
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('case', 'case_id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON case_outcomes FOR EACH ROW
    WHEN (OLD.delivery_due IS DISTINCT FROM NEW.delivery_due)
    EXECUTE FUNCTION obligation_queue_object('case', 'case_id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON disclosure_requests
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('disclosure_request', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON disclosure_requests FOR EACH ROW
    WHEN ((OLD.state, OLD.organization_id, OLD.number, OLD.created_by, OLD.received_on,
           OLD.restarted_on, OLD.due_date, OLD.extension_days)
          IS DISTINCT FROM
          (NEW.state, NEW.organization_id, NEW.number, NEW.created_by, NEW.received_on,
           NEW.restarted_on, NEW.due_date, NEW.extension_days))
    EXECUTE FUNCTION obligation_queue_object('disclosure_request', 'id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON disclosure_items
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('disclosure_publication', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON disclosure_items FOR EACH ROW
    WHEN ((OLD.attribute, OLD.state, OLD.organization_id, OLD.title, OLD.author_id,
           OLD.formed_on, OLD.publish_due, OLD.first_published_at)
          IS DISTINCT FROM
          (NEW.attribute, NEW.state, NEW.organization_id, NEW.title, NEW.author_id,
           NEW.formed_on, NEW.publish_due, NEW.first_published_at))
    EXECUTE FUNCTION obligation_queue_object('disclosure_publication', 'id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON public_messages
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('public_message', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON public_messages FOR EACH ROW
    WHEN ((OLD.state, OLD.subject, OLD.forwarded_to, OLD.forwarded_at, OLD.feedback_due)
          IS DISTINCT FROM
          (NEW.state, NEW.subject, NEW.forwarded_to, NEW.forwarded_at, NEW.feedback_due))
    EXECUTE FUNCTION obligation_queue_object('public_message', 'id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON supervision_orders
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('supervision_order', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON supervision_orders FOR EACH ROW
    WHEN ((OLD.state, OLD.organization_id, OLD.number, OLD.subject, OLD.issued_on,
           OLD.due_date)
          IS DISTINCT FROM
          (NEW.state, NEW.organization_id, NEW.number, NEW.subject, NEW.issued_on,
           NEW.due_date))
    EXECUTE FUNCTION obligation_queue_object('supervision_order', 'id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON complaints
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('complaint_acceptance', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON complaints FOR EACH ROW
    WHEN ((OLD.state, OLD.organization_id, OLD.number, OLD.received_on, OLD.acceptance_due)
          IS DISTINCT FROM
          (NEW.state, NEW.organization_id, NEW.number, NEW.received_on, NEW.acceptance_due))
    EXECUTE FUNCTION obligation_queue_object('complaint_acceptance', 'id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON hotline_tickets
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('hotline_ticket', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON hotline_tickets FOR EACH ROW
    WHEN ((OLD.state, OLD.responsible_org_id, OLD.number, OLD.subject, OLD.dispatched_on,
           OLD.due_date)
          IS DISTINCT FROM
          (NEW.state, NEW.responsible_org_id, NEW.number, NEW.subject, NEW.dispatched_on,
           NEW.due_date))
    EXECUTE FUNCTION obligation_queue_object('hotline_ticket', 'id');

CREATE TRIGGER obligation_queue_insert AFTER INSERT OR DELETE ON rectifications
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_object('rectification', 'id');
CREATE TRIGGER obligation_queue_update AFTER UPDATE ON rectifications FOR EACH ROW
    WHEN ((OLD.state, OLD.organization_id, OLD.responsible_id, OLD.opened_on, OLD.due_date)
          IS DISTINCT FROM
          (NEW.state, NEW.organization_id, NEW.responsible_id, NEW.opened_on, NEW.due_date))
    EXECUTE FUNCTION obligation_queue_object('rectification', 'id');

-- The rules of an organisation apply to its subtree.
CREATE FUNCTION obligation_queue_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO obligation_queue (path)
    SELECT o.path FROM organizations o
     WHERE o.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id
                       ELSE NEW.organization_id END;
    RETURN NULL;
END $$;
CREATE TRIGGER obligation_queue_rules AFTER INSERT OR UPDATE OR DELETE ON supervision_rules
    FOR EACH ROW EXECUTE FUNCTION obligation_queue_rules();

-- The calendar, and an organisation moved in the tree (its paths, and the organisation that
-- decides on complaints about it), change obligations anywhere.
CREATE FUNCTION obligation_queue_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO obligation_queue (path) VALUES ('');
    RETURN NULL;
END $$;
CREATE TRIGGER obligation_queue_calendar AFTER INSERT OR UPDATE OR DELETE ON calendar_years
    FOR EACH STATEMENT EXECUTE FUNCTION obligation_queue_all();
CREATE TRIGGER obligation_queue_calendar AFTER INSERT OR UPDATE OR DELETE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION obligation_queue_all();
CREATE TRIGGER obligation_queue_org_move AFTER UPDATE ON organizations FOR EACH ROW
    WHEN ((OLD.parent_id, OLD.path) IS DISTINCT FROM (NEW.parent_id, NEW.path))
    EXECUTE FUNCTION obligation_queue_all();

-- Everything that exists now is derived by the first refresh.
INSERT INTO obligation_queue (path)
SELECT '' WHERE EXISTS (SELECT FROM cases) OR EXISTS (SELECT FROM disclosure_requests)
             OR EXISTS (SELECT FROM disclosure_items) OR EXISTS (SELECT FROM public_messages)
             OR EXISTS (SELECT FROM supervision_orders) OR EXISTS (SELECT FROM complaints)
             OR EXISTS (SELECT FROM hotline_tickets) OR EXISTS (SELECT FROM rectifications);
