//! Tokens, refresh, logout, the current account and applicant registration.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{self, ActorKind, ApplicantType, LegalPersonKind, Role};
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::audit::Actor;
use zhengwu_persistence::{Conn, clients, orgs, tokens, users};

use crate::audit_ctx::AuditCtx;
use crate::auth::{
    Principal, SubjectKind, dummy_hash, hash_password, random_token, token_hash, verify_password,
};
use crate::dto::UserDto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey};
use crate::idem::Idem;
use crate::state::AppState;

/// A token request: a person's password, or a machine client's credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "zhengwu-admin-2026"}))]
pub enum TokenRequest {
    Password {
        username: String,
        password: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Exchange at `/auth/refresh` for a new pair; single use. Not issued to machine clients.
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

enum LoginOutcome {
    Ok(TokenResponse),
    Invalid,
    Locked(u64),
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("the name or the secret is wrong, or the account is disabled")
        .with_code("auth.invalid_credentials")
}

fn locked(seconds: u64) -> ApiError {
    ApiError::too_many_requests(
        "auth.too_many_failures",
        seconds,
        "too many failed logins for this account; try again later",
    )
}

/// The outcome of checking a secret against an account's lock state.
fn after_attempt(state: &AppState, ok: bool, failed: i32) -> (i32, Option<chrono::DateTime<Utc>>) {
    if ok {
        return (0, None);
    }
    let failed = failed + 1;
    if failed >= state.config.login_max_failures {
        let lock = chrono::Duration::from_std(state.config.login_lock)
            .unwrap_or(chrono::Duration::minutes(15));
        (0, Some(state.clock.now() + lock))
    } else {
        (failed, None)
    }
}

fn remaining(state: &AppState, until: Option<chrono::DateTime<Utc>>) -> Option<u64> {
    until
        .map(|u| (u - state.clock.now()).num_seconds())
        .filter(|s| *s > 0)
        .map(|s| s as u64)
}

/// Issues an access token and, for people, a refresh token in `family`.
async fn issue_pair(
    state: &AppState,
    conn: &mut Conn,
    user: &users::User,
    family: Uuid,
) -> Result<TokenResponse, ApiError> {
    let now = state.clock.now();
    let access = state.jwt.issue(
        now,
        SubjectKind::User,
        user.id,
        user.role,
        user.organization_id,
        Some(family),
    )?;
    let refresh_token = random_token();
    let ttl = chrono::Duration::from_std(state.config.refresh_token_ttl)
        .unwrap_or(chrono::Duration::days(30));
    tokens::insert(
        conn,
        &token_hash(&refresh_token),
        family,
        user.id,
        now + ttl,
    )
    .await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: state.jwt.ttl_seconds(),
        refresh_token: Some(refresh_token),
    })
}

/// The lock state of an account or client, as far as a login attempt needs it.
struct Credential<'a> {
    secret_hash: &'a str,
    failed_logins: i32,
    locked_until: Option<chrono::DateTime<Utc>>,
    active: bool,
}

/// Checks a secret against a credential and records the attempt through `record`.
/// `Ok(None)` means the caller may go ahead; otherwise the refusal to answer with.
async fn check_secret(
    state: &AppState,
    c: &mut Conn,
    cred: Credential<'_>,
    secret: &str,
    record: impl AsyncFnOnce(&mut Conn, i32, Option<chrono::DateTime<Utc>>) -> Result<(), ApiError>,
) -> Result<Option<LoginOutcome>, ApiError> {
    if let Some(s) = remaining(state, cred.locked_until) {
        return Ok(Some(LoginOutcome::Locked(s)));
    }
    let ok = verify_password(secret, cred.secret_hash);
    let (failed, lock) = after_attempt(state, ok, cred.failed_logins);
    if failed != cred.failed_logins || lock != cred.locked_until {
        record(c, failed, lock).await?;
    }
    if !ok {
        return Ok(Some(match remaining(state, lock) {
            Some(s) => LoginOutcome::Locked(s),
            None => LoginOutcome::Invalid,
        }));
    }
    Ok((!cred.active).then_some(LoginOutcome::Invalid))
}

