//! The 12345 hotline (便民服务热线): tickets (工单) taken by operators or submitted online,
//! dispatched to the responsible department with a time limit by kind, returned (退单),
//! extended, replied, called back (回访) and reopened (重办), merged when duplicated; the
//! public progress lookup and public answers; the statistics; the knowledge base (知识库).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline, check_extension_in_time};
use zhengwu_domain::hotline::{
    EntryAction, EntryState, TicketAction, TicketChannel, TicketKind, TicketState, Urgency,
};
use zhengwu_domain::pii;
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::hotline::{self as repo, Entry, Ticket};
use zhengwu_persistence::{Conn, DbError, orgs, supervision};

use crate::audit_ctx::AuditCtx;
use crate::auth::{MaybePrincipal, Principal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, encode_cursor, page_response};
use crate::routes::cases::{new_password, password_hash, password_matches};
use crate::routes::participation::ContactIn;
use crate::routes::supervision::subtree;
use crate::state::AppState;

/// Who runs the hotline: operators, and supervisors and administrators overseeing it.
const OPERATORS: &[Role] = &[Role::HotlineOperator, Role::SysAdmin];
/// Staff of a responsible department who act on a dispatched ticket.
const DEPARTMENT: &[Role] = &[
    Role::OrgAdmin,
    Role::Reviewer,
    Role::Clerk,
    Role::DisclosureOfficer,
];
/// Who may see tickets in their scope.
const VIEWERS: &[Role] = &[
    Role::HotlineOperator,
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
    Role::Clerk,
    Role::DisclosureOfficer,
];

fn masked(text: &str) -> String {
    pii::mask(text, &pii::scan(text))
}

// ------------------------------------------------------------------ tickets

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "help", "urgency": "urgent", "channel": "phone",
    "subject": "小区停水三天无人处理", "description": "历下区某小区自11月3日起停水，物业称在维修但无进展。",
    "location": "济南市历下区文化东路", "caller_name": "李先生", "caller_contact": {"phone": "13912345678"}}))]
pub struct TicketIn {
    /// The hotline centre taking it; an operator's own organisation when absent.
    pub center_id: Option<Uuid>,
    pub kind: TicketKind,
    #[serde(default = "normal")]
    pub urgency: Urgency,
    /// Operators only; online submissions are `web`.
    pub channel: Option<TicketChannel>,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub caller_name: Option<String>,
    /// Never public; required for anonymous submissions.
    pub caller_contact: Option<ContactIn>,
    /// Operators only: classified tickets are never shown publicly.
    #[serde(default)]
    pub classified: bool,
}

fn normal() -> Urgency {
    Urgency::Normal
}

/// A ticket. The caller's contact and name are shown to hotline staff only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: Uuid,
    #[schema(example = "RX2025000001")]
    pub number: String,
    pub kind: TicketKind,
    pub urgency: Urgency,
    pub channel: TicketChannel,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub classified: bool,
    pub public_answer: bool,
    pub center_id: Uuid,
    pub state: TicketState,
    pub received_at: DateTime<Utc>,
    pub responsible_org_id: Option<Uuid>,
    /// When the current deadline started (dispatch, or reopening).
    pub dispatched_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    /// How often departments sent it back (退单).
    pub return_count: i32,
    pub extension_days: i32,
    /// A pending extension request: days, reason, requested_on.
    #[schema(value_type = Option<Object>)]
    pub extension_request: Option<serde_json::Value>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub callback_satisfied: Option<bool>,
    pub reopen_count: i32,
    pub merged_into: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Hotline staff only.
    pub caller_name: Option<String>,
    /// Hotline staff only.
    #[schema(value_type = Option<Object>)]
    pub caller_contact: Option<serde_json::Value>,
    /// Given once, when the ticket is taken: with the number it opens the public lookup.
    pub query_code: Option<String>,
    pub version: i32,
}

fn ticket_dto(t: Ticket, hotline_staff: bool, years_without_calendar: Vec<i32>) -> TicketDto {
    TicketDto {
        id: t.id,
        number: t.number,
        kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Consultation),
        urgency: Urgency::parse(&t.urgency).unwrap_or(Urgency::Normal),
        channel: TicketChannel::parse(&t.channel).unwrap_or(TicketChannel::Web),
        subject: t.subject,
        description: t.description,
        location: t.location,
        classified: t.classified,
        public_answer: t.public_answer,
        center_id: t.center_id,
        state: TicketState::parse(&t.state).unwrap_or(TicketState::Received),
        received_at: t.received_at,
        responsible_org_id: t.responsible_org_id,
        dispatched_on: t.dispatched_on,
        due_date: t.due_date,
        years_without_calendar,
        return_count: t.return_count,
        extension_days: t.extension_days,
        extension_request: t.extension_request,
        reply: t.reply,
        replied_at: t.replied_at,
        callback_satisfied: t.callback_satisfied,
        reopen_count: t.reopen_count,
        merged_into: t.merged_into,
        closed_at: t.closed_at,
        caller_name: if hotline_staff { t.caller_name } else { None },
        caller_contact: hotline_staff.then_some(t.caller_contact),
        query_code: None,
        version: t.version,
    }
}

/// Take a ticket: an operator from a call, a message or a web form, or the public online
/// (anonymous submissions leave a contact, never shown publicly). The answer carries the
/// query code for the public lookup, once.
#[utoipa::path(operation_id = "createTicket",
    tag = "hotline", security((), ("bearer" = [])), request_body = TicketIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = TicketDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Staff other than hotline operators cannot take tickets; the public cannot \
