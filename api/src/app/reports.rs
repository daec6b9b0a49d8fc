//! The annual disclosure report (政府信息公开工作年度报告, OGI Art.49–50): computed from the
//! records of an organisation's subtree for a year, with the texts of sections 1, 5 and 6
//! written for it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind, Role};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::report::{self, DocumentRows, Table3};
use zhengwu_domain::requests::ReplyType;
use zhengwu_domain::services::MatterType;
use zhengwu_persistence::reports::{self as repo, Texts};
use zhengwu_persistence::{Conn, Found, orgs};

use crate::app::ParseOn;
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::state::AppState;

/// Who reads the report.
const READERS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::DisclosureOfficer,
    Role::Supervisor,
];
/// Who writes its texts.
const WRITERS: &[Role] = &[Role::OrgAdmin, Role::DisclosureOfficer];
/// The first year of the Regulations on Open Government Information.
const FIRST_YEAR: i32 = 2008;
const LAST_YEAR: i32 = 2200;

/// What the report is computed from.
pub struct AnnualFacts {
    pub org: orgs::Organization,
    pub year: i32,
    /// Table 2: the documents as they stood at the end of the year.
    pub documents: DocumentRows,
    pub licensing_decisions: i64,
    pub penalty_decisions: i64,
    pub coercion_decisions: i64,
    pub fees_fen: i64,
    pub table3: Table3,
    /// Per kind of remedy: upheld, corrected, other, pending, total.
    pub table4: Vec<(String, [u64; 5])>,
    pub texts: Option<Texts>,
}

/// The texts of sections 1, 5 and 6, parsed (trimmed, at most 20,000 characters each).
pub struct ReportTexts {
    pub overview: String,
    pub problems: String,
    pub other_matters: String,
}

/// The organisation, if the actor sees it; `unknown()` otherwise.
async fn visible_org(
    c: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
    unknown: impl Fn() -> ApiError,
) -> AppResult<orgs::Organization> {
    match orgs::get(c, id.0).await.found()? {
        Some(o) if actor.sees(&o.path) => Ok(o),
        _ => Err(unknown()),
    }
}

/// The report of an organisation's subtree for a year.
pub async fn annual(
    app: &AppState,
    actor: &Actor,
    org: OrganizationId,
    year: i32,
) -> AppResult<AnnualFacts> {
    actor.require(READERS)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(ApiError::field(
            "?year",
            Code::Range,
            "a year from 2008 (OGI in force) on",
        ));
    }
    let mut conn = app.conn().await?;
    let not_in_scope = || {
        ApiError::field(
            "?org",
            Code::ReferenceNotFound,
            "no such organisation in your scope",
        )
    };
    let org = visible_org(&mut conn, actor, org, not_in_scope).await?;
    let path = org.path.as_str().to_owned();
    let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(ApiError::internal)?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(ApiError::internal)?;
    let tz = app.config.timezone;
    let instant = |d: NaiveDate| -> DateTime<Utc> {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let (from_t, to_t) = (instant(start), instant(end.succ_opt().unwrap_or(end)));
    let versions = repo::document_versions(&mut conn, &path, to_t).await?;
    let documents = report::document_rows(from_t, to_t, &versions);
    let mut decided = [0; 3];
    for (n, t) in decided.iter_mut().zip([
        MatterType::AdministrativeLicensing,
        MatterType::AdministrativePenalty,
        MatterType::AdministrativeCoercion,
    ]) {
        *n = repo::decisions(&mut conn, &path, t, start, end).await?;
    }
    let [licensing_decisions, penalty_decisions, coercion_decisions] = decided;
    let fees_fen = repo::fees_fen(&mut conn, &path, from_t, to_t).await?;
    let apps: Vec<report::Application> = repo::applications(&mut conn, &path, end)
        .await?
        .into_iter()
        .map(|a| report::Application {
            applicant_type: ApplicantType::parse(&a.applicant_type)
                .unwrap_or(ApplicantType::NaturalPerson),
            legal_person_kind: a
                .legal_person_kind
                .as_deref()
                .and_then(LegalPersonKind::parse),
            received_on: a.received_on,
            reply: a
                .reply_type
                .as_deref()
                .and_then(ReplyType::parse)
                .zip(a.replied_on),
        })
        .collect();
    let table3 = report::table3(year, &apps);
    let table4 = report::table4(&repo::remedies(&mut conn, &path, start, end).await?);
    let texts = repo::texts(&mut conn, OrganizationId(org.id), year).await?;
    Ok(AnnualFacts {
        org,
        year,
        documents,
        licensing_decisions,
        penalty_decisions,
        coercion_decisions,
        fees_fen,
        table3,
        table4,
        texts,
    })
}

#[derive(Serialize)]
struct TextsRecord {
    version: i32,
}

/// Write sections 1, 5 and 6 of an organisation's report for a year (If-Match replaces
/// them); returns the new version.
pub async fn put_texts(
    app: &AppState,
    actor: &Actor,
    (org, year): (OrganizationId, i32),
    if_match: &IfMatch,
    input: impl ParseOn<ReportTexts>,
) -> AppResult<i32> {
    actor.require(WRITERS)?;
    let texts = input.parse_on(app.today())?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(ApiError::field("/year", Code::Range, "a year from 2008 on"));
    }
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = visible_org(c, actor, org, || ApiError::not_found("organization")).await?;
        match repo::texts_version_for_update(c, OrganizationId(org.id), year).await? {
            Some(v) => if_match.check(v)?,
            None => if_match.check_absent()?,
        }
        let t = repo::put_texts(
            c,
            OrganizationId(org.id),
            year,
            &texts.overview,
            &texts.problems,
            &texts.other_matters,
        )
        .await?;
        audit
            .record(
                c,
                "annual_report.text",
                "annual_report",
                format!("{}/{year}", org.id),
                Some(&org.path),
                None::<&()>,
                Some(&TextsRecord { version: t.version }),
            )
            .await?;
        Ok(t.version)
    })
    .await
}
