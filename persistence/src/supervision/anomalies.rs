//! The facts the case anomaly rules look at.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::supervision::{MAX_MIN_PROCESSING_MINUTES, MAX_MIN_REASON_CHARS};

use crate::db::{Conn, DbError};
use crate::scope::Scope;

use super::{days, like_within};

/// A fact an anomaly rule looks at, about a case.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct CaseFact {
    #[diesel(sql_type = Text)]
    pub rule: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub case_id: Uuid,
    #[diesel(sql_type = Text)]
    pub number: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = Text)]
    pub org_path: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub responsible_id: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    /// The rule's own facts.
    #[diesel(sql_type = Jsonb)]
    pub data: Value,
}

/// The candidate facts of the case anomaly rules inside the scope, of things that happened
/// in `[from, to)`. The rules decide with each organisation's configuration; the candidates
/// are bounded by the most any organisation may configure (`$5` minutes of processing, `$6`
/// characters of a reason).
pub async fn case_facts(
    conn: &mut Conn,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<CaseFact>, DbError> {
    Ok(crate::sql::prepared(
        "WITH c AS (
            SELECT c.*, o.path AS org_path, coalesce(c.assignee_id, c.first_contact_id,
                         (SELECT e.actor_id FROM case_events e WHERE e.case_id = c.id AND e.action
                             = 'accept' ORDER BY e.id DESC LIMIT 1)) AS responsible_id
              FROM cases c JOIN organizations o ON o.id = c.organization_id
             WHERE o.path LIKE $1 AND c.matter_id IS NOT NULL
         )
         SELECT 'fee' AS rule, c.id AS case_id, c.number, c.organization_id, c.org_path,
                f.by_id AS responsible_id, f.at,
                jsonb_build_object('anomaly', f.anomaly, 'item', f.item_name, 'amount_fen',
                    f.amount_fen) AS data
           FROM case_fees f JOIN c ON c.id = f.case_id
          WHERE f.anomaly IS NOT NULL AND f.at >= $2 AND f.at < $3
         UNION ALL
         SELECT 'decided', c.id, c.number, c.organization_id, c.org_path, c.responsible_id,
             oc.decided_at,
                jsonb_build_object('accepted_at', oc.accepted_at, 'promised', c.case_kind =
                    'promised')
           FROM case_outcomes oc JOIN c ON c.id = oc.case_id
          WHERE oc.decided_at >= $2 AND oc.decided_at < $3
            AND (oc.accepted_at IS NULL OR oc.decided_at < oc.accepted_at + make_interval(mins =>
                $5))
         UNION ALL
         SELECT 'reason', c.id, c.number, c.organization_id, c.org_path, c.responsible_id, x.at,
                jsonb_build_object('kind', CASE WHEN c.state = 'refused' THEN 'refusal' ELSE
                    'denial' END,
                                   'reason', CASE WHEN c.state = 'refused' THEN oc.refusal_reason
                                       ELSE oc.decision_reason END)
           FROM case_outcomes oc JOIN c ON c.id = oc.case_id
           CROSS JOIN LATERAL (SELECT coalesce(oc.decided_at,
                   (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.action =
                       'refuse')) AS at) x
          WHERE (c.state = 'refused' AND char_length(coalesce(btrim(oc.refusal_reason), '')) < $6
                 OR oc.decision = 'denied' AND char_length(coalesce(btrim(oc.decision_reason),
                     '')) < $6)
            AND x.at >= $2 AND x.at < $3
         UNION ALL
         SELECT 'step', c.id, c.number, c.organization_id, c.org_path, x.actor_id, x.at,
                jsonb_build_object('seq', x.seq, 'name', x.name, 'on', x.on_day,
                                   'previous_on', coalesce(x.prev_on, c.accepted_on), 'procedure',
                                       v.procedure)
           FROM (SELECT s.*, (s.at AT TIME ZONE $4)::date AS on_day,
                        lag((s.at AT TIME ZONE $4)::date) OVER (PARTITION BY s.case_id ORDER BY
                            s.seq) AS prev_on
                   FROM case_steps s WHERE s.case_id IN (SELECT case_id FROM case_steps WHERE at
                       >= $2 AND at < $3)) x
           JOIN c ON c.id = x.case_id
           JOIN service_matter_versions v ON v.matter_id = c.matter_id AND v.number =
               c.matter_version
          WHERE x.at >= $2 AND x.at < $3
            AND jsonb_path_exists(v.procedure, '$[*] ? (@.time_limit_days != null)')
         UNION ALL
         SELECT 'extension', c.id, c.number, c.organization_id, c.org_path, c.responsible_id,
                coalesce(oc.accepted_at, c.received_at),
                jsonb_build_object('statutory', c.statutory_days, 'promised', c.promised_days,
                    'extension', c.extension_days)
           FROM c JOIN case_outcomes oc ON oc.case_id = c.id
          WHERE c.extension_days > 0 AND c.received_at >= $2 AND c.received_at < $3
         UNION ALL
         SELECT 'notice', c.id, c.number, c.organization_id, c.org_path, n.by_id, n.at,
                jsonb_build_object('received_on', c.received_on, 'on', (n.at AT TIME ZONE
                    $4)::date, 'round', n.round)
           FROM case_missing_notices n JOIN c ON c.id = n.case_id
          WHERE n.at >= $2 AND n.at < $3
         UNION ALL
         SELECT 'delivery', c.id, c.number, c.organization_id, c.org_path,
                (SELECT e.actor_id FROM case_events e
                  WHERE e.case_id = c.id AND e.action = 'deliver' ORDER BY e.id DESC LIMIT 1),
                oc.delivered_at,
                jsonb_build_object('decided_on', c.decided_on, 'delivery_due', oc.delivery_due,
                                   'delivered_on', oc.delivered_on)
           FROM case_outcomes oc JOIN c ON c.id = oc.case_id
          WHERE oc.delivered_on > oc.delivery_due
            AND oc.delivered_at >= $2 AND oc.delivered_at < $3",
    )
    .bind::<Text, _>(like_within(scope))
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Text, _>(tz)
    .bind::<Integer, _>(days(MAX_MIN_PROCESSING_MINUTES))
    .bind::<Integer, _>(days(MAX_MIN_REASON_CHARS))
    .load(conn)
    .await?)
}