async fn password_grant(
    state: &AppState,
    username: &str,
    password: &str,
) -> ApiResult<TokenResponse> {
    let mut conn = state.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let Some(user) = users::find_by_username_for_update(c, username).await? else {
                verify_password(password, dummy_hash());
                return Ok(LoginOutcome::Invalid);
            };
            let cred = Credential {
                secret_hash: &user.password_hash,
                failed_logins: user.failed_logins,
                locked_until: user.locked_until,
                active: user.active,
            };
            let id = user.id;
            let record = async |c: &mut Conn, failed, lock| {
                Ok(users::record_login(c, id, failed, lock).await?)
            };
            if let Some(refusal) = check_secret(state, c, cred, password, record).await? {
                return Ok(refusal);
            }
            Ok(LoginOutcome::Ok(
                issue_pair(state, c, &user, Uuid::now_v7()).await?,
            ))
        })
        .await?;
    outcome.into_result()
}

async fn client_grant(state: &AppState, client_id: &str, secret: &str) -> ApiResult<TokenResponse> {
    let mut conn = state.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let Some(client) = clients::find_by_client_id_for_update(c, client_id).await? else {
                verify_password(secret, dummy_hash());
                return Ok(LoginOutcome::Invalid);
            };
            let cred = Credential {
                secret_hash: &client.secret_hash,
                failed_logins: client.failed_logins,
                locked_until: client.locked_until,
                active: client.active,
            };
            let id = client.id;
            let record = async |c: &mut Conn, failed, lock| {
                Ok(clients::record_login(c, id, failed, lock).await?)
            };
            if let Some(refusal) = check_secret(state, c, cred, secret, record).await? {
                return Ok(refusal);
            }
            let access = state.jwt.issue(
                state.clock.now(),
                SubjectKind::Client,
                client.id,
                client.role,
                Some(client.organization_id),
                None,
            )?;
            Ok(LoginOutcome::Ok(TokenResponse {
                access_token: access,
                token_type: "Bearer",
                expires_in: state.jwt.ttl_seconds(),
                refresh_token: None,
            }))
        })
        .await?;
    outcome.into_result()
}

impl LoginOutcome {
    fn into_result(self) -> ApiResult<TokenResponse> {
        match self {
            LoginOutcome::Ok(t) => Ok(t),
            LoginOutcome::Invalid => Err(invalid_credentials()),
            LoginOutcome::Locked(s) => Err(locked(s)),
        }
    }
}

/// Get an access token.
///
/// People use `grant_type: password`; machine clients of other systems use
/// `grant_type: client_credentials`. After repeated failures an account is locked for a
/// while (429 with `Retry-After`).
#[utoipa::path(operation_id = "createToken",
    tag = "auth", request_body = TokenRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Wrong name or secret, or a disabled account"),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many failed logins for this account, or too many token requests from this address")))]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<TokenRequest>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_login(&state, &req)?;
    crate::writers::check("createToken", None, &body)?;
    let t = match &body.value {
        TokenRequest::Password { username, password } => {
            password_grant(&state, username, password).await?
        }
        TokenRequest::ClientCredentials {
            client_id,
            client_secret,
        } => client_grant(&state, client_id, client_secret).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(t))
}