set `urgency` or `classified` (`errors[]` names them)")))]
#[post("/hotline/tickets")]
pub async fn create_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    body: ApiJson<TicketIn>,
) -> ApiResult<HttpResponse> {
    let operator = auth.0.as_ref().filter(|p| OPERATORS.contains(&p.role));
    if auth
        .0
        .as_ref()
        .is_some_and(|p| p.role.is_staff() && operator.is_none())
    {
        return Err(ApiError::forbidden(
            "tickets are taken by hotline operators or submitted by the public",
        ));
    }
    crate::writers::check("createTicket", auth.0.as_ref(), &body)?;
    let b = &body.value;
    let mut e = Errors::new();
    let subject = e.check("subject", validation::text(&b.subject, 200));
    let description = e.check("description", validation::text(&b.description, 5000));
    e.check_opt("location", b.location.as_deref(), |v| {
        validation::text(v, 200)
    });
    e.check_opt("caller_name", b.caller_name.as_deref(), |v| {
        validation::text(v, 50)
    });
    match (&auth.0, &b.caller_contact) {
        (None, None) => e.push(
            "caller_contact",
            RuleViolation::new(
                "field.required_when",
                "leave a phone number or e-mail for the reply",
            ),
        ),
        (_, Some(c)) => {
            e.check_opt(
                "caller_contact/phone",
                c.phone.as_deref(),
                validation::phone,
            );
            e.check_opt(
                "caller_contact/email",
                c.email.as_deref(),
                validation::email,
            );
        }
        _ => {}
    }
    if operator.is_none() && b.channel.is_some_and(|c| c != TicketChannel::Web) {
        e.push(
            "channel",
            RuleViolation::new("operator.only", "online submissions are web"),
        );
    }
    let center = b.center_id.or(operator.and_then(|p| p.org_id));
    if center.is_none() {
        e.push(
            "center_id",
            RuleViolation::new("field.required_when", "name the hotline centre"),
        );
    }
    e.finish()?;
    let (subject, description) = (subject.unwrap_or_default(), description.unwrap_or_default());
    let now = state.clock.now();
    let day = state.today();
    let code = new_password();
    let idem_principal = auth
        .0
        .as_ref()
        .map_or_else(|| "public".to_owned(), Principal::idempotency_principal);
    let idem = Idem::new(&req, idem_principal, &key, &body.hash);
    let actor = auth.0.as_ref().map(Principal::actor);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let center = match orgs::get(c, center.unwrap_or_default()).await {
            Ok(o) if operator.is_none_or(|p| p.sees(&o.path)) => o,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/center_id",
                    "reference.not_found",
                    "no such hotline centre",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let serial = supervision::next_serial(c, "hotline", day.year()).await?;
        let t = Ticket {
            id: Uuid::now_v7(),
            number: format!("RX{}{serial:06}", day.year()),
            kind: b.kind.as_str().to_owned(),
            urgency: b.urgency.as_str().to_owned(),
            channel: b.channel.unwrap_or(TicketChannel::Web).as_str().to_owned(),
            subject,
            description,
            location: b.location.as_ref().map(|v| v.trim().to_owned()),
            caller_name: b.caller_name.as_ref().map(|v| v.trim().to_owned()),
            caller_contact: serde_json::to_value(&b.caller_contact).unwrap_or_default(),
            classified: b.classified,
            public_answer: false,
            query_code_hash: password_hash(&code),
            center_id: center.id,
            submitter_id: auth.0.as_ref().filter(|_| operator.is_none()).map(|p| p.id),
            state: TicketState::Received.as_str().to_owned(),
            received_at: now,
            received_on: day,
            responsible_org_id: None,
            dispatched_on: None,
            due_date: None,
            return_count: 0,
            extension_days: 0,
            extension_request: None,
            reply: None,
            replied_at: None,
            callback_satisfied: None,
            reopen_count: 0,
            merged_into: None,
            closed_at: None,
            version: 1,
        };
        repo::insert_ticket(c, &t).await?;
        repo::add_event(
            c,
            t.id,
            now,
            auth.0.as_ref().map(|p| p.id),
            "receive",
            None,
            serde_json::json!({"channel": t.channel}),
        )
        .await?;
        if let Some(actor) = actor {
            AuditCtx::new(&state, actor)
                .record(
                    c,
                    "hotline_ticket.receive",
                    "hotline_ticket",
                    t.id,
                    Some(&center.path),
                    None::<&()>,
                    Some(&serde_json::json!({"number": t.number, "kind": t.kind})),
                )
                .await?;
        }
        let mut dto = ticket_dto(t, operator.is_some(), Vec::new());
        dto.query_code = Some(code.clone());
        let location = format!("/api/v1/hotline/tickets/{}", dto.id);
        idem.finish(c, &dto, location).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Whether the caller sees a ticket, and whether as hotline staff (with the caller's contact).
async fn ticket_access(conn: &mut Conn, auth: &Principal, t: &Ticket) -> ApiResult<Option<bool>> {
    if auth.role == Role::Applicant {
        return Ok((t.submitter_id == Some(auth.id)).then_some(false));
    }
    if !VIEWERS.contains(&auth.role) {
        return Ok(None);
    }
    let center = orgs::get(conn, t.center_id).await?;
    let hotline_side = matches!(
        auth.role,
        Role::HotlineOperator | Role::SysAdmin | Role::Supervisor | Role::OrgAdmin
    ) && auth.sees(&center.path);
    if hotline_side {
        return Ok(Some(true));
    }
    let department = match t.responsible_org_id {
        Some(o) => auth.sees(&orgs::get(conn, o).await?.path),
        None => false,
    };
    Ok(department.then_some(false))
}

async fn visible_ticket(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Ticket, bool)> {
    let t = match repo::get_ticket(conn, id, for_update).await {
        Ok(t) => t,
        Err(DbError::NotFound) => return Err(ApiError::not_found("ticket")),
        Err(e) => return Err(e.into()),
    };
    match ticket_access(conn, auth, &t).await? {
        Some(staff) => Ok((t, staff)),
        None => Err(ApiError::not_found("ticket")),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketsQuery {
    pub org: Option<Uuid>,
    pub state: Option<TicketState>,
    pub kind: Option<TicketKind>,
    /// Tickets dispatched to this organisation.
    pub responsible: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Tickets taken by a centre of your scope or dispatched to an organisation of it;
/// applicants see their own.
#[utoipa::path(operation_id = "listTickets",
    tag = "hotline", security(("bearer" = [])), params(TicketsQuery),
    responses((status = 200, body = Page<TicketDto>)))]
#[get("/hotline/tickets")]
pub async fn list_tickets(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<TicketsQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let mut f = repo::TicketFilter {
        state: q.state.map(|s| s.as_str().to_owned()),
        kind: q.kind.map(|k| k.as_str().to_owned()),
        responsible: q.responsible,
        received_from: q.from,
        received_to: q.to,
        after: page.after_uuid()?,
        limit: limit + 1,
        ..Default::default()
    };
    let hotline_staff = matches!(
        auth.role,
        Role::HotlineOperator | Role::SysAdmin | Role::Supervisor | Role::OrgAdmin
    );
    if auth.role == Role::Applicant {
        f.submitter = Some(auth.id);
    } else {
        auth.require(VIEWERS)?;
        f.within = subtree(&mut conn, &auth, q.org).await?;
    }
    let rows = repo::list_tickets(&mut conn, &f).await?;
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(page_response(
        &req,
        Page::from_rows(
            rows,
            limit,
            |t| t.id.to_string(),
            |t| {
                let y = years.remove(&t.id).unwrap_or_default();
                ticket_dto(t, hotline_staff, y)
            },
        ),
    ))
}

/// One ticket.
#[utoipa::path(operation_id = "getTicket",
    tag = "hotline", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TicketDto)))]
