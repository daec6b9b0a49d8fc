//! Disclosure items (政府信息): drafting, review, publication with version filing,
//! de-identification, attachments, search and the public reading API.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::disclosure::{
    self as rules, Attribute, Cadence, Channel, ContentFormat, IndexFormat, ItemKind, ItemState,
    NonDisclosureGround, PUBLICATION_DUTY_WORKING_DAYS, Transition, Validity,
};
use zhengwu_domain::pii::{self, PiiExceptionGround, PiiKind};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::disclosure::{self as repo, Item, ItemFields, Version};
use zhengwu_persistence::{Conn, DbError, Found, orgs};

use crate::audit_ctx::AuditCtx;
use crate::auth::{MaybePrincipal, Principal, Scope};
use crate::dto::double_option;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, encode_cursor};
use crate::state::AppState;

const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
const REVIEWERS: &[Role] = &[Role::Reviewer];
const WITHDRAWERS: &[Role] = &[Role::DisclosureOfficer, Role::OrgAdmin, Role::SysAdmin];

// ------------------------------------------------------------------ bodies

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000001",
    "category_id": "984e7ba4-32ee-8dc1-b1fd-4b83b614c729",
    "title": "济南市人民政府办公厅关于进一步做好政务公开工作的通知", "summary": "部署2026年政务公开重点工作。",
    "content": "各区县人民政府，市政府各部门：……", "doc_number": "济政办发〔2026〕12号",
    "subject_terms": ["政务公开", "通知"], "formed_on": "2026-11-20",
    "channels": ["portal", "gazette"]
}))]
pub struct CreateDisclosure {
    /// Whose catalogue the item belongs to.
    pub organization_id: Uuid,
    pub category_id: Uuid,
    #[serde(default = "default_kind")]
    pub kind: ItemKind,
    /// For an interpretation: the policy it interprets.
    pub interprets_id: Option<Uuid>,
    /// 发布机构; the organisation itself when absent.
    pub issuing_organization_id: Option<Uuid>,
    pub title: String,
    pub summary: String,
    pub content: String,
    #[serde(default = "default_format")]
    pub content_format: ContentFormat,
    /// 文号, e.g. 济政办发〔2026〕12号.
    pub doc_number: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub subject_terms: Vec<String>,
    /// 生成日期: the day the information was formed (not in the future); the 20-working-day
    /// publication duty counts from it (OGI Art.26).
    pub formed_on: NaiveDate,
    #[serde(default = "default_attribute")]
    pub attribute: Attribute,
    pub non_disclosure_ground: Option<NonDisclosureGround>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default = "default_validity")]
    pub validity: Validity,
    #[serde(default = "default_cadence")]
    pub cadence: Cadence,
}

fn default_kind() -> ItemKind {
    ItemKind::Document
}
fn default_format() -> ContentFormat {
    ContentFormat::Plain
}
fn default_attribute() -> Attribute {
    Attribute::Proactive
}
fn default_validity() -> Validity {
    Validity::Valid
}
fn default_cadence() -> Cadence {
    Cadence::LongTerm
}

/// Changes to a draft: absent fields stay, `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "明确2026年度重点工作任务和责任分工。", "subject_terms": ["工作要点", "政务公开"]}))]
pub struct PatchDisclosure {
    pub category_id: Option<Uuid>,
    pub issuing_organization_id: Option<Uuid>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub content_format: Option<ContentFormat>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub doc_number: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub subject_terms: Option<Vec<String>>,
    pub formed_on: Option<NaiveDate>,
    pub attribute: Option<Attribute>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NonDisclosureGround>)]
    pub non_disclosure_ground: Option<Option<NonDisclosureGround>>,
    pub channels: Option<Vec<Channel>>,
    pub validity: Option<Validity>,
    pub cadence: Option<Cadence>,
}

/// A note for a workflow step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "已核对文号和发布机构"}))]
pub struct NoteBody {
    pub note: Option<String>,
}

/// A reason, required by rejection and withdrawal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "文号有误，请核对后重新提交。"}))]
pub struct ReasonBody {
    pub reason: String,
}

/// Publication; an exception is needed to publish personal data unmasked.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct PublishBody {
    pub pii_exception: Option<PiiException>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ground": "punitive_notice", "note": "行政处罚决定依法公示（《行政处罚法》第四十八条）"}))]
pub struct PiiException {
    pub ground: PiiExceptionGround,
    /// Why the exception applies; required.
    pub note: String,
}

// ------------------------------------------------------------------ responses

/// One piece of personal data found in an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PiiFindingDto {
    pub kind: PiiKind,
    /// `title`, `summary`, `content` or `attachments/{id}`.
    pub field: String,
    /// Offset in characters.
    pub offset: usize,
    pub length: usize,
    #[schema(example = "138****5678")]
    pub masked: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub url: String,
}

impl AttachmentDto {
    fn of(a: &repo::Attachment) -> Self {
        Self {
            id: a.id,
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            sha256: a.sha256.clone(),
            url: format!("/api/v1/disclosures/{}/attachments/{}", a.item_id, a.id),
        }
    }
}

/// The fields of an item's content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContentDto {
    pub organization_id: Uuid,
    pub issuing_organization_id: Uuid,
    pub category_id: Uuid,
    pub kind: ItemKind,
    pub interprets_id: Option<Uuid>,
    pub title: String,
    pub summary: String,
    pub content: String,
    pub content_format: ContentFormat,
    pub doc_number: Option<String>,
    pub subject_terms: Vec<String>,
    pub formed_on: NaiveDate,
    pub attribute: Attribute,
    pub non_disclosure_ground: Option<NonDisclosureGround>,
    pub channels: Vec<Channel>,
    pub validity: Validity,
    pub cadence: Cadence,
}

fn content_dto(organization_id: Uuid, f: &ItemFields) -> ContentDto {
    ContentDto {
        organization_id,
        issuing_organization_id: f.issuing_organization_id,
        category_id: f.category_id,
        kind: f.kind,
        interprets_id: f.interprets_id,
        title: f.title.clone(),
        summary: f.summary.clone(),
        content: f.content.clone(),
        content_format: f.content_format,
        doc_number: f.doc_number.clone(),
        subject_terms: f.subject_terms.clone(),
        formed_on: f.formed_on,
        attribute: f.attribute,
        non_disclosure_ground: f.non_disclosure_ground,
        channels: f.channels.clone(),
        validity: f.validity,
        cadence: f.cadence,
    }
}

