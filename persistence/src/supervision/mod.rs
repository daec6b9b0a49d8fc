//! Supervision: rules per organisation, the deadlines that alerts watch, the anomaly facts,
//! the alert history, supervision orders, accountability records and complaints.

mod alerts;
mod anomalies;
mod deadlines;
mod obligations;

pub use self::alerts::*;
pub use self::anomalies::*;
pub use self::deadlines::*;
pub use self::obligations::*;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Text};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::ids::{OrganizationId, UserId};
use zhengwu_domain::supervision::{AlertObject, SupervisionRules};

use crate::db::{Conn, DbError};
use crate::schema::{organizations, supervision_counters, supervision_rules};
use crate::scope::{Scope, path_pattern};

/// The LIKE pattern of the organisation paths inside the scope (`%`: all).
pub(crate) fn like_within(scope: &Scope) -> String {
    path_pattern(scope).unwrap_or_else(|| "%".to_owned())
}

/// A working-day limit of the domain, as an SQL parameter.
pub(crate) fn days(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

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
pub async fn rule_book(mut conn: &Conn) -> Result<RuleBook, DbError> {
    let rows: Vec<(String, Uuid, Value)> = supervision_rules::table
        .inner_join(organizations::table)
        .select((
            organizations::path,
            supervision_rules::organization_id,
            supervision_rules::config,
        ))
        .load(&mut conn)
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
    conn: &Conn,
    path: &str,
) -> Result<(SupervisionRules, Option<Uuid>), DbError> {
    let book = rule_book(conn).await?;
    let (r, from) = book.at(path);
    Ok((r.clone(), from))
}

/// The version of an organisation's own rules, if it has any (locked until commit).
pub async fn own_rules_version(
    conn: &mut Conn,
    org: OrganizationId,
) -> Result<Option<i32>, DbError> {
    let org = org.0;
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
    org: OrganizationId,
    rules: &SupervisionRules,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<i32, DbError> {
    let org = org.0;
    let by = by.0;
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
            "SELECT coalesce(forwarded_to, organization_id) AS org, subject AS label FROM \
                public_messages WHERE id = $1"
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
    let rows: Vec<Row> = crate::sql::prepared(sql)
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
    hall: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HallMonth, DbError> {
    let hall = hall.0;
    Ok(crate::sql::prepared(
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
                (SELECT count(*) FROM k WHERE state NOT IN ('submitted', 'not_accepted')) AS
                    complaints_accepted,
                (SELECT count(*) FROM k WHERE state IN ('closed', 'referred'))
                    AS complaints_finished",
    )
    .bind::<diesel::sql_types::Uuid, _>(hall)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .get_result(conn)
    .await?)
}
