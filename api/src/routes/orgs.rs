//! Organisations (组织机构): the tree of governments, departments, institutions and halls.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::{
    OrgDetails, OrgDetailsChange, OrgDetailsInput, OrgKind, OrgLevel, field,
};
use zhengwu_domain::validation::{Errors, RuleViolation};
use zhengwu_persistence::orgs::Organization;

use crate::app::orgs::{self as uc, ChangeOrg, CreateOrg, OrgDetail, OrgQuery};
use crate::auth::Principal;
use crate::dto::double_option;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::{Created, Idem};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// An organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationDto {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: OrgKind,
    pub level: OrgLevel,
    #[schema(example = "历下区人民政府")]
    pub name: String,
    pub short_name: Option<String>,
    /// 行政区划代码 (6 or 12 digits).
    #[schema(example = "370102")]
    pub division_code: Option<String>,
    /// 统一社会信用代码 (GB 32100).
    #[schema(example = "11370102004228416F")]
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_hours: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Organization> for OrganizationDto {
    fn from(o: Organization) -> Self {
        Self {
            id: o.id,
            parent_id: o.parent_id,
            kind: o.kind,
            level: o.level,
            name: o.name,
            short_name: o.short_name,
            division_code: o.division_code,
            credit_code: o.credit_code,
            address: o.address,
            phone: o.phone,
            office_hours: o.office_hours,
            active: o.active,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// An organisation on the way from the root.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    pub level: OrgLevel,
}

/// An organisation with its place in the tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationDetail {
    #[serde(flatten)]
    pub organization: OrganizationDto,
    /// From the root down to the parent.
    pub ancestors: Vec<OrgRef>,
    /// How many organisations sit directly below (list them with `?parent_id=`).
    pub children_count: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "parent_id": "01941f29-7c00-7001-8000-000000000006", "kind": "department",
    "level": "county", "name": "历下区市场监督管理局", "credit_code": "11370102MB2853150C",
    "address": "济南市历下区龙鼎大道1号", "phone": "0531-66661234",
        "office_hours": "工作日 9:00-17:00"
}))]
pub struct CreateOrganization {
    /// The parent; absent for the root of a tree (system administrators only).
    pub parent_id: Option<Uuid>,
    pub kind: OrgKind,
    pub level: OrgLevel,
    pub name: String,
    pub short_name: Option<String>,
    /// Required for a region government.
    pub division_code: Option<String>,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_hours: Option<String>,
}

/// Changes to an organisation: absent fields stay, `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "phone": "0531-51705001", "office_hours": "工作日 8:30-12:00, 13:30-17:30"
}))]
pub struct PatchOrganization {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub short_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub division_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub credit_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub office_hours: Option<Option<String>>,
    pub active: Option<bool>,
    /// Moves the organisation, with its subtree, under another parent.
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the direct children of this organisation.
    pub parent_id: Option<Uuid>,
    pub kind: Option<OrgKind>,
    pub level: Option<OrgLevel>,
    /// Part of the name.
    pub q: Option<String>,
}

impl CreateOrganization {
    /// Parses the body once: every field trimmed and checked, every error collected.
    fn parse(self) -> ApiResult<CreateOrg> {
        let mut e = Errors::new();
        let input = OrgDetailsInput {
            name: &self.name,
            short_name: self.short_name.as_deref(),
            division_code: self.division_code.as_deref(),
            credit_code: self.credit_code.as_deref(),
            address: self.address.as_deref(),
            phone: self.phone.as_deref(),
            office_hours: self.office_hours.as_deref(),
        };
        let details = OrgDetails::parse(&mut e, self.kind, input);
        e.finish()?;
        Ok(CreateOrg {
            parent: self.parent_id.map(OrganizationId),
            kind: self.kind,
            level: self.level,
            details: details.ok_or_else(ApiError::internal)?,
        })
    }
}

/// One optional field of a patch: absent stays, `null` clears, a value is parsed.
fn change_opt(
    e: &mut Errors,
    name: &str,
    value: Option<Option<String>>,
    parse: fn(&str) -> Result<String, RuleViolation>,
) -> Option<Option<String>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(v)) => e.check(name, parse(&v)).map(Some),
    }
}