/// An item as its organisation's staff see it: the working copy and its workflow.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureDto {
    pub id: Uuid,
    #[serde(flatten)]
    pub content: ContentDto,
    pub state: ItemState,
    /// 索引号, assigned at first publication.
    pub index_number: Option<String>,
    /// The last day for publication (formed_on + 20 working days, OGI Art.26).
    pub publish_due: NaiveDate,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    /// Whether the publication duty is missed (proactive, never published, past due).
    pub overdue: bool,
    /// The version the public sees now, if any.
    pub published_version: Option<i32>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub withdraw_reason: Option<String>,
    pub author_id: Uuid,
    pub reviewer_id: Option<Uuid>,
    pub attachments: Vec<AttachmentDto>,
    /// Items interpreting this one (政策解读).
    pub interpretations: Vec<Uuid>,
    /// Personal data in the working copy; publication is refused while there is any.
    pub personal_data: Vec<PiiFindingDto>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A published item as the public sees it: exactly the filed version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedDisclosure {
    pub id: Uuid,
    /// The filed version number.
    pub number: i32,
    pub index_number: String,
    #[serde(flatten)]
    pub content: ContentDto,
    pub organization_name: String,
    pub category_name: String,
    pub published_at: DateTime<Utc>,
    pub attachments: Vec<serde_json::Value>,
    /// Published interpretations of this policy.
    pub interpretations: Vec<LinkDto>,
    /// Whether this is the version the public sees now.
    pub current: bool,
}

/// An item in the view the caller asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DisclosureView {
    /// Staff of the organisation: the working copy.
    Working(Box<DisclosureDto>),
    /// Everyone else: the current published version.
    Public(Box<PublishedDisclosure>),
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkDto {
    pub id: Uuid,
    pub title: String,
}

/// A row of a list: the public view lists published versions, the staff view working copies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureSummary {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub category_id: Uuid,
    pub kind: ItemKind,
    pub title: String,
    pub summary: String,
    pub doc_number: Option<String>,
    pub index_number: Option<String>,
    pub formed_on: NaiveDate,
    pub attribute: Attribute,
    pub validity: Validity,
    pub state: ItemState,
    pub published_at: Option<DateTime<Utc>>,
    /// Staff view only.
    pub publish_due: Option<NaiveDate>,
    pub overdue: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Facets {
    pub category: Option<Vec<FacetCount>>,
    pub org: Option<Vec<FacetCount>>,
    pub year: Option<Vec<FacetCount>>,
}

/// A page of items, with facet counts when asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosurePage {
    pub items: Vec<DisclosureSummary>,
    pub next_cursor: Option<String>,
    pub facets: Option<Facets>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionSummary {
    pub number: i32,
    pub index_number: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub published_by: Uuid,
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    pub items: Vec<VersionSummary>,
}

/// The answer of a workflow step.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionResult {
    pub item: DisclosureDto,
    /// On submission: personal data found, to be masked before publication.
    pub warnings: Vec<PiiFindingDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaskResult {
    pub item: DisclosureDto,
    pub masked: usize,
}

// ------------------------------------------------------------------ helpers

/// The publication duty of an item formed on `formed_on` (OGI Art.26), as a stored deadline.
async fn publish_due(conn: &mut Conn, item: Uuid, formed_on: NaiveDate) -> ApiResult<NaiveDate> {
    let target = Target::of(StoredDeadline::Publication, item);
    let basis = DeadlineBasis::after(formed_on, PUBLICATION_DUTY_WORKING_DAYS);
    Ok(crate::deadlines::count(conn, target, basis).await?.due_date)
}

fn is_overdue(item: &Item, today: NaiveDate) -> bool {
    item.first_published_at.is_none()
        && item.fields.attribute == Attribute::Proactive
        && item.publish_due < today
}

fn findings_of(f: &ItemFields) -> Vec<PiiFindingDto> {
    [
        ("title", &f.title),
        ("summary", &f.summary),
        ("content", &f.content),
    ]
    .into_iter()
    .flat_map(|(field, text)| {
        pii::scan(text).into_iter().map(move |x| PiiFindingDto {
            kind: x.kind,
            field: field.to_owned(),
            offset: x.offset,
            length: x.length,
            masked: x.masked,
        })
    })
    .collect()
}

/// Personal data in the item and its text attachments.
async fn scan_all(
    state: &AppState,
    item: &Item,
    attachments: &[repo::Attachment],
) -> ApiResult<Vec<PiiFindingDto>> {
    let mut out = findings_of(&item.fields);
    for a in attachments
        .iter()
        .filter(|a| crate::storage::is_text(&a.content_type))
    {
        let bytes = state.storage.get(&a.storage_key).await.map_err(|e| {
            log::error!("attachment {} unreadable: {e}", a.id);
            ApiError::internal()
        })?;
        let text = String::from_utf8_lossy(&bytes);
        out.extend(pii::scan(&text).into_iter().map(|x| PiiFindingDto {
            kind: x.kind,
            field: format!("attachments/{}", a.id),
            offset: x.offset,
            length: x.length,
            masked: x.masked,
        }));
    }
    Ok(out)
}

async fn dto(state: &AppState, conn: &mut Conn, item: Item) -> ApiResult<DisclosureDto> {
    let attachments = repo::attachments_of(conn, item.id).await?;
    let interpretations = repo::interpretations_of(conn, item.id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let overdue = is_overdue(&item, state.today());
    let years_without_calendar = crate::deadlines::flags_of(conn, item.id).await?;
    Ok(DisclosureDto {
        id: item.id,
        content: content_dto(item.organization_id, &item.fields),
        personal_data: findings_of(&item.fields),
        state: item.state,
        index_number: item.index_number,
        publish_due: item.publish_due,
        years_without_calendar,
        overdue,
        published_version: item.published_version,
        first_published_at: item.first_published_at,
        rejection_reason: item.rejection_reason,
        withdraw_reason: item.withdraw_reason,
        author_id: item.author_id,
        reviewer_id: item.reviewer_id,
        attachments: attachments.iter().map(AttachmentDto::of).collect(),
        interpretations,
        version: item.version,
        created_at: item.created_at,
        updated_at: item.updated_at,
    })
}

async fn published_dto(conn: &mut Conn, v: Version) -> ApiResult<PublishedDisclosure> {
    let org = orgs::get(conn, v.organization_id).await?;
    let category = repo::get_category(conn, v.fields.category_id).await?;
    let interpretations = repo::interpretation_links(conn, v.item_id).await?;
    Ok(published_disclosure(repo::PublishedView {
        version: v,
        organization_name: org.name,
        category_name: category.name,
        interpretations,
    }))
}

fn published_disclosure(view: repo::PublishedView) -> PublishedDisclosure {
    let v = view.version;
    let attachments = v
        .attachments
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut a| {
            if let Some(id) = a.get("id").and_then(|i| i.as_str()).map(str::to_owned) {
                a["url"] = serde_json::Value::String(format!(
                    "/api/v1/disclosures/{}/attachments/{id}",
                    v.item_id
                ));
            }
            a
        })
        .collect();
    PublishedDisclosure {
        id: v.item_id,
        number: v.number,
        index_number: v.index_number,
        content: content_dto(v.organization_id, &v.fields),
        organization_name: view.organization_name,
        category_name: view.category_name,
        published_at: v.published_at,
        attachments,
        interpretations: view
            .interpretations
            .into_iter()
            .map(|(id, title)| LinkDto { id, title })
            .collect(),
        current: v.is_current,
    }
}

