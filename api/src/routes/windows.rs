//! Service windows (窗口) of halls, and their A/B staff (AB岗).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{self, Post, Role};
use zhengwu_domain::org::OrgKind;
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::{Conn, DbError, orgs, users, windows};

use crate::audit_ctx::AuditCtx;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffDto {
    pub user_id: Uuid,
    pub display_name: String,
    pub post: Post,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowDto {
    pub id: Uuid,
    pub hall_id: Uuid,
    #[schema(example = "A07")]
    pub number: String,
    #[schema(example = "市场准入综合窗口")]
    pub name: String,
    /// A combined window (综合窗口) serving many departments.
    pub combined: bool,
    pub active: bool,
    pub staff: Vec<StaffDto>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn dto(w: windows::Window, staff: &[windows::Staff]) -> WindowDto {
    WindowDto {
        staff: staff
            .iter()
            .filter(|s| s.window_id == w.id)
            .map(|s| StaffDto {
                user_id: s.user_id,
                display_name: s.display_name.clone(),
                post: s.post,
            })
            .collect(),
        id: w.id,
        hall_id: w.hall_id,
        number: w.number,
        name: w.name,
        combined: w.combined,
        active: w.active,
        version: w.version,
        created_at: w.created_at,
        updated_at: w.updated_at,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "A07", "name": "市场准入综合窗口", "combined": true}))]
pub struct CreateWindow {
    pub number: String,
    pub name: String,
    #[serde(default)]
    pub combined: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "综合受理窗口", "combined": true}))]
pub struct PatchWindow {
    pub number: Option<String>,
    pub name: Option<String>,
    pub combined: Option<bool>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffAssignment {
    pub user_id: Uuid,
    pub post: Post,
}

/// The whole staff list of a window; replaces the previous one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "staff": [{"user_id": "01941f29-7c00-7002-8000-000000000005", "post": "a"}, {"user_id": "01941f29-7c00-7002-8000-000000000006", "post": "b"}]
}))]
pub struct PutStaff {
    pub staff: Vec<StaffAssignment>,
}

async fn visible_hall(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
) -> ApiResult<orgs::Organization> {
    match orgs::get(conn, id).await {
        Ok(o) if auth.sees(&o.path) && o.kind == OrgKind::Hall => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("hall")),
        Err(e) => Err(e.into()),
    }
}

async fn visible_window(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(windows::Window, orgs::Organization)> {
    let w = match if for_update {
        windows::get_for_update(conn, id).await
    } else {
        windows::get(conn, id).await
    } {
        Ok(w) => w,
        Err(DbError::NotFound) => return Err(ApiError::not_found("window")),
        Err(e) => return Err(e.into()),
    };
    let hall = orgs::get(conn, w.hall_id).await?;
    auth.ensure_sees(&hall.path, "window")?;
    Ok((w, hall))
}

fn with_etag(w: &WindowDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(w.version)))
        .json(w)
}

/// List the windows of a hall, with their staff.
#[utoipa::path(operation_id = "listHallWindows",
    tag = "halls and windows", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The hall"), PageParams),
    responses((status = 200, body = Page<WindowDto>)))]
#[get("/halls/{id}/windows")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    auth.require(&[
        Role::SysAdmin,
        Role::OrgAdmin,
        Role::Clerk,
        Role::Reviewer,
        Role::Supervisor,
        Role::DisclosureOfficer,
    ])?;
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let hall = visible_hall(&mut conn, &auth, *id).await?;
    let rows = windows::list_by_hall(&mut conn, hall.id, page.after_uuid()?, limit + 1).await?;
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id).collect();
    let staff = windows::staff_of(&mut conn, &ids).await?;
    Ok(page_response(
        &req,
        Page::from_rows(rows, limit, |w| w.id.to_string(), |w| dto(w, &staff)),
    ))
}

