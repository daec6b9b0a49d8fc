//! Participation (政民互动): public consultations (征求意见) with moderated comments, and
//! topic requests (点题公开) and messages to leaders (领导信箱) answered on the echo wall.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::participation::{
    self as rules, AnswerKind, CommentState, ConsultationState, MessageAction, MessageKind,
    MessageState,
};
use zhengwu_domain::pii;
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::participation::{self as repo, Comment, Consultation, Message};
use zhengwu_persistence::{Conn, DbError, Found, disclosure, orgs};

use crate::audit_ctx::AuditCtx;
use crate::auth::{MaybePrincipal, Principal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
const ANSWERERS: &[Role] = &[
    Role::DisclosureOfficer,
    Role::OrgAdmin,
    Role::Reviewer,
    Role::Clerk,
];

fn masked(text: &str) -> String {
    pii::mask(text, &pii::scan(text))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    pub phone: Option<String>,
    pub email: Option<String>,
}

fn check_contact(e: &mut Errors, c: &ContactIn) {
    e.check_opt("contact/phone", c.phone.as_deref(), validation::phone);
    e.check_opt("contact/email", c.email.as_deref(), validation::email);
}

// ------------------------------------------------------------------ consultations

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000006",
    "title": "关于公开征求《2027年历下区政务公开工作任务分工方案》意见的公告", "draft_text": "一、总体要求……",
    "opens_at": "2027-03-01T00:00:00Z", "closes_at": "2027-03-31T03:00:00Z"
}))]
pub struct CreateConsultation {
    pub organization_id: Uuid,
    pub title: String,
    pub draft_text: String,
    pub opens_at: DateTime<Utc>,
    /// Comments are refused from this instant on, by the server's clock.
    pub closes_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub draft_text: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub state: ConsultationState,
    /// Whether comments are accepted right now.
    pub accepting_comments: bool,
    pub feedback_summary: Option<String>,
    pub summarized_at: Option<DateTime<Utc>>,
    pub version: i32,
}

fn consultation_dto(c: Consultation, now: DateTime<Utc>) -> ApiResult<ConsultationDto> {
    let state = ConsultationState::parse(&c.state).ok_or_else(ApiError::internal)?;
    Ok(ConsultationDto {
        accepting_comments: rules::accepts_comments(state, c.opens_at, c.closes_at, now).is_ok(),
        id: c.id,
        organization_id: c.organization_id,
        title: c.title,
        draft_text: c.draft_text,
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        state,
        feedback_summary: c.feedback_summary,
        summarized_at: c.summarized_at,
        version: c.version,
    })
}

/// A comment. The public sees approved comments, with personal data masked and without
/// contact details; moderators see everything.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub text: String,
    pub state: CommentState,
    pub rejection_reason: Option<String>,
    pub adopted: Option<bool>,
    pub adoption_note: Option<String>,
    pub submitted_at: DateTime<Utc>,
    /// Moderators only.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<serde_json::Value>,
}

fn comment_dto(c: Comment, moderator: bool) -> CommentDto {
    CommentDto {
        id: c.id,
        display_name: c.display_name,
        text: if moderator { c.text } else { masked(&c.text) },
        state: CommentState::parse(&c.state).unwrap_or(CommentState::Pending),
        rejection_reason: if moderator { c.rejection_reason } else { None },
        adopted: c.adopted,
        adoption_note: c.adoption_note,
        submitted_at: c.submitted_at,
        contact: moderator.then_some(c.contact),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "建议增加基层政务公开标准化的具体时间表。", "display_name": "历下区居民", "contact": {"email": "resident@example.com"}}))]
pub struct CommentIn {
    pub text: String,
    /// How to be shown; anonymous when absent.
    pub display_name: Option<String>,
    /// Required without an account; never shown to the public.
    pub contact: Option<ContactIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approved"}))]
pub struct ModerateIn {
    pub decision: Moderation,
    /// Required to reject.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    Approved,
    Rejected,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "共收到意见12条，采纳5条，部分采纳3条，未采纳4条并说明理由。", "adoptions": []}))]