/// The item and its organisation, if the caller is staff who may see it.
async fn staff_item(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Item, orgs::Organization)> {
    visible_item(conn, auth, id, for_update)
        .await?
        .ok_or_else(|| ApiError::not_found("disclosure item"))
}

/// The item and its organisation when the caller is staff who may see it; `None` when it
/// does not exist or is out of the caller's sight. A failure to read it is an error.
async fn visible_item(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<Option<(Item, orgs::Organization)>> {
    let found = if for_update {
        repo::get_item_for_update(conn, id).await
    } else {
        repo::get_item(conn, id).await
    };
    let Some(item) = found.found()? else {
        return Ok(None);
    };
    let org = orgs::get(conn, item.organization_id).await?;
    Ok((auth.role.is_staff() && auth.sees(&org.path)).then_some((item, org)))
}

fn illegal(e: rules::IllegalTransition) -> ApiError {
    ApiError::conflict("disclosure.illegal_transition", e.to_string())
        .context(serde_json::json!({"state": e.from, "transition": e.transition}))
}

fn text_list(e: &mut Errors, field: &str, entries: &[String]) -> Vec<String> {
    if entries.len() > 20 {
        e.push(
            field,
            RuleViolation::new("list.too_long", "at most 20 entries"),
        );
    }
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, t)| e.check(&format!("{field}/{i}"), validation::text(t, 30)))
        .collect()
}

/// Checks the references of an item's fields against the database.
async fn check_refs(
    conn: &mut Conn,
    organization_id: Uuid,
    f: &ItemFields,
    current_category: Option<Uuid>,
) -> ApiResult<()> {
    match repo::get_category(conn, f.category_id).await {
        Ok(c)
            if c.organization_id == organization_id
                && (!c.retired || current_category == Some(c.id)) => {}
        Ok(_) | Err(DbError::NotFound) => {
            return Err(ApiError::field(
                "/category_id",
                "reference.not_found",
                "no such active category in this organisation's catalogue",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    match orgs::get(conn, f.issuing_organization_id).await {
        Ok(_) => {}
        Err(DbError::NotFound) => {
            return Err(ApiError::field(
                "/issuing_organization_id",
                "reference.not_found",
                "no such organisation",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(p) = f.interprets_id {
        match repo::get_item(conn, p).await {
            Ok(policy) if policy.fields.kind == ItemKind::Document => {}
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/interprets_id",
                    "reference.not_found",
                    "no such policy document to interpret",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn check_fields(
    f: &ItemFields,
    today: NaiveDate,
) -> Result<(), Vec<zhengwu_domain::validation::FieldError>> {
    let mut e = Errors::new();
    e.check(
        "formed_on",
        validation::event_date(f.formed_on, None, today),
    );
    e.check("title", validation::text(&f.title, 300));
    e.check("summary", validation::text(&f.summary, 2000));
    e.check("content", validation::text(&f.content, 200_000));
    e.check_opt("doc_number", f.doc_number.as_deref(), |d| {
        validation::text(d, 100)
    });
    text_list(&mut e, "subject_terms", &f.subject_terms);
    if let Err(v) = rules::check_attribute(f.attribute, f.non_disclosure_ground) {
        e.push("non_disclosure_ground", v);
    }
    match (f.kind, f.interprets_id) {
        (ItemKind::Interpretation, None) => e.push(
            "interprets_id",
            RuleViolation::new(
                "disclosure.interprets_required",
                "an interpretation names the policy it interprets",
            ),
        ),
        (ItemKind::Document, Some(_)) => e.push(
            "interprets_id",
            RuleViolation::new(
                "disclosure.interprets_only_for_interpretation",
                "only an interpretation interprets a policy",
            ),
        ),
        _ => {}
    }
    e.finish()
}

// ------------------------------------------------------------------ create, read, patch

/// Draft a disclosure item (disclosure officers of the organisation).
#[utoipa::path(operation_id = "createDisclosure",
    tag = "disclosures", security(("bearer" = [])), request_body = CreateDisclosure,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = DisclosureDto, headers(("ETag" = String), ("Location" = String)))))]
#[post("/disclosures")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateDisclosure>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let b = &body.value;
    let fields = ItemFields {
        issuing_organization_id: b.issuing_organization_id.unwrap_or(b.organization_id),
        category_id: b.category_id,
        kind: b.kind,
        interprets_id: b.interprets_id,
        title: b.title.trim().to_owned(),
        summary: b.summary.trim().to_owned(),
        content: b.content.clone(),
        content_format: b.content_format,
        doc_number: b.doc_number.as_deref().map(str::trim).map(str::to_owned),
        subject_terms: b
            .subject_terms
            .iter()
            .map(|t| t.trim().to_owned())
            .collect(),
        formed_on: b.formed_on,
        attribute: b.attribute,
        non_disclosure_ground: b.non_disclosure_ground,
        channels: b.channels.clone(),
        validity: b.validity,
        cadence: b.cadence,
    };
    check_fields(&fields, state.today())?;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let st = &state;
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = match orgs::get(c, b.organization_id).await {
            Ok(o) if auth.sees(&o.path) => o,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/organization_id",
                    "reference.not_found",
                    "no such organisation in your scope",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        check_refs(c, org.id, &fields, None).await?;
        let id = Uuid::now_v7();
        let due = publish_due(c, id, fields.formed_on).await?;
        let item = repo::insert_item(
            c,
            &repo::NewItem {
                id,
                organization_id: org.id,
                fields: fields.clone(),
                publish_due: due,
                author_id: auth.id,
            },
        )
        .await?;
        let created = dto(st, c, item).await?;
        audit
            .record(
                c,
                "disclosure.create",
                "disclosure",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&created.content),
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/disclosures/{id}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// `working` (staff of the organisation: the working copy) or `public` (the published
    /// version, as anyone sees it). Staff get `working` by default, everyone else `public`.
    #[param(inline)]
    pub view: Option<View>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Working,
    Public,
}

fn wants_working(auth: &MaybePrincipal, view: Option<View>) -> bool {
    match view {
        Some(View::Public) => false,
        Some(View::Working) => true,
        None => auth.0.as_ref().is_some_and(|p| p.role.is_staff()),
    }
}

/// Read an item.
///
/// Staff of the organisation get the working copy with its workflow; everyone else gets
/// the current published version, and a draft or withdrawn item does not exist for them.
#[utoipa::path(operation_id = "getDisclosure",
    tag = "disclosures", security((), ("bearer" = [])), params(("id" = Uuid, Path), ViewQuery),
    responses((status = 200, description = "The working copy (`view=working`) or the published version (`view=public`)",
        body = DisclosureView)))]
#[get("/disclosures/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
    q: web::Query<ViewQuery>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    if wants_working(&auth, q.view) {
        let principal = auth
            .0
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("the working view needs a token"))?;
        let (item, _) = staff_item(&mut conn, principal, *id, false).await?;
        let d = dto(&state, &mut conn, item).await?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::ETAG, etag(d.version)))
            .json(DisclosureView::Working(Box::new(d))));
    }
    let view = repo::published_view(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::not_found("disclosure item"))?;
    let p = published_disclosure(view);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(DisclosureView::Public(Box::new(p))))
}

