//! Use cases of the disclosure catalogue (政府信息公开目录) and guide (政府信息公开指南)
//! of an organisation.

use diesel_async::AsyncConnection;
use zhengwu_domain::account::Role;
use zhengwu_domain::codes::Code;
use zhengwu_domain::disclosure::standard_catalogue;
use zhengwu_domain::disclosure::{DocumentKind, IndexFormat, STANDARD_DOCUMENT_CATEGORIES};
use zhengwu_domain::ids::{CategoryId, OrganizationId};
use zhengwu_persistence::disclosure::{self as repo, Category};
use zhengwu_persistence::{Conn, DbError, Found, orgs};

use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::routes::catalogue::dto::{Catalogue, CategoryDto, GuideDto};
use crate::state::AppState;

/// Who edits catalogues and guides.
pub const EDITORS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::DisclosureOfficer];

/// The sort order of a category added without one: after the standard ones.
const DEFAULT_SORT_ORDER: i32 = 900;

/// Gives a new organisation the standard catalogue for its kind and level, with the
/// sub-categories of 01 that tell 规章 from 行政规范性文件.
pub async fn seed_catalogue(conn: &mut Conn, org: &orgs::Organization) -> Result<(), DbError> {
    repo::insert_categories(conn, org.id, &standard_catalogue(org.kind, org.level), true).await?;
    repo::insert_document_categories(conn, org.id, "01", &STANDARD_DOCUMENT_CATEGORIES).await
}

pub fn category_dto(c: Category) -> CategoryDto {
    CategoryDto {
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

/// The organisation, if it exists.
async fn org_of(conn: &mut Conn, id: OrganizationId) -> AppResult<orgs::Organization> {
    match orgs::get(conn, id.0).await {
        Ok(o) => Ok(o),
        Err(DbError::NotFound) => Err(ApiError::not_found("organization")),
        Err(e) => Err(e.into()),
    }
}

/// The organisation, if the actor may edit its disclosure records: 404 out of sight, 403
/// without an editor's role.
async fn editable_org(
    conn: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    let o = org_of(conn, id).await?;
    if !actor.sees(&o.path) {
        return Err(ApiError::not_found("organization"));
    }
    actor.require(EDITORS)?;
    Ok(o)
}

/// An organisation's catalogue in display order; retired categories only for its staff.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    id: OrganizationId,
    include_retired: bool,
) -> AppResult<Catalogue> {
    let mut conn = app.conn().await?;
    let org = org_of(&mut conn, id).await?;
    let staff = actor.role.is_staff() && actor.sees(&org.path);
    let all = repo::categories_of(&mut conn, org.id, include_retired && staff).await?;
    Ok(Catalogue {
        items: all.into_iter().map(category_dto).collect(),
    })
}

/// A new category: code and name checked.
pub struct NewCategory {
    pub code: String,
    pub name: String,
    pub parent_id: Option<CategoryId>,
    pub sort_order: Option<i32>,
}

/// The parent of a category must be an active category of the same catalogue.
async fn parent_in(conn: &mut Conn, org: uuid::Uuid, parent: Option<CategoryId>) -> AppResult<()> {
    let Some(p) = parent else {
        return Ok(());
    };
    let ok = repo::get_category(conn, p)
        .await
        .found()?
        .is_some_and(|c| c.organization_id == org && !c.retired);
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "/parent_id",
            Code::ReferenceNotFound,
            "no such active category in this catalogue",
        ))
    }
}

/// Add a category to an organisation's catalogue.
pub async fn create(
    app: &AppState,
    actor: &Actor,
    idem: Idem,
    org_id: OrganizationId,
    cmd: NewCategory,
) -> AppResult<Created> {
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = editable_org(c, actor, org_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        parent_in(c, org.id, cmd.parent_id).await?;
        let new = repo::NewCategory {
            organization_id: org.id,
            parent_id: cmd.parent_id.map(|p| p.0),
            code: cmd.code,
            name: cmd.name,
            sort_order: cmd.sort_order.unwrap_or(DEFAULT_SORT_ORDER),
        };
        let created = category_dto(repo::insert_category(c, &new).await?);
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
        let location = format!("/api/v1/disclosure-categories/{}", created.id);
        idem.finish(c, &created, location).await
    })
    .await
}

/// The category, locked, and its organisation, if the actor may edit it; a category out
/// of sight is not found.
async fn editable_category(
    conn: &mut Conn,
    actor: &Actor,
    id: CategoryId,
) -> AppResult<(Category, orgs::Organization)> {
    let cat = match repo::get_category_for_update(conn, id).await {
        Ok(c) => c,
        Err(DbError::NotFound) => return Err(ApiError::not_found("category")),
        Err(e) => return Err(e.into()),
    };
    let org_id = OrganizationId(cat.organization_id);
    let org = editable_org(conn, actor, org_id).await.map_err(|e| {
        if e.status.as_u16() == 404 {
            ApiError::not_found("category")
        } else {
            e
        }
    })?;
    Ok((cat, org))
}

