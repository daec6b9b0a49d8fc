//! The answers of the disclosure endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, ItemKind, ItemState, NonDisclosureGround, Validity,
};
use zhengwu_domain::pii::PiiKind;

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
    /// A full-text search's result only: where the query's words are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Highlight>,
}

/// A search result's texts with the query's words marked `<em>…</em>`; everything else in
/// them is HTML-escaped, so a page may insert them as HTML.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "title": "关于做好<em>政务</em><em>公开</em>工作的通知",
    "fragment": "进一步提高<em>政务</em><em>公开</em>质量。"
}))]
pub struct Highlight {
    /// The whole title.
    pub title: String,
    /// The best fragment of the summary, else of the body; the summary's beginning when
    /// neither holds a word of the query (it matched a document number).
    pub fragment: String,
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