/// Edit a draft (send `If-Match`). Submitted, approved and published items are not
/// editable; revise a published item to get a new draft.
#[utoipa::path(operation_id = "updateDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchDisclosure, responses((status = 200, body = DisclosureDto)))]
#[patch("/disclosures/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchDisclosure>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let b = &body.value;
    let audit = AuditCtx::new(&state, auth.actor());
    let st = &state;
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (item, org) = staff_item(c, &auth, id, true).await?;
            if_match.check(item.version)?;
            if !item.state.editable() {
                return Err(ApiError::conflict(
                    "disclosure.not_editable",
                    format!(
                        "an item that is {} cannot be edited; only drafts can",
                        item.state
                    ),
                )
                .context(serde_json::json!({"state": item.state})));
            }
            let old = item.fields.clone();
            let f = ItemFields {
                issuing_organization_id: b
                    .issuing_organization_id
                    .unwrap_or(old.issuing_organization_id),
                category_id: b.category_id.unwrap_or(old.category_id),
                kind: old.kind,
                interprets_id: old.interprets_id,
                title: b
                    .title
                    .as_deref()
                    .map(str::trim)
                    .map(str::to_owned)
                    .unwrap_or(old.title.clone()),
                summary: b
                    .summary
                    .as_deref()
                    .map(str::trim)
                    .map(str::to_owned)
                    .unwrap_or(old.summary.clone()),
                content: b.content.clone().unwrap_or(old.content.clone()),
                content_format: b.content_format.unwrap_or(old.content_format),
                doc_number: b.doc_number.clone().unwrap_or(old.doc_number.clone()),
                subject_terms: b.subject_terms.clone().unwrap_or(old.subject_terms.clone()),
                formed_on: b.formed_on.unwrap_or(old.formed_on),
                attribute: b.attribute.unwrap_or(old.attribute),
                non_disclosure_ground: b.non_disclosure_ground.unwrap_or(old.non_disclosure_ground),
                channels: b.channels.clone().unwrap_or(old.channels.clone()),
                validity: b.validity.unwrap_or(old.validity),
                cadence: b.cadence.unwrap_or(old.cadence),
            };
            check_fields(&f, state.today())?;
            check_refs(c, org.id, &f, Some(old.category_id)).await?;
            let due = publish_due(c, id, f.formed_on).await?;
            let saved = repo::update_item(c, id, &f, due).await?;
            let after = dto(st, c, saved).await?;
            let before = content_dto(item.organization_id, &old);
            audit
                .record(
                    c,
                    "disclosure.update",
                    "disclosure",
                    id,
                    Some(&org.path),
                    Some(&before),
                    Some(&after.content),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}

// ------------------------------------------------------------------ workflow

/// What a transition needs beyond the state change.
enum Step {
    Submit,
    Approve,
    Reject(String),
    Publish(Option<PiiException>),
    Revise,
    Withdraw(String),
}

impl Step {
    fn transition(&self) -> Transition {
        match self {
            Step::Submit => Transition::Submit,
            Step::Approve => Transition::Approve,
            Step::Reject(_) => Transition::Reject,
            Step::Publish(_) => Transition::Publish,
            Step::Revise => Transition::Revise,
            Step::Withdraw(_) => Transition::Withdraw,
        }
    }

    fn roles(&self) -> &'static [Role] {
        match self {
            Step::Approve | Step::Reject(_) => REVIEWERS,
            Step::Withdraw(_) => WITHDRAWERS,
            _ => OFFICERS,
        }
    }
}

fn pii_problem(findings: &[PiiFindingDto]) -> ApiError {
    let mut e = ApiError::unprocessable(
        "disclosure.personal_data",
        format!(
            "{} piece(s) of personal data must be masked (POST …/mask) or published under a recorded exception",
            findings.len()
        ),
    )
    .context(serde_json::json!({ "findings": findings }));
    e.errors = findings
        .iter()
        .map(|f| FieldProblem {
            pointer: format!("/{}", f.field),
            code: format!("pii.{}", f.kind),
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
) -> ApiResult<String> {
    let format = repo::get_guide(conn, org.id)
        .await?
        .and_then(|g| g.index_format)
        .and_then(|f| IndexFormat::parse(&f).ok())
        .unwrap_or_default();
    let category = repo::get_category(conn, item.fields.category_id).await?;
    let org_code = org
        .credit_code
        .clone()
        .or_else(|| org.division_code.clone())
        .unwrap_or_else(|| org.id.simple().to_string()[..12].to_uppercase());
    let year = state.today().year();
    let serial = repo::next_serial(conn, org.id, year).await?;
    Ok(format.render(&org_code, &category.code, year, serial as u32))
}

async fn run_step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    step: Step,
    note: Option<String>,
) -> ApiResult<HttpResponse> {
    auth.require(step.roles())?;
    let audit = AuditCtx::new(state, auth.actor());
    let mut conn = state.conn().await?;
    let (item, warnings) = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (item, org) = staff_item(c, auth, id, true).await?;
            if_match.check(item.version)?;
            let next = item.state.apply(step.transition()).map_err(illegal)?;
            let before = serde_json::json!({"state": item.state});
            let mut w = repo::Workflow::of(&item);
            w.state = next.as_str().to_owned();
            let mut warnings = Vec::new();
            let mut extra = serde_json::json!({});
            match &step {
                Step::Submit => {
                    warnings = findings_of(&item.fields);
                    w.rejection_reason = None;
                }
                Step::Approve => {
                    rules::check_reviewer(&item.author_id, &auth.id)
                        .map_err(|v| ApiError::forbidden(v.message).with_code(v.code))?;
                    w.reviewer_id = Some(auth.id);
                }
                Step::Reject(reason) => {
                    rules::check_reviewer(&item.author_id, &auth.id)
                        .map_err(|v| ApiError::forbidden(v.message).with_code(v.code))?;
                    w.reviewer_id = Some(auth.id);
                    w.rejection_reason = Some(reason.clone());
                    extra = serde_json::json!({"reason": reason});
                }
                Step::Publish(exception) => {
                    if let Some(policy) = item.fields.interprets_id
                        && repo::current_version(c, policy).await?.is_none()
                    {
                            return Err(ApiError::conflict(
                                "disclosure.policy_not_published",
                                "an interpretation is published with or after its policy, never before",
                            ));
                    }
                    let attachments = repo::attachments_of(c, id).await?;
                    let findings = scan_all(state, &item, &attachments).await?;
                    if !findings.is_empty() && exception.is_none() {
                        return Err(pii_problem(&findings));
                    }
                    let index_number = match &item.index_number {
                        Some(n) => n.clone(),
                        None => assign_index_number(state, c, &org, &item).await?,
                    };
                    let number = repo::versions_of(c, id).await?.len() as i32 + 1;
                    let now = state.clock.now();
                    let snapshot: Vec<_> = attachments
                        .iter()
                        .map(|a| serde_json::json!({
                            "id": a.id, "filename": a.filename, "content_type": a.content_type,
                            "size_bytes": a.size_bytes, "sha256": a.sha256
                        }))
                        .collect();
                    let exception_json = exception
                        .as_ref()
                        .filter(|_| !findings.is_empty())
                        .map(|e| serde_json::json!({"ground": e.ground, "note": e.note, "findings": findings.len()}));
                    repo::file_version(
                        c,
                        &Version {
                            item_id: id,
                            number,
                            organization_id: org.id,
                            org_path: org.path.as_str().to_owned(),
                            index_number: index_number.clone(),
                            fields: item.fields.clone(),
                            year: item.fields.formed_on.year(),
                            attachments: serde_json::Value::Array(snapshot),
                            pii_exception: exception_json.clone(),
                            published_at: now,
                            published_by: auth.id,
                            is_current: true,
                        },
                    )
                    .await?;
                    w.index_number = Some(index_number.clone());
                    w.published_version = Some(number);
                    w.first_published_at = item.first_published_at.or(Some(now));
                    w.withdraw_reason = None;
                    extra = serde_json::json!({
                        "version": number, "index_number": index_number, "pii_exception": exception_json
                    });
                }
                Step::Revise => {
                    w.rejection_reason = None;
                    w.reviewer_id = None;
                }
                Step::Withdraw(reason) => {
                    repo::clear_current(c, id).await?;
                    w.published_version = None;
                    w.withdraw_reason = Some(reason.clone());
                    extra = serde_json::json!({"reason": reason});
                }
            }
            let saved = repo::save_workflow(c, id, &w).await?;
            let mut after = serde_json::json!({"state": saved.state});
            if let (Some(a), Some(e)) = (after.as_object_mut(), extra.as_object()) {
                a.extend(e.clone());
                if let Some(n) = &note {
                    a.insert("note".to_owned(), serde_json::json!(n));
                }
            }
            let action = match &step {
                Step::Publish(Some(_)) if after["pii_exception"].is_object() => {
                    "disclosure.publish_with_personal_data".to_owned()
                }
                s => format!("disclosure.{}", s.transition()),
            };
            audit
                .record(c, &action, "disclosure", id, Some(&org.path), Some(&before), Some(&after))
                .await?;
            Ok((dto(state, c, saved).await?, warnings))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(item.version)))
        .json(TransitionResult { item, warnings }))
}

