//! Supervision (电子监察): rules per organisation, deadline alerts and their history, the
//! alert job, and anomaly findings.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::supervision::{AlertLevel, AlertObject, RuleId, SupervisionRules};
use zhengwu_persistence::supervision::{self as repo, AlertEvent};
use zhengwu_persistence::{Conn, DbError, orgs};

use crate::alerts::{self, Alert, Anomaly, JobRun};
use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope};
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::extract::{ApiJson, IfMatch, etag};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// Staff who watch deadlines: everyone but applicants, within their scope.
pub const WATCHERS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
    Role::DisclosureOfficer,
    Role::Clerk,
];
pub const SUPERVISORS: &[Role] = &[Role::SysAdmin, Role::Supervisor];

/// The subtree a query covers: `org` (which must be in the caller's scope) or the caller's
/// scope; `None` for everything.
pub async fn subtree(
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

fn tz(state: &AppState) -> &'static str {
    state.config.timezone.name()
}

// ------------------------------------------------------------------ rules

/// A rule of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleInfo {
    pub id: RuleId,
    pub name: String,
    /// `alert` (a deadline) or `anomaly`.
    pub kind: String,
    pub description: String,
    /// Whether it is on for this organisation.
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesDto {
    pub organization_id: Uuid,
    /// The organisation whose rules apply (this one or an ancestor); absent: the defaults.
    pub defined_at: Option<Uuid>,
    /// The version of this organisation's own rules (absent when it inherits them); send it
    /// in `If-Match` to update.
    pub version: Option<i32>,
    pub rules: SupervisionRules,
    pub catalogue: Vec<RuleInfo>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RulesQuery {
    /// The organisation; your own when absent.
    pub org: Option<Uuid>,
}

async fn rules_dto(conn: &mut Conn, org: Uuid, path: &str) -> ApiResult<RulesDto> {
    let (rules, defined_at) = repo::rules_at(conn, path).await?;
    let version = if defined_at == Some(org) {
        repo::own_rules_version(conn, org).await?
    } else {
        None
    };
    let catalogue = RuleId::ALL
        .iter()
        .map(|r| RuleInfo {
            id: *r,
            name: r.label_zh().to_owned(),
            kind: if r.is_anomaly() { "anomaly" } else { "alert" }.to_owned(),
            description: r.description().to_owned(),
            enabled: rules.enabled(*r),
        })
        .collect();
    Ok(RulesDto {
        organization_id: org,
        defined_at,
        version,
        rules,
        catalogue,
    })
}

async fn rules_org(
    conn: &mut Conn,
    auth: &Principal,
    org: Option<Uuid>,
) -> ApiResult<orgs::Organization> {
    let id = org
        .or(auth.org_id)
        .ok_or_else(|| ApiError::field("?org", "field.required_when", "name the organisation"))?;
    match orgs::get(conn, id).await {
        Ok(o) if auth.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("organisation")),
        Err(e) => Err(e.into()),
    }
}

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
    auth.require(WATCHERS)?;
    let mut conn = state.conn().await?;
    let org = rules_org(&mut conn, &auth, q.org).await?;
    let out = rules_dto(&mut conn, org.id, org.path.as_str()).await?;
    let mut res = HttpResponse::Ok();
    if let Some(v) = out.version {
        res.insert_header((header::ETAG, etag(v)));
    }
    Ok(res.json(out))
}

