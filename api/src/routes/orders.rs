//! Supervision orders (督办单) and accountability records (责任追究).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::supervision::{AccountabilityKind, AlertObject, OrderAction, OrderState};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::supervision::{self as repo, Accountability, Order};
use zhengwu_persistence::{Conn, DbError, Found, orgs, users};

use crate::audit_ctx::AuditCtx;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::routes::supervision::{SUPERVISORS, WATCHERS, subtree};
use crate::state::AppState;

/// Staff of an ordered organisation who respond to an order.
const RESPONDERS: &[Role] = &[
    Role::OrgAdmin,
    Role::Reviewer,
    Role::DisclosureOfficer,
    Role::Clerk,
];

/// The due date of order `id`, `days` working days from `from`, as a stored deadline.
async fn due_after(conn: &mut Conn, id: Uuid, from: NaiveDate, days: u32) -> ApiResult<NaiveDate> {
    if !(1..=60).contains(&days) {
        return Err(ApiError::field(
            "/working_days",
            "range",
            "1 to 60 working days",
        ));
    }
    let target = Target::of(StoredDeadline::Order, id);
    let basis = DeadlineBasis::after(from, days);
    Ok(crate::deadlines::count(conn, target, basis).await?.due_date)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "object_kind": "case", "object_id": "01941f29-7c00-7005-8000-000000000008",
    "subject": "办件超期督办", "instructions": "该办件已超过承诺时限，请于3个工作日内办结并书面说明原因。", "working_days": 3
}))]
pub struct CreateOrder {
    /// What the order is about: anything with a deadline.
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub subject: String,
    pub instructions: String,
    /// The deadline of the response, in working days from today.
    #[schema(minimum = 1, maximum = 60)]
    pub working_days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: Uuid,
    /// 督办单 number: DB + year + serial.
    #[schema(example = "DB2025-0001")]
    pub number: String,
    /// The ordered organisation (the object's).
    pub organization_id: Uuid,
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub subject: String,
    pub instructions: String,
    /// 1 when issued, raised by each escalation.
    pub level: i32,
    pub issued_on: NaiveDate,
    pub due_date: NaiveDate,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub state: OrderState,
    pub issued_by: Uuid,
    pub issued_at: DateTime<Utc>,
    pub response: Option<String>,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTime<Utc>>,
    pub escalation_reason: Option<String>,
    pub closing_note: Option<String>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

fn order_dto(o: Order, years_without_calendar: Vec<i32>) -> OrderDto {
    OrderDto {
        id: o.id,
        number: o.number,
        organization_id: o.organization_id,
        object_kind: AlertObject::parse(&o.object_kind).unwrap_or(AlertObject::Case),
        object_id: o.object_id,
        subject: o.subject,
        instructions: o.instructions,
        level: o.level,
        issued_on: o.issued_on,
        due_date: o.due_date,
        years_without_calendar,
        state: OrderState::parse(&o.state).unwrap_or(OrderState::Issued),
        issued_by: o.issued_by,
        issued_at: o.issued_at,
        response: o.response,
        responded_by: o.responded_by,
        responded_at: o.responded_at,
        escalation_reason: o.escalation_reason,
        closing_note: o.closing_note,
        closed_by: o.closed_by,
        closed_at: o.closed_at,
        version: o.version,
    }
}

/// Order an organisation to act on an item with a deadline (supervisors, within scope). The
/// ordered organisation is the item's.
#[utoipa::path(operation_id = "createSupervisionOrder",
    tag = "supervision", security(("bearer" = [])), request_body = CreateOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = OrderDto)))]
