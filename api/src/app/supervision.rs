//! Supervision (电子监察): the rules of an organisation, the deadline alerts and their
//! history, the alert job and the anomaly findings.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{OrganizationId, UserId};
use zhengwu_domain::supervision::{
    self as rules, AlertLevel, AlertObject, RuleId, SupervisionRules,
};
use zhengwu_domain::validation::{MAX_PERIOD_DAYS, period};
use zhengwu_persistence::supervision::{self as repo, EventFilter};
use zhengwu_persistence::{Conn, Found, orgs};

use crate::alerts::{self, Alert, AlertSummary, Anomaly, JobRun};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, AtField, FieldProblem};
use crate::extract::IfMatch;
use crate::pagination::{Page, PageParams};
use crate::routes::supervision::dto::{AlertEventDto, RuleInfo, RulesDto};
use crate::state::AppState;

// ------------------------------------------------------------------ rules

/// The rules in force at an organisation (the actor's own when `org` is absent).
pub async fn get_rules(
    app: &AppState,
    actor: &Actor,
    org: Option<OrganizationId>,
) -> AppResult<RulesDto> {
    actor.require(rules::WATCHERS)?;
    let mut conn = app.conn().await?;
    let org = rules_org(&mut conn, actor, org).await?;
    rules_dto(&mut conn, &org).await
}

/// Set an organisation's own rules.
pub async fn put_rules(
    app: &AppState,
    actor: &Actor,
    org: Option<OrganizationId>,
    expect: &IfMatch,
    input: SupervisionRules,
) -> AppResult<RulesDto> {
    actor.require(rules::RULE_SETTERS)?;
    let rules = parse_rules(input)?;
    let audit = AuditCtx::new(app, actor.clone());
    let by = actor.id.ok_or_else(ApiError::internal)?;
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let org = rules_org(c, actor, org).await?;
            match repo::own_rules_version(c, OrganizationId(org.id)).await? {
                Some(v) => expect.check(v)?,
                None => expect.check_absent()?,
            }
            let before = repo::rules_at(c, org.path.as_str()).await?.0;
            repo::put_rules(c, OrganizationId(org.id), &rules, UserId(by), now).await?;
            let (action, kind) = ("supervision.rules.put", "supervision_rules");
            let path = Some(&org.path);
            audit
                .record(c, action, kind, org.id, path, Some(&before), Some(&rules))
                .await?;
            rules_dto(c, &org).await
        })
        .await;
    refresh_soon(app);
    saved
}

/// The rules as sent, checked: every problem located by field.
fn parse_rules(rules: SupervisionRules) -> AppResult<SupervisionRules> {
    let problems = rules.validate();
    if problems.is_empty() {
        return Ok(rules);
    }
    let problems = problems
        .into_iter()
        .map(|(f, v)| FieldProblem {
            pointer: format!("/{f}"),
            code: v.code.to_owned(),
            message: v.message.into_owned(),
        })
        .collect();
    Err(ApiError::validation(problems))
}

async fn rules_org(
    conn: &mut Conn,
    actor: &Actor,
    org: Option<OrganizationId>,
) -> AppResult<orgs::Organization> {
    let id = org
        .or(actor.org)
        .ok_or_else(|| ApiError::field("?org", Code::FieldRequiredWhen, "name the organisation"))?;
    match orgs::get(conn, id.0).await.found()? {
        Some(o) if actor.sees(&o.path) => Ok(o),
        _ => Err(ApiError::not_found("organisation")),
    }
}

async fn rules_dto(conn: &mut Conn, org: &orgs::Organization) -> AppResult<RulesDto> {
    let (rules, defined_at) = repo::rules_at(conn, org.path.as_str()).await?;
    let version = if defined_at == Some(org.id) {
        repo::own_rules_version(conn, OrganizationId(org.id)).await?
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
        organization_id: org.id,
        defined_at,
        version,
        rules,
        catalogue,
    })
}

