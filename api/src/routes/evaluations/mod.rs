//! Evaluation of services (好差评): the applicant evaluates a decided case once; a bad
//! review opens a rectification (整改: verify → rectify or explain → call back → close)
//! due in working days; the department may appeal a review (申诉复核) to a supervisor;
//! statistics for supervisors and an anonymous public summary.
//!
//! A parallel-approval project (并联审批) is evaluated through its sub-cases: each
//! department's part is a case of its own with its own applicant, organisation, window
//! and staff, and each is evaluated once. The project container itself is not evaluated.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::evaluation::{
    self as rules, AppealState, EvaluationChannel, EvaluationLevel, MAX_RECTIFICATION_TEXT,
    RectificationState,
};
use zhengwu_domain::ids::CaseId;
use zhengwu_domain::ids::EvaluationId;
use zhengwu_domain::services::CaseState;
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::evaluations::{self as repo, Appeal, Evaluation, Rectification};
use zhengwu_persistence::{Conn, DbError, cases as case_repo, orgs};

use crate::app::cases::visible_case;
use crate::app::evaluations::rectifications as app_rect;
use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope, SubjectKind};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

mod rectifications;
mod statistics;

pub use self::rectifications::*;
pub use self::statistics::*;

/// Who appeals for the department: its administrators and reviewers, not the clerk evaluated.
const APPELLANTS: &[Role] = &[Role::OrgAdmin, Role::Reviewer];
/// Who reads the statistics (as for `/statistics/cases`).
const ANALYSTS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
];

// ------------------------------------------------------------------ bodies

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"level": "very_satisfied", "channel": "mobile", "text": "材料一次讲清，当天就办好了。"}))]
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

// ------------------------------------------------------------------ helpers

fn text_field(pointer: &str, v: &str) -> ApiResult<String> {
    validation::text(v, MAX_RECTIFICATION_TEXT)
        .map_err(|e| ApiError::field(pointer, e.code, e.message))
}

fn level_of(e: &Evaluation) -> ApiResult<EvaluationLevel> {
    EvaluationLevel::parse(&e.level).ok_or_else(ApiError::internal)
}

fn rect_state(r: &Rectification) -> ApiResult<RectificationState> {
    RectificationState::parse(&r.state).ok_or_else(ApiError::internal)
}

fn appeal_dto(a: Appeal) -> ApiResult<AppealDto> {
    Ok(AppealDto {
        state: AppealState::parse(&a.state).ok_or_else(ApiError::internal)?,
        reason: a.reason,
        appealed_by: a.appealed_by,
        appealed_at: a.appealed_at,
        decision_reason: a.decision_reason,
        decided_by: a.decided_by,
        decided_at: a.decided_at,
    })
}

/// The answers for evaluations, with their case numbers, rectifications and (for staff)
/// appeals, in three queries whatever their number.
async fn evaluation_dtos(
    conn: &mut Conn,
    rows: Vec<Evaluation>,
    staff: bool,
) -> ApiResult<Vec<EvaluationDto>> {
    let ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
    let case_ids: Vec<Uuid> = rows.iter().map(|e| e.case_id).collect();
    let numbers: HashMap<Uuid, String> = repo::case_numbers(conn, &case_ids)
        .await?
        .into_iter()
        .collect();
    let mut rects: HashMap<Uuid, Rectification> = repo::rectifications_of(conn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.evaluation_id, r))
        .collect();
    let mut appeals: HashMap<Uuid, Appeal> = if staff {
        repo::appeals_of(conn, &ids)
            .await?
            .into_iter()
            .map(|a| (a.evaluation_id, a))
            .collect()
    } else {
        HashMap::new()
    };
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let level = level_of(&e)?;
        let rectification = match rects.remove(&e.id) {
            Some(r) => Some(RectificationBrief {
                id: r.id,
                state: rect_state(&r)?,
                due_date: r.due_date,
            }),
            None => None,
        };
        out.push(EvaluationDto {
            id: e.id,
            case_id: e.case_id,
            case_number: numbers.get(&e.case_id).cloned().unwrap_or_default(),
            organization_id: e.organization_id,
            window_id: e.window_id,
            staff_id: e.staff_id,
            level,
            channel: EvaluationChannel::parse(&e.channel).ok_or_else(ApiError::internal)?,
            text: e.text,
            bad: level.is_bad(),
            evaluated_at: e.evaluated_at,
            evaluated_on: e.evaluated_on,
            annulled: e.annulled_at.is_some(),
            annulled_at: e.annulled_at,
            rectification,
            appeal: appeals.remove(&e.id).map(appeal_dto).transpose()?,
            version: e.version,
        });
    }
    Ok(out)
}

