//! Evaluation of services (好差评): the applicant evaluates a decided case once; a bad
//! review opens a rectification (整改: verify → rectify or explain → call back → close)
//! due in working days; the department may appeal a review (申诉复核) to a supervisor;
//! statistics for supervisors and an anonymous public summary.
//!
//! A parallel-approval project (并联审批) is evaluated through its sub-cases: each
//! department's part is a case of its own with its own applicant, organisation, window
//! and staff, and each is evaluated once. The project container itself is not evaluated.

use std::collections::{BTreeMap, HashMap};

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
    self as rules, AppealState, EvaluationChannel, EvaluationFacts, EvaluationLevel,
    EvaluationMeasures, MAX_RECTIFICATION_TEXT, RectificationAction, RectificationState,
};
use zhengwu_domain::ids::CaseId;
use zhengwu_domain::services::CaseState;
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::evaluations::{self as repo, Appeal, Evaluation, Rectification};
use zhengwu_persistence::{Conn, DbError, cases as case_repo, orgs};

use crate::app::cases::visible_case;
use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope, SubjectKind};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::routes::statistics::{GroupBy, labels};
use crate::state::AppState;

/// The department's staff who settle a rectification.
const DEPARTMENT: &[Role] = &[Role::OrgAdmin, Role::Reviewer, Role::Clerk];
/// Who closes a rectification.
const CLOSERS: &[Role] = &[Role::OrgAdmin, Role::Supervisor];
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
#[schema(example = json!({"findings": "经调取窗口录像核实，工作人员未一次性告知所需材料，情况属实。"}))]
pub struct FindingsIn {
    /// What the verification (核实) found, at most 2000 characters.
    pub findings: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"measures": "对窗口工作人员进行批评教育，修订一次性告知清单并上墙公示。"}))]
pub struct MeasuresIn {
    /// What was done (整改措施), at most 2000 characters.
    pub measures: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"explanation": "申请材料不符合法定条件，依法不予许可，已向申请人解释政策依据。"}))]
pub struct ExplanationIn {
    /// Why the department was not at fault (情况说明), at most 2000 characters.
    pub explanation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"satisfied": true, "note": "电话回访，申请人对整改结果表示满意。"}))]
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

async fn rectification_dtos(
    conn: &mut Conn,
    rows: Vec<Rectification>,
) -> ApiResult<Vec<RectificationDto>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.evaluation_id).collect();
    let evaluations: HashMap<Uuid, Evaluation> = repo::get_evaluations(conn, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let case_ids: Vec<Uuid> = evaluations.values().map(|e| e.case_id).collect();
    let numbers: HashMap<Uuid, String> = repo::case_numbers(conn, &case_ids)
        .await?
        .into_iter()
        .collect();
    let own: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut years = crate::deadlines::flags(conn, &own).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let e = evaluations
            .get(&r.evaluation_id)
            .ok_or_else(ApiError::internal)?;
        out.push(RectificationDto {
            id: r.id,
            evaluation_id: r.evaluation_id,
            case_id: e.case_id,
            case_number: numbers.get(&e.case_id).cloned().unwrap_or_default(),
            organization_id: r.organization_id,
            responsible_id: r.responsible_id,
            state: rect_state(&r)?,
            opened_on: r.opened_on,
            due_date: r.due_date,
            years_without_calendar: years.remove(&r.id).unwrap_or_default(),
            evaluation_level: level_of(e)?,
            evaluation_text: e.text.clone(),
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
        });
    }
    Ok(out)
}

