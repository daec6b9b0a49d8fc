//! What the public reads of the hotline (a ticket's progress, the answers marked public),
//! and the hotline statistics.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::hotline::stats::Measures;
use zhengwu_domain::hotline::{TicketKind, TicketState};
use zhengwu_domain::ids::{OrganizationId, TicketId};

use crate::app::hotline::public::{
    self as app, AnswerView, Grouping, PublicTicketView, Statistics, StatsQuery,
};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Page, PageParams, encode_cursor, page_response};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketLookupQuery {
    /// The query code given when the ticket was taken.
    #[param(example = "DEMO2000")]
    pub code: String,
}

/// A ticket's progress for the public: no caller data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTicket {
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

/// Progress of a ticket by number and query code (rate limited per address). Classified
/// tickets are not shown.
#[utoipa::path(operation_id = "lookupPublicTicket",
    tag = "hotline", params(("number" = String, Path), TicketLookupQuery),
    responses((status = 200, body = PublicTicket),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many lookups from this address")))]
#[get("/public/hotline/tickets/{number}")]
pub async fn lookup_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
    q: web::Query<TicketLookupQuery>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_lookup(&state, &req)?;
    let t = app::lookup(&state, &number, &q.code).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PublicTicket::from(t)))
}

impl From<PublicTicketView> for PublicTicket {
    fn from(t: PublicTicketView) -> Self {
        PublicTicket {
            number: t.number,
            kind: t.kind,
            subject: t.subject,
            state: t.state,
            received_on: t.received_on,
            responsible_organization: t.responsible_organization,
            due_date: t.due_date,
            reply: t.reply,
            replied_at: t.replied_at,
        }
    }
}

/// A public answer: the question and the department's reply, personal data masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAnswer {
    pub id: Uuid,
    pub kind: TicketKind,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub answered_by: Option<String>,
    pub replied_at: DateTime<Utc>,
}

/// Answers the departments marked public, newest first (never classified tickets, never
/// caller data; personal data in the texts masked).
#[utoipa::path(operation_id = "listPublicHotlineAnswers",
    tag = "hotline", params(PageParams), responses((status = 200, body = Page<PublicAnswer>)))]
#[get("/public/hotline/answers")]
pub async fn public_answers(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let before = answers_before(&page)?;
    let rows = app::answers(&state, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<PublicAnswer> = rows
        .into_iter()
        .take(limit as usize)
        .map(PublicAnswer::from)
        .collect();
    let next_cursor = items
        .last()
        .filter(|_| more)
        .map(|a| encode_cursor(&format!("{}|{}", a.replied_at.to_rfc3339(), a.id)));
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// The position a page of answers starts after: the last answer's time and id.
fn answers_before(page: &PageParams) -> ApiResult<Option<(DateTime<Utc>, TicketId)>> {
    let Some(k) = page.after_key()? else {
        return Ok(None);
    };
    let (at, id) = k
        .split_once('|')
        .and_then(|(a, i)| {
            Some((
                DateTime::parse_from_rfc3339(a).ok()?,
                Uuid::parse_str(i).ok()?,
            ))
        })
        .ok_or_else(|| {
            ApiError::field(
                "?cursor",
                Code::CursorInvalid,
                "the cursor is not one this API gave out",
            )
        })?;
    Ok(Some((at.with_timezone(&Utc), TicketId(id))))
}

impl From<AnswerView> for PublicAnswer {
    fn from(a: AnswerView) -> Self {
        PublicAnswer {
            id: a.id,
            kind: a.kind,
            subject: a.subject,
            question: a.question,
            answer: a.answer,
            answered_by: a.answered_by,
            replied_at: a.replied_at,
        }
    }
}

// ------------------------------------------------------------------ statistics

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HotlineGroupBy {
    Org,
    Kind,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotlineStatsQuery {
    pub org: Option<Uuid>,
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    #[param(example = "2025-10-31")]
    pub to: NaiveDate,
    #[param(example = "org")]
    pub group_by: HotlineGroupBy,
}

/// The measures of one group. Rates are fractions, absent when undefined.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct HotlineMeasures {
    /// Tickets received in the period (merged duplicates left out).
    pub received: u64,
    /// Of those, dispatched to a department at least once.
    pub dispatched: u64,
    /// Tickets replied at least once.
    pub replied: u64,
    /// Replies given: a reopened ticket (重办) answered again counts each reply.
    pub replies: u64,
    /// Replies given on or before the due date in force when each was given ÷ replies.
    pub on_time_reply_rate: Option<f64>,
    pub callbacks: u64,
    /// Satisfied at the first callback ÷ tickets called back.
    pub satisfaction_rate: Option<f64>,
    /// Tickets reopened at least once ÷ replied.
    pub reopen_rate: Option<f64>,
    /// Returns (退单) in all.
    pub bounces: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotlineGroup {
    pub key: Option<String>,
    pub label: String,
    #[serde(flatten)]
    pub measures: HotlineMeasures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotlineStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: HotlineGroupBy,
    pub groups: Vec<HotlineGroup>,
    pub total: HotlineMeasures,
}

/// Hotline measures for tickets received in a period: received, dispatched, replied, the
/// replies given and the share given in time (each reply judged by the due date in force when
/// it was given, so a late reply stays late after a reopening), satisfaction at callback, the
/// reopen rate and the returns, per responsible organisation or kind.
#[utoipa::path(operation_id = "getHotlineStatistics",
    tag = "statistics", security(("bearer" = [])), params(HotlineStatsQuery),
    responses((status = 200, body = HotlineStatistics)))]
#[get("/statistics/hotline")]
pub async fn hotline_statistics(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<HotlineStatsQuery>,
) -> ApiResult<HttpResponse> {
    let query = StatsQuery {
        org: q.org.map(OrganizationId),
        from: q.from,
        to: q.to,
        group_by: match q.group_by {
            HotlineGroupBy::Org => Grouping::Org,
            HotlineGroupBy::Kind => Grouping::Kind,
        },
    };
    let stats = app::statistics(&state, &auth.actor(), &query).await?;
    Ok(HttpResponse::Ok().json(statistics_dto(&q, stats)))
}

fn statistics_dto(q: &HotlineStatsQuery, s: Statistics) -> HotlineStatistics {
    let groups = s
        .groups
        .into_iter()
        .map(|g| HotlineGroup {
            key: g.key,
            label: g.label,
            measures: g.measures.into(),
        })
        .collect();
    HotlineStatistics {
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        groups,
        total: s.total.into(),
    }
}

impl From<Measures> for HotlineMeasures {
    fn from(m: Measures) -> Self {
        HotlineMeasures {
            received: m.received,
            dispatched: m.dispatched,
            replied: m.replied,
            replies: m.replies,
            on_time_reply_rate: m.on_time_reply_rate(),
            callbacks: m.callbacks,
            satisfaction_rate: m.satisfaction_rate(),
            reopen_rate: m.reopen_rate(),
            bounces: m.bounces,
        }
    }
}
