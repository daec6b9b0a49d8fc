//! Accounts: staff and applicants.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind, Role};
use zhengwu_domain::ids::{OrganizationId, UserId};
use zhengwu_domain::org::OrgPath;

use crate::db::{Conn, DbError};
use crate::orgs::escape_like;
use crate::schema::users;
use crate::scope::{Scope, org_ids};
use crate::{parse_col, parse_opt_col};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct Row {
    id: Uuid,
    username: String,
    password_hash: String,
    display_name: String,
    role: String,
    organization_id: Option<Uuid>,
    applicant_type: Option<String>,
    legal_person_kind: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A user account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub applicant_type: Option<ApplicantType>,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for User {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.id,
            username: r.username,
            password_hash: r.password_hash,
            display_name: r.display_name,
            role: parse_col(&r.role, Role::parse)?,
            organization_id: r.organization_id,
            applicant_type: parse_opt_col(r.applicant_type.as_deref(), ApplicantType::parse)?,
            legal_person_kind: parse_opt_col(
                r.legal_person_kind.as_deref(),
                LegalPersonKind::parse,
            )?,
            phone: r.phone,
            email: r.email,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub applicant_type: Option<ApplicantType>,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub async fn insert(conn: &mut Conn, u: NewUser) -> Result<User, DbError> {
    let row: Row = diesel::insert_into(users::table)
        .values((
            users::id.eq(u.id),
            users::username.eq(&u.username),
            users::password_hash.eq(&u.password_hash),
            users::display_name.eq(&u.display_name),
            users::role.eq(u.role.as_str()),
            users::organization_id.eq(u.organization_id),
            users::applicant_type.eq(u.applicant_type.map(|t| t.as_str())),
            users::legal_person_kind.eq(u.legal_person_kind.map(|t| t.as_str())),
            users::phone.eq(&u.phone),
            users::email.eq(&u.email),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn get(conn: &mut Conn, id: Uuid) -> Result<User, DbError> {
    let row: Row = users::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn get_for_update(conn: &mut Conn, id: UserId) -> Result<User, DbError> {
    let row: Row = users::table
        .find(id.0)
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .await?;
    row.try_into()
}

/// Finds an account by login name, case-insensitively.
pub async fn find_by_username(conn: &mut Conn, username: &str) -> Result<Option<User>, DbError> {
    let row: Option<Row> = users::table
        .filter(crate::lower(users::username).eq(username.to_lowercase()))
        .select(Row::as_select())
        .first(conn)
        .await
        .optional()?;
    row.map(TryInto::try_into).transpose()
}

#[derive(Debug, Clone)]
pub struct Filter {
    /// Staff of organisations inside this scope only (applicants are outside every subtree).
    pub scope: Scope,
    pub organization_id: Option<OrganizationId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub q: Option<String>,
    pub after_id: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &Filter) -> Result<Vec<User>, DbError> {
    let mut q = users::table
        .select(Row::as_select())
        .order(users::id.asc())
        .limit(f.limit)
        .into_boxed();
    if let Some(inside) = org_ids(&f.scope) {
        q = q.filter(users::organization_id.eq_any(inside.nullable()));
    }
    if let Some(o) = f.organization_id {
        q = q.filter(users::organization_id.eq(o.0));
    }
    if let Some(r) = f.role {
        q = q.filter(users::role.eq(r.as_str()));
    }
    if let Some(a) = f.active {
        q = q.filter(users::active.eq(a));
    }
    if let Some(text) = &f.q {
        let pattern = format!("%{}%", escape_like(text));
        q = q.filter(
            users::username
                .ilike(pattern.clone())
                .or(users::display_name.like(pattern)),
        );
    }
    if let Some(a) = f.after_id {
        q = q.filter(users::id.gt(a));
    }
    let rows: Vec<Row> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The editable fields of an account.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct Changes {
    pub display_name: String,
    pub role: String,
    pub organization_id: Option<Uuid>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
}

pub async fn update(conn: &mut Conn, id: UserId, c: &Changes) -> Result<User, DbError> {
    let row: Row = diesel::update(users::table.find(id.0))
        .set((
            c,
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

/// Replaces the password hash.
pub async fn set_password(conn: &mut Conn, id: UserId, hash: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(id.0))
        .set((
            users::password_hash.eq(hash),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The display names of the given users.
pub async fn names(
    conn: &mut Conn,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DbError> {
    let rows: Vec<(Uuid, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// What an access token of a person stands for now: read on each request (see the API's
/// principal cache), so that deactivation, a move, a role change or the end of the login
/// takes effect at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub active: bool,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub org_path: Option<OrgPath>,
    /// Whether the login (`session`) is still open: it exists and none of its refresh
    /// tokens has been revoked (logout, reuse of a rotated token, password change or
    /// reset, deactivation).
    pub session_open: bool,
}

/// The standing of account `id` in login `session`; `None` when there is no such account.
pub async fn standing(
    conn: &mut Conn,
    id: Uuid,
    session: Uuid,
) -> Result<Option<Standing>, DbError> {
    use crate::schema::{organizations, refresh_tokens};
    let row: Option<(bool, String, Option<Uuid>, Option<String>)> = users::table
        .left_join(organizations::table.on(organizations::id.nullable().eq(users::organization_id)))
        .filter(users::id.eq(id))
        .select((
            users::active,
            users::role,
            users::organization_id,
            organizations::path.nullable(),
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((active, role, organization_id, path)) = row else {
        return Ok(None);
    };
    let (tokens, revoked): (i64, i64) = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(session))
        .filter(refresh_tokens::user_id.eq(id))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::count(refresh_tokens::revoked_at),
        ))
        .first(conn)
        .await?;
    Ok(Some(Standing {
        active,
        role: parse_col(&role, Role::parse)?,
        organization_id,
        org_path: path.map(OrgPath::from_stored),
        session_open: tokens > 0 && revoked == 0,
    }))
}
