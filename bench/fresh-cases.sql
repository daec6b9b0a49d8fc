-- Fresh submitted cases for benchmark scenario 7 (accept), used by scripts/bench: copies of
-- the submitted cases of seed unit 0 (received in the last 45 days), each numbered through
-- the case counters exactly as intake numbers a case. `bench_fresh` lists them with the user
-- name of the clerk of their window. psql variable: n = how many.
BEGIN;
CREATE TABLE IF NOT EXISTS bench_fresh (id uuid PRIMARY KEY, clerk text NOT NULL);
TRUNCATE bench_fresh;
CREATE TEMP TABLE fresh ON COMMIT DROP AS
    SELECT c.*, gen_random_uuid() AS new_id, h.id AS holder, h.division_code AS code,
           'seed0.c' || right(h.division_code, 2) || '.clerk' || w.number::int AS clerk,
           row_number() OVER (PARTITION BY h.id, c.received_on ORDER BY c.id, g.copy) AS k
    FROM (SELECT c.id, g.copy FROM cases c, generate_series(1, 50) AS g (copy)
          WHERE c.state = 'submitted' AND c.number LIKE '4000%' AND length(c.number) = 19
          ORDER BY random() LIMIT :n) g
    JOIN cases c ON c.id = g.id
    JOIN windows w ON w.id = c.window_id
    JOIN organizations h ON h.division_code = left(c.number, 6) AND h.level = 'county'
                        AND h.kind = 'region_government';
INSERT INTO case_counters (organization_id, day, last_serial)
    SELECT DISTINCT holder, received_on, 0 FROM fresh
    ON CONFLICT DO NOTHING;
INSERT INTO cases (id, number, parent_id, matter_id, matter_version, organization_id, window_id, applicant_id,
        applicant_name, applicant_type, applicant_phone, project_name, channel, submitted_materials,
        query_password_hash, state, case_kind, statutory_days, promised_days, received_at, received_on,
        submission_round, accepted_on, extension_days, due_date, decided_on, assignee_id, first_contact_id,
        green_channel, classified, version)
    SELECT f.new_id, f.code || to_char(f.received_on, 'YYYYMMDD') || lpad((cc.last_serial + f.k)::text, 5, '0'),
           f.parent_id, f.matter_id, f.matter_version, f.organization_id, f.window_id, f.applicant_id,
           f.applicant_name, f.applicant_type, f.applicant_phone, f.project_name, f.channel, f.submitted_materials,
           f.query_password_hash, f.state, f.case_kind, f.statutory_days, f.promised_days, f.received_at,
           f.received_on, f.submission_round, f.accepted_on, f.extension_days, f.due_date, f.decided_on,
           f.assignee_id, f.first_contact_id, f.green_channel, f.classified, 1
    FROM fresh f JOIN case_counters cc ON cc.organization_id = f.holder AND cc.day = f.received_on;
UPDATE case_counters cc SET last_serial = cc.last_serial + m.k
    FROM (SELECT holder, received_on, max(k) AS k FROM fresh GROUP BY holder, received_on) m
    WHERE cc.organization_id = m.holder AND cc.day = m.received_on;
INSERT INTO case_outcomes (case_id, updated_at) SELECT new_id, now() FROM fresh;
INSERT INTO bench_fresh (id, clerk) SELECT new_id, clerk FROM fresh;
COMMIT;