pub struct SummaryIn {
    /// 采纳情况: what was adopted and why not.
    pub summary: String,
    #[serde(default)]
    pub adoptions: Vec<Adoption>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adoption {
    pub comment_id: Uuid,
    pub adopted: bool,
    pub note: Option<String>,
}

async fn consultation_for(
    conn: &mut Conn,
    auth: &MaybePrincipal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Consultation, bool)> {
    let c = match repo::get_consultation(conn, id, for_update).await {
        Ok(c) => c,
        Err(DbError::NotFound) => return Err(ApiError::not_found("consultation")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, c.organization_id).await?;
    let moderator = auth
        .0
        .as_ref()
        .is_some_and(|p| p.role == Role::DisclosureOfficer && p.sees(&org.path));
    if c.state == "draft" && !moderator {
        return Err(ApiError::not_found("consultation"));
    }
    Ok((c, moderator))
}

/// Publish a draft policy for public comment (disclosure officers).
#[utoipa::path(operation_id = "createConsultation",
    tag = "participation", security(("bearer" = [])), request_body = CreateConsultation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = ConsultationDto)))]
#[post("/consultations")]
pub async fn create_consultation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateConsultation>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let b = &body.value;
    let mut e = Errors::new();
    e.check("title", validation::text(&b.title, 300));
    e.check("draft_text", validation::text(&b.draft_text, 200_000));
    if b.closes_at <= b.opens_at {
        e.push(
            "closes_at",
            RuleViolation::new("date.order", "closes after it opens"),
        );
    }
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = match orgs::get(c, b.organization_id).await {
            Ok(o) if auth.sees(&o.path) => o,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/organization_id",
                    "reference.not_found",
                    "no such organisation in your scope",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let row = Consultation {
            id: Uuid::now_v7(),
            organization_id: org.id,
            title: b.title.trim().to_owned(),
            draft_text: b.draft_text.clone(),
            opens_at: b.opens_at,
            closes_at: b.closes_at,
            state: ConsultationState::Draft.as_str().to_owned(),
            feedback_summary: None,
            summarized_at: None,
            created_by: auth.id,
            version: 1,
            created_at: now,
        };
        repo::insert_consultation(c, &row).await?;
        let id = row.id;
        let d = consultation_dto(row, now)?;
        audit
            .record(
                c,
                "consultation.create",
                "consultation",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&serde_json::json!({"title": d.title})),
            )
            .await?;
        idem.finish(c, &d, format!("/api/v1/consultations/{id}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultationQuery {
    pub org: Option<Uuid>,
}

/// Consultations open, closed or summarised (drafts are not public).
#[utoipa::path(operation_id = "listConsultations",
    tag = "participation", params(ConsultationQuery, PageParams),
    responses((status = 200, body = Page<ConsultationDto>)))]
#[get("/consultations")]
pub async fn list_consultations(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ConsultationQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let rows =
        repo::list_consultations(&mut conn, true, q.org, page.after_uuid()?, limit + 1).await?;
    let now = state.clock.now();
    let mut items = Vec::new();
    let more = rows.len() as i64 > limit;
    for c in rows.into_iter().take(limit as usize) {
        items.push(consultation_dto(c, now)?);
    }
    let next_cursor = if more {
        items
            .last()
            .map(|c| crate::pagination::encode_cursor(&c.id.to_string()))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Read a consultation.
#[utoipa::path(operation_id = "getConsultation",
    tag = "participation", security((), ("bearer" = [])), params(("id" = Uuid, Path)), responses((status = 200, body = ConsultationDto)))]
