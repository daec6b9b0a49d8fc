//! Authentication: tokens, refresh, logout, the caller, password change and registration.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::{ActorKind, ApplicantType, LegalPersonKind, LoginThrottle, Role};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{ClientId, UserId};
use zhengwu_persistence::clients::Client;
use zhengwu_persistence::users::User;
use zhengwu_persistence::{Conn, clients, login_throttle, orgs, tokens, users};

use crate::app::users::AccountRecord;
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::auth::{
    SubjectKind, dummy_hash, hash_password, random_token, token_hash, verify_password,
};
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// A request for tokens.
pub enum Grant {
    Password { username: String, password: String },
    ClientCredentials { client_id: String, secret: String },
}

/// Tokens given out: an access token and, for people, a refresh token.
pub struct Tokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: Option<String>,
}

/// The caller behind an access token.
pub enum Me {
    User(User),
    Client(Client),
}

/// The caller with the name of their organisation.
pub struct MeView {
    pub me: Me,
    pub organization_name: Option<String>,
}

/// A change of one's own password, parsed (the new one checked and different).
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// A self-registration, parsed.
pub struct Registration {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// What a password change records.
#[derive(Serialize)]
struct PasswordChanged {
    other_logins_ended: bool,
    kept_login: Uuid,
}

enum Refusal {
    Invalid,
    Locked(u64),
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("the name or the secret is wrong, or the account is disabled")
        .with_code(Code::AuthInvalidCredentials)
}

fn locked(seconds: u64) -> ApiError {
    ApiError::too_many_requests(
        Code::AuthTooManyFailures,
        seconds,
        "too many failed logins for this name from this address; try again later",
    )
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Invalid => invalid_credentials(),
            Refusal::Locked(s) => locked(s),
        }
    }
}

fn invalid_refresh(why: &str) -> ApiError {
    ApiError::unauthorized(why).with_code(Code::AuthInvalidRefreshToken)
}

/// One attempt at a secret, counted against `(subject, address)` inside the caller's
/// transaction: a blocked pair is refused without looking at the secret; `check` tells
/// whether the secret is right (and the account usable); a failure may start a block.
async fn throttled(
    app: &AppState,
    c: &mut Conn,
    subject: &str,
    address: &str,
    check: impl FnOnce() -> bool,
) -> AppResult<Result<(), Refusal>> {
    let now = app.clock.now();
    let rec = login_throttle::lock(c, subject, address).await?;
    let blocked = rec.blocked_until.map(|u| (u - now).num_seconds());
    if let Some(s) = blocked.filter(|s| *s > 0) {
        return Ok(Err(Refusal::Locked(s as u64)));
    }
    if check() {
        if rec.failures > 0 {
            login_throttle::clear(c, subject, address).await?;
        }
        return Ok(Ok(()));
    }
    let throttle = LoginThrottle {
        free: u32::try_from(app.config.login_max_failures).unwrap_or(1),
        cap_seconds: i64::try_from(app.config.login_lock.as_secs()).unwrap_or(900),
    };
    let failures = u32::try_from(rec.failures).unwrap_or(0);
    let remembered = LoginThrottle::remembered(failures, rec.last_failure_at, now);
    let after = throttle.after_failure(remembered);
    let blocked_until = after
        .block_seconds
        .map(|s| now + chrono::Duration::seconds(s));
    let failures = i32::try_from(after.failures).unwrap_or(i32::MAX);
    login_throttle::record_failure(c, subject, address, failures, blocked_until, now).await?;
    Ok(Err(match after.block_seconds {
        Some(s) => Refusal::Locked(s.unsigned_abs()),
        None => Refusal::Invalid,
    }))
}

/// Issues an access token and a refresh token in login `family`.
async fn issue_pair(app: &AppState, c: &mut Conn, user: &User, family: Uuid) -> AppResult<Tokens> {
    let now = app.clock.now();
    let access_token = app.jwt.issue(
        now,
        SubjectKind::User,
        user.id,
        user.role,
        user.organization_id,
        Some(family),
    )?;
    let refresh_token = random_token();
    let ttl = chrono::Duration::from_std(app.config.refresh_token_ttl)
        .unwrap_or(chrono::Duration::days(30));
    let hash = token_hash(&refresh_token);
    tokens::insert(c, &hash, family, user.id, now + ttl).await?;
    Ok(Tokens {
        access_token,
        expires_in: app.jwt.ttl_seconds(),
        refresh_token: Some(refresh_token),
    })
}