/// Set an organisation's own rules (supervisors and administrators in scope); they apply to
/// its subtree unless a lower organisation sets its own.
#[utoipa::path(operation_id = "putSupervisionRules",
    tag = "supervision", security(("bearer" = [])),
    params(RulesQuery, ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
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
    auth.require(&[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor])?;
    let rules = body.into_inner_value();
    let problems = rules.validate();
    if !problems.is_empty() {
        return Err(ApiError::validation(
            problems
                .into_iter()
                .map(|(f, v)| FieldProblem {
                    pointer: format!("/{f}"),
                    code: v.code.to_owned(),
                    message: v.message.into_owned(),
                })
                .collect(),
        ));
    }
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let org = rules_org(c, &auth, q.org).await?;
            let current = repo::own_rules_version(c, org.id).await?;
            match current {
                Some(v) => if_match.check(v)?,
                None => if_match.check_absent()?,
            }
            let before = repo::rules_at(c, org.path.as_str()).await?.0;
            repo::put_rules(c, org.id, &rules, auth.id, now).await?;
            audit
                .record(
                    c,
                    "supervision.rules.put",
                    "supervision_rules",
                    org.id,
                    Some(&org.path),
                    Some(&before),
                    Some(&rules),
                )
                .await?;
            rules_dto(c, org.id, org.path.as_str()).await
        })
        .await?;
    let mut res = HttpResponse::Ok();
    if let Some(v) = out.version {
        res.insert_header((header::ETAG, etag(v)));
    }
    Ok(res.json(out))
}

// ------------------------------------------------------------------ alerts

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// The day the alerts are computed for; today by the server's clock when absent. The
    /// same day gives the same alerts.
    #[param(example = "2025-10-30")]
    pub as_of: Option<NaiveDate>,
    pub level: Option<AlertLevel>,
    pub kind: Option<AlertObject>,
    /// The organisation whose subtree is watched; your scope when absent.
    pub org: Option<Uuid>,
    /// Only alerts of this responsible person.
    pub responsible: Option<Uuid>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

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
    auth.require(WATCHERS)?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let after = page.after_key()?;
    let mut conn = state.heavy_read_conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let kinds: Vec<AlertObject> = match q.kind {
        Some(k) => vec![k],
        None => AlertObject::ALL.to_vec(),
    };
    let items: Vec<Alert> =
        alerts::compute_alerts(&mut conn, within.as_deref(), &kinds, as_of, tz(&state))
            .await?
            .into_iter()
            .filter(|a| q.level.is_none_or(|l| a.level == l))
            .filter(|a| q.responsible.is_none_or(|r| a.responsible_id == Some(r)))
            .collect();
    let mut page = Page::from_sorted(items, limit, after.as_deref(), Alert::cursor);
    let (org_names, people) = alerts::names(
        &mut conn,
        &page
            .items
            .iter()
            .map(|a| a.organization_id)
            .collect::<Vec<_>>(),
        &page
            .items
            .iter()
            .filter_map(|a| a.responsible_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    for a in &mut page.items {
        a.organization_name = org_names.get(&a.organization_id).cloned();
        a.responsible_name = a.responsible_id.and_then(|p| people.get(&p).cloned());
    }
    Ok(page_response(&req, page))
}

/// A recorded change of an alert's level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertEventDto {
    pub id: i64,
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub stage: i32,
    pub label: String,
    pub organization_id: Uuid,
    pub responsible_id: Option<Uuid>,
    pub rule_id: String,
    /// The level before; absent: no alert.
    pub from_level: Option<AlertLevel>,
    /// The level after; absent: cleared (finished, or the deadline moved away).
    pub to_level: Option<AlertLevel>,
    pub due_date: NaiveDate,
    /// The day the change was seen.
    pub as_of: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

fn event_dto(e: AlertEvent) -> AlertEventDto {
    AlertEventDto {
        id: e.id,
        object_kind: AlertObject::parse(&e.object_kind).unwrap_or(AlertObject::Case),
        object_id: e.object_id,
        stage: e.stage,
        label: e.label,
        organization_id: e.organization_id,
        responsible_id: e.responsible_id,
        rule_id: e.rule_id,
        from_level: e.from_level.as_deref().and_then(AlertLevel::parse),
        to_level: e.to_level.as_deref().and_then(AlertLevel::parse),
        due_date: e.due_date,
        as_of: e.as_of,
        recorded_at: e.recorded_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    pub org: Option<Uuid>,
    pub kind: Option<AlertObject>,
    pub object_id: Option<Uuid>,
    /// Changes to this level.
    pub level: Option<AlertLevel>,
    /// Changes seen on or after this day.
    pub from: Option<NaiveDate>,
    /// Changes seen on or before this day.
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
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
    auth.require(WATCHERS)?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let mut conn = state.read_conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let rows = repo::alert_events(
        &mut conn,
        &repo::EventFilter {
            within,
            kind: q.kind.map(|k| k.as_str().to_owned()),
            object_id: q.object_id,
            level: q.level.map(|l| l.as_str().to_owned()),
            from: q.from,
            to: q.to,
            after_id: page.after_i64()?,
            limit: limit + 1,
        },
    )
    .await?;
    Ok(page_response(
        &req,
        Page::from_rows(rows, limit, |e| e.id.to_string(), event_dto),
    ))
}

/// Run the alert job now (it also runs in the background every
/// `ZHENGWU_ALERT_JOB_INTERVAL` seconds): records every change of level since the last run.
/// Safe to run from several replicas at once: each change is recorded once.
#[utoipa::path(operation_id = "runAlertJob",
    tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = JobRun)))]
