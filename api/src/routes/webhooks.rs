//! Webhook subscriptions (Standard Webhooks): targets, event types, signing secrets, the
//! delivery log and manual redelivery.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::events::{AttemptTrigger, EventType, WebhookDisabledReason};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::webhooks::{AttemptRow, Subscription};

use crate::app::webhooks::{self as uc, DeliveryLog, NewWebhook, WebhookPatch, WithSecret};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::{Created, Idem};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// A webhook subscription.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: Uuid,
    /// Events of this organisation's subtree are sent.
    pub organization_id: Uuid,
    #[schema(example = "https://platform.example.gov.cn/hooks/zhengwu")]
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: Option<String>,
    /// Off when disabled by its owner, by a `410 Gone` answer, or after a run of failures;
    /// events keep being queued for it and go out, in order, once it is enabled again.
    pub active: bool,
    pub disabled_reason: Option<WebhookDisabledReason>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Failed attempts since the last delivered one.
    pub failures: i32,
    /// Until then deliveries carry a second signature, made with the secret replaced by the
    /// last rotation.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Subscription> for WebhookDto {
    fn from(s: Subscription) -> Self {
        let overlap = s
            .previous_secret_expires_at
            .filter(|_| s.previous_secret.is_some());
        Self {
            id: s.id,
            organization_id: s.organization_id,
            url: s.url,
            event_types: s
                .event_types
                .iter()
                .filter_map(|t| EventType::parse(t))
                .collect(),
            description: s.description,
            active: s.active,
            disabled_reason: s
                .disabled_reason
                .as_deref()
                .and_then(WebhookDisabledReason::parse),
            disabled_at: s.disabled_at,
            failures: s.failures,
            previous_secret_expires_at: overlap,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription with its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// Verify each delivery's `webhook-signature` with it (Standard Webhooks: base64 of
    /// HMAC-SHA256 over `webhook-id.webhook-timestamp.body`, keyed with the base64-decoded
    /// part after `whsec_`). Keep it: it is never shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl From<WithSecret> for WebhookWithSecret {
    fn from(w: WithSecret) -> Self {
        Self {
            webhook: w.subscription.into(),
            secret: w.secret,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://platform.example.gov.cn/hooks/zhengwu",
    "event_types": ["zhengwu.case.accepted.v1", "zhengwu.case.decided.v1"],
    "description": "省政务服务平台办件同步"
}))]
pub struct CreateWebhook {
    /// An `http` or `https` URL whose host resolves to public addresses only (networks
    /// admitted by the server's allow-list excepted).
    #[schema(
        pattern = "^https?://(([A-Za-z0-9]\
            ([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]\
            ([A-Za-z0-9-]{0,61}[A-Za-z0-9])?|((25[0-5]|2[0-4][0-9]\
            |1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]\
            |1[0-9]{2}|[1-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]\
            |65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}\
            |[1-9][0-9]{0,3}))?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?\
            (\\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$",
        max_length = 2000
    )]
    pub url: String,
    #[schema(value_type = Vec<EventType>, min_items = 1)]
    pub event_types: Vec<String>,
    pub description: Option<String>,
    /// Whose subtree's events to receive: an organisation in your scope; yours when absent.
    pub organization_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": true}))]
pub struct PatchWebhook {
    #[schema(
        pattern = "^https?://(([A-Za-z0-9]\
            ([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]\
            ([A-Za-z0-9-]{0,61}[A-Za-z0-9])?|((25[0-5]|2[0-4][0-9]\
            |1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]\
            |1[0-9]{2}|[1-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]\
            |65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}\
            |[1-9][0-9]{0,3}))?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?\
            (\\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$",
        max_length = 2000
    )]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<EventType>>)]
    pub event_types: Option<Vec<String>>,
    /// An empty text removes the description.
    pub description: Option<String>,
    /// `true` enables the subscription (its failures forgotten); `false` disables it.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overlap_seconds": 86400}))]
pub struct RotateWebhookSecret {
    /// How long the replaced secret keeps signing (both signatures are sent meanwhile),
    /// 0 to 604800 seconds; one day when absent.
    pub overlap_seconds: Option<i64>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookAttemptDto {
    pub attempted_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// The receiver's status code; absent when it did not answer.
    pub status_code: Option<i32>,
    /// Why the attempt failed without an answer (connection, timeout, address refused).
    pub error: Option<String>,
    pub trigger: AttemptTrigger,
}

impl From<AttemptRow> for WebhookAttemptDto {
    fn from(a: AttemptRow) -> Self {
        Self {
            attempted_at: a.attempted_at,
            duration_ms: a.duration_ms,
            status_code: a.status_code,
            error: a.error,
            trigger: AttemptTrigger::parse(&a.trigger).unwrap_or(AttemptTrigger::Scheduled),
        }
    }
}

/// An event to deliver to a subscription, with its attempts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDeliveryDto {
    pub id: i64,
    /// The event's id, sent as `webhook-id` (the same in every attempt).
    pub event_id: Uuid,
    pub event_type: EventType,
    pub subject: String,
    pub delivered: bool,
    pub attempts: i32,
    /// When the next attempt is due; absent once delivered.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The attempts, oldest first.
    pub log: Vec<WebhookAttemptDto>,
}