#[get("/hotline/tickets/{id}")]
pub async fn get_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (t, staff) = visible_ticket(&mut conn, &auth, *id, false).await?;
    let years = crate::deadlines::flags_of(&mut conn, t.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(t.version)))
        .json(ticket_dto(t, staff, years)))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketEventDto {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// Every step of a ticket (dispatches, returns, extensions, replies, callbacks …).
#[utoipa::path(operation_id = "getTicketTimeline",
    tag = "hotline", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<TicketEventDto>)))]
#[get("/hotline/tickets/{id}/timeline")]
pub async fn ticket_timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (t, _) = visible_ticket(&mut conn, &auth, *id, false).await?;
    let events: Vec<TicketEventDto> = repo::events_of(&mut conn, t.id)
        .await?
        .into_iter()
        .map(|e| TicketEventDto {
            at: e.at,
            actor_id: e.actor_id,
            action: e.action,
            note: e.note,
            data: e.data,
        })
        .collect();
    Ok(HttpResponse::Ok().json(events))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000003", "note": "请核实情况并于时限内答复市民"
}))]
pub struct DispatchIn {
    /// The responsible department.
    pub organization_id: Uuid,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "该事项属于供水企业职责，非本部门受理范围"}))]
pub struct TicketReasonIn {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"days": 5, "reason": "需协调供水企业和物业共同排查管网"}))]
pub struct ExtensionRequestIn {
    /// Working days asked for (1–30).
    #[schema(minimum = 1, maximum = 30)]
    pub days: u32,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approved": true, "note": "同意延期5个工作日"}))]
pub struct ExtensionDecisionIn {
    pub approved: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reply": "经核实，系供水管网爆管维修，已于11月6日恢复供水。", "public": true}))]
pub struct TicketReplyIn {
    pub reply: String,
    /// Whether the answer may be listed among the public answers (not for classified tickets).
    #[serde(default)]
    pub public: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"satisfied": false, "note": "市民反映仍间歇性停水"}))]
pub struct TicketCallbackIn {
    pub satisfied: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "市民对处理结果表示满意，办结"}))]
pub struct CloseTicketIn {
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "into": "01941f29-7c00-7007-8000-000000000002", "note": "同一市民就同一事项重复来电"
}))]
pub struct MergeIn {
    /// The ticket this one duplicates.
    pub into: Uuid,
    pub note: Option<String>,
}

enum Step {
    Dispatch(DispatchIn),
    Return(TicketReasonIn),
    RequestExtension(ExtensionRequestIn),
    DecideExtension(ExtensionDecisionIn),
    Reply(TicketReplyIn),
    Callback(TicketCallbackIn),
    Close(CloseTicketIn),
    Merge(MergeIn),
}

impl Step {
    fn action(&self) -> TicketAction {
        match self {
            Step::Dispatch(_) => TicketAction::Dispatch,
            Step::Return(_) => TicketAction::Return,
            Step::RequestExtension(_) => TicketAction::RequestExtension,
            Step::DecideExtension(_) => TicketAction::DecideExtension,
            Step::Reply(_) => TicketAction::Reply,
            Step::Callback(_) => TicketAction::Callback,
            Step::Close(_) => TicketAction::Close,
            Step::Merge(_) => TicketAction::Merge,
        }
    }

    /// The department acts on what it was given; the hotline does the rest.
    fn by_department(&self) -> bool {
        matches!(
            self,
            Step::Return(_) | Step::RequestExtension(_) | Step::Reply(_)
        )
    }

    fn note(&self) -> Option<&str> {
        match self {
            Step::Dispatch(x) => x.note.as_deref(),
            Step::Return(x) => Some(&x.reason),
            Step::RequestExtension(x) => Some(&x.reason),
            Step::DecideExtension(x) => x.note.as_deref(),
            Step::Reply(x) => Some(&x.reply),
            Step::Callback(x) => x.note.as_deref(),
            Step::Close(x) => x.note.as_deref(),
            Step::Merge(x) => x.note.as_deref(),
        }
    }
}

fn text_field(
    field: &str,
    value: Option<&str>,
    required: bool,
    max: usize,
) -> ApiResult<Option<String>> {
    match value {
        Some(v) => validation::text(v, max)
            .map(Some)
            .map_err(|e| ApiError::field(field, e.code, e.message)),
        None if required => Err(ApiError::field(field, "field.required_when", "required")),
        None => Ok(None),
    }
}

/// The due date of ticket `id` from `start`, by the limits of the department at `org_path`.
async fn due_from(
    conn: &mut Conn,
    id: Uuid,
    org_path: &str,
    start: NaiveDate,
    days: impl FnOnce(&zhengwu_domain::hotline::TicketLimits) -> u32,
) -> ApiResult<NaiveDate> {
    let (rules, _) = supervision::rules_at(conn, org_path).await?;
    let basis = DeadlineBasis::after(start, days(&rules.ticket_limits));
    Ok(crate::deadlines::count(conn, ticket_deadline(id), basis)
        .await?
        .due_date)
}

