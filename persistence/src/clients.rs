//! Machine clients of other municipal systems (client-credentials grant).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::ids::ClientId;
use zhengwu_domain::org::OrgPath;

use crate::db::{Conn, DbError};
use crate::parse_col;
use crate::schema::api_clients;
use crate::scope::{Scope, org_ids};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
struct Row {
    id: Uuid,
    client_id: String,
    secret_hash: String,
    name: String,
    role: String,
    organization_id: Uuid,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: Uuid,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub role: Role,
    pub organization_id: Uuid,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Client {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.id,
            client_id: r.client_id,
            secret_hash: r.secret_hash,
            name: r.name,
            role: parse_col(&r.role, Role::parse)?,
            organization_id: r.organization_id,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub struct NewClient {
    pub id: Uuid,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub role: Role,
    pub organization_id: Uuid,
}

pub async fn insert(conn: &mut Conn, c: NewClient) -> Result<Client, DbError> {
    let row: Row = diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(c.id),
            api_clients::client_id.eq(&c.client_id),
            api_clients::secret_hash.eq(&c.secret_hash),
            api_clients::name.eq(&c.name),
            api_clients::role.eq(c.role.as_str()),
            api_clients::organization_id.eq(c.organization_id),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn get(conn: &mut Conn, id: ClientId) -> Result<Client, DbError> {
    let row: Row = api_clients::table
        .find(id.0)
        .select(Row::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn find_by_client_id(
    conn: &mut Conn,
    client_id: &str,
) -> Result<Option<Client>, DbError> {
    let row: Option<Row> = api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(Row::as_select())
        .first(conn)
        .await
        .optional()?;
    row.map(TryInto::try_into).transpose()
}

pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    after_id: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Client>, DbError> {
    let mut q = api_clients::table
        .select(Row::as_select())
        .order(api_clients::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(inside) = org_ids(scope) {
        q = q.filter(api_clients::organization_id.eq_any(inside));
    }
    if let Some(a) = after_id {
        q = q.filter(api_clients::id.gt(a));
    }
    let rows: Vec<Row> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn set_active(conn: &mut Conn, id: ClientId, active: bool) -> Result<Client, DbError> {
    let row: Row = diesel::update(api_clients::table.find(id.0))
        .set((
            api_clients::active.eq(active),
            api_clients::version.eq(api_clients::version + 1),
            api_clients::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

/// What an access token of a machine client stands for now (see `users::standing`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub active: bool,
    pub role: Role,
    pub organization_id: Uuid,
    pub org_path: OrgPath,
}

/// The standing of client `id`; `None` when there is no such client.
pub async fn standing(conn: &mut Conn, id: Uuid) -> Result<Option<Standing>, DbError> {
    use crate::schema::organizations;
    let row: Option<(bool, String, Uuid, String)> = api_clients::table
        .inner_join(organizations::table.on(organizations::id.eq(api_clients::organization_id)))
        .filter(api_clients::id.eq(id))
        .select((
            api_clients::active,
            api_clients::role,
            api_clients::organization_id,
            organizations::path,
        ))
        .first(conn)
        .await
        .optional()?;
    row.map(|(active, role, organization_id, path)| {
        Ok(Standing {
            active,
            role: parse_col(&role, Role::parse)?,
            organization_id,
            org_path: OrgPath::from_stored(path),
        })
    })
    .transpose()
}