impl From<DeliveryLog> for WebhookDeliveryDto {
    fn from(l: DeliveryLog) -> Self {
        let d = l.delivery;
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: EventType::parse(&d.event_type).unwrap_or(EventType::CaseReceived),
            subject: d.subject,
            delivered: d.delivered,
            attempts: d.attempts,
            next_attempt_at: (!d.delivered).then_some(d.next_attempt_at),
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            log: l.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Only delivered (`true`) or undelivered (`false`) ones.
    pub delivered: Option<bool>,
}

const URL_MAX: usize = 2000;
/// What the contract promises is accepted as a webhook URL: `http` or `https`, a host name
/// (its last label beginning with a letter) or an IPv4 address, an optional port, path and
/// query; no user name, no fragment. (The server also takes IPv6 literals in brackets.)
pub const URL_PATTERN: &str = "^https?://(([A-Za-z0-9]\
    ([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]\
    ([A-Za-z0-9-]{0,61}[A-Za-z0-9])?|((25[0-5]|2[0-4][0-9]\
    |1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]\
    |1[0-9]{2}|[1-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]\
    |65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}\
    |[1-9][0-9]{0,3}))?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?\
    (\\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$";
const TYPES_MAX: usize = 50;

fn event_types(e: &mut Errors, field: &str, raw: &[String]) -> Option<Vec<String>> {
    if raw.is_empty() {
        e.push(
            field,
            RuleViolation::new(Code::ListEmpty, "name at least one event type"),
        );
        return None;
    }
    if raw.len() > TYPES_MAX {
        e.push(
            field,
            RuleViolation::new(
                Code::ListTooLong,
                format!("at most {TYPES_MAX} event types"),
            ),
        );
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut ok = true;
    for (i, t) in raw.iter().enumerate() {
        match EventType::parse(t.trim()) {
            Some(k) if !out.iter().any(|x| x == k.as_str()) => out.push(k.as_str().to_owned()),
            Some(_) => {}
            None => {
                ok = false;
                e.push(
                    &format!("{field}/{i}"),
                    RuleViolation::new(
                        Code::EnumUnknownValue,
                        format!("{t:?} is not an event type (see the EventType enumeration)"),
                    ),
                );
            }
        }
    }
    ok.then_some(out)
}

fn url(e: &mut Errors, raw: &str) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() || v.len() > URL_MAX {
        e.push(
            "/url",
            RuleViolation::new(
                Code::WebhookUrlInvalid,
                format!("the URL must be 1 to {URL_MAX} characters"),
            ),
        );
        return None;
    }
    Some(v.to_owned())
}

fn description(e: &mut Errors, raw: Option<&str>) -> Option<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(d) => e.check("description", validation::text(d, 200)).map(Some),
    }
}

impl CreateWebhook {
    fn parse(self) -> ApiResult<NewWebhook> {
        let mut e = Errors::new();
        let url = url(&mut e, &self.url);
        let types = event_types(&mut e, "/event_types", &self.event_types);
        let description = description(&mut e, self.description.as_deref());
        e.finish()?;
        let (Some(url), Some(event_types), Some(description)) = (url, types, description) else {
            return Err(ApiError::internal());
        };
        Ok(NewWebhook {
            url,
            event_types,
            description,
            organization: self.organization_id.map(OrganizationId),
        })
    }
}

impl PatchWebhook {
    fn parse(self) -> ApiResult<WebhookPatch> {
        let mut e = Errors::new();
        let url = self.url.as_deref().map(|u| url(&mut e, u));
        let types = self
            .event_types
            .as_deref()
            .map(|t| event_types(&mut e, "/event_types", t));
        let description = self
            .description
            .as_deref()
            .map(|d| description(&mut e, Some(d)));
        e.finish()?;
        Ok(WebhookPatch {
            url: url.flatten(),
            event_types: types.flatten(),
            description: description.flatten(),
            active: self.active,
        })
    }
}

fn with_etag(dto: WebhookDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto)
}

/// List the webhook subscriptions of your scope (organisation administrators, machine
/// clients).
#[utoipa::path(operation_id = "listWebhooks",
    tag = "integrations", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<WebhookDto>)))]
#[get("/webhooks")]
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
        Page::from_rows(rows, limit, |s| s.id.to_string(), WebhookDto::from),
    ))
}