fn ticket_deadline(id: Uuid) -> Target {
    Target::of(StoredDeadline::Ticket, id)
}

async fn ticket_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    step: Step,
) -> ApiResult<HttpResponse> {
    auth.require(if step.by_department() {
        DEPARTMENT
    } else {
        OPERATORS
    })?;
    let action = step.action();
    match &step {
        Step::Dispatch(x) => {
            text_field("/note", x.note.as_deref(), false, 1000)?;
        }
        Step::Return(x) => {
            text_field("/reason", Some(&x.reason), true, 1000)?;
        }
        Step::RequestExtension(x) => {
            text_field("/reason", Some(&x.reason), true, 1000)?;
            if !(1..=30).contains(&x.days) {
                return Err(ApiError::field("/days", "range", "1 to 30 working days"));
            }
        }
        Step::DecideExtension(x) => {
            text_field("/note", x.note.as_deref(), false, 1000)?;
        }
        Step::Reply(x) => {
            text_field("/reply", Some(&x.reply), true, 5000)?;
        }
        Step::Callback(x) => {
            text_field("/note", x.note.as_deref(), !x.satisfied, 1000)?;
        }
        Step::Close(x) => {
            text_field("/note", x.note.as_deref(), false, 1000)?;
        }
        Step::Merge(x) => {
            text_field("/note", x.note.as_deref(), false, 1000)?;
            if x.into == id {
                return Err(ApiError::field("/into", "merge.self", "another ticket"));
            }
        }
    }
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let day = state.today();
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let mut t = match repo::get_ticket(c, id, true).await {
                Ok(t) => t,
                Err(DbError::NotFound) => return Err(ApiError::not_found("ticket")),
                Err(e) => return Err(e.into()),
            };
            // The hotline acts on tickets of its centres; a department on tickets it holds.
            let acting_org = if step.by_department() {
                t.responsible_org_id
            } else {
                Some(t.center_id)
            };
            let org = match acting_org {
                Some(o) => orgs::get(c, o).await?,
                None => return Err(ApiError::not_found("ticket")),
            };
            auth.ensure_sees(&org.path, "ticket")?;
            if_match.check(t.version)?;
            let from = TicketState::parse(&t.state).ok_or_else(ApiError::internal)?;
            let satisfied = match &step {
                Step::Callback(x) => x.satisfied,
                _ => true,
            };
            let next = from.apply(action, satisfied).map_err(|e| {
                ApiError::conflict("ticket.illegal_transition", e.to_string())
                    .context(serde_json::json!({"state": e.from}))
            })?;
            let mut data = serde_json::json!({});
            match &step {
                Step::Dispatch(x) => {
                    let target = match orgs::get(c, x.organization_id).await {
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
                    let kind = TicketKind::parse(&t.kind).ok_or_else(ApiError::internal)?;
                    let urgency = Urgency::parse(&t.urgency).ok_or_else(ApiError::internal)?;
                    let limit = |l: &zhengwu_domain::hotline::TicketLimits| l.days(kind, urgency);
                    let due = due_from(c, id, target.path.as_str(), day, limit).await?;
                    t.responsible_org_id = Some(target.id);
                    t.dispatched_on = Some(day);
                    t.due_date = Some(due);
                    t.extension_days = 0;
                    t.extension_request = None;
                    data = serde_json::json!({"organization_id": target.id, "due_date": due});
                }
                Step::Return(_) => {
                    data = serde_json::json!({"organization_id": t.responsible_org_id, "returns": t.return_count + 1});
                    t.return_count += 1;
                    t.responsible_org_id = None;
                    t.dispatched_on = None;
                    t.due_date = None;
                    zhengwu_persistence::deadlines::forget(c, &ticket_deadline(id)).await?;
                    t.extension_request = None;
                }
                Step::RequestExtension(x) => {
                    if t.extension_request.is_some() {
                        return Err(ApiError::conflict(
                            "ticket.extension_pending",
                            "an extension request is already waiting for a decision",
                        ));
                    }
                    check_extension_in_time(t.due_date, day)
                        .map_err(|v| ApiError::conflict(v.code, v.message))?;
                    data = serde_json::json!({"days": x.days, "reason": x.reason.trim(), "requested_on": day});
                    t.extension_request = Some(data.clone());
                }
                Step::DecideExtension(x) => {
                    let Some(request) = t.extension_request.take() else {
                        return Err(ApiError::conflict(
                            "ticket.no_extension_request",
                            "no extension request is waiting",
                        ));
                    };
                    let days = request.get("days").and_then(serde_json::Value::as_u64).unwrap_or(0) as u32;
                    if x.approved {
                        check_extension_in_time(t.due_date, day)
                            .map_err(|v| ApiError::conflict(v.code, v.message))?;
                        let due = t.due_date.unwrap_or(day);
                        let target = ticket_deadline(id);
                        let extended = crate::deadlines::extend(c, target, due, days).await?;
                        t.due_date = Some(extended.due_date);
                        t.extension_days += days as i32;
                    }
                    data = serde_json::json!({"approved": x.approved, "days": days, "due_date": t.due_date});
                }
                Step::Reply(x) => {
                    t.reply = Some(x.reply.trim().to_owned());
                    t.replied_at = Some(now);
                    t.public_answer = x.public && !t.classified;
                    data = serde_json::json!({"public": t.public_answer, "on_time": t.due_date.is_none_or(|d| day <= d)});
                }
                Step::Callback(x) => {
                    t.callback_satisfied = Some(x.satisfied);
                    data = serde_json::json!({"satisfied": x.satisfied});
                    if !x.satisfied {
                        // 重办: the department gets the reopening limit again.
                        let holder = match t.responsible_org_id {
                            Some(o) => orgs::get(c, o).await?,
                            None => org.clone(),
                        };
                        let due = due_from(c, id, holder.path.as_str(), day, |l| l.reopened).await?;
                        t.reopen_count += 1;
                        t.dispatched_on = Some(day);
                        t.due_date = Some(due);
                        t.extension_days = 0;
                        data = serde_json::json!({"satisfied": false, "due_date": due});
                    }
                }
                Step::Close(_) => t.closed_at = Some(now),
                Step::Merge(x) => {
                    let target = match repo::get_ticket(c, x.into, false).await {
                        Ok(o) => o,
                        Err(DbError::NotFound) => {
                            return Err(ApiError::field("/into", "reference.not_found", "no such ticket"));
                        }
                        Err(e) => return Err(e.into()),
                    };
                    let target_center = orgs::get(c, target.center_id).await?;
                    if !auth.sees(&target_center.path) {
                        return Err(ApiError::field("/into", "reference.not_found", "no such ticket"));
                    }
                    if target.state == TicketState::Merged.as_str() {
                        return Err(ApiError::field("/into", "merge.into_merged", "that ticket was itself merged"));
                    }
                    t.merged_into = Some(target.id);
                    t.closed_at = Some(now);
                    t.due_date = None;
                    zhengwu_persistence::deadlines::forget(c, &ticket_deadline(id)).await?;
                    data = serde_json::json!({"into": target.id, "number": target.number});
                    repo::add_event(c, target.id, now, Some(auth.id), "absorb", None, serde_json::json!({"ticket": t.id, "number": t.number})).await?;
                }
            }
            t.state = next.as_str().to_owned();
            let saved = repo::save_ticket(c, &t).await?;
            repo::add_event(c, id, now, Some(auth.id), action.as_str(), step.note().map(str::trim), data.clone()).await?;
            audit
                .record(
                    c,
                    &format!("hotline_ticket.{action}"),
                    "hotline_ticket",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({
                        "state": next, "note": step.note().map(str::trim), "data": data
                    })),
                )
                .await?;
            let years = crate::deadlines::flags_of(c, saved.id).await?;
            Ok(ticket_dto(saved, !step.by_department(), years))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

macro_rules! ticket_action {
    ($name:ident, $path:literal, $op:literal, $body:ty, $variant:path, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "hotline", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            request_body = $body, responses((status = 200, body = TicketDto)))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Principal,
            id: web::Path<Uuid>,
            if_match: IfMatch,
            body: ApiJson<$body>,
        ) -> ApiResult<HttpResponse> {
            ticket_step(&state, &auth, *id, &if_match, $variant(body.into_inner_value())).await
        }
    };
}

