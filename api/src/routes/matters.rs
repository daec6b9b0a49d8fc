//! Service matters (政务服务事项) and the public service guide (办事指南).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::services::{
    self as rules, CaseKind, FeeItem, ImplementerNature, Material, MatterState, MatterTransition,
    MatterType, OnlineDepth, ProcedureStep, ServiceObject,
};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::matters::{self as repo, Matter, MatterContent, MatterVersion};
use zhengwu_persistence::{Conn, DbError, Found, orgs, windows};

use crate::audit_ctx::AuditCtx;
use crate::auth::{MaybePrincipal, Principal, Scope};
use crate::dto::double_option;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

const EDITORS: &[Role] = &[Role::OrgAdmin, Role::SysAdmin];
const PUBLISHERS: &[Role] = &[Role::Reviewer];

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

fn matter_dto(m: Matter, v: MatterVersion) -> MatterDto {
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

fn code(value: &str, max: usize, field: &str, e: &mut Errors) -> Option<String> {
    let ok = (1..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Some(value.to_owned())
    } else {
        e.push(
            field,
            RuleViolation::new(
                "matter.code_format",
                format!("1 to {max} letters or digits"),
            ),
        );
        None
    }
}

/// Checks a matter's content and turns it into the stored form.
async fn check_content(conn: &mut Conn, c: &MatterContentDto) -> ApiResult<MatterContent> {
    let mut e = Errors::new();
    e.check("name", validation::text(&c.name, 200));
    e.check("legal_basis", validation::text(&c.legal_basis, 5000));
    e.check("conditions", validation::text(&c.conditions, 5000));
    if c.service_objects.is_empty() {
        e.push(
            "service_objects",
            RuleViolation::new("list.empty", "name at least one service object"),
        );
    }
    if let Err(v) = rules::check_limits(c.case_kind, c.statutory_days, c.promised_days) {
        e.push("promised_days", v);
    }
    if c.max_visits > 10 {
        e.push(
            "max_visits",
            RuleViolation::new("range", "at most 10 visits"),
        );
    }
    if c.statutory_days > 365 {
        e.push(
            "statutory_days",
            RuleViolation::new("range", "at most 365 working days"),
        );
    }
    e.check_opt("result_certificate", c.result_certificate.as_deref(), |v| {
        validation::text(v, 100)
    });
    e.check_opt(
        "consultation_phone",
        c.consultation_phone.as_deref(),
        validation::phone,
    );
    e.check_opt(
        "complaint_phone",
        c.complaint_phone.as_deref(),
        validation::phone,
    );
    let lists = rules::check_guide_lists(&c.procedure, &c.fees, &c.materials);
    let mut errors = match e.finish() {
        Ok(()) => vec![],
        Err(v) => v,
    };
    if let Err(more) = lists {
        errors.extend(more);
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut seen = Vec::new();
    for (i, w) in c.window_ids.iter().enumerate() {
        let ok = windows::get(conn, *w)
            .await
            .found()?
            .is_some_and(|win| win.active)
            && !seen.contains(w);
        if !ok {
            return Err(ApiError::field(
                &format!("/window_ids/{i}"),
                "reference.not_found",
                "no such active window (or listed twice)",
            ));
        }
        seen.push(*w);
    }
    let mut objects = c.service_objects.clone();
    objects.sort();
    objects.dedup();
    Ok(MatterContent {
        name: c.name.trim().to_owned(),
        matter_type: c.matter_type,
        implementer_nature: c.implementer_nature,
        service_objects: objects,
        legal_basis: c.legal_basis.trim().to_owned(),
        conditions: c.conditions.trim().to_owned(),
        procedure: c.procedure.clone(),
        statutory_days: c.statutory_days,
        promised_days: c.promised_days,
        case_kind: c.case_kind,
        max_visits: c.max_visits,
        online_depth: c.online_depth,
        fees: c.fees.clone(),
        materials: c.materials.clone(),
        result_certificate: c.result_certificate.clone(),
        window_ids: c.window_ids.clone(),
        consultation_phone: c.consultation_phone.clone(),
        complaint_phone: c.complaint_phone.clone(),
        entered_hall: c.entered_hall,
        classified: c.classified,
    })
}

/// The matter, if the caller is staff who may see it.
async fn staff_matter(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Matter, orgs::Organization)> {
    let found = if for_update {
        repo::get_matter_for_update(conn, id).await
    } else {
        repo::get_matter(conn, id).await
    };
    let m = match found {
        Ok(m) => m,
        Err(DbError::NotFound) => return Err(ApiError::not_found("service matter")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, m.organization_id).await?;
    if !auth.role.is_staff() {
        return Err(ApiError::not_found("service matter"));
    }
    auth.ensure_sees(&org.path, "service matter")?;
    Ok((m, org))
}

fn with_etag(d: &MatterDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// Register a service matter in its implementing organisation's catalogue (a draft).
#[utoipa::path(operation_id = "createServiceMatter",
    tag = "service matters", security(("bearer" = [])), request_body = CreateMatter,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The implementation code is taken")))]
#[post("/service-matters")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateMatter>,
) -> ApiResult<HttpResponse> {
    auth.require(EDITORS)?;
    let b = &body.value;
    let mut e = Errors::new();
    let basic = code(&b.basic_code, 10, "basic_code", &mut e);
    let implementation = code(&b.implementation_code, 24, "implementation_code", &mut e);
    e.finish()?;
    let (Some(basic), Some(implementation)) = (basic, implementation) else {
        return Err(ApiError::internal());
    };
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
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
        let content = check_content(c, &b.content).await?;
        let id = Uuid::now_v7();
        let m = repo::insert_matter(
            c,
            &repo::NewMatter {
                id,
                organization_id: org.id,
                basic_code: basic,
                implementation_code: implementation,
            },
            &content,
        )
        .await?;
        let v = repo::get_version(c, id, 1).await?;
        let created = matter_dto(m, v);
        audit
            .record(
                c,
                "service_matter.create",
                "service_matter",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&created),
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/service-matters/{id}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Read a matter's working version and workflow (staff of its organisation).
#[utoipa::path(operation_id = "getServiceMatter",
    tag = "service matters", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MatterDto, headers(("ETag" = String)))))]
