-- Pre-aggregated case statistics. The measures of the cases received by one organisation on
-- one day, per hall, are computed by the server (working days need the calendar) and kept in
-- case_stat_days. Every change that can alter them queues the (organisation, day) it touches
-- in case_stat_queue, in the same transaction as the change. A reader counts the aggregate
-- of every clean day and the records of every queued one, in one snapshot, so answers are
-- always those the records give; a background refresher recomputes queued days and removes
-- the queue rows it read.
CREATE TABLE case_stat_days (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    received_on date NOT NULL,
    hall_id uuid,
    received integer NOT NULL,
    accepted integer NOT NULL,
    refused integer NOT NULL,
    completed integer NOT NULL,
    completed_on_time integer NOT NULL,
    completed_early integer NOT NULL,
    immediate_completed integer NOT NULL,
    immediate_on_the_spot integer NOT NULL,
    working_days_used_total bigint NOT NULL,
    limit_days_total bigint NOT NULL
);
CREATE UNIQUE INDEX case_stat_days_key ON case_stat_days (organization_id, received_on, hall_id)
    NULLS NOT DISTINCT;

CREATE TABLE case_stat_queue (
    id bigserial PRIMARY KEY,
    organization_id uuid NOT NULL,
    received_on date NOT NULL
);
CREATE INDEX case_stat_queue_key_idx ON case_stat_queue (organization_id, received_on);

-- A case's own row: its organisation, day, state, dates, limits, kind, window or matter.
CREATE FUNCTION case_stat_queue_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.matter_id IS NOT NULL THEN
        INSERT INTO case_stat_queue (organization_id, received_on)
        VALUES (OLD.organization_id, OLD.received_on);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.matter_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.matter_id IS NULL
            OR OLD.organization_id <> NEW.organization_id
            OR OLD.received_on <> NEW.received_on) THEN
        INSERT INTO case_stat_queue (organization_id, received_on)
        VALUES (NEW.organization_id, NEW.received_on);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER case_stat_queue_insert AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_stat_queue_case();
CREATE TRIGGER case_stat_queue_update AFTER UPDATE ON cases
    FOR EACH ROW
    WHEN ((OLD.organization_id, OLD.received_on, OLD.matter_id, OLD.window_id, OLD.state,
           OLD.case_kind, OLD.accepted_on, OLD.decided_on, OLD.due_date, OLD.promised_days,
           OLD.extension_days)
          IS DISTINCT FROM
          (NEW.organization_id, NEW.received_on, NEW.matter_id, NEW.window_id, NEW.state,
           NEW.case_kind, NEW.accepted_on, NEW.decided_on, NEW.due_date, NEW.promised_days,
           NEW.extension_days))
    EXECUTE FUNCTION case_stat_queue_case();

-- Rows that belong to a case: its pauses (special procedures) and one-time notices.
CREATE FUNCTION case_stat_queue_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stat_queue (organization_id, received_on)
    SELECT c.organization_id, c.received_on FROM cases c
     WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.case_id ELSE NEW.case_id END
       AND c.matter_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER case_stat_queue_pauses AFTER INSERT OR UPDATE OR DELETE ON case_pauses
    FOR EACH ROW EXECUTE FUNCTION case_stat_queue_child();
CREATE TRIGGER case_stat_queue_notices AFTER INSERT OR UPDATE OR DELETE ON case_missing_notices
    FOR EACH ROW EXECUTE FUNCTION case_stat_queue_child();

-- A window moved to another hall.
CREATE FUNCTION case_stat_queue_window() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stat_queue (organization_id, received_on)
    SELECT DISTINCT c.organization_id, c.received_on FROM cases c
     WHERE c.window_id = NEW.id AND c.matter_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER case_stat_queue_window AFTER UPDATE OF hall_id ON windows
    FOR EACH ROW WHEN (OLD.hall_id IS DISTINCT FROM NEW.hall_id)
    EXECUTE FUNCTION case_stat_queue_window();

-- An organisation moved in the tree: other supervision rules (the notice window) may apply.
CREATE FUNCTION case_stat_queue_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stat_queue (organization_id, received_on)
    SELECT DISTINCT c.organization_id, c.received_on FROM cases c
     WHERE c.organization_id = NEW.id AND c.matter_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER case_stat_queue_org AFTER UPDATE OF path ON organizations
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
    EXECUTE FUNCTION case_stat_queue_org();

-- Supervision rules set or changed: the notice window of the subtree may differ.
CREATE FUNCTION case_stat_queue_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    org uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.config -> 'notice_window_days' IS NOT DISTINCT FROM NEW.config -> 'notice_window_days' THEN
        RETURN NULL;
    END IF;
    INSERT INTO case_stat_queue (organization_id, received_on)
    SELECT DISTINCT c.organization_id, c.received_on
      FROM cases c JOIN organizations o ON o.id = c.organization_id
     WHERE o.path LIKE (SELECT replace(replace(replace(p.path, '\', '\\'), '%', '\%'), '_', '\_') || '%'
                          FROM organizations p WHERE p.id = org)
       AND c.matter_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER case_stat_queue_rules AFTER INSERT OR UPDATE OR DELETE ON supervision_rules
    FOR EACH ROW EXECUTE FUNCTION case_stat_queue_rules();

-- A year's calendar published or changed: every case whose working days touch the year.
CREATE FUNCTION case_stat_queue_calendar() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    y integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.year ELSE NEW.year END;
BEGIN
    INSERT INTO case_stat_queue (organization_id, received_on)
    SELECT DISTINCT c.organization_id, c.received_on FROM cases c
     WHERE c.matter_id IS NOT NULL
       AND c.received_on <= make_date(y, 12, 31)
       AND greatest(c.received_on, c.decided_on, c.due_date,
                    (SELECT max(coalesce(p.end_on, p.start_on)) FROM case_pauses p WHERE p.case_id = c.id))
           >= make_date(y, 1, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER case_stat_queue_calendar AFTER INSERT OR UPDATE OR DELETE ON calendar_years
    FOR EACH ROW EXECUTE FUNCTION case_stat_queue_calendar();

-- Everything recorded so far is still to be counted.
INSERT INTO case_stat_queue (organization_id, received_on)
SELECT DISTINCT organization_id, received_on FROM cases WHERE matter_id IS NOT NULL;
