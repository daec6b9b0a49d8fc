//! The facts behind the annual disclosure report (政府信息公开工作年度报告).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::orgs::escape_like;
use crate::schema::{
    annual_report_texts, case_fees, cases, disclosure_categories, disclosure_requests,
    disclosure_versions, organizations, request_remedies, request_replies, service_matter_versions,
};

/// One application as table 3 sees it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ApplicationFact {
    pub applicant_type: String,
    pub legal_person_kind: Option<String>,
    pub received_on: NaiveDate,
    pub reply_type: Option<String>,
    pub replied_on: Option<NaiveDate>,
}

fn inside(path: &str) -> String {
    format!("{}%", escape_like(path))
}

/// Applications of the subtree received up to `until` (carried-in ones included).
pub async fn applications(
    conn: &mut Conn,
    path: &str,
    until: NaiveDate,
) -> Result<Vec<ApplicationFact>, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    Ok(disclosure_requests::table
        .left_join(request_replies::table)
        .filter(disclosure_requests::organization_id.eq_any(orgs))
        .filter(disclosure_requests::received_on.le(until))
        .select((
            disclosure_requests::applicant_type,
            disclosure_requests::legal_person_kind,
            disclosure_requests::received_on,
            request_replies::reply_type.nullable(),
            request_replies::replied_on.nullable(),
        ))
        .load(conn)
        .await?)
}

/// Remedies filed in `from..=to` for applications of the subtree: (kind, outcome).
pub async fn remedies(
    conn: &mut Conn,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, String)>, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    let requests = disclosure_requests::table
        .filter(disclosure_requests::organization_id.eq_any(orgs))
        .select(disclosure_requests::id);
    Ok(request_remedies::table
        .filter(request_remedies::request_id.eq_any(requests))
        .filter(request_remedies::filed_on.between(from, to))
        .select((request_remedies::kind, request_remedies::outcome))
        .load(conn)
        .await?)
}

/// First publications of category `01` documents (regulations and normative documents):
/// (first published, current validity, whether the current version is current).
pub async fn normative_documents(
    conn: &mut Conn,
    path: &str,
) -> Result<Vec<(Uuid, i32, DateTime<Utc>, String, bool)>, DbError> {
    Ok(disclosure_versions::table
        .inner_join(disclosure_categories::table)
        .filter(disclosure_versions::org_path.like(inside(path)))
        .filter(disclosure_categories::code.eq("01"))
        .select((
            disclosure_versions::item_id,
            disclosure_versions::number,
            disclosure_versions::published_at,
            disclosure_versions::validity,
            disclosure_versions::is_current,
        ))
        .load(conn)
        .await?)
}

/// Decisions in `from..=to` on cases of matters of the given types in the subtree.
pub async fn decisions(
    conn: &mut Conn,
    path: &str,
    types: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    Ok(cases::table
        .inner_join(
            service_matter_versions::table.on(service_matter_versions::matter_id
                .nullable()
                .eq(cases::matter_id)
                .and(
                    service_matter_versions::number
                        .nullable()
                        .eq(cases::matter_version),
                )),
        )
        .filter(cases::organization_id.eq_any(orgs))
        .filter(cases::decided_on.between(from, to))
        .filter(service_matter_versions::matter_type.eq_any(types))
        .count()
        .get_result(conn)
        .await?)
}

/// Fees charged on cases of the subtree in the period, in fen.
pub async fn fees_fen(
    conn: &mut Conn,
    path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    let in_scope = cases::table
        .filter(cases::organization_id.eq_any(orgs))
        .select(cases::id);
    let amounts: Vec<i64> = case_fees::table
        .filter(case_fees::case_id.eq_any(in_scope))
        .filter(case_fees::at.ge(from))
        .filter(case_fees::at.lt(to))
        .select(case_fees::amount_fen)
        .load(conn)
        .await?;
    Ok(amounts.iter().sum())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = annual_report_texts)]
pub struct Texts {
    pub organization_id: Uuid,
    pub year: i32,
    pub overview: String,
    pub problems: String,
    pub other_matters: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

pub async fn texts(conn: &mut Conn, org: Uuid, year: i32) -> Result<Option<Texts>, DbError> {
    Ok(annual_report_texts::table
        .find((org, year))
        .select(Texts::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn texts_version_for_update(
    conn: &mut Conn,
    org: Uuid,
    year: i32,
) -> Result<Option<i32>, DbError> {
    Ok(annual_report_texts::table
        .find((org, year))
        .select(annual_report_texts::version)
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn put_texts(
    conn: &mut Conn,
    org: Uuid,
    year: i32,
    overview: &str,
    problems: &str,
    other: &str,
) -> Result<Texts, DbError> {
    Ok(diesel::insert_into(annual_report_texts::table)
        .values((
            annual_report_texts::organization_id.eq(org),
            annual_report_texts::year.eq(year),
            annual_report_texts::overview.eq(overview),
            annual_report_texts::problems.eq(problems),
            annual_report_texts::other_matters.eq(other),
        ))
        .on_conflict((
            annual_report_texts::organization_id,
            annual_report_texts::year,
        ))
        .do_update()
        .set((
            annual_report_texts::overview.eq(overview),
            annual_report_texts::problems.eq(problems),
            annual_report_texts::other_matters.eq(other),
            annual_report_texts::version.eq(annual_report_texts::version + 1),
            annual_report_texts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Texts::as_returning())
        .get_result(conn)
        .await?)
}