enum RefreshOutcome {
    Ok(TokenResponse),
    Refused(&'static str),
    /// Refused, and the login ended (its access tokens with it).
    Revoked(&'static str),
}

/// Exchange a refresh token for a new pair.
///
/// Refresh tokens are single use: the old one is refused afterwards, and presenting a
/// used one again revokes every token of that login (it has probably been stolen).
#[utoipa::path(operation_id = "refreshToken",
    tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Unknown, used, revoked or expired refresh token")))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("refreshToken", None, &body)?;
    let hash = token_hash(&body.value.refresh_token);
    let mut conn = state.conn().await?;
    let st = &state;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let now = st.clock.now();
            let Some(t) = tokens::find_for_update(c, &hash).await? else {
                return Ok(RefreshOutcome::Refused("the refresh token is not known"));
            };
            if t.revoked_at.is_some() {
                return Ok(RefreshOutcome::Refused(
                    "the refresh token has been revoked",
                ));
            }
            if t.used_at.is_some() {
                tokens::revoke_family(c, t.family_id, now).await?;
                return Ok(RefreshOutcome::Revoked(
                    "the refresh token was used already; every token of this login is revoked",
                ));
            }
            if t.expires_at <= now {
                return Ok(RefreshOutcome::Refused("the refresh token has expired"));
            }
            let user = users::get(c, t.user_id).await?;
            if !user.active {
                return Ok(RefreshOutcome::Refused("the account is disabled"));
            }
            tokens::mark_used(c, t.id, now).await?;
            Ok(RefreshOutcome::Ok(
                issue_pair(st, c, &user, t.family_id).await?,
            ))
        })
        .await?;
    match outcome {
        RefreshOutcome::Ok(t) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(t)),
        RefreshOutcome::Refused(why) => {
            Err(ApiError::unauthorized(why).with_code("auth.invalid_refresh_token"))
        }
        RefreshOutcome::Revoked(why) => {
            st.principals.forget_all();
            Err(ApiError::unauthorized(why).with_code("auth.invalid_refresh_token"))
        }
    }
}

/// Sign out: end the login of the refresh token — its refresh tokens and its access tokens,
/// at once.
#[utoipa::path(operation_id = "logout",
    tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Revoked (also when the token was unknown)")))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("logout", None, &body)?;
    let hash = token_hash(&body.value.refresh_token);
    let mut conn = state.conn().await?;
    let now = state.clock.now();
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(t) = tokens::find_for_update(c, &hash).await? {
            tokens::revoke_family(c, t.family_id, now).await?;
        }
        Ok(())
    })
    .await?;
    state.principals.forget_all();
    Ok(HttpResponse::NoContent().finish())
}

/// The machine client a token speaks for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientIdentity {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub organization_id: Uuid,
}

/// The caller: a person's account, or a machine client.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub kind: &'static str,
    pub user: Option<UserDto>,
    pub client: Option<ClientIdentity>,
    /// Name of the caller's organisation, if any.
    pub organization_name: Option<String>,
}

/// Who am I: the account or client behind the access token.
#[utoipa::path(operation_id = "getMe",
    tag = "auth", security(("bearer" = [])), responses((status = 200, body = MeResponse)))]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, auth: Principal) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let org_name = match auth.org_id {
        Some(id) => Some(orgs::get(&mut conn, id).await?.name),
        None => None,
    };
    let body = match auth.kind {
        SubjectKind::User => MeResponse {
            kind: "user",
            user: Some(users::get(&mut conn, auth.id).await?.into()),
            client: None,
            organization_name: org_name,
        },
        SubjectKind::Client => {
            let c = clients::get(&mut conn, auth.id).await?;
            MeResponse {
                kind: "client",
                user: None,
                client: Some(ClientIdentity {
                    id: c.id,
                    client_id: c.client_id,
                    name: c.name,
                    role: c.role,
                    organization_id: c.organization_id,
                }),
                organization_name: org_name,
            }
        }
    };
    Ok(HttpResponse::Ok().json(body))
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "current_password": "zhengwu-demo-2026", "new_password": "a-longer-secret-2027"
}))]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters with a letter and a digit, not the current one.
    pub new_password: String,
}

