//! Supervision: rules per organisation, the deadlines that alerts watch, the anomaly facts,
//! the alert history, supervision orders, accountability records and complaints.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::disclosure::PUBLICATION_DUTY_WORKING_DAYS;
use zhengwu_domain::requests::REPLY_WORKING_DAYS;
use zhengwu_domain::services::DELIVERY_WORKING_DAYS;
use zhengwu_domain::supervision::{
    AlertObject, MAX_MIN_PROCESSING_MINUTES, MAX_MIN_REASON_CHARS, SupervisionRules,
};

use crate::db::{Conn, DbError};
use crate::schema::{
    alert_events, alert_states, organizations, service_matter_versions, supervision_counters,
    supervision_rules,
};
use crate::scope::{Scope, path_pattern};

// ---------------------------------------------------------------- rules

/// The rules rows with the paths of their organisations, to resolve many organisations at once.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    /// (organisation path, rules), longest path first.
    rows: Vec<(String, Uuid, SupervisionRules)>,
    default: SupervisionRules,
}

impl RuleBook {
    /// The rules that apply at `path` and the organisation they were set on (None: defaults).
    pub fn at(&self, path: &str) -> (&SupervisionRules, Option<Uuid>) {
        self.rows
            .iter()
            .find(|(p, _, _)| path.starts_with(p.as_str()))
            .map_or((&self.default, None), |(_, id, r)| (r, Some(*id)))
    }
}

/// Every organisation's own rules.
pub async fn rule_book(conn: &mut Conn) -> Result<RuleBook, DbError> {
    let rows: Vec<(String, Uuid, Value)> = supervision_rules::table
        .inner_join(organizations::table)
        .select((
            organizations::path,
            supervision_rules::organization_id,
            supervision_rules::config,
        ))
        .load(conn)
        .await?;
    let mut rows: Vec<(String, Uuid, SupervisionRules)> = rows
        .into_iter()
        .map(|(p, id, v)| {
            serde_json::from_value(v)
                .map(|r| (p, id, r))
                .map_err(|e| DbError::Other(format!("stored supervision rules: {e}")))
        })
        .collect::<Result<_, _>>()?;
    rows.sort_by_key(|(p, _, _)| std::cmp::Reverse(p.len()));
    Ok(RuleBook {
        rows,
        default: SupervisionRules::default(),
    })
}

/// The rules in force at an organisation (its own, else the nearest ancestor's, else the
/// defaults) and where they come from.
pub async fn rules_at(
    conn: &mut Conn,
    path: &str,
) -> Result<(SupervisionRules, Option<Uuid>), DbError> {
    let book = rule_book(conn).await?;
    let (r, from) = book.at(path);
    Ok((r.clone(), from))
}

