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
