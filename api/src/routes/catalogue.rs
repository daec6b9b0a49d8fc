//! The disclosure catalogue (政府信息公开目录) and guide (政府信息公开指南) of an organisation.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::disclosure::{
    DocumentKind, IndexFormat, STANDARD_DOCUMENT_CATEGORIES, standard_catalogue,
};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::disclosure::{self as repo, Category};
use zhengwu_persistence::{Conn, DbError, Found, orgs};

use crate::audit_ctx::AuditCtx;
use crate::auth::{MaybePrincipal, Principal};
use crate::dto::double_option;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::state::AppState;

/// Who edits catalogues and guides.
pub const EDITORS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::DisclosureOfficer];

/// Gives a new organisation the standard catalogue for its kind and level, with the
/// sub-categories of 01 that tell 规章 from 行政规范性文件.
pub async fn seed_catalogue(conn: &mut Conn, org: &orgs::Organization) -> Result<(), DbError> {
    repo::insert_categories(conn, org.id, &standard_catalogue(org.kind, org.level), true).await?;
    repo::insert_document_categories(conn, org.id, "01", &STANDARD_DOCUMENT_CATEGORIES).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    #[schema(example = "05")]
    pub code: String,
    #[schema(example = "行政许可")]
    pub name: String,
    pub sort_order: i32,
    /// One of the standard categories of OGI Art.20/21.
    pub standard: bool,
    /// The kind of document filed here (and in the categories below), counted apart in the
    /// annual report: set on the standard sub-categories 0101 (规章) and 0102 (行政规范性文件).
    pub document_kind: Option<DocumentKind>,
    /// Retired categories take no new items; their items stay.
    pub retired: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<Category> for CategoryDto {
    fn from(c: Category) -> Self {
        Self {
            id: c.id,
            organization_id: c.organization_id,
            parent_id: c.parent_id,
            code: c.code,
            name: c.name,
            sort_order: c.sort_order,
            standard: c.standard,
            document_kind: c.document_kind.as_deref().and_then(DocumentKind::parse),
            retired: c.retired,
            version: c.version,
            updated_at: c.updated_at,
        }
    }
}

/// The whole catalogue of an organisation, in display order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Catalogue {
    pub items: Vec<CategoryDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Also list retired categories (staff of the organisation).
    #[serde(default)]
    pub include_retired: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "05-01", "name": "行政许可事项清单", "parent_id": null, "sort_order": 55}))]
pub struct CreateCategory {
    pub code: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub sort_order: Option<i32>,
}

/// Changes to a category: rename, reorder, move, retire or reinstate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "行政许可事项清单", "sort_order": 56}))]
pub struct PatchCategory {
    pub name: Option<String>,
    pub sort_order: Option<i32>,
    pub retired: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
}

/// The organisation, if it exists.
async fn org_of(conn: &mut Conn, id: Uuid) -> ApiResult<orgs::Organization> {
    match orgs::get(conn, id).await {
        Ok(o) => Ok(o),
        Err(DbError::NotFound) => Err(ApiError::not_found("organization")),
        Err(e) => Err(e.into()),
    }
}

/// The organisation, if the caller may edit its disclosure records.
pub async fn editable_org(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
) -> ApiResult<orgs::Organization> {
    let o = org_of(conn, id).await?;
    auth.ensure_sees(&o.path, "organization")?;
    auth.require(EDITORS)?;
    Ok(o)
}

/// Read an organisation's disclosure catalogue (public).
#[utoipa::path(operation_id = "listDisclosureCategories",
    tag = "disclosure catalogue", security((), ("bearer" = [])), params(("id" = Uuid, Path), CatalogueQuery),
    responses((status = 200, body = Catalogue)))]
#[get("/organizations/{id}/disclosure-categories")]
pub async fn list(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
    q: web::Query<CatalogueQuery>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let org = org_of(&mut conn, *id).await?;
    let staff = auth
        .0
        .as_ref()
        .is_some_and(|p| p.role.is_staff() && p.sees(&org.path));
    let all = repo::categories_of(&mut conn, org.id, q.include_retired && staff).await?;
    Ok(HttpResponse::Ok().json(Catalogue {
        items: all.into_iter().map(CategoryDto::from).collect(),
    }))
}

fn check_code(code: &str) -> Result<String, RuleViolation> {
    let ok = (1..=12).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(RuleViolation::new(
            "category.code_format",
            "1 to 12 letters, digits, - or _",
        ))
    }
}

