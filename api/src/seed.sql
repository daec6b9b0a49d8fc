-- Synthetic data for benchmarks: one "unit" (a city's worth of records) per run of these
-- statements. `@U@` is the unit number (0 = under the demo city), `@PW@` the password hash
-- of every seeded account. Statements are separated by lines holding only `-- step: NAME`.
-- Every record is generated set-wise from generate_series; no row goes through the API.

-- step: organisations
DROP TABLE IF EXISTS s_city, s_org, s_staff, s_win, s_matter, s_pub, s_cat, s_catn, s_item, s_case, s_req, s_ticket, s_day;
CREATE TEMP TABLE s_city (id uuid, path text, code text);
INSERT INTO s_city
    SELECT id, path, division_code FROM organizations
    WHERE @U@ = 0 AND parent_id IS NULL AND division_code = '370100' LIMIT 1;
INSERT INTO organizations (id, parent_id, path, kind, level, name, division_code, address, phone, office_hours)
    SELECT x.id, NULL, '/' || x.id || '/', 'region_government', 'city', '合成第' || @U@ || '市人民政府',
           '5' || lpad('@U@', 3, '0') || '00', '合成第' || @U@ || '市人民路1号', '0531-12345678', '工作日 9:00-17:00'
    FROM (SELECT gen_random_uuid() AS id) x WHERE @U@ > 0;
INSERT INTO s_city
    SELECT id, path, division_code FROM organizations
    WHERE @U@ > 0 AND parent_id IS NULL AND division_code = '5' || lpad('@U@', 3, '0') || '00';
CREATE TEMP TABLE s_org AS
    SELECT g.id, g.parent, (SELECT path FROM s_city) || g.id || '/' AS path,
           'region_government'::text AS kind, 'county'::text AS level, w.w AS short, w.w || '人民政府' AS name,
           '4' || lpad('@U@', 3, '0') || lpad(g.k::text, 2, '0') AS code, g.k AS county, 'county'::text AS role, g.k AS n
    FROM (SELECT gen_random_uuid() AS id, (SELECT id FROM s_city) AS parent, k FROM generate_series(1, 12) k) g
    JOIN s_words w ON w.kind = 'county' AND w.i = g.k;
INSERT INTO s_org
    SELECT g.id, g.parent, g.ppath || g.id || '/', 'department', 'county', g.short, g.short || w.w, NULL, g.county, 'dept', g.d
    FROM (SELECT gen_random_uuid() AS id, o.id AS parent, o.path AS ppath, o.short, o.county, d
          FROM s_org o, generate_series(1, 16) d WHERE o.role = 'county') g
    JOIN s_words w ON w.kind = 'dept' AND w.i = g.d;
INSERT INTO s_org
    SELECT g.id, g.parent, g.ppath || g.id || '/', 'hall', 'county', g.short, g.short || '政务服务中心', NULL, g.county, 'hall', 1
    FROM (SELECT gen_random_uuid() AS id, o.id AS parent, o.path AS ppath, o.short, o.county
          FROM s_org o WHERE o.role = 'county') g;
INSERT INTO s_org
    SELECT g.id, g.parent, g.ppath || g.id || '/', 'region_government', 'township', w.w || '镇',
           g.short || w.w || '镇人民政府', g.code || lpad(g.t::text, 3, '0') || '000', g.county, 'township', g.t
    FROM (SELECT gen_random_uuid() AS id, o.id AS parent, o.path AS ppath, o.short, o.code, o.county, t
          FROM s_org o, generate_series(1, 10) t WHERE o.role = 'county') g
    JOIN s_words w ON w.kind = 'township' AND w.i = g.t;
INSERT INTO s_org
    SELECT g.id, g.parent, g.ppath || g.id || '/', 'region_government', 'village', g.short || '中心村',
           g.name || g.short || '中心村村民委员会', left(g.code, 9) || '001', g.county, 'village', g.n
    FROM (SELECT gen_random_uuid() AS id, o.id AS parent, o.path AS ppath, o.short,
                 replace(o.name, '镇人民政府', '镇') AS name, o.code, o.county, o.n
          FROM s_org o WHERE o.role = 'township') g;
INSERT INTO organizations (id, parent_id, path, kind, level, name, division_code, address, phone, office_hours)
    SELECT id, parent, path, kind, level, name, code, name || '办公楼', '0531-8' || lpad((county * 100 + n)::text, 7, '0'),
           '工作日 9:00-12:00, 13:30-17:00'
    FROM s_org ORDER BY length(path);

-- step: staff and windows
CREATE TEMP TABLE s_staff AS
    SELECT gen_random_uuid() AS id, o.county, r.role, 0 AS n,
           'seed' || @U@ || '.c' || lpad(o.county::text, 2, '0') || '.' || r.uname AS username, o.id AS org
    FROM s_org o,
         (VALUES ('org_admin', 'admin'), ('disclosure_officer', 'disclosure'), ('reviewer', 'reviewer'),
                 ('supervisor', 'supervisor')) r (role, uname)
    WHERE o.role = 'county';
INSERT INTO s_staff
    SELECT gen_random_uuid(), h.county, 'clerk', k.wn,
           'seed' || @U@ || '.c' || lpad(h.county::text, 2, '0') || '.clerk' || k.wn, h.id
    FROM s_org h, generate_series(1, 10) AS k (wn) WHERE h.role = 'hall';
INSERT INTO users (id, username, password_hash, display_name, role, organization_id)
    SELECT s.id, s.username, '@PW@', sn.w || gn.w, s.role, s.org
    FROM s_staff s
    JOIN s_words sn ON sn.kind = 'surname' AND sn.i = 1 + (s.county * 7 + s.n * 3 + length(s.role)) % 20
    JOIN s_words gn ON gn.kind = 'given' AND gn.i = 1 + (s.county * 5 + s.n * 11 + length(s.role)) % 20;
CREATE TEMP TABLE s_win AS
    SELECT gen_random_uuid() AS id, h.id AS hall, h.county, k.wn AS n, w.w AS name
    FROM s_org h CROSS JOIN generate_series(1, 10) AS k (wn)
    JOIN s_words w ON w.kind = 'window' AND w.i = k.wn
    WHERE h.role = 'hall';
INSERT INTO windows (id, hall_id, number, name, combined)
    SELECT id, hall, lpad(n::text, 2, '0'), name, n = 1 FROM s_win;
INSERT INTO window_staff (window_id, user_id, post)
    SELECT w.id, s.id, 'a' FROM s_win w JOIN s_staff s ON s.role = 'clerk' AND s.county = w.county AND s.n = w.n;

-- step: service matters
CREATE TEMP TABLE s_matter AS
    SELECT gen_random_uuid() AS id, d.id AS org, d.county, g,
           d.short || t.w || k.w AS name, t.seg || ' ' || k.seg AS seg,
           CASE WHEN g % 10 = 0 THEN 'immediate' ELSE 'promised' END AS case_kind,
           CASE WHEN g % 10 = 0 THEN 0 ELSE (ARRAY[3, 5, 7, 10, 15])[1 + g % 5] END AS promised,
           CASE WHEN g % 10 = 0 THEN 0 ELSE 20 END AS statutory
    FROM generate_series(0, 1999) g
    JOIN s_org d ON d.role = 'dept' AND d.county = 1 + g % 12 AND d.n = 1 + (g / 12) % 16
    JOIN s_words t ON t.kind = 'topic' AND t.i = 1 + g % (SELECT count(*) FROM s_words WHERE kind = 'topic')
    JOIN s_words k ON k.kind = 'mkind' AND k.i = 1 + (g / 7) % (SELECT count(*) FROM s_words WHERE kind = 'mkind');
INSERT INTO service_matters (id, organization_id, basic_code, implementation_code, working_version, published_version, state, created_at, updated_at)
    SELECT id, org, 'SB' || lpad((g % 500)::text, 4, '0'), 'S' || lpad('@U@', 3, '0') || lpad(g::text, 6, '0'), 1, 1,
           'published', timestamptz '2024-01-01 09:00+08', timestamptz '2024-01-01 09:00+08'
    FROM s_matter;
INSERT INTO service_matter_versions (matter_id, number, name, matter_type, implementer_nature, service_objects, legal_basis,
        conditions, procedure, statutory_days, promised_days, case_kind, max_visits, online_depth, fees, materials,
        result_certificate, window_ids, consultation_phone, complaint_phone, entered_hall, classified, submitted_at,
        published_at, published_by, search_vector, created_at)
    SELECT m.id, 1, m.name, t.matter_type, t.implementer_nature, t.service_objects, t.legal_basis, t.conditions,
           t.procedure, m.statutory, m.promised, m.case_kind, t.max_visits, t.online_depth, t.fees, t.materials,
           t.result_certificate, ARRAY(SELECT w.id FROM s_win w WHERE w.county = m.county AND w.n <= 3 ORDER BY w.n),
           t.consultation_phone, t.complaint_phone, true, false, timestamptz '2024-01-01 09:00+08',
           timestamptz '2024-01-01 10:00+08', r.id, to_tsvector('simple', m.seg), timestamptz '2024-01-01 09:00+08'
    FROM s_matter m CROSS JOIN s_template t
    JOIN s_staff r ON r.role = 'reviewer' AND r.county = m.county;

-- step: disclosure items
CREATE TEMP TABLE s_pub AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx, id, path, county, code FROM s_org WHERE role <> 'hall';
CREATE TEMP TABLE s_cat AS
    SELECT c.organization_id AS org, c.id, (row_number() OVER (PARTITION BY c.organization_id ORDER BY c.code) - 1)::int AS idx
    FROM disclosure_categories c JOIN s_pub p ON p.id = c.organization_id
    WHERE NOT c.retired AND NOT EXISTS (SELECT 1 FROM disclosure_categories k WHERE k.parent_id = c.id);
CREATE TEMP TABLE s_catn AS SELECT org, count(*)::int AS cnt FROM s_cat GROUP BY org;
CREATE INDEX ON s_cat (org, idx);
CREATE TEMP TABLE s_item AS
    SELECT s.id, p.id AS org, p.path, p.county, s.g, c.id AS category, s.state, s.formed_on,
           s.published_at, extract(year FROM s.published_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
           '关于' || t.w || a.w || '的' || d.w AS title,
           '关于 ' || t.seg || ' ' || a.seg || ' ' || d.seg AS title_seg,
           '本文件明确了' || t.w || a.w || '的主要内容、责任分工和实施要求。' AS summary,
           '本 文件 明确 主要 内容 责任 分工 实施 要求 ' || t.seg || ' ' || a.seg AS summary_seg,
           '为做好' || t.w || '工作，' || s1.w || s2.w || s3.w || s4.w AS content,
           '为 做好 工作 ' || t.seg || ' ' || s1.seg || ' ' || s2.seg || ' ' || s3.seg || ' ' || s4.seg AS content_seg,
           t.w AS term, CASE WHEN s.g % 3 = 0 THEN 'proactive' WHEN s.r2 < 0.92 THEN 'proactive' ELSE 'on_application' END AS attribute,
           CASE WHEN s.g % 10 < 3 THEN p.code END AS code
    FROM (SELECT gen_random_uuid() AS id, g, random() AS r2,
                 CASE WHEN r < 0.85 THEN 'published' WHEN r < 0.88 THEN 'withdrawn' WHEN r < 0.94 THEN 'draft'
                      WHEN r < 0.98 THEN 'submitted' ELSE 'approved' END AS state,
                 CASE WHEN r < 0.88 THEN date '2024-01-01' + (g * 7919 % 1000) ELSE date '2026-11-30' - g % 60 END AS formed_on,
                 CASE WHEN r < 0.88 THEN (date '2024-01-01' + (g * 7919 % 1000) + (g % 26)) + time '09:30' + (g % 420) * interval '1 minute' END
                     AT TIME ZONE 'Asia/Shanghai' AS published_at
          FROM (SELECT g, random() AS r FROM generate_series(0, 199999) g) x) s
    JOIN s_pub p ON p.idx = s.g % (SELECT count(*) FROM s_pub)
    JOIN s_catn cn ON cn.org = p.id
    JOIN s_cat c ON c.org = p.id AND c.idx = s.g % cn.cnt
    JOIN s_words t ON t.kind = 'topic' AND t.i = 1 + (s.g / 3) % (SELECT count(*) FROM s_words WHERE kind = 'topic')
    JOIN s_words a ON a.kind = 'action' AND a.i = 1 + (s.g / 7) % (SELECT count(*) FROM s_words WHERE kind = 'action')
    JOIN s_words d ON d.kind = 'doctype' AND d.i = 1 + (s.g / 11) % (SELECT count(*) FROM s_words WHERE kind = 'doctype')
    JOIN s_words s1 ON s1.kind = 'sentence' AND s1.i = 1 + (s.g * 3) % 24
    JOIN s_words s2 ON s2.kind = 'sentence' AND s2.i = 1 + (s.g * 5 + 1) % 24
    JOIN s_words s3 ON s3.kind = 'sentence' AND s3.i = 1 + (s.g * 7 + 2) % 24
    JOIN s_words s4 ON s4.kind = 'sentence' AND s4.i = 1 + (s.g * 11 + 3) % 24;
ALTER TABLE s_item ADD COLUMN serial int, ADD COLUMN vector tsvector;
UPDATE s_item i SET serial = n.serial
    FROM (SELECT id, row_number() OVER (PARTITION BY org, year ORDER BY published_at, g)::int AS serial
          FROM s_item WHERE published_at IS NOT NULL) n
    WHERE n.id = i.id;
UPDATE s_item SET vector = setweight(to_tsvector('simple', title_seg), 'A')
    || setweight(to_tsvector('simple', summary_seg), 'B') || setweight(to_tsvector('simple', content_seg), 'C');
INSERT INTO disclosure_items (id, organization_id, issuing_organization_id, category_id, kind, title, summary, content,
        content_format, doc_number, subject_terms, formed_on, attribute, channels, validity, cadence, state,
        index_number, publish_due, published_version, first_published_at, withdraw_reason, author_id, reviewer_id,
        search_vector, created_at, updated_at)
    SELECT i.id, i.org, i.org, i.category, 'document', i.title, i.summary, i.content, 'plain',
           CASE WHEN i.code IS NOT NULL THEN '合成政发〔' || extract(year FROM i.formed_on) || '〕' || (i.g % 97 + 1) || '号' END,
           ARRAY[i.term], i.formed_on, i.attribute, '{portal,gazette}', 'valid', 'long_term', i.state,
           CASE WHEN i.serial IS NOT NULL THEN 'SEED' || @U@ || '-' || p.idx || '/' || i.year || '-' || lpad(i.serial::text, 5, '0') END,
           i.formed_on + 28, CASE WHEN i.state = 'published' THEN 1 END, i.published_at,
           CASE WHEN i.state = 'withdrawn' THEN '文件已废止，依规撤回' END,
           au.id, CASE WHEN i.state IN ('approved', 'published', 'withdrawn') THEN rv.id END, i.vector,
           i.formed_on::timestamptz, coalesce(i.published_at, i.formed_on::timestamptz)
    FROM s_item i
    JOIN s_pub p ON p.id = i.org
    JOIN s_staff au ON au.role = 'disclosure_officer' AND au.county = i.county
    JOIN s_staff rv ON rv.role = 'reviewer' AND rv.county = i.county;
INSERT INTO disclosure_versions (item_id, number, organization_id, org_path, issuing_organization_id, category_id, kind,
        index_number, title, summary, content, content_format, doc_number, subject_terms, formed_on, year, attribute,
        channels, validity, cadence, published_at, published_by, is_current, search_vector)
    SELECT d.id, 1, d.organization_id, i.path, d.organization_id, d.category_id, 'document', d.index_number, d.title,
           d.summary, d.content, 'plain', d.doc_number, d.subject_terms, d.formed_on, i.year, d.attribute,
           d.channels, 'valid', 'long_term', i.published_at, d.reviewer_id, d.state = 'published', d.search_vector
    FROM s_item i JOIN disclosure_items d ON d.id = i.id
    WHERE i.published_at IS NOT NULL;
INSERT INTO disclosure_index_counters (organization_id, year, last_serial)
    SELECT org, year, max(serial) FROM s_item WHERE serial IS NOT NULL GROUP BY org, year;

-- step: cases
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

-- step: evaluations
INSERT INTO evaluations (id, case_id, organization_id, window_id, staff_id, level, channel, text, evaluated_at, evaluated_on)
    SELECT gen_random_uuid(), c.id, c.org, w.id, k.id, e.level,
           (ARRAY['pc', 'mobile', 'qr_code', 'hall_tablet', 'phone', 'sms'])[1 + (c.g / 4) % 6],
           CASE WHEN e.level IN ('dissatisfied', 'very_dissatisfied') THEN '办理时间较长，窗口解释不够清楚'
                WHEN c.g % 8 = 0 THEN '服务热情，一次办好' END,
           (least(c.decided_on + 1, date '2026-11-30') + time '18:00') AT TIME ZONE 'Asia/Shanghai',
           least(c.decided_on + 1, date '2026-11-30')
    FROM s_case c
    JOIN s_win w ON w.county = c.county AND w.n = 1 + c.g % 10
    JOIN s_staff k ON k.role = 'clerk' AND k.county = c.county AND k.n = 1 + c.g % 10
    CROSS JOIN LATERAL (SELECT CASE WHEN (c.g / 4) % 100 < 70 THEN 'very_satisfied' WHEN (c.g / 4) % 100 < 90 THEN 'satisfied'
                                    WHEN (c.g / 4) % 100 < 96 THEN 'basically_satisfied' WHEN (c.g / 4) % 100 < 99 THEN 'dissatisfied'
                                    ELSE 'very_dissatisfied' END AS level) e
    WHERE c.state = 'delivered' AND c.g % 4 = 0;

-- step: disclosure applications
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

-- step: hotline tickets
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

-- step: attendance and assessments
CREATE TEMP TABLE s_day AS
    SELECT d::date AS day, row_number() OVER (ORDER BY d)::int AS n
    FROM generate_series(date '2024-01-01', date '2026-11-30', interval '1 day') d
    WHERE extract(isodow FROM d) < 6;
INSERT INTO attendance_records (id, hall_id, window_id, user_id, day, status, note, recorded_by)
    SELECT gen_random_uuid(), w.hall, w.id, k.id, d.day,
           CASE WHEN (d.n * 7 + w.n * 13) % 100 < 95 THEN 'present' WHEN (d.n * 7 + w.n * 13) % 100 < 97 THEN 'late'
                WHEN (d.n * 7 + w.n * 13) % 100 < 99 THEN 'leave' ELSE 'business_trip' END,
           NULL, s.id
    FROM s_win w
    JOIN s_staff k ON k.role = 'clerk' AND k.county = w.county AND k.n = w.n
    JOIN s_staff s ON s.role = 'supervisor' AND s.county = w.county
    CROSS JOIN s_day d;
INSERT INTO assessments (id, hall_id, subject_kind, window_id, day, score, assessed_by)
    SELECT gen_random_uuid(), w.hall, 'window', w.id, d.day, CASE WHEN (d.n + w.n * 3) % 25 = 0 THEN 98 ELSE 100 END, s.id
    FROM s_win w
    JOIN s_staff s ON s.role = 'supervisor' AND s.county = w.county
    CROSS JOIN s_day d;
INSERT INTO assessment_items (assessment_id, seq, dimension, points, reason)
    SELECT a.id, 1, 'discipline', -2, '上岗未按规定佩戴工牌'
    FROM assessments a JOIN s_win w ON w.id = a.window_id WHERE a.score = 98;
