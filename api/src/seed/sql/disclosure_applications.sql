CREATE TEMP TABLE s_req AS
    SELECT gen_random_uuid() AS id, o.id AS org, o.county, x.g, x.r, x.received_on, t.w AS topic, a.w AS action,
           CASE WHEN date '2026-12-01' - x.received_on > 45 THEN CASE WHEN x.r < 0.97 THEN 'replied' ELSE 'deemed_withdrawn' END
                ELSE CASE WHEN x.r < 0.40 THEN 'received' WHEN x.r < 0.45 THEN 'consulting' WHEN x.r < 0.50 THEN 'awaiting_correction'
                          WHEN x.r < 0.52 THEN 'awaiting_fee' ELSE 'replied' END END AS state
    FROM (SELECT g, random() AS r, date '2024-01-01' + floor(random() * 1065)::int AS received_on
          FROM generate_series(0, 99999) g) x
    JOIN s_org o ON (o.role = 'county' AND o.county = 1 + x.g % 12 AND x.g % 3 = 0)
                 OR (o.role = 'dept' AND o.county = 1 + x.g % 12 AND o.n = 1 + (x.g / 12) % 16 AND x.g % 3 <> 0)
    JOIN s_words t ON t.kind = 'topic' AND t.i = 1 + x.g % (SELECT count(*) FROM s_words WHERE kind = 'topic')
    JOIN s_words a ON a.kind = 'action' AND a.i = 1 + (x.g / 5) % (SELECT count(*) FROM s_words WHERE kind = 'action');
ALTER TABLE s_req ADD COLUMN serial int;
UPDATE s_req q SET serial = n.serial
    FROM (SELECT id, row_number() OVER (PARTITION BY county, received_on ORDER BY g)::int AS serial FROM s_req) n
    WHERE n.id = q.id;
INSERT INTO disclosure_requests (id, number, organization_id, applicant_name, applicant_type, contact, description, purpose,
        requested_form, delivery_method, channel, submitted_on, received_on, state, correction_due, due_date, fee_method,
        fee_fen, fee_due, created_at)
    SELECT q.id, 'YSQ' || o.code || to_char(q.received_on, 'YYYYMMDD') || lpad(q.serial::text, 4, '0'), q.org,
           sn.w || gn.w, 'natural_person', '{"phone": "13800000000"}', '申请公开' || q.topic || q.action || '的相关文件',
           '了解政策', 'electronic', 'email', (ARRAY['online', 'online', 'letter', 'in_person'])[1 + q.g % 4],
           q.received_on, q.received_on, q.state,
           CASE WHEN q.state = 'awaiting_correction' THEN q.received_on + 15 END,
           CASE WHEN q.state NOT IN ('awaiting_correction', 'deemed_withdrawn') THEN q.received_on + 28 END,
           CASE WHEN q.state = 'awaiting_fee' THEN 'by_case' END, CASE WHEN q.state = 'awaiting_fee' THEN 10000 END,
           CASE WHEN q.state = 'awaiting_fee' THEN q.received_on + 20 END,
           q.received_on::timestamptz
    FROM s_req q
    JOIN s_org o ON o.role = 'county' AND o.county = q.county
    JOIN s_words sn ON sn.kind = 'surname' AND sn.i = 1 + (q.g / 3) % 20
    JOIN s_words gn ON gn.kind = 'given' AND gn.i = 1 + (q.g / 7) % 20;
INSERT INTO request_counters (organization_id, day, last_serial)
    SELECT o.id, q.received_on, max(q.serial) FROM s_req q JOIN s_org o ON o.role = 'county' AND o.county = q.county
    GROUP BY o.id, q.received_on;
INSERT INTO request_replies (request_id, reply_type, reply_text, provided_items, replied_on, late, replied_by)
    SELECT q.id, x.reply_type, '经审查，现答复如下：' || q.topic || '相关信息' ||
           CASE x.reply_type WHEN 'disclosed' THEN '予以公开。' WHEN 'partially_disclosed' THEN '部分公开。'
                             WHEN 'unable_not_held' THEN '本机关未制作或获取。' ELSE '不予公开。' END,
           '[]', x.replied_on, x.replied_on > q.received_on + 28, k.id
    FROM s_req q
    JOIN s_staff k ON k.role = 'disclosure_officer' AND k.county = q.county
    CROSS JOIN LATERAL (SELECT (ARRAY['disclosed', 'disclosed', 'disclosed', 'partially_disclosed', 'unable_not_held',
                                      'non_disclosure_third_party', 'disclosed', 'partially_disclosed'])[1 + q.g % 8] AS reply_type,
                               least(q.received_on + floor(q.r * 1000)::int % 31, date '2026-11-30') AS replied_on) x
    WHERE q.state = 'replied';
