//! Machine clients of other municipal systems.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::{DbError, clients, orgs};

use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope, hash_password, random_token};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientDto {
    pub id: Uuid,
    #[schema(example = "provincial-platform")]
    pub client_id: String,
    #[schema(example = "省政务服务平台")]
    pub name: String,
    pub role: Role,
    pub organization_id: Uuid,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<clients::Client> for ClientDto {
    fn from(c: clients::Client) -> Self {
        Self {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            role: c.role,
            organization_id: c.organization_id,
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A new client with its secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedClient {
    #[serde(flatten)]
    pub client: ClientDto,
    /// Keep it: it is stored only as a hash and never shown again.
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "client_id": "hotline-12345", "name": "12345热线系统", "role": "hotline_operator",
    "organization_id": "01941f29-7c00-7001-8000-000000000001"
}))]
pub struct CreateClient {
    pub client_id: String,
    pub name: String,
    /// A working role: not an administrator's, nor an applicant's.
    #[schema(schema_with = client_role_schema)]
    pub role: Role,
    pub organization_id: Uuid,
}

/// The roles a machine client may have.
fn client_role_schema() -> utoipa::openapi::schema::Object {
    crate::openapi::string_enum(
        Role::ALL
            .iter()
            .filter(|r| client_role_allowed(**r))
            .map(|r| r.as_str()),
    )
}

fn client_role_allowed(role: Role) -> bool {
    !matches!(role, Role::SysAdmin | Role::OrgAdmin | Role::Applicant)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": true}))]
pub struct PatchClient {
    pub active: bool,
}

/// List machine clients in your scope (administrators).
#[utoipa::path(operation_id = "listClients",
    tag = "clients", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<ClientDto>)))]
#[get("/clients")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let within = match auth.scope() {
        Scope::Subtree(p) => Some(p),
        _ => None,
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let rows = clients::list(&mut conn, within.as_ref(), page.after_uuid()?, limit + 1).await?;
    Ok(page_response(
        &req,
        Page::from_rows(rows, limit, |c| c.id.to_string(), ClientDto::from),
    ))
}

/// Register a machine client of another system; the response carries its secret once.
#[utoipa::path(operation_id = "createClient",
    tag = "clients", security(("bearer" = [])), request_body = CreateClient,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = CreatedClient)))]
#[post("/clients")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateClient>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let b = &body.value;
    let mut e = Errors::new();
    let client_id = e.check("client_id", zhengwu_domain::account::username(&b.client_id));
    let name = e.check("name", validation::text(&b.name, 100));
    if !client_role_allowed(b.role) {
        e.push(
            "role",
            RuleViolation::new(
                "client.role",
                "a machine client has a working role, not an administrator's or an applicant's",
            ),
        );
    }
    e.finish()?;
    let (Some(client_id), Some(name)) = (client_id, name) else {
        return Err(ApiError::internal());
    };
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let org = match orgs::get(c, b.organization_id).await {
            Ok(o) if auth.sees(&o.path) => o,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/organization_id",
                    "reference.not_found",
                    "no such organisation in your scope",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let secret = random_token();
        let id = Uuid::now_v7();
        let client: ClientDto = clients::insert(
            c,
            clients::NewClient {
                id,
                client_id,
                secret_hash: hash_password(&secret)?,
                name,
                role: b.role,
                organization_id: org.id,
            },
        )
        .await?
        .into();
        audit
            .record(
                c,
                "client.create",
                "client",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&client),
            )
            .await?;
        let body = CreatedClient {
            client,
            client_secret: secret,
        };
        idem.finish(c, &body, format!("/api/v1/clients/{id}")).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Enable or disable a machine client (send `If-Match`).
#[utoipa::path(operation_id = "updateClient",
    tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchClient, responses((status = 200, body = ClientDto)))]
#[patch("/clients/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchClient>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let audit = AuditCtx::new(&state, auth.actor());
    let id = *id;
    let mut conn = state.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = match clients::get(c, id).await {
                Ok(cl) => cl,
                Err(DbError::NotFound) => return Err(ApiError::not_found("client")),
                Err(e) => return Err(e.into()),
            };
            let org = orgs::get(c, current.organization_id).await?;
            auth.ensure_sees(&org.path, "client")?;
            if_match.check(current.version)?;
            let before = ClientDto::from(current);
            let after = ClientDto::from(clients::set_active(c, id, body.value.active).await?);
            audit
                .record(
                    c,
                    "client.update",
                    "client",
                    id,
                    Some(&org.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    state.principals.forget_all();
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}
