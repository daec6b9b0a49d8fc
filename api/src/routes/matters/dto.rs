//! The bodies of the service matter operations, and their conversions to and from the
//! commands and records of the application layer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::{OrganizationId, WindowId};
use zhengwu_domain::services::{
    CaseKind, FeeItem, ImplementerNature, Material, MatterState, MatterType, OnlineDepth,
    ProcedureStep, ServiceObject,
};
use zhengwu_persistence::matters::{Matter, MatterContent, MatterVersion};

use crate::app::matters::{ContentChanges, MatterSearch, NewMatter, parse_code, parse_content};
use crate::dto::double_option;
use crate::error::ApiError;
use crate::routes::disclosures::View;
use crate::routes::disclosures::views::Highlight;

// Only ever flattened into a request or answer, so it does not deny unknown fields itself:
// that would publish `additionalProperties: false` for a part of a larger object, which no
// whole object can satisfy. The request that flattens it (`CreateMatter`) denies them.
/// Everything a service guide says (the content of one version).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatterContentDto {
    #[schema(example = "建筑工程施工许可")]
    pub name: String,
    pub matter_type: MatterType,
    pub implementer_nature: ImplementerNature,
    #[schema(min_items = 1)]
    pub service_objects: Vec<ServiceObject>,
    /// 设定依据.
    pub legal_basis: String,
    /// 受理条件.
    pub conditions: String,
    /// 办理流程, e.g. 受理 → 审查 → 决定 → 送达.
    #[schema(min_items = 1, max_items = 20)]
    pub procedure: Vec<ProcedureStep>,
    /// 法定办结时限, working days.
    #[schema(maximum = 365)]
    pub statutory_days: u32,
    /// 承诺办结时限, working days; at most the statutory limit; 0 for an immediate case.
    #[schema(maximum = 365)]
    pub promised_days: u32,
    pub case_kind: CaseKind,
    /// 到现场次数 (0: no visit; 1: 最多跑一次).
    #[schema(maximum = 10)]
    pub max_visits: u32,
    pub online_depth: OnlineDepth,
    /// Fee items; empty means free of charge.
    #[serde(default)]
    pub fees: Vec<FeeItem>,
    pub materials: Vec<Material>,
    /// 审批结果 (the certificate or document issued).
    pub result_certificate: Option<String>,
    /// Windows that handle the matter.
    #[serde(default)]
    pub window_ids: Vec<Uuid>,
    pub consultation_phone: Option<String>,
    pub complaint_phone: Option<String>,
    /// Entered into the hall (进驻大厅).
    pub entered_hall: bool,
    /// Classified matters are not public and their cases' progress is not either.
    #[serde(default)]
    pub classified: bool,
}

impl From<MatterContent> for MatterContentDto {
    fn from(c: MatterContent) -> Self {
        Self {
            name: c.name,
            matter_type: c.matter_type,
            implementer_nature: c.implementer_nature,
            service_objects: c.service_objects,
            legal_basis: c.legal_basis,
            conditions: c.conditions,
            procedure: c.procedure,
            statutory_days: c.statutory_days,
            promised_days: c.promised_days,
            case_kind: c.case_kind,
            max_visits: c.max_visits,
            online_depth: c.online_depth,
            fees: c.fees,
            materials: c.materials,
            result_certificate: c.result_certificate,
            window_ids: c.window_ids,
            consultation_phone: c.consultation_phone,
            complaint_phone: c.complaint_phone,
            entered_hall: c.entered_hall,
            classified: c.classified,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000003", "basic_code": "0000000213",
    "implementation_code": "37010000000021300001", "name": "建设工程消防验收",
    "matter_type": "administrative_licensing", "implementer_nature": "statutory",
    "service_objects": ["legal_person"], "legal_basis": "《中华人民共和国消防法》第十三条",
    "conditions": "建设工程竣工，并已完成消防查验……",
    "procedure": [{"name": "受理"}, {"name": "审查"}, {"name": "决定"}, {"name": "送达"}],
    "statutory_days": 15, "promised_days": 5, "case_kind": "promised", "max_visits": 0,
    "online_depth": "full_online", "fees": [],
    "materials": [{"name": "消防验收申请表", "form": "original", "copies": 1, "required": true}],
    "result_certificate": "建设工程消防验收意见书", "entered_hall": true
}))]
pub struct CreateMatter {
    /// The implementing organisation (实施主体).
    pub organization_id: Uuid,
    /// 基本编码: 1 to 10 letters or digits.
    #[schema(pattern = "^[A-Za-z0-9]{1,10}$")]
    pub basic_code: String,
    /// 实施编码: 1 to 24 letters or digits, unique.
    #[schema(pattern = "^[A-Za-z0-9]{1,24}$")]
    pub implementation_code: String,
    #[serde(flatten)]
    pub content: MatterContentDto,
}

