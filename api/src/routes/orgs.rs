//! Organisations (组织机构): the tree of governments, departments, institutions and halls.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::org::{self, CreditCode, DivisionCode, OrgKind, OrgLevel, OrgPath};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::orgs::{self, Fields, Organization};

use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope};
use crate::dto::double_option;
use crate::error::{ApiError, ApiResult, OrIfAbsent};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
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
    "address": "济南市历下区龙鼎大道1号", "phone": "0531-66661234", "office_hours": "工作日 9:00-17:00"
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

/// Checks the optional text fields shared by create and patch.
#[allow(clippy::too_many_arguments)]
fn check_fields(
    e: &mut Errors,
    kind: OrgKind,
    name: &str,
    short_name: Option<&str>,
    division_code: Option<&str>,
    credit_code: Option<&str>,
    address: Option<&str>,
    phone: Option<&str>,
    office_hours: Option<&str>,
) -> Option<Fields> {
    let name = e.check("name", validation::text(name, 200));
    let short_name = e.check_opt("short_name", short_name, |v| validation::text(v, 50));
    let division_code = e.check_opt("division_code", division_code, |v| {
        DivisionCode::parse(v).map(|c| c.as_str().to_owned())
    });
    if kind == OrgKind::RegionGovernment && division_code.is_none() && e.is_empty() {
        e.push(
            "division_code",
            RuleViolation::new(
                "division_code.required",
                "a region government needs its administrative division code",
            ),
        );
    }
    let credit_code = e.check_opt("credit_code", credit_code, |v| {
        CreditCode::parse(v).map(|c| c.as_str().to_owned())
    });
    let address = e.check_opt("address", address, |v| validation::text(v, 300));
    let phone = e.check_opt("phone", phone, validation::phone);
    let office_hours = e.check_opt("office_hours", office_hours, |v| validation::text(v, 200));
    Some(Fields {
        name: name?,
        short_name,
        division_code,
        credit_code,
        address,
        phone,
        office_hours,
        active: true,
    })
}

fn can_manage(auth: &Principal) -> Result<(), ApiError> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])
}

async fn detail(
    conn: &mut zhengwu_persistence::Conn,
    o: Organization,
) -> ApiResult<OrganizationDetail> {
    let ids: Vec<Uuid> = o
        .path
        .ids()
        .into_iter()
        .map(|i| i.0)
        .filter(|i| *i != o.id)
        .collect();
    let mut ancestors = orgs::get_many(conn, &ids).await?;
    ancestors.sort_by_key(|a| a.path.as_str().len());
    let children_count = orgs::count_children(conn, o.id).await?;
    Ok(OrganizationDetail {
        ancestors: ancestors
            .into_iter()
            .map(|a| OrgRef {
                id: a.id,
                name: a.name,
                kind: a.kind,
                level: a.level,
            })
            .collect(),
        children_count,
        organization: o.into(),
    })
}

