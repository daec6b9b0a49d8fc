//! Evaluation of services (好差评): the applicant evaluates a decided case once; a bad
//! review opens a rectification (整改: verify → rectify or explain → call back → close)
//! due in working days; the department may appeal a review (申诉复核) to a supervisor;
//! statistics for supervisors and an anonymous public summary.
//!
//! A parallel-approval project (并联审批) is evaluated through its sub-cases: each
//! department's part is a case of its own with its own applicant, organisation, window
//! and staff, and each is evaluated once. The project container itself is not evaluated.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::evaluation::{
    AppealState, EvaluationChannel, EvaluationLevel, RectificationState,
};
use zhengwu_domain::ids::{CaseId, EvaluationId, OrganizationId};

use crate::app::evaluations::reviews::{
    self as app, EvaluationList, EvaluationView, NewEvaluation,
};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

mod rectifications;
mod statistics;

pub use self::rectifications::*;
pub use self::statistics::*;

// ------------------------------------------------------------------ bodies

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "level": "very_satisfied", "channel": "mobile", "text": "材料一次讲清，当天就办好了。"
}))]
pub struct EvaluationIn {
    pub level: EvaluationLevel,
    pub channel: EvaluationChannel,
    /// At most 500 characters; required for a bad review (`dissatisfied`,
    /// `very_dissatisfied`): what went wrong is what the department verifies.
    pub text: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "该申请人办理事项与评价内容无关，系误评。"}))]
pub struct AppealIn {
    /// Why the review is malicious or mistaken, at most 2000 characters.
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"upheld": true, "reason": "经复核，评价内容与所办事项无关，申诉成立。"}))]
pub struct AppealDecisionIn {
    /// Upheld: the review is annulled and its rectification ends; rejected: it continues.
    pub upheld: bool,
    pub reason: String,
}

// ------------------------------------------------------------------ responses

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectificationBrief {
    pub id: Uuid,
    pub state: RectificationState,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealDto {
    pub state: AppealState,
    pub reason: String,
    pub appealed_by: Uuid,
    pub appealed_at: DateTime<Utc>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationDto {
    pub id: Uuid,
    pub case_id: Uuid,
    #[schema(example = "3701022026112200017")]
    pub case_number: String,
    /// The organisation evaluated (the case's).
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    /// The staff member evaluated: the case's assignee, else its first contact.
    pub staff_id: Option<Uuid>,
    pub level: EvaluationLevel,
    pub channel: EvaluationChannel,
    pub text: Option<String>,
    /// `dissatisfied` or `very_dissatisfied` (差评).
    pub bad: bool,
    pub evaluated_at: DateTime<Utc>,
    pub evaluated_on: NaiveDate,
    /// An upheld appeal annulled it: it counts in no statistics and no public summary.
    pub annulled: bool,
    pub annulled_at: Option<DateTime<Utc>>,
    /// The rectification a bad review opened.
    pub rectification: Option<RectificationBrief>,
    /// Staff only: the department's appeal and its decision.
    pub appeal: Option<AppealDto>,
    pub version: i32,
}

impl From<EvaluationView> for EvaluationDto {
    fn from(v: EvaluationView) -> Self {
        let e = v.evaluation;
        Self {
            id: e.id,
            case_id: e.case_id,
            case_number: v.case_number,
            organization_id: e.organization_id,
            window_id: e.window_id,
            staff_id: e.staff_id,
            level: v.level,
            channel: v.channel,
            text: e.text,
            bad: v.level.is_bad(),
            evaluated_at: e.evaluated_at,
            evaluated_on: e.evaluated_on,
            annulled: e.annulled_at.is_some(),
            annulled_at: e.annulled_at,
            rectification: v.rectification.map(|(r, state)| RectificationBrief {
                id: r.id,
                state,
                due_date: r.due_date,
            }),
            appeal: v.appeal.map(|(a, state)| AppealDto {
                state,
                reason: a.reason,
                appealed_by: a.appealed_by,
                appealed_at: a.appealed_at,
                decision_reason: a.decision_reason,
                decided_by: a.decided_by,
                decided_at: a.decided_at,
            }),
            version: e.version,
        }
    }
}

fn answer(view: EvaluationView) -> HttpResponse {
    let d = EvaluationDto::from(view);
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

// ------------------------------------------------------------------ evaluating

/// Evaluate a decided case (好差评, "一事一评"): its applicant, once, when the case is
/// `decided` or `delivered`. The organisation, window and staff member (the assignee, else
/// the first contact) are recorded for the statistics. A bad review (`dissatisfied`,
/// `very_dissatisfied`) needs a text and opens a rectification due the organisation's limit
/// in working days (5 by default) after the day of the review. A parallel-approval project
/// is evaluated per sub-case.
#[utoipa::path(operation_id = "evaluateCase",
    tag = "evaluations", security(("bearer" = [])), request_body = EvaluationIn,
    params(("id" = Uuid, Path, description = "The case"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = EvaluationDto,
        headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
         description = "Only applicants evaluate"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
         description = "No such case of yours"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
         description = "`evaluation.case_not_decided` (`context.state` names the case's state), \
`evaluation.already_given`, or `evaluation.project_container` (evaluate the sub-cases)")))]
#[post("/cases/{id}/evaluation")]
pub async fn evaluate_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: ApiJson<EvaluationIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("evaluateCase", Some(&auth), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let b = body.into_inner_value();
    let cmd = NewEvaluation {
        level: b.level,
        channel: b.channel,
        text: b.text,
    };
    let case = CaseId(*id);
    let created = app::evaluate::<EvaluationDto>(&state, &auth.actor(), &idem, case, cmd).await?;
    Ok(created.into_response())
}

/// The evaluation of a case: for its applicant and for staff who may see the case.
#[utoipa::path(operation_id = "getCaseEvaluation",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = EvaluationDto, headers(("ETag" = String))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
         description = "No such case for you, or it has not been evaluated")))]
