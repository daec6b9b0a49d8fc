//! Complaints and reports (投诉举报) about an organisation, a window or a staff member:
//! the decision to accept is due within the organisation's acceptance days (default 5
//! working days); then handle → reply → close, or refer to discipline inspection.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::supervision::{
    AccountabilityKind, ComplaintAction, ComplaintCategory, ComplaintKind, ComplaintState,
    complained_about, handling_organisation,
};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::supervision::{self as repo, Accountability, Complaint};
use zhengwu_persistence::{Conn, DbError, cases, orgs, windows};

use crate::audit_ctx::AuditCtx;
use crate::auth::{MaybePrincipal, Principal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::routes::cases::{new_password, password_hash, password_matches};
use crate::routes::orders::staff_of;
use crate::routes::participation::ContactIn;
use crate::state::AppState;

/// Who handles complaints: supervisors and administrators within scope, above the
/// organisation complained about.
const HANDLERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "complaint", "category": "attitude",
    "organization_id": "01941f29-7c00-7001-8000-000000000005",
    "window_id": "01941f29-7c00-7003-8000-000000000001",
    "text": "11月3日上午在A01窗口办理业务，工作人员态度生硬，多次催促。", "contact": {"phone": "13812345678"}
}))]
pub struct ComplaintIn {
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    /// The organisation complained about (or the hall of the window).
    pub organization_id: Uuid,
    /// A window of a hall in that organisation's subtree.
    pub window_id: Option<Uuid>,
    /// A staff member of that organisation's subtree.
    pub staff_id: Option<Uuid>,
    /// A case of yours it concerns (signed-in applicants).
    pub case_id: Option<Uuid>,
    pub text: String,
    pub name: Option<String>,
    /// Required without an account; never public.
    pub contact: Option<ContactIn>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintDto {
    pub id: Uuid,
    /// TS + year + serial.
    #[schema(example = "TS2025-0001")]
    pub number: String,
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub case_id: Option<Uuid>,
    pub text: String,
    pub received_on: NaiveDate,
    /// The decision to accept is due by this day.
    pub acceptance_due: NaiveDate,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub state: ComplaintState,
    pub decision_reason: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Handlers only.
    pub handler_id: Option<Uuid>,
    /// Handlers only.
    pub findings: Option<String>,
    /// Handlers only.
    pub referral_note: Option<String>,
    /// Handlers only.
    pub complainant_name: Option<String>,
    /// Handlers only.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<serde_json::Value>,
    /// Given once, at submission: with the number it opens the public progress lookup.
    pub query_code: Option<String>,
    pub version: i32,
}

fn complaint_dto(c: Complaint, handler: bool, years_without_calendar: Vec<i32>) -> ComplaintDto {
    ComplaintDto {
        id: c.id,
        number: c.number,
        kind: ComplaintKind::parse(&c.kind).unwrap_or(ComplaintKind::Complaint),
        category: ComplaintCategory::parse(&c.category).unwrap_or(ComplaintCategory::Other),
        organization_id: c.organization_id,
        window_id: c.window_id,
        staff_id: c.staff_id,
        case_id: c.case_id,
        text: c.text,
        received_on: c.received_on,
        acceptance_due: c.acceptance_due,
        years_without_calendar,
        state: ComplaintState::parse(&c.state).unwrap_or(ComplaintState::Submitted),
        decision_reason: c.decision_reason,
        reply: c.reply,
        replied_at: c.replied_at,
        closed_at: c.closed_at,
        handler_id: if handler { c.handler_id } else { None },
        findings: if handler { c.findings } else { None },
        referral_note: if handler { c.referral_note } else { None },
        complainant_name: if handler { c.complainant_name } else { None },
        contact: handler.then_some(c.contact),
        query_code: None,
        version: c.version,
    }
}

/// Complain about, or report, an organisation, a window or a staff member. Anyone may; without
/// an account a contact is required (never shown to the public). Staff accounts cannot file.
#[utoipa::path(operation_id = "createComplaint",
    tag = "complaints", security((), ("bearer" = [])), request_body = ComplaintIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = ComplaintDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Staff accounts cannot file complaints; without an account no `case_id` \
can be named (`errors[]` names it)")))]
#[post("/complaints")]
pub async fn submit_complaint(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    body: ApiJson<ComplaintIn>,
) -> ApiResult<HttpResponse> {
    if auth.0.as_ref().is_some_and(|p| p.role.is_staff()) {
        return Err(ApiError::forbidden(
            "complaints come from the public and applicants, not staff accounts",
        ));
    }
    crate::writers::check("createComplaint", auth.0.as_ref(), &body)?;
    let b = &body.value;
    let mut e = Errors::new();
    let text = e.check("text", validation::text(&b.text, 5000));
    e.check_opt("name", b.name.as_deref(), |n| validation::text(n, 50));
    match (&auth.0, &b.contact) {
        (None, None) => e.push(
            "contact",
            RuleViolation::new(
                "field.required_when",
                "leave a phone number or e-mail for the reply (never public)",
            ),
        ),
        (_, Some(c)) => {
            e.check_opt("contact/phone", c.phone.as_deref(), validation::phone);
            e.check_opt("contact/email", c.email.as_deref(), validation::email);
        }
        _ => {}
    }
    e.finish()?;
    let text = text.unwrap_or_default();
    let submitter = auth.0.as_ref().map(|p| p.id);
    let audit_actor = auth.0.as_ref().map(Principal::actor);
    let idem_principal = auth
        .0
        .as_ref()
        .map_or_else(|| "public".to_owned(), Principal::idempotency_principal);
    let idem = Idem::new(&req, idem_principal, &key, &body.hash);
    let now = state.clock.now();
    let day = now.with_timezone(&state.config.timezone).date_naive();
    let code = new_password();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = match orgs::get(c, b.organization_id).await {
            Ok(o) => o,
            Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/organization_id",
                    "reference.not_found",
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(w) = b.window_id {
            let ok = match windows::get(c, w).await {
                Ok(w) => org.path.contains(&orgs::get(c, w.hall_id).await?.path),
                Err(DbError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !ok {
                return Err(ApiError::field(
                    "/window_id",
                    "reference.not_found",
                    "no window of that organisation",
                ));
            }
        }
        if let Some(s) = b.staff_id
            && !staff_of(c, s, &org.path).await?
        {
            return Err(ApiError::field(
                "/staff_id",
                "reference.not_found",
                "no staff member of that organisation",
            ));
        }
        if let Some(k) = b.case_id {
            let own = match cases::get_case(c, zhengwu_domain::ids::CaseId(k)).await {
                Ok(case) => case.applicant_id.is_some() && case.applicant_id == submitter,
                Err(DbError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !own {
                return Err(ApiError::field(
                    "/case_id",
                    "reference.not_found",
                    "no case of yours",
                ));
            }
        }
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (rules, _) = repo::rules_at(c, org.path.as_str()).await?;
        let id = Uuid::now_v7();
        let target = Target::of(StoredDeadline::ComplaintAcceptance, id);
        let basis = DeadlineBasis::after(day, rules.complaint_acceptance_days);
        let due = crate::deadlines::count(c, target, basis).await?.due_date;
        let serial = repo::next_serial(c, "complaint", day.year()).await?;
        let k = Complaint {
            id,
            number: format!("TS{}-{serial:04}", day.year()),
            kind: b.kind.as_str().to_owned(),
            category: b.category.as_str().to_owned(),
            complainant_id: submitter,
            complainant_name: b.name.as_ref().map(|n| n.trim().to_owned()),
            contact: serde_json::to_value(&b.contact).unwrap_or_default(),
            organization_id: org.id,
            window_id: b.window_id,
            staff_id: b.staff_id,
            case_id: b.case_id,
            text: text.clone(),
            query_code_hash: password_hash(&code),
            received_on: day,
            received_at: now,
            acceptance_due: due,
            state: ComplaintState::Submitted.as_str().to_owned(),
            handler_id: None,
            decided_at: None,
            decision_reason: None,
            findings: None,
            reply: None,
            replied_at: None,
            referral_note: None,
            closed_at: None,
            version: 1,
        };
        repo::insert_complaint(c, &k).await?;
        if let Some(actor) = audit_actor {
            AuditCtx::new(&state, actor)
                .record(
                    c,
                    "complaint.submit",
                    "complaint",
                    k.id,
                    Some(&handling_organisation(&org.path)),
                    None::<&()>,
                    Some(&serde_json::json!({"number": k.number, "category": k.category})),
                )
                .await?;
        }
        let years = crate::deadlines::flags_of(c, k.id).await?;
        let mut dto = complaint_dto(k, false, years);
        dto.query_code = Some(code.clone());
        let location = format!("/api/v1/complaints/{}", dto.id);
        idem.finish(c, &dto, location).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintsQuery {
    pub org: Option<Uuid>,
    pub state: Option<ComplaintState>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Complaints: handlers see those about organisations of their scope; an applicant sees
/// their own.
#[utoipa::path(operation_id = "listComplaints",
    tag = "complaints", security(("bearer" = [])), params(ComplaintsQuery),
    responses((status = 200, body = Page<ComplaintDto>)))]
#[get("/complaints")]
pub async fn list_complaints(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ComplaintsQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let handler = auth.role != Role::Applicant;
    let mut f = repo::ComplaintFilter {
        state: q.state.map(|s| s.as_str().to_owned()),
        received_from: q.from,
        received_to: q.to,
        after: page.after_uuid()?,
        limit: limit + 1,
        ..Default::default()
    };
    if handler {
        auth.require(HANDLERS)?;
        f.within = crate::routes::supervision::subtree(&mut conn, &auth, q.org).await?;
        f.not_about = Some(auth.id);
        // Complaints about the caller's own organisation (or one above it) are not theirs.
        f.not_about_orgs = auth
            .org_path
            .as_ref()
            .map(|p| p.ids().into_iter().map(|i| i.0).collect())
            .unwrap_or_default();
    } else {
        f.complainant = Some(auth.id);
    }
    let rows = repo::list_complaints(&mut conn, &f).await?;
    let ids: Vec<Uuid> = rows.iter().map(|k| k.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(page_response(
        &req,
        Page::from_rows(
            rows,
            limit,
            |k| k.id.to_string(),
            |k| {
                let y = years.remove(&k.id).unwrap_or_default();
                complaint_dto(k, handler, y)
            },
        ),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintLookupQuery {
    /// The query code given at submission.
    #[param(example = "DEMO3004")]
    pub code: String,
}

/// A complaint's progress for the complainant without an account: no findings, no contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicComplaint {
    pub number: String,
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    pub state: ComplaintState,
    pub received_on: NaiveDate,
    pub acceptance_due: NaiveDate,
    /// Why it was not accepted, if so.
    pub decision_reason: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// Progress of a complaint by number and query code (rate limited per address).
#[utoipa::path(operation_id = "lookupPublicComplaint",
    tag = "complaints", params(("number" = String, Path), ComplaintLookupQuery),
    responses((status = 200, body = PublicComplaint),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many lookups from this address")))]
#[get("/public/complaints/{number}")]
pub async fn lookup_complaint(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
    q: web::Query<ComplaintLookupQuery>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_lookup(&state, &req)?;
    let mut conn = state.read_conn().await?;
    let nothing =
        || ApiError::not_found("complaint").detail("no complaint with this number and code");
    let k = repo::find_complaint(&mut conn, &number)
        .await?
        .ok_or_else(nothing)?;
    if !password_matches(&k.query_code_hash, &q.code) {
        return Err(nothing());
    }
    let state_ = ComplaintState::parse(&k.state).unwrap_or(ComplaintState::Submitted);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PublicComplaint {
            number: k.number,
            kind: ComplaintKind::parse(&k.kind).unwrap_or(ComplaintKind::Complaint),
            category: ComplaintCategory::parse(&k.category).unwrap_or(ComplaintCategory::Other),
            state: state_,
            received_on: k.received_on,
            acceptance_due: k.acceptance_due,
            decision_reason: (state_ == ComplaintState::NotAccepted)
                .then_some(k.decision_reason)
                .flatten(),
            reply: k.reply,
            replied_at: k.replied_at,
        }))
}

/// Whether the caller is on the side a complaint is made against: the staff member complained
/// about, one staffing the window complained about, or a member of the organisation
/// complained about (or of one below it). Such a caller neither handles nor reads it.
async fn is_subject(
    conn: &mut Conn,
    k: &Complaint,
    org: &orgs::Organization,
    auth: &Principal,
) -> ApiResult<bool> {
    let user = auth.id;
    if k.staff_id == Some(user) || complained_about(&org.path, auth.org_path.as_ref()) {
        return Ok(true);
    }
    Ok(match k.window_id {
        Some(w) => windows::staff_of(conn, &[w])
            .await?
            .iter()
            .any(|s| s.user_id == user),
        None => false,
    })
}

/// The complaint and whether the caller handles it (else: its complainant).
async fn visible_complaint(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Complaint, orgs::Organization, bool)> {
    let k = match repo::get_complaint(conn, id, for_update).await {
        Ok(k) => k,
        Err(DbError::NotFound) => return Err(ApiError::not_found("complaint")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, k.organization_id).await?;
    // The subject of a complaint neither handles nor reads it (nor learns who complained).
    let handler = HANDLERS.contains(&auth.role)
        && auth.sees(&org.path)
        && !is_subject(conn, &k, &org, auth).await?;
    let own = k.complainant_id == Some(auth.id);
    if !handler && !own {
        return Err(ApiError::not_found("complaint"));
    }
    Ok((k, org, handler))
}

/// One complaint: its handlers, or its complainant (without the internal findings).
#[utoipa::path(operation_id = "getComplaint",
    tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ComplaintDto)))]
#[get("/complaints/{id}")]
pub async fn get_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (k, _, handler) = visible_complaint(&mut conn, &auth, *id, false).await?;
    let years = crate::deadlines::flags_of(&mut conn, k.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(k.version)))
        .json(complaint_dto(k, handler, years)))
}

/// A step that takes an optional note: acceptance, closing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "经核实，属于本中心受理范围，予以受理。"}))]
pub struct ComplaintStepIn {
    /// An optional note.
    pub text: Option<String>,
}

/// The text a step needs: the reason of a refusal, the findings, the reply, what is referred.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "经调取窗口录像核实，工作人员存在态度生硬问题，已批评教育。"}))]
pub struct ComplaintTextIn {
    pub text: String,
}

impl From<ComplaintTextIn> for ComplaintStepIn {
    fn from(b: ComplaintTextIn) -> Self {
        ComplaintStepIn { text: Some(b.text) }
    }
}

async fn complaint_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    action: ComplaintAction,
    body: ComplaintStepIn,
) -> ApiResult<HttpResponse> {
    auth.require(HANDLERS)?;
    let required = matches!(
        action,
        ComplaintAction::Reject
            | ComplaintAction::Handle
            | ComplaintAction::Reply
            | ComplaintAction::Refer
    );
    let text = match (body.text.as_deref(), required) {
        (Some(t), _) => Some(
            validation::text(t, 5000).map_err(|v| ApiError::field("/text", v.code, v.message))?,
        ),
        (None, true) => {
            return Err(ApiError::field(
                "/text",
                "field.required_when",
                format!("{} needs a text", action.label_zh()),
            ));
        }
        (None, false) => None,
    };
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let day = now.with_timezone(&state.config.timezone).date_naive();
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let subject = match repo::get_complaint(c, id, true).await {
                Ok(k) => {
                    let org = orgs::get(c, k.organization_id).await?;
                    is_subject(c, &k, &org, auth).await?
                }
                Err(DbError::NotFound) => return Err(ApiError::not_found("complaint")),
                Err(e) => return Err(e.into()),
            };
            // The subject of a complaint never handles it: the staff member complained about,
            // anyone staffing the window complained about, or the organisation complained
            // about (handling goes to the organisation above it).
            if subject {
                return Err(
                    ApiError::forbidden("the subject of a complaint cannot handle it")
                        .with_code("complaint.subject_cannot_handle"),
                );
            }
            let (mut k, org, handler) = visible_complaint(c, auth, id, true).await?;
            if !handler {
                return Err(ApiError::not_found("complaint"));
            }
            if_match.check(k.version)?;
            let from = ComplaintState::parse(&k.state).ok_or_else(ApiError::internal)?;
            let next = from.apply(action).map_err(|e| {
                ApiError::conflict("complaint.illegal_transition", e.to_string())
                    .context(serde_json::json!({"state": e.from}))
            })?;
            match action {
                ComplaintAction::Accept | ComplaintAction::Reject => {
                    k.handler_id = Some(auth.id);
                    k.decided_at = Some(now);
                    k.decision_reason = text.clone();
                }
                ComplaintAction::Handle => k.findings = text.clone(),
                ComplaintAction::Reply => {
                    k.reply = text.clone();
                    k.replied_at = Some(now);
                }
                ComplaintAction::Close => k.closed_at = Some(now),
                ComplaintAction::Refer => {
                    k.referral_note = text.clone();
                    k.closed_at = Some(now);
                    repo::insert_accountability(
                        c,
                        &Accountability {
                            id: Uuid::now_v7(),
                            kind: AccountabilityKind::ReferralToDisciplineInspection
                                .as_str()
                                .to_owned(),
                            organization_id: k.organization_id,
                            user_id: k.staff_id,
                            order_id: None,
                            complaint_id: Some(k.id),
                            reason: text.clone().unwrap_or_default(),
                            decided_on: day,
                            recorded_by: auth.id,
                            recorded_at: now,
                        },
                    )
                    .await?;
                }
            }
            k.state = next.as_str().to_owned();
            let saved = repo::save_complaint(c, &k).await?;
            audit
                .record(
                    c,
                    &format!("complaint.{action}"),
                    "complaint",
                    id,
                    Some(&handling_organisation(&org.path)),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({"state": next, "text": text})),
                )
                .await?;
            let years = crate::deadlines::flags_of(c, saved.id).await?;
            Ok(complaint_dto(saved, true, years))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

macro_rules! complaint_action {
    ($name:ident, $path:literal, $op:literal, $action:expr, $body:ty, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "complaints", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            request_body = $body, responses((status = 200, body = ComplaintDto)))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Principal,
            id: web::Path<Uuid>,
            if_match: IfMatch,
            body: ApiJson<$body>,
        ) -> ApiResult<HttpResponse> {
            let step = ComplaintStepIn::from(body.into_inner_value());
            complaint_step(&state, &auth, *id, &if_match, $action, step).await
        }
    };
}

