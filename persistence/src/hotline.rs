//! Hotline tickets with their trail, and the knowledge base with Chinese search.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Float4, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::hotline::{EntryState, TicketAction, TicketKind, TicketState};
use zhengwu_domain::ids::{KnowledgeEntryId, OrganizationId, TicketId, UserId};

use crate::db::{Conn, DbError};
use crate::schema::{hotline_events, hotline_tickets, knowledge_entries};
use crate::scope::{Scope, org_ids};
use crate::search;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = hotline_tickets, treat_none_as_null = true)]
pub struct Ticket {
    pub id: Uuid,
    pub number: String,
    pub kind: String,
    pub urgency: String,
    pub channel: String,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub caller_name: Option<String>,
    pub caller_contact: Value,
    pub classified: bool,
    pub public_answer: bool,
    pub query_code_hash: Vec<u8>,
    pub center_id: Uuid,
    pub submitter_id: Option<Uuid>,
    pub state: String,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub responsible_org_id: Option<Uuid>,
    pub dispatched_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub return_count: i32,
    pub extension_days: i32,
    pub extension_request: Option<Value>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub callback_satisfied: Option<bool>,
    pub reopen_count: i32,
    pub merged_into: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn insert_ticket(conn: &mut Conn, t: &Ticket) -> Result<(), DbError> {
    diesel::insert_into(hotline_tickets::table)
        .values(t)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_ticket(
    conn: &mut Conn,
    id: TicketId,
    for_update: bool,
) -> Result<Ticket, DbError> {
    let q = hotline_tickets::table
        .find(id.0)
        .select(Ticket::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

pub async fn find_by_number(conn: &mut Conn, number: &str) -> Result<Option<Ticket>, DbError> {
    Ok(hotline_tickets::table
        .filter(hotline_tickets::number.eq(number))
        .select(Ticket::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn save_ticket(conn: &mut Conn, t: &Ticket) -> Result<Ticket, DbError> {
    let mut next = t.clone();
    next.version += 1;
    Ok(diesel::update(hotline_tickets::table.find(t.id))
        .set(&next)
        .returning(Ticket::as_returning())
        .get_result(conn)
        .await?)
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub submitter: Option<UserId>,
    pub state: Option<TicketState>,
    pub kind: Option<TicketKind>,
    pub responsible: Option<OrganizationId>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Tickets taken by a centre in the scope or dispatched to an organisation in it.
macro_rules! within_scope {
    ($q:ident, $scope:expr) => {
        if let (Some(centres), Some(holders)) = (org_ids($scope), org_ids($scope)) {
            $q = $q.filter(
                hotline_tickets::center_id
                    .eq_any(centres)
                    .or(hotline_tickets::responsible_org_id.eq_any(holders.nullable())),
            );
        }
    };
}

/// Tickets of the scope matching a filter, by id.
pub async fn list_tickets(
    conn: &mut Conn,
    scope: &Scope,
    f: &TicketFilter,
) -> Result<Vec<Ticket>, DbError> {
    let mut q = hotline_tickets::table
        .select(Ticket::as_select())
        .order(hotline_tickets::id)
        .limit(f.limit)
        .into_boxed();
    within_scope!(q, scope);
    if let Some(s) = f.submitter {
        q = q.filter(hotline_tickets::submitter_id.eq(s.0));
    }
    if let Some(s) = f.state {
        q = q.filter(hotline_tickets::state.eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(hotline_tickets::kind.eq(k.as_str()));
    }
    if let Some(r) = f.responsible {
        q = q.filter(hotline_tickets::responsible_org_id.eq(r.0));
    }
    if let Some(d) = f.received_from {
        q = q.filter(hotline_tickets::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(hotline_tickets::received_on.le(d));
    }
    if let Some(a) = f.after {
        q = q.filter(hotline_tickets::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// Published answers: tickets in an `answered` state marked public, not classified, newest
/// first.
pub async fn public_answers(
    conn: &mut Conn,
    answered: &[TicketState],
    before: Option<(DateTime<Utc>, TicketId)>,
    limit: i64,
) -> Result<Vec<Ticket>, DbError> {
    let answered: Vec<&str> = answered.iter().map(|s| s.as_str()).collect();
    let mut q = hotline_tickets::table
        .select(Ticket::as_select())
        .filter(hotline_tickets::public_answer.eq(true))
        .filter(hotline_tickets::classified.eq(false))
        .filter(hotline_tickets::replied_at.is_not_null())
        .filter(hotline_tickets::state.eq_any(answered))
        .order((
            hotline_tickets::replied_at.desc(),
            hotline_tickets::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            hotline_tickets::replied_at
                .lt(at)
                .or(hotline_tickets::replied_at
                    .eq(at)
                    .and(hotline_tickets::id.lt(id.0))),
        );
    }
    Ok(q.load(conn).await?)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = hotline_events)]
pub struct TicketEvent {
    pub id: i64,
    pub ticket_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub note: Option<String>,
    pub data: Value,
}

pub async fn add_event(
    conn: &mut Conn,
    ticket: TicketId,
    at: DateTime<Utc>,
    actor: Option<Uuid>,
    action: &str,
    note: Option<&str>,
    data: Value,
) -> Result<(), DbError> {
    diesel::insert_into(hotline_events::table)
        .values((
            hotline_events::ticket_id.eq(ticket.0),
            hotline_events::at.eq(at),
            hotline_events::actor_id.eq(actor),
            hotline_events::action.eq(action),
            hotline_events::note.eq(note),
            hotline_events::data.eq(data),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn events_of(conn: &mut Conn, ticket: TicketId) -> Result<Vec<TicketEvent>, DbError> {
    Ok(hotline_events::table
        .filter(hotline_events::ticket_id.eq(ticket.0))
        .order(hotline_events::id)
        .select(TicketEvent::as_select())
        .load(conn)
        .await?)
}

/// What the statistics need of each ticket received in a period within a subtree.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct TicketStat {
    pub id: Uuid,
    pub kind: String,
    pub state: String,
    pub responsible_org_id: Option<Uuid>,
    pub replied_at: Option<DateTime<Utc>>,
    pub callback_satisfied: Option<bool>,
    pub return_count: i32,
    pub reopen_count: i32,
}

/// Tickets of the scope received in a period, but those in state `left_out`.
pub async fn stat_rows(
    conn: &mut Conn,
    scope: &Scope,
    left_out: TicketState,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<TicketStat>, DbError> {
    let mut q = hotline_tickets::table
        .filter(hotline_tickets::received_on.between(from, to))
        .filter(hotline_tickets::state.ne(left_out.as_str()))
        .select((
            hotline_tickets::id,
            hotline_tickets::kind,
            hotline_tickets::state,
            hotline_tickets::responsible_org_id,
            hotline_tickets::replied_at,
            hotline_tickets::callback_satisfied,
            hotline_tickets::return_count,
            hotline_tickets::reopen_count,
        ))
        .into_boxed();
    within_scope!(q, scope);
    Ok(q.load(conn).await?)
}

/// The flag `key` of every `action` event of the given tickets, in order: whether each
/// callback found the caller satisfied (`callback`, `satisfied`), whether each reply came by
/// its due date (`reply`, `on_time`). Each was fixed when it was recorded.
async fn event_flags(
    conn: &mut Conn,
    ids: &[Uuid],
    action: TicketAction,
    key: &str,
) -> Result<Vec<(Uuid, bool)>, DbError> {
    let rows: Vec<(Uuid, Value)> = hotline_events::table
        .filter(hotline_events::ticket_id.eq_any(ids))
        .filter(hotline_events::action.eq(action.as_str()))
        .order(hotline_events::id)
        .select((hotline_events::ticket_id, hotline_events::data))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, d)| d.get(key).and_then(Value::as_bool).map(|s| (t, s)))
        .collect())
}

/// Callbacks recorded on tickets (the first one of each ticket counts for satisfaction).
pub async fn callback_results(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<(Uuid, bool)>, DbError> {
    event_flags(conn, ids, TicketAction::Callback, "satisfied").await
}

/// Every reply given on the tickets and whether it came by the due date then in force: a
/// reopening (重办) adds an obligation, it does not undo the timeliness of an earlier reply.
pub async fn reply_results(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<(Uuid, bool)>, DbError> {
    event_flags(conn, ids, TicketAction::Reply, "on_time").await
}

// ---------------------------------------------------------------- knowledge base

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = knowledge_entries, treat_none_as_null = true)]
pub struct Entry {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub question: String,
    pub answer: String,
    pub matter_ids: Vec<Uuid>,
    pub disclosure_ids: Vec<Uuid>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub state: String,
    pub author_id: Uuid,
    pub reviewer_id: Option<Uuid>,
    pub source_ticket_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn index_entry(conn: &mut Conn, e: &Entry) -> Result<(), DbError> {
    crate::sql::prepared(
        "UPDATE knowledge_entries SET search_vector = \
         setweight(to_tsvector('simple', $1), 'A') || setweight(to_tsvector('simple', $2), 'B') \
         WHERE id = $3",
    )
    .bind::<Text, _>(search::segment_document(&e.question))
    .bind::<Text, _>(search::segment_document(&e.answer))
    .bind::<SqlUuid, _>(e.id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_entry(conn: &mut Conn, e: &Entry) -> Result<(), DbError> {
    diesel::insert_into(knowledge_entries::table)
        .values(e)
        .execute(conn)
        .await?;
    index_entry(conn, e).await
}

pub async fn get_entry(
    conn: &mut Conn,
    id: KnowledgeEntryId,
    for_update: bool,
) -> Result<Entry, DbError> {
    let q = knowledge_entries::table
        .find(id.0)
        .select(Entry::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

pub async fn save_entry(conn: &mut Conn, e: &Entry) -> Result<Entry, DbError> {
    let mut next = e.clone();
    next.version += 1;
    let saved = diesel::update(knowledge_entries::table.find(e.id))
        .set(&next)
        .returning(Entry::as_returning())
        .get_result(conn)
        .await?;
    index_entry(conn, &saved).await?;
    Ok(saved)
}

#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    /// Words to search, ranked; otherwise newest first.
    pub q: Option<String>,
    /// Only published entries valid on this day (the public, operators taking a call).
    pub valid_on: Option<NaiveDate>,
    pub state: Option<EntryState>,
    pub organization_id: Option<OrganizationId>,
    pub offset: i64,
    pub limit: i64,
}

/// These entries, in the order of `ids` (one that does not exist is left out).
pub async fn entries_in_order(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Entry>, DbError> {
    let rows: Vec<Entry> = knowledge_entries::table
        .filter(knowledge_entries::id.eq_any(ids))
        .select(Entry::as_select())
        .load(conn)
        .await?;
    let mut by_id: std::collections::HashMap<Uuid, Entry> =
        rows.into_iter().map(|e| (e.id, e)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Entries of the scope matching a filter; a search ranks question words above answer words.
pub async fn search_entries(
    conn: &mut Conn,
    scope: &Scope,
    f: &EntryFilter,
) -> Result<Vec<Entry>, DbError> {
    let mut q = knowledge_entries::table
        .select(Entry::as_select())
        .limit(f.limit)
        .offset(f.offset)
        .into_boxed();
    if let Some(day) = f.valid_on {
        q = q
            .filter(knowledge_entries::state.eq(EntryState::Published.as_str()))
            .filter(
                knowledge_entries::valid_from
                    .is_null()
                    .or(knowledge_entries::valid_from.le(day)),
            )
            .filter(
                knowledge_entries::valid_to
                    .is_null()
                    .or(knowledge_entries::valid_to.ge(day)),
            );
    }
    if let Some(s) = f.state {
        q = q.filter(knowledge_entries::state.eq(s.as_str()));
    }
    if let Some(o) = f.organization_id {
        q = q.filter(knowledge_entries::organization_id.eq(o.0));
    }
    if let Some(inside) = org_ids(scope) {
        q = q.filter(knowledge_entries::organization_id.eq_any(inside));
    }
    match f.q.as_deref().and_then(search::tsquery) {
        Some(tsq) => {
            q = q
                .filter(
                    sql::<Bool>("knowledge_entries.search_vector @@ to_tsquery('simple', ")
                        .bind::<Text, _>(tsq.clone())
                        .sql(")"),
                )
                .order((
                    sql::<Float4>("ts_rank(knowledge_entries.search_vector, to_tsquery('simple', ")
                        .bind::<Text, _>(tsq)
                        .sql("))")
                        .desc(),
                    knowledge_entries::id.desc(),
                ));
        }
        None => q = q.order(knowledge_entries::id.desc()),
    }
    Ok(q.load(conn).await?)
}