#[get("/cases/{id}/evaluation")]
pub async fn case_evaluation(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(answer(
        app::of_case(&state, &auth.actor(), CaseId(*id)).await?,
    ))
}

/// Read an evaluation: its applicant, or staff who may see its case.
#[utoipa::path(operation_id = "getEvaluation",
    tag = "evaluations", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = EvaluationDto, headers(("ETag" = String)))))]
#[get("/evaluations/{id}")]
pub async fn read_evaluation(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(answer(
        app::get(&state, &auth.actor(), EvaluationId(*id)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// Evaluations of this organisation's subtree (within your scope).
    pub org: Option<Uuid>,
    pub level: Option<EvaluationLevel>,
    /// Only bad reviews (`dissatisfied`, `very_dissatisfied`).
    #[serde(default)]
    pub bad: bool,
    /// First day of evaluation.
    pub from: Option<NaiveDate>,
    /// Last day of evaluation.
    pub to: Option<NaiveDate>,
}

/// List evaluations of your scope: those of its organisations and those given at its halls'
/// windows, oldest first; annulled ones are included and marked.
#[utoipa::path(operation_id = "listEvaluations",
    tag = "evaluations", security(("bearer" = [])), params(EvaluationQuery, PageParams),
    responses((status = 200, body = Page<EvaluationDto>)))]
#[get("/evaluations")]
pub async fn list_evaluations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<EvaluationQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let query = EvaluationList {
        org: q.org.map(OrganizationId),
        level: q.level,
        bad_only: q.bad,
        from: q.from,
        to: q.to,
        after: page.after_uuid()?.map(EvaluationId),
        limit: limit + 1,
    };
    let rows = app::list(&state, &auth.actor(), query).await?;
    let page = Page::from_rows(
        rows,
        limit,
        |v| v.evaluation.id.to_string(),
        EvaluationDto::from,
    );
    Ok(page_response(&req, page))
}

// ------------------------------------------------------------------ appeals

/// Appeal a bad review as malicious or mistaken (申诉复核): the evaluated organisation's
/// administrators and reviewers, once per evaluation, while its rectification is open. The
/// rectification goes on until a supervisor decides.
#[utoipa::path(operation_id = "appealEvaluation",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the evaluation you read")),
    request_body = AppealIn,
    responses((status = 200, body = EvaluationDto, headers(("ETag" = String))),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
         description = "`appeal.not_a_bad_review`, `appeal.already_made` or \
             `appeal.rectification_ended`")))]
#[post("/evaluations/{id}/appeal")]
pub async fn appeal_evaluation(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AppealIn>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner_value().reason;
    let id = EvaluationId(*id);
    Ok(answer(
        app::appeal(&state, &auth.actor(), id, if_match, reason).await?,
    ))
}

/// Decide an appeal (supervisors whose scope sees the organisation): upheld annuls the
/// evaluation (it leaves the statistics and the public summary) and ends its rectification
/// as `annulled`; rejected lets the rectification go on.
#[utoipa::path(operation_id = "decideEvaluationAppeal",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the evaluation you read")),
    request_body = AppealDecisionIn,
    responses((status = 200, body = EvaluationDto, headers(("ETag" = String))),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
         description = "`appeal.none` or `appeal.already_decided`")))]
#[post("/evaluations/{id}/appeal/decision")]
pub async fn decide_evaluation_appeal(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AppealDecisionIn>,
) -> ApiResult<HttpResponse> {
    let AppealDecisionIn { upheld, reason } = body.into_inner_value();
    let id = EvaluationId(*id);
    let view = app::decide_appeal(&state, &auth.actor(), id, if_match, upheld, reason).await?;
    Ok(answer(view))
}