/// The version of an organisation's own rules, if it has any (locked until commit).
pub async fn own_rules_version(conn: &mut Conn, org: Uuid) -> Result<Option<i32>, DbError> {
    Ok(supervision_rules::table
        .find(org)
        .select(supervision_rules::version)
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn put_rules(
    conn: &mut Conn,
    org: Uuid,
    rules: &SupervisionRules,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<i32, DbError> {
    let config = serde_json::to_value(rules).map_err(|e| DbError::Other(format!("rules: {e}")))?;
    Ok(diesel::insert_into(supervision_rules::table)
        .values((
            supervision_rules::organization_id.eq(org),
            supervision_rules::config.eq(&config),
            supervision_rules::updated_by.eq(by),
            supervision_rules::updated_at.eq(at),
        ))
        .on_conflict(supervision_rules::organization_id)
        .do_update()
        .set((
            supervision_rules::config.eq(&config),
            supervision_rules::updated_by.eq(by),
            supervision_rules::updated_at.eq(at),
            supervision_rules::version.eq(supervision_rules::version + 1),
        ))
        .returning(supervision_rules::version)
        .get_result(conn)
        .await?)
}

// ---------------------------------------------------------------- deadlines

/// Something with a running deadline.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Deadline {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub object_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub stage: i32,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = Text)]
    pub org_path: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub responsible_id: Option<Uuid>,
    /// When the limit started to run (for the share of it used).
    #[diesel(sql_type = Nullable<Date>)]
    pub start_on: Option<NaiveDate>,
    #[diesel(sql_type = Date)]
    pub due_date: NaiveDate,
    /// The limit in working days, when the record knows it.
    #[diesel(sql_type = Nullable<Integer>)]
    pub limit_days: Option<i32>,
}

/// The SELECT of one kind of deadline; `$1` is the LIKE pattern of the organisations' paths,
/// `$2` the time zone, `$3` to `$5` the statutory limits of disclosure requests, of
/// proactive publication and of delivery (see [`deadlines`]).
fn deadline_sql(kind: AlertObject) -> Option<&'static str> {
    Some(match kind {
        AlertObject::Case => {
            "SELECT 'case' AS kind, c.id AS object_id, 0 AS stage, c.number AS label,
                    c.organization_id, o.path AS org_path,
                    coalesce(c.assignee_id, c.first_contact_id,
                         (SELECT e.actor_id FROM case_events e WHERE e.case_id = c.id AND e.action = 'accept' ORDER BY e.id DESC LIMIT 1)) AS responsible_id,
                    c.accepted_on AS start_on, c.due_date,
                    c.promised_days + c.extension_days AS limit_days
               FROM cases c JOIN organizations o ON o.id = c.organization_id
              WHERE c.state = 'accepted' AND c.matter_id IS NOT NULL AND c.due_date IS NOT NULL
                AND o.path LIKE $1"
        }
        AlertObject::DisclosureRequest => {
            "SELECT 'disclosure_request', r.id, 0, r.number, r.organization_id, o.path,
                    (SELECT u.id FROM users u WHERE u.id = r.created_by AND u.role <> 'applicant'),
                    coalesce(r.restarted_on, r.received_on), r.due_date,
                    $3 + r.extension_days
               FROM disclosure_requests r JOIN organizations o ON o.id = r.organization_id
              WHERE r.state = 'received' AND r.due_date IS NOT NULL AND o.path LIKE $1"
        }
        AlertObject::DisclosurePublication => {
            "SELECT 'disclosure_publication', i.id, 0, i.title, i.organization_id, o.path,
                    i.author_id, i.formed_on, i.publish_due, $4
               FROM disclosure_items i JOIN organizations o ON o.id = i.organization_id
              WHERE i.attribute = 'proactive' AND i.first_published_at IS NULL
                AND i.state <> 'withdrawn' AND o.path LIKE $1"
        }
        AlertObject::PublicMessage => {
            "SELECT 'public_message', m.id, 0, m.subject, m.forwarded_to, o.path,
                    NULL::uuid, (m.forwarded_at AT TIME ZONE $2)::date, m.feedback_due, NULL::int
               FROM public_messages m JOIN organizations o ON o.id = m.forwarded_to
              WHERE m.state = 'forwarded' AND m.feedback_due IS NOT NULL AND o.path LIKE $1"
        }
        AlertObject::SupervisionOrder => {
            "SELECT 'supervision_order', s.id, 0, s.number || ' ' || s.subject, s.organization_id,
                    o.path, NULL::uuid, s.issued_on, s.due_date, NULL::int
               FROM supervision_orders s JOIN organizations o ON o.id = s.organization_id
              WHERE s.state IN ('issued', 'escalated') AND o.path LIKE $1"
        }
        // The organisation above the one complained about decides (the root decides on itself).
        AlertObject::ComplaintAcceptance => {
            "SELECT 'complaint_acceptance', k.id, 0, k.number, h.id, h.path,
                    NULL::uuid, k.received_on, k.acceptance_due, NULL::int
               FROM complaints k JOIN organizations s ON s.id = k.organization_id
               JOIN organizations h ON h.id = coalesce(s.parent_id, s.id)
              WHERE k.state = 'submitted' AND h.path LIKE $1"
        }
        AlertObject::HotlineTicket => {
            "SELECT 'hotline_ticket', t.id, 0, t.number || ' ' || t.subject, t.responsible_org_id,
                    o.path, NULL::uuid, t.dispatched_on, t.due_date, NULL::int
               FROM hotline_tickets t JOIN organizations o ON o.id = t.responsible_org_id
              WHERE t.state IN ('dispatched', 'reopened') AND t.due_date IS NOT NULL
                AND o.path LIKE $1"
        }
        AlertObject::Rectification => {
            "SELECT 'rectification', r.id, 0, c.number, r.organization_id, o.path,
                    r.responsible_id, r.opened_on, r.due_date, NULL::int
               FROM rectifications r
               JOIN evaluations e ON e.id = r.evaluation_id
               JOIN cases c ON c.id = e.case_id
               JOIN organizations o ON o.id = r.organization_id
              WHERE r.state NOT IN ('closed', 'annulled') AND o.path LIKE $1"
        }
        AlertObject::CaseDelivery => {
            "SELECT 'case_delivery', c.id, 0, c.number, c.organization_id, o.path,
                    coalesce(c.assignee_id, c.first_contact_id), c.decided_on, oc.delivery_due, $5
               FROM cases c JOIN case_outcomes oc ON oc.case_id = c.id
               JOIN organizations o ON o.id = c.organization_id
              WHERE c.state = 'decided' AND c.matter_id IS NOT NULL AND oc.delivery_due IS NOT NULL
                AND o.path LIKE $1"
        }
        AlertObject::CaseStep => return None,
    })
}

/// The LIKE pattern of the organisation paths inside the scope (`%`: all).
fn like_within(scope: &Scope) -> String {
    path_pattern(scope).unwrap_or_else(|| "%".to_owned())
}

/// A working-day limit of the domain, as an SQL parameter.
fn days(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The running deadlines of the given kinds inside the scope (case steps come from
/// [`pending_steps`]).
pub async fn deadlines(
    conn: &mut Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    tz: &str,
) -> Result<Vec<Deadline>, DbError> {
    let parts: Vec<&str> = kinds.iter().filter_map(|k| deadline_sql(*k)).collect();
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    // Every part mentions $2 to $5 only if it needs them; bind them all anyway.
    let sql = format!(
        "SELECT * FROM ({}) AS d(kind, object_id, stage, label, organization_id, org_path,
                                  responsible_id, start_on, due_date, limit_days)
          WHERE $2 = $2 AND $3 = $3 AND $4 = $4 AND $5 = $5",
        parts.join("\nUNION ALL\n")
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(like_within(scope))
        .bind::<Text, _>(tz)
        .bind::<Integer, _>(days(REPLY_WORKING_DAYS))
        .bind::<Integer, _>(days(PUBLICATION_DUTY_WORKING_DAYS))
        .bind::<Integer, _>(days(DELIVERY_WORKING_DAYS))
        .load(conn)
        .await?)
}

/// An accepted case whose matter sets time limits on procedure steps.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct StepClock {
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
    #[diesel(sql_type = Date)]
    pub accepted_on: NaiveDate,
    /// The day of the latest recorded step.
    #[diesel(sql_type = Nullable<Date>)]
    pub last_step_on: Option<NaiveDate>,
    /// The names of the recorded steps, in order.
    #[diesel(sql_type = Array<Text>)]
    pub done: Vec<String>,
    /// The matter version whose procedure the case follows (see [`procedures`]).
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub matter_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub matter_version: i32,
}

pub async fn pending_steps(
    conn: &mut Conn,
    scope: &Scope,
    tz: &str,
) -> Result<Vec<StepClock>, DbError> {
    Ok(diesel::sql_query(
        "SELECT c.id AS case_id, c.number, c.organization_id, o.path AS org_path,
                coalesce(c.assignee_id, c.first_contact_id,
                         (SELECT e.actor_id FROM case_events e WHERE e.case_id = c.id AND e.action = 'accept' ORDER BY e.id DESC LIMIT 1)) AS responsible_id, c.accepted_on,
                (SELECT max((s.at AT TIME ZONE $2)::date) FROM case_steps s WHERE s.case_id = c.id) AS last_step_on,
                ARRAY(SELECT s.name FROM case_steps s WHERE s.case_id = c.id ORDER BY s.seq) AS done,
                c.matter_id, c.matter_version
           FROM cases c
           JOIN organizations o ON o.id = c.organization_id
           JOIN service_matter_versions v ON v.matter_id = c.matter_id AND v.number = c.matter_version
          WHERE c.state = 'accepted' AND c.accepted_on IS NOT NULL AND o.path LIKE $1
            AND jsonb_path_exists(v.procedure, '$[*] ? (@.time_limit_days != null)')",
    )
    .bind::<Text, _>(like_within(scope))
    .bind::<Text, _>(tz)
    .load(conn)
    .await?)
}

/// The procedures of the given matter versions, one statement however many: the cases of a
/// city share a few thousand versions, so each procedure is read and parsed once.
pub async fn procedures(
    conn: &mut Conn,
    versions: &[(Uuid, i32)],
) -> Result<Vec<((Uuid, i32), Value)>, DbError> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let mut wanted = versions.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut matter_ids: Vec<Uuid> = wanted.iter().map(|v| v.0).collect();
    matter_ids.dedup();
    let rows: Vec<(Uuid, i32, Value)> = service_matter_versions::table
        .filter(service_matter_versions::matter_id.eq_any(&matter_ids))
        .select((
            service_matter_versions::matter_id,
            service_matter_versions::number,
            service_matter_versions::procedure,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(m, n, _)| wanted.binary_search(&(*m, *n)).is_ok())
        .map(|(m, n, p)| ((m, n), p))
        .collect())
}