impl PatchOrganization {
    fn parse(self) -> ApiResult<ChangeOrg> {
        let mut e = Errors::new();
        let name = self.name.and_then(|n| e.check("name", field::name(&n)));
        let details = OrgDetailsChange {
            name,
            short_name: change_opt(&mut e, "short_name", self.short_name, field::short_name),
            division_code: change_opt(
                &mut e,
                "division_code",
                self.division_code,
                field::division_code,
            ),
            credit_code: change_opt(&mut e, "credit_code", self.credit_code, field::credit_code),
            address: change_opt(&mut e, "address", self.address, field::address),
            phone: change_opt(&mut e, "phone", self.phone, field::phone),
            office_hours: change_opt(
                &mut e,
                "office_hours",
                self.office_hours,
                field::office_hours,
            ),
        };
        e.finish()?;
        Ok(ChangeOrg {
            details,
            active: self.active,
            parent: self.parent_id.map(OrganizationId),
        })
    }
}

impl From<OrgDetail> for OrganizationDetail {
    fn from(d: OrgDetail) -> Self {
        Self {
            ancestors: d
                .ancestors
                .into_iter()
                .map(|a| OrgRef {
                    id: a.id,
                    name: a.name,
                    kind: a.kind,
                    level: a.level,
                })
                .collect(),
            children_count: d.children_count,
            organization: d.org.into(),
        }
    }
}

fn with_etag(version: i32, body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

fn detail_response(d: OrgDetail) -> HttpResponse {
    let body = OrganizationDetail::from(d);
    with_etag(body.organization.version, &body)
}

/// List organisations in your scope.
///
/// Staff see their own organisation and its subtree; system administrators see all.
#[utoipa::path(operation_id = "listOrganizations",
    tag = "organizations", security(("bearer" = [])),
    params(ListQuery, PageParams),
    responses((status = 200, body = Page<OrganizationDto>)))]
#[get("/organizations")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let q = q.into_inner();
    let query = OrgQuery {
        parent: q.parent_id.map(OrganizationId),
        kind: q.kind,
        level: q.level,
        q: q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        after: page.after_uuid()?,
        limit: limit + 1,
    };
    let rows = uc::list(&state, &auth.actor(), query).await?;
    let page = Page::from_rows(rows, limit, |o| o.id.to_string(), OrganizationDto::from);
    Ok(page_response(&req, page))
}

/// Create an organisation.
///
/// Region governments need a division code; credit codes are checked against GB 32100.
/// An organisation administrator creates inside their subtree only.
#[utoipa::path(operation_id = "createOrganization",
    tag = "organizations", security(("bearer" = [])),
    request_body = CreateOrganization,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = OrganizationDto,
        headers(("ETag" = String), ("Location" = String)))))]
#[post("/organizations")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateOrganization>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    // Refused callers learn nothing of the body's faults.
    uc::may_manage(&actor)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    uc::create(&state, &actor, &idem, cmd, OrganizationDto::from)
        .await
        .map(Created::into_response)
}

/// Read an organisation with its ancestors and number of children.
#[utoipa::path(operation_id = "getOrganization",
    tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = OrganizationDetail, headers(("ETag" = String)))))]
#[get("/organizations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let d = uc::get(&state, &auth.actor(), OrganizationId(*id)).await?;
    Ok(detail_response(d))
}

/// Change an organisation (send `If-Match` with its ETag).
///
/// Moving it (`parent_id`) moves its whole subtree. An organisation administrator cannot
/// move or deactivate their own organisation.
#[utoipa::path(operation_id = "updateOrganization",
    tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchOrganization,
    responses((status = 200, body = OrganizationDetail, headers(("ETag" = String)))))]
#[patch("/organizations/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchOrganization>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    // Refused callers learn nothing of the body's faults.
    uc::may_manage(&actor)?;
    let cmd = body.into_inner_value().parse()?;
    let d = uc::change(&state, &actor, OrganizationId(*id), &if_match, cmd).await?;
    Ok(detail_response(d))
}