ticket_action!(
    dispatch_ticket,
    "/hotline/tickets/{id}/dispatch",
    "dispatchTicket",
    DispatchIn,
    Step::Dispatch,
    "Dispatch (派单) to the responsible department (operators): the due date follows the kind's time limit in working days (emergencies the same day), by the department's rules."
);
ticket_action!(
    return_ticket,
    "/hotline/tickets/{id}/return",
    "returnTicket",
    TicketReasonIn,
    Step::Return,
    "Send a ticket back as not yours (退单), with the reason (the department): it goes back to the operator for re-dispatch; returns are counted."
);
ticket_action!(
    request_ticket_extension,
    "/hotline/tickets/{id}/request-extension",
    "requestTicketExtension",
    ExtensionRequestIn,
    Step::RequestExtension,
    "Ask for more working days, before the due date (the department)."
);
ticket_action!(
    decide_ticket_extension,
    "/hotline/tickets/{id}/extension-decision",
    "decideTicketExtension",
    ExtensionDecisionIn,
    Step::DecideExtension,
    "Approve or refuse a pending extension request (operators); an approval moves the due \
     date and is given on or before it (409 after)."
);
ticket_action!(
    reply_ticket,
    "/hotline/tickets/{id}/reply",
    "replyToTicket",
    TicketReplyIn,
    Step::Reply,
    "Reply (the department); `public` lists the answer among the public answers."
);
ticket_action!(
    callback_ticket,
    "/hotline/tickets/{id}/callback",
    "recordTicketCallback",
    TicketCallbackIn,
    Step::Callback,
    "Record the follow-up call (回访, operators): satisfied, or not — then the ticket is reopened (重办) with a new due date and a note is required."
);
ticket_action!(
    close_ticket,
    "/hotline/tickets/{id}/close",
    "closeTicket",
    CloseTicketIn,
    Step::Close,
    "Close a replied or called-back ticket (办结, operators)."
);
ticket_action!(
    merge_ticket,
    "/hotline/tickets/{id}/merge",
    "mergeTicket",
    MergeIn,
    Step::Merge,
    "Merge a duplicate into another ticket (operators); it ends `merged` and the other's trail records it."
);

// ------------------------------------------------------------------ public

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
    let mut conn = state.read_conn().await?;
    let nothing = || ApiError::not_found("ticket").detail("no ticket with this number and code");
    let t = repo::find_by_number(&mut conn, &number)
        .await?
        .ok_or_else(nothing)?;
    if !password_matches(&t.query_code_hash, &q.code) || t.classified {
        return Err(nothing());
    }
    let responsible_organization = match t.responsible_org_id {
        Some(o) => Some(orgs::get(&mut conn, o).await?.name),
        None => None,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PublicTicket {
            number: t.number,
            kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Consultation),
            subject: masked(&t.subject),
            state: TicketState::parse(&t.state).unwrap_or(TicketState::Received),
            received_on: t.received_on,
            responsible_organization,
            due_date: t.due_date,
            reply: t.reply.as_deref().map(masked),
            replied_at: t.replied_at,
        }))
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
    let mut conn = state.read_conn().await?;
    let before = match page.after_key()? {
        None => None,
        Some(k) => {
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
                        "cursor.invalid",
                        "the cursor is not one this API gave out",
                    )
                })?;
            Some((at.with_timezone(&Utc), id))
        }
    };
    let rows = repo::public_answers(&mut conn, before, limit + 1).await?;
    let names: BTreeMap<Uuid, String> = orgs::get_many(
        &mut conn,
        &rows
            .iter()
            .filter_map(|t| t.responsible_org_id)
            .collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .map(|o| (o.id, o.name))
    .collect();
    let more = rows.len() as i64 > limit;
    let items: Vec<PublicAnswer> = rows
        .into_iter()
        .take(limit as usize)
        .map(|t| PublicAnswer {
            id: t.id,
            kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Consultation),
            subject: masked(&t.subject),
            question: masked(&t.description),
            answer: t.reply.as_deref().map(masked).unwrap_or_default(),
            answered_by: t.responsible_org_id.and_then(|o| names.get(&o).cloned()),
            replied_at: t.replied_at.unwrap_or(t.received_at),
        })
        .collect();
    let next_cursor = if more {
        items
            .last()
            .map(|a| encode_cursor(&format!("{}|{}", a.replied_at.to_rfc3339(), a.id)))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
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
    #[serde(skip)]
    on_time: u64,
    #[serde(skip)]
    satisfied: u64,
    #[serde(skip)]
    reopened: u64,
}

