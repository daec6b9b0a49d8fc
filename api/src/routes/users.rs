//! Staff accounts, managed by administrators inside their subtree.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::{self, Role};
use zhengwu_domain::ids::{OrganizationId, UserId};
use zhengwu_domain::validation::{self, Errors, RuleViolation};

use crate::app::users::{self as uc, ChangeAccount, CreateAccount, UserQuery};
use crate::auth::Principal;
use crate::dto::{UserDto, double_option};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::{Created, Idem};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "wang.li", "password": "window-7-pass", "display_name": "王丽", "role": "clerk",
    "organization_id": "01941f29-7c00-7001-8000-000000000005", "phone": "13712345678"
}))]
pub struct CreateUser {
    pub username: String,
    /// At least 10 characters with a letter and a digit.
    pub password: String,
    pub display_name: String,
    /// A staff role; applicants register themselves.
    #[schema(schema_with = staff_role_schema)]
    pub role: Role,
    pub organization_id: Uuid,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Changes to an account: absent fields stay, `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "王芳", "phone": "13712345679"}))]
pub struct PatchUser {
    pub display_name: Option<String>,
    #[schema(schema_with = staff_role_schema)]
    pub role: Option<Role>,
    pub organization_id: Option<Uuid>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Deactivating revokes the account's refresh tokens.
    pub active: Option<bool>,
    /// Sets a new password (administrators) and unlocks the account.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub organization_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of the username or display name.
    pub q: Option<String>,
}

/// The roles an account given by an administrator may have: every role but the applicant's.
fn staff_role_schema() -> utoipa::openapi::schema::Object {
    crate::openapi::string_enum(
        Role::ALL
            .iter()
            .filter(|r| **r != Role::Applicant)
            .map(|r| r.as_str()),
    )
}

impl CreateUser {
    /// Parses the body once: every field trimmed and checked, every error collected.
    fn parse(self) -> ApiResult<CreateAccount> {
        let mut e = Errors::new();
        let username = e.check("username", account::username(&self.username));
        e.check("password", account::password(&self.password));
        let display_name = e.check("display_name", validation::text(&self.display_name, 100));
        let phone = e.check_opt("phone", self.phone.as_deref(), validation::phone);
        let email = e.check_opt("email", self.email.as_deref(), validation::email);
        e.finish()?;
        let (Some(username), Some(display_name)) = (username, display_name) else {
            return Err(ApiError::internal());
        };
        Ok(CreateAccount {
            username,
            password: self.password,
            display_name,
            role: self.role,
            organization: OrganizationId(self.organization_id),
            phone,
            email,
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

impl PatchUser {
    fn parse(self) -> ApiResult<ChangeAccount> {
        let mut e = Errors::new();
        let display_name = self
            .display_name
            .and_then(|d| e.check("display_name", validation::text(&d, 100)));
        let phone = change_opt(&mut e, "phone", self.phone, validation::phone);
        let email = change_opt(&mut e, "email", self.email, validation::email);
        if let Some(p) = &self.password {
            e.check("password", account::password(p));
        }
        e.finish()?;
        Ok(ChangeAccount {
            display_name,
            role: self.role,
            organization: self.organization_id.map(OrganizationId),
            phone,
            email,
            active: self.active,
            password: self.password,
        })
    }
}

fn with_etag(u: UserDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(u.version)))
        .json(u)
}

/// List accounts in your scope (administrators and supervisors).
#[utoipa::path(operation_id = "listUsers",
    tag = "users", security(("bearer" = [])),
    params(ListQuery, PageParams),
    responses((status = 200, body = Page<UserDto>)))]
#[get("/users")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    uc::may_list(&actor)?;
    let limit = page.limit()?;
    let q = q.into_inner();
    let query = UserQuery {
        organization: q.organization_id.map(OrganizationId),
        role: q.role,
        active: q.active,
        q: q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        after: page.after_uuid()?,
        limit: limit + 1,
    };
    let rows = uc::list(&state, &actor, query).await?;
    Ok(page_response(
        &req,
        Page::from_rows(rows, limit, |u| u.id.to_string(), UserDto::from),
    ))
}

/// Create a staff account (administrators, inside their subtree).
///
/// An organisation administrator can never grant `sys_admin`.
#[utoipa::path(operation_id = "createUser",
    tag = "users", security(("bearer" = [])), request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = UserDto, headers(("ETag" = String), ("Location" = String)))))]
#[post("/users")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateUser>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    // Refused callers learn nothing of the body's faults.
    uc::may_manage(&actor)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    uc::create(&state, &actor, &idem, cmd, UserDto::from)
        .await
        .map(Created::into_response)
}

/// Read an account: your own, or one in your scope (administrators, supervisors).
#[utoipa::path(operation_id = "getUser",
    tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto, headers(("ETag" = String)))))]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let u = uc::get(&state, &auth.actor(), UserId(*id)).await?;
    Ok(with_etag(u.into()))
}

/// Change an account (administrators; send `If-Match`).
///
/// Role changes follow the same rule as creation; a `sys_admin` account is changed by
/// system administrators only.
#[utoipa::path(operation_id = "updateUser",
    tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchUser,
    responses((status = 200, body = UserDto, headers(("ETag" = String)))))]
#[patch("/users/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchUser>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let u = uc::change(&state, &auth.actor(), UserId(*id), &if_match, cmd).await?;
    Ok(with_etag(u.into()))
}