/// Open a window in a hall (administrators).
#[utoipa::path(operation_id = "createWindow",
    tag = "halls and windows", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The hall"),
           ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body = CreateWindow,
    responses((status = 201, body = WindowDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The hall has a window with this number")))]
#[post("/halls/{id}/windows")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<CreateWindow>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let b = &body.value;
    let mut e = Errors::new();
    let number = e.check("number", validation::text(&b.number, 20));
    let name = e.check("name", validation::text(&b.name, 100));
    e.finish()?;
    let (Some(number), Some(name)) = (number, name) else {
        return Err(ApiError::internal());
    };
    let audit = AuditCtx::new(&state, auth.actor());
    let hall_id = *id;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let hall = visible_hall(c, &auth, hall_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let wid = Uuid::now_v7();
        let w = windows::insert(
            c,
            windows::NewWindow {
                id: wid,
                hall_id: hall.id,
                number,
                name,
                combined: b.combined,
            },
        )
        .await?;
        let created = dto(w, &[]);
        audit
            .record(
                c,
                "window.create",
                "window",
                wid,
                Some(&hall.path),
                None::<&()>,
                Some(&created),
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/windows/{wid}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Read a window with its staff.
#[utoipa::path(operation_id = "getWindow",
    tag = "halls and windows", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = WindowDto, headers(("ETag" = String)))))]
#[get("/windows/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (w, _) = visible_window(&mut conn, &auth, *id, false).await?;
    let staff = windows::staff_of(&mut conn, &[w.id]).await?;
    Ok(with_etag(&dto(w, &staff)))
}

/// Change a window's number, name, kind or status (administrators; send `If-Match`).
#[utoipa::path(operation_id = "updateWindow",
    tag = "halls and windows", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchWindow, responses((status = 200, body = WindowDto)))]
#[patch("/windows/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchWindow>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let b = &body.value;
    let mut e = Errors::new();
    let number = e.check_opt("number", b.number.as_deref(), |v| validation::text(v, 20));
    let name = e.check_opt("name", b.name.as_deref(), |v| validation::text(v, 100));
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (w, hall) = visible_window(c, &auth, id, true).await?;
            if_match.check(w.version)?;
            let staff = windows::staff_of(c, &[id]).await?;
            let before = dto(w.clone(), &staff);
            let saved = windows::update(
                c,
                id,
                number.unwrap_or(w.number),
                name.unwrap_or(w.name),
                b.combined.unwrap_or(w.combined),
                b.active.unwrap_or(w.active),
            )
            .await?;
            let after = dto(saved, &staff);
            audit
                .record(
                    c,
                    "window.update",
                    "window",
                    id,
                    Some(&hall.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(&saved))
}

/// Set the staff of a window (administrators; send `If-Match`).
///
/// A staffed window has at least one A post and one B post, so it is never left
/// unattended (AB岗). Staff are active staff accounts inside your scope.
#[utoipa::path(operation_id = "setWindowStaff",
    tag = "halls and windows", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PutStaff, responses((status = 200, body = WindowDto)))]
#[put("/windows/{id}/staff")]
pub async fn put_staff(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PutStaff>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let assignments: Vec<(Uuid, Post)> = body
        .value
        .staff
        .iter()
        .map(|s| (s.user_id, s.post))
        .collect();
    account::window_staffing(&assignments)
        .map_err(|v| ApiError::field("/staff", v.code, v.message))?;
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (w, hall) = visible_window(c, &auth, id, true).await?;
            if_match.check(w.version)?;
            let mut e = Errors::new();
            for (i, (uid, _)) in assignments.iter().enumerate() {
                let ok = match users::get(c, *uid).await {
                    Ok(u) if u.active && u.role.is_staff() => match u.organization_id {
                        Some(o) => auth.sees(&orgs::get(c, o).await?.path),
                        None => false,
                    },
                    Ok(_) | Err(DbError::NotFound) => false,
                    Err(e) => return Err(e.into()),
                };
                if !ok {
                    e.push(
                        &format!("staff/{i}/user_id"),
                        zhengwu_domain::validation::RuleViolation::new(
                            "reference.not_found",
                            "no active staff account with this id in your scope",
                        ),
                    );
                }
            }
            e.finish()?;
            let before = dto(w, &windows::staff_of(c, &[id]).await?);
            let saved = windows::replace_staff(c, id, &assignments).await?;
            let after = dto(saved, &windows::staff_of(c, &[id]).await?);
            audit
                .record(
                    c,
                    "window.staff",
                    "window",
                    id,
                    Some(&hall.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(&saved))
}
