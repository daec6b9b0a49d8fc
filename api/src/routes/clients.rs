//! Machine clients of other municipal systems.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{self, Role, client_role_allowed};
use zhengwu_domain::ids::{ClientId, OrganizationId};
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::clients;

use crate::app::clients::{self as uc, NewClient};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::{Created, Idem};
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": true}))]
pub struct PatchClient {
    pub active: bool,
}

impl CreateClient {
    /// Parses the body once, every error collected.
    fn parse(self) -> ApiResult<uc::CreateClient> {
        let mut e = Errors::new();
        let client_id = e.check("client_id", account::username(&self.client_id));
        let name = e.check("name", validation::text(&self.name, 100));
        let role = e.check("role", account::client_role(self.role));
        e.finish()?;
        let (Some(client_id), Some(name), Some(role)) = (client_id, name, role) else {
            return Err(ApiError::internal());
        };
        Ok(uc::CreateClient {
            client_id,
            name,
            role,
            organization: OrganizationId(self.organization_id),
        })
    }
}

impl From<NewClient> for CreatedClient {
    fn from(n: NewClient) -> Self {
        Self {
            client: n.client.into(),
            client_secret: n.secret,
        }
    }
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
    let actor = auth.actor();
    uc::may_manage(&actor)?;
    let limit = page.limit()?;
    let rows = uc::list(&state, &actor, page.after_uuid()?, limit + 1).await?;
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
    let actor = auth.actor();
    // Refused callers learn nothing of the body's faults.
    uc::may_manage(&actor)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    uc::create(&state, &actor, &idem, cmd, CreatedClient::from)
        .await
        .map(Created::into_response)
}

/// Enable or disable a machine client (send `If-Match`).
#[utoipa::path(operation_id = "updateClient",
    tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchClient, responses((status = 200, body = ClientDto)))]
#[patch("/clients/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchClient>,
) -> ApiResult<HttpResponse> {
    let active = body.value.active;
    let saved = uc::set_active(&state, &auth.actor(), ClientId(*id), &if_match, active).await?;
    let dto = ClientDto::from(saved);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto))
}