/// Changes to a category: each one present replaces the stored value; `parent_id:
/// Some(None)` moves it to the top.
pub struct CategoryChanges {
    pub name: Option<String>,
    pub sort_order: Option<i32>,
    pub retired: Option<bool>,
    pub parent_id: Option<Option<CategoryId>>,
}

/// Rename, reorder, move, retire or reinstate a category.
pub async fn update(
    app: &AppState,
    actor: &Actor,
    id: CategoryId,
    expect: &IfMatch,
    cmd: CategoryChanges,
) -> AppResult<CategoryDto> {
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (cat, org) = editable_category(c, actor, id).await?;
        expect.check(cat.version)?;
        let current = cat.parent_id.map(CategoryId);
        let parent_id = cmd.parent_id.unwrap_or(current);
        if parent_id == Some(id) {
            return Err(ApiError::field(
                "/parent_id",
                Code::CategoryCycle,
                "a category cannot contain itself",
            ));
        }
        if parent_id != current {
            parent_in(c, org.id, parent_id).await?;
        }
        let changes = repo::CategoryChanges {
            name: cmd.name.unwrap_or_else(|| cat.name.clone()),
            sort_order: cmd.sort_order.unwrap_or(cat.sort_order),
            retired: cmd.retired.unwrap_or(cat.retired),
            parent_id: parent_id.map(|p| p.0),
        };
        let before = category_dto(cat);
        let after = category_dto(repo::update_category(c, id, &changes).await?);
        audit
            .record(
                c,
                "disclosure_category.update",
                "disclosure_category",
                id.0,
                Some(&org.path),
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// Delete a category that has never held an item and has no sub-categories.
pub async fn remove(app: &AppState, actor: &Actor, id: CategoryId) -> AppResult<()> {
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (cat, org) = editable_category(c, actor, id).await?;
        let children = repo::categories_of(c, org.id, true)
            .await?
            .iter()
            .filter(|x| x.parent_id == Some(id.0))
            .count();
        if repo::items_in_category(c, id).await? > 0 || children > 0 {
            return Err(ApiError::conflict(
                Code::CategoryHasItems,
                "a category with items or sub-categories cannot be deleted; retire it instead",
            ));
        }
        repo::delete_category(c, id).await?;
        let before = category_dto(cat);
        audit
            .record(
                c,
                "disclosure_category.delete",
                "disclosure_category",
                id.0,
                Some(&org.path),
                Some(&before),
                None::<&()>,
            )
            .await?;
        Ok(())
    })
    .await
}

/// An organisation's guide, once it has published one.
pub async fn guide(app: &AppState, id: OrganizationId) -> AppResult<GuideDto> {
    let mut conn = app.conn().await?;
    let org = org_of(&mut conn, id).await?;
    let g = repo::get_guide(&mut conn, OrganizationId(org.id))
        .await?
        .ok_or_else(|| {
            ApiError::not_found("disclosure guide")
                .detail("this organisation has not published its guide yet")
        })?;
    Ok(guide_dto(g, &org))
}

/// A guide as written: every text trimmed and checked, the phone, e-mail and index-number
/// format parsed.
pub struct Guide {
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    pub index_format: Option<IndexFormat>,
}

/// Write an organisation's guide (`If-Match` when replacing one).
pub async fn put_guide(
    app: &AppState,
    actor: &Actor,
    id: OrganizationId,
    expect: &IfMatch,
    cmd: Guide,
) -> AppResult<GuideDto> {
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = editable_org(c, actor, id).await?;
        match repo::guide_version_for_update(c, OrganizationId(org.id)).await? {
            Some(v) => expect.check(v)?,
            None => expect.check_absent()?,
        }
        let before = repo::get_guide(c, OrganizationId(org.id))
            .await?
            .map(|g| guide_dto(g, &org));
        let fields = repo::GuideFields {
            organization_id: org.id,
            how_to_obtain: cmd.how_to_obtain,
            how_to_apply: cmd.how_to_apply,
            office: cmd.office,
            address: cmd.address,
            office_hours: cmd.office_hours,
            phone: cmd.phone,
            email: cmd.email,
            index_format: cmd.index_format.map(|f| f.as_str().to_owned()),
        };
        let after = guide_dto(repo::put_guide(c, &fields).await?, &org);
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
    .await
}