#[get("/consultations/{id}")]
pub async fn get_consultation(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (c, _) = consultation_for(&mut conn, &auth, *id, false).await?;
    let d = consultation_dto(c, state.clock.now())?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

async fn step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    to: ConsultationState,
    summary: Option<&SummaryIn>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let maybe = MaybePrincipal(Some(auth.clone()));
    let d = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (cons, moderator) = consultation_for(c, &maybe, id, true).await?;
            if !moderator {
                return Err(ApiError::not_found("consultation"));
            }
            if_match.check(cons.version)?;
            let from = ConsultationState::parse(&cons.state).ok_or_else(ApiError::internal)?;
            let allowed = matches!(
                (from, to),
                (ConsultationState::Draft, ConsultationState::Open)
                    | (ConsultationState::Open, ConsultationState::Closed)
                    | (ConsultationState::Closed, ConsultationState::Summarized)
            );
            if !allowed {
                return Err(ApiError::conflict(
                    "consultation.illegal_transition",
                    format!("a consultation that is {from} cannot become {to}"),
                )
                .context(serde_json::json!({"state": from})));
            }
            if to == ConsultationState::Open && cons.closes_at <= now {
                return Err(ApiError::conflict(
                    "consultation.already_past",
                    "its closing time has passed",
                ));
            }
            let (text, at) = match (to, summary) {
                (ConsultationState::Summarized, Some(s)) => {
                    let text = validation::text(&s.summary, 20_000)
                        .map_err(|v| ApiError::field("/summary", v.code, v.message))?;
                    for (i, a) in s.adoptions.iter().enumerate() {
                        let mut comment = match repo::get_comment(c, a.comment_id).await {
                            Ok(x) if x.consultation_id == id && x.state == "approved" => x,
                            _ => {
                                return Err(ApiError::field(
                                    &format!("/adoptions/{i}/comment_id"),
                                    "reference.not_found",
                                    "no approved comment of this consultation",
                                ));
                            }
                        };
                        comment.adopted = Some(a.adopted);
                        comment.adoption_note = a.note.clone();
                        repo::save_comment(c, &comment).await?;
                    }
                    (Some(text), Some(now))
                }
                _ => (cons.feedback_summary.clone(), cons.summarized_at),
            };
            let saved = repo::save_consultation(c, id, to.as_str(), text.as_deref(), at).await?;
            let org = orgs::get(c, saved.organization_id).await?;
            audit
                .record(
                    c,
                    &format!("consultation.{to}"),
                    "consultation",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({"state": to})),
                )
                .await?;
            consultation_dto(saved, now)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

/// Open a draft consultation for comments.
#[utoipa::path(operation_id = "openConsultation",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = ConsultationDto)))]
#[post("/consultations/{id}/open")]
pub async fn open(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    step(&state, &auth, *id, &if_match, ConsultationState::Open, None).await
}

/// Close a consultation (comments are refused after its closing time in any case).
#[utoipa::path(operation_id = "closeConsultation",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = ConsultationDto)))]
#[post("/consultations/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        ConsultationState::Closed,
        None,
    )
    .await
}

/// Publish the feedback summary (采纳情况) of a closed consultation, marking which
/// comments were adopted and why not.
#[utoipa::path(operation_id = "publishConsultationSummary",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = SummaryIn, responses((status = 200, body = ConsultationDto)))]
#[post("/consultations/{id}/summary")]
pub async fn publish_summary(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SummaryIn>,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        ConsultationState::Summarized,
        Some(&body.value),
    )
    .await
}

/// Comment on an open consultation: registered, or anonymous with contact details (kept private).
#[utoipa::path(operation_id = "createConsultationComment",
    tag = "participation", security((), ("bearer" = [])), request_body = CommentIn,
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = CommentDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The consultation is not open (by the server's clock)")))]
#[post("/consultations/{id}/comments")]
pub async fn add_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: ApiJson<CommentIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createConsultationComment", auth.0.as_ref(), &body)?;
    let b = &body.value;
    let mut e = Errors::new();
    e.check("text", validation::text(&b.text, 5000));
    e.check_opt("display_name", b.display_name.as_deref(), |n| {
        validation::text(n, 50)
    });
    match (&auth.0, &b.contact) {
        (None, None) => e.push(
            "contact",
            RuleViolation::new(
                "field.required_when",
                "without an account, leave a phone number or e-mail (never shown)",
            ),
        ),
        (None, Some(c)) if c.phone.is_none() && c.email.is_none() => e.push(
            "contact",
            RuleViolation::new("field.required_when", "a phone number or e-mail"),
        ),
        (_, Some(c)) => check_contact(&mut e, c),
        _ => {}
    }
    e.finish()?;
    let now = state.clock.now();
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (cons, _) = consultation_for(c, &auth, *id, true).await?;
        let st = ConsultationState::parse(&cons.state).ok_or_else(ApiError::internal)?;
        rules::accepts_comments(st, cons.opens_at, cons.closes_at, now)
            .map_err(|v| ApiError::conflict(v.code, v.message))?;
        let row = Comment {
            id: Uuid::now_v7(),
            consultation_id: cons.id,
            author_id: auth.0.as_ref().map(|p| p.id),
            display_name: b.display_name.clone(),
            contact: serde_json::to_value(&b.contact).unwrap_or_default(),
            text: b.text.trim().to_owned(),
            state: CommentState::Pending.as_str().to_owned(),
            rejection_reason: None,
            adopted: None,
            adoption_note: None,
            submitted_at: now,
        };
        repo::insert_comment(c, &row).await?;
        idem.finish(c, &comment_dto(row, false), None).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    pub items: Vec<CommentDto>,
}