fn reason(r: &str) -> ApiResult<String> {
    validation::text(r, 1000).map_err(|v| ApiError::field("/reason", v.code, v.message))
}

/// The optional note of a step: trimmed, at most 1,000 characters, not blank when given.
fn note_of(body: &[u8]) -> ApiResult<Option<String>> {
    let b: NoteBody = optional_body(body)?;
    b.note
        .map(|n| validation::text(&n, 1000))
        .transpose()
        .map_err(|v| ApiError::field("/note", v.code, v.message))
}

/// Optional body of a step: an empty body is allowed.
fn optional_body<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        crate::extract::parse_json(bytes).map(|j| j.value)
    }
}

/// Submit a draft for review. The answer lists personal data found, as warnings.
#[utoipa::path(operation_id = "submitDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<NoteBody>, description = "Optional note"),
    responses((status = 200, body = TransitionResult),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not a draft; `context.state` is the current state")))]
#[post("/disclosures/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let note = note_of(&body)?;
    run_step(&state, &auth, *id, &if_match, Step::Submit, note).await
}

/// Approve a submitted item (a reviewer who is not its author).
#[utoipa::path(operation_id = "approveDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<NoteBody>, description = "Optional note"),
    responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let note = note_of(&body)?;
    run_step(&state, &auth, *id, &if_match, Step::Approve, note).await
}

/// Send a submitted item back to its author with reasons.
#[utoipa::path(operation_id = "rejectDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ReasonBody, responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ReasonBody>,
) -> ApiResult<HttpResponse> {
    let r = reason(&body.value.reason)?;
    run_step(&state, &auth, *id, &if_match, Step::Reject(r), None).await
}

/// Publish an approved item: files a version, assigns the index number at the first
/// publication, and refuses unmasked personal data unless an exception is recorded.
#[utoipa::path(operation_id = "publishDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<PublishBody>, description = "An exception for personal data, if it applies"),
    responses((status = 200, body = TransitionResult),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Personal data found: `errors[]` and `context.findings` list kind, field, offset and masked form")))]
#[post("/disclosures/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let b: PublishBody = optional_body(&body)?;
    if let Some(e) = &b.pii_exception {
        validation::text(&e.note, 1000)
            .map_err(|v| ApiError::field("/pii_exception/note", v.code, v.message))?;
    }
    run_step(
        &state,
        &auth,
        *id,
        &if_match,
        Step::Publish(b.pii_exception),
        None,
    )
    .await
}

/// Open a new draft of a published or withdrawn item; the published version stays public
/// until the revision is published.
#[utoipa::path(operation_id = "reviseDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<NoteBody>, description = "Optional note"),
    responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/revise")]
pub async fn revise(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let note = note_of(&body)?;
    run_step(&state, &auth, *id, &if_match, Step::Revise, note).await
}

/// Withdraw a published item from the public (its filed versions stay on record).
#[utoipa::path(operation_id = "withdrawDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ReasonBody, responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ReasonBody>,
) -> ApiResult<HttpResponse> {
    let r = reason(&body.value.reason)?;
    run_step(&state, &auth, *id, &if_match, Step::Withdraw(r), None).await
}

/// Replace the personal data in a draft's title, summary and content with masked forms
/// (ID `110105********123X`, mobile `138****5678`, card keeping the first 6 and last 4).
#[utoipa::path(operation_id = "maskDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = MaskResult)))]
#[post("/disclosures/{id}/mask")]
pub async fn mask(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let st = &state;
    let id = *id;
    let mut conn = state.conn().await?;
    let result = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (item, org) = staff_item(c, &auth, id, true).await?;
            if_match.check(item.version)?;
            if !item.state.editable() {
                return Err(ApiError::conflict(
                    "disclosure.not_editable",
                    format!("an item that is {} cannot be edited", item.state),
                )
                .context(serde_json::json!({"state": item.state})));
            }
            let mut f = item.fields.clone();
            let mut masked = 0;
            for text in [&mut f.title, &mut f.summary, &mut f.content] {
                let found = pii::scan(text);
                masked += found.len();
                *text = pii::mask(text, &found);
            }
            let saved = repo::update_item(c, id, &f, item.publish_due).await?;
            audit
                .record(
                    c,
                    "disclosure.mask",
                    "disclosure",
                    id,
                    Some(&org.path),
                    None::<&()>,
                    Some(&serde_json::json!({"masked": masked})),
                )
                .await?;
            Ok(MaskResult {
                item: dto(st, c, saved).await?,
                masked,
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(result.item.version)))
        .json(result))
}

// ------------------------------------------------------------------ versions

/// Whether the caller may read the filed versions: staff of the organisation, or anyone
/// while the item is published.
async fn may_read_versions(conn: &mut Conn, auth: &MaybePrincipal, id: Uuid) -> ApiResult<()> {
    if let Some(p) = auth.0.as_ref().filter(|p| p.role.is_staff())
        && visible_item(conn, p, id, false).await?.is_some()
    {
        return Ok(());
    }
    match repo::current_version(conn, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found("disclosure item")),
    }
}

