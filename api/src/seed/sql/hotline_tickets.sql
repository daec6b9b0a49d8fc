CREATE TEMP TABLE s_ticket AS
    SELECT gen_random_uuid() AS id, x.g, x.r, x.received_on, d.id AS org, d.county, t.w AS topic,
           extract(year FROM x.received_on)::int AS year,
           CASE WHEN date '2026-12-01' - x.received_on > 30 THEN CASE WHEN x.r < 0.96 THEN 'closed' ELSE 'called_back' END
                ELSE CASE WHEN x.r < 0.10 THEN 'received' WHEN x.r < 0.50 THEN 'dispatched' WHEN x.r < 0.53 THEN 'returned'
                          WHEN x.r < 0.73 THEN 'replied' WHEN x.r < 0.80 THEN 'called_back' WHEN x.r < 0.82 THEN 'reopened'
                          ELSE 'closed' END END AS state,
           (ARRAY['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'])[1 + x.g % 6] AS kind,
           CASE WHEN x.g % 100 = 0 THEN 'emergency' WHEN x.g % 10 = 0 THEN 'urgent' ELSE 'normal' END AS urgency
    FROM (SELECT g, random() AS r, date '2024-01-01' + floor(random() * 1065)::int AS received_on
          FROM generate_series(0, 99999) g) x
    JOIN s_org d ON d.role = 'dept' AND d.county = 1 + x.g % 12 AND d.n = 1 + (x.g / 12) % 16
    JOIN s_words t ON t.kind = 'topic' AND t.i = 1 + x.g % (SELECT count(*) FROM s_words WHERE kind = 'topic');
ALTER TABLE s_ticket ADD COLUMN serial int;
UPDATE s_ticket k SET serial = n.serial + coalesce((SELECT last_serial FROM supervision_counters WHERE kind = 'hotline' AND year = n.year), 0)
    FROM (SELECT id, year, row_number() OVER (PARTITION BY year ORDER BY received_on, g)::int AS serial FROM s_ticket) n
    WHERE n.id = k.id;
INSERT INTO supervision_counters (kind, year, last_serial)
    SELECT 'hotline', year, max(serial) FROM s_ticket GROUP BY year
    ON CONFLICT (kind, year) DO UPDATE SET last_serial = EXCLUDED.last_serial;
INSERT INTO hotline_tickets (id, number, kind, urgency, channel, subject, description, location, caller_name, caller_contact,
        public_answer, query_code_hash, center_id, state, received_at, received_on, responsible_org_id, dispatched_on,
        due_date, reply, replied_at, callback_satisfied, closed_at)
    SELECT k.id, 'RX' || k.year || lpad(k.serial::text, 6, '0'), k.kind, k.urgency,
           (ARRAY['phone', 'phone', 'message', 'web'])[1 + k.g % 4], k.topic || '相关问题',
           '市民来电反映' || k.topic || '方面的问题，希望有关部门尽快处理并答复。', o.name || '辖区', sn.w || '先生',
           '{"phone": "13800000000"}', k.g % 5 = 0, sha256(convert_to('SEED2026', 'UTF8')), c.id, k.state,
           (k.received_on + time '08:30' + (k.g % 600) * interval '1 minute') AT TIME ZONE 'Asia/Shanghai', k.received_on,
           CASE WHEN k.state <> 'received' THEN k.org END,
           CASE WHEN k.state <> 'received' THEN k.received_on END,
           CASE WHEN k.state <> 'received' THEN k.received_on + CASE k.urgency WHEN 'emergency' THEN 1 WHEN 'urgent' THEN 3 ELSE 7 END END,
           CASE WHEN k.state IN ('replied', 'called_back', 'closed') THEN '经核实，已按规定处理并答复来电人。' END,
           CASE WHEN k.state IN ('replied', 'called_back', 'closed')
                THEN (least(k.received_on + k.g % 6, date '2026-11-30') + time '15:00') AT TIME ZONE 'Asia/Shanghai' END,
           CASE WHEN k.state IN ('called_back', 'closed') THEN k.g % 20 <> 0 END,
           CASE WHEN k.state = 'closed' THEN (least(k.received_on + k.g % 6 + 1, date '2026-11-30') + time '17:00') AT TIME ZONE 'Asia/Shanghai' END
    FROM s_ticket k
    JOIN s_org o ON o.role = 'county' AND o.county = k.county
    CROSS JOIN s_city c
    JOIN s_words sn ON sn.kind = 'surname' AND sn.i = 1 + k.g % 20;