/// The comments: approved ones for the public (personal data masked, no contact details),
/// all of them for the organisation's disclosure officers.
#[utoipa::path(operation_id = "listConsultationComments",
    tag = "participation", security((), ("bearer" = [])), params(("id" = Uuid, Path)), responses((status = 200, body = CommentList)))]
#[get("/consultations/{id}/comments")]
pub async fn comments(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (cons, moderator) = consultation_for(&mut conn, &auth, *id, false).await?;
    let items = repo::comments_of(&mut conn, cons.id, !moderator)
        .await?
        .into_iter()
        .map(|c| comment_dto(c, moderator))
        .collect();
    Ok(HttpResponse::Ok().json(CommentList { items }))
}

/// Approve or reject a comment (with a reason); the public sees approved comments only.
#[utoipa::path(operation_id = "moderateConsultationComment",
    tag = "participation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ModerateIn, responses((status = 200, body = CommentDto)))]
#[post("/consultation-comments/{id}/moderate")]
pub async fn moderate(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    body: ApiJson<ModerateIn>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let b = &body.value;
    if b.decision == Moderation::Rejected && b.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(ApiError::field(
            "/reason",
            "field.required_when",
            "a rejection gives its reason",
        ));
    }
    let audit = AuditCtx::new(&state, auth.actor());
    let mut conn = state.conn().await?;
    let maybe = MaybePrincipal(Some(auth.clone()));
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let mut comment = match repo::get_comment(c, *id).await {
                Ok(x) => x,
                Err(DbError::NotFound) => return Err(ApiError::not_found("comment")),
                Err(e) => return Err(e.into()),
            };
            let (cons, moderator) =
                consultation_for(c, &maybe, comment.consultation_id, false).await?;
            if !moderator {
                return Err(ApiError::not_found("comment"));
            }
            comment.state = match b.decision {
                Moderation::Approved => CommentState::Approved,
                Moderation::Rejected => CommentState::Rejected,
            }
            .as_str()
            .to_owned();
            comment.rejection_reason = b
                .reason
                .clone()
                .filter(|_| b.decision == Moderation::Rejected);
            repo::save_comment(c, &comment).await?;
            let org = orgs::get(c, cons.organization_id).await?;
            audit
                .record(
                    c,
                    "consultation.moderate",
                    "consultation",
                    cons.id,
                    Some(&org.path),
                    None::<&()>,
                    Some(&serde_json::json!({"comment": comment.id, "state": comment.state})),
                )
                .await?;
            Ok(comment_dto(comment, true))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