#[get("/service-matters/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (m, _) = staff_matter(&mut conn, &auth, *id, false).await?;
    let v = repo::get_version(&mut conn, m.id, m.working_version).await?;
    Ok(with_etag(&matter_dto(m, v)))
}

/// Change a matter (send `If-Match`). A draft is edited in place; a published or
/// suspended matter gets a new working version, published again after review.
#[utoipa::path(operation_id = "updateServiceMatter",
    tag = "service matters", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchMatter, responses((status = 200, body = MatterDto)))]
#[patch("/service-matters/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchMatter>,
) -> ApiResult<HttpResponse> {
    auth.require(EDITORS)?;
    let b = &body.value;
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (m, org) = staff_matter(c, &auth, id, true).await?;
            if_match.check(m.version)?;
            let working = repo::get_version(c, id, m.working_version).await?;
            let editable_in_place =
                working.published_at.is_none() && working.submitted_at.is_none();
            let new_version = working.published_at.is_some();
            if !editable_in_place && !new_version || matches!(m.state, MatterState::Abolished) {
                return Err(ApiError::conflict(
                    "matter.not_editable",
                    "the working version is under review (or the matter is abolished)",
                )
                .context(serde_json::json!({"state": m.state})));
            }
            let old: MatterContentDto = working.content.clone().into();
            let merged = MatterContentDto {
                name: b.name.clone().unwrap_or(old.name.clone()),
                matter_type: b.matter_type.unwrap_or(old.matter_type),
                implementer_nature: b.implementer_nature.unwrap_or(old.implementer_nature),
                service_objects: b
                    .service_objects
                    .clone()
                    .unwrap_or(old.service_objects.clone()),
                legal_basis: b.legal_basis.clone().unwrap_or(old.legal_basis.clone()),
                conditions: b.conditions.clone().unwrap_or(old.conditions.clone()),
                procedure: b.procedure.clone().unwrap_or(old.procedure.clone()),
                statutory_days: b.statutory_days.unwrap_or(old.statutory_days),
                promised_days: b.promised_days.unwrap_or(old.promised_days),
                case_kind: b.case_kind.unwrap_or(old.case_kind),
                max_visits: b.max_visits.unwrap_or(old.max_visits),
                online_depth: b.online_depth.unwrap_or(old.online_depth),
                fees: b.fees.clone().unwrap_or(old.fees.clone()),
                materials: b.materials.clone().unwrap_or(old.materials.clone()),
                result_certificate: b
                    .result_certificate
                    .clone()
                    .unwrap_or(old.result_certificate.clone()),
                window_ids: b.window_ids.clone().unwrap_or(old.window_ids.clone()),
                consultation_phone: b
                    .consultation_phone
                    .clone()
                    .unwrap_or(old.consultation_phone.clone()),
                complaint_phone: b
                    .complaint_phone
                    .clone()
                    .unwrap_or(old.complaint_phone.clone()),
                entered_hall: b.entered_hall.unwrap_or(old.entered_hall),
                classified: b.classified.unwrap_or(old.classified),
            };
            let content = check_content(c, &merged).await?;
            let number = if new_version {
                m.working_version + 1
            } else {
                m.working_version
            };
            repo::put_version(c, id, number, &content).await?;
            let saved = repo::save_matter(c, id, m.state, number, m.published_version).await?;
            let v = repo::get_version(c, id, number).await?;
            let after = matter_dto(saved, v);
            audit
                .record(
                    c,
                    "service_matter.update",
                    "service_matter",
                    id,
                    Some(&org.path),
                    Some(&old),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(&saved))
}