async fn rectification_dto(conn: &mut Conn, r: Rectification) -> ApiResult<RectificationDto> {
    rectification_dtos(conn, vec![r])
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
                if let Some(mut r) = repo::rectification_of(c, evaluation_id, true).await? {
                    let before = rect_state(&r)?;
                    let after = before
                        .apply(RectificationAction::Annul)
                        .map_err(illegal)?;
                    r.state = after.as_str().to_owned();
                    repo::save_rectification(c, &r).await?;
                    audit
                        .record(
                            c,
                            "rectification.annul",
                            "rectification",
                            r.id,
                            Some(&org.path),
                            Some(&serde_json::json!({"state": before})),
                            Some(&serde_json::json!({"state": after})),
                        )
                        .await?;
                }
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

// ------------------------------------------------------------------ rectifications

fn illegal(e: rules::IllegalRectificationAction) -> ApiError {
    ApiError::conflict("rectification.illegal_transition", e.to_string())
        .context(serde_json::json!({"state": e.from, "action": e.action}))
}

/// One step of a rectification, with what it carries.
enum Step {
    Verify(String),
    Rectify(String),
    Explain(String),
    Callback { satisfied: bool, note: String },
    Close(Option<String>),
}

impl Step {
    fn action(&self) -> RectificationAction {
        match self {
            Step::Verify(_) => RectificationAction::Verify,
            Step::Rectify(_) => RectificationAction::Rectify,
            Step::Explain(_) => RectificationAction::Explain,
            Step::Callback { .. } => RectificationAction::Callback,
            Step::Close(_) => RectificationAction::Close,
        }
    }
}

async fn rectification_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    step: Step,
) -> ApiResult<HttpResponse> {
    let action = step.action();
    auth.require(if action == RectificationAction::Close {
        CLOSERS
    } else {
        DEPARTMENT
    })?;
    let audit = AuditCtx::new(state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let d = conn
        .transaction::<_, ApiError, _>(async |c| {
            let mut r = match repo::get_rectification(c, id, true).await {
                Ok(r) => r,
                Err(DbError::NotFound) => return Err(ApiError::not_found("rectification")),
                Err(e) => return Err(e.into()),
            };
            let org = orgs::get(c, r.organization_id).await?;
            auth.ensure_sees(&org.path, "rectification")?;
            if_match.check(r.version)?;
            let from = rect_state(&r)?;
            let next = from.apply(action).map_err(illegal)?;
            let mut data = serde_json::json!({});
            let mut note: Option<String> = None;
            match &step {
                Step::Verify(findings) => {
                    data = serde_json::json!({"findings": findings});
                    r.findings = Some(findings.clone());
                    r.verified_at = Some(now);
                    r.verified_by = Some(auth.id);
                }
                Step::Rectify(measures) => {
                    data = serde_json::json!({"measures": measures});
                    r.measures = Some(measures.clone());
                    r.handled_at = Some(now);
                    r.handled_by = Some(auth.id);
                }
                Step::Explain(explanation) => {
                    data = serde_json::json!({"explanation": explanation});
                    r.explanation = Some(explanation.clone());
                    r.handled_at = Some(now);
                    r.handled_by = Some(auth.id);
                }
                Step::Callback { satisfied, note: n } => {
                    note = Some(n.clone());
                    r.callback_satisfied = Some(*satisfied);
                    r.callback_note = Some(n.clone());
                    r.called_back_at = Some(now);
                    r.called_back_by = Some(auth.id);
                    data = serde_json::json!({"satisfied": satisfied});
                }
                Step::Close(n) => {
                    note.clone_from(n);
                    let pending = repo::appeal_of(c, r.evaluation_id, false)
                        .await?
                        .is_some_and(|a| a.state == AppealState::Pending.as_str());
                    if pending {
                        return Err(ApiError::conflict(
                            "rectification.appeal_pending",
                            "the review is under appeal; close it once a supervisor has decided",
                        )
                        .context(serde_json::json!({"state": from})));
                    }
                    r.close_note = n.clone();
                    r.closed_at = Some(now);
                    r.closed_by = Some(auth.id);
                }
            }
            r.state = next.as_str().to_owned();
            let saved = repo::save_rectification(c, &r).await?;
            audit
                .record(
                    c,
                    &format!("rectification.{action}"),
                    "rectification",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": from})),
                    Some(&serde_json::json!({"state": next, "note": note, "data": data})),
                )
                .await?;
            rectification_dto(c, saved).await
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

macro_rules! rectification_action {
    ($name:ident, $path:literal, $op:literal, $body:ty, $doc:literal, |$b:ident| $make:expr) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "evaluations", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            request_body = $body,
            responses((status = 200, body = RectificationDto, headers(("ETag" = String))),
            (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
             description = "`rectification.illegal_transition`: not allowed in the current state; `context.state` names it")))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Principal,
            id: web::Path<Uuid>,
            if_match: IfMatch,
            body: ApiJson<$body>,
        ) -> ApiResult<HttpResponse> {
            let $b = body.value;
            let step: ApiResult<Step> = $make;
            rectification_step(&state, &auth, *id, &if_match, step?).await
        }
    };
}

rectification_action!(
    verify_rectification,
    "/rectifications/{id}/verify",
    "verifyRectification",
    FindingsIn,
    "Verify the bad review (核实) with the findings: staff of the evaluated organisation (org_admin, reviewer, clerk).",
    |b| Ok(Step::Verify(text_field("/findings", &b.findings)?))
);
rectification_action!(
    rectify_rectification,
    "/rectifications/{id}/rectify",
    "rectifyRectification",
    MeasuresIn,
    "Record what was done to put it right (整改措施), after verification.",
    |b| Ok(Step::Rectify(text_field("/measures", &b.measures)?))
);
rectification_action!(
    explain_rectification,
    "/rectifications/{id}/explain",
    "explainRectification",
    ExplanationIn,
    "Explain instead of rectifying (情况说明), when verification found the department not at fault.",
    |b| Ok(Step::Explain(text_field("/explanation", &b.explanation)?))
);
rectification_action!(
    callback_rectification,
    "/rectifications/{id}/callback",
    "recordRectificationCallback",
    RectificationCallbackIn,
    "Record the call back to the applicant (回访): satisfied or not, and what was said.",
    |b| Ok(Step::Callback {
        satisfied: b.satisfied,
        note: text_field("/note", &b.note)?
    })
);
rectification_action!(
    close_rectification,
    "/rectifications/{id}/close",
    "closeRectification",
    CloseIn,
    "Close a rectification after the call back: the organisation's administrator or a supervisor; not while an appeal is pending (`rectification.appeal_pending`).",
    |b| Ok(Step::Close(match b.note.as_deref() {
        Some(n) => Some(text_field("/note", n)?),
        None => None,
    }))
);

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
    if !auth.role.is_staff() {
        return Err(ApiError::not_found("rectification"));
    }
    let mut conn = state.conn().await?;
    let r = match repo::get_rectification(&mut conn, *id, false).await {
        Ok(r) => r,
        Err(DbError::NotFound) => return Err(ApiError::not_found("rectification")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(&mut conn, r.organization_id).await?;
    auth.ensure_sees(&org.path, "rectification")?;
    let d = rectification_dto(&mut conn, r).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
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
    if !auth.role.is_staff() {
        return Err(ApiError::forbidden("rectifications are for staff"));
    }
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let within = subtree(&mut conn, &auth, None).await?;
    let org_subtree = match q.org {
        Some(_) => subtree(&mut conn, &auth, q.org).await?,
        None => None,
    };
    let rows = repo::list_rectifications(
        &mut conn,
        &repo::RectificationFilter {
            within,
            org_subtree,
            state: q.state.map(|s| s.as_str().to_owned()),
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let items =
        rectification_dtos(&mut conn, rows.into_iter().take(limit as usize).collect()).await?;
    let next_cursor = if more {
        items
            .last()
            .map(|r| crate::pagination::encode_cursor(&r.id.to_string()))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
}

// ------------------------------------------------------------------ statistics

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationGroupBy {
    Org,
    Hall,
    Window,
    Staff,
}

impl EvaluationGroupBy {
    fn as_case_grouping(self) -> GroupBy {
        match self {
            EvaluationGroupBy::Org => GroupBy::Org,
            EvaluationGroupBy::Hall => GroupBy::Hall,
            EvaluationGroupBy::Window => GroupBy::Window,
            EvaluationGroupBy::Staff => GroupBy::Staff,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationStatsQuery {
    /// The organisation whose subtree is counted; your scope when absent.
    pub org: Option<Uuid>,
    /// First day of evaluation counted.
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    /// Last day of evaluation counted (at most 3 years after `from`).
    #[param(example = "2025-10-31")]
    pub to: NaiveDate,
    #[param(example = "org")]
    pub group_by: EvaluationGroupBy,
}

/// Evaluations per level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelCounts {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub dissatisfied: u64,
    pub very_dissatisfied: u64,
}

impl From<&EvaluationMeasures> for LevelCounts {
    fn from(m: &EvaluationMeasures) -> Self {
        use EvaluationLevel as L;
        Self {
            very_satisfied: m.count(L::VerySatisfied),
            satisfied: m.count(L::Satisfied),
            basically_satisfied: m.count(L::BasicallySatisfied),
            dissatisfied: m.count(L::Dissatisfied),
            very_dissatisfied: m.count(L::VeryDissatisfied),
        }
    }
}

/// The evaluation measures of one group. Annulled evaluations (an appeal was upheld) count
/// only in `annulled`. Rates are fractions (0.8 = 80%), absent when the denominator is zero.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationMeasuresDto {
    /// Evaluations given in the period, not annulled.
    pub evaluations: u64,
    pub by_level: LevelCounts,
    /// 满意率 = (very_satisfied + satisfied + basically_satisfied) ÷ evaluations.
    pub satisfaction_rate: Option<f64>,
    /// Bad reviews (差评): dissatisfied + very_dissatisfied.
    pub bad_reviews: u64,
    /// Bad reviews whose rectification reached rectified or explained (or later).
    pub rectified: u64,
    /// 整改率 = rectified ÷ bad_reviews.
    pub rectification_rate: Option<f64>,
    /// Bad reviews whose applicant was called back (called_back or closed).
    pub called_back: u64,
    /// 回访率 = called_back ÷ bad_reviews.
    pub callback_rate: Option<f64>,
    /// Evaluations annulled after an upheld appeal.
    pub annulled: u64,
}

impl From<&EvaluationMeasures> for EvaluationMeasuresDto {
    fn from(m: &EvaluationMeasures) -> Self {
        Self {
            evaluations: m.total,
            by_level: m.into(),
            satisfaction_rate: m.satisfaction_rate(),
            bad_reviews: m.bad,
            rectified: m.rectified,
            rectification_rate: m.rectification_rate(),
            called_back: m.called_back,
            callback_rate: m.callback_rate(),
            annulled: m.annulled,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationGroup {
    /// The id of the organisation, hall, window or staff member; absent for evaluations
    /// without one (e.g. no window).
    pub key: Option<Uuid>,
    pub label: String,
    #[serde(flatten)]
    pub measures: EvaluationMeasuresDto,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: EvaluationGroupBy,
    pub groups: Vec<EvaluationGroup>,
    pub total: EvaluationMeasuresDto,
}

fn facts(level: &str, annulled: bool, rect: Option<&str>) -> ApiResult<EvaluationFacts> {
    Ok(EvaluationFacts {
        level: EvaluationLevel::parse(level).ok_or_else(ApiError::internal)?,
        annulled,
        rectification: rect
            .map(|s| RectificationState::parse(s).ok_or_else(ApiError::internal))
            .transpose()?,
    })
}

/// Evaluation measures (好差评统计) for a period of evaluation days, grouped by
/// organisation, hall, window or staff member: evaluations per level, the satisfaction
/// rate (满意率: the first three levels ÷ all evaluations not annulled), bad reviews, the
/// rectification rate (整改率: bad reviews whose rectification reached rectified or
/// explained or later ÷ bad reviews) and the callback rate (回访率: called back or closed ÷
/// bad reviews). Supervisors, administrators and reviewers, within their scope.
#[utoipa::path(operation_id = "getEvaluationStatistics",
    tag = "statistics", security(("bearer" = [])), params(EvaluationStatsQuery),
    responses((status = 200, body = EvaluationStatistics)))]
#[get("/statistics/evaluations")]
pub async fn evaluation_statistics(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<EvaluationStatsQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(ANALYSTS)?;
    check_period(q.from, q.to)?;
    let mut conn = state.heavy_read_conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let rows = repo::stat_rows(&mut conn, within.as_deref(), q.from, q.to, false).await?;
    let mut groups: BTreeMap<Option<Uuid>, EvaluationMeasures> = BTreeMap::new();
    let mut total = EvaluationMeasures::default();
    for r in &rows {
        let f = facts(
            &r.level,
            r.annulled_at.is_some(),
            r.rectification_state.as_deref(),
        )?;
        let key = match q.group_by {
            EvaluationGroupBy::Org => Some(r.organization_id),
            EvaluationGroupBy::Hall => r.hall_id,
            EvaluationGroupBy::Window => r.window_id,
            EvaluationGroupBy::Staff => r.staff_id,
        };
        groups.entry(key).or_default().add(&f);
        total.add(&f);
    }
    let keys: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let names = labels(&mut conn, q.group_by.as_case_grouping(), &keys).await?;
    let mut out: Vec<EvaluationGroup> = groups
        .iter()
        .map(|(k, m)| EvaluationGroup {
            key: *k,
            label: k
                .and_then(|k| names.get(&k).cloned())
                .unwrap_or_else(|| "（无）".to_owned()),
            measures: m.into(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.measures
            .evaluations
            .cmp(&a.measures.evaluations)
            .then(a.label.cmp(&b.label))
    });
    Ok(HttpResponse::Ok().json(EvaluationStatistics {
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        groups: out,
        total: (&total).into(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicSummaryQuery {
    /// The organisation whose subtree is summarised; all when absent.
    pub org: Option<Uuid>,
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    /// At most 3 years after `from`.
    #[param(example = "2025-12-31")]
    pub to: NaiveDate,
}

/// What the public sees of one organisation's evaluations: counts only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicMeasures {
    pub evaluations: u64,
    pub by_level: LevelCounts,
    /// (very_satisfied + satisfied + basically_satisfied) ÷ evaluations.
    pub satisfaction_rate: Option<f64>,
    pub bad_reviews: u64,
    /// Bad reviews rectified or explained (or further).
    pub rectified: u64,
}

impl From<&EvaluationMeasures> for PublicMeasures {
    fn from(m: &EvaluationMeasures) -> Self {
        Self {
            evaluations: m.total,
            by_level: m.into(),
            satisfaction_rate: m.satisfaction_rate(),
            bad_reviews: m.bad,
            rectified: m.rectified,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOrgSummary {
    pub organization_id: Uuid,
    pub name: String,
    #[serde(flatten)]
    pub measures: PublicMeasures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicEvaluationSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub organizations: Vec<PublicOrgSummary>,
    pub total: PublicMeasures,
}

/// The public summary of evaluations (好差评结果公开) per organisation and in total: counts
/// per level, the satisfaction rate, bad reviews and how many were rectified. No personal
/// data and no texts; annulled evaluations and those of classified cases are left out.
#[utoipa::path(operation_id = "getPublicEvaluationSummary",
    tag = "evaluations", params(PublicSummaryQuery),
    responses((status = 200, body = PublicEvaluationSummary)))]
#[get("/public/evaluations/summary")]
pub async fn public_evaluation_summary(
    state: web::Data<AppState>,
    q: web::Query<PublicSummaryQuery>,
) -> ApiResult<HttpResponse> {
    check_period(q.from, q.to)?;
    let mut conn = state.read_conn().await?;
    let within = match q.org {
        Some(o) => match orgs::get(&mut conn, o).await {
            Ok(org) => Some(org.path.as_str().to_owned()),
            Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "?org",
                    "reference.not_found",
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let rows = repo::stat_rows(&mut conn, within.as_deref(), q.from, q.to, true).await?;
    let mut groups: BTreeMap<Uuid, EvaluationMeasures> = BTreeMap::new();
    let mut total = EvaluationMeasures::default();
    for r in &rows {
        let f = facts(&r.level, false, r.rectification_state.as_deref())?;
        groups.entry(r.organization_id).or_default().add(&f);
        total.add(&f);
    }
    let keys: Vec<Uuid> = groups.keys().copied().collect();
    let names: HashMap<Uuid, String> = orgs::get_many(&mut conn, &keys)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut organizations: Vec<PublicOrgSummary> = groups
        .iter()
        .map(|(k, m)| PublicOrgSummary {
            organization_id: *k,
            name: names.get(k).cloned().unwrap_or_default(),
            measures: m.into(),
        })
        .collect();
    organizations.sort_by(|a, b| {
        b.measures
            .evaluations
            .cmp(&a.measures.evaluations)
            .then(a.name.cmp(&b.name))
    });
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(PublicEvaluationSummary {
            from: q.from,
            to: q.to,
            organizations,
            total: (&total).into(),
        }))
}