// ------------------------------------------------------------------ messages

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "topic_request", "organization_id": "01941f29-7c00-7001-8000-000000000006",
    "subject": "希望公开老旧小区加装电梯补贴标准", "text": "请公开2026年老旧小区加装电梯的补贴标准和申请流程。",
    "contact": {"phone": "13812345678"}
}))]
pub struct MessageIn {
    pub kind: MessageKind,
    /// The organisation whose disclosure office receives it.
    pub organization_id: Uuid,
    pub subject: String,
    pub text: String,
    pub name: Option<String>,
    /// Never public.
    pub contact: Option<ContactIn>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageDto {
    pub id: Uuid,
    pub kind: MessageKind,
    pub organization_id: Uuid,
    pub subject: String,
    pub text: String,
    pub state: MessageState,
    pub submitted_at: DateTime<Utc>,
    pub forwarded_to: Option<Uuid>,
    pub feedback_due: Option<NaiveDate>,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub answer_kind: Option<AnswerKind>,
    pub answer: Option<String>,
    pub disclosure_id: Option<Uuid>,
    pub answered_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub submitter_name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub contact: Option<serde_json::Value>,
    pub version: i32,
}

fn message_dto(m: Message, staff: bool, years_without_calendar: Vec<i32>) -> MessageDto {
    MessageDto {
        id: m.id,
        kind: MessageKind::parse(&m.kind).unwrap_or(MessageKind::TopicRequest),
        organization_id: m.organization_id,
        subject: m.subject,
        text: m.text,
        state: MessageState::parse(&m.state).unwrap_or(MessageState::Submitted),
        submitted_at: m.submitted_at,
        forwarded_to: m.forwarded_to,
        feedback_due: m.feedback_due,
        years_without_calendar,
        answer_kind: m.answer_kind.as_deref().and_then(AnswerKind::parse),
        answer: m.answer,
        disclosure_id: m.disclosure_id,
        answered_at: m.answered_at,
        published_at: m.published_at,
        submitter_name: if staff { m.submitter_name } else { None },
        contact: staff.then_some(m.contact),
        version: m.version,
    }
}

/// Ask for a topic to be disclosed (点题公开) or write to a leader (领导信箱).
#[utoipa::path(operation_id = "createPublicMessage",
    tag = "participation", security((), ("bearer" = [])), request_body = MessageIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = MessageDto)))]
#[post("/public-messages")]
pub async fn submit_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    body: ApiJson<MessageIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createPublicMessage", auth.0.as_ref(), &body)?;
    let b = &body.value;
    let mut e = Errors::new();
    e.check("subject", validation::text(&b.subject, 200));
    e.check("text", validation::text(&b.text, 5000));
    e.check_opt("name", b.name.as_deref(), |n| validation::text(n, 50));
    match (&auth.0, &b.contact) {
        (None, None) => e.push(
            "contact",
            RuleViolation::new(
                "field.required_when",
                "leave a phone number or e-mail for the answer (never public)",
            ),
        ),
        (_, Some(c)) => check_contact(&mut e, c),
        _ => {}
    }
    e.finish()?;
    let now = state.clock.now();
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        if orgs::get(c, b.organization_id).await.found()?.is_none() {
            return Err(ApiError::field(
                "/organization_id",
                "reference.not_found",
                "no such organisation",
            ));
        }
        let m = Message {
            id: Uuid::now_v7(),
            kind: b.kind.as_str().to_owned(),
            organization_id: b.organization_id,
            submitter_id: auth.0.as_ref().map(|p| p.id),
            submitter_name: b.name.clone(),
            contact: serde_json::to_value(&b.contact).unwrap_or_default(),
            subject: b.subject.trim().to_owned(),
            text: b.text.trim().to_owned(),
            state: MessageState::Submitted.as_str().to_owned(),
            submitted_at: now,
            forwarded_to: None,
            forwarded_at: None,
            feedback_due: None,
            answer_kind: None,
            answer: None,
            disclosure_id: None,
            answered_at: None,
            published_at: None,
            version: 1,
        };
        repo::insert_message(c, &m).await?;
        idem.finish(c, &message_dto(m, false, Vec::new()), None)
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Messages received by, or forwarded to, the organisations of your scope.
#[utoipa::path(operation_id = "listPublicMessages",
    tag = "participation", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<MessageDto>)))]
