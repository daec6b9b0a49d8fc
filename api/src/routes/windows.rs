//! Service windows (窗口) of halls, and their A/B staff (AB岗).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{self, Post};
use zhengwu_domain::ids::{OrganizationId, UserId, WindowId};
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::windows;

use crate::app::windows::{self as app, NewWindow, Staffing, WindowChanges};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, AtField};
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

impl WindowDto {
    /// A window with its staff (among `staff`, of any windows).
    pub fn of(w: windows::Window, staff: &[windows::Staff]) -> WindowDto {
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
    "staff": [
        {"user_id": "01941f29-7c00-7002-8000-000000000005", "post": "a"},
        {"user_id": "01941f29-7c00-7002-8000-000000000006", "post": "b"}
    ]
}))]
pub struct PutStaff {
    pub staff: Vec<StaffAssignment>,
}

impl TryFrom<CreateWindow> for NewWindow {
    type Error = ApiError;

    fn try_from(b: CreateWindow) -> Result<Self, ApiError> {
        let mut e = Errors::new();
        let number = e.check("number", validation::text(&b.number, 20));
        let name = e.check("name", validation::text(&b.name, 100));
        e.finish()?;
        let (Some(number), Some(name)) = (number, name) else {
            return Err(ApiError::internal());
        };
        Ok(NewWindow {
            number,
            name,
            combined: b.combined,
        })
    }
}

impl TryFrom<PatchWindow> for WindowChanges {
    type Error = ApiError;

    fn try_from(b: PatchWindow) -> Result<Self, ApiError> {
        let mut e = Errors::new();
        let number = e.check_opt("number", b.number.as_deref(), |v| validation::text(v, 20));
        let name = e.check_opt("name", b.name.as_deref(), |v| validation::text(v, 100));
        e.finish()?;
        Ok(WindowChanges {
            number,
            name,
            combined: b.combined,
            active: b.active,
        })
    }
}

impl TryFrom<PutStaff> for Staffing {
    type Error = ApiError;

    fn try_from(b: PutStaff) -> Result<Self, ApiError> {
        let assignments: Vec<(Uuid, Post)> = b.staff.iter().map(|s| (s.user_id, s.post)).collect();
        account::window_staffing(&assignments).at("/staff")?;
        Ok(Staffing(
            assignments
                .into_iter()
                .map(|(u, p)| (UserId(u), p))
                .collect(),
        ))
    }
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
    let items = app::list(&state, &auth.actor(), OrganizationId(*id), &page).await?;
    Ok(page_response(&req, items))
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
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let hall = OrganizationId(*id);
    let created = app::create(&state, &auth.actor(), &idem, hall, body.into_inner_value()).await?;
    Ok(created.into_response())
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
    let w = app::get(&state, &auth.actor(), WindowId(*id)).await?;
    Ok(with_etag(&w))
}

/// Change a window's number, name, kind or status (administrators; send `If-Match`).
#[utoipa::path(operation_id = "updateWindow",
    tag = "halls and windows", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchWindow, responses((status = 200, body = WindowDto)))]
#[patch("/windows/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchWindow>,
) -> ApiResult<HttpResponse> {
    let (actor, id, cmd) = (auth.actor(), WindowId(*id), body.into_inner_value());
    let w = app::update(&state, &actor, id, &if_match, cmd).await?;
    Ok(with_etag(&w))
}

/// Set the staff of a window (administrators; send `If-Match`).
///
/// A staffed window has at least one A post and one B post, so it is never left
/// unattended (AB岗). Staff are active staff accounts inside your scope.
#[utoipa::path(operation_id = "setWindowStaff",
    tag = "halls and windows", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PutStaff, responses((status = 200, body = WindowDto)))]
#[put("/windows/{id}/staff")]
pub async fn put_staff(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PutStaff>,
) -> ApiResult<HttpResponse> {
    let (actor, id, cmd) = (auth.actor(), WindowId(*id), body.into_inner_value());
    let w = app::put_staff(&state, &actor, id, &if_match, cmd).await?;
    Ok(with_etag(&w))
}
