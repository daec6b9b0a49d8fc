//! The request bodies and query parameters of the disclosure endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, ItemKind, ItemState, NonDisclosureGround, Validity,
};
use zhengwu_domain::ids::{CategoryId, OrganizationId};
use zhengwu_domain::pii::PiiExceptionGround;
use zhengwu_domain::validation;
use zhengwu_persistence::disclosure::ItemFields;

use crate::app::disclosures::items::{DraftItem, ItemChanges};
use crate::app::disclosures::search::Listing;
use crate::app::disclosures::workflow;
use crate::dto::double_option;
use crate::error::{ApiResult, AtField};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000001",
    "category_id": "984e7ba4-32ee-8dc1-b1fd-4b83b614c729",
    "title": "济南市人民政府办公厅关于进一步做好政务公开工作的通知",
    "summary": "部署2026年政务公开重点工作。",
    "content": "各区县人民政府，市政府各部门：……",
    "doc_number": "济政办发〔2026〕12号",
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
#[schema(example = json!({"summary": "明确2026年度重点工作任务和责任分工。",
    "subject_terms": ["工作要点", "政务公开"]}))]
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
#[schema(example = json!({"ground": "punitive_notice",
    "note": "行政处罚决定依法公示（《行政处罚法》第四十八条）"}))]
pub struct PiiException {
    pub ground: PiiExceptionGround,
    /// Why the exception applies; required.
    pub note: String,
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Chinese full text (public view): words are segmented and every word must match, in
    /// the title, summary or body. Best match first: title before summary before body, the
    /// exact phrase above the words apart, a document number (文号) or index number (索引号)
    /// equal to the query first, then newest. Each result carries `highlight`, its words
    /// marked `<em>`.
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only this organisation's items (and its subtree with `include_sub`).
    pub org: Option<Uuid>,
    #[serde(default)]
    pub include_sub: bool,
}

/// An upload: one file in the `file` field of a multipart form.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

impl CreateDisclosure {
    /// The draft as sent; the use case parses its fields.
    pub fn command(self) -> DraftItem {
        DraftItem {
            organization_id: OrganizationId(self.organization_id),
            fields: ItemFields {
                issuing_organization_id: self
                    .issuing_organization_id
                    .unwrap_or(self.organization_id),
                category_id: self.category_id,
                kind: self.kind,
                interprets_id: self.interprets_id,
                title: self.title,
                summary: self.summary,
                content: self.content,
                content_format: self.content_format,
                doc_number: self.doc_number,
                subject_terms: self.subject_terms,
                formed_on: self.formed_on,
                attribute: self.attribute,
                non_disclosure_ground: self.non_disclosure_ground,
                channels: self.channels,
                validity: self.validity,
                cadence: self.cadence,
            },
        }
    }
}

impl From<PatchDisclosure> for ItemChanges {
    fn from(b: PatchDisclosure) -> Self {
        ItemChanges {
            category_id: b.category_id,
            issuing_organization_id: b.issuing_organization_id,
            title: b.title,
            summary: b.summary,
            content: b.content,
            content_format: b.content_format,
            doc_number: b.doc_number,
            subject_terms: b.subject_terms,
            formed_on: b.formed_on,
            attribute: b.attribute,
            non_disclosure_ground: b.non_disclosure_ground,
            channels: b.channels,
            validity: b.validity,
            cadence: b.cadence,
        }
    }
}

/// The optional note of a step: trimmed, at most 1,000 characters, not blank when given.
pub fn note_of(body: &[u8]) -> ApiResult<Option<String>> {
    let b: NoteBody = optional_body(body)?;
    b.note
        .map(|n| validation::text(&n, 1000))
        .transpose()
        .at("/note")
}

/// Optional body of a step: an empty body is allowed.
fn optional_body<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        crate::extract::parse_json(bytes).map(|j| j.value)
    }
}

impl ReasonBody {
    /// The reason: trimmed, not blank, at most 1,000 characters.
    pub fn parse(&self) -> ApiResult<String> {
        validation::text(&self.reason, 1000).at("/reason")
    }
}

impl PublishBody {
    /// The optional body of a publication, with its exception's note trimmed and checked.
    pub fn parse(bytes: &[u8]) -> ApiResult<Option<workflow::PiiException>> {
        let b: PublishBody = optional_body(bytes)?;
        b.pii_exception
            .map(|e| {
                let note = validation::text(&e.note, 1000).at("/pii_exception/note")?;
                Ok(workflow::PiiException {
                    ground: e.ground,
                    note,
                })
            })
            .transpose()
    }
}

impl ListQuery {
    pub fn listing(&self) -> Listing {
        Listing {
            q: self.q.clone(),
            org: self.org.map(OrganizationId),
            include_sub: self.include_sub,
            category: self.category.map(CategoryId),
            year: self.year,
            attribute: self.attribute,
            validity: self.validity,
            doc_number: self.doc_number.clone(),
            published_from: self.published_from,
            published_to: self.published_to,
            state: self.state,
            overdue: self.overdue,
            sort: self.sort,
            facets: self.facets.clone(),
        }
    }
}
