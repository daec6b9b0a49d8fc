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