impl HotlineMeasures {
    fn finish(mut self) -> Self {
        let rate = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        self.on_time_reply_rate = rate(self.on_time, self.replies);
        self.satisfaction_rate = rate(self.satisfied, self.callbacks);
        self.reopen_rate = rate(self.reopened, self.replied);
        self
    }
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
    auth.require(&[
        Role::SysAdmin,
        Role::OrgAdmin,
        Role::Supervisor,
        Role::HotlineOperator,
    ])?;
    zhengwu_domain::validation::period(q.from, q.to, zhengwu_domain::validation::MAX_PERIOD_DAYS)
        .map_err(|v| ApiError::field("?to", v.code, v.message))?;
    let mut conn = state.heavy_read_conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let rows = repo::stat_rows(&mut conn, within.as_deref(), q.from, q.to).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut first_callback: BTreeMap<Uuid, bool> = BTreeMap::new();
    for (t, s) in repo::callback_results(&mut conn, &ids).await? {
        first_callback.entry(t).or_insert(s);
    }
    let mut replies: BTreeMap<Uuid, (u64, u64)> = BTreeMap::new();
    for (t, on_time) in repo::reply_results(&mut conn, &ids).await? {
        let r = replies.entry(t).or_default();
        r.0 += 1;
        r.1 += u64::from(on_time);
    }
    let mut groups: BTreeMap<Option<String>, HotlineMeasures> = BTreeMap::new();
    let mut total = HotlineMeasures::default();
    for r in &rows {
        let key = match q.group_by {
            HotlineGroupBy::Org => r.responsible_org_id.map(|o| o.to_string()),
            HotlineGroupBy::Kind => Some(r.kind.clone()),
        };
        for m in [groups.entry(key).or_default(), &mut total] {
            m.received += 1;
            m.dispatched += u64::from(r.responsible_org_id.is_some() || r.return_count > 0);
            if r.replied_at.is_some() {
                m.replied += 1;
                m.reopened += u64::from(r.reopen_count > 0);
            }
            if let Some((given, on_time)) = replies.get(&r.id) {
                m.replies += given;
                m.on_time += on_time;
            }
            if let Some(s) = first_callback.get(&r.id) {
                m.callbacks += 1;
                m.satisfied += u64::from(*s);
            }
            m.bounces += r.return_count.max(0) as u64;
        }
    }
    let org_ids: Vec<Uuid> = groups
        .keys()
        .flatten()
        .filter_map(|k| Uuid::parse_str(k).ok())
        .collect();
    let names: BTreeMap<String, String> = orgs::get_many(&mut conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let out: Vec<HotlineGroup> = groups
        .into_iter()
        .map(|(k, m)| HotlineGroup {
            label: match (&k, q.group_by) {
                (Some(k), HotlineGroupBy::Kind) => {
                    TicketKind::parse(k).map_or_else(|| k.clone(), |x| x.label_zh().to_owned())
                }
                (Some(k), HotlineGroupBy::Org) => names.get(k).cloned().unwrap_or_default(),
                (None, _) => "（未派单）".to_owned(),
            },
            key: k,
            measures: m.finish(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(HotlineStatistics {
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        groups: out,
        total: total.finish(),
    }))
}

// ------------------------------------------------------------------ knowledge base

const KB_AUTHORS: &[Role] = &[
    Role::HotlineOperator,
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::DisclosureOfficer,
    Role::Reviewer,
    Role::Clerk,
];
const KB_REVIEWERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Reviewer];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000001", "question": "办理居住证需要哪些材料？",
    "answer": "本人居民身份证、近期一寸白底照片、居住登记凭证及合法稳定就业、住所或连续就读证明之一。", "valid_from": "2025-01-01"
}))]
pub struct EntryIn {
    /// The organisation whose duties the entry describes.
    pub organization_id: Uuid,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub matter_ids: Vec<Uuid>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub disclosure_ids: Vec<Uuid>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answer": "本人居民身份证、近期一寸白底照片及居住登记凭证。"}))]
pub struct EntryPatch {
    pub question: Option<String>,
    pub answer: Option<String>,
    #[schema(max_items = 50)]
    pub matter_ids: Option<Vec<Uuid>>,
    #[schema(max_items = 50)]
    pub disclosure_ids: Option<Vec<Uuid>>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub question: String,
    pub answer: String,
    pub matter_ids: Vec<Uuid>,
    pub disclosure_ids: Vec<Uuid>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub state: EntryState,
    pub source_ticket_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

fn entry_dto(e: Entry) -> EntryDto {
    EntryDto {
        id: e.id,
        organization_id: e.organization_id,
        question: e.question,
        answer: e.answer,
        matter_ids: e.matter_ids,
        disclosure_ids: e.disclosure_ids,
        valid_from: e.valid_from,
        valid_to: e.valid_to,
        state: EntryState::parse(&e.state).unwrap_or(EntryState::Draft),
        source_ticket_id: e.source_ticket_id,
        updated_at: e.updated_at,
        version: e.version,
    }
}

/// Every linked service matter and disclosure item exists; problems located by index.
async fn check_links(conn: &mut Conn, matters: &[Uuid], items: &[Uuid]) -> ApiResult<()> {
    let mut e = Errors::new();
    for (i, m) in matters.iter().enumerate() {
        match zhengwu_persistence::matters::get_matter(conn, *m).await {
            Ok(_) => {}
            Err(DbError::NotFound) => e.push(
                &format!("matter_ids/{i}"),
                RuleViolation::new("reference.not_found", "no such service matter"),
            ),
            Err(x) => return Err(x.into()),
        }
    }
    for (i, d) in items.iter().enumerate() {
        match zhengwu_persistence::disclosure::get_item(
            conn,
            zhengwu_domain::ids::DisclosureItemId(*d),
        )
        .await
        {
            Ok(_) => {}
            Err(DbError::NotFound) => e.push(
                &format!("disclosure_ids/{i}"),
                RuleViolation::new("reference.not_found", "no such disclosure item"),
            ),
            Err(x) => return Err(x.into()),
        }
    }
    if matters.len() > 50 || items.len() > 50 {
        e.push(
            "matter_ids",
            RuleViolation::new("list.too_long", "at most 50 links of each kind"),
        );
    }
    Ok(e.finish()?)
}

fn check_validity(e: &mut Errors, from: Option<NaiveDate>, to: Option<NaiveDate>) {
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        e.push(
            "valid_to",
            RuleViolation::new("date.order", "on or after valid_from"),
        );
    }
}

/// Add an entry to the knowledge base (draft; published after review).
#[utoipa::path(operation_id = "createKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])), request_body = EntryIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = EntryDto, headers(("ETag" = String)))))]
#[post("/knowledge-base")]
pub async fn create_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<EntryIn>,
) -> ApiResult<HttpResponse> {
    auth.require(KB_AUTHORS)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let b = body.into_inner_value();
    let mut e = Errors::new();
    let question = e.check("question", validation::text(&b.question, 500));
    let answer = e.check("answer", validation::text(&b.answer, 10_000));
    check_validity(&mut e, b.valid_from, b.valid_to);
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
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
        check_links(c, &b.matter_ids, &b.disclosure_ids).await?;
        let entry = Entry {
            id: Uuid::now_v7(),
            organization_id: org.id,
            question: question.clone().unwrap_or_default(),
            answer: answer.clone().unwrap_or_default(),
            matter_ids: b.matter_ids.clone(),
            disclosure_ids: b.disclosure_ids.clone(),
            valid_from: b.valid_from,
            valid_to: b.valid_to,
            state: EntryState::Draft.as_str().to_owned(),
            author_id: auth.id,
            reviewer_id: None,
            source_ticket_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        repo::insert_entry(c, &entry).await?;
        let dto = entry_dto(entry);
        audit
            .record(
                c,
                "knowledge_entry.create",
                "knowledge_entry",
                dto.id,
                Some(&org.path),
                None::<&()>,
                Some(&dto),
            )
            .await?;
        let location = format!("/api/v1/knowledge-base/{}", dto.id);
        idem.finish(c, &dto, location).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Turn a ticket's reply into a draft entry (question from the ticket with personal data
/// masked, answer from the reply), for the responsible organisation.
#[utoipa::path(operation_id = "createKnowledgeEntryFromTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = EntryDto, headers(("ETag" = String)))))]
#[post("/hotline/tickets/{id}/knowledge-entry")]
pub async fn entry_from_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require(KB_AUTHORS)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    // No body: the request is the ticket named in the path.
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &[]);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (t, _) = visible_ticket(c, &auth, *id, false).await?;
        let (Some(reply), Some(org_id)) = (t.reply.clone(), t.responsible_org_id) else {
            return Err(ApiError::conflict(
                "ticket.not_replied",
                "the ticket has no reply yet",
            ));
        };
        let org = orgs::get(c, org_id).await?;
        let entry = Entry {
            id: Uuid::now_v7(),
            organization_id: org.id,
            question: masked(&t.subject),
            answer: masked(&reply),
            matter_ids: vec![],
            disclosure_ids: vec![],
            valid_from: None,
            valid_to: None,
            state: EntryState::Draft.as_str().to_owned(),
            author_id: auth.id,
            reviewer_id: None,
            source_ticket_id: Some(t.id),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        repo::insert_entry(c, &entry).await?;
        let dto = entry_dto(entry);
        audit
            .record(
                c,
                "knowledge_entry.create",
                "knowledge_entry",
                dto.id,
                Some(&org.path),
                None::<&()>,
                Some(&serde_json::json!({"ticket": t.number, "entry": dto})),
            )
            .await?;
        let location = format!("/api/v1/knowledge-base/{}", dto.id);
        idem.finish(c, &dto, location).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// Words to search (Chinese segmented; every word must match; ranked, question first).
    pub q: Option<String>,
    pub org: Option<Uuid>,
    /// Staff only.
    pub state: Option<EntryState>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Search the knowledge base. Without a token: published entries valid today; staff (for
/// operators taking a call) see every state in their scope with `state`.
#[utoipa::path(operation_id = "searchKnowledgeBase",
    tag = "hotline", security((), ("bearer" = [])), params(EntriesQuery), responses((status = 200, body = Page<EntryDto>)))]
#[get("/knowledge-base")]
pub async fn search_entries(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    q: web::Query<EntriesQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let offset = page.after_i64()?.unwrap_or(0).max(0);
    let mut conn = state.read_conn().await?;
    let staff = auth.0.as_ref().filter(|p| KB_AUTHORS.contains(&p.role));
    let mut f = repo::EntryFilter {
        q: q.q.clone(),
        organization_id: None,
        offset,
        limit: limit + 1,
        ..Default::default()
    };
    match staff {
        Some(p) => {
            f.within = subtree(&mut conn, p, q.org).await?;
            f.state = q.state.map(|s| s.as_str().to_owned());
        }
        None => {
            if q.state.is_some() {
                return Err(ApiError::field("?state", "staff.only", "staff only"));
            }
            f.valid_on = Some(state.today());
            f.organization_id = q.org;
        }
    }
    let rows = repo::search_entries(&mut conn, &f).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<EntryDto> = rows
        .into_iter()
        .take(limit as usize)
        .map(entry_dto)
        .collect();
    let next_cursor = more.then(|| encode_cursor(&(offset + limit).to_string()));
    Ok(page_response(&req, Page { items, next_cursor }))
}

async fn visible_entry(
    conn: &mut Conn,
    auth: &MaybePrincipal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Entry, orgs::Organization, bool)> {
    let e = match repo::get_entry(conn, id, for_update).await {
        Ok(e) => e,
        Err(DbError::NotFound) => return Err(ApiError::not_found("knowledge entry")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, e.organization_id).await?;
    let staff = auth
        .0
        .as_ref()
        .is_some_and(|p| KB_AUTHORS.contains(&p.role) && p.sees(&org.path));
    if !staff && e.state != EntryState::Published.as_str() {
        return Err(ApiError::not_found("knowledge entry"));
    }
    Ok((e, org, staff))
}

/// One entry (the public sees published ones).
#[utoipa::path(operation_id = "getKnowledgeEntry",
    tag = "hotline", security((), ("bearer" = [])), params(("id" = Uuid, Path)), responses((status = 200, body = EntryDto)))]