/// Subscribe a URL to events of an organisation's subtree. The answer carries the signing
/// secret, once. Deliveries follow Standard Webhooks: a POST of the CloudEvent
/// (`application/json`) with `webhook-id`, `webhook-timestamp` and
/// `webhook-signature`; only a 2xx answer counts (a redirect is a failure); `410 Gone`
/// disables the subscription; others are retried with exponential back-off, in order
/// for each subject.
#[utoipa::path(operation_id = "createWebhook",
    tag = "integrations", security(("bearer" = [])), request_body = CreateWebhook,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = WebhookWithSecret)))]
#[post("/webhooks")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateWebhook>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    uc::may_manage(&actor)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    uc::create(&state, &actor, &idem, cmd, WebhookWithSecret::from)
        .await
        .map(Created::into_response)
}

/// One webhook subscription.
#[utoipa::path(operation_id = "getWebhook",
    tag = "integrations", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = WebhookDto)))]
#[get("/webhooks/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let s = uc::get(&state, &auth.actor(), *id).await?;
    Ok(with_etag(s.into()))
}

/// Change the target, the event types or the description, or enable (failures forgotten)
/// or disable the subscription (send `If-Match`).
#[utoipa::path(operation_id = "updateWebhook",
    tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchWebhook, responses((status = 200, body = WebhookDto)))]
#[patch("/webhooks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchWebhook>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    uc::may_manage(&actor)?;
    let patch = body.into_inner_value().parse()?;
    let saved = uc::update(&state, &actor, *id, &if_match, patch).await?;
    Ok(with_etag(saved.into()))
}

/// Delete a subscription with its delivery log (send `If-Match`).
#[utoipa::path(operation_id = "deleteWebhook",
    tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 204, description = "Deleted")))]
#[delete("/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    uc::delete(&state, &auth.actor(), *id, &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Give the subscription a new signing secret, shown once; the replaced one keeps signing
/// (a second signature in `webhook-signature`) for the overlap (send `If-Match`).
#[utoipa::path(operation_id = "rotateWebhookSecret",
    tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = RotateWebhookSecret, responses((status = 200, body = WebhookWithSecret)))]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RotateWebhookSecret>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    uc::may_manage(&actor)?;
    let seconds = body.value.overlap_seconds.unwrap_or(86_400);
    if !(0..=uc::MAX_OVERLAP.num_seconds()).contains(&seconds) {
        return Err(ApiError::field(
            "/overlap_seconds",
            Code::Range,
            "overlap_seconds must be between 0 and 604800",
        ));
    }
    let out = uc::rotate(&state, &actor, *id, &if_match, Duration::seconds(seconds)).await?;
    let body = WebhookWithSecret::from(out);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(body.webhook.version)))
        .json(body))
}

/// The delivery log of a subscription, newest first: each event with its attempts, their
/// status codes and timings.
#[utoipa::path(operation_id = "listWebhookDeliveries",
    tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path), PageParams, DeliveryParams),
    responses((status = 200, body = Page<WebhookDeliveryDto>)))]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    filter: web::Query<DeliveryParams>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    uc::may_manage(&actor)?;
    let limit = page.limit()?;
    let before = page.after_i64()?;
    let rows = uc::deliveries(&state, &actor, *id, before, filter.delivered, limit + 1).await?;
    Ok(page_response(
        &req,
        Page::from_rows(
            rows,
            limit,
            |l| l.delivery.id.to_string(),
            WebhookDeliveryDto::from,
        ),
    ))
}

/// Send a delivery again (delivered or not) at the senders' next round; the attempt is
/// marked manual and carries the same `webhook-id`.
#[utoipa::path(operation_id = "redeliverWebhookDelivery",
    tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("delivery_id" = i64, Path)),
    responses((status = 202, body = WebhookDeliveryDto)))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    auth: Principal,
    path: web::Path<(Uuid, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let log = uc::redeliver(&state, &auth.actor(), id, delivery).await?;
    Ok(HttpResponse::Accepted().json(WebhookDeliveryDto::from(log)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::send::Target;

    /// URLs of the pattern's every branch, as a generator of examples would make them: the
    /// server must take each.
    #[test]
    fn urls_of_the_contract_parse() {
        for url in [
            "http://a",
            "https://a-b.c0/",
            "http://0a.b-c.d:1",
            "https://x.y:65535/p/a/t/h?q=1&r=/s?",
            "http://1.2.3.4/",
            "http://255.255.255.255:8080",
            "https://h.example/~a._-!$&'()*+,;=:@/",
            "http://a.b/?~._-!$&'()*+,;=:@/?",
        ] {
            assert!(Target::parse(url).is_ok(), "{url}");
        }
        // The contract states the same pattern for both bodies.
        for schema in [
            serde_json::to_value(<CreateWebhook as utoipa::PartialSchema>::schema()),
            serde_json::to_value(<PatchWebhook as utoipa::PartialSchema>::schema()),
        ] {
            let schema = schema.unwrap_or_default();
            let pattern = &schema["properties"]["url"]["pattern"];
            assert_eq!(pattern.as_str(), Some(URL_PATTERN), "{schema}");
        }
    }
}
