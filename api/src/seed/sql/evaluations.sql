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
