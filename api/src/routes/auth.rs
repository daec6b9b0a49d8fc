//! Tokens, refresh, logout, the current account and applicant registration.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{
    self, ActorKind, ApplicantType, LegalPersonKind, LoginThrottle, Role,
};
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::audit::Actor;
use zhengwu_persistence::{Conn, clients, login_throttle, orgs, tokens, users};

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
#[schema(example = json!({
    "grant_type": "password", "username": "city.admin", "password": "zhengwu-demo-2026"
}))]
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
#[schema(example = json!({"refresh_token": "q3W0xPz7m1V9cK2dR8tY5uN4bH6jL0aS3eF7gD1kM9o"}))]
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
        "too many failed logins for this name from this address; try again later",
    )
}

/// One attempt at a secret, counted against `(subject, address)` inside the caller's
/// transaction: a blocked pair is refused without looking at the secret; `check` tells
/// whether the secret is right (and the account usable); a failure may start a block.
async fn throttled(
    state: &AppState,
    c: &mut Conn,
    subject: &str,
    address: &str,
    check: impl FnOnce() -> bool,
) -> Result<Result<(), LoginOutcome>, ApiError> {
    let now = state.clock.now();
    let rec = login_throttle::lock(c, subject, address).await?;
    if let Some(s) = rec
        .blocked_until
        .map(|u| (u - now).num_seconds())
        .filter(|s| *s > 0)
    {
        return Ok(Err(LoginOutcome::Locked(s as u64)));
    }
    if check() {
        if rec.failures > 0 {
            login_throttle::clear(c, subject, address).await?;
        }
        return Ok(Ok(()));
    }
    let throttle = LoginThrottle {
        free: u32::try_from(state.config.login_max_failures).unwrap_or(1),
        cap_seconds: i64::try_from(state.config.login_lock.as_secs()).unwrap_or(900),
    };
    let remembered = LoginThrottle::remembered(
        u32::try_from(rec.failures).unwrap_or(0),
        rec.last_failure_at,
        now,
    );
    let after = throttle.after_failure(remembered);
    let blocked_until = after
        .block_seconds
        .map(|s| now + chrono::Duration::seconds(s));
    login_throttle::record_failure(
        c,
        subject,
        address,
        i32::try_from(after.failures).unwrap_or(i32::MAX),
        blocked_until,
        now,
    )
    .await?;
    Ok(Err(match after.block_seconds {
        Some(s) => LoginOutcome::Locked(s.unsigned_abs()),
        None => LoginOutcome::Invalid,
    }))
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

async fn password_grant(
    state: &AppState,
    address: &str,
    username: &str,
    password: &str,
) -> ApiResult<TokenResponse> {
    let subject = login_throttle::user_subject(username);
    let mut conn = state.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let user = users::find_by_username(c, username).await?;
            // A name without an account costs the same hash and is counted the same.
            let check = || match &user {
                Some(u) => verify_password(password, &u.password_hash) && u.active,
                None => {
                    verify_password(password, dummy_hash());
                    false
                }
            };
            if let Err(refusal) = throttled(state, c, &subject, address, check).await? {
                return Ok(refusal);
            }
            let user = user.ok_or_else(ApiError::internal)?;
            Ok(LoginOutcome::Ok(
                issue_pair(state, c, &user, Uuid::now_v7()).await?,
            ))
        })
        .await?;
    outcome.into_result()
}

async fn client_grant(
    state: &AppState,
    address: &str,
    client_id: &str,
    secret: &str,
) -> ApiResult<TokenResponse> {
    let subject = login_throttle::client_subject(client_id);
    let mut conn = state.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let client = clients::find_by_client_id(c, client_id).await?;
            let check = || match &client {
                Some(k) => verify_password(secret, &k.secret_hash) && k.active,
                None => {
                    verify_password(secret, dummy_hash());
                    false
                }
            };
            if let Err(refusal) = throttled(state, c, &subject, address, check).await? {
                return Ok(refusal);
            }
            let client = client.ok_or_else(ApiError::internal)?;
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
/// `grant_type: client_credentials`. Repeated failures for one name from one address are
/// delayed, longer each time (429 with `Retry-After`); a name without an account is
/// answered exactly like one with an account.
#[utoipa::path(operation_id = "createToken",
    tag = "auth", request_body = TokenRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Wrong name or secret, or a disabled account"),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many failed logins for this name from this address, or too many token \
requests from this address")))]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<TokenRequest>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_login(&state, &req)?;
    crate::writers::check("createToken", None, &body)?;
    let address = crate::ratelimit::client_address(&state, &req);
    let t = match &body.value {
        TokenRequest::Password { username, password } => {
            password_grant(&state, &address, username, password).await?
        }
        TokenRequest::ClientCredentials {
            client_id,
            client_secret,
        } => client_grant(&state, &address, client_id, client_secret).await?,
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
#[utoipa::path(operation_id = "logOut",
    tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Revoked (also when the token was unknown)")))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("logOut", None, &body)?;
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
    let hash = hash_password(&b.new_password)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let keep = auth.session.ok_or_else(ApiError::internal)?;
    let address = crate::ratelimit::client_address(&state, &req);
    let subject = login_throttle::user_subject(&user.username);
    // A wrong current password counts as a failed login of the account from this address.
    let done = conn
        .transaction::<_, ApiError, _>(async |c| {
            let check = || verify_password(&b.current_password, &user.password_hash);
            match throttled(&state, c, &subject, &address, check).await? {
                Err(LoginOutcome::Locked(s)) => return Ok(Err(locked(s))),
                Err(_) => {
                    return Ok(Err(ApiError::field(
                        "/current_password",
                        "password.incorrect",
                        "this is not the account's password",
                    )));
                }
                Ok(()) => {}
            }
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
                .await?;
            Ok(Ok(()))
        })
        .await?;
    done?;
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
    #[schema(pattern = "^1[3-9][0-9]{9}$")]
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
            role: Role::Applicant,
            org: None,
            org_path: None,
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