// ------------------------------------------------------------------ alerts

/// A search of the alerts of a day.
#[derive(Debug, Default)]
pub struct AlertSearch {
    pub as_of: Option<NaiveDate>,
    pub level: Option<AlertLevel>,
    pub kind: Option<AlertObject>,
    pub org: Option<OrganizationId>,
    pub responsible: Option<UserId>,
}

/// The alerts of a day inside the actor's scope (or the subtree asked for), red first, the
/// most overdue first: a range read of the stored obligations.
pub async fn alerts(
    app: &AppState,
    actor: &Actor,
    s: AlertSearch,
    page: &PageParams,
) -> AppResult<Page<Alert>> {
    actor.require(rules::WATCHERS)?;
    let limit = page.limit()?;
    let after = page.after_parsed(Alert::parse_cursor)?;
    let as_of = s.as_of.unwrap_or_else(|| app.today());
    let kinds: Vec<AlertObject> = match s.kind {
        Some(k) => vec![k],
        None => AlertObject::ALL.to_vec(),
    };
    let filter = alerts::AlertFilter {
        as_of,
        kinds: &kinds,
        level: s.level,
        responsible: s.responsible.map(|r| r.0),
    };
    let mut conn = app.read_conn().await?;
    // The subtree asked for, the calendar and the queue: one round trip, then the rows.
    let (scope, first) =
        futures_util::future::try_join(crate::app::narrowed(&conn, actor.scope(), s.org), async {
            Ok(alerts::Prelude::read(&conn).await?)
        })
        .await?;
    let take = usize::try_from(limit).unwrap_or(0) + 1;
    let rows = alerts::alerts_after(
        &mut conn,
        first,
        &scope,
        &filter,
        after.as_ref(),
        Some(take),
        tz(app),
    )
    .await?;
    let page = Page::from_rows(rows, limit, Alert::cursor, |a| a);
    Ok(page)
}

/// The alerts of a day inside the actor's scope (or the subtree asked for), counted by
/// level, kind and responsible organisation, from the same rows as the list.
pub async fn alert_summary(
    app: &AppState,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    org: Option<OrganizationId>,
) -> AppResult<AlertSummary> {
    actor.require(rules::WATCHERS)?;
    let as_of = as_of.unwrap_or_else(|| app.today());
    let mut conn = app.read_conn().await?;
    let scope = crate::app::narrowed(&conn, actor.scope(), org).await?;
    let counts = alerts::alert_counts(&mut conn, &scope, AlertObject::ALL, as_of, tz(app)).await?;
    let org_ids: Vec<Uuid> = counts.keys().map(|k| k.organization_id).collect();
    let (org_names, _) = alerts::names(&mut conn, &org_ids, &[]).await?;
    Ok(AlertSummary::of(as_of, &counts, &org_names))
}

/// A search of the alert history.
#[derive(Debug, Default)]
pub struct EventSearch {
    pub org: Option<OrganizationId>,
    pub kind: Option<AlertObject>,
    pub object_id: Option<Uuid>,
    pub level: Option<AlertLevel>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The alert history inside the actor's scope (or the subtree asked for), oldest first.
pub async fn alert_events(
    app: &AppState,
    actor: &Actor,
    s: EventSearch,
    page: &PageParams,
) -> AppResult<Page<AlertEventDto>> {
    actor.require(rules::WATCHERS)?;
    let limit = page.limit()?;
    let mut conn = app.read_conn().await?;
    let scope = crate::app::narrowed(&conn, actor.scope(), s.org).await?;
    let filter = EventFilter {
        kind: s.kind.map(|k| k.as_str().to_owned()),
        object_id: s.object_id,
        level: s.level.map(|l| l.as_str().to_owned()),
        from: s.from,
        to: s.to,
        after_id: page.after_i64()?,
        limit: limit + 1,
    };
    let rows = repo::alert_events(&mut conn, &scope, &filter).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |e| e.id.to_string(),
        AlertEventDto::from,
    ))
}

