//! Rectifications (整改) of bad reviews: each step its own endpoint, all through the one
//! step use case.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::evaluation::RectificationAction;
use zhengwu_domain::evaluation::{EvaluationLevel, MAX_RECTIFICATION_TEXT, RectificationState};
use zhengwu_domain::ids::{OrganizationId, RectificationId};
use zhengwu_domain::validation;

use crate::app::evaluations::rectifications::{
    self as app, RectificationList, RectificationStep, RectificationView,
};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, AtField};
use crate::extract::{ApiJson, IfMatch, etag};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

fn text(pointer: &str, v: &str) -> Result<String, ApiError> {
    validation::text(v, MAX_RECTIFICATION_TEXT).at(pointer)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "findings": "经调取窗口录像核实，工作人员未一次性告知所需材料，情况属实。"
}))]
pub struct FindingsIn {
    /// What the verification (核实) found, at most 2000 characters.
    pub findings: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "measures": "对窗口工作人员进行批评教育，修订一次性告知清单并上墙公示。"
}))]
pub struct MeasuresIn {
    /// What was done (整改措施), at most 2000 characters.
    pub measures: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "explanation": "申请材料不符合法定条件，依法不予许可，已向申请人解释政策依据。"
}))]
pub struct ExplanationIn {
    /// Why the department was not at fault (情况说明), at most 2000 characters.
    pub explanation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "satisfied": true,
    "note": "电话回访，申请人对整改结果表示满意。"
}))]
pub struct RectificationCallbackIn {
    /// Whether the applicant, called back (回访), is satisfied with the outcome.
    pub satisfied: bool,
    /// What was said, at most 2000 characters.
    pub note: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "整改已完成，回访满意，办结"}))]
pub struct CloseIn {
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectificationDto {
    pub id: Uuid,
    pub evaluation_id: Uuid,
    pub case_id: Uuid,
    pub case_number: String,
    pub organization_id: Uuid,
    /// The staff member evaluated.
    pub responsible_id: Option<Uuid>,
    pub state: RectificationState,
    pub opened_on: NaiveDate,
    /// The day of the bad review plus the organisation's limit in working days.
    pub due_date: NaiveDate,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub evaluation_level: EvaluationLevel,
    pub evaluation_text: Option<String>,
    pub findings: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<Uuid>,
    pub measures: Option<String>,
    pub explanation: Option<String>,
    pub handled_at: Option<DateTime<Utc>>,
    pub handled_by: Option<Uuid>,
    pub callback_satisfied: Option<bool>,
    pub callback_note: Option<String>,
    pub called_back_at: Option<DateTime<Utc>>,
    pub called_back_by: Option<Uuid>,
    pub close_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Uuid>,
    pub version: i32,
}

impl FindingsIn {
    pub fn parse(self) -> Result<RectificationStep, ApiError> {
        let findings = text("/findings", &self.findings)?;
        Ok(RectificationStep::Verify { findings })
    }
}

impl MeasuresIn {
    pub fn parse(self) -> Result<RectificationStep, ApiError> {
        let measures = text("/measures", &self.measures)?;
        Ok(RectificationStep::Rectify { measures })
    }
}

impl ExplanationIn {
    pub fn parse(self) -> Result<RectificationStep, ApiError> {
        let explanation = text("/explanation", &self.explanation)?;
        Ok(RectificationStep::Explain { explanation })
    }
}

impl RectificationCallbackIn {
    pub fn parse(self) -> Result<RectificationStep, ApiError> {
        let note = text("/note", &self.note)?;
        Ok(RectificationStep::Callback {
            satisfied: self.satisfied,
            note,
        })
    }
}

impl CloseIn {
    pub fn parse(self) -> Result<RectificationStep, ApiError> {
        let note = self.note.as_deref().map(|n| text("/note", n)).transpose()?;
        Ok(RectificationStep::Close { note })
    }
}

impl From<RectificationView> for RectificationDto {
    fn from(v: RectificationView) -> Self {
        let r = v.rectification;
        RectificationDto {
            id: r.id,
            evaluation_id: r.evaluation_id,
            case_id: v.case_id,
            case_number: v.case_number,
            organization_id: r.organization_id,
            responsible_id: r.responsible_id,
            state: v.state,
            opened_on: r.opened_on,
            due_date: r.due_date,
            years_without_calendar: v.years_without_calendar,
            evaluation_level: v.evaluation_level,
            evaluation_text: v.evaluation_text,
            findings: r.findings,
            verified_at: r.verified_at,
            verified_by: r.verified_by,
            measures: r.measures,
            explanation: r.explanation,
            handled_at: r.handled_at,
            handled_by: r.handled_by,
            callback_satisfied: r.callback_satisfied,
            callback_note: r.callback_note,
            called_back_at: r.called_back_at,
            called_back_by: r.called_back_by,
            close_note: r.close_note,
            closed_at: r.closed_at,
            closed_by: r.closed_by,
            version: r.version,
        }
    }
}

fn answer(dto: RectificationDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto)
}

