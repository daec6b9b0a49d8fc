//! Machine clients of other municipal systems.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{ClientId, OrganizationId};
use zhengwu_persistence::DbError;
use zhengwu_persistence::clients::{self, Client};
use zhengwu_persistence::orgs;

use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::auth::{hash_password, random_token};
use crate::error::{ApiError, OrIfAbsent};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

const MANAGERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin];

/// A new machine client, parsed.
#[derive(Debug, Clone)]
pub struct CreateClient {
    pub client_id: String,
    pub name: String,
    /// A working role (checked).
    pub role: Role,
    pub organization: OrganizationId,
}

/// A client just created, with its secret in clear, shown this once.
pub struct NewClient {
    pub client: Client,
    pub secret: String,
}

/// A client as the audit log records it (never its secret).
#[derive(Serialize)]
struct ClientRecord<'a> {
    id: Uuid,
    client_id: &'a str,
    name: &'a str,
    role: Role,
    organization_id: Uuid,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> From<&'a Client> for ClientRecord<'a> {
    fn from(c: &'a Client) -> Self {
        Self {
            id: c.id,
            client_id: &c.client_id,
            name: &c.name,
            role: c.role,
            organization_id: c.organization_id,
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// 403 unless the actor manages machine clients.
pub fn may_manage(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(MANAGERS)?)
}

/// The clients of organisations in the actor's scope.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<Client>> {
    may_manage(actor)?;
    let mut conn = app.conn().await?;
    Ok(clients::list(&mut conn, &actor.scope(), after, limit).await?)
}

/// Registers a client; `present` gives the body of the answer (with the secret).
pub async fn create<B: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: CreateClient,
    present: impl FnOnce(NewClient) -> B + Send,
) -> AppResult<Created> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let org = crate::app::orgs::visible(c, actor, cmd.organization, false)
            .await
            .or_if_absent(|| {
                ApiError::field(
                    "/organization_id",
                    Code::ReferenceNotFound,
                    "no such organisation in your scope",
                )
            })?;
        let secret = random_token();
        let id = ClientId(Uuid::now_v7());
        let new = clients::NewClient {
            id: id.0,
            client_id: cmd.client_id,
            secret_hash: hash_password(&secret)?,
            name: cmd.name,
            role: cmd.role,
            organization_id: org.id,
        };
        let client = clients::insert(c, new).await?;
        let after = ClientRecord::from(&client);
        audit
            .record(
                c,
                "client.create",
                "client",
                id.0,
                Some(&org.path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        let body = present(NewClient { client, secret });
        idem.finish(c, &body, format!("/api/v1/clients/{id}")).await
    })
    .await
}

/// Enables or disables a client of the actor's scope.
pub async fn set_active(
    app: &AppState,
    actor: &Actor,
    id: ClientId,
    expect: &IfMatch,
    active: bool,
) -> AppResult<Client> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = match clients::get(c, id).await {
                Ok(cl) => cl,
                Err(DbError::NotFound) => return Err(ApiError::not_found("client")),
                Err(e) => return Err(e.into()),
            };
            let org = orgs::get(c, current.organization_id).await?;
            if !actor.sees(&org.path) {
                return Err(ApiError::not_found("client"));
            }
            expect.check(current.version)?;
            let saved = clients::set_active(c, id, active).await?;
            let (before, after) = (ClientRecord::from(&current), ClientRecord::from(&saved));
            audit
                .record(
                    c,
                    "client.update",
                    "client",
                    id.0,
                    Some(&org.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(saved)
        })
        .await?;
    app.principals.forget_all();
    Ok(saved)
}
