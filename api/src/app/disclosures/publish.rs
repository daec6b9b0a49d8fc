//! Publication: the filed version, the index number and the personal-data check.

use chrono::Datelike;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::disclosure::IndexFormat;
use zhengwu_domain::ids::{CategoryId, DisclosureItemId, OrganizationId};
use zhengwu_domain::pii::PiiExceptionGround;
use zhengwu_persistence::disclosure::{self as repo, Item, Version};
use zhengwu_persistence::{Conn, orgs};

use super::view::{self, FiledAttachment};
use super::workflow::PiiException;
use crate::app::AppResult;
use crate::error::{ApiError, FieldProblem};
use crate::routes::disclosures::views::PiiFindingDto;
use crate::state::AppState;

/// The exception a version was published under, as it is filed and audited.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRecord {
    pub ground: PiiExceptionGround,
    pub note: String,
    /// How many pieces of personal data were published under it.
    pub findings: usize,
}

/// What a publication filed.
#[derive(Debug, Clone, Serialize)]
pub struct Filed {
    pub version: i32,
    pub index_number: String,
    pub pii_exception: Option<ExceptionRecord>,
}

#[derive(Serialize)]
struct FindingsContext<'a> {
    findings: &'a [PiiFindingDto],
}

/// 422: personal data to mask, or to publish under a recorded exception.
fn pii_problem(findings: &[PiiFindingDto]) -> ApiError {
    let mut e = ApiError::unprocessable(
        Code::DisclosurePersonalData,
        format!(
            "{} piece(s) of personal data must be masked (POST …/mask) or published under \
             a recorded exception",
            findings.len()
        ),
    )
    .context(super::to_value(&FindingsContext { findings }));
    e.errors = findings
        .iter()
        .map(|f| FieldProblem {
            pointer: format!("/{}", f.field),
            code: pii_code(f.kind),
            message: format!(
                "{} at character {}: {}",
                f.kind.label_zh(),
                f.offset,
                f.masked
            ),
        })
        .collect();
    e
}

/// Index number of an item at its first publication.
async fn assign_index_number(
    state: &AppState,
    conn: &mut Conn,
    org: &orgs::Organization,
    item: &Item,
) -> AppResult<String> {
    let format = repo::get_guide(conn, OrganizationId(org.id))
        .await?
        .and_then(|g| g.index_format)
        .and_then(|f| IndexFormat::parse(&f).ok())
        .unwrap_or_default();
    let category = repo::get_category(conn, CategoryId(item.fields.category_id)).await?;
    let org_code = org
        .credit_code
        .clone()
        .or_else(|| org.division_code.clone())
        .unwrap_or_else(|| org.id.simple().to_string()[..12].to_uppercase());
    let year = state.today().year();
    let serial = repo::next_serial(conn, org.id, year).await?;
    Ok(format.render(&org_code, &category.code, year, serial as u32))
}

/// The personal data of the item and its attachments may be published: there is none, or
/// an exception is given, which is recorded with the number of findings.
async fn personal_data_cleared(
    app: &AppState,
    item: &Item,
    attachments: &[repo::Attachment],
    exception: Option<&PiiException>,
) -> AppResult<Option<ExceptionRecord>> {
    let findings = view::scan_all(app, item, attachments).await?;
    if findings.is_empty() {
        return Ok(None);
    }
    let Some(e) = exception else {
        return Err(pii_problem(&findings));
    };
    Ok(Some(ExceptionRecord {
        ground: e.ground,
        note: e.note.clone(),
        findings: findings.len(),
    }))
}

/// Files the approved working copy as the current version: refused while it holds
/// personal data without an exception; the index number is given at the first publication.
pub async fn file(
    app: &AppState,
    conn: &mut Conn,
    (by, org): (Uuid, &orgs::Organization),
    item: &Item,
    exception: Option<&PiiException>,
    w: &mut repo::Workflow,
) -> AppResult<Filed> {
    let id = DisclosureItemId(item.id);
    let attachments = repo::attachments_of(conn, id).await?;
    let record = personal_data_cleared(app, item, &attachments, exception).await?;
    let index_number = match &item.index_number {
        Some(n) => n.clone(),
        None => assign_index_number(app, conn, org, item).await?,
    };
    let number = repo::versions_of(conn, id).await?.len() as i32 + 1;
    let now = app.clock.now();
    let snapshot: Vec<FiledAttachment> = attachments.iter().map(FiledAttachment::of).collect();
    let version = Version {
        item_id: item.id,
        number,
        organization_id: org.id,
        org_path: org.path.as_str().to_owned(),
        index_number: index_number.clone(),
        fields: item.fields.clone(),
        year: item.fields.formed_on.year(),
        attachments: super::to_value(&snapshot),
        pii_exception: record.as_ref().map(super::to_value),
        published_at: now,
        published_by: by,
        is_current: true,
    };
    repo::file_version(conn, &version).await?;
    w.index_number = Some(index_number.clone());
    w.published_version = Some(number);
    w.first_published_at = item.first_published_at.or(Some(now));
    w.withdraw_reason = None;
    Ok(Filed {
        version: number,
        index_number,
        pii_exception: record,
    })
}

/// The code of a finding of personal data.
fn pii_code(kind: zhengwu_domain::pii::PiiKind) -> Code {
    use zhengwu_domain::pii::PiiKind;
    match kind {
        PiiKind::IdNumber => Code::PiiIdNumber,
        PiiKind::Mobile => Code::PiiMobile,
        PiiKind::BankCard => Code::PiiBankCard,
        PiiKind::Email => Code::PiiEmail,
    }
}
