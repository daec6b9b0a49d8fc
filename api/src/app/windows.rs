//! Service windows (窗口) of halls, and their A/B staff (AB岗).

use diesel_async::AsyncConnection;
use uuid::Uuid;
use zhengwu_domain::account::{Post, Role};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{OrganizationId, UserId, WindowId};
use zhengwu_domain::org::OrgKind;
use zhengwu_domain::validation::{Errors, RuleViolation};
use zhengwu_persistence::{Conn, Found, orgs, users, windows};

use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::pagination::{Page, PageParams};
use crate::routes::windows::WindowDto;
use crate::state::AppState;

/// Who lists a hall's windows.
const READERS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Clerk,
    Role::Reviewer,
    Role::Supervisor,
    Role::DisclosureOfficer,
];
/// Who creates and changes windows.
const EDITORS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin];

/// A window to open, parsed (number and name trimmed).
#[derive(Debug)]
pub struct NewWindow {
    pub number: String,
    pub name: String,
    pub combined: bool,
}

/// Changes to a window, parsed; absent fields stay.
#[derive(Debug, Default)]
pub struct WindowChanges {
    pub number: Option<String>,
    pub name: Option<String>,
    pub combined: Option<bool>,
    pub active: Option<bool>,
}

/// The A and B staff of a window, checked against the rules of AB岗.
#[derive(Debug)]
pub struct Staffing(pub Vec<(UserId, Post)>);

/// The windows of a hall the actor sees.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    hall: OrganizationId,
    page: &PageParams,
) -> AppResult<Page<WindowDto>> {
    actor.require(READERS)?;
    let limit = page.limit()?;
    let mut conn = app.conn().await?;
    let hall = visible_hall(&mut conn, actor, hall).await?;
    let after = page.after_uuid()?.map(WindowId);
    let rows = windows::list_by_hall(&mut conn, OrganizationId(hall.id), after, limit + 1).await?;
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id).collect();
    let staff = windows::staff_of(&mut conn, &ids).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |w| w.id.to_string(),
        |w| WindowDto::of(w, &staff),
    ))
}

/// Open a window in a hall the actor sees.
pub async fn create(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    hall: OrganizationId,
    input: impl TryInto<NewWindow, Error = ApiError>,
) -> AppResult<Created> {
    actor.require(EDITORS)?;
    let cmd: NewWindow = input.try_into()?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let hall = visible_hall(c, actor, hall).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let id = WindowId::new();
        let new = windows::NewWindow {
            id,
            hall_id: OrganizationId(hall.id),
            number: cmd.number.clone(),
            name: cmd.name.clone(),
            combined: cmd.combined,
        };
        let created = WindowDto::of(windows::insert(c, new).await?, &[]);
        let path = Some(&hall.path);
        audit
            .record(
                c,
                "window.create",
                "window",
                id,
                path,
                None::<&()>,
                Some(&created),
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/windows/{id}"))
            .await
    })
    .await
}

/// A window the actor sees, with its staff.
pub async fn get(app: &AppState, actor: &Actor, id: WindowId) -> AppResult<WindowDto> {
    let mut conn = app.conn().await?;
    let w = windows::get(&mut conn, id.0).await.found()?;
    let w = visible(&mut conn, actor, w).await?.0;
    let staff = windows::staff_of(&mut conn, &[w.id]).await?;
    Ok(WindowDto::of(w, &staff))
}

/// Change a window's number, name or flags.
pub async fn update(
    app: &AppState,
    actor: &Actor,
    id: WindowId,
    expect: &IfMatch,
    input: impl TryInto<WindowChanges, Error = ApiError>,
) -> AppResult<WindowDto> {
    actor.require(EDITORS)?;
    let cmd: WindowChanges = input.try_into()?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (w, hall) = locked(c, actor, id).await?;
        expect.check(w.version)?;
        let staff = windows::staff_of(c, &[id.0]).await?;
        let before = WindowDto::of(w.clone(), &staff);
        let saved = windows::update(
            c,
            id,
            cmd.number.clone().unwrap_or(w.number),
            cmd.name.clone().unwrap_or(w.name),
            cmd.combined.unwrap_or(w.combined),
            cmd.active.unwrap_or(w.active),
        )
        .await?;
        let after = WindowDto::of(saved, &staff);
        let path = Some(&hall.path);
        audit
            .record(
                c,
                "window.update",
                "window",
                id,
                path,
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// Replace a window's A/B staff: active staff accounts the actor sees.
pub async fn put_staff(
    app: &AppState,
    actor: &Actor,
    id: WindowId,
    expect: &IfMatch,
    input: impl TryInto<Staffing, Error = ApiError>,
) -> AppResult<WindowDto> {
    actor.require(EDITORS)?;
    let Staffing(staffing) = input.try_into()?;
    let assignments: Vec<(Uuid, Post)> = staffing.iter().map(|(u, p)| (u.0, *p)).collect();
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (w, hall) = locked(c, actor, id).await?;
        expect.check(w.version)?;
        check_staff(c, actor, &staffing).await?;
        let before = WindowDto::of(w, &windows::staff_of(c, &[id.0]).await?);
        let saved = windows::replace_staff(c, id, &assignments).await?;
        let after = WindowDto::of(saved, &windows::staff_of(c, &[id.0]).await?);
        let path = Some(&hall.path);
        audit
            .record(
                c,
                "window.staff",
                "window",
                id,
                path,
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// Every assigned account must be an active staff account of an organisation in scope.
async fn check_staff(c: &mut Conn, actor: &Actor, staffing: &[(UserId, Post)]) -> AppResult<()> {
    let mut e = Errors::new();
    for (i, (uid, _)) in staffing.iter().enumerate() {
        let org = match users::get(c, uid.0).await.found()? {
            Some(u) if u.active && u.role.is_staff() => u.organization_id,
            _ => None,
        };
        let ok = match org {
            Some(o) => actor.sees(&orgs::get(c, o).await?.path),
            None => false,
        };
        if !ok {
            e.push(
                &format!("staff/{i}/user_id"),
                RuleViolation::new(
                    Code::ReferenceNotFound,
                    "no active staff account with this id in your scope",
                ),
            );
        }
    }
    Ok(e.finish()?)
}

async fn visible_hall(
    conn: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    match orgs::get(conn, id.0).await.found()? {
        Some(o) if actor.sees(&o.path) && o.kind == OrgKind::Hall => Ok(o),
        _ => Err(ApiError::not_found("hall")),
    }
}

/// The window, locked, if the actor sees its hall.
async fn locked(
    conn: &mut Conn,
    actor: &Actor,
    id: WindowId,
) -> AppResult<(windows::Window, orgs::Organization)> {
    let w = windows::get_for_update(conn, id).await.found()?;
    visible(conn, actor, w).await
}

/// The window with its hall, if the actor sees the hall (404 otherwise).
async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    w: Option<windows::Window>,
) -> AppResult<(windows::Window, orgs::Organization)> {
    let w = w.ok_or_else(|| ApiError::not_found("window"))?;
    let hall = orgs::get(conn, w.hall_id).await?;
    if !actor.sees(&hall.path) {
        return Err(ApiError::not_found("window"));
    }
    Ok((w, hall))
}
