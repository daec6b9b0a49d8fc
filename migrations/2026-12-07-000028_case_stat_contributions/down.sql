-- Back to whole-day recounts: the queue rows lose their case, the contributions go, and the
-- days already summed stay valid (they are the sums of their cases).
CREATE OR REPLACE FUNCTION case_stat_queue_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stat_queue (organization_id, received_on)
    SELECT c.organization_id, c.received_on FROM cases c
     WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.case_id ELSE NEW.case_id END
       AND c.matter_id IS NOT NULL;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION case_stat_queue_case() RETURNS trigger LANGUAGE plpgsql AS $$
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

ALTER TABLE case_stat_queue DROP COLUMN case_id;
DROP TABLE case_stat_cases;