#[get("/knowledge-base/{id}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (e, _, _) = visible_entry(&mut conn, &auth, *id, false).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(e.version)))
        .json(entry_dto(e)))
}

/// Edit a draft entry.
#[utoipa::path(operation_id = "updateKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = EntryPatch, responses((status = 200, body = EntryDto)))]
#[patch("/knowledge-base/{id}")]
pub async fn patch_entry(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<EntryPatch>,
) -> ApiResult<HttpResponse> {
    auth.require(KB_AUTHORS)?;
    let b = body.into_inner_value();
    let mut e = Errors::new();
    let question = b
        .question
        .as_deref()
        .and_then(|v| e.check("question", validation::text(v, 500)));
    let answer = b
        .answer
        .as_deref()
        .and_then(|v| e.check("answer", validation::text(v, 10_000)));
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let maybe = MaybePrincipal(Some(auth.clone()));
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (mut entry, org, staff) = visible_entry(c, &maybe, *id, true).await?;
            if !staff {
                return Err(ApiError::not_found("knowledge entry"));
            }
            if_match.check(entry.version)?;
            if entry.state != EntryState::Draft.as_str() {
                return Err(ApiError::conflict(
                    "knowledge_entry.not_draft",
                    "only drafts are edited",
                ));
            }
            if let Some(q) = question.clone() {
                entry.question = q;
            }
            if let Some(a) = answer.clone() {
                entry.answer = a;
            }
            if let Some(m) = b.matter_ids.clone() {
                entry.matter_ids = m;
            }
            if let Some(d) = b.disclosure_ids.clone() {
                entry.disclosure_ids = d;
            }
            entry.valid_from = b.valid_from.or(entry.valid_from);
            entry.valid_to = b.valid_to.or(entry.valid_to);
            let mut errs = Errors::new();
            check_validity(&mut errs, entry.valid_from, entry.valid_to);
            errs.finish()?;
            check_links(c, &entry.matter_ids, &entry.disclosure_ids).await?;
            entry.updated_at = now;
            let saved = repo::save_entry(c, &entry).await?;
            audit
                .record(
                    c,
                    "knowledge_entry.update",
                    "knowledge_entry",
                    saved.id,
                    Some(&org.path),
                    None::<&()>,
                    Some(&serde_json::json!({"question": saved.question})),
                )
                .await?;
            Ok(entry_dto(saved))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

async fn entry_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    action: EntryAction,
) -> ApiResult<HttpResponse> {
    auth.require(if action == EntryAction::Submit {
        KB_AUTHORS
    } else {
        KB_REVIEWERS
    })?;
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let maybe = MaybePrincipal(Some(auth.clone()));
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (mut entry, org, staff) = visible_entry(c, &maybe, id, true).await?;
            if !staff {
                return Err(ApiError::not_found("knowledge entry"));
            }
            if_match.check(entry.version)?;
            if matches!(action, EntryAction::Publish | EntryAction::Reject)
                && entry.author_id == auth.id
            {
                return Err(ApiError::forbidden(
                    "an entry is reviewed by someone other than its author",
                )
                .with_code("knowledge_entry.own_entry"));
            }
            let from = EntryState::parse(&entry.state).ok_or_else(ApiError::internal)?;
            let next = from.apply(action).map_err(|e| {
                ApiError::conflict("knowledge_entry.illegal_transition", e.to_string())
                    .context(serde_json::json!({"state": e.from}))
            })?;
            if matches!(action, EntryAction::Publish | EntryAction::Reject) {
                entry.reviewer_id = Some(auth.id);
            }
            entry.state = next.as_str().to_owned();
            entry.updated_at = now;
            let saved = repo::save_entry(c, &entry).await?;
            audit
                .record(
                    c,
                    &format!("knowledge_entry.{action}"),
                    "knowledge_entry",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({"state": next})),
                )
                .await?;
            Ok(entry_dto(saved))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

macro_rules! entry_action {
    ($name:ident, $path:literal, $op:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "hotline", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            responses((status = 200, body = EntryDto)))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Principal,
            id: web::Path<Uuid>,
            if_match: IfMatch,
        ) -> ApiResult<HttpResponse> {
            entry_step(&state, &auth, *id, &if_match, $action).await
        }
    };
}

entry_action!(
    submit_entry,
    "/knowledge-base/{id}/submit",
    "submitKnowledgeEntry",
    EntryAction::Submit,
    "Submit a draft for review."
);
entry_action!(
    publish_entry,
    "/knowledge-base/{id}/publish",
    "publishKnowledgeEntry",
    EntryAction::Publish,
    "Publish a submitted entry (reviewers and administrators, not the author)."
);
entry_action!(
    reject_entry,
    "/knowledge-base/{id}/reject",
    "rejectKnowledgeEntry",
    EntryAction::Reject,
    "Send a submitted entry back to draft (not the author)."
);
entry_action!(
    retire_entry,
    "/knowledge-base/{id}/retire",
    "retireKnowledgeEntry",
    EntryAction::Retire,
    "Retire a published entry."
);
