//! Organisations: the tree, its listing, creation and changes (moves included).

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::{self, OrgDetails, OrgDetailsChange, OrgKind, OrgLevel, OrgPath};
use zhengwu_persistence::orgs::{self, Fields, Organization};
use zhengwu_persistence::{Conn, DbError};

use crate::app::{Actor, AppResult, Scope};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, AtField, OrIfAbsent};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// Who manages organisations (inside their scope).
const MANAGERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin];

/// The filters of the listing.
#[derive(Debug, Clone, Default)]
pub struct OrgQuery {
    /// Only the direct children of this organisation.
    pub parent: Option<OrganizationId>,
    pub kind: Option<OrgKind>,
    pub level: Option<OrgLevel>,
    /// Part of the name, trimmed, never empty.
    pub q: Option<String>,
    pub after: Option<Uuid>,
    /// Rows to read.
    pub limit: i64,
}

/// A new organisation, parsed.
#[derive(Debug, Clone)]
pub struct CreateOrg {
    /// `None` for the root of a tree.
    pub parent: Option<OrganizationId>,
    pub kind: OrgKind,
    pub level: OrgLevel,
    pub details: OrgDetails,
}

/// A change of an organisation, parsed.
#[derive(Debug, Clone, Default)]
pub struct ChangeOrg {
    pub details: OrgDetailsChange,
    pub active: Option<bool>,
    /// Moves the organisation with its subtree.
    pub parent: Option<OrganizationId>,
}

/// An organisation with its place in the tree.
pub struct OrgDetail {
    pub org: Organization,
    /// From the root down to the parent.
    pub ancestors: Vec<Organization>,
    pub children_count: i64,
}

/// An organisation as the audit log records it.
#[derive(Serialize)]
struct OrgRecord<'a> {
    id: Uuid,
    parent_id: Option<Uuid>,
    kind: OrgKind,
    level: OrgLevel,
    name: &'a str,
    short_name: Option<&'a str>,
    division_code: Option<&'a str>,
    credit_code: Option<&'a str>,
    address: Option<&'a str>,
    phone: Option<&'a str>,
    office_hours: Option<&'a str>,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Organization> for OrgRecord<'a> {
    fn from(o: &'a Organization) -> Self {
        Self {
            id: o.id,
            parent_id: o.parent_id,
            kind: o.kind,
            level: o.level,
            name: &o.name,
            short_name: o.short_name.as_deref(),
            division_code: o.division_code.as_deref(),
            credit_code: o.credit_code.as_deref(),
            address: o.address.as_deref(),
            phone: o.phone.as_deref(),
            office_hours: o.office_hours.as_deref(),
            active: o.active,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// 403 unless the actor manages organisations.
pub fn may_manage(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(MANAGERS)?)
}

fn fields(d: OrgDetails, active: bool) -> Fields {
    Fields {
        name: d.name,
        short_name: d.short_name,
        division_code: d.division_code,
        credit_code: d.credit_code,
        address: d.address,
        phone: d.phone,
        office_hours: d.office_hours,
        active,
    }
}

fn details(o: &Organization) -> OrgDetails {
    OrgDetails {
        name: o.name.clone(),
        short_name: o.short_name.clone(),
        division_code: o.division_code.clone(),
        credit_code: o.credit_code.clone(),
        address: o.address.clone(),
        phone: o.phone.clone(),
        office_hours: o.office_hours.clone(),
    }
}

fn parent_not_found() -> ApiError {
    ApiError::field(
        "/parent_id",
        Code::ReferenceNotFound,
        "no such organisation in your scope",
    )
}

/// The organisation, if the actor may see it (404 otherwise); locked when `lock`.
pub async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
    lock: bool,
) -> AppResult<Organization> {
    let found = if lock {
        orgs::get_for_update(conn, id).await
    } else {
        orgs::get(conn, id.0).await
    };
    match found {
        Ok(o) if actor.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("organization")),
        Err(e) => Err(e.into()),
    }
}

async fn detail(conn: &mut Conn, org: Organization) -> AppResult<OrgDetail> {
    let ids: Vec<Uuid> = org
        .path
        .ids()
        .into_iter()
        .map(|i| i.0)
        .filter(|i| *i != org.id)
        .collect();
    let mut ancestors = orgs::get_many(conn, &ids).await?;
    ancestors.sort_by_key(|a| a.path.as_str().len());
    let children_count = orgs::count_children(conn, OrganizationId(org.id)).await?;
    Ok(OrgDetail {
        org,
        ancestors,
        children_count,
    })
}

