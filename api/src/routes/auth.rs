//! Tokens, refresh, logout, the current account and applicant registration.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{self, ApplicantType, LegalPersonKind, Role};
use zhengwu_domain::codes::Code;
use zhengwu_domain::validation::{self, Errors};

use crate::app::auth::{self as uc, Grant, Me, MeView, Registration, Tokens};
use crate::auth::Principal;
use crate::dto::UserDto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey};
use crate::idem::{Created, Idem};
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

impl From<TokenRequest> for Grant {
    fn from(t: TokenRequest) -> Self {
        match t {
            TokenRequest::Password { username, password } => Grant::Password { username, password },
            TokenRequest::ClientCredentials {
                client_id,
                client_secret,
            } => Grant::ClientCredentials {
                client_id,
                secret: client_secret,
            },
        }
    }
}

/// Tokens are never cached.
fn no_store(t: Tokens) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: t.access_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
        })
}

impl From<MeView> for MeResponse {
    fn from(v: MeView) -> Self {
        let organization_name = v.organization_name;
        match v.me {
            Me::User(u) => MeResponse {
                kind: "user",
                user: Some(u.into()),
                client: None,
                organization_name,
            },
            Me::Client(c) => MeResponse {
                kind: "client",
                user: None,
                client: Some(ClientIdentity {
                    id: c.id,
                    client_id: c.client_id,
                    name: c.name,
                    role: c.role,
                    organization_id: c.organization_id,
                }),
                organization_name,
            },
        }
    }
}

impl PasswordChange {
    /// The new password checked, and other than the current one.
    fn parse(self) -> ApiResult<uc::PasswordChange> {
        let mut e = Errors::new();
        e.check("new_password", account::password(&self.new_password));
        e.finish()?;
        if self.new_password == self.current_password {
            return Err(ApiError::field(
                "/new_password",
                Code::PasswordUnchanged,
                "choose a password other than the current one",
            ));
        }
        Ok(uc::PasswordChange {
            current: self.current_password,
            new: self.new_password,
        })
    }
}

impl RegisterRequest {
    /// Parses the body once, every error collected.
    fn parse(self) -> ApiResult<Registration> {
        let mut e = Errors::new();
        let username = e.check("username", account::username(&self.username));
        e.check("password", account::password(&self.password));
        let display_name = e.check("display_name", validation::text(&self.display_name, 100));
        let kind = e.check(
            "legal_person_kind",
            account::applicant_kind(self.applicant_type, self.legal_person_kind),
        );
        let phone = e.check_opt("phone", self.phone.as_deref(), validation::mobile);
        let email = e.check_opt("email", self.email.as_deref(), validation::email);
        e.finish()?;
        let (Some(username), Some(display_name), Some(kind)) = (username, display_name, kind)
        else {
            return Err(ApiError::internal());
        };
        Ok(Registration {
            username,
            password: self.password,
            display_name,
            applicant_type: self.applicant_type,
            legal_person_kind: kind,
            phone,
            email,
        })
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
    let t = uc::token(&state, &address, &body.into_inner_value().into()).await?;
    Ok(no_store(t))
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
    let t = uc::refresh(&state, &body.value.refresh_token).await?;
    Ok(no_store(t))
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
    uc::logout(&state, &body.value.refresh_token).await?;
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
    let me = uc::me(&state, &auth.actor()).await?;
    Ok(HttpResponse::Ok().json(MeResponse::from(me)))
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
    let actor = auth.actor();
    uc::may_change_password(&actor)?;
    crate::ratelimit::check_login(&state, &req)?;
    let cmd = body.into_inner_value().parse()?;
    let address = crate::ratelimit::client_address(&state, &req);
    uc::change_password(&state, &actor, auth.session, &address, cmd).await?;
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
    let idem = Idem::new(&req, "anonymous".into(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    uc::register(&state, &idem, cmd, UserDto::from)
        .await
        .map(Created::into_response)
}
