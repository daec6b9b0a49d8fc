//! Provisional deadlines: stored deadlines counted across a year whose holiday schedule was
//! not loaded, kept with what they were counted from so that loading the year counts them
//! again, and listed meanwhile.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Nullable, Text};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, Stop, StoredDeadline};

use crate::db::{Conn, DbError};
use crate::parse_col;
use crate::schema::provisional_deadlines;
use crate::scope::{Scope, path_pattern};

/// Which stored deadline: the kind, the record, and for an application's stop its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub kind: StoredDeadline,
    pub object_id: Uuid,
    pub seq: i32,
}

impl Target {
    /// The deadline of a record (not of a stop).
    pub fn of(kind: StoredDeadline, object_id: Uuid) -> Self {
        Self {
            kind,
            object_id,
            seq: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct StoredStop {
    start: NaiveDate,
    end: NaiveDate,
}

/// A provisional deadline as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = provisional_deadlines)]
pub struct Provisional {
    pub kind: String,
    pub object_id: Uuid,
    pub seq: i32,
    pub start_on: NaiveDate,
    pub working_days: i32,
    pub stops: serde_json::Value,
    pub due_date: NaiveDate,
    pub years: Vec<i32>,
    pub computed_at: DateTime<Utc>,
}

impl Provisional {
    pub fn target(&self) -> Result<Target, DbError> {
        Ok(Target {
            kind: parse_col(&self.kind, StoredDeadline::parse)?,
            object_id: self.object_id,
            seq: self.seq,
        })
    }

    /// What it was counted from.
    pub fn basis(&self) -> Result<DeadlineBasis, DbError> {
        let stops: Vec<StoredStop> = serde_json::from_value(self.stops.clone())
            .map_err(|e| DbError::Other(format!("stored stops of a deadline: {e}")))?;
        Ok(DeadlineBasis {
            start: self.start_on,
            working_days: u32::try_from(self.working_days).unwrap_or(0),
            stops: stops
                .into_iter()
                .map(|s| Stop {
                    start: s.start,
                    end: Some(s.end),
                })
                .collect(),
        })
    }
}

/// Records how a stored deadline just counted (`due`, across `years` without schedule)
/// stands: provisional, with its basis, when it spans such a year; otherwise not at all (an
/// earlier provisional count of it is forgotten).
pub async fn keep(
    conn: &mut Conn,
    t: &Target,
    basis: &DeadlineBasis,
    due: NaiveDate,
    years: &[i32],
) -> Result<(), DbError> {
    if years.is_empty() {
        return forget(conn, t).await;
    }
    let stops: Vec<StoredStop> = basis
        .stops
        .iter()
        .filter_map(|s| {
            s.end.map(|end| StoredStop {
                start: s.start,
                end,
            })
        })
        .collect();
    let stops =
        serde_json::to_value(stops).map_err(|e| DbError::Other(format!("deadline stops: {e}")))?;
    let working_days = i32::try_from(basis.working_days).unwrap_or(i32::MAX);
    // One row, every column: one text, kept prepared.
    crate::sql::Cached(
        diesel::insert_into(provisional_deadlines::table)
            .values((
                provisional_deadlines::kind.eq(t.kind.as_str()),
                provisional_deadlines::object_id.eq(t.object_id),
                provisional_deadlines::seq.eq(t.seq),
                provisional_deadlines::start_on.eq(basis.start),
                provisional_deadlines::working_days.eq(working_days),
                provisional_deadlines::stops.eq(&stops),
                provisional_deadlines::due_date.eq(due),
                provisional_deadlines::years.eq(years),
            ))
            .on_conflict((
                provisional_deadlines::kind,
                provisional_deadlines::object_id,
                provisional_deadlines::seq,
            ))
            .do_update()
            .set((
                provisional_deadlines::start_on.eq(basis.start),
                provisional_deadlines::working_days.eq(working_days),
                provisional_deadlines::stops.eq(&stops),
                provisional_deadlines::due_date.eq(due),
                provisional_deadlines::years.eq(years),
                provisional_deadlines::computed_at.eq(diesel::dsl::now),
            )),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a stored deadline (it was counted with every schedule, or it no longer runs).
pub async fn forget(conn: &mut Conn, t: &Target) -> Result<(), DbError> {
    diesel::delete(provisional_deadlines::table.find((t.kind.as_str(), t.object_id, t.seq)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The provisional count of a stored deadline, if it has one.
pub async fn provisional(conn: &mut Conn, t: &Target) -> Result<Option<Provisional>, DbError> {
    Ok(provisional_deadlines::table
        .find((t.kind.as_str(), t.object_id, t.seq))
        .select(Provisional::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The provisional deadlines that counted `year` without its schedule.
pub async fn waiting_for(conn: &mut Conn, year: i32) -> Result<Vec<Provisional>, DbError> {
    Ok(provisional_deadlines::table
        .filter(provisional_deadlines::years.contains(vec![year]))
        .select(Provisional::as_select())
        .load(conn)
        .await?)
}

/// The years without schedule that the stored deadlines of the given records were counted
/// across, per record (every year once, in order); records with none are absent.
pub async fn years_of(mut conn: &Conn, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<i32>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Vec<i32>)> = provisional_deadlines::table
        .filter(crate::sql::one_or_any(
            provisional_deadlines::object_id,
            ids,
        ))
        .select((
            provisional_deadlines::object_id,
            provisional_deadlines::years,
        ))
        .load(&mut conn)
        .await?;
    let mut out: HashMap<Uuid, Vec<i32>> = HashMap::new();
    for (id, years) in rows {
        let all = out.entry(id).or_default();
        all.extend(years);
        all.sort_unstable();
        all.dedup();
    }
    Ok(out)
}

/// Puts a deadline counted again into the record that keeps it, if the record still holds
/// the one counted before (one changed since keeps its own): whether it did.
pub async fn set_due(
    conn: &mut Conn,
    t: &Target,
    was: NaiveDate,
    due: NaiveDate,
) -> Result<bool, DbError> {
    let sql = match t.kind {
        StoredDeadline::Case => "UPDATE cases SET due_date = $3 WHERE id = $1 AND due_date = $2",
        StoredDeadline::CaseDelivery => {
            "UPDATE case_outcomes SET delivery_due = $3 WHERE case_id = $1 AND delivery_due = $2"
        }
        StoredDeadline::RequestReply => {
            "UPDATE disclosure_requests SET due_date = $3 WHERE id = $1 AND due_date = $2"
        }
        StoredDeadline::RequestFee => {
            "WITH r AS (UPDATE disclosure_requests SET fee_due = $3
                         WHERE id = $1 AND fee_due = $2 RETURNING id)
             UPDATE request_stops s SET due_on = $3 FROM r
              WHERE s.request_id = r.id AND s.seq = $4"
        }
        StoredDeadline::RequestConsultation => {
            "UPDATE request_stops SET due_on = $3
              WHERE request_id = $1 AND seq = $4 AND due_on = $2"
        }
        StoredDeadline::Publication => {
            "UPDATE disclosure_items SET publish_due = $3 WHERE id = $1 AND publish_due = $2"
        }
        StoredDeadline::MessageFeedback => {
            "UPDATE public_messages SET feedback_due = $3 WHERE id = $1 AND feedback_due = $2"
        }
        StoredDeadline::Ticket => {
            "UPDATE hotline_tickets SET due_date = $3 WHERE id = $1 AND due_date = $2"
        }
        StoredDeadline::Rectification => {
            "UPDATE rectifications SET due_date = $3 WHERE id = $1 AND due_date = $2"
        }
        StoredDeadline::Order => {
            "UPDATE supervision_orders SET due_date = $3 WHERE id = $1 AND due_date = $2"
        }
        StoredDeadline::ComplaintAcceptance => {
            "UPDATE complaints SET acceptance_due = $3 WHERE id = $1 AND acceptance_due = $2"
        }
    };
    let n = crate::sql::prepared(format!("{sql} AND $4 = $4"))
        .bind::<diesel::sql_types::Uuid, _>(t.object_id)
        .bind::<Date, _>(was)
        .bind::<Date, _>(due)
        .bind::<Integer, _>(t.seq)
        .execute(conn)
        .await?;
    Ok(n > 0)
}

/// A provisional deadline with the organisation responsible for it and the record's label
/// (its number, title or subject).
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct Listed {
    #[diesel(embed)]
    pub deadline: Provisional,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub organization_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub label: String,
}

/// Where a page of [`list`] starts: after this deadline in the order of due date, kind,
/// record and stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub due_date: NaiveDate,
    pub kind: String,
    pub object_id: Uuid,
    pub seq: i32,
}

/// The provisional deadlines of records of organisations in the scope, by due date.
pub async fn list(
    conn: &mut Conn,
    within: &Scope,
    after: Option<&After>,
    limit: i64,
) -> Result<Vec<Listed>, DbError> {
    let like = path_pattern(within).unwrap_or_else(|| "%".to_owned());
    Ok(crate::sql::prepared(
        "SELECT d.kind, d.object_id, d.seq, d.start_on, d.working_days, d.stops, d.due_date,
                d.years, d.computed_at, x.org AS organization_id, x.label
           FROM provisional_deadlines d
          CROSS JOIN LATERAL (
                SELECT c.organization_id AS org, c.number AS label FROM cases c
                 WHERE d.kind IN ('case', 'case_delivery') AND c.id = d.object_id
                UNION ALL
                SELECT r.organization_id, r.number FROM disclosure_requests r
                 WHERE d.kind IN ('request_reply', 'request_fee', 'request_consultation')
                   AND r.id = d.object_id
                UNION ALL
                SELECT i.organization_id, i.title FROM disclosure_items i
                 WHERE d.kind = 'publication' AND i.id = d.object_id
                UNION ALL
                SELECT m.forwarded_to, m.subject FROM public_messages m
                 WHERE d.kind = 'message_feedback' AND m.id = d.object_id
                UNION ALL
                SELECT t.responsible_org_id, t.number || ' ' || t.subject FROM hotline_tickets t
                 WHERE d.kind = 'ticket' AND t.id = d.object_id
                UNION ALL
                SELECT g.organization_id, c.number FROM rectifications g
                  JOIN evaluations e ON e.id = g.evaluation_id JOIN cases c ON c.id = e.case_id
                 WHERE d.kind = 'rectification' AND g.id = d.object_id
                UNION ALL
                SELECT s.organization_id, s.number || ' ' || s.subject FROM supervision_orders s
                 WHERE d.kind = 'order' AND s.id = d.object_id
                UNION ALL
                SELECT coalesce(o.parent_id, o.id), k.number FROM complaints k
                  JOIN organizations o ON o.id = k.organization_id
                 WHERE d.kind = 'complaint_acceptance' AND k.id = d.object_id
          ) x
          JOIN organizations o ON o.id = x.org
         WHERE o.path LIKE $1
           AND ($2::date IS NULL OR (d.due_date, d.kind, d.object_id, d.seq) > ($2, $3, $4, $5))
         ORDER BY d.due_date, d.kind, d.object_id, d.seq
         LIMIT $6",
    )
    .bind::<Text, _>(like)
    .bind::<Nullable<Date>, _>(after.map(|a| a.due_date))
    .bind::<Nullable<Text>, _>(after.map(|a| a.kind.clone()))
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(after.map(|a| a.object_id))
    .bind::<Nullable<Integer>, _>(after.map(|a| a.seq))
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?)
}