fn with_etag(version: i32, body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
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
    let within = match auth.scope() {
        Scope::All => None,
        Scope::Subtree(p) => Some(p),
        Scope::Nothing => return Err(ApiError::forbidden("applicants have no organisation scope")),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let rows = orgs::list(
        &mut conn,
        &orgs::Filter {
            within,
            parent_id: q.parent_id,
            kind: q.kind,
            level: q.level,
            q: q.q.clone().filter(|s| !s.trim().is_empty()),
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
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
    responses((status = 201, body = OrganizationDto, headers(("ETag" = String), ("Location" = String)))))]
#[post("/organizations")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateOrganization>,
) -> ApiResult<HttpResponse> {
    can_manage(&auth)?;
    let b = &body.value;
    let mut e = Errors::new();
    let fields = check_fields(
        &mut e,
        b.kind,
        &b.name,
        b.short_name.as_deref(),
        b.division_code.as_deref(),
        b.credit_code.as_deref(),
        b.address.as_deref(),
        b.phone.as_deref(),
        b.office_hours.as_deref(),
    );
    e.finish()?;
    let fields = fields.ok_or_else(ApiError::internal)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let id = Uuid::now_v7();
        let (parent, path) = match b.parent_id {
            None => {
                if auth.role != Role::SysAdmin {
                    return Err(ApiError::forbidden(
                        "only a system administrator creates the root of a tree",
                    ));
                }
                (None, OrgPath::root(id.into()))
            }
            Some(pid) => {
                let parent = match orgs::get(c, pid).await {
                    Ok(p) if auth.sees(&p.path) => p,
                    Ok(_) | Err(zhengwu_persistence::DbError::NotFound) => {
                        return Err(ApiError::field(
                            "/parent_id",
                            "reference.not_found",
                            "no such organisation in your scope",
                        ));
                    }
                    Err(other) => return Err(other.into()),
                };
                let path = parent.path.child(id.into());
                (Some(parent), path)
            }
        };
        org::check_placement(b.kind, b.level, parent.as_ref().map(|p| (p.kind, p.level)))
            .map_err(|v| ApiError::field("/parent_id", v.code, v.message))?;
        let org = orgs::insert(
            c,
            orgs::NewOrganization {
                id,
                parent_id: b.parent_id,
                path: path.clone(),
                kind: b.kind,
                level: b.level,
                fields: fields.clone(),
            },
        )
        .await?;
        crate::routes::catalogue::seed_catalogue(c, &org).await?;
        let created = OrganizationDto::from(org);
        audit
            .record(
                c,
                "organization.create",
                "organization",
                id,
                Some(&path),
                None::<&()>,
                Some(&created),
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/organizations/{id}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

async fn visible(
    conn: &mut zhengwu_persistence::Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<Organization> {
    let found = if for_update {
        orgs::get_for_update(conn, id).await
    } else {
        orgs::get(conn, id).await
    };
    match found {
        Ok(o) if auth.sees(&o.path) => Ok(o),
        Ok(_) | Err(zhengwu_persistence::DbError::NotFound) => {
            Err(ApiError::not_found("organization"))
        }
        Err(e) => Err(e.into()),
    }
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
    let mut conn = state.conn().await?;
    let o = visible(&mut conn, &auth, *id, false).await?;
    let v = o.version;
    Ok(with_etag(v, &detail(&mut conn, o).await?))
}

/// Change an organisation (send `If-Match` with its ETag).
///
/// Moving it (`parent_id`) moves its whole subtree. An organisation administrator cannot
/// move or deactivate their own organisation.
#[utoipa::path(operation_id = "updateOrganization",
    tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
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
    can_manage(&auth)?;
    let b = &body.value;
    let audit = AuditCtx::new(&state, auth.actor());
    let mut conn = state.conn().await?;
    let id = *id;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = visible(c, &auth, id, true).await?;
            if_match.check(current.version)?;
            let own = auth.org_id == Some(id) && auth.role != Role::SysAdmin;
            if own && (b.parent_id.is_some() || b.active == Some(false)) {
                return Err(ApiError::forbidden(
                    "you cannot move or deactivate your own organisation",
                ));
            }
            let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
                Some(v) => v.clone(),
                None => old.clone(),
            };
            let mut e = Errors::new();
            let fields = check_fields(
                &mut e,
                current.kind,
                b.name.as_deref().unwrap_or(&current.name),
                pick(&b.short_name, &current.short_name).as_deref(),
                pick(&b.division_code, &current.division_code).as_deref(),
                pick(&b.credit_code, &current.credit_code).as_deref(),
                pick(&b.address, &current.address).as_deref(),
                pick(&b.phone, &current.phone).as_deref(),
                pick(&b.office_hours, &current.office_hours).as_deref(),
            );
            e.finish()?;
            let mut fields = fields.ok_or_else(ApiError::internal)?;
            fields.active = b.active.unwrap_or(current.active);
            let before: OrganizationDto = current.clone().into();
            let mut path = current.path.clone();
            if let Some(new_parent) = b.parent_id.filter(|p| Some(*p) != current.parent_id) {
                let parent = visible(c, &auth, new_parent, true).await.or_if_absent(|| {
                    ApiError::field(
                        "/parent_id",
                        "reference.not_found",
                        "no such organisation in your scope",
                    )
                })?;
                if current.path.contains(&parent.path) {
                    return Err(ApiError::field(
                        "/parent_id",
                        "org.cycle",
                        "an organisation cannot move below itself",
                    ));
                }
                org::check_placement(
                    current.kind,
                    current.level,
                    Some((parent.kind, parent.level)),
                )
                .map_err(|v| ApiError::field("/parent_id", v.code, v.message))?;
                path = parent.path.child(id.into());
                orgs::move_subtree(c, id, new_parent, &current.path, &path).await?;
            }
            let saved = orgs::update(c, id, &fields).await?;
            let after: OrganizationDto = saved.clone().into();
            audit
                .record(
                    c,
                    "organization.update",
                    "organization",
                    id,
                    Some(&path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            detail(c, saved).await
        })
        .await?;
    // A move changes the paths of the subtree, and with them its staff's scope.
    state.principals.forget_all();
    Ok(with_etag(saved.organization.version, &saved))
}