#[get("/public-messages")]
pub async fn list_messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    auth.require(ANSWERERS)?;
    let limit = page.limit()?;
    let within = match auth.scope() {
        crate::auth::Scope::Subtree(p) => Some(p.as_str().to_owned()),
        _ => None,
    };
    let mut conn = state.conn().await?;
    let rows =
        repo::messages_for(&mut conn, within.as_deref(), page.after_uuid()?, limit + 1).await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(page_response(
        &req,
        Page::from_rows(
            rows,
            limit,
            |m| m.id.to_string(),
            |m| {
                let y = years.remove(&m.id).unwrap_or_default();
                message_dto(m, true, y)
            },
        ),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000003", "working_days": 10
}))]
pub struct ForwardIn {
    /// The department that answers.
    pub organization_id: Uuid,
    /// The time-limited feedback notice (限时反馈), in working days.
    #[schema(minimum = 1, maximum = 60)]
    pub working_days: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "answer_kind": "not_disclosed", "answer": "该事项尚在研究论证阶段，属于过程性信息，待形成正式文件后依法公开。"
}))]
pub struct AnswerIn {
    pub answer_kind: AnswerKind,
    pub answer: String,
    /// For `disclosed`: the published disclosure item.
    pub disclosure_id: Option<Uuid>,
}

enum MsgAct {
    Forward(ForwardIn),
    Answer(AnswerIn),
    Publish,
}

async fn message_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    a: MsgAct,
) -> ApiResult<HttpResponse> {
    let action = match &a {
        MsgAct::Forward(_) => MessageAction::Forward,
        MsgAct::Answer(_) => MessageAction::Answer,
        MsgAct::Publish => MessageAction::Publish,
    };
    auth.require(if action == MessageAction::Answer {
        ANSWERERS
    } else {
        OFFICERS
    })?;
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let today = now.with_timezone(&state.config.timezone).date_naive();
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let mut m = match repo::get_message(c, id, true).await {
                Ok(m) => m,
                Err(DbError::NotFound) => return Err(ApiError::not_found("message")),
                Err(e) => return Err(e.into()),
            };
            // The receiving office forwards and publishes; the forwarded department answers.
            let acting_org = if action == MessageAction::Answer {
                m.forwarded_to.unwrap_or(m.organization_id)
            } else {
                m.organization_id
            };
            let org = orgs::get(c, acting_org).await?;
            auth.ensure_sees(&org.path, "message")?;
            if_match.check(m.version)?;
            let from = MessageState::parse(&m.state).ok_or_else(ApiError::internal)?;
            let next = from.apply(action).map_err(|e| {
                ApiError::conflict("message.illegal_transition", e.to_string())
                    .context(serde_json::json!({"state": e.from}))
            })?;
            match &a {
                MsgAct::Forward(f) => {
                    if !(1..=60).contains(&f.working_days) {
                        return Err(ApiError::field(
                            "/working_days",
                            "range",
                            "1 to 60 working days",
                        ));
                    }
                    if let Err(DbError::NotFound) = orgs::get(c, f.organization_id).await {
                        return Err(ApiError::field(
                            "/organization_id",
                            "reference.not_found",
                            "no such organisation",
                        ));
                    }
                    m.forwarded_to = Some(f.organization_id);
                    m.forwarded_at = Some(now);
                    let target = Target::of(StoredDeadline::MessageFeedback, m.id);
                    let basis = DeadlineBasis::after(today, f.working_days);
                    m.feedback_due =
                        Some(crate::deadlines::count(c, target, basis).await?.due_date);
                }
                MsgAct::Answer(x) => {
                    let answer = validation::text(&x.answer, 5000)
                        .map_err(|v| ApiError::field("/answer", v.code, v.message))?;
                    if x.answer_kind == AnswerKind::Disclosed {
                        let published = match x.disclosure_id {
                            Some(d) => disclosure::current_version(
                                c,
                                zhengwu_domain::ids::DisclosureItemId(d),
                            )
                            .await?
                            .is_some(),
                            None => false,
                        };
                        if !published {
                            return Err(ApiError::field(
                                "/disclosure_id",
                                "reference.not_found",
                                "a disclosed answer links the published item",
                            ));
                        }
                    }
                    m.answer_kind = Some(x.answer_kind.as_str().to_owned());
                    m.answer = Some(answer);
                    m.disclosure_id = x.disclosure_id;
                    m.answered_at = Some(now);
                }
                MsgAct::Publish => m.published_at = Some(now),
            }
            m.state = next.as_str().to_owned();
            let saved = repo::save_message(c, &m).await?;
            audit
                .record(
                    c,
                    &format!("public_message.{action}"),
                    "public_message",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({"state": next})),
                )
                .await?;
            let years = crate::deadlines::flags_of(c, saved.id).await?;
            Ok(message_dto(saved, true, years))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