/// Calls the one use case of every step and answers the rectification.
async fn step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    step: RectificationStep,
) -> ApiResult<HttpResponse> {
    let id = RectificationId(id);
    let v = app::step(state, &auth.actor(), id, if_match, step).await?;
    Ok(answer(v.into()))
}

#[doc = "Verify the bad review (核实) with the findings: staff of the evaluated organisation \
     (org_admin, reviewer, clerk)."]
#[utoipa::path(operation_id = "verifyRectification", tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = FindingsIn,
    responses((status = 200, body = RectificationDto, headers(("ETag" = String))),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "`rectification.illegal_transition`: not allowed in the current state; \
`context.state` names it")))]
#[post("/rectifications/{id}/verify")]
pub async fn verify_rectification(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<FindingsIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RectificationAction::Verify)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

#[doc = "Record what was done to put it right (整改措施), after verification."]
#[utoipa::path(operation_id = "rectifyRectification",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = MeasuresIn,
    responses((status = 200, body = RectificationDto, headers(("ETag" = String))),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "`rectification.illegal_transition`: not allowed in the current state; \
`context.state` names it")))]
#[post("/rectifications/{id}/rectify")]
pub async fn rectify_rectification(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<MeasuresIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RectificationAction::Rectify)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

#[doc = "Explain instead of rectifying (情况说明), when verification found the department \
     not at fault."]
#[utoipa::path(operation_id = "explainRectification",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ExplanationIn,
    responses((status = 200, body = RectificationDto, headers(("ETag" = String))),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "`rectification.illegal_transition`: not allowed in the current state; \
`context.state` names it")))]
#[post("/rectifications/{id}/explain")]
pub async fn explain_rectification(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ExplanationIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RectificationAction::Explain)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

#[doc = "Record the call back to the applicant (回访): satisfied or not, and what was said."]
#[utoipa::path(operation_id = "recordRectificationCallback",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = RectificationCallbackIn,
    responses((status = 200, body = RectificationDto, headers(("ETag" = String))),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "`rectification.illegal_transition`: not allowed in the current state; \
`context.state` names it")))]
#[post("/rectifications/{id}/callback")]
pub async fn callback_rectification(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RectificationCallbackIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RectificationAction::Callback)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

#[doc = "Close a rectification after the call back: the organisation's administrator or a \
     supervisor; not while an appeal is pending (`rectification.appeal_pending`)."]
#[utoipa::path(operation_id = "closeRectification", tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CloseIn,
    responses((status = 200, body = RectificationDto, headers(("ETag" = String))),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "`rectification.illegal_transition`: not allowed in the current state; \
`context.state` names it")))]
#[post("/rectifications/{id}/close")]
pub async fn close_rectification(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CloseIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RectificationAction::Close)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

/// Read a rectification: staff whose scope sees the evaluated organisation.
#[utoipa::path(operation_id = "getRectification",
    tag = "evaluations", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RectificationDto, headers(("ETag" = String)))))]
#[get("/rectifications/{id}")]
pub async fn read_rectification(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let v = app::get(&state, &auth.actor(), RectificationId(*id)).await?;
    Ok(answer(v.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RectificationQuery {
    /// Rectifications of this organisation's subtree (within your scope).
    pub org: Option<Uuid>,
    pub state: Option<RectificationState>,
}

/// List the rectifications of your scope, oldest first.
#[utoipa::path(operation_id = "listRectifications",
    tag = "evaluations", security(("bearer" = [])), params(RectificationQuery, PageParams),
    responses((status = 200, body = Page<RectificationDto>)))]
#[get("/rectifications")]
pub async fn list_rectifications(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<RectificationQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let query = RectificationList {
        org: q.org.map(OrganizationId),
        state: q.state,
        after: page.after_uuid()?.map(RectificationId),
        limit: limit + 1,
    };
    let rows = app::list(&state, &auth.actor(), query).await?;
    let key = |v: &RectificationView| v.rectification.id.to_string();
    let page = Page::from_rows(rows, limit, key, RectificationDto::from);
    Ok(page_response(&req, page))
}
