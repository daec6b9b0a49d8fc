//! The disclosure assessment (政务公开考核评议) of an organisation's subtree for a year,
//! computed from the records by the domain's rules.

use std::collections::HashMap;
use zhengwu_domain::codes::Code;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::assessment::{self as rules, DisclosureFacts, DisclosureFindings};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::OrgKind;
use zhengwu_persistence::assessments as repo;
use zhengwu_persistence::{Conn, DbError, orgs};

use crate::app::{Actor, AppResult};
use crate::error::ApiError;
use crate::routes::disclosure_assessment::{DisclosureAssessment, OrganizationFindings};
use crate::state::AppState;

/// Who reads assessments: supervisors and administrators, within their scope.
const READERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];

/// The first year assessed: the Regulations on Open Government Information took effect in
/// 2008.
const FIRST_YEAR: i32 = 2008;

/// A year from 2008 up to the current one.
fn check_year(year: i32, today: NaiveDate) -> AppResult<()> {
    if year < FIRST_YEAR {
        return Err(ApiError::field(
            "?year",
            Code::Range,
            "a year from 2008 (OGI in force) on",
        ));
    }
    if year > today.year() {
        return Err(ApiError::field(
            "?year",
            Code::YearFuture,
            "a year up to the current one",
        ));
    }
    Ok(())
}

/// The year's first and last day.
fn year_bounds(year: i32) -> AppResult<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(ApiError::internal)?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(ApiError::internal)?;
    Ok((start, end))
}

/// Assess the subtree of `org` for `year`, as of today (or 31 December of a past year).
pub async fn assess(
    app: &AppState,
    actor: &Actor,
    org: OrganizationId,
    year: i32,
) -> AppResult<DisclosureAssessment> {
    actor.require(READERS)?;
    let tz = app.config.timezone;
    let today = app.clock.now().with_timezone(&tz).date_naive();
    check_year(year, today)?;
    let (start, end) = year_bounds(year)?;
    let as_of = today.min(end);
    let mut conn = app.heavy_read_conn().await?;
    let org = match orgs::get(&mut conn, org.0).await {
        Ok(o) if actor.sees(&o.path) => o,
        Ok(_) | Err(DbError::NotFound) => return Err(ApiError::not_found("organization")),
        Err(e) => return Err(e.into()),
    };
    let path = org.path.as_str();
    let facts = gather(&mut conn, &tz, path, (start, end)).await?;
    let mut totals = DisclosureFindings::default();
    let members = repo::subtree(&mut conn, path).await?;
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
    Ok(DisclosureAssessment {
        organization_id: org.id,
        organization_name: org.name,
        year,
        as_of,
        organizations,
        totals: (&totals).into(),
    })
}

/// The facts of every organisation of the subtree at `path` with any in the year: its
/// proactive duties, late replies, forwarded messages and answered messages.
async fn gather(
    conn: &mut Conn,
    tz: &chrono_tz::Tz,
    path: &str,
    (start, end): (NaiveDate, NaiveDate),
) -> AppResult<HashMap<Uuid, DisclosureFacts>> {
    let local = |t: DateTime<Utc>| t.with_timezone(tz).date_naive();
    let instant = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let mut facts: HashMap<Uuid, DisclosureFacts> = HashMap::new();
    for (o, due, published) in repo::proactive_duties(conn, path, start, end).await? {
        let duties = &mut facts.entry(o).or_default().proactive;
        duties.push((due, published.map(local)));
    }
    for o in repo::late_replies(conn, path, start, end).await? {
        facts.entry(o).or_default().late_replies += 1;
    }
    for (o, due, answered) in repo::forwarded_messages(conn, path, start, end).await? {
        let forwarded = &mut facts.entry(o).or_default().forwarded;
        forwarded.push((due, answered.map(local)));
    }
    let next_year = end.succ_opt().unwrap_or(end);
    let (from, to) = (instant(start), instant(next_year));
    for (o, submitted, answered) in repo::answered_messages(conn, path, from, to).await? {
        let answers = &mut facts.entry(o).or_default().answered;
        answers.push((local(submitted), local(answered)));
    }
    Ok(facts)
}
