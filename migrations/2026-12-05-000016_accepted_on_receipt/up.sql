-- AL Art.32: after a one-time notice of missing materials later than the notice window, an
-- application counts as accepted on the day it was received. A case now records that date
-- when it is accepted, and its due date, alerts and statistics follow from it. Cases
-- accepted before kept the day of the acceptance act (the statistics moved them back when
-- counting): they are moved here, their due dates by the same number of working days, and
-- the statistics no longer watch notices, supervision rules and moves of organisations,
-- which only that correction read.
--
-- Working days as the server counts them: weekends and the loaded holidays are rest days,
-- the loaded adjusted working days are worked; a notice's day is its local date in
-- Asia/Shanghai (the default ZHENGWU_TIMEZONE). `w` numbers the working days up to a day, so
-- that the working days in (a, b] are w(b) - w(a) and the n-th working day after a is the
-- working day numbered w(a) + n.
CREATE TEMP TABLE zw_days ON COMMIT DROP AS
SELECT g.day, g.working, sum(g.working::int) OVER (ORDER BY g.day) AS w
  FROM (SELECT s.d::date AS day,
               CASE k.kind WHEN 'holiday' THEN false
                           WHEN 'adjusted_working_day' THEN true
                           ELSE extract(isodow FROM s.d) < 6 END AS working
          FROM generate_series((SELECT coalesce(min(received_on), current_date) FROM cases) - 1,
                               (SELECT coalesce(max(greatest(received_on, accepted_on, due_date)),
                                                current_date) FROM cases) + 400,
                               interval '1 day') AS s(d)
          LEFT JOIN calendar_days k ON k.day = s.d::date) g;
CREATE UNIQUE INDEX ON zw_days (day);
CREATE INDEX ON zw_days (w) WHERE working;

WITH notified AS (
    SELECT c.id, c.received_on, c.accepted_on, c.due_date, o.path,
           (min(n.at) AT TIME ZONE 'Asia/Shanghai')::date AS notice_on
      FROM cases c
      JOIN organizations o ON o.id = c.organization_id
      JOIN case_missing_notices n ON n.case_id = c.id
     WHERE c.accepted_on > c.received_on
     GROUP BY c.id, o.path
), late AS (
    SELECT x.*
      FROM notified x
      JOIN zw_days r ON r.day = x.received_on
      JOIN zw_days n ON n.day = x.notice_on
     WHERE n.w - r.w > coalesce(
               (SELECT (s.config ->> 'notice_window_days')::int
                  FROM supervision_rules s JOIN organizations p ON p.id = s.organization_id
                 WHERE starts_with(x.path, p.path)
                 ORDER BY length(p.path) DESC LIMIT 1),
               5)
)
UPDATE cases c
   SET accepted_on = late.received_on,
       due_date = CASE
           WHEN late.due_date IS NULL THEN NULL
           WHEN d.w = a.w THEN late.received_on
           ELSE (SELECT z.day FROM zw_days z WHERE z.working AND z.w = r.w + (d.w - a.w))
       END
  FROM late
  JOIN zw_days r ON r.day = late.received_on
  JOIN zw_days a ON a.day = late.accepted_on
  LEFT JOIN zw_days d ON d.day = late.due_date
 WHERE c.id = late.id;

DROP TRIGGER case_stat_queue_notices ON case_missing_notices;
DROP TRIGGER case_stat_queue_rules ON supervision_rules;
DROP FUNCTION case_stat_queue_rules();
DROP TRIGGER case_stat_queue_org ON organizations;
DROP FUNCTION case_stat_queue_org();