// ---------------------------------------------------------------- alert history

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = alert_states)]
pub struct AlertState {
    pub object_kind: String,
    pub object_id: Uuid,
    pub stage: i32,
    pub level: String,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = alert_events)]
pub struct AlertEvent {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub object_kind: String,
    pub object_id: Uuid,
    pub stage: i32,
    pub label: String,
    pub organization_id: Uuid,
    pub responsible_id: Option<Uuid>,
    pub rule_id: String,
    pub from_level: Option<String>,
    pub to_level: Option<String>,
    pub due_date: NaiveDate,
    pub as_of: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

const ALERT_JOB_LOCK: i64 = 0x7a68_656e_6777_7504;

/// Serialises alert jobs across processes until the transaction ends.
pub async fn lock_alert_job(conn: &mut Conn) -> Result<(), DbError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(ALERT_JOB_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn alert_states(conn: &mut Conn) -> Result<Vec<AlertState>, DbError> {
    Ok(alert_states::table
        .select(AlertState::as_select())
        .load(conn)
        .await?)
}

pub async fn upsert_alert_state(conn: &mut Conn, s: &AlertState) -> Result<(), DbError> {
    diesel::insert_into(alert_states::table)
        .values(s)
        .on_conflict((
            alert_states::object_kind,
            alert_states::object_id,
            alert_states::stage,
        ))
        .do_update()
        .set((
            alert_states::level.eq(&s.level),
            alert_states::due_date.eq(s.due_date),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_alert_state(
    conn: &mut Conn,
    kind: &str,
    id: Uuid,
    stage: i32,
) -> Result<(), DbError> {
    diesel::delete(alert_states::table.find((kind, id, stage)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_alert_events(conn: &mut Conn, events: &[AlertEvent]) -> Result<(), DbError> {
    for chunk in events.chunks(1000) {
        diesel::insert_into(alert_events::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The latest event of each of the given watched deadlines.
pub async fn last_events(
    conn: &mut Conn,
    keys: &[(String, Uuid, i32)],
) -> Result<std::collections::HashMap<(String, Uuid, i32), AlertEvent>, DbError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.1).collect();
    let rows: Vec<AlertEvent> = alert_events::table
        .filter(alert_events::object_id.eq_any(&ids))
        .order(alert_events::id)
        .select(AlertEvent::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| ((e.object_kind.clone(), e.object_id, e.stage), e))
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub object_id: Option<Uuid>,
    pub level: Option<String>,
    /// Changes seen on or after this day.
    pub from: Option<NaiveDate>,
    /// Changes seen on or before this day.
    pub to: Option<NaiveDate>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Alert events of the organisations inside the scope, oldest first.
pub async fn alert_events(
    conn: &mut Conn,
    scope: &Scope,
    f: &EventFilter,
) -> Result<Vec<AlertEvent>, DbError> {
    let mut q = alert_events::table
        .select(AlertEvent::as_select())
        .order(alert_events::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(inside) = crate::scope::org_ids(scope) {
        q = q.filter(alert_events::organization_id.eq_any(inside));
    }
    if let Some(k) = &f.kind {
        q = q.filter(alert_events::object_kind.eq(k.clone()));
    }
    if let Some(o) = f.object_id {
        q = q.filter(alert_events::object_id.eq(o));
    }
    if let Some(l) = &f.level {
        q = q.filter(alert_events::to_level.eq(l.clone()));
    }
    if let Some(d) = f.from {
        q = q.filter(alert_events::as_of.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(alert_events::as_of.le(d));
    }
    if let Some(a) = f.after_id {
        q = q.filter(alert_events::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

// ---------------------------------------------------------------- anomaly facts

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
    Ok(diesel::sql_query(
        "WITH c AS (
            SELECT c.*, o.path AS org_path, coalesce(c.assignee_id, c.first_contact_id,
                         (SELECT e.actor_id FROM case_events e WHERE e.case_id = c.id AND e.action = 'accept' ORDER BY e.id DESC LIMIT 1)) AS responsible_id
              FROM cases c JOIN organizations o ON o.id = c.organization_id
             WHERE o.path LIKE $1 AND c.matter_id IS NOT NULL
         )
         SELECT 'fee' AS rule, c.id AS case_id, c.number, c.organization_id, c.org_path,
                f.by_id AS responsible_id, f.at,
                jsonb_build_object('anomaly', f.anomaly, 'item', f.item_name, 'amount_fen', f.amount_fen) AS data
           FROM case_fees f JOIN c ON c.id = f.case_id
          WHERE f.anomaly IS NOT NULL AND f.at >= $2 AND f.at < $3
         UNION ALL
         SELECT 'decided', c.id, c.number, c.organization_id, c.org_path, c.responsible_id, oc.decided_at,
                jsonb_build_object('accepted_at', oc.accepted_at, 'promised', c.case_kind = 'promised')
           FROM case_outcomes oc JOIN c ON c.id = oc.case_id
          WHERE oc.decided_at >= $2 AND oc.decided_at < $3
            AND (oc.accepted_at IS NULL OR oc.decided_at < oc.accepted_at + make_interval(mins => $5))
         UNION ALL
         SELECT 'reason', c.id, c.number, c.organization_id, c.org_path, c.responsible_id, x.at,
                jsonb_build_object('kind', CASE WHEN c.state = 'refused' THEN 'refusal' ELSE 'denial' END,
                                   'reason', CASE WHEN c.state = 'refused' THEN oc.refusal_reason ELSE oc.decision_reason END)
           FROM case_outcomes oc JOIN c ON c.id = oc.case_id
           CROSS JOIN LATERAL (SELECT coalesce(oc.decided_at,
                   (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.action = 'refuse')) AS at) x
          WHERE (c.state = 'refused' AND char_length(coalesce(btrim(oc.refusal_reason), '')) < $6
                 OR oc.decision = 'denied' AND char_length(coalesce(btrim(oc.decision_reason), '')) < $6)
            AND x.at >= $2 AND x.at < $3
         UNION ALL
         SELECT 'step', c.id, c.number, c.organization_id, c.org_path, x.actor_id, x.at,
                jsonb_build_object('seq', x.seq, 'name', x.name, 'on', x.on_day,
                                   'previous_on', coalesce(x.prev_on, c.accepted_on), 'procedure', v.procedure)
           FROM (SELECT s.*, (s.at AT TIME ZONE $4)::date AS on_day,
                        lag((s.at AT TIME ZONE $4)::date) OVER (PARTITION BY s.case_id ORDER BY s.seq) AS prev_on
                   FROM case_steps s WHERE s.case_id IN (SELECT case_id FROM case_steps WHERE at >= $2 AND at < $3)) x
           JOIN c ON c.id = x.case_id
           JOIN service_matter_versions v ON v.matter_id = c.matter_id AND v.number = c.matter_version
          WHERE x.at >= $2 AND x.at < $3
            AND jsonb_path_exists(v.procedure, '$[*] ? (@.time_limit_days != null)')
         UNION ALL
         SELECT 'extension', c.id, c.number, c.organization_id, c.org_path, c.responsible_id,
                coalesce(oc.accepted_at, c.received_at),
                jsonb_build_object('statutory', c.statutory_days, 'promised', c.promised_days, 'extension', c.extension_days)
           FROM c JOIN case_outcomes oc ON oc.case_id = c.id
          WHERE c.extension_days > 0 AND c.received_at >= $2 AND c.received_at < $3
         UNION ALL
         SELECT 'notice', c.id, c.number, c.organization_id, c.org_path, n.by_id, n.at,
                jsonb_build_object('received_on', c.received_on, 'on', (n.at AT TIME ZONE $4)::date, 'round', n.round)
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

// ---------------------------------------------------------------- numbers

/// The next serial of a kind of number in a year (locked until commit).
pub async fn next_serial(conn: &mut Conn, kind: &str, year: i32) -> Result<i32, DbError> {
    Ok(diesel::insert_into(supervision_counters::table)
        .values((
            supervision_counters::kind.eq(kind),
            supervision_counters::year.eq(year),
            supervision_counters::last_serial.eq(1),
        ))
        .on_conflict((supervision_counters::kind, supervision_counters::year))
        .do_update()
        .set(supervision_counters::last_serial.eq(supervision_counters::last_serial + 1))
        .returning(supervision_counters::last_serial)
        .get_result(conn)
        .await?)
}

/// The organisation responsible for an object with a deadline, and its label.
pub async fn object_owner(
    conn: &mut Conn,
    kind: AlertObject,
    id: Uuid,
) -> Result<Option<(Uuid, String)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        org: Uuid,
        #[diesel(sql_type = Text)]
        label: String,
    }
    let sql = match kind {
        AlertObject::Case | AlertObject::CaseStep | AlertObject::CaseDelivery => {
            "SELECT organization_id AS org, number AS label FROM cases WHERE id = $1"
        }
        AlertObject::DisclosureRequest => {
            "SELECT organization_id AS org, number AS label FROM disclosure_requests WHERE id = $1"
        }
        AlertObject::DisclosurePublication => {
            "SELECT organization_id AS org, title AS label FROM disclosure_items WHERE id = $1"
        }
        AlertObject::PublicMessage => {
            "SELECT coalesce(forwarded_to, organization_id) AS org, subject AS label FROM public_messages WHERE id = $1"
        }
        AlertObject::SupervisionOrder => {
            "SELECT organization_id AS org, number AS label FROM supervision_orders WHERE id = $1"
        }
        AlertObject::ComplaintAcceptance => {
            "SELECT coalesce(s.parent_id, s.id) AS org, k.number AS label
               FROM complaints k JOIN organizations s ON s.id = k.organization_id WHERE k.id = $1"
        }
        AlertObject::HotlineTicket => {
            "SELECT responsible_org_id AS org, number AS label FROM hotline_tickets
              WHERE id = $1 AND responsible_org_id IS NOT NULL"
        }
        AlertObject::Rectification => {
            "SELECT r.organization_id AS org, c.number AS label FROM rectifications r
               JOIN evaluations e ON e.id = r.evaluation_id JOIN cases c ON c.id = e.case_id
              WHERE r.id = $1"
        }
    };
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .load(conn)
        .await?;
    Ok(rows.into_iter().next().map(|r| (r.org, r.label)))
}

/// Alerts and complaints of a month at a hall: alert events recorded in `[from, to]` on cases
/// taken in at the hall's windows (to yellow, to red), and complaints received about the hall
/// or its windows (received, of which accepted, closed or referred).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct HallMonth {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub alerts_yellow: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub alerts_red: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub complaints_received: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub complaints_accepted: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub complaints_finished: i64,
}

pub async fn hall_month(
    conn: &mut Conn,
    hall: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HallMonth, DbError> {
    Ok(diesel::sql_query(
        "WITH w AS (SELECT id FROM windows WHERE hall_id = $1),
              ev AS (SELECT e.to_level FROM alert_events e JOIN cases c ON c.id = e.object_id
                      WHERE e.object_kind IN ('case', 'case_step', 'case_delivery')
                        AND c.window_id IN (SELECT id FROM w)
                        AND e.as_of BETWEEN $2 AND $3),
              k AS (SELECT state FROM complaints
                     WHERE (organization_id = $1 OR window_id IN (SELECT id FROM w))
                       AND received_on BETWEEN $2 AND $3)
         SELECT (SELECT count(*) FROM ev WHERE to_level = 'yellow') AS alerts_yellow,
                (SELECT count(*) FROM ev WHERE to_level = 'red') AS alerts_red,
                (SELECT count(*) FROM k) AS complaints_received,
                (SELECT count(*) FROM k WHERE state NOT IN ('submitted', 'not_accepted')) AS complaints_accepted,
                (SELECT count(*) FROM k WHERE state IN ('closed', 'referred')) AS complaints_finished",
    )
    .bind::<diesel::sql_types::Uuid, _>(hall)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .get_result(conn)
    .await?)
}
