//! The disclosure assessment (政务公开考核评议): per organisation of a subtree, how timely
//! its disclosure is — proactive items overdue for publication or published late, applications
//! replied late, forwarded topic requests and leader messages unanswered after their feedback
//! deadline, and the response time of the echo wall.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::assessment::{self as rules, DisclosureFacts, DisclosureFindings};
use zhengwu_domain::org::OrgKind;
use zhengwu_persistence::assessments as repo;
use zhengwu_persistence::{DbError, orgs};

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::routes::assessments::READERS;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureAssessmentQuery {
    /// The organisation whose subtree is assessed.
    #[param(example = "01941f29-7c00-7001-8000-000000000001")]
    pub org: Uuid,
    /// Up to the current year.
    #[param(example = 2026)]
    #[param(minimum = 2008)]
    pub year: i32,
}

/// The findings of one organisation, or the totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Findings {
    /// Proactive items due in the year, past their due date (OGI Art.26: 20 working days
    /// after forming) and not published on the day of evaluation.
    pub overdue_unpublished: u64,
    /// Proactive items due in the year and published after their due date.
    pub published_late: u64,
    /// Replies to applications in the year given after the statutory deadline.
    pub late_replies: u64,
    /// Topic requests and leader messages forwarded to it, past their feedback deadline
    /// (限时反馈) and not answered.
    pub unanswered_past_due: u64,
    /// Messages it answered in the year.
    pub answered_messages: u64,
    /// Mean calendar days from submission to answer of those messages (回音壁 response time).
    pub mean_response_days: Option<f64>,
}

impl From<&DisclosureFindings> for Findings {
    fn from(f: &DisclosureFindings) -> Self {
        Self {
            overdue_unpublished: f.overdue_unpublished,
            published_late: f.published_late,
            late_replies: f.late_replies,
            unanswered_past_due: f.unanswered_past_due,
            answered_messages: f.answered_messages,
            mean_response_days: f.mean_response_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationFindings {
    pub organization_id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    #[serde(flatten)]
    pub findings: Findings,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureAssessment {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub year: i32,
    /// The day of evaluation: today for the current year, 31 December for a past one.
    pub as_of: NaiveDate,
    /// Every organisation of the subtree, in tree order.
    pub organizations: Vec<OrganizationFindings>,
    pub totals: Findings,
}

/// The disclosure assessment (考核评议) of an organisation's subtree for a year, computed
/// from the records: proactive items overdue for publication or published late,
/// applications replied late, forwarded topic requests and leader messages unanswered past
/// their feedback deadline, and the echo wall's mean response time. Supervisors and
/// administrators, within their scope.
#[utoipa::path(operation_id = "getDisclosureAssessment",
    tag = "assessment", security(("bearer" = [])), params(DisclosureAssessmentQuery),
    responses((status = 200, body = DisclosureAssessment),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such organisation in your scope")))]
#[get("/supervision/disclosure-assessment")]
pub async fn disclosure_assessment(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<DisclosureAssessmentQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(READERS)?;
    let tz = state.config.timezone;
    let today = state.clock.now().with_timezone(&tz).date_naive();
    if q.year < 2008 {
        return Err(ApiError::field(
            "?year",
            "range",
            "a year from 2008 (OGI in force) on",
        ));
    }
    if q.year > today.year() {
        return Err(ApiError::field(
            "?year",
            "year.future",
            "a year up to the current one",
        ));
    }
    let start = NaiveDate::from_ymd_opt(q.year, 1, 1).ok_or_else(ApiError::internal)?;
    let end = NaiveDate::from_ymd_opt(q.year, 12, 31).ok_or_else(ApiError::internal)?;
    let as_of = today.min(end);
    let mut conn = state.heavy_read_conn().await?;
    let org = match orgs::get(&mut conn, q.org).await {
        Ok(o) if auth.sees(&o.path) => o,
        Ok(_) | Err(DbError::NotFound) => return Err(ApiError::not_found("organization")),
        Err(e) => return Err(e.into()),
    };
    let path = org.path.as_str().to_owned();
    let local = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let instant = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let members = repo::subtree(&mut conn, &path).await?;
    let mut facts: HashMap<Uuid, DisclosureFacts> = HashMap::new();
    for (o, due, published) in repo::proactive_duties(&mut conn, &path, start, end).await? {
        facts
            .entry(o)
            .or_default()
            .proactive
            .push((due, published.map(local)));
    }
    for o in repo::late_replies(&mut conn, &path, start, end).await? {
        facts.entry(o).or_default().late_replies += 1;
    }
    for (o, due, answered) in repo::forwarded_messages(&mut conn, &path, start, end).await? {
        facts
            .entry(o)
            .or_default()
            .forwarded
            .push((due, answered.map(local)));
    }
    let next_year = end.succ_opt().unwrap_or(end);
    for (o, submitted, answered) in
        repo::answered_messages(&mut conn, &path, instant(start), instant(next_year)).await?
    {
        facts
            .entry(o)
            .or_default()
            .answered
            .push((local(submitted), local(answered)));
    }
    let mut totals = DisclosureFindings::default();
    let mut organizations = Vec::with_capacity(members.len());
    for m in members {
        let f = facts
            .get(&m.id)
            .map(|f| rules::disclosure_findings(as_of, f))
            .unwrap_or_default();
        totals.merge(&f);
        organizations.push(OrganizationFindings {
            organization_id: m.id,
            name: m.name,
            kind: OrgKind::parse(&m.kind).ok_or_else(ApiError::internal)?,
            findings: (&f).into(),
        });
    }
    Ok(HttpResponse::Ok().json(DisclosureAssessment {
        organization_id: org.id,
        organization_name: org.name,
        year: q.year,
        as_of,
        organizations,
        totals: (&totals).into(),
    }))
}
