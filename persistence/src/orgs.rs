//! Organisations and the tree they form.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::{OrgKind, OrgLevel, OrgPath};

use crate::db::{Conn, DbError};
use crate::parse_col;
use crate::schema::organizations;
use crate::scope::{Scope, path_pattern};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = organizations)]
struct Row {
    id: Uuid,
    parent_id: Option<Uuid>,
    path: String,
    kind: String,
    level: String,
    name: String,
    short_name: Option<String>,
    division_code: Option<String>,
    credit_code: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    office_hours: Option<String>,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: OrgPath,
    pub kind: OrgKind,
    pub level: OrgLevel,
    pub name: String,
    pub short_name: Option<String>,
    pub division_code: Option<String>,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_hours: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Organization {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.id,
            parent_id: r.parent_id,
            path: OrgPath::from_stored(r.path),
            kind: parse_col(&r.kind, OrgKind::parse)?,
            level: parse_col(&r.level, OrgLevel::parse)?,
            name: r.name,
            short_name: r.short_name,
            division_code: r.division_code,
            credit_code: r.credit_code,
            address: r.address,
            phone: r.phone,
            office_hours: r.office_hours,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The editable fields of an organisation.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct Fields {
    pub name: String,
    pub short_name: Option<String>,
    pub division_code: Option<String>,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_hours: Option<String>,
    pub active: bool,
}

pub struct NewOrganization {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: OrgPath,
    pub kind: OrgKind,
    pub level: OrgLevel,
    pub fields: Fields,
}

pub async fn insert(conn: &mut Conn, o: NewOrganization) -> Result<Organization, DbError> {
    let row: Row = diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(o.id),
            organizations::parent_id.eq(o.parent_id),
            organizations::path.eq(o.path.as_str()),
            organizations::kind.eq(o.kind.as_str()),
            organizations::level.eq(o.level.as_str()),
            &o.fields,
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn get(conn: &mut Conn, id: Uuid) -> Result<Organization, DbError> {
    let row: Row = organizations::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

/// The organisation a case belongs to, and the path of the hall whose window took the case
/// in (if any): what deciding who may see the case needs. Takes a shared connection, so
/// that it can be sent together with the case's own read (one round trip).
pub async fn of_case(
    mut conn: &Conn,
    case: Uuid,
) -> Result<(Organization, Option<OrgPath>), DbError> {
    #[derive(QueryableByName)]
    struct Placed {
        #[diesel(embed)]
        org: Row,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        hall_path: Option<String>,
    }
    let placed: Placed = crate::sql::prepared(
        "SELECT o.id, o.parent_id, o.path, o.kind, o.level, o.name, o.short_name,
                o.division_code, o.credit_code, o.address, o.phone, o.office_hours, o.active,
                o.version, o.created_at, o.updated_at,
                (SELECT h.path FROM windows w JOIN organizations h ON h.id = w.hall_id
                  WHERE w.id = c.window_id) AS hall_path
           FROM cases c JOIN organizations o ON o.id = c.organization_id
          WHERE c.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(case)
    .get_result(&mut conn)
    .await?;
    Ok((
        placed.org.try_into()?,
        placed.hall_path.map(OrgPath::from_stored),
    ))
}

/// The path of an organisation, if it exists. Takes a shared connection, so that it can be
/// sent together with other statements (one round trip).
pub async fn path_of(mut conn: &Conn, id: Uuid) -> Result<Option<OrgPath>, DbError> {
    let path: Option<String> = organizations::table
        .find(id)
        .select(organizations::path)
        .first(&mut conn)
        .await
        .optional()?;
    Ok(path.map(OrgPath::from_stored))
}

/// Reads and locks the row for an update in this transaction.
pub async fn get_for_update(conn: &mut Conn, id: OrganizationId) -> Result<Organization, DbError> {
    let row: Row = organizations::table
        .find(id.0)
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn get_many(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Organization>, DbError> {
    let rows: Vec<Row> = organizations::table
        .filter(organizations::id.eq_any(ids))
        .select(Row::as_select())
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Filters of the organisation listing.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Only organisations inside this scope (the caller's).
    pub scope: Scope,
    pub parent_id: Option<OrganizationId>,
    pub kind: Option<OrgKind>,
    pub level: Option<OrgLevel>,
    /// Part of the name.
    pub q: Option<String>,
    pub after_id: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &Filter) -> Result<Vec<Organization>, DbError> {
    let mut q = organizations::table
        .select(Row::as_select())
        .order(organizations::id.asc())
        .limit(f.limit)
        .into_boxed();
    if let Some(pattern) = path_pattern(&f.scope) {
        q = q.filter(organizations::path.like(pattern));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(organizations::parent_id.eq(p.0));
    }
    if let Some(k) = f.kind {
        q = q.filter(organizations::kind.eq(k.as_str()));
    }
    if let Some(l) = f.level {
        q = q.filter(organizations::level.eq(l.as_str()));
    }
    if let Some(text) = &f.q {
        q = q.filter(organizations::name.like(format!("%{}%", escape_like(text))));
    }
    if let Some(a) = f.after_id {
        q = q.filter(organizations::id.gt(a));
    }
    let rows: Vec<Row> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The ids of the organisations at `path` and below it, as a subquery for `eq_any`.
pub type IdsWithin = diesel::dsl::Select<
    diesel::dsl::Filter<organizations::table, diesel::dsl::Like<organizations::path, String>>,
    organizations::id,
>;

pub fn ids_within(path: &str) -> IdsWithin {
    organizations::table
        .filter(organizations::path.like(format!("{}%", escape_like(path))))
        .select(organizations::id)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub async fn count_children(conn: &mut Conn, id: OrganizationId) -> Result<i64, DbError> {
    Ok(organizations::table
        .filter(organizations::parent_id.eq(id.0))
        .count()
        .get_result(conn)
        .await?)
}

/// Saves the fields and bumps the version.
pub async fn update(
    conn: &mut Conn,
    id: OrganizationId,
    fields: &Fields,
) -> Result<Organization, DbError> {
    let row: Row = diesel::update(organizations::table.find(id.0))
        .set((
            fields,
            organizations::version.eq(organizations::version + 1),
            organizations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

/// Moves an organisation and its whole subtree under a new parent.
pub async fn move_subtree(
    conn: &mut Conn,
    id: OrganizationId,
    new_parent: OrganizationId,
    old_path: &OrgPath,
    new_path: &OrgPath,
) -> Result<(), DbError> {
    diesel::update(organizations::table.find(id.0))
        .set(organizations::parent_id.eq(new_parent.0))
        .execute(conn)
        .await?;
    crate::sql::prepared(
        "UPDATE organizations SET path = $1 || substr(path, length($2) + 1) \
         WHERE path LIKE $3",
    )
    .bind::<diesel::sql_types::Text, _>(new_path.as_str())
    .bind::<diesel::sql_types::Text, _>(old_path.as_str())
    .bind::<diesel::sql_types::Text, _>(format!("{}%", escape_like(old_path.as_str())))
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether an organisation with this unified social credit code exists.
pub async fn credit_code_exists(conn: &mut Conn, code: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        organizations::table.filter(organizations::credit_code.eq(code)),
    ))
    .get_result(conn)
    .await?)
}