/// Changes to a matter: absent fields stay. Changing a published matter creates a new
/// version; cases keep the version they were applied under.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "promised_days": 2, "max_visits": 0, "consultation_phone": "0531-66608000"
}))]
pub struct PatchMatter {
    pub name: Option<String>,
    pub matter_type: Option<MatterType>,
    pub implementer_nature: Option<ImplementerNature>,
    #[schema(min_items = 1)]
    pub service_objects: Option<Vec<ServiceObject>>,
    pub legal_basis: Option<String>,
    pub conditions: Option<String>,
    #[schema(min_items = 1, max_items = 20)]
    pub procedure: Option<Vec<ProcedureStep>>,
    #[schema(maximum = 365)]
    pub statutory_days: Option<u32>,
    #[schema(maximum = 365)]
    pub promised_days: Option<u32>,
    pub case_kind: Option<CaseKind>,
    #[schema(maximum = 10)]
    pub max_visits: Option<u32>,
    pub online_depth: Option<OnlineDepth>,
    pub fees: Option<Vec<FeeItem>>,
    pub materials: Option<Vec<Material>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub result_certificate: Option<Option<String>>,
    pub window_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub consultation_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub complaint_phone: Option<Option<String>>,
    pub entered_hall: Option<bool>,
    pub classified: Option<bool>,
}

/// A matter as the staff of its organisation see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatterDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub basic_code: String,
    pub implementation_code: String,
    pub state: MatterState,
    /// The version being edited (equal to `published_version` when there is no revision).
    pub working_version: i32,
    pub published_version: Option<i32>,
    /// Whether the working version waits for the reviewer.
    pub working_submitted: bool,
    #[serde(flatten)]
    pub content: MatterContentDto,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuideWindow {
    pub id: Uuid,
    pub number: String,
    pub name: String,
    pub hall_name: String,
    pub hall_address: Option<String>,
    pub hall_phone: Option<String>,
    pub office_hours: Option<String>,
}

/// The public service guide: the published version, with everything an applicant needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceGuide {
    pub id: Uuid,
    pub basic_code: String,
    pub implementation_code: String,
    /// `published`, or `suspended` (not accepting applications now).
    pub state: MatterState,
    pub version_number: i32,
    pub published_at: Option<DateTime<Utc>>,
    pub organization_name: String,
    pub organization_address: Option<String>,
    pub organization_phone: Option<String>,
    #[serde(flatten)]
    pub content: MatterContentDto,
    /// No fee items.
    pub free: bool,
    /// Working days saved by the promise (承诺提速).
    pub speedup_days: u32,
    pub windows: Vec<GuideWindow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatterSummary {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub implementation_code: String,
    pub name: String,
    pub matter_type: MatterType,
    pub state: MatterState,
    pub case_kind: CaseKind,
    pub promised_days: u32,
    pub max_visits: u32,
    pub online_depth: OnlineDepth,
    pub entered_hall: bool,
    /// A search of the published guides with words only: the name whole and a fragment of
    /// the conditions or the legal basis, the words marked `<em>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Highlight>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatterVersionSummary {
    pub number: i32,
    pub name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatterVersionList {
    pub items: Vec<MatterVersionSummary>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "法律依据修订，暂停办理并更新办事指南"}))]
pub struct MatterReason {
    /// Required to suspend or abolish.
    pub reason: Option<String>,
}

/// The reason that suspending or abolishing a matter requires.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "法律依据修订，暂停办理并更新办事指南"}))]
pub struct RequiredReason {
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Chinese full text over name, conditions, legal basis and materials.
    #[param(example = "施工许可")]
    pub q: Option<String>,
    pub org: Option<Uuid>,
    /// With `org`: its whole subtree.
    #[serde(default)]
    pub include_sub: bool,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub matter_type: Option<MatterType>,
    pub object: Option<ServiceObject>,
    /// Only matters that can (or cannot) be applied for online.
    pub online: Option<bool>,
    pub entered_hall: Option<bool>,
    pub window: Option<Uuid>,
    /// Staff view: the matter's state.
    pub state: Option<MatterState>,
    /// `public` (published guides; the default without a staff token) or `working`.
    #[param(inline)]
    pub view: Option<crate::routes::disclosures::View>,
}

