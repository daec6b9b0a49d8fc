//! Staff accounts, managed by administrators inside their subtree.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::{
    self, AccountChange, ApplicantType, GrantRefusal, LegalPersonKind, Role,
};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{OrganizationId, UserId};
use zhengwu_persistence::orgs::Organization;
use zhengwu_persistence::users::{self, User};
use zhengwu_persistence::{Conn, DbError, login_throttle, orgs, tokens};

use crate::app::{Actor, AppResult, Scope};
use crate::audit_ctx::AuditCtx;
use crate::auth::hash_password;
use crate::error::{ApiError, AtField, OrIfAbsent};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

const MANAGERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin];
const READERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];

/// The filters of the listing.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub organization: Option<OrganizationId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of the username or display name, trimmed, never empty.
    pub q: Option<String>,
    pub after: Option<Uuid>,
    /// Rows to read.
    pub limit: i64,
}

/// A new staff account, parsed (the password checked, not yet hashed).
#[derive(Debug, Clone)]
pub struct CreateAccount {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub organization: OrganizationId,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A change of an account, parsed: absent stays, `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct ChangeAccount {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub organization: Option<OrganizationId>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
    /// A new password (checked), which also unlocks the account.
    pub password: Option<String>,
}

/// An account as the audit log records it (never the password hash).
#[derive(Serialize)]
pub(crate) struct AccountRecord<'a> {
    id: Uuid,
    username: &'a str,
    display_name: &'a str,
    role: Role,
    organization_id: Option<Uuid>,
    applicant_type: Option<ApplicantType>,
    legal_person_kind: Option<LegalPersonKind>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> From<&'a User> for AccountRecord<'a> {
    fn from(u: &'a User) -> Self {
        Self {
            id: u.id,
            username: &u.username,
            display_name: &u.display_name,
            role: u.role,
            organization_id: u.organization_id,
            applicant_type: u.applicant_type,
            legal_person_kind: u.legal_person_kind,
            phone: u.phone.as_deref(),
            email: u.email.as_deref(),
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

impl From<GrantRefusal> for ApiError {
    fn from(r: GrantRefusal) -> Self {
        match r {
            GrantRefusal::NotStaff(v) => ApiError::field("/role", v.code, v.message),
            GrantRefusal::Forbidden(f) => f.into(),
        }
    }
}

/// 403 unless the actor manages accounts.
pub fn may_manage(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(MANAGERS)?)
}

/// 403 unless the actor may list accounts.
pub fn may_list(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(READERS)?)
}

/// The account, if the actor may manage it (`manage`, locked) or read it: their own, or one
/// in their scope (404 outside it, 403 for a role that may not).
async fn visible(conn: &mut Conn, actor: &Actor, id: UserId, manage: bool) -> AppResult<User> {
    let found = if manage {
        users::get_for_update(conn, id).await
    } else {
        users::get(conn, id.0).await
    };
    let user = match found {
        Ok(u) => u,
        Err(DbError::NotFound) => return Err(ApiError::not_found("user")),
        Err(e) => return Err(e.into()),
    };
    if actor.user() == Some(id) && !manage {
        return Ok(user);
    }
    let in_scope = match (actor.scope(), user.organization_id) {
        (Scope::All, _) => true,
        (Scope::Subtree(p), Some(org)) => p.contains(&orgs::get(conn, org).await?.path),
        _ => false,
    };
    if !in_scope {
        return Err(ApiError::not_found("user"));
    }
    actor.require(if manage { MANAGERS } else { READERS })?;
    Ok(user)
}

/// The organisation an account is to belong to, if the actor may place people there.
async fn target_org(conn: &mut Conn, actor: &Actor, id: OrganizationId) -> AppResult<Organization> {
    let found = crate::app::orgs::visible(conn, actor, id, false).await;
    found.or_if_absent(|| {
        ApiError::field(
            "/organization_id",
            Code::ReferenceNotFound,
            "no such organisation in your scope",
        )
    })
}

/// The accounts in the actor's scope.
pub async fn list(app: &AppState, actor: &Actor, q: UserQuery) -> AppResult<Vec<User>> {
    may_list(actor)?;
    let scope = actor.scope();
    if scope == Scope::Nothing {
        return Err(ApiError::forbidden("no organisation scope"));
    }
    let filter = users::Filter {
        scope,
        organization_id: q.organization,
        role: q.role,
        active: q.active,
        q: q.q,
        after_id: q.after,
        limit: q.limit,
    };
    let mut conn = app.conn().await?;
    Ok(users::list(&mut conn, &filter).await?)
}

/// One account.
pub async fn get(app: &AppState, actor: &Actor, id: UserId) -> AppResult<User> {
    let mut conn = app.conn().await?;
    visible(&mut conn, actor, id, false).await
}

/// Creates a staff account; `present` gives the body of the answer.
pub async fn create<B: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: CreateAccount,
    present: impl FnOnce(User) -> B + Send,
) -> AppResult<Created> {
    may_manage(actor)?;
    account::check_grant(actor.role, cmd.role)?;
    let password_hash = hash_password(&cmd.password)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let org = target_org(c, actor, cmd.organization).await?;
        let id = UserId(Uuid::now_v7());
        let new = users::NewUser {
            id: id.0,
            username: cmd.username,
            password_hash,
            display_name: cmd.display_name,
            role: cmd.role,
            organization_id: Some(org.id),
            applicant_type: None,
            legal_person_kind: None,
            phone: cmd.phone,
            email: cmd.email,
        };
        let user = users::insert(c, new).await?;
        let after = AccountRecord::from(&user);
        audit
            .record(
                c,
                "user.create",
                "user",
                id.0,
                Some(&org.path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        idem.finish(c, &present(user), format!("/api/v1/users/{id}"))
            .await
    })
    .await
}

/// The organisation of the account after the change.
async fn membership(
    c: &mut Conn,
    actor: &Actor,
    current: &User,
    asked: Option<OrganizationId>,
    role: Role,
) -> AppResult<Option<Organization>> {
    let org = match (asked, current.organization_id) {
        (Some(o), _) => Some(target_org(c, actor, o).await?),
        (None, Some(o)) => Some(orgs::get(c, o).await?),
        (None, None) => None,
    };
    account::check_membership(role, org.is_some()).at("/organization_id")?;
    Ok(org)
}

/// Sets a new password: it works at once from wherever the owner failed before.
async fn reset_password(c: &mut Conn, user: &User, hash: &str) -> AppResult<User> {
    let id = UserId(user.id);
    users::set_password(c, id, hash).await?;
    let subject = login_throttle::user_subject(&user.username);
    login_throttle::clear_subject(c, &subject).await?;
    Ok(users::get(c, id.0).await?)
}

/// Changes an account: its fields, role, organisation, state or password.
pub async fn change(
    app: &AppState,
    actor: &Actor,
    id: UserId,
    expect: &IfMatch,
    cmd: ChangeAccount,
) -> AppResult<User> {
    let new_hash = cmd.password.as_deref().map(hash_password).transpose()?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = visible(c, actor, id, true).await?;
            expect.check(current.version)?;
            let rules = AccountChange {
                actor: actor.role,
                by_self: actor.id == Some(id.0),
                current: current.role,
                role: cmd.role,
                deactivates: cmd.active == Some(false),
            };
            rules.check()?;
            let role = rules.new_role();
            let org = membership(c, actor, &current, cmd.organization, role).await?;
            let active = cmd.active.unwrap_or(current.active);
            let changes = users::Changes {
                display_name: cmd.display_name.unwrap_or(current.display_name.clone()),
                role: role.as_str().to_owned(),
                organization_id: org.as_ref().map(|o| o.id),
                phone: cmd.phone.unwrap_or(current.phone.clone()),
                email: cmd.email.unwrap_or(current.email.clone()),
                active,
            };
            let mut saved = users::update(c, id, &changes).await?;
            if let Some(h) = &new_hash {
                saved = reset_password(c, &current, h).await?;
            }
            if !active || new_hash.is_some() {
                tokens::revoke_user(c, id, audit.at).await?;
            }
            let action = if new_hash.is_some() {
                "user.update_with_password"
            } else {
                "user.update"
            };
            let (before, after) = (AccountRecord::from(&current), AccountRecord::from(&saved));
            let path = org.as_ref().map(|o| &o.path);
            audit
                .record(c, action, "user", id.0, path, Some(&before), Some(&after))
                .await?;
            Ok(saved)
        })
        .await?;
    // The role, the organisation, the account's state and its logins take effect at once.
    app.principals.forget_all();
    Ok(saved)
}
