-- The case statistics kept per case as well as per day. Recounting the whole day of every
-- changed case made each transition cost as much as its day's cases (a few hundred in a
-- county hall): at hundreds of transitions a second the refresher's recounts took half the
-- database's time. Each counted case now keeps its own contribution to its day's sums
-- (case_stat_cases), and the sums of a (organisation, day, hall) are always the sums of its
-- cases' contributions: the refresher recomputes the changed cases only and adds the
-- differences. A queue row names the case it is about; a row without one (a window moved to
-- another hall, a calendar changed) asks for every case of its day.
CREATE TABLE case_stat_cases (
    case_id uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    received_on date NOT NULL,
    hall_id uuid,
    accepted smallint NOT NULL,
    refused smallint NOT NULL,
    completed smallint NOT NULL,
    completed_on_time smallint NOT NULL,
    completed_early smallint NOT NULL,
    immediate_completed smallint NOT NULL,
    immediate_on_the_spot smallint NOT NULL,
    working_days_used integer NOT NULL,
    limit_days integer NOT NULL
);
CREATE INDEX case_stat_cases_day_idx ON case_stat_cases (organization_id, received_on);

ALTER TABLE case_stat_queue ADD COLUMN case_id uuid;

CREATE OR REPLACE FUNCTION case_stat_queue_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.matter_id IS NOT NULL THEN
        INSERT INTO case_stat_queue (organization_id, received_on, case_id)
        VALUES (OLD.organization_id, OLD.received_on, OLD.id);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.matter_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.matter_id IS NULL
            OR OLD.organization_id <> NEW.organization_id
            OR OLD.received_on <> NEW.received_on) THEN
        INSERT INTO case_stat_queue (organization_id, received_on, case_id)
        VALUES (NEW.organization_id, NEW.received_on, NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION case_stat_queue_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stat_queue (organization_id, received_on, case_id)
    SELECT c.organization_id, c.received_on, c.id FROM cases c
     WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.case_id ELSE NEW.case_id END
       AND c.matter_id IS NOT NULL;
    RETURN NULL;
END $$;

-- The stored sums start empty, as the contributions do, and every day is counted again;
-- until the refresher has counted a day, readers count its records (it is queued).
DELETE FROM case_stat_days;
DELETE FROM case_stat_queue;
INSERT INTO case_stat_queue (organization_id, received_on)
SELECT DISTINCT organization_id, received_on FROM cases WHERE matter_id IS NOT NULL;
