//! Webhook subscriptions: which events of an organisation's subtree go to which URL,
//! signed with a secret shown once; their deliveries and manual redelivery.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::{ActorKind, Role};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::webhooks::{self as repo, AttemptRow, Delivery, Subscription};
use zhengwu_persistence::{Conn, DbError, orgs, outbox};

use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, OrIfAbsent};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;
use crate::webhooks::send::{self, SendError, Target};

/// The longest a replaced secret may keep signing.
pub const MAX_OVERLAP: Duration = Duration::days(7);

/// Organisation administrators (and system administrators) and machine clients manage
/// the subscriptions of their organisation's subtree.
pub fn may_manage(actor: &Actor) -> AppResult<()> {
    if actor.kind == ActorKind::Client {
        return Ok(());
    }
    Ok(actor.require(&[Role::SysAdmin, Role::OrgAdmin])?)
}

/// A new subscription, parsed.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    /// The organisation whose subtree's events it receives; the caller's when absent.
    pub organization: Option<OrganizationId>,
}

/// What an owner changes; `None` leaves it.
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    /// `true` enables (its failures forgotten), `false` disables.
    pub active: Option<bool>,
}

/// A subscription just created or given a new secret, with the secret shown this once.
pub struct WithSecret {
    pub subscription: Subscription,
    pub secret: String,
}

/// A subscription as the audit log records it (never its secrets).
#[derive(Serialize)]
struct Record<'a> {
    url: &'a str,
    event_types: &'a [String],
    description: Option<&'a str>,
    active: bool,
    disabled_reason: Option<&'a str>,
    organization_id: Uuid,
    version: i32,
}

impl<'a> From<&'a Subscription> for Record<'a> {
    fn from(s: &'a Subscription) -> Self {
        Self {
            url: &s.url,
            event_types: &s.event_types,
            description: s.description.as_deref(),
            active: s.active,
            disabled_reason: s.disabled_reason.as_deref(),
            organization_id: s.organization_id,
            version: s.version,
        }
    }
}

/// 422 unless the URL is an http(s) URL whose host resolves only to addresses that are
/// public or on an allowed network. A host that does not resolve now is let through: the
/// check is made again before every delivery, which fails (and is logged) until it does.
pub async fn check_target(app: &AppState, url: &str) -> AppResult<()> {
    let target = Target::parse(url).map_err(|why| {
        ApiError::field("/url", Code::WebhookUrlInvalid, format!("the URL {why}"))
    })?;
    let allowed = &app.config.webhooks.allowed_networks;
    let resolved =
        tokio::time::timeout(app.config.webhooks.timeout, send::resolve(&target, allowed))
            .await
            .unwrap_or(Err(SendError::Timeout));
    match resolved {
        Err(SendError::Forbidden(ip)) => Err(ApiError::field(
            "/url",
            Code::WebhookTargetForbidden,
            format!(
                "{} resolves to {ip}, which is not a public address",
                target.host()
            ),
        )),
        Err(e) => {
            log::info!(
                "webhook target {}: {e}; checked again at delivery",
                target.host()
            );
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

/// The subscription, if the actor may see it (404 otherwise), locked when `lock`.
async fn visible(
    c: &mut Conn,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> AppResult<(Subscription, OrgPath)> {
    let s = match repo::get(c, id, lock).await {
        Ok(s) => s,
        Err(DbError::NotFound) => return Err(ApiError::not_found("webhook")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(c, s.organization_id).await?;
    if !actor.sees(&org.path) {
        return Err(ApiError::not_found("webhook"));
    }
    Ok((s, org.path))
}

/// Subscribes; `present` gives the body of the answer (with the secret).
pub async fn create<B: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewWebhook,
    present: impl FnOnce(WithSecret) -> B + Send,
) -> AppResult<Created> {
    may_manage(actor)?;
    let creator = actor.id.ok_or_else(ApiError::internal)?;
    let organization = cmd.organization.or(actor.org).ok_or_else(|| {
        ApiError::field(
            "/organization_id",
            zhengwu_domain::codes::Code::FieldRequired,
            "name the organisation whose events to receive",
        )
    })?;
    check_target(app, &cmd.url).await?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let org = crate::app::orgs::visible(c, actor, organization, false)
            .await
            .or_if_absent(|| {
                ApiError::field(
                    "/organization_id",
                    Code::ReferenceNotFound,
                    "no such organisation in your scope",
                )
            })?;
        let secret = send::new_secret();
        let id = Uuid::now_v7();
        let start = outbox::head(c).await?;
        let new = repo::NewSubscription {
            id,
            organization_id: org.id,
            url: cmd.url,
            event_types: cmd.event_types,
            description: cmd.description,
            secret: secret.clone(),
            start,
            created_by: creator,
            now: audit.at,
        };
        let subscription = repo::insert(c, new).await?;
        let after = Record::from(&subscription);
        audit
            .record(
                c,
                "webhook.create",
                "webhook",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        let body = present(WithSecret {
            subscription,
            secret,
        });
        idem.finish(c, &body, format!("/api/v1/webhooks/{id}"))
            .await
    })
    .await
}

/// The subscriptions of the actor's scope.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<Subscription>> {
    may_manage(actor)?;
    let mut conn = app.conn().await?;
    Ok(repo::list(&mut conn, &actor.scope(), after, limit).await?)
}

pub async fn get(app: &AppState, actor: &Actor, id: Uuid) -> AppResult<Subscription> {
    may_manage(actor)?;
    let mut conn = app.conn().await?;
    Ok(visible(&mut conn, actor, id, false).await?.0)
}

/// Changes the target, the types, the description, or enables or disables it.
pub async fn update(
    app: &AppState,
    actor: &Actor,
    id: Uuid,
    expect: &IfMatch,
    patch: WebhookPatch,
) -> AppResult<Subscription> {
    may_manage(actor)?;
    if let Some(url) = &patch.url {
        check_target(app, url).await?;
    }
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (current, path) = visible(c, actor, id, true).await?;
        expect.check(current.version)?;
        let (disabled_reason, disabled_at, failures) = match patch.active {
            Some(true) => (None, None, 0),
            Some(false) if current.active => {
                (Some("owner".to_owned()), Some(audit.at), current.failures)
            }
            _ => (
                current.disabled_reason.clone(),
                current.disabled_at,
                current.failures,
            ),
        };
        let changes = repo::Changes {
            url: patch.url.clone().unwrap_or_else(|| current.url.clone()),
            event_types: patch
                .event_types
                .clone()
                .unwrap_or_else(|| current.event_types.clone()),
            description: patch
                .description
                .clone()
                .unwrap_or_else(|| current.description.clone()),
            disabled_reason,
            disabled_at,
            failures,
        };
        let saved = repo::update(c, id, changes, audit.at).await?;
        let (before, after) = (Record::from(&current), Record::from(&saved));
        audit
            .record(
                c,
                "webhook.update",
                "webhook",
                id,
                Some(&path),
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(saved)
    })
    .await
}

/// Removes a subscription with its delivery log.
pub async fn delete(app: &AppState, actor: &Actor, id: Uuid, expect: &IfMatch) -> AppResult<()> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (current, path) = visible(c, actor, id, true).await?;
        expect.check(current.version)?;
        repo::delete(c, id).await?;
        let before = Record::from(&current);
        audit
            .record(
                c,
                "webhook.delete",
                "webhook",
                id,
                Some(&path),
                Some(&before),
                None::<&()>,
            )
            .await?;
        Ok(())
    })
    .await
}