async fn evaluation_dto(conn: &mut Conn, e: Evaluation, staff: bool) -> ApiResult<EvaluationDto> {
    evaluation_dtos(conn, vec![e], staff)
        .await?
        .pop()
        .ok_or_else(ApiError::internal)
}

/// The evaluation, if the caller may see it (as they may see its case), and whether the
/// caller sees it as staff.
async fn visible_evaluation(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
) -> ApiResult<(Evaluation, bool)> {
    let e = match repo::get_evaluation(conn, id, false).await {
        Ok(e) => e,
        Err(DbError::NotFound) => return Err(ApiError::not_found("evaluation")),
        Err(e) => return Err(e.into()),
    };
    match visible_case(conn, &auth.actor(), CaseId(e.case_id), false).await {
        Ok(_) => Ok((e, auth.role.is_staff())),
        Err(err) if err.status == actix_web::http::StatusCode::NOT_FOUND => {
            Err(ApiError::not_found("evaluation"))
        }
        Err(err) => Err(err),
    }
}

/// The subtree a list or statistic covers: `org` (which must be in the caller's scope),
/// else the caller's scope; `None` is everything.
async fn subtree(
    conn: &mut Conn,
    auth: &Principal,
    org: Option<Uuid>,
) -> ApiResult<Option<String>> {
    match (org, auth.scope()) {
        (Some(o), _) => match orgs::get(conn, o).await {
            Ok(org) if auth.sees(&org.path) => Ok(Some(org.path.as_str().to_owned())),
            Ok(_) | Err(DbError::NotFound) => Err(ApiError::field(
                "?org",
                "reference.not_found",
                "no such organisation in your scope",
            )),
            Err(e) => Err(e.into()),
        },
        (None, Scope::All) => Ok(None),
        (None, Scope::Subtree(p)) => Ok(Some(p.as_str().to_owned())),
        (None, Scope::Nothing) => Err(ApiError::forbidden("no organisation scope")),
    }
}

