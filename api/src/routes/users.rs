//! Staff accounts, managed by administrators inside their subtree.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::{self, Role};
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::{Conn, DbError, login_throttle, orgs, tokens, users};

use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope, SubjectKind, hash_password};
use crate::dto::{UserDto, double_option};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
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

/// Whether `auth` may manage (administrators) or read (also supervisors) this account.
async fn visible_user(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    manage: bool,
) -> ApiResult<users::User> {
    let user = match if manage {
        users::get_for_update(conn, id).await
    } else {
        users::get(conn, id).await
    } {
        Ok(u) => u,
        Err(DbError::NotFound) => return Err(ApiError::not_found("user")),
        Err(e) => return Err(e.into()),
    };
    let is_self = auth.kind == SubjectKind::User && auth.id == id;
    if is_self && !manage {
        return Ok(user);
    }
    let roles: &[Role] = if manage {
        &[Role::SysAdmin, Role::OrgAdmin]
    } else {
        &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor]
    };
    let in_scope = match (auth.scope(), user.organization_id) {
        (Scope::All, _) => true,
        (Scope::Subtree(p), Some(org)) => p.contains(&orgs::get(conn, org).await?.path),
        _ => false,
    };
    if !in_scope {
        return Err(ApiError::not_found("user"));
    }
    auth.require(roles)?;
    Ok(user)
}

/// The organisation an account is to belong to, if the caller may place people there.
async fn target_org(conn: &mut Conn, auth: &Principal, id: Uuid) -> ApiResult<orgs::Organization> {
    match orgs::get(conn, id).await {
        Ok(o) if auth.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::field(
            "/organization_id",
            "reference.not_found",
            "no such organisation in your scope",
        )),
        Err(e) => Err(e.into()),
    }
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

fn grantable(auth: &Principal, role: Role) -> ApiResult<()> {
    if role == Role::Applicant {
        return Err(ApiError::field(
            "/role",
            "role.applicant_not_staff",
            "applicants register themselves at /auth/register",
        ));
    }
    if !auth.role.can_grant(role) {
        return Err(ApiError::forbidden(format!(
            "you cannot grant the role {role}"
        )));
    }
    Ok(())
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
    auth.require(&[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor])?;
    let within = match auth.scope() {
        Scope::All => None,
        Scope::Subtree(p) => Some(p),
        Scope::Nothing => return Err(ApiError::forbidden("no organisation scope")),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let rows = users::list(
        &mut conn,
        &users::Filter {
            within,
            organization_id: q.organization_id,
            role: q.role,
            active: q.active,
            q: q.q.clone().filter(|s| !s.trim().is_empty()),
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
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
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let b = &body.value;
    let mut e = Errors::new();
    let username = e.check("username", account::username(&b.username));
    e.check("password", account::password(&b.password));
    let display_name = e.check("display_name", validation::text(&b.display_name, 100));
    let phone = e.check_opt("phone", b.phone.as_deref(), validation::phone);
    let email = e.check_opt("email", b.email.as_deref(), validation::email);
    e.finish()?;
    grantable(&auth, b.role)?;
    let (Some(username), Some(display_name)) = (username, display_name) else {
        return Err(ApiError::internal());
    };
    let password_hash = hash_password(&b.password)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let org = target_org(c, &auth, b.organization_id).await?;
        let id = Uuid::now_v7();
        let user: UserDto = users::insert(
            c,
            users::NewUser {
                id,
                username,
                password_hash,
                display_name,
                role: b.role,
                organization_id: Some(org.id),
                applicant_type: None,
                legal_person_kind: None,
                phone,
                email,
            },
        )
        .await?
        .into();
        audit
            .record(
                c,
                "user.create",
                "user",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&user),
            )
            .await?;
        idem.finish(c, &user, format!("/api/v1/users/{id}")).await
    })
    .await
    .map(crate::idem::Created::into_response)
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
    let mut conn = state.conn().await?;
    let u = visible_user(&mut conn, &auth, *id, false).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(u.version)))
        .json(UserDto::from(u)))
}

/// Change an account (administrators; send `If-Match`).
///
/// Role changes follow the same rule as creation; a `sys_admin` account is changed by
/// system administrators only.
#[utoipa::path(operation_id = "updateUser",
    tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
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
    let b = &body.value;
    let mut e = Errors::new();
    let display_name = b
        .display_name
        .as_deref()
        .and_then(|d| e.check("display_name", validation::text(d, 100)));
    let phone = b
        .phone
        .clone()
        .map(|p| p.and_then(|p| e.check("phone", validation::phone(&p))));
    let email = b
        .email
        .clone()
        .map(|m| m.and_then(|m| e.check("email", validation::email(&m))));
    if let Some(p) = &b.password {
        e.check("password", account::password(p));
    }
    e.finish()?;
    let new_hash = b.password.as_deref().map(hash_password).transpose()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = visible_user(c, &auth, id, true).await?;
            if_match.check(current.version)?;
            if current.role == Role::Applicant {
                return Err(ApiError::forbidden(
                    "applicant accounts are managed by their owners",
                ));
            }
            if current.role == Role::SysAdmin && auth.role != Role::SysAdmin {
                return Err(ApiError::forbidden(
                    "only a system administrator changes a sys_admin",
                ));
            }
            let role = b.role.unwrap_or(current.role);
            if b.role.is_some_and(|r| r != current.role) {
                grantable(&auth, role)?;
            }
            if auth.id == id
                && (b.active == Some(false) || b.role.is_some_and(|r| r != current.role))
            {
                return Err(ApiError::forbidden(
                    "you cannot deactivate yourself or change your own role",
                ));
            }
            let org = match (b.organization_id, current.organization_id) {
                (Some(o), _) => Some(target_org(c, &auth, o).await?),
                (None, Some(o)) => Some(orgs::get(c, o).await?),
                (None, None) if role == Role::SysAdmin => None,
                (None, None) => {
                    return Err(ApiError::field(
                        "/organization_id",
                        "field.required_when",
                        "staff other than system administrators belong to an organisation",
                    ));
                }
            };
            let before = UserDto::from(current.clone());
            let active = b.active.unwrap_or(current.active);
            let mut saved = users::update(
                c,
                id,
                &users::Changes {
                    display_name: display_name.unwrap_or(current.display_name.clone()),
                    role: role.as_str().to_owned(),
                    organization_id: org.as_ref().map(|o| o.id),
                    phone: phone.unwrap_or(current.phone.clone()),
                    email: email.unwrap_or(current.email.clone()),
                    active,
                },
            )
            .await?;
            if let Some(h) = &new_hash {
                users::set_password(c, id, h).await?;
                // A reset password works at once from wherever the owner failed before.
                login_throttle::clear_subject(c, &login_throttle::user_subject(&current.username))
                    .await?;
                saved = users::get(c, id).await?;
            }
            if !active || new_hash.is_some() {
                tokens::revoke_user(c, id, audit.at).await?;
            }
            let after = UserDto::from(saved);
            let action = if new_hash.is_some() {
                "user.update_with_password"
            } else {
                "user.update"
            };
            audit
                .record(
                    c,
                    action,
                    "user",
                    id,
                    org.as_ref().map(|o| &o.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    // The role, the organisation, the account's state and its logins take effect at once.
    state.principals.forget_all();
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}