/// Forward a message to the department that answers, with a feedback deadline in working days.
#[utoipa::path(operation_id = "forwardPublicMessage",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ForwardIn, responses((status = 200, body = MessageDto)))]
#[post("/public-messages/{id}/forward")]
pub async fn forward(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ForwardIn>,
) -> ApiResult<HttpResponse> {
    message_step(
        &state,
        &auth,
        *id,
        &if_match,
        MsgAct::Forward(body.into_inner_value()),
    )
    .await
}

/// Answer a forwarded message: disclosed (with the item), not disclosed (why), or replied.
#[utoipa::path(operation_id = "answerPublicMessage",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = AnswerIn, responses((status = 200, body = MessageDto)))]
#[post("/public-messages/{id}/answer")]
pub async fn answer_message(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AnswerIn>,
) -> ApiResult<HttpResponse> {
    message_step(
        &state,
        &auth,
        *id,
        &if_match,
        MsgAct::Answer(body.into_inner_value()),
    )
    .await
}

/// Publish the answer on the echo wall (回音壁).
#[utoipa::path(operation_id = "publishPublicMessage",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = MessageDto)))]
#[post("/public-messages/{id}/publish")]
pub async fn publish_message(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    message_step(&state, &auth, *id, &if_match, MsgAct::Publish).await
}

/// An answer on the echo wall: no submitter, personal data in the texts masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EchoEntry {
    pub id: Uuid,
    pub kind: MessageKind,
    pub subject: String,
    pub question: String,
    pub answer_kind: Option<AnswerKind>,
    pub answer: Option<String>,
    pub disclosure_id: Option<Uuid>,
    pub answered_by: Option<String>,
    pub submitted_on: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
}

/// The echo wall (回音壁): published answers to the public's questions, newest first.
#[utoipa::path(operation_id = "listEchoWall",
    tag = "participation", params(PageParams), responses((status = 200, body = Page<EchoEntry>)))]
#[get("/public/echo-wall")]
pub async fn echo_wall(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let before = match page.cursor.as_deref() {
        None => None,
        Some(_) => {
            let raw = page.after_uuid()?.ok_or_else(ApiError::internal)?;
            let mut conn = state.read_conn().await?;
            let m = repo::get_message(&mut conn, raw, false)
                .await
                .map_err(|_| ApiError::field("?cursor", "cursor.invalid", "unknown cursor"))?;
            m.published_at.map(|at| (at, m.id))
        }
    };
    let mut conn = state.read_conn().await?;
    let rows = repo::echo_wall(&mut conn, before, limit + 1).await?;
    let tz = state.config.timezone;
    let mut items = Vec::new();
    let more = rows.len() as i64 > limit;
    for m in rows.into_iter().take(limit as usize) {
        let answered_by = match m.forwarded_to {
            Some(o) => orgs::get(&mut conn, o).await.found()?.map(|o| o.name),
            None => None,
        };
        items.push(EchoEntry {
            id: m.id,
            kind: MessageKind::parse(&m.kind).unwrap_or(MessageKind::TopicRequest),
            subject: masked(&m.subject),
            question: masked(&m.text),
            answer_kind: m.answer_kind.as_deref().and_then(AnswerKind::parse),
            answer: m.answer.as_deref().map(masked),
            disclosure_id: m.disclosure_id,
            answered_by,
            submitted_on: m.submitted_at.with_timezone(&tz).date_naive(),
            published_at: m.published_at,
        });
    }
    let next_cursor = if more {
        items
            .last()
            .map(|e| crate::pagination::encode_cursor(&e.id.to_string()))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
}