fn check_period(from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
    validation::period(from, to, validation::MAX_PERIOD_DAYS)
        .map_err(|v| ApiError::field("?to", v.code, v.message))
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
    responses((status = 201, body = EvaluationDto, headers(("ETag" = String), ("Location" = String))),
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
    auth.require(&[Role::Applicant])?;
    crate::writers::check("evaluateCase", Some(&auth), &body)?;
    let b = &body.value;
    let mut e = Errors::new();
    let text = e
        .check("text", rules::evaluation_text(b.level, b.text.as_deref()))
        .flatten();
    e.finish()?;
    let case_id = *id;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let now = state.clock.now();
    let day = state.today();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let case = match case_repo::get_case_for_update(c, CaseId(case_id)).await {
            Ok(x) if auth.kind == SubjectKind::User && x.applicant_id == Some(auth.id) => x,
            Ok(_) | Err(DbError::NotFound) => return Err(ApiError::not_found("case")),
            Err(e) => return Err(e.into()),
        };
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        if case.matter_id.is_none() {
            return Err(ApiError::conflict(
                "evaluation.project_container",
                "a parallel-approval project is evaluated through its sub-cases",
            ));
        }
        if !matches!(case.state, CaseState::Decided | CaseState::Delivered) {
            return Err(ApiError::conflict(
                "evaluation.case_not_decided",
                format!("a case is evaluated once it is decided, not while {}", case.state),
            )
            .context(serde_json::json!({"state": case.state})));
        }
        if repo::evaluation_of_case(c, case_id).await?.is_some() {
            return Err(ApiError::conflict(
                "evaluation.already_given",
                "the case has been evaluated; one evaluation per case",
            ));
        }
        let org = orgs::get(c, case.organization_id).await?;
        let row = Evaluation {
            id: Uuid::now_v7(),
            case_id,
            applicant_id: Some(auth.id),
            organization_id: case.organization_id,
            window_id: case.window_id,
            staff_id: case.assignee_id.or(case.first_contact_id),
            level: b.level.as_str().to_owned(),
            channel: b.channel.as_str().to_owned(),
            text: text.clone(),
            evaluated_at: now,
            evaluated_on: day,
            annulled_at: None,
            version: 1,
        };
        repo::insert_evaluation(c, &row).await?;
        case_repo::add_event(
            c,
            CaseId(case_id),
            now,
            Some(auth.id),
            "evaluate",
            None,
            serde_json::json!({"level": b.level, "channel": b.channel}),
        )
        .await?;
        audit
            .record(
                c,
                "evaluation.create",
                "evaluation",
                row.id,
                Some(&org.path),
                None::<&()>,
                Some(&serde_json::json!({"case_id": case_id, "level": b.level, "channel": b.channel})),
            )
            .await?;
        if b.level.is_bad() {
            let days = repo::rectification_days(c, org.id).await?;
            let id = Uuid::now_v7();
            let target = Target::of(StoredDeadline::Rectification, id);
            let due = crate::deadlines::count(c, target, DeadlineBasis::after(day, days)).await?;
            let r = Rectification {
                id,
                evaluation_id: row.id,
                organization_id: org.id,
                responsible_id: row.staff_id,
                state: RectificationState::Open.as_str().to_owned(),
                opened_on: day,
                due_date: due.due_date,
                findings: None,
                verified_at: None,
                verified_by: None,
                measures: None,
                explanation: None,
                handled_at: None,
                handled_by: None,
                callback_satisfied: None,
                callback_note: None,
                called_back_at: None,
                called_back_by: None,
                close_note: None,
                closed_at: None,
                closed_by: None,
                version: 1,
            };
            repo::insert_rectification(c, &r).await?;
            audit
                .record(
                    c,
                    "rectification.open",
                    "rectification",
                    r.id,
                    Some(&org.path),
                    None::<&()>,
                    Some(&serde_json::json!({
                        "evaluation_id": row.id, "state": r.state,
                        "due_date": r.due_date, "working_days": days,
                        "skipped": due.skipped.iter().map(|s| s.date).collect::<Vec<_>>(),
                    })),
                )
                .await?;
        }
        let dto = evaluation_dto(c, row, false).await?;
        idem.finish(c, &dto, format!("/api/v1/cases/{case_id}/evaluation"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// The evaluation of a case: for its applicant and for staff who may see the case.
#[utoipa::path(operation_id = "getCaseEvaluation",
    tag = "evaluations", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = EvaluationDto, headers(("ETag" = String))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
         description = "No such case for you, or it has not been evaluated")))]
#[get("/cases/{id}/evaluation")]
pub async fn case_evaluation(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (case, _) = visible_case(&mut conn, &auth.actor(), CaseId(*id), false).await?;
    let e = repo::evaluation_of_case(&mut conn, case.id.0)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("evaluation").detail("the case has not been evaluated")
        })?;
    let d = evaluation_dto(&mut conn, e, auth.role.is_staff()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
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
    let mut conn = state.conn().await?;
    let (e, staff) = visible_evaluation(&mut conn, &auth, *id).await?;
    let d = evaluation_dto(&mut conn, e, staff).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
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
    if !auth.role.is_staff() {
        return Err(ApiError::forbidden(
            "staff list evaluations; applicants read theirs on their cases",
        ));
    }
    let limit = page.limit()?;
    if let (Some(f), Some(t)) = (q.from, q.to) {
        check_period(f, t)?;
    }
    let mut conn = state.conn().await?;
    let within = subtree(&mut conn, &auth, None).await?;
    let org_subtree = match q.org {
        Some(_) => subtree(&mut conn, &auth, q.org).await?,
        None => None,
    };
    let rows = repo::list_evaluations(
        &mut conn,
        &repo::EvaluationFilter {
            within,
            org_subtree,
            level: q.level,
            bad_only: q.bad,
            from: q.from,
            to: q.to,
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let items = evaluation_dtos(
        &mut conn,
        rows.into_iter().take(limit as usize).collect(),
        true,
    )
    .await?;
    let next_cursor = if more {
        items
            .last()
            .map(|e| crate::pagination::encode_cursor(&e.id.to_string()))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
}

// ------------------------------------------------------------------ appeals

/// Appeal a bad review as malicious or mistaken (申诉复核): the evaluated organisation's
/// administrators and reviewers, once per evaluation, while its rectification is open. The
/// rectification goes on until a supervisor decides.
#[utoipa::path(operation_id = "appealEvaluation",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the evaluation you read")),
    request_body = AppealIn,
    responses((status = 200, body = EvaluationDto, headers(("ETag" = String))),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
         description = "`appeal.not_a_bad_review`, `appeal.already_made` or `appeal.rectification_ended`")))]
