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