#[post("/supervision/orders")]
pub async fn create_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateOrder>,
) -> ApiResult<HttpResponse> {
    auth.require(SUPERVISORS)?;
    let b = &body.value;
    let mut e = Errors::new();
    let subject = e.check("subject", validation::text(&b.subject, 200));
    let instructions = e.check("instructions", validation::text(&b.instructions, 5000));
    if !(1..=60).contains(&b.working_days) {
        e.push(
            "working_days",
            RuleViolation::new("range", "1 to 60 working days"),
        );
    }
    e.finish()?;
    let (subject, instructions) = (
        subject.unwrap_or_default(),
        instructions.unwrap_or_default(),
    );
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let now = state.clock.now();
    let day = state.today();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let not_found = || {
            ApiError::field(
                "/object_id",
                "reference.not_found",
                "no such object of that kind in your scope",
            )
        };
        let (org_id, _) = repo::object_owner(c, b.object_kind, b.object_id)
            .await?
            .ok_or_else(not_found)?;
        let org = orgs::get(c, org_id).await?;
        if !auth.sees(&org.path) {
            return Err(not_found());
        }
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let id = Uuid::now_v7();
        let due = due_after(c, id, day, b.working_days).await?;
        let serial = repo::next_serial(c, "order", day.year()).await?;
        let o = Order {
            id,
            number: format!("DB{}-{serial:04}", day.year()),
            organization_id: org.id,
            object_kind: b.object_kind.as_str().to_owned(),
            object_id: b.object_id,
            subject,
            instructions,
            level: 1,
            issued_on: day,
            due_date: due,
            state: OrderState::Issued.as_str().to_owned(),
            issued_by: auth.id,
            issued_at: now,
            response: None,
            responded_by: None,
            responded_at: None,
            escalation_reason: None,
            closing_note: None,
            closed_by: None,
            closed_at: None,
            version: 1,
        };
        repo::insert_order(c, &o).await?;
        let years = crate::deadlines::flags_of(c, o.id).await?;
        let dto = order_dto(o, years);
        audit
            .record(
                c,
                "supervision_order.issue",
                "supervision_order",
                dto.id,
                Some(&org.path),
                None::<&()>,
                Some(&dto),
            )
            .await?;
        let location = format!("/api/v1/supervision/orders/{}", dto.id);
        idem.finish(c, &dto, location).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    pub org: Option<Uuid>,
    pub state: Option<OrderState>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Supervision orders to organisations of your scope.
#[utoipa::path(operation_id = "listSupervisionOrders",
    tag = "supervision", security(("bearer" = [])), params(OrdersQuery),
    responses((status = 200, body = Page<OrderDto>)))]
#[get("/supervision/orders")]
pub async fn list_orders(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<OrdersQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(WATCHERS)?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let rows = repo::list_orders(
        &mut conn,
        within.as_deref(),
        q.state.map(OrderState::as_str),
        page.after_uuid()?,
        limit + 1,
    )
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|o| o.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(page_response(
        &req,
        Page::from_rows(
            rows,
            limit,
            |o| o.id.to_string(),
            |o| {
                let y = years.remove(&o.id).unwrap_or_default();
                order_dto(o, y)
            },
        ),
    ))
}

async fn visible_order(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Order, orgs::Organization)> {
    let o = match repo::get_order(conn, id, for_update).await {
        Ok(o) => o,
        Err(DbError::NotFound) => return Err(ApiError::not_found("supervision order")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, o.organization_id).await?;
    auth.ensure_sees(&org.path, "supervision order")?;
    Ok((o, org))
}

/// One supervision order.
#[utoipa::path(operation_id = "getSupervisionOrder",
    tag = "supervision", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto)))]
#[get("/supervision/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require(WATCHERS)?;
    let mut conn = state.conn().await?;
    let (o, _) = visible_order(&mut conn, &auth, *id, false).await?;
    let years = crate::deadlines::flags_of(&mut conn, o.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(o.version)))
        .json(order_dto(o, years)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"response": "该办件已于11月3日办结，超期原因系专家评审延误，已对经办人进行提醒谈话。"}))]
pub struct RespondIn {
    pub response: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "办件已办结，超期原因已书面说明，督办事项办结"}))]
pub struct CloseOrderIn {
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "反馈未说明整改措施，升级督办", "working_days": 2}))]
pub struct EscalateIn {
    pub reason: String,
    /// The new deadline, in working days from today.
    #[schema(minimum = 1, maximum = 60)]
    pub working_days: u32,
}

enum OrderAct {
    Respond(RespondIn),
    Close(CloseOrderIn),
    Escalate(EscalateIn),
}

