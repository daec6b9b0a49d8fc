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
