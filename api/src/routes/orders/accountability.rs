//! Accountability records (责任追究).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::{ComplaintId, OrderId, OrganizationId, UserId};
use zhengwu_domain::orders::AccountabilityKind;
use zhengwu_domain::validation;
use zhengwu_persistence::orders::Accountability;

use crate::app::orders::accountability::{self as app, AccountabilityList, NewAccountability};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, AtField};
use crate::extract::{ApiJson, IdempotencyKey};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "interview", "order_id": "01941f29-7c00-7006-8000-000000000001",
    "reason": "督办后仍未按期反馈，对单位负责人约谈"
}))]
pub struct AccountabilityIn {
    pub kind: AccountabilityKind,
    /// The organisation held accountable; the order's or complaint's when absent.
    pub organization_id: Option<Uuid>,
    /// A staff member of that organisation, when a person is held accountable.
    pub user_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub complaint_id: Option<Uuid>,
    pub reason: String,
}

impl AccountabilityIn {
    pub fn parse(self) -> Result<NewAccountability, ApiError> {
        let reason = validation::text(&self.reason, 2000).at("/reason")?;
        Ok(NewAccountability {
            kind: self.kind,
            organization: self.organization_id.map(OrganizationId),
            user: self.user_id.map(UserId),
            order: self.order_id.map(OrderId),
            complaint: self.complaint_id.map(ComplaintId),
            reason,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountabilityDto {
    pub id: Uuid,
    pub kind: AccountabilityKind,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub complaint_id: Option<Uuid>,
    pub reason: String,
    pub decided_on: NaiveDate,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl From<Accountability> for AccountabilityDto {
    fn from(a: Accountability) -> Self {
        AccountabilityDto {
            id: a.id,
            kind: AccountabilityKind::parse(&a.kind).unwrap_or(AccountabilityKind::Criticism),
            organization_id: a.organization_id,
            user_id: a.user_id,
            order_id: a.order_id,
            complaint_id: a.complaint_id,
            reason: a.reason,
            decided_on: a.decided_on,
            recorded_by: a.recorded_by,
            recorded_at: a.recorded_at,
        }
    }
}

#[doc = " Record accountability (通报批评, 约谈, 移送纪检监察) against an \
     organisation or a staff"]
/// member, attached to an order or a complaint (supervisors).
#[utoipa::path(operation_id = "createAccountabilityRecord",
    tag = "supervision", security(("bearer" = [])), request_body = AccountabilityIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = AccountabilityDto)))]
#[post("/supervision/accountability")]
pub async fn create_accountability(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<AccountabilityIn>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    let created = app::record::<AccountabilityDto>(&state, &actor, &idem, cmd).await?;
    Ok(created.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountabilityQuery {
    pub org: Option<Uuid>,
    pub order_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Accountability records of your scope (supervisors and administrators).
#[utoipa::path(operation_id = "listAccountabilityRecords",
    tag = "supervision", security(("bearer" = [])), params(AccountabilityQuery),
    responses((status = 200, body = Page<AccountabilityDto>)))]
#[get("/supervision/accountability")]
pub async fn list_accountability(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AccountabilityQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let query = AccountabilityList {
        org: q.org.map(OrganizationId),
        order: q.order_id.map(OrderId),
        after: page.after_uuid()?,
        limit: limit + 1,
    };
    let rows = app::list(&state, &auth.actor(), query).await?;
    let page = Page::from_rows(rows, limit, |a| a.id.to_string(), AccountabilityDto::from);
    Ok(page_response(&req, page))
}