/// Run the alert job now (supervisors).
pub async fn run_alert_job(app: &AppState, actor: &Actor) -> AppResult<JobRun> {
    actor.require(rules::SUPERVISORS)?;
    job(app).await
}

/// One run of the alert job on the server's clock.
pub async fn job(app: &AppState) -> AppResult<JobRun> {
    let now = app.clock.now();
    let as_of = app.today();
    let tz = tz(app);
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| Ok(alerts::run_job(c, as_of, now, tz).await?))
        .await
}

/// Starts the obligations' refresher in the background: after a change of the calendar or
/// the rules, which queues many obligations at once (readers compute them from the records
/// until it is done).
pub fn refresh_soon(app: &AppState) {
    let app = app.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = refresh_obligations(&app).await {
            log::warn!("obligations refresh failed: {e}");
        }
    });
}

/// One run of the obligations' refresher on a connection of the server's pool (see
/// [`alerts::obligations`]).
pub async fn refresh_obligations(app: &AppState) -> AppResult<alerts::obligations::Refreshed> {
    let mut conn = app.conn().await?;
    let batch = alerts::obligations::REFRESH_BATCH;
    Ok(alerts::obligations::refresh(&mut conn, batch, app.today(), tz(app)).await?)
}

// ------------------------------------------------------------------ anomalies

/// A search of the anomalies of a period.
#[derive(Debug, Default)]
pub struct AnomalySearch {
    pub org: Option<OrganizationId>,
    pub rule: Option<RuleId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The anomalies found in a period inside the actor's scope (or the subtree asked for).
pub async fn anomalies(
    app: &AppState,
    actor: &Actor,
    s: AnomalySearch,
    page: &PageParams,
) -> AppResult<Page<Anomaly>> {
    actor.require(rules::ANOMALY_READERS)?;
    if s.rule.is_some_and(|r| !r.is_anomaly()) {
        return Err(ApiError::field(
            "?rule",
            Code::RuleNotAnomaly,
            "an anomaly rule (JC-B…)",
        ));
    }
    let (limit, after) = (page.limit()?, page.after_key()?);
    let (from, to) = anomaly_period(app, s.from, s.to)?;
    let mut conn = app.heavy_read_conn().await?;
    let scope = crate::app::narrowed(&conn, actor.scope(), s.org).await?;
    let (start, end) = (
        day_start(app, from),
        day_start(app, to.succ_opt().unwrap_or(to)),
    );
    let items: Vec<Anomaly> = alerts::compute_anomalies(&mut conn, &scope, start, end, tz(app))
        .await?
        .into_iter()
        .filter(|a| s.rule.is_none_or(|r| a.rule_id == r))
        .collect();
    let mut page = Page::from_sorted(items, limit, after.as_deref(), Anomaly::cursor);
    let org_ids: Vec<Uuid> = page.items.iter().map(|a| a.organization_id).collect();
    let people: Vec<Uuid> = page.items.iter().filter_map(|a| a.responsible_id).collect();
    let (org_names, names) = alerts::names(&mut conn, &org_ids, &people).await?;
    for a in &mut page.items {
        a.organization_name = org_names.get(&a.organization_id).cloned();
        a.responsible_name = a.responsible_id.and_then(|p| names.get(&p).cloned());
    }
    Ok(page)
}

/// The period of an anomaly search: by default from 1 January of the last day's year to
/// today; at most [`MAX_PERIOD_DAYS`].
fn anomaly_period(
    app: &AppState,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let to = to.unwrap_or_else(|| app.today());
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    period(from, to, MAX_PERIOD_DAYS).at("?to")?;
    Ok((from, to))
}

/// The start of a day in the server's time zone.
fn day_start(app: &AppState, d: NaiveDate) -> DateTime<Utc> {
    app.config
        .timezone
        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn tz(app: &AppState) -> &'static str {
    app.config.timezone.name()
}