complaint_action!(
    accept_complaint,
    "/complaints/{id}/accept",
    "acceptComplaint",
    ComplaintAction::Accept,
    ComplaintStepIn,
    "Accept a complaint (受理), before its acceptance due date; the acceptor handles it. Not \
     by its subject: the staff member or window complained about, or the organisation \
     complained about (the organisation above it handles it)."
);
complaint_action!(
    reject_complaint,
    "/complaints/{id}/reject",
    "rejectComplaint",
    ComplaintAction::Reject,
    ComplaintTextIn,
    "Decide not to accept (不予受理), with the reason."
);
complaint_action!(
    handle_complaint,
    "/complaints/{id}/handle",
    "handleComplaint",
    ComplaintAction::Handle,
    ComplaintTextIn,
    "Record the findings of the investigation (办理)."
);
complaint_action!(
    reply_complaint,
    "/complaints/{id}/reply",
    "replyToComplaint",
    ComplaintAction::Reply,
    ComplaintTextIn,
    "Reply to the complainant (答复)."
);
complaint_action!(
    close_complaint,
    "/complaints/{id}/close",
    "closeComplaint",
    ComplaintAction::Close,
    ComplaintStepIn,
    "Close a replied complaint (办结)."
);
complaint_action!(
    refer_complaint,
    "/complaints/{id}/refer",
    "referComplaint",
    ComplaintAction::Refer,
    ComplaintTextIn,
    "Refer an accepted complaint to discipline inspection (移送纪检监察): records the referral as accountability."
);