/// One step of an item's trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureTrailEntry {
    pub at: DateTime<Utc>,
    /// `create`, `update`, `attach`, `mask`, or a workflow step: `submit`, `approve`,
    /// `reject`, `publish` (`publish_with_personal_data` under an exception), `revise`,
    /// `withdraw`.
    #[schema(example = "approve")]
    pub action: String,
    pub actor_id: Option<Uuid>,
    /// The state the step left the item in (workflow steps).
    pub state: Option<ItemState>,
    /// The note or the reason the official gave.
    pub note: Option<String>,
}

/// The trail of an item: who did what, when, with which note, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureTrail {
    pub item_id: Uuid,
    pub state: ItemState,
    pub entries: Vec<DisclosureTrailEntry>,
}

/// The trail of an item (staff who may see it): every change and workflow step with its
/// actor, time and note, as the audit log records it (the first 1,000 steps).
#[utoipa::path(operation_id = "getDisclosureTimeline",
    tag = "disclosures", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DisclosureTrail)))]
#[get("/disclosures/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (item, _) = staff_item(&mut conn, &auth, *id, false).await?;
    let events =
        zhengwu_persistence::audit::of_entity(&mut conn, "disclosure", &item.id.to_string(), 1000)
            .await?;
    let text = |v: &Option<serde_json::Value>, key: &str| {
        v.as_ref()
            .and_then(|a| a.get(key))
            .and_then(|n| n.as_str())
            .map(str::to_owned)
    };
    let entries = events
        .into_iter()
        .map(|e| DisclosureTrailEntry {
            at: e.occurred_at,
            action: e
                .action
                .strip_prefix("disclosure.")
                .unwrap_or(&e.action)
                .to_owned(),
            actor_id: e.actor_id,
            state: text(&e.after, "state").and_then(|s| ItemState::parse(&s)),
            note: text(&e.after, "note").or_else(|| text(&e.after, "reason")),
        })
        .collect();
    Ok(HttpResponse::Ok().json(DisclosureTrail {
        item_id: item.id,
        state: item.state,
        entries,
    }))
}

/// The filed versions of an item (公开内容备案).
#[utoipa::path(operation_id = "listDisclosureVersions",
    tag = "disclosures", security((), ("bearer" = [])), params(("id" = Uuid, Path)), responses((status = 200, body = VersionList)))]
#[get("/disclosures/{id}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    may_read_versions(&mut conn, &auth, *id).await?;
    let items = repo::versions_of(&mut conn, *id)
        .await?
        .into_iter()
        .map(|v| VersionSummary {
            number: v.number,
            index_number: v.index_number,
            title: v.fields.title,
            published_at: v.published_at,
            published_by: v.published_by,
            current: v.is_current,
        })
        .collect();
    Ok(HttpResponse::Ok().json(VersionList { items }))
}

/// One filed version, exactly as it was published (attachment hashes included).
#[utoipa::path(operation_id = "getDisclosureVersion",
    tag = "disclosures", security((), ("bearer" = [])), params(("id" = Uuid, Path), ("number" = i32, Path)),
    responses((status = 200, body = PublishedDisclosure)))]
#[get("/disclosures/{id}/versions/{number}")]
pub async fn version(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, number) = *path;
    let mut conn = state.conn().await?;
    may_read_versions(&mut conn, &auth, id).await?;
    let v = match repo::get_version(&mut conn, id, number).await {
        Ok(v) => v,
        Err(DbError::NotFound) => return Err(ApiError::not_found("version")),
        Err(e) => return Err(e.into()),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=86400, immutable"))
        .json(published_dto(&mut conn, v).await?))
}

// ------------------------------------------------------------------ attachments

/// An upload: one file in the `file` field of a multipart form.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attach a file to a draft (PDF, images, Office documents, OFD, plain text or CSV; the
/// type is judged from the content and must match the name).
#[utoipa::path(operation_id = "uploadDisclosureAttachment",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentDto)))]
#[post("/disclosures/{id}/attachments")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    idempotency_key: IdempotencyKey,
    id: web::Path<Uuid>,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let limit = state.config.attachment_limit;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::bad_request("request.invalid_multipart", e.to_string()))?;
        if field.name() != Some("file") {
            continue;
        }
        // `filename`, or the RFC 5987 `filename*=UTF-8''…` some clients send instead.
        let disposition = field.content_disposition();
        let filename = match disposition.and_then(|d| d.get_filename()) {
            Some(n) => n.to_owned(),
            None => match disposition.and_then(|d| d.get_filename_ext()) {
                Some(ext) if ext.charset.to_string().eq_ignore_ascii_case("utf-8") => {
                    String::from_utf8(ext.value.clone()).map_err(|_| {
                        ApiError::field("/file", "text.encoding", "the file name is not UTF-8")
                    })?
                }
                _ => String::new(),
            },
        };
        if filename.contains('\0') {
            return Err(ApiError::validation(vec![crate::extract::nul_problem(
                "/file".to_owned(),
            )]));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::bad_request("request.invalid_multipart", e.to_string()))?;
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "attachment.too_large",
                    "The file is too large",
                )
                .detail(format!("an attachment may have at most {limit} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((filename, bytes));
    }
    let (filename, bytes) = file.ok_or_else(|| {
        ApiError::field(
            "/file",
            "field.required",
            "send the file in a form field named file",
        )
    })?;
    let filename = validation::text(&filename, 255)
        .map_err(|v| ApiError::field("/file", v.code, "the file needs a name"))?;
    if bytes.is_empty() {
        return Err(ApiError::field(
            "/file",
            "attachment.empty",
            "the file is empty",
        ));
    }
    let content_type = crate::storage::sniff(&bytes, &filename).ok_or_else(|| {
        ApiError::field(
            "/file",
            "attachment.unsupported_type",
            "accepted: PDF, PNG, JPEG, GIF, DOC/DOCX, XLS/XLSX, PPT/PPTX, OFD, ZIP, TXT, CSV, MD — and the name's extension must match the content",
        )
    })?;
    let key = state.storage.put(&bytes).await.map_err(|e| {
        log::error!("cannot store an attachment: {e}");
        ApiError::internal()
    })?;
    let audit = AuditCtx::new(&state, auth.actor());
    let item_id = *id;
    // The same request: the same file under the same name.
    let request_hash = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(filename.as_bytes());
        h.update([0u8]);
        h.update(key.as_bytes());
        h.finalize().to_vec()
    };
    let idem = Idem::new(
        &req,
        auth.idempotency_principal(),
        &idempotency_key,
        &request_hash,
    );
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (item, org) = staff_item(c, &auth, item_id, true).await?;
        if !item.state.editable() {
            return Err(ApiError::conflict(
                "disclosure.not_editable",
                format!("an item that is {} cannot be edited", item.state),
            )
            .context(serde_json::json!({"state": item.state})));
        }
        let a = repo::Attachment {
            id: Uuid::now_v7(),
            item_id,
            filename,
            content_type: content_type.to_owned(),
            size_bytes: bytes.len() as i64,
            sha256: key.clone(),
            storage_key: key,
            uploaded_by: auth.id,
            created_at: audit.at,
        };
        repo::insert_attachment(c, &a).await?;
        let d = AttachmentDto::of(&a);
        audit
            .record(
                c,
                "disclosure.attach",
                "disclosure",
                item_id,
                Some(&org.path),
                None::<&()>,
                Some(&d),
            )
            .await?;
        let location = d.url.clone();
        idem.finish(c, &d, location).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Download an attachment. The public may download the files of the current version.