async fn parent_in(conn: &mut Conn, org: Uuid, parent: Option<Uuid>) -> ApiResult<()> {
    if let Some(p) = parent {
        let ok = repo::get_category(conn, p)
            .await
            .found()?
            .is_some_and(|c| c.organization_id == org && !c.retired);
        if !ok {
            return Err(ApiError::field(
                "/parent_id",
                "reference.not_found",
                "no such active category in this catalogue",
            ));
        }
    }
    Ok(())
}

/// Add a category to an organisation's catalogue.
#[utoipa::path(operation_id = "createDisclosureCategory",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body = CreateCategory,
    responses((status = 201, body = CategoryDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The catalogue has a category with this code")))]
#[post("/organizations/{id}/disclosure-categories")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<CreateCategory>,
) -> ApiResult<HttpResponse> {
    let b = &body.value;
    let mut e = Errors::new();
    let code = e.check("code", check_code(&b.code));
    let name = e.check("name", validation::text(&b.name, 100));
    e.finish()?;
    let (Some(code), Some(name)) = (code, name) else {
        return Err(ApiError::internal());
    };
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let org_id = *id;
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = editable_org(c, &auth, org_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        parent_in(c, org.id, b.parent_id).await?;
        let created: CategoryDto = repo::insert_category(
            c,
            &repo::NewCategory {
                organization_id: org.id,
                parent_id: b.parent_id,
                code,
                name,
                sort_order: b.sort_order.unwrap_or(900),
            },
        )
        .await?
        .into();
        audit
            .record(
                c,
                "disclosure_category.create",
                "disclosure_category",
                created.id,
                Some(&org.path),
                None::<&()>,
                Some(&created),
            )
            .await?;
        idem.finish(
            c,
            &created,
            format!("/api/v1/disclosure-categories/{}", created.id),
        )
        .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

async fn editable_category(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
) -> ApiResult<(Category, orgs::Organization)> {
    let cat = match repo::get_category_for_update(conn, id).await {
        Ok(c) => c,
        Err(DbError::NotFound) => return Err(ApiError::not_found("category")),
        Err(e) => return Err(e.into()),
    };
    let org = editable_org(conn, auth, cat.organization_id)
        .await
        .map_err(|e| {
            if e.status.as_u16() == 404 {
                ApiError::not_found("category")
            } else {
                e
            }
        })?;
    Ok((cat, org))
}

/// Rename, reorder, move, retire or reinstate a category (send `If-Match`).
#[utoipa::path(operation_id = "updateDisclosureCategory",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchCategory, responses((status = 200, body = CategoryDto)))]
#[patch("/disclosure-categories/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchCategory>,
) -> ApiResult<HttpResponse> {
    let b = &body.value;
    let mut e = Errors::new();
    let name = e.check_opt("name", b.name.as_deref(), |v| validation::text(v, 100));
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (cat, org) = editable_category(c, &auth, id).await?;
            if_match.check(cat.version)?;
            let parent_id = match b.parent_id {
                Some(p) => p,
                None => cat.parent_id,
            };
            if parent_id == Some(id) {
                return Err(ApiError::field(
                    "/parent_id",
                    "category.cycle",
                    "a category cannot contain itself",
                ));
            }
            if parent_id != cat.parent_id {
                parent_in(c, org.id, parent_id).await?;
            }
            let before = CategoryDto::from(cat.clone());
            let after: CategoryDto = repo::update_category(
                c,
                id,
                &repo::CategoryChanges {
                    name: name.unwrap_or(cat.name),
                    sort_order: b.sort_order.unwrap_or(cat.sort_order),
                    retired: b.retired.unwrap_or(cat.retired),
                    parent_id,
                },
            )
            .await?
            .into();
            audit
                .record(
                    c,
                    "disclosure_category.update",
                    "disclosure_category",
                    id,
                    Some(&org.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}

/// Delete a category that has never held an item; one with items can only be retired.
#[utoipa::path(operation_id = "deleteDisclosureCategory",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The category has items or sub-categories: retire it instead")))]
#[delete("/disclosure-categories/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (cat, org) = editable_category(c, &auth, id).await?;
        let children = repo::categories_of(c, org.id, true)
            .await?
            .iter()
            .filter(|x| x.parent_id == Some(id))
            .count();
        if repo::items_in_category(c, id).await? > 0 || children > 0 {
            return Err(ApiError::conflict(
                "category.has_items",
                "a category with items or sub-categories cannot be deleted; retire it instead",
            ));
        }
        repo::delete_category(c, id).await?;
        let before = CategoryDto::from(cat);
        audit
            .record(
                c,
                "disclosure_category.delete",
                "disclosure_category",
                id,
                Some(&org.path),
                Some(&before),
                None::<&()>,
            )
            .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How to obtain information from an organisation (政府信息公开指南).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuideDto {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    /// The index-number format (索引号); the default when absent.
    #[schema(example = "{org_code}/{year}-{serial:05}")]
    pub index_format: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "how_to_obtain": "主动公开的政府信息通过济南市人民政府门户网站、政府公报、公开栏等渠道公开。",
    "how_to_apply": "申请人可通过网上申请、信函、当面等方式提出政府信息公开申请。",
    "office": "济南市人民政府办公厅政务公开办公室", "address": "济南市历下区龙奥北路1号",
    "office_hours": "工作日 9:00-12:00, 13:30-17:00", "phone": "0531-51705012",
    "email": "zwgk@jinan.gov.cn", "index_format": "{org_code}/{year}-{serial:05}"
}))]
pub struct PutGuide {
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    /// Placeholders `{org_code}`, `{category}`, `{year}`, `{serial}` or `{serial:05}`.
    pub index_format: Option<String>,
}

fn guide_dto(g: repo::Guide, org: &orgs::Organization) -> GuideDto {
    GuideDto {
        organization_id: g.organization_id,
        organization_name: org.name.clone(),
        how_to_obtain: g.how_to_obtain,
        how_to_apply: g.how_to_apply,
        office: g.office,
        address: g.address,
        office_hours: g.office_hours,
        phone: g.phone,
        email: g.email,
        index_format: g
            .index_format
            .unwrap_or_else(|| IndexFormat::default().as_str().to_owned()),
        version: g.version,
        updated_at: g.updated_at,
    }
}

/// Read an organisation's disclosure guide (public).
#[utoipa::path(operation_id = "getDisclosureGuide",
    tag = "disclosure catalogue", params(("id" = Uuid, Path)),
    responses((status = 200, body = GuideDto, headers(("ETag" = String)))))]