/// The organisations in the actor's scope.
pub async fn list(app: &AppState, actor: &Actor, q: OrgQuery) -> AppResult<Vec<Organization>> {
    let scope = actor.scope();
    if scope == Scope::Nothing {
        return Err(ApiError::forbidden("applicants have no organisation scope"));
    }
    let filter = orgs::Filter {
        scope,
        parent_id: q.parent,
        kind: q.kind,
        level: q.level,
        q: q.q,
        after_id: q.after,
        limit: q.limit,
    };
    let mut conn = app.conn().await?;
    Ok(orgs::list(&mut conn, &filter).await?)
}

/// One organisation with its ancestors.
pub async fn get(app: &AppState, actor: &Actor, id: OrganizationId) -> AppResult<OrgDetail> {
    let mut conn = app.conn().await?;
    let org = visible(&mut conn, actor, id, false).await?;
    detail(&mut conn, org).await
}

/// Where a new organisation goes: its parent (visible to the actor) and its path.
async fn placement(
    c: &mut Conn,
    actor: &Actor,
    cmd: &CreateOrg,
    id: OrganizationId,
) -> AppResult<(Option<Organization>, OrgPath)> {
    let Some(pid) = cmd.parent else {
        org::check_root_creation(actor.role)?;
        return Ok((None, OrgPath::root(id)));
    };
    let parent = visible(c, actor, pid, false)
        .await
        .or_if_absent(parent_not_found)?;
    let path = parent.path.child(id);
    Ok((Some(parent), path))
}

/// Creates an organisation (with its standard disclosure catalogue); `present` gives the
/// body of the answer, which an idempotent retry replays.
pub async fn create<B: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: CreateOrg,
    present: impl FnOnce(Organization) -> B + Send,
) -> AppResult<Created> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let id = OrganizationId(Uuid::now_v7());
        let (parent, path) = placement(c, actor, &cmd, id).await?;
        org::check_placement(cmd.kind, cmd.level, parent.map(|p| (p.kind, p.level)))
            .at("/parent_id")?;
        let new = orgs::NewOrganization {
            id: id.0,
            parent_id: cmd.parent.map(|p| p.0),
            path: path.clone(),
            kind: cmd.kind,
            level: cmd.level,
            fields: fields(cmd.details, true),
        };
        let org = orgs::insert(c, new).await?;
        crate::app::catalogue::seed_catalogue(c, &org).await?;
        let after = OrgRecord::from(&org);
        audit
            .record(
                c,
                "organization.create",
                "organization",
                id.0,
                Some(&path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        idem.finish(c, &present(org), format!("/api/v1/organizations/{id}"))
            .await
    })
    .await
}

/// Moves `current` below `new_parent` with its subtree; the new path.
async fn move_below(
    c: &mut Conn,
    actor: &Actor,
    current: &Organization,
    new_parent: OrganizationId,
) -> AppResult<OrgPath> {
    let parent = visible(c, actor, new_parent, true)
        .await
        .or_if_absent(parent_not_found)?;
    let at_parent = |v: zhengwu_domain::validation::RuleViolation| {
        ApiError::field("/parent_id", v.code, v.message)
    };
    org::check_move(&current.path, &parent.path).map_err(at_parent)?;
    org::check_placement(
        current.kind,
        current.level,
        Some((parent.kind, parent.level)),
    )
    .map_err(at_parent)?;
    let id = OrganizationId(current.id);
    let path = parent.path.child(id);
    orgs::move_subtree(c, id, new_parent, &current.path, &path).await?;
    Ok(path)
}

/// Changes an organisation; a new parent moves it with its subtree.
pub async fn change(
    app: &AppState,
    actor: &Actor,
    id: OrganizationId,
    expect: &IfMatch,
    cmd: ChangeOrg,
) -> AppResult<OrgDetail> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = visible(c, actor, id, true).await?;
            expect.check(current.version)?;
            let own = actor.org == Some(id);
            let deactivates = cmd.active == Some(false);
            org::check_own_change(actor.role, own, cmd.parent.is_some(), deactivates)?;
            let merged = details(&current).changed(cmd.details);
            org::require_division_code(current.kind, merged.division_code.as_deref())
                .at("/division_code")?;
            let mut path = current.path.clone();
            let new_parent = cmd.parent.filter(|p| Some(p.0) != current.parent_id);
            if let Some(p) = new_parent {
                path = move_below(c, actor, &current, p).await?;
            }
            let active = cmd.active.unwrap_or(current.active);
            let saved = orgs::update(c, id, &fields(merged, active)).await?;
            let (before, after) = (OrgRecord::from(&current), OrgRecord::from(&saved));
            audit
                .record(
                    c,
                    "organization.update",
                    "organization",
                    id.0,
                    Some(&path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            detail(c, saved).await
        })
        .await?;
    // A move changes the paths of the subtree, and with them its staff's scope.
    app.principals.forget_all();
    Ok(saved)
}
