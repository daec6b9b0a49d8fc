//! What the public reads of the hotline (a ticket's progress, the public answers) and the
//! hotline statistics.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use zhengwu_domain::hotline::flow::{ANSWERED, STATISTICS};
use zhengwu_domain::hotline::stats::{Measures, TicketFigures};
use zhengwu_domain::hotline::{TicketKind, TicketState};
use zhengwu_domain::ids::{OrganizationId, TicketId};
use zhengwu_domain::validation::{MAX_PERIOD_DAYS, period};
use zhengwu_persistence::hotline::{self as repo, TicketStat};
use zhengwu_persistence::{Conn, orgs};

use super::masked;
use crate::app::cases::password_matches;
use crate::app::{Actor, AppResult};
use crate::error::{ApiError, AtField};
use crate::state::AppState;

/// A ticket's progress for the public: no caller data, personal data masked.
pub struct PublicTicketView {
    pub number: String,
    pub kind: TicketKind,
    pub subject: String,
    pub state: TicketState,
    pub received_on: NaiveDate,
    pub responsible_organization: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// Progress of a ticket by number and query code; classified tickets are not shown.
pub async fn lookup(app: &AppState, number: &str, code: &str) -> AppResult<PublicTicketView> {
    let mut conn = app.read_conn().await?;
    let nothing = || ApiError::not_found("ticket").detail("no ticket with this number and code");
    let t = repo::find_by_number(&mut conn, number)
        .await?
        .ok_or_else(nothing)?;
    if !password_matches(&t.query_code_hash, code) || t.classified {
        return Err(nothing());
    }
    let responsible_organization = match t.responsible_org_id {
        Some(o) => Some(orgs::get(&mut conn, o).await?.name),
        None => None,
    };
    Ok(PublicTicketView {
        number: t.number,
        kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Consultation),
        subject: masked(&t.subject),
        state: TicketState::parse(&t.state).unwrap_or(TicketState::Received),
        received_on: t.received_on,
        responsible_organization,
        due_date: t.due_date,
        reply: t.reply.as_deref().map(masked),
        replied_at: t.replied_at,
    })
}

/// A public answer, personal data masked.
pub struct AnswerView {
    pub id: Uuid,
    pub kind: TicketKind,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub answered_by: Option<String>,
    pub replied_at: DateTime<Utc>,
}

/// Answers marked public, newest first, before `before`; `limit` rows at most.
pub async fn answers(
    app: &AppState,
    before: Option<(DateTime<Utc>, TicketId)>,
    limit: i64,
) -> AppResult<Vec<AnswerView>> {
    let mut conn = app.read_conn().await?;
    let rows = repo::public_answers(&mut conn, ANSWERED, before, limit).await?;
    let holders: Vec<Uuid> = rows.iter().filter_map(|t| t.responsible_org_id).collect();
    let names = org_names(&mut conn, &holders).await?;
    Ok(rows
        .into_iter()
        .map(|t| AnswerView {
            id: t.id,
            kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Consultation),
            subject: masked(&t.subject),
            question: masked(&t.description),
            answer: t.reply.as_deref().map(masked).unwrap_or_default(),
            answered_by: t.responsible_org_id.and_then(|o| names.get(&o).cloned()),
            replied_at: t.replied_at.unwrap_or(t.received_at),
        })
        .collect())
}

async fn org_names(conn: &mut Conn, ids: &[Uuid]) -> AppResult<BTreeMap<Uuid, String>> {
    Ok(orgs::get_many(conn, ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// How the statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// By responsible organisation.
    Org,
    Kind,
}

pub struct StatsQuery {
    pub org: Option<OrganizationId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Grouping,
}

/// The measures of one group: its key (organisation id or kind) and label.
pub struct Group {
    pub key: Option<String>,
    pub label: String,
    pub measures: Measures,
}

pub struct Statistics {
    pub groups: Vec<Group>,
    pub total: Measures,
}

/// Measures for the tickets of the actor's scope received in a period.
pub async fn statistics(app: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<Statistics> {
    actor.require(STATISTICS)?;
    period(q.from, q.to, MAX_PERIOD_DAYS).at("?to")?;
    let mut conn = app.heavy_read_conn().await?;
    let scope = crate::app::narrowed(&conn, actor.scope(), q.org).await?;
    let rows = repo::stat_rows(&mut conn, &scope, TicketState::Merged, (q.from, q.to)).await?;
    let figures = figures(&mut conn, &rows).await?;
    let mut groups: BTreeMap<Option<String>, Measures> = BTreeMap::new();
    let mut total = Measures::default();
    for (r, f) in rows.iter().zip(&figures) {
        let key = match q.group_by {
            Grouping::Org => r.responsible_org_id.map(|o| o.to_string()),
            Grouping::Kind => Some(r.kind.clone()),
        };
        groups.entry(key).or_default().add(f);
        total.add(f);
    }
    let org_ids: Vec<Uuid> = groups
        .keys()
        .flatten()
        .filter_map(|k| Uuid::parse_str(k).ok())
        .collect();
    let names = org_names(&mut conn, &org_ids).await?;
    let groups = groups
        .into_iter()
        .map(|(key, measures)| Group {
            label: label(key.as_deref(), q.group_by, &names),
            key,
            measures,
        })
        .collect();
    Ok(Statistics { groups, total })
}

fn label(key: Option<&str>, by: Grouping, names: &BTreeMap<Uuid, String>) -> String {
    match (key, by) {
        (Some(k), Grouping::Kind) => {
            TicketKind::parse(k).map_or_else(|| k.to_owned(), |x| x.label_zh().to_owned())
        }
        (Some(k), Grouping::Org) => Uuid::parse_str(k)
            .ok()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default(),
        (None, _) => "（未派单）".to_owned(),
    }
}

/// The figures of each row, in order, from the tickets' trails.
async fn figures(conn: &mut Conn, rows: &[TicketStat]) -> AppResult<Vec<TicketFigures>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut first_callback: BTreeMap<Uuid, bool> = BTreeMap::new();
    for (t, s) in repo::callback_results(conn, &ids).await? {
        first_callback.entry(t).or_insert(s);
    }
    let mut replies: BTreeMap<Uuid, (u64, u64)> = BTreeMap::new();
    for (t, on_time) in repo::reply_results(conn, &ids).await? {
        let r = replies.entry(t).or_default();
        r.0 += 1;
        r.1 += u64::from(on_time);
    }
    Ok(rows
        .iter()
        .map(|r| {
            let (given, on_time) = replies.get(&r.id).copied().unwrap_or_default();
            TicketFigures {
                dispatched: r.responsible_org_id.is_some() || r.return_count > 0,
                replied: r.replied_at.is_some(),
                reopened: r.reopen_count > 0,
                replies: given,
                replies_on_time: on_time,
                first_callback: first_callback.get(&r.id).copied(),
                returns: u64::try_from(r.return_count.max(0)).unwrap_or(0),
            }
        })
        .collect())
}