async fn transition(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    t: MatterTransition,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let roles: &[Role] = match t {
        MatterTransition::Publish => PUBLISHERS,
        _ => &[Role::OrgAdmin, Role::SysAdmin, Role::Reviewer],
    };
    auth.require(roles)?;
    if matches!(t, MatterTransition::Suspend | MatterTransition::Abolish) {
        let r = reason.as_deref().unwrap_or("");
        validation::text(r, 1000)
            .map_err(|v| ApiError::field("/reason", v.code, "a reason is required"))?;
    }
    let audit = AuditCtx::new(state, auth.actor());
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (m, org) = staff_matter(c, auth, id, true).await?;
            if_match.check(m.version)?;
            let working = repo::get_version(c, id, m.working_version).await?;
            let revision = working.published_at.is_none() && m.published_version.is_some();
            let now = state.clock.now();
            // A revision of a published matter goes through submit and publish without
            // taking the published version off the guide.
            let (next, published) = match (t, revision) {
                (MatterTransition::Submit, true) if working.submitted_at.is_none() => {
                    repo::mark_submitted(c, id, m.working_version, now).await?;
                    (m.state, m.published_version)
                }
                (MatterTransition::Publish, true) if working.submitted_at.is_some() => {
                    repo::mark_published(c, id, m.working_version, now, auth.id).await?;
                    (m.state, Some(m.working_version))
                }
                _ => {
                    let next = m.state.apply(t).map_err(|e| {
                        ApiError::conflict("matter.illegal_transition", e.to_string())
                            .context(serde_json::json!({"state": e.from, "transition": e.transition}))
                    })?;
                    match t {
                        MatterTransition::Submit => repo::mark_submitted(c, id, m.working_version, now).await?,
                        MatterTransition::Publish => repo::mark_published(c, id, m.working_version, now, auth.id).await?,
                        _ => {}
                    }
                    let published = if t == MatterTransition::Publish { Some(m.working_version) } else { m.published_version };
                    (next, published)
                }
            };
            let saved = repo::save_matter(c, id, next, m.working_version, published).await?;
            let v = repo::get_version(c, id, saved.working_version).await?;
            let after = matter_dto(saved, v);
            audit
                .record(
                    c,
                    &format!("service_matter.{t}"),
                    "service_matter",
                    id,
                    Some(&org.path),
                    Some(&serde_json::json!({"state": m.state, "published_version": m.published_version})),
                    Some(&serde_json::json!({"state": after.state, "published_version": after.published_version, "reason": reason})),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(&saved))
}