/// A secret checked against a stored hash; a missing account costs the same hash.
fn secret_ok(secret: &str, stored: Option<(&str, bool)>) -> bool {
    match stored {
        Some((hash, active)) => verify_password(secret, hash) && active,
        None => {
            verify_password(secret, dummy_hash());
            false
        }
    }
}

async fn password_grant(
    app: &AppState,
    address: &str,
    username: &str,
    password: &str,
) -> AppResult<Tokens> {
    let subject = login_throttle::user_subject(username);
    let mut conn = app.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let user = users::find_by_username(c, username).await?;
            let stored = user.as_ref().map(|u| (u.password_hash.as_str(), u.active));
            let check = || secret_ok(password, stored);
            if let Err(refusal) = throttled(app, c, &subject, address, check).await? {
                return Ok(Err(refusal));
            }
            let user = user.ok_or_else(ApiError::internal)?;
            Ok(Ok(issue_pair(app, c, &user, Uuid::now_v7()).await?))
        })
        .await?;
    Ok(outcome?)
}

async fn client_grant(
    app: &AppState,
    address: &str,
    client_id: &str,
    secret: &str,
) -> AppResult<Tokens> {
    let subject = login_throttle::client_subject(client_id);
    let mut conn = app.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let client = clients::find_by_client_id(c, client_id).await?;
            let stored = client.as_ref().map(|k| (k.secret_hash.as_str(), k.active));
            let check = || secret_ok(secret, stored);
            if let Err(refusal) = throttled(app, c, &subject, address, check).await? {
                return Ok(Err(refusal));
            }
            let client = client.ok_or_else(ApiError::internal)?;
            let access_token = app.jwt.issue(
                app.clock.now(),
                SubjectKind::Client,
                client.id,
                client.role,
                Some(client.organization_id),
                None,
            )?;
            Ok(Ok(Tokens {
                access_token,
                expires_in: app.jwt.ttl_seconds(),
                refresh_token: None,
            }))
        })
        .await?;
    Ok(outcome?)
}

/// Tokens for a person's password or a machine client's credentials, from `address`.
pub async fn token(app: &AppState, address: &str, grant: &Grant) -> AppResult<Tokens> {
    match grant {
        Grant::Password { username, password } => {
            password_grant(app, address, username, password).await
        }
        Grant::ClientCredentials { client_id, secret } => {
            client_grant(app, address, client_id, secret).await
        }
    }
}

enum RefreshOutcome {
    Ok(Tokens),
    Refused(&'static str),
    /// Refused, and the login ended (its access tokens with it).
    Revoked(&'static str),
}

async fn rotate(app: &AppState, c: &mut Conn, hash: &[u8]) -> AppResult<RefreshOutcome> {
    let now = app.clock.now();
    let Some(t) = tokens::find_for_update(c, hash).await? else {
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
        issue_pair(app, c, &user, t.family_id).await?,
    ))
}

/// A new pair for a refresh token, which is used up; a used one ends its whole login.
pub async fn refresh(app: &AppState, refresh_token: &str) -> AppResult<Tokens> {
    let hash = token_hash(refresh_token);
    let mut conn = app.conn().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| rotate(app, c, &hash).await)
        .await?;
    match outcome {
        RefreshOutcome::Ok(t) => Ok(t),
        RefreshOutcome::Refused(why) => Err(invalid_refresh(why)),
        RefreshOutcome::Revoked(why) => {
            app.principals.forget_all();
            Err(invalid_refresh(why))
        }
    }
}

/// Ends the login of a refresh token (nothing when it is unknown).
pub async fn logout(app: &AppState, refresh_token: &str) -> AppResult<()> {
    let hash = token_hash(refresh_token);
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(t) = tokens::find_for_update(c, &hash).await? {
            tokens::revoke_family(c, t.family_id, now).await?;
        }
        Ok(())
    })
    .await?;
    app.principals.forget_all();
    Ok(())
}