#[post("/evaluations/{id}/appeal")]
pub async fn appeal_evaluation(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AppealIn>,
) -> ApiResult<HttpResponse> {
    auth.require(APPELLANTS)?;
    let reason = text_field("/reason", &body.value.reason)?;
    let evaluation_id = *id;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let d = conn
        .transaction::<_, ApiError, _>(async |c| {
            let e = match repo::get_evaluation(c, evaluation_id, true).await {
                Ok(e) => e,
                Err(DbError::NotFound) => return Err(ApiError::not_found("evaluation")),
                Err(e) => return Err(e.into()),
            };
            let org = orgs::get(c, e.organization_id).await?;
            auth.ensure_sees(&org.path, "evaluation")?;
            if_match.check(e.version)?;
            let rect = repo::rectification_of(c, evaluation_id, true).await?;
            let rect_at = rect.as_ref().map(rect_state).transpose()?;
            let existing = repo::appeal_of(c, evaluation_id, true).await?;
            rules::may_appeal(level_of(&e)?, rect_at, existing.is_some()).map_err(|v| {
                ApiError::conflict(v.code, v.message)
                    .context(serde_json::json!({"rectification_state": rect_at}))
            })?;
            let a = Appeal {
                evaluation_id,
                state: AppealState::Pending.as_str().to_owned(),
                reason: reason.clone(),
                appealed_by: auth.id,
                appealed_at: now,
                decision_reason: None,
                decided_by: None,
                decided_at: None,
            };
            repo::insert_appeal(c, &a).await?;
            let saved = repo::touch_evaluation(c, evaluation_id, e.annulled_at).await?;
            audit
                .record(
                    c,
                    "evaluation.appeal",
                    "evaluation",
                    evaluation_id,
                    Some(&org.path),
                    None::<&()>,
                    Some(&serde_json::json!({"appeal": "pending", "reason": reason})),
                )
                .await?;
            evaluation_dto(c, saved, true).await
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

/// Decide an appeal (supervisors whose scope sees the organisation): upheld annuls the
/// evaluation (it leaves the statistics and the public summary) and ends its rectification
/// as `annulled`; rejected lets the rectification go on.
#[utoipa::path(operation_id = "decideEvaluationAppeal",
    tag = "evaluations", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the evaluation you read")),
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
    auth.require(&[Role::Supervisor])?;
    let upheld = body.value.upheld;
    let reason = text_field("/reason", &body.value.reason)?;
    let evaluation_id = *id;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let d = conn
        .transaction::<_, ApiError, _>(async |c| {
            let e = match repo::get_evaluation(c, evaluation_id, true).await {
                Ok(e) => e,
                Err(DbError::NotFound) => return Err(ApiError::not_found("evaluation")),
                Err(e) => return Err(e.into()),
            };
            let org = orgs::get(c, e.organization_id).await?;
            auth.ensure_sees(&org.path, "evaluation")?;
            if_match.check(e.version)?;
            let Some(mut a) = repo::appeal_of(c, evaluation_id, true).await? else {
                return Err(ApiError::conflict("appeal.none", "the evaluation has not been appealed"));
            };
            let from = AppealState::parse(&a.state).ok_or_else(ApiError::internal)?;
            let next = rules::decide_appeal(from, upheld).map_err(|v| {
                ApiError::conflict(v.code, v.message).context(serde_json::json!({"state": from}))
            })?;
            a.state = next.as_str().to_owned();
            a.decision_reason = Some(reason.clone());
            a.decided_by = Some(auth.id);
            a.decided_at = Some(now);
            repo::save_appeal(c, &a).await?;
            let annulled_at = if upheld {
                let evaluation = EvaluationId(evaluation_id);
                app_rect::annul(c, &audit, evaluation, &org.path).await?;
                Some(now)
            } else {
                e.annulled_at
            };
            let saved = repo::touch_evaluation(c, evaluation_id, annulled_at).await?;
            audit
                .record(
                    c,
                    &format!("evaluation.appeal_{next}"),
                    "evaluation",
                    evaluation_id,
                    Some(&org.path),
                    Some(&serde_json::json!({"appeal": from, "annulled": e.annulled_at.is_some()})),
                    Some(&serde_json::json!({"appeal": next, "annulled": annulled_at.is_some(), "reason": reason})),
                )
                .await?;
            evaluation_dto(c, saved, true).await
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}