/// The reason that suspending or abolishing a matter requires.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "法律依据修订，暂停办理并更新办事指南"}))]
pub struct RequiredReason {
    pub reason: String,
}

fn reason_of(body: &[u8]) -> ApiResult<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(crate::extract::parse_json::<MatterReason>(body)?
        .value
        .reason)
}

macro_rules! matter_step {
    ($name:ident, $path:literal, $op:literal, $t:expr, $body:ty, $body_doc:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "service matters", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            request_body(content = $body, description = $body_doc),
            responses((status = 200, body = MatterDto),
            (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
             description = "Not allowed in the current state; `context.state` names it")))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Principal,
            id: web::Path<Uuid>,
            if_match: IfMatch,
            body: web::Bytes,
        ) -> ApiResult<HttpResponse> {
            let reason = reason_of(&body)?;
            transition(&state, &auth, *id, &if_match, $t, reason).await
        }
    };
}

matter_step!(
    submit,
    "/service-matters/{id}/submit",
    "submitServiceMatter",
    MatterTransition::Submit,
    Option<MatterReason>,
    "An optional note",
    "Submit the working version for review (organisation administrators)."
);
matter_step!(
    publish,
    "/service-matters/{id}/publish",
    "publishServiceMatter",
    MatterTransition::Publish,
    Option<MatterReason>,
    "An optional note",
    "Publish the submitted version (reviewers); a published revision replaces the guide."
);
matter_step!(
    suspend,
    "/service-matters/{id}/suspend",
    "suspendServiceMatter",
    MatterTransition::Suspend,
    RequiredReason,
    "The reason",
    "Suspend a published matter (no new applications), with a reason."
);
matter_step!(
    resume,
    "/service-matters/{id}/resume",
    "resumeServiceMatter",
    MatterTransition::Resume,
    Option<MatterReason>,
    "An optional note",
    "Resume a suspended matter."
);
matter_step!(
    abolish,
    "/service-matters/{id}/abolish",
    "abolishServiceMatter",
    MatterTransition::Abolish,
    RequiredReason,
    "The reason",
    "Abolish a matter for good, with a reason."
);

/// The versions of a matter (staff of its organisation).
#[utoipa::path(operation_id = "listServiceMatterVersions",
    tag = "service matters", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MatterVersionList)))]
#[get("/service-matters/{id}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (m, _) = staff_matter(&mut conn, &auth, *id, false).await?;
    let items = repo::versions_of(&mut conn, m.id)
        .await?
        .into_iter()
        .map(|v| MatterVersionSummary {
            number: v.number,
            name: v.content.name,
            submitted_at: v.submitted_at,
            published_at: v.published_at,
            published_by: v.published_by,
        })
        .collect();
    Ok(HttpResponse::Ok().json(MatterVersionList { items }))
}