#[utoipa::path(operation_id = "downloadDisclosureAttachment",
    tag = "disclosures", security((), ("bearer" = [])), params(("id" = Uuid, Path), ("attachment_id" = Uuid, Path)),
    responses((status = 200, description = "The file, with the media type it was stored with \
        (PDF, images, office documents, OFD, text)", content_type = "*/*", body = Vec<u8>)))]
#[get("/disclosures/{id}/attachments/{attachment_id}")]
pub async fn download(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (item_id, attachment_id) = *path;
    let mut conn = state.conn().await?;
    let a = match repo::get_attachment(&mut conn, attachment_id).await {
        Ok(a) if a.item_id == item_id => a,
        Ok(_) | Err(DbError::NotFound) => return Err(ApiError::not_found("attachment")),
        Err(e) => return Err(e.into()),
    };
    let staff = match auth.0.as_ref().filter(|p| p.role.is_staff()) {
        Some(p) => visible_item(&mut conn, p, item_id, false).await?.is_some(),
        None => false,
    };
    if !staff {
        let public = repo::current_version(&mut conn, item_id)
            .await?
            .is_some_and(|v| {
                v.attachments.as_array().is_some_and(|l| {
                    l.iter()
                        .any(|x| x["id"] == serde_json::json!(attachment_id))
                })
            });
        if !public {
            return Err(ApiError::not_found("attachment"));
        }
    }
    let bytes = state.storage.get(&a.storage_key).await.map_err(|e| {
        log::error!("attachment {} unreadable: {e}", a.id);
        ApiError::internal()
    })?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type.clone())
        .insert_header((header::ETAG, format!("\"{}\"", a.sha256)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::storage::content_disposition(&a.filename),
        ))
        .body(bytes))
}

// ------------------------------------------------------------------ lists and search

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Chinese full text: words are segmented, every word must match; title matches rank first.
    #[param(example = "政务公开")]
    pub q: Option<String>,
    /// Items of this organisation.
    pub org: Option<Uuid>,
    /// With `org`: its whole subtree.
    #[serde(default)]
    pub include_sub: bool,
    pub category: Option<Uuid>,
    /// Year of the date of creation (生成日期).
    pub year: Option<i32>,
    pub attribute: Option<Attribute>,
    pub validity: Option<Validity>,
    pub doc_number: Option<String>,
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
    /// Staff view: workflow state.
    pub state: Option<ItemState>,
    /// Staff view: proactive items never published and past their OGI Art.26 due date.
    #[serde(default)]
    pub overdue: bool,
    /// `relevance` (with `q`, the default then) or `published_at` (newest first).
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Comma-separated facets to count: `category`, `org`, `year` (public view).
    pub facets: Option<String>,
    /// `working` for staff (default for staff) or `public`.
    #[param(inline)]
    pub view: Option<View>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Relevance,
    PublishedAt,
}

fn public_summary(v: &Version) -> DisclosureSummary {
    DisclosureSummary {
        id: v.item_id,
        organization_id: v.organization_id,
        category_id: v.fields.category_id,
        kind: v.fields.kind,
        title: v.fields.title.clone(),
        summary: v.fields.summary.clone(),
        doc_number: v.fields.doc_number.clone(),
        index_number: Some(v.index_number.clone()),
        formed_on: v.fields.formed_on,
        attribute: v.fields.attribute,
        validity: v.fields.validity,
        state: ItemState::Published,
        published_at: Some(v.published_at),
        publish_due: None,
        overdue: None,
    }
}

fn staff_summary(i: &Item, today: NaiveDate) -> DisclosureSummary {
    DisclosureSummary {
        id: i.id,
        organization_id: i.organization_id,
        category_id: i.fields.category_id,
        kind: i.fields.kind,
        title: i.fields.title.clone(),
        summary: i.fields.summary.clone(),
        doc_number: i.fields.doc_number.clone(),
        index_number: i.index_number.clone(),
        formed_on: i.fields.formed_on,
        attribute: i.fields.attribute,
        validity: i.fields.validity,
        state: i.state,
        published_at: i.first_published_at,
        publish_due: Some(i.publish_due),
        overdue: Some(is_overdue(i, today)),
    }
}

fn link_header(req: &HttpRequest, cursor: &Option<String>) -> Option<String> {
    let page: Page<()> = Page {
        items: vec![],
        next_cursor: cursor.clone(),
    };
    page.link(req)
}

fn bad_cursor() -> ApiError {
    ApiError::field(
        "?cursor",
        "cursor.invalid",
        "the cursor is not one this API gave out",
    )
}

