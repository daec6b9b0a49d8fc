//! The running deadlines the alerts watch: one query per kind of object, the pending
//! procedure steps of cases and the procedures of matter versions.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Integer, Nullable, Text};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::disclosure::PUBLICATION_DUTY_WORKING_DAYS;
use zhengwu_domain::requests::REPLY_WORKING_DAYS;
use zhengwu_domain::services::DELIVERY_WORKING_DAYS;
use zhengwu_domain::supervision::AlertObject;

use crate::db::{Conn, DbError};
use crate::schema::service_matter_versions;
use crate::scope::Scope;
use crate::sql::{ids_filter, prepared};

use super::{days, like_within};

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
                         (SELECT e.actor_id FROM case_events e WHERE e.case_id = c.id AND e.action
                             = 'accept' ORDER BY e.id DESC LIMIT 1)) AS responsible_id,
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

/// The running deadlines of the given kinds inside the scope, of the given objects only
/// when `objects` is given (case steps come from [`pending_steps`]).
pub async fn deadlines(
    mut conn: &Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    objects: Option<&[Uuid]>,
    tz: &str,
) -> Result<Vec<Deadline>, DbError> {
    let parts: Vec<&str> = kinds.iter().filter_map(|k| deadline_sql(*k)).collect();
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    // Every part mentions $2 to $5 only if it needs them; bind them all anyway. The filter
    // on the objects is pushed into each part, where it reads the primary key.
    let sql = format!(
        "SELECT * FROM ({}) AS d(kind, object_id, stage, label, organization_id, org_path,
                                  responsible_id, start_on, due_date, limit_days)
          WHERE $2 = $2 AND $3 = $3 AND $4 = $4 AND $5 = $5{}",
        parts.join("\nUNION ALL\n"),
        ids_filter("d.object_id", 6, objects)
    );
    let q = prepared(sql)
        .bind::<Text, _>(like_within(scope))
        .bind::<Text, _>(tz)
        .bind::<Integer, _>(days(REPLY_WORKING_DAYS))
        .bind::<Integer, _>(days(PUBLICATION_DUTY_WORKING_DAYS))
        .bind::<Integer, _>(days(DELIVERY_WORKING_DAYS));
    Ok(q.bind_ids(objects).load(&mut conn).await?)
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

/// The accepted cases inside the scope (of the given ones only, when `cases` is given)
/// whose matter sets time limits on procedure steps.
pub async fn pending_steps(
    mut conn: &Conn,
    scope: &Scope,
    cases: Option<&[Uuid]>,
    tz: &str,
) -> Result<Vec<StepClock>, DbError> {
    Ok(prepared(format!(
        "SELECT c.id AS case_id, c.number, c.organization_id, o.path AS org_path,
                coalesce(c.assignee_id, c.first_contact_id,
                         (SELECT e.actor_id FROM case_events e WHERE e.case_id = c.id AND e.action
                             = 'accept' ORDER BY e.id DESC LIMIT 1)) AS responsible_id,
                                 c.accepted_on,
                (SELECT max((s.at AT TIME ZONE $2)::date) FROM case_steps s WHERE s.case_id =
                    c.id) AS last_step_on,
                ARRAY(SELECT s.name FROM case_steps s WHERE s.case_id = c.id ORDER BY s.seq) AS
                    done,
                c.matter_id, c.matter_version
           FROM cases c
           JOIN organizations o ON o.id = c.organization_id
           JOIN service_matter_versions v ON v.matter_id = c.matter_id AND v.number =
               c.matter_version
          WHERE c.state = 'accepted' AND c.accepted_on IS NOT NULL AND o.path LIKE $1
            AND jsonb_path_exists(v.procedure, '$[*] ? (@.time_limit_days != null)'){}",
        ids_filter("c.id", 3, cases)
    ))
    .bind::<Text, _>(like_within(scope))
    .bind::<Text, _>(tz)
    .bind_ids(cases)
    .load(&mut conn)
    .await?)
}

/// The procedures of the given matter versions, one statement however many: the cases of a
/// city share a few thousand versions, so each procedure is read and parsed once.
pub async fn procedures(
    mut conn: &Conn,
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
        .filter(crate::sql::one_or_any(
            service_matter_versions::matter_id,
            &matter_ids,
        ))
        .select((
            service_matter_versions::matter_id,
            service_matter_versions::number,
            service_matter_versions::procedure,
        ))
        .load(&mut conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(m, n, _)| wanted.binary_search(&(*m, *n)).is_ok())
        .map(|(m, n, p)| ((m, n), p))
        .collect())
}