async fn guide_of(conn: &mut Conn, m: Matter, v: MatterVersion) -> ApiResult<ServiceGuide> {
    // The windows in the guide's order, then the organisation and the windows' halls: three
    // statements however many windows.
    let mut found: HashMap<Uuid, windows::Window> = windows::get_many(conn, &v.content.window_ids)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let wins: Vec<windows::Window> = v
        .content
        .window_ids
        .iter()
        .filter_map(|id| found.remove(id))
        .collect();
    let mut org_ids: Vec<Uuid> = wins.iter().map(|w| w.hall_id).collect();
    org_ids.push(m.organization_id);
    let mut orgs_by_id: HashMap<Uuid, orgs::Organization> = orgs::get_many(conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut handled_at = Vec::new();
    for win in wins {
        let hall = orgs_by_id
            .get(&win.hall_id)
            .ok_or_else(|| ApiError::from(DbError::NotFound))?;
        handled_at.push(GuideWindow {
            id: win.id,
            number: win.number,
            name: win.name,
            hall_name: hall.name.clone(),
            hall_address: hall.address.clone(),
            hall_phone: hall.phone.clone(),
            office_hours: hall.office_hours.clone(),
        });
    }
    let org = orgs_by_id
        .remove(&m.organization_id)
        .ok_or_else(|| ApiError::from(DbError::NotFound))?;
    let content: MatterContentDto = v.content.into();
    Ok(ServiceGuide {
        id: m.id,
        basic_code: m.basic_code,
        implementation_code: m.implementation_code,
        state: m.state,
        version_number: v.number,
        published_at: v.published_at,
        organization_name: org.name,
        organization_address: org.address,
        organization_phone: org.phone,
        free: content.fees.is_empty(),
        speedup_days: content.statutory_days - content.promised_days,
        content,
        windows: handled_at,
    })
}

/// The public service guide (办事指南) of a published matter: conditions, materials,
/// fees, time limits, visits, windows, address and phones. The same for hall, web and app.
#[utoipa::path(operation_id = "getServiceGuide",
    tag = "service matters", params(("id" = Uuid, Path)),
    responses((status = 200, body = ServiceGuide)))]
#[get("/service-matters/{id}/guide")]
pub async fn guide(state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.read_conn().await?;
    let m = match repo::get_matter(&mut conn, *id).await {
        Ok(m) => m,
        Err(DbError::NotFound) => return Err(ApiError::not_found("service matter")),
        Err(e) => return Err(e.into()),
    };
    let published = m
        .published_version
        .filter(|_| matches!(m.state, MatterState::Published | MatterState::Suspended))
        .ok_or_else(|| ApiError::not_found("service matter"))?;
    let v = repo::get_version(&mut conn, m.id, published).await?;
    if v.content.classified {
        return Err(ApiError::not_found("service matter"));
    }
    let g = guide_of(&mut conn, m, v).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(g))
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

/// Search the service matter catalogue.
#[utoipa::path(operation_id = "listServiceMatters",
    tag = "service matters", security((), ("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = Page<MatterSummary>)))]
#[get("/service-matters")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    use crate::routes::disclosures::View;
    let limit = page.limit()?;
    let working = match q.view {
        Some(View::Working) => true,
        Some(View::Public) => false,
        None => auth.0.as_ref().is_some_and(|p| p.role.is_staff()),
    };
    let mut conn = state.read_conn().await?;
    let sub = match q.org {
        Some(o) if q.include_sub => match orgs::get(&mut conn, o).await {
            Ok(org) => Some(org.path.as_str().to_owned()),
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
    let within = if working {
        let p = auth
            .0
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("the working view needs a token"))?;
        match p.scope() {
            Scope::All => sub.clone(),
            Scope::Subtree(path) => match &sub {
                Some(s) if s.starts_with(path.as_str()) => Some(s.clone()),
                _ => Some(path.as_str().to_owned()),
            },
            Scope::Nothing => return Err(ApiError::forbidden("applicants see the public view")),
        }
    } else {
        sub.clone()
    };
    let rows = repo::list(
        &mut conn,
        &repo::Filter {
            public: !working,
            within,
            organization_id: if q.include_sub { None } else { q.org },
            matter_type: q.matter_type,
            service_object: q.object,
            online: q.online,
            entered_hall: q.entered_hall,
            window_id: q.window,
            state: if working { q.state } else { None },
            q: q.q.clone().filter(|t| !t.trim().is_empty()),
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
    let page = Page::from_rows(
        rows,
        limit,
        |(m, _)| m.id.to_string(),
        |(m, v)| MatterSummary {
            id: m.id,
            organization_id: m.organization_id,
            implementation_code: m.implementation_code,
            name: v.content.name,
            matter_type: v.content.matter_type,
            state: m.state,
            case_kind: v.content.case_kind,
            promised_days: v.content.promised_days,
            max_visits: v.content.max_visits,
            online_depth: v.content.online_depth,
            entered_hall: v.content.entered_hall,
        },
    );
    Ok(page_response(&req, page))
}