/// The account or client behind the actor.
pub async fn me(app: &AppState, actor: &Actor) -> AppResult<MeView> {
    let id = actor.id.ok_or_else(ApiError::internal)?;
    let mut conn = app.conn().await?;
    let organization_name = match actor.org {
        Some(o) => Some(orgs::get(&mut conn, o.0).await?.name),
        None => None,
    };
    let me = match actor.kind {
        ActorKind::Client => Me::Client(clients::get(&mut conn, ClientId(id)).await?),
        _ => Me::User(users::get(&mut conn, id).await?),
    };
    Ok(MeView {
        me,
        organization_name,
    })
}

/// 403 unless the actor is a person (machine clients have their secret reset).
pub fn may_change_password(actor: &Actor) -> AppResult<()> {
    if actor.kind == ActorKind::User {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "machine clients have their secret reset by an administrator",
        ))
    }
}

/// Changes the actor's own password; every other login of the account ends, `session`
/// goes on. A wrong current password counts as a failed login from `address`.
pub async fn change_password(
    app: &AppState,
    actor: &Actor,
    session: Option<Uuid>,
    address: &str,
    cmd: PasswordChange,
) -> AppResult<()> {
    may_change_password(actor)?;
    let id = actor.user().ok_or_else(ApiError::internal)?;
    let mut conn = app.conn().await?;
    let user = users::get(&mut conn, id.0).await?;
    let hash = hash_password(&cmd.new)?;
    let audit = AuditCtx::new(app, actor.clone());
    let keep = session.ok_or_else(ApiError::internal)?;
    let subject = login_throttle::user_subject(&user.username);
    conn.transaction::<_, ApiError, _>(async |c| {
        let check = || verify_password(&cmd.current, &user.password_hash);
        match throttled(app, c, &subject, address, check).await? {
            // The failure counts: answer after the transaction commits.
            Err(Refusal::Locked(s)) => return Ok(Err(locked(s))),
            Err(Refusal::Invalid) => return Ok(Err(wrong_password())),
            Ok(()) => {}
        }
        users::get_for_update(c, id).await?;
        users::set_password(c, id, &hash).await?;
        tokens::revoke_user_except(c, id, keep, audit.at).await?;
        let after = PasswordChanged {
            other_logins_ended: true,
            kept_login: keep,
        };
        let path = actor.org_path.as_ref();
        audit
            .record(
                c,
                "user.change_password",
                "user",
                id.0,
                path,
                None::<&()>,
                Some(&after),
            )
            .await?;
        Ok(Ok(()))
    })
    .await??;
    app.principals.forget_all();
    Ok(())
}

fn wrong_password() -> ApiError {
    ApiError::field(
        "/current_password",
        Code::PasswordIncorrect,
        "this is not the account's password",
    )
}

/// Registers an applicant; `present` gives the body of the answer.
pub async fn register<B: Serialize + Send + Sync>(
    app: &AppState,
    idem: &Idem,
    cmd: Registration,
    present: impl FnOnce(User) -> B + Send,
) -> AppResult<Created> {
    let password_hash = hash_password(&cmd.password)?;
    let id = UserId(Uuid::now_v7());
    let actor = Actor {
        id: Some(id.0),
        kind: ActorKind::User,
        role: Role::Applicant,
        org: None,
        org_path: None,
    };
    let audit = AuditCtx::new(app, actor);
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let new = users::NewUser {
            id: id.0,
            username: cmd.username,
            password_hash,
            display_name: cmd.display_name,
            role: Role::Applicant,
            organization_id: None,
            applicant_type: Some(cmd.applicant_type),
            legal_person_kind: cmd.legal_person_kind,
            phone: cmd.phone,
            email: cmd.email,
        };
        let user = users::insert(c, new).await?;
        let after = AccountRecord::from(&user);
        audit
            .record(
                c,
                "user.register",
                "user",
                id.0,
                None,
                None::<&()>,
                Some(&after),
            )
            .await?;
        idem.finish(c, &present(user), format!("/api/v1/users/{id}"))
            .await
    })
    .await
}