/// Gives the subscription a new secret; the current one keeps signing for `overlap` (both
/// signatures are sent meanwhile), or stops at once when it is zero.
pub async fn rotate(
    app: &AppState,
    actor: &Actor,
    id: Uuid,
    expect: &IfMatch,
    overlap: Duration,
) -> AppResult<WithSecret> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (current, path) = visible(c, actor, id, true).await?;
        expect.check(current.version)?;
        let secret = send::new_secret();
        let until: Option<DateTime<Utc>> = (overlap > Duration::zero()).then(|| audit.at + overlap);
        let previous = until.map(|u| (current.secret.clone(), u));
        let saved = repo::rotate(c, id, secret.clone(), previous, audit.at).await?;
        #[derive(Serialize)]
        struct Rotated {
            version: i32,
            previous_secret_expires_at: Option<DateTime<Utc>>,
        }
        let after = Rotated {
            version: saved.version,
            previous_secret_expires_at: until,
        };
        audit
            .record(
                c,
                "webhook.rotate_secret",
                "webhook",
                id,
                Some(&path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        Ok(WithSecret {
            subscription: saved,
            secret,
        })
    })
    .await
}

/// A delivery with its attempts.
pub struct DeliveryLog {
    pub delivery: Delivery,
    pub attempts: Vec<AttemptRow>,
}

/// A subscription's deliveries, newest first, with their attempts.
pub async fn deliveries(
    app: &AppState,
    actor: &Actor,
    id: Uuid,
    before: Option<i64>,
    delivered: Option<bool>,
    limit: i64,
) -> AppResult<Vec<DeliveryLog>> {
    may_manage(actor)?;
    let mut conn = app.conn().await?;
    visible(&mut conn, actor, id, false).await?;
    let rows = repo::deliveries(&mut conn, id, before, delivered, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let mut attempts: HashMap<i64, Vec<AttemptRow>> = HashMap::new();
    for a in repo::attempts_of(&mut conn, &ids).await? {
        attempts.entry(a.delivery_id).or_default().push(a);
    }
    Ok(rows
        .into_iter()
        .map(|delivery| DeliveryLog {
            attempts: attempts.remove(&delivery.id).unwrap_or_default(),
            delivery,
        })
        .collect())
}

/// Sends a delivery again as soon as the senders run, delivered or not.
pub async fn redeliver(
    app: &AppState,
    actor: &Actor,
    id: Uuid,
    delivery: i64,
) -> AppResult<DeliveryLog> {
    may_manage(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (_, path) = visible(c, actor, id, true).await?;
        match repo::redeliver(c, id, delivery, audit.at).await {
            Err(DbError::NotFound) => return Err(ApiError::not_found("delivery")),
            r => r?,
        }
        #[derive(Serialize)]
        struct Redelivery {
            delivery_id: i64,
        }
        let after = Redelivery {
            delivery_id: delivery,
        };
        audit
            .record(
                c,
                "webhook.redeliver",
                "webhook",
                id,
                Some(&path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        let d = repo::delivery(c, id, delivery).await?;
        let attempts = repo::attempts_of(c, &[delivery]).await?;
        Ok(DeliveryLog {
            delivery: d,
            attempts,
        })
    })
    .await
}
