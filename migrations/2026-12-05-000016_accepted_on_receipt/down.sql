-- The acceptance dates moved to the day of receipt stay where the law puts them; the
-- triggers that let the statistics correct them when counting come back.
CREATE TRIGGER case_stat_queue_notices AFTER INSERT OR UPDATE OR DELETE ON case_missing_notices
    FOR EACH ROW EXECUTE FUNCTION case_stat_queue_child();

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
