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