async fn order_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    a: OrderAct,
) -> ApiResult<HttpResponse> {
    let action = match &a {
        OrderAct::Respond(_) => OrderAction::Respond,
        OrderAct::Close(_) => OrderAction::Close,
        OrderAct::Escalate(_) => OrderAction::Escalate,
    };
    auth.require(if action == OrderAction::Respond {
        RESPONDERS
    } else {
        SUPERVISORS
    })?;
    let text = match &a {
        OrderAct::Respond(r) => validation::text(&r.response, 5000)
            .map_err(|v| ApiError::field("/response", v.code, v.message))?,
        OrderAct::Close(x) => validation::text(&x.note, 2000)
            .map_err(|v| ApiError::field("/note", v.code, v.message))?,
        OrderAct::Escalate(x) => validation::text(&x.reason, 2000)
            .map_err(|v| ApiError::field("/reason", v.code, v.message))?,
    };
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let day = state.today();
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (mut o, org) = visible_order(c, auth, id, true).await?;
            if_match.check(o.version)?;
            let from = OrderState::parse(&o.state).ok_or_else(ApiError::internal)?;
            let next = from.apply(action).map_err(|e| {
                ApiError::conflict("supervision_order.illegal_transition", e.to_string())
                    .context(serde_json::json!({"state": e.from}))
            })?;
            match &a {
                OrderAct::Respond(_) => {
                    o.response = Some(text.clone());
                    o.responded_by = Some(auth.id);
                    o.responded_at = Some(now);
                }
                OrderAct::Close(_) => {
                    o.closing_note = Some(text.clone());
                    o.closed_by = Some(auth.id);
                    o.closed_at = Some(now);
                }
                OrderAct::Escalate(x) => {
                    o.due_date = due_after(c, o.id, day, x.working_days).await?;
                    o.level += 1;
                    o.escalation_reason = Some(text.clone());
                }
            }
            o.state = next.as_str().to_owned();
            let saved = repo::save_order(c, &o).await?;
            audit
                .record(
                    c,
                    &format!("supervision_order.{action}"),
                    "supervision_order",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({
                        "state": next, "level": saved.level, "due_date": saved.due_date,
                        // The response, the closing note or the reason of the escalation.
                        match &a {
                            OrderAct::Respond(_) => "response",
                            OrderAct::Close(_) => "note",
                            OrderAct::Escalate(_) => "reason",
                        }: text,
                    })),
                )
                .await?;
            let years = crate::deadlines::flags_of(c, saved.id).await?;
            Ok(order_dto(saved, years))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

/// The ordered organisation responds (反馈) — to an issued or escalated order.
#[utoipa::path(operation_id = "respondToSupervisionOrder",
    tag = "supervision", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = RespondIn, responses((status = 200, body = OrderDto)))]
#[post("/supervision/orders/{id}/respond")]
pub async fn respond_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RespondIn>,
) -> ApiResult<HttpResponse> {
    order_step(
        &state,
        &auth,
        *id,
        &if_match,
        OrderAct::Respond(body.into_inner_value()),
    )
    .await
}

/// The supervisor closes a responded order.
#[utoipa::path(operation_id = "closeSupervisionOrder",
    tag = "supervision", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CloseOrderIn, responses((status = 200, body = OrderDto)))]
#[post("/supervision/orders/{id}/close")]
pub async fn close_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CloseOrderIn>,
) -> ApiResult<HttpResponse> {
    order_step(
        &state,
        &auth,
        *id,
        &if_match,
        OrderAct::Close(body.into_inner_value()),
    )
    .await
}

/// The supervisor escalates (升级督办): a higher level and a new deadline; the organisation
/// responds again.
#[utoipa::path(operation_id = "escalateSupervisionOrder",
    tag = "supervision", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = EscalateIn, responses((status = 200, body = OrderDto)))]
#[post("/supervision/orders/{id}/escalate")]
pub async fn escalate_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<EscalateIn>,
) -> ApiResult<HttpResponse> {
    order_step(
        &state,
        &auth,
        *id,
        &if_match,
        OrderAct::Escalate(body.into_inner_value()),
    )
    .await
}

// ------------------------------------------------------------------ accountability

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "interview", "order_id": "01941f29-7c00-7006-8000-000000000001",
    "reason": "督办后仍未按期反馈，对单位负责人约谈"
}))]
pub struct AccountabilityIn {
    pub kind: AccountabilityKind,
    /// The organisation held accountable; the order's or complaint's when absent.
    pub organization_id: Option<Uuid>,
    /// A staff member of that organisation, when a person is held accountable.
    pub user_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub complaint_id: Option<Uuid>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountabilityDto {
    pub id: Uuid,
    pub kind: AccountabilityKind,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub complaint_id: Option<Uuid>,
    pub reason: String,
    pub decided_on: NaiveDate,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

pub fn accountability_dto(a: Accountability) -> AccountabilityDto {
    AccountabilityDto {
        id: a.id,
        kind: AccountabilityKind::parse(&a.kind).unwrap_or(AccountabilityKind::Criticism),
        organization_id: a.organization_id,
        user_id: a.user_id,
        order_id: a.order_id,
        complaint_id: a.complaint_id,
        reason: a.reason,
        decided_on: a.decided_on,
        recorded_by: a.recorded_by,
        recorded_at: a.recorded_at,
    }
}

/// Whether `user` is an active staff member of the organisation at `path` or below it.
pub async fn staff_of(
    conn: &mut Conn,
    user: Uuid,
    path: &zhengwu_domain::org::OrgPath,
) -> ApiResult<bool> {
    Ok(match users::get(conn, user).await {
        Ok(u) if u.role.is_staff() => match u.organization_id {
            Some(o) => path.contains(&orgs::get(conn, o).await?.path),
            None => false,
        },
        Ok(_) | Err(DbError::NotFound) => false,
        Err(e) => return Err(e.into()),
    })
}

/// Record accountability (通报批评, 约谈, 移送纪检监察) against an organisation or a staff
/// member, attached to an order or a complaint (supervisors).
#[utoipa::path(operation_id = "createAccountabilityRecord",
    tag = "supervision", security(("bearer" = [])), request_body = AccountabilityIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = AccountabilityDto)))]
