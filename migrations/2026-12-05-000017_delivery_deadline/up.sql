-- AL Art.44: a decision is delivered within ten days of it, counted in working days (Art.82).
-- A case records the last day to deliver (set by the decision) and the day it was delivered
-- (stated when delivering, never before the decision nor in the future); supervision watches
-- the first (JC-A10) and flags a later delivery (JC-B08).
ALTER TABLE case_outcomes ADD COLUMN delivery_due date, ADD COLUMN delivered_on date;

-- Cases decided before: the delivery day they recorded in their trail (else the local day of
-- delivery, in Asia/Shanghai, the default ZHENGWU_TIMEZONE), and the 10th working day after
-- the decision as the server counts them (weekends and loaded holidays rest, loaded adjusted
-- working days worked; `w` numbers the working days up to a day).
CREATE TEMP TABLE zw_days ON COMMIT DROP AS
SELECT g.day, g.working, sum(g.working::int) OVER (ORDER BY g.day) AS w
  FROM (SELECT s.d::date AS day,
               CASE k.kind WHEN 'holiday' THEN false
                           WHEN 'adjusted_working_day' THEN true
                           ELSE extract(isodow FROM s.d) < 6 END AS working
          FROM generate_series((SELECT coalesce(min(decided_on), current_date) FROM cases) - 1,
                               (SELECT coalesce(max(decided_on), current_date) FROM cases) + 60,
                               interval '1 day') AS s(d)
          LEFT JOIN calendar_days k ON k.day = s.d::date) g;
CREATE UNIQUE INDEX ON zw_days (day);
CREATE INDEX ON zw_days (w) WHERE working;

UPDATE case_outcomes oc
   SET delivery_due = (SELECT z.day FROM zw_days z WHERE z.working AND z.w = d.w + 10)
  FROM cases c JOIN zw_days d ON d.day = c.decided_on
 WHERE c.id = oc.case_id AND c.matter_id IS NOT NULL;

UPDATE case_outcomes oc
   SET delivered_on = coalesce(
           (SELECT (e.data ->> 'delivered_on')::date FROM case_events e
             WHERE e.case_id = oc.case_id AND e.action = 'deliver'
             ORDER BY e.id DESC LIMIT 1),
           (oc.delivered_at AT TIME ZONE 'Asia/Shanghai')::date)
 WHERE oc.delivered_at IS NOT NULL;
