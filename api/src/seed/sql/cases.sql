CREATE TEMP TABLE s_case AS
    SELECT s.id, m.id AS matter, m.org, m.county, m.case_kind, m.promised, m.statutory, s.g, s.r2, s.received_on,
           CASE WHEN date '2026-12-01' - s.received_on > 45 THEN
                    CASE WHEN s.r < 0.93 THEN 'delivered' WHEN s.r < 0.99 THEN 'refused' ELSE 'decided' END
                ELSE CASE WHEN s.r < 0.10 THEN 'submitted' WHEN s.r < 0.15 THEN 'materials_requested'
                          WHEN s.r < 0.45 THEN 'accepted' WHEN s.r < 0.50 THEN 'suspended' WHEN s.r < 0.60 THEN 'decided'
                          WHEN s.r < 0.95 THEN 'delivered' ELSE 'refused' END
           END AS state
    FROM (SELECT gen_random_uuid() AS id, g, random() AS r, random() AS r2,
                 date '2024-01-01' + floor(random() * 1065)::int AS received_on
          FROM generate_series(0, 999999) g) s
    JOIN s_matter m ON m.g = s.g % 2000;
ALTER TABLE s_case ADD COLUMN accepted_on date, ADD COLUMN due_date date, ADD COLUMN decided_on date, ADD COLUMN serial int;
UPDATE s_case c SET
    accepted_on = CASE WHEN state IN ('accepted', 'suspended', 'decided', 'delivered') THEN received_on END,
    due_date = CASE WHEN state IN ('accepted', 'suspended', 'decided', 'delivered') THEN received_on + promised * 7 / 5 END,
    decided_on = CASE WHEN state IN ('decided', 'delivered')
                      THEN least(received_on + floor(r2 * (promised * 7 / 5 + 3))::int, date '2026-11-30') END,
    serial = n.serial
    FROM (SELECT id, row_number() OVER (PARTITION BY county, received_on ORDER BY g)::int AS serial FROM s_case) n
    WHERE n.id = c.id;
INSERT INTO cases (id, number, matter_id, matter_version, organization_id, window_id, applicant_name, applicant_type,
        applicant_phone, channel, query_password_hash, state, case_kind, statutory_days, promised_days, received_at,
        received_on, accepted_on, due_date, decided_on, first_contact_id)
    SELECT c.id, o.code || to_char(c.received_on, 'YYYYMMDD') || lpad(c.serial::text, 5, '0'), c.matter, 1, c.org, w.id,
           CASE WHEN c.g % 5 = 0 THEN sn.w || gn.w || '商贸有限公司' ELSE sn.w || gn.w END,
           CASE WHEN c.g % 5 = 0 THEN 'legal_person' ELSE 'natural_person' END,
           '138' || lpad((c.g % 100000000)::text, 8, '0'),
           (ARRAY['window', 'window', 'web', 'mobile', 'window', 'post'])[1 + c.g % 6],
           sha256(convert_to('SEED2026', 'UTF8')), c.state, c.case_kind, c.statutory, c.promised,
           (c.received_on + time '09:00' + (c.g % 480) * interval '1 minute') AT TIME ZONE 'Asia/Shanghai',
           c.received_on, c.accepted_on, c.due_date, c.decided_on, k.id
    FROM s_case c
    JOIN s_org o ON o.role = 'county' AND o.county = c.county
    JOIN s_win w ON w.county = c.county AND w.n = 1 + c.g % 10
    JOIN s_staff k ON k.role = 'clerk' AND k.county = c.county AND k.n = 1 + c.g % 10
    JOIN s_words sn ON sn.kind = 'surname' AND sn.i = 1 + c.g % 20
    JOIN s_words gn ON gn.kind = 'given' AND gn.i = 1 + (c.g / 20) % 20
    -- In the order of receipt, as intake writes them: the table's physical order follows
    -- the receipt date, which period queries (statistics, lists) depend on.
    ORDER BY c.received_on, c.g;
INSERT INTO case_counters (organization_id, day, last_serial)
    SELECT o.id, c.received_on, max(c.serial) FROM s_case c JOIN s_org o ON o.role = 'county' AND o.county = c.county
    GROUP BY o.id, c.received_on;
INSERT INTO case_outcomes (case_id, accepted_at, refusal_reason, decision, decision_reason, result_number, decided_at,
        delivered_at, delivery_method, updated_at)
    SELECT c.id,
           CASE WHEN c.accepted_on IS NOT NULL THEN (c.accepted_on + time '10:00') AT TIME ZONE 'Asia/Shanghai' END,
           CASE WHEN c.state = 'refused' THEN '不属于本机关职权范围，已告知向有权机关申请' END,
           CASE WHEN c.decided_on IS NULL THEN NULL WHEN c.r2 < 0.96 THEN 'approved' ELSE 'denied' END,
           CASE WHEN c.decided_on IS NOT NULL AND c.r2 >= 0.96 THEN '申请人不符合法定条件' END,
           CASE WHEN c.decided_on IS NOT NULL AND c.r2 < 0.96
                THEN '合成准字〔' || extract(year FROM c.decided_on) || '〕' || lpad(c.g::text, 7, '0') || '号' END,
           CASE WHEN c.decided_on IS NOT NULL THEN (c.decided_on + time '15:00') AT TIME ZONE 'Asia/Shanghai' END,
           CASE WHEN c.state = 'delivered' THEN (c.decided_on + time '16:00') AT TIME ZONE 'Asia/Shanghai' END,
           CASE WHEN c.state = 'delivered' THEN 'window' END,
           now()
    FROM s_case c;