#[post("/supervision/accountability")]
pub async fn create_accountability(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<AccountabilityIn>,
) -> ApiResult<HttpResponse> {
    auth.require(SUPERVISORS)?;
    let b = &body.value;
    let reason = validation::text(&b.reason, 2000)
        .map_err(|v| ApiError::field("/reason", v.code, v.message))?;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let day = state.today();
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let mut org_id = b.organization_id;
        if let Some(o) = b.order_id {
            let order = repo::get_order(c, o, false).await.found()?.ok_or_else(|| {
                ApiError::field("/order_id", "reference.not_found", "no such order")
            })?;
            org_id = org_id.or(Some(order.organization_id));
        }
        if let Some(k) = b.complaint_id {
            let complaint = repo::get_complaint(c, k, false)
                .await
                .found()?
                .ok_or_else(|| {
                    ApiError::field("/complaint_id", "reference.not_found", "no such complaint")
                })?;
            org_id = org_id.or(Some(complaint.organization_id));
        }
        let org_id = org_id.ok_or_else(|| {
            ApiError::field(
                "/organization_id",
                "field.required_when",
                "name the organisation, an order or a complaint",
            )
        })?;
        let org = match orgs::get(c, org_id).await {
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
        if let Some(u) = b.user_id
            && !staff_of(c, u, &org.path).await?
        {
            return Err(ApiError::field(
                "/user_id",
                "reference.not_found",
                "no staff member of that organisation",
            ));
        }
        let a = Accountability {
            id: Uuid::now_v7(),
            kind: b.kind.as_str().to_owned(),
            organization_id: org.id,
            user_id: b.user_id,
            order_id: b.order_id,
            complaint_id: b.complaint_id,
            reason,
            decided_on: day,
            recorded_by: auth.id,
            recorded_at: now,
        };
        // The order and the complaint named are of the same organisation's subtree.
        for (pointer, linked) in [("/order_id", b.order_id), ("/complaint_id", b.complaint_id)] {
            let Some(linked) = linked else { continue };
            let linked_org = match pointer {
                "/order_id" => repo::get_order(c, linked, false).await?.organization_id,
                _ => repo::get_complaint(c, linked, false).await?.organization_id,
            };
            if !org.path.contains(&orgs::get(c, linked_org).await?.path) {
                return Err(ApiError::field(
                    pointer,
                    "reference.not_found",
                    "not of that organisation",
                ));
            }
        }
        repo::insert_accountability(c, &a).await?;
        let dto = accountability_dto(a);
        audit
            .record(
                c,
                "accountability.record",
                "accountability_record",
                dto.id,
                Some(&org.path),
                None::<&()>,
                Some(&dto),
            )
            .await?;
        idem.finish(c, &dto, "/api/v1/supervision/accountability".to_owned())
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountabilityQuery {
    pub org: Option<Uuid>,
    pub order_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Accountability records of your scope (supervisors and administrators).
#[utoipa::path(operation_id = "listAccountabilityRecords",
    tag = "supervision", security(("bearer" = [])), params(AccountabilityQuery),
    responses((status = 200, body = Page<AccountabilityDto>)))]
#[get("/supervision/accountability")]
pub async fn list_accountability(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AccountabilityQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor])?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let rows = repo::list_accountability(
        &mut conn,
        within.as_deref(),
        q.order_id,
        page.after_uuid()?,
        limit + 1,
    )
    .await?;
    Ok(page_response(
        &req,
        Page::from_rows(rows, limit, |a| a.id.to_string(), accountability_dto),
    ))
}