impl From<MatterContentDto> for MatterContent {
    /// The content as sent, before it is parsed.
    fn from(c: MatterContentDto) -> Self {
        Self {
            name: c.name,
            matter_type: c.matter_type,
            implementer_nature: c.implementer_nature,
            service_objects: c.service_objects,
            legal_basis: c.legal_basis,
            conditions: c.conditions,
            procedure: c.procedure,
            statutory_days: c.statutory_days,
            promised_days: c.promised_days,
            case_kind: c.case_kind,
            max_visits: c.max_visits,
            online_depth: c.online_depth,
            fees: c.fees,
            materials: c.materials,
            result_certificate: c.result_certificate,
            window_ids: c.window_ids,
            consultation_phone: c.consultation_phone,
            complaint_phone: c.complaint_phone,
            entered_hall: c.entered_hall,
            classified: c.classified,
        }
    }
}

impl From<(Matter, MatterVersion)> for MatterDto {
    fn from((m, v): (Matter, MatterVersion)) -> Self {
        MatterDto {
            id: m.id,
            organization_id: m.organization_id,
            basic_code: m.basic_code,
            implementation_code: m.implementation_code,
            state: m.state,
            working_version: m.working_version,
            published_version: m.published_version,
            working_submitted: v.submitted_at.is_some() && v.published_at.is_none(),
            content: v.content.into(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl From<&(Matter, MatterVersion)> for MatterSummary {
    fn from((m, v): &(Matter, MatterVersion)) -> Self {
        MatterSummary {
            id: m.id,
            organization_id: m.organization_id,
            implementation_code: m.implementation_code.clone(),
            name: v.content.name.clone(),
            matter_type: v.content.matter_type,
            state: m.state,
            case_kind: v.content.case_kind,
            promised_days: v.content.promised_days,
            max_visits: v.content.max_visits,
            online_depth: v.content.online_depth,
            entered_hall: v.content.entered_hall,
            highlight: None,
        }
    }
}

impl From<MatterVersion> for MatterVersionSummary {
    fn from(v: MatterVersion) -> Self {
        MatterVersionSummary {
            number: v.number,
            name: v.content.name,
            submitted_at: v.submitted_at,
            published_at: v.published_at,
            published_by: v.published_by,
        }
    }
}

/// The codes first (as a request learns them today), then the content.
impl TryFrom<CreateMatter> for NewMatter {
    type Error = ApiError;

    fn try_from(b: CreateMatter) -> Result<Self, ApiError> {
        let mut e = zhengwu_domain::validation::Errors::new();
        let basic = e.check("basic_code", parse_code(&b.basic_code, 10));
        let implementation = e.check(
            "implementation_code",
            parse_code(&b.implementation_code, 24),
        );
        e.finish()?;
        let (Some(basic_code), Some(implementation_code)) = (basic, implementation) else {
            return Err(ApiError::internal());
        };
        Ok(NewMatter {
            organization_id: OrganizationId(b.organization_id),
            basic_code,
            implementation_code,
            content: parse_content(b.content.into())?,
        })
    }
}

impl From<PatchMatter> for ContentChanges {
    fn from(b: PatchMatter) -> Self {
        ContentChanges {
            name: b.name,
            matter_type: b.matter_type,
            implementer_nature: b.implementer_nature,
            service_objects: b.service_objects,
            legal_basis: b.legal_basis,
            conditions: b.conditions,
            procedure: b.procedure,
            statutory_days: b.statutory_days,
            promised_days: b.promised_days,
            case_kind: b.case_kind,
            max_visits: b.max_visits,
            online_depth: b.online_depth,
            fees: b.fees,
            materials: b.materials,
            result_certificate: b.result_certificate,
            window_ids: b.window_ids,
            consultation_phone: b.consultation_phone,
            complaint_phone: b.complaint_phone,
            entered_hall: b.entered_hall,
            classified: b.classified,
        }
    }
}

impl From<&ListQuery> for MatterSearch {
    fn from(q: &ListQuery) -> Self {
        MatterSearch {
            working: q.view.map(|v| v == View::Working),
            org: q.org.map(OrganizationId),
            include_sub: q.include_sub,
            matter_type: q.matter_type,
            service_object: q.object,
            online: q.online,
            entered_hall: q.entered_hall,
            window: q.window.map(WindowId),
            state: q.state,
            q: q.q.clone(),
        }
    }
}