/// Search and list items.
///
/// The public view (anyone; the default without a staff token) searches the current
/// published versions, with facets. The working view (staff; their default) lists the
/// working copies inside the caller's scope, with `state` and `overdue` filters.
#[utoipa::path(operation_id = "listDisclosures",
    tag = "disclosures", security((), ("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = DisclosurePage)))]
#[get("/disclosures")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let text = q.q.clone().filter(|t| !t.trim().is_empty());
    let mut conn = state.read_conn().await?;
    let org_path = match q.org {
        Some(o) if q.include_sub => match orgs::get(&mut conn, o).await {
            Ok(org) => Some(org.path),
            Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "?org",
                    "reference.not_found",
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        _ => None,
    };
    if wants_working(&auth, q.view) {
        let p = auth
            .0
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("the working view needs a token"))?;
        let within = match p.scope() {
            Scope::All => None,
            Scope::Subtree(path) => Some(path.as_str().to_owned()),
            Scope::Nothing => return Err(ApiError::forbidden("applicants see the public view")),
        };
        let today = state.today();
        let rows = repo::list_items(
            &mut conn,
            &repo::ItemFilter {
                within: match (&org_path, within) {
                    (Some(o), Some(w)) if o.as_str().starts_with(&w) => Some(o.as_str().to_owned()),
                    (Some(_), Some(w)) => Some(w),
                    (Some(o), None) => Some(o.as_str().to_owned()),
                    (None, w) => w,
                },
                organization_id: if q.include_sub { None } else { q.org },
                category_id: q.category,
                state: q.state,
                attribute: q.attribute,
                validity: q.validity,
                doc_number: q.doc_number.clone(),
                year: q.year,
                overdue_on: q.overdue.then_some(today),
                q: text,
                after_id: page.after_uuid()?,
                limit: limit + 1,
            },
        )
        .await?;
        let page = Page::from_rows(
            rows,
            limit,
            |i| i.id.to_string(),
            |i| staff_summary(&i, today),
        );
        let mut res = HttpResponse::Ok();
        if let Some(link) = link_header(&req, &page.next_cursor) {
            res.insert_header((header::LINK, link));
        }
        return Ok(res.json(DisclosurePage {
            items: page.items,
            next_cursor: page.next_cursor,
            facets: None,
        }));
    }

    let filter = repo::PublicFilter {
        q: text.clone(),
        organization_id: q.org,
        within_path: org_path.map(|p| p.as_str().to_owned()),
        category_id: q.category,
        year: q.year,
        attribute: q.attribute,
        validity: q.validity,
        doc_number: q.doc_number.clone(),
        published_from: q.published_from,
        published_to: q.published_to,
    };
    let sort = match (q.sort, &text) {
        (Some(Sort::PublishedAt), _) | (None, None) => repo::PublicSort::PublishedAt,
        (Some(Sort::Relevance), _) | (None, Some(_)) => repo::PublicSort::Relevance,
    };
    // Relevance pages by offset ("o:N"); newest-first by keyset ("t:<time>|<id>").
    let raw = page
        .cursor
        .as_deref()
        .map(|c| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(bad_cursor)
        })
        .transpose()?;
    let (offset, after) = match (&raw, sort) {
        (None, _) => (0, None),
        (Some(r), repo::PublicSort::Relevance) => (
            r.strip_prefix("o:")
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(bad_cursor)?,
            None,
        ),
        (Some(r), repo::PublicSort::PublishedAt) => {
            let (t, id) = r
                .strip_prefix("t:")
                .and_then(|s| s.split_once('|'))
                .ok_or_else(bad_cursor)?;
            let t = DateTime::parse_from_rfc3339(t)
                .map_err(|_| bad_cursor())?
                .with_timezone(&Utc);
            let id = Uuid::parse_str(id).map_err(|_| bad_cursor())?;
            (0, Some((t, id)))
        }
    };
    let mut rows = repo::search_public(&mut conn, &filter, sort, offset, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| rows.last()).flatten().map(|last| match sort {
        repo::PublicSort::Relevance => encode_cursor(&format!("o:{}", offset + limit)),
        repo::PublicSort::PublishedAt => encode_cursor(&format!(
            "t:{}|{}",
            last.published_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            last.item_id
        )),
    });
    let facets = match &q.facets {
        Some(requested) => Some(facets(&mut conn, &filter, requested).await?),
        None => None,
    };
    let mut res = HttpResponse::Ok();
    if let Some(link) = link_header(&req, &next_cursor) {
        res.insert_header((header::LINK, link));
    }
    Ok(res.json(DisclosurePage {
        items: rows.iter().map(public_summary).collect(),
        next_cursor,
        facets,
    }))
}

async fn facets(
    conn: &mut Conn,
    filter: &repo::PublicFilter,
    requested: &str,
) -> ApiResult<Facets> {
    let wanted: Vec<&str> = requested
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = wanted
        .iter()
        .find(|w| !["category", "org", "year"].contains(w))
    {
        return Err(ApiError::field(
            "?facets",
            "facet.unknown",
            format!("unknown facet {bad:?}; use category, org, year"),
        ));
    }
    let (by_category, by_org, by_year) = repo::public_facets(conn, filter).await?;
    let mut out = Facets::default();
    if wanted.contains(&"category") {
        let ids: Vec<Uuid> = by_category.iter().map(|(id, _)| *id).collect();
        let names: HashMap<Uuid, String> = repo::get_categories(conn, &ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut v: Vec<FacetCount> = by_category
            .into_iter()
            .map(|(id, count)| FacetCount {
                value: id.to_string(),
                label: names.get(&id).cloned().unwrap_or_default(),
                count,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        out.category = Some(v);
    }
    if wanted.contains(&"org") {
        let ids: Vec<Uuid> = by_org.iter().map(|(id, _)| *id).collect();
        let names: HashMap<Uuid, String> = orgs::get_many(conn, &ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let mut v: Vec<FacetCount> = by_org
            .into_iter()
            .map(|(id, count)| FacetCount {
                value: id.to_string(),
                label: names.get(&id).cloned().unwrap_or_default(),
                count,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        out.org = Some(v);
    }
    if wanted.contains(&"year") {
        let mut v: Vec<FacetCount> = by_year
            .into_iter()
            .map(|(y, count)| FacetCount {
                value: y.to_string(),
                label: format!("{y}年"),
                count,
            })
            .collect();
        v.sort_by(|a, b| b.value.cmp(&a.value));
        out.year = Some(v);
    }
    Ok(out)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only this organisation's items (and its subtree with `include_sub`).
    pub org: Option<Uuid>,
    #[serde(default)]
    pub include_sub: bool,
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An Atom feed of the latest 50 published items, for portals and subscribers.
#[utoipa::path(operation_id = "getDisclosureFeed",
    tag = "disclosures", params(FeedQuery),
    responses((status = 200, description = "Atom 1.0", content_type = "application/atom+xml", body = String)))]
#[get("/disclosures/feed.atom")]
pub async fn feed(state: web::Data<AppState>, q: web::Query<FeedQuery>) -> ApiResult<HttpResponse> {
    let mut conn = state.read_conn().await?;
    let mut filter = repo::PublicFilter::default();
    let mut title = "政府信息公开".to_owned();
    if let Some(o) = q.org {
        let org = match orgs::get(&mut conn, o).await {
            Ok(org) => org,
            Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "?org",
                    "reference.not_found",
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        title = format!("{} 政府信息公开", org.name);
        if q.include_sub {
            filter.within_path = Some(org.path.as_str().to_owned());
        } else {
            filter.organization_id = Some(org.id);
        }
    }
    let rows = repo::search_public(
        &mut conn,
        &filter,
        repo::PublicSort::PublishedAt,
        0,
        None,
        50,
    )
    .await?;
    let updated = rows
        .first()
        .map_or_else(|| state.clock.now(), |v| v.published_at);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let feed_id = q.org.map_or_else(|| "all".to_owned(), |o| o.to_string());
    xml.push_str(&format!(
        "  <title>{}</title>\n  <id>urn:zhengwu:disclosures:{feed_id}</id>\n  <updated>{}</updated>\n  <link rel=\"self\" href=\"/api/v1/disclosures/feed.atom\"/>\n",
        xml_escape(&title),
        updated.to_rfc3339()
    ));
    for v in &rows {
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>urn:uuid:{}</id>\n    <updated>{}</updated>\n    <link href=\"/api/v1/disclosures/{}\"/>\n    <summary>{}</summary>\n    <category term=\"{}\"/>\n  </entry>\n",
            xml_escape(&v.fields.title),
            v.item_id,
            v.published_at.to_rfc3339(),
            v.item_id,
            xml_escape(&v.fields.summary),
            xml_escape(&v.index_number),
        ));
    }
    xml.push_str("</feed>\n");
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=60"))
        .body(xml))
}
