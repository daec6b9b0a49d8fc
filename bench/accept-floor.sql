-- pgbench script: the statements the server runs to accept a case (scenario 7), in the
-- order and shape it sends them, on the same tables, with no HTTP server in between. Each
-- transaction is rolled back, so the fresh cases stay submitted and the audit chains are
-- left alone; a rollback skips the commit's flush, so the figure is an upper bound of what
-- PostgreSQL sustains for these statements on this machine.
--
-- scripts/bench runs it after scenario 7 over a table bench_floor (k, case_id, org_id,
-- matter_id, user_id, chain) of fresh submitted cases, with -D n=<rows>, once as written
-- (one statement per round trip) and once with the transaction in one pipeline.
-- Keep it in step with the acceptance (api/src/app/cases/transition.rs): the server's
-- statements are listed by `log_statement = all` for one request.
\set k random(1, :n)
SELECT case_id, org_id, matter_id, user_id, chain FROM bench_floor WHERE k = :k \gset
BEGIN;
-- the case, locked; where it lies; its outcome
SELECT * FROM cases WHERE id = :case_id FOR UPDATE;
SELECT o.*, (SELECT h.path FROM windows w JOIN organizations h ON h.id = w.hall_id
              WHERE w.id = c.window_id) AS hall_path
  FROM cases c JOIN organizations o ON o.id = c.organization_id WHERE c.id = :case_id;
SELECT * FROM case_outcomes WHERE case_id = :case_id LIMIT 1;
-- AL Art.32: the notices, the rules, the calendar
SELECT * FROM case_missing_notices WHERE case_id = :case_id ORDER BY round;
SELECT o.path, r.organization_id, r.config
  FROM supervision_rules r JOIN organizations o ON r.organization_id = o.id;
SELECT y.year, y.version, y.updated_at, d.day, d.kind
  FROM calendar_years y LEFT JOIN calendar_days d ON d.year = y.year
 WHERE y.year BETWEEN extract(year FROM current_date)::int AND extract(year FROM current_date)::int
 ORDER BY y.year, d.day;
-- the clock: the pauses and the calendar around the acceptance; the provisional deadline
SELECT * FROM case_pauses WHERE case_id = :case_id ORDER BY seq;
SELECT y.year, y.version, y.updated_at, d.day, d.kind
  FROM calendar_years y LEFT JOIN calendar_days d ON d.year = y.year
 WHERE y.year BETWEEN extract(year FROM current_date)::int AND extract(year FROM current_date)::int + 2
 ORDER BY y.year, d.day;
INSERT INTO provisional_deadlines (kind, object_id, seq, start_on, working_days, stops, due_date, years)
VALUES ('case', :case_id, 0, current_date, 20, '[]', current_date + 28, ARRAY[2027])
ON CONFLICT (kind, object_id, seq) DO UPDATE SET start_on = excluded.start_on,
       working_days = excluded.working_days, stops = excluded.stops,
       due_date = excluded.due_date, years = excluded.years, computed_at = CURRENT_TIMESTAMP;
-- the case and its outcome, the trail, the outbox
UPDATE cases SET state = 'accepted', accepted_on = current_date, due_date = current_date + 28,
       version = version + 1
 WHERE id = :case_id RETURNING *;
UPDATE case_outcomes SET accepted_at = now(), updated_at = CURRENT_TIMESTAMP
 WHERE case_id = :case_id RETURNING *;
INSERT INTO case_events (case_id, at, actor_id, action, note, data)
VALUES (:case_id, now(), :user_id, 'accept', NULL, '{}');
INSERT INTO outbox_events (id, type, subject, organization_id, org_path, owner_id, occurred_at, data)
SELECT gen_random_uuid(), 'zhengwu.case.accepted.v1', 'cases/' || c.id, c.organization_id,
       o.path, c.applicant_id, now(),
       jsonb_build_object('case_id', c.id, 'number', c.number, 'state', c.state,
                          'organization_id', c.organization_id, 'matter_id', c.matter_id,
                          'received_on', c.received_on, 'accepted_on', c.accepted_on,
                          'due_date', c.due_date)
  FROM cases c JOIN organizations o ON o.id = c.organization_id WHERE c.id = :case_id;
-- the answer: fee flags, the matter's name, years without a schedule
SELECT DISTINCT case_id FROM case_fees WHERE case_id = :case_id AND anomaly IS NOT NULL;
SELECT matter_id, number, name FROM service_matter_versions WHERE matter_id = :matter_id;
SELECT object_id, years FROM provisional_deadlines WHERE object_id = :case_id;
-- the audit chain: its lock, its head, the event
SELECT CASE WHEN coalesce(nullif(current_setting('zhengwu.audit_chain', true), ''), :chain::text) = :chain::text
            THEN (SELECT set_config('zhengwu.audit_chain', :chain::text, true)
                    FROM pg_advisory_xact_lock(8820411395061806338 + (:chain::bigint << 32))) END;
SELECT hash FROM audit_events WHERE chain = :chain ORDER BY id DESC LIMIT 1;
INSERT INTO audit_events (chain, occurred_at, actor_id, actor_kind, action, entity_type,
                          entity_id, org_path, before, after, request_id, prev_hash, hash)
VALUES (:chain, now(), :user_id, 'user', 'case.accept', 'case', :case_id, '0001',
        '{"state": "submitted", "due_date": null}',
        '{"state": "accepted", "due_date": "2027-01-04", "note": null, "data": {}}',
        'bench-floor', '\x00', sha256('\x00')) RETURNING id;
ROLLBACK;