#[get("/organizations/{id}/disclosure-guide")]
pub async fn get_guide(state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let org = org_of(&mut conn, *id).await?;
    let g = repo::get_guide(&mut conn, org.id).await?.ok_or_else(|| {
        ApiError::not_found("disclosure guide")
            .detail("this organisation has not published its guide yet")
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(g.version)))
        .json(guide_dto(g, &org)))
}

/// Write an organisation's disclosure guide (send `If-Match` when replacing).
#[utoipa::path(operation_id = "putDisclosureGuide",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PutGuide, responses((status = 200, body = GuideDto)))]
#[put("/organizations/{id}/disclosure-guide")]
pub async fn put_guide(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PutGuide>,
) -> ApiResult<HttpResponse> {
    let b = &body.value;
    let mut e = Errors::new();
    let how_to_obtain = e.check("how_to_obtain", validation::text(&b.how_to_obtain, 5000));
    let how_to_apply = e.check("how_to_apply", validation::text(&b.how_to_apply, 5000));
    let office = e.check("office", validation::text(&b.office, 200));
    let address = e.check("address", validation::text(&b.address, 300));
    let office_hours = e.check("office_hours", validation::text(&b.office_hours, 200));
    let phone = e.check("phone", validation::phone(&b.phone));
    let email = e.check_opt("email", b.email.as_deref(), validation::email);
    let index_format = e.check_opt("index_format", b.index_format.as_deref(), |f| {
        IndexFormat::parse(f).map(|f| f.as_str().to_owned())
    });
    e.finish()?;
    let (
        Some(how_to_obtain),
        Some(how_to_apply),
        Some(office),
        Some(address),
        Some(office_hours),
        Some(phone),
    ) = (
        how_to_obtain,
        how_to_apply,
        office,
        address,
        office_hours,
        phone,
    )
    else {
        return Err(ApiError::internal());
    };
    let audit = AuditCtx::new(&state, auth.actor());
    let org_id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let org = editable_org(c, &auth, org_id).await?;
            match repo::guide_version_for_update(c, org.id).await? {
                Some(v) => if_match.check(v)?,
                None => if_match.check_absent()?,
            }
            let before = repo::get_guide(c, org.id)
                .await?
                .map(|g| guide_dto(g, &org));
            let g = repo::put_guide(
                c,
                &repo::GuideFields {
                    organization_id: org.id,
                    how_to_obtain,
                    how_to_apply,
                    office,
                    address,
                    office_hours,
                    phone,
                    email,
                    index_format,
                },
            )
            .await?;
            let after = guide_dto(g, &org);
            audit
                .record(
                    c,
                    "disclosure_guide.put",
                    "disclosure_guide",
                    org.id,
                    Some(&org.path),
                    before.as_ref(),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}
