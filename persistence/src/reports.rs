//! The facts behind the annual disclosure report (政府信息公开工作年度报告).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::disclosure::{DocumentKind, Validity};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::report::DocumentVersion;
use zhengwu_domain::services::MatterType;

use crate::db::{Conn, DbError};
use crate::orgs::escape_like;
use crate::schema::{
    annual_report_texts, case_fees, cases, disclosure_requests, organizations, request_remedies,
    request_replies, service_matter_versions,
};
use crate::{parse_col, parse_opt_col};

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

/// Every version, published before `until`, of the subtree's documents (not their
/// interpretations) filed in the standard category 01 (法规规章和规范性文件) or below it, or in
/// a category of a kind of document, with the kind its category (or the nearest one above)
/// gives.
pub async fn document_versions(
    conn: &mut Conn,
    path: &str,
    until: DateTime<Utc>,
) -> Result<Vec<DocumentVersion>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        item_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        number: i32,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        published_at: DateTime<Utc>,
        #[diesel(sql_type = Text)]
        validity: String,
        #[diesel(sql_type = Nullable<Text>)]
        kind: Option<String>,
    }
    let rows: Vec<Row> = crate::sql::prepared(
        "WITH RECURSIVE tree AS (
            SELECT c.id, c.document_kind AS kind, c.standard AND c.code = '01' AS in_01
              FROM disclosure_categories c JOIN organizations o ON o.id = c.organization_id
             WHERE c.parent_id IS NULL AND o.path LIKE $1
            UNION ALL
            SELECT d.id, coalesce(d.document_kind, t.kind), t.in_01
              FROM disclosure_categories d JOIN tree t ON d.parent_id = t.id
         )
         SELECT v.item_id, v.number, v.published_at, v.validity, t.kind
           FROM disclosure_versions v JOIN tree t ON t.id = v.category_id
          WHERE (t.kind IS NOT NULL OR t.in_01) AND v.kind = 'document'
            AND v.org_path LIKE $1 AND v.published_at < $2",
    )
    .bind::<Text, _>(inside(path))
    .bind::<diesel::sql_types::Timestamptz, _>(until)
    .load(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DocumentVersion {
                item: r.item_id,
                number: r.number,
                published_at: r.published_at,
                validity: parse_col(&r.validity, Validity::parse)?,
                kind: parse_opt_col(r.kind.as_deref(), DocumentKind::parse)?,
            })
        })
        .collect()
}

/// Decisions in `from..=to` on cases of matters of one type in the subtree.
pub async fn decisions(
    conn: &mut Conn,
    path: &str,
    matter_type: MatterType,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    Ok(cases::table
        .inner_join(service_matter_versions::table.on(crate::cases::filed_version()))
        .filter(cases::organization_id.eq_any(orgs))
        .filter(cases::decided_on.between(from, to))
        .filter(service_matter_versions::matter_type.eq(matter_type.as_str()))
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

pub async fn texts(
    conn: &mut Conn,
    org: OrganizationId,
    year: i32,
) -> Result<Option<Texts>, DbError> {
    let org = org.0;
    Ok(annual_report_texts::table
        .find((org, year))
        .select(Texts::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn texts_version_for_update(
    conn: &mut Conn,
    org: OrganizationId,
    year: i32,
) -> Result<Option<i32>, DbError> {
    let org = org.0;
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
    org: OrganizationId,
    year: i32,
    overview: &str,
    problems: &str,
    other: &str,
) -> Result<Texts, DbError> {
    let org = org.0;
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
