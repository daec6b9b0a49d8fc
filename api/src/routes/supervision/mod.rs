//! Supervision (电子监察): rules per organisation, deadline alerts and their history, the
//! alert job, and anomaly findings.

pub mod dto;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::supervision::SupervisionRules;
pub use zhengwu_domain::supervision::{SUPERVISORS, WATCHERS};

pub use self::dto::*;
use crate::alerts::{Alert, AlertSummary, Anomaly, JobRun};
use crate::app::supervision as app;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IfMatch, etag};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

fn with_etag(out: &RulesDto) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if let Some(v) = out.version {
        res.insert_header((header::ETAG, etag(v)));
    }
    res.json(out)
}

fn page_of(limit: Option<i64>, cursor: &Option<String>) -> PageParams {
    PageParams {
        limit,
        cursor: cursor.clone(),
    }
}

// ------------------------------------------------------------------ rules

/// The supervision rules in force at an organisation — thresholds of yellow alerts, the
/// rectification and complaint-acceptance limits, the anomaly parameters, assessment grades
/// and the rules turned off — with the catalogue of rules. An organisation without rules of
/// its own inherits its nearest ancestor's, else the defaults.
#[utoipa::path(operation_id = "getSupervisionRules",
    tag = "supervision", security(("bearer" = [])), params(RulesQuery),
    responses((status = 200, body = RulesDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such organisation in your scope")))]
#[get("/supervision/rules")]
pub async fn get_rules(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<RulesQuery>,
) -> ApiResult<HttpResponse> {
    let org = q.org.map(OrganizationId);
    let out = app::get_rules(&state, &auth.actor(), org).await?;
    Ok(with_etag(&out))
}

/// Set an organisation's own rules (supervisors and administrators in scope); they apply to
/// its subtree unless a lower organisation sets its own.
#[utoipa::path(operation_id = "putSupervisionRules",
    tag = "supervision", security(("bearer" = [])),
    params(RulesQuery,
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = SupervisionRules, responses((status = 200, body = RulesDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such organisation in your scope")))]
#[put("/supervision/rules")]
pub async fn put_rules(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<RulesQuery>,
    if_match: IfMatch,
    body: ApiJson<SupervisionRules>,
) -> ApiResult<HttpResponse> {
    let org = q.org.map(OrganizationId);
    let rules = body.into_inner_value();
    let out = app::put_rules(&state, &auth.actor(), org, &if_match, rules).await?;
    Ok(with_etag(&out))
}

// ------------------------------------------------------------------ alerts

/// Yellow and red alerts (黄牌预警, 红牌警告) on everything with a deadline: accepted cases
/// and their pending procedure steps, decided cases awaiting delivery (AL Art.44), open
/// applications for disclosure, proactive items not
/// yet published (OGI Art.26), forwarded topic requests, rectifications of bad reviews,
/// supervision orders awaiting a response and complaints awaiting a decision to accept.
/// Yellow at the organisation's thresholds (default: 1 working day left or 80% of the limit
/// used), red from the first working day after the due date. Red first, most overdue first.
#[utoipa::path(operation_id = "listAlerts",
    tag = "supervision", security(("bearer" = [])), params(AlertsQuery),
    responses((status = 200, body = Page<Alert>)))]
#[get("/supervision/alerts")]
pub async fn list_alerts(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AlertsQuery>,
) -> ApiResult<HttpResponse> {
    let page = page_of(q.limit, &q.cursor);
    let items = app::alerts(&state, &auth.actor(), (&*q).into(), &page).await?;
    Ok(page_response(&req, items))
}

/// The alerts of a day counted: in all, by kind of obligation and by responsible
/// organisation (each organisation's own obligations; the most red first). The counts are
/// those of the alert list with the same day and organisation.
#[utoipa::path(operation_id = "getAlertSummary",
    tag = "supervision", security(("bearer" = [])), params(AlertSummaryQuery),
    responses((status = 200, body = AlertSummary)))]
#[get("/supervision/alerts/summary")]
pub async fn get_alert_summary(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AlertSummaryQuery>,
) -> ApiResult<HttpResponse> {
    let org = q.org.map(OrganizationId);
    let out = app::alert_summary(&state, &auth.actor(), q.as_of, org).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The alert history: when each object turned yellow, red, or was cleared, recorded by the
/// alert job — kept after the object is finished. Oldest first.
#[utoipa::path(operation_id = "listAlertEvents",
    tag = "supervision", security(("bearer" = [])), params(EventsQuery),
    responses((status = 200, body = Page<AlertEventDto>)))]
#[get("/supervision/alert-events")]
pub async fn list_alert_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<EventsQuery>,
) -> ApiResult<HttpResponse> {
    let page = page_of(q.limit, &q.cursor);
    let items = app::alert_events(&state, &auth.actor(), (&*q).into(), &page).await?;
    Ok(page_response(&req, items))
}

/// Run the alert job now (it also runs in the background every
/// `ZHENGWU_ALERT_JOB_INTERVAL` seconds): records every change of level since the last run.
/// Safe to run from several replicas at once: each change is recorded once.
#[utoipa::path(operation_id = "runAlertJob",
    tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = JobRun)))]
#[post("/supervision/alert-events/run")]
pub async fn run_alert_job(state: web::Data<AppState>, auth: Principal) -> ApiResult<HttpResponse> {
    let out = app::run_alert_job(&state, &auth.actor()).await?;
    Ok(HttpResponse::Ok().json(out))
}

// ------------------------------------------------------------------ anomalies

/// Anomalies (异常) found in the records of a period: fees not in the list or above standard,
/// decisions before (or too soon after) acceptance (体外循环), refusals and denials without a
/// reason, steps over their time, extensions beyond the legal limit, one-time notices later
/// than AL Art.32 allows (such a case is accepted as of its receipt) and deliveries later
/// than AL Art.44 allows. Each finding names its rule; rules and parameters are per
/// organisation.
#[utoipa::path(operation_id = "listAnomalies",
    tag = "supervision", security(("bearer" = [])), params(AnomaliesQuery),
    responses((status = 200, body = Page<Anomaly>)))]
#[get("/supervision/anomalies")]
pub async fn list_anomalies(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AnomaliesQuery>,
) -> ApiResult<HttpResponse> {
    let page = page_of(q.limit, &q.cursor);
    let items = app::anomalies(&state, &auth.actor(), (&*q).into(), &page).await?;
    Ok(page_response(&req, items))
}