#[post("/supervision/alert-events/run")]
pub async fn run_alert_job(state: web::Data<AppState>, auth: Principal) -> ApiResult<HttpResponse> {
    auth.require(SUPERVISORS)?;
    let out = job(&state).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One run of the alert job on the server's clock.
pub async fn job(state: &AppState) -> ApiResult<JobRun> {
    let now = state.clock.now();
    let as_of = state.today();
    let tz = tz(state);
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| Ok(alerts::run_job(c, as_of, now, tz).await?))
        .await?;
    Ok(out)
}

// ------------------------------------------------------------------ anomalies

/// The anomaly rules, the values `rule` takes.
fn anomaly_rule_schema() -> utoipa::openapi::schema::Object {
    crate::openapi::string_enum(
        RuleId::ALL
            .iter()
            .filter(|r| r.is_anomaly())
            .map(|r| r.as_str()),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomaliesQuery {
    pub org: Option<Uuid>,
    /// An anomaly rule (`JC-B…`); deadline rules (`JC-A…`) are alerts, not anomalies.
    #[param(schema_with = anomaly_rule_schema)]
    pub rule: Option<RuleId>,
    /// First day (default: 1 January of the current year).
    pub from: Option<NaiveDate>,
    /// Last day (default: today); at most 3 years after `from`.
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

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
    auth.require(&[
        Role::SysAdmin,
        Role::OrgAdmin,
        Role::Supervisor,
        Role::Reviewer,
    ])?;
    if q.rule.is_some_and(|r| !r.is_anomaly()) {
        return Err(ApiError::field(
            "?rule",
            "rule.not_anomaly",
            "an anomaly rule (JC-B…)",
        ));
    }
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let after = page.after_key()?;
    let today = state.today();
    let to = q.to.unwrap_or(today);
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    zhengwu_domain::validation::period(from, to, zhengwu_domain::validation::MAX_PERIOD_DAYS)
        .map_err(|v| ApiError::field("?to", v.code, v.message))?;
    let tzone = state.config.timezone;
    let start = |d: NaiveDate| -> DateTime<Utc> {
        tzone
            .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let mut conn = state.heavy_read_conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let items: Vec<Anomaly> = alerts::compute_anomalies(
        &mut conn,
        within.as_deref(),
        start(from),
        start(to.succ_opt().unwrap_or(to)),
        tz(&state),
    )
    .await?
    .into_iter()
    .filter(|a| q.rule.is_none_or(|r| a.rule_id == r))
    .collect();
    let mut page = Page::from_sorted(items, limit, after.as_deref(), Anomaly::cursor);
    let (org_names, people) = alerts::names(
        &mut conn,
        &page
            .items
            .iter()
            .map(|a| a.organization_id)
            .collect::<Vec<_>>(),
        &page
            .items
            .iter()
            .filter_map(|a| a.responsible_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    for a in &mut page.items {
        a.organization_name = org_names.get(&a.organization_id).cloned();
        a.responsible_name = a.responsible_id.and_then(|p| people.get(&p).cloned());
    }
    Ok(page_response(&req, page))
}