/// Change your own password (people; the current password is required). Every other login
/// of the account ends at once, its refresh and access tokens with it; this one goes on.
#[utoipa::path(operation_id = "changeOwnPassword",
    tag = "auth", security(("bearer" = [])), request_body = PasswordChange, responses(
    (status = 204, description = "Changed; the account's other logins have ended"),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Machine clients have no password to change here"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The current password is wrong (`/current_password`), or the new one is \
too weak or the same (`/new_password`)"),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many wrong passwords for this account from this address, or too many \
token requests from it")))]
#[post("/auth/password")]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    body: ApiJson<PasswordChange>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("changeOwnPassword", Some(&auth), &body)?;
    if auth.kind != SubjectKind::User {
        return Err(ApiError::forbidden(
            "machine clients have their secret reset by an administrator",
        ));
    }
    crate::ratelimit::check_login(&state, &req)?;
    let b = &body.value;
    let mut e = Errors::new();
    e.check("new_password", account::password(&b.new_password));
    e.finish()?;
    if b.new_password == b.current_password {
        return Err(ApiError::field(
            "/new_password",
            "password.unchanged",
            "choose a password other than the current one",
        ));
    }
    let mut conn = state.conn().await?;
    let user = users::get(&mut conn, auth.id).await?;
    if !verify_password(&b.current_password, &user.password_hash) {
        return Err(ApiError::field(
            "/current_password",
            "password.incorrect",
            "this is not the account's password",
        ));
    }
    let hash = hash_password(&b.new_password)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let keep = auth.session.ok_or_else(ApiError::internal)?;
    conn.transaction::<_, ApiError, _>(async |c| {
        users::get_for_update(c, user.id).await?;
        users::set_password(c, user.id, &hash).await?;
        tokens::revoke_user_except(c, user.id, keep, audit.at).await?;
        audit
            .record(
                c,
                "user.change_password",
                "user",
                user.id,
                auth.org_path.as_ref(),
                None::<&()>,
                Some(&serde_json::json!({"other_logins_ended": true, "kept_login": keep})),
            )
            .await
    })
    .await?;
    state.principals.forget_all();
    Ok(HttpResponse::NoContent().finish())
}

/// Self-registration of an applicant (natural person, or legal person with its kind).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "li.na", "password": "lina-2026-pass", "display_name": "李娜",
    "applicant_type": "natural_person", "phone": "13912345678"
}))]
pub struct RegisterRequest {
    pub username: String,
    /// At least 10 characters with a letter and a digit.
    pub password: String,
    pub display_name: String,
    pub applicant_type: ApplicantType,
    /// Required for a legal person, absent for a natural person.
    pub legal_person_kind: Option<LegalPersonKind>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Register as an applicant.
#[utoipa::path(operation_id = "registerApplicant",
    tag = "auth", request_body = RegisterRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses(
    (status = 201, body = UserDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The username is taken")))]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("registerApplicant", None, &body)?;
    let b = &body.value;
    let mut e = Errors::new();
    let username = e.check("username", account::username(&b.username));
    e.check("password", account::password(&b.password));
    let display_name = e.check("display_name", validation::text(&b.display_name, 100));
    let kind = e.check(
        "legal_person_kind",
        account::applicant_kind(b.applicant_type, b.legal_person_kind),
    );
    let phone = e.check_opt("phone", b.phone.as_deref(), validation::mobile);
    let email = e.check_opt("email", b.email.as_deref(), validation::email);
    e.finish()?;
    let (Some(username), Some(display_name), Some(kind)) = (username, display_name, kind) else {
        return Err(ApiError::internal());
    };
    let password_hash = hash_password(&b.password)?;
    let id = Uuid::now_v7();
    let audit = AuditCtx::new(
        &state,
        Actor {
            id: Some(id),
            kind: ActorKind::User,
        },
    );
    let idem = Idem::new(&req, "anonymous".into(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let user: UserDto = users::insert(
            c,
            users::NewUser {
                id,
                username,
                password_hash,
                display_name,
                role: Role::Applicant,
                organization_id: None,
                applicant_type: Some(b.applicant_type),
                legal_person_kind: kind,
                phone,
                email,
            },
        )
        .await?
        .into();
        audit
            .record(
                c,
                "user.register",
                "user",
                id,
                None,
                None::<&()>,
                Some(&user),
            )
            .await?;
        idem.finish(c, &user, format!("/api/v1/users/{id}")).await
    })
    .await
    .map(crate::idem::Created::into_response)
}
