//! Administrative reconsiderations and lawsuits about an application, and their outcomes.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::ids::DisclosureRequestId;
use zhengwu_domain::requests::OFFICERS;
use zhengwu_domain::requests::commands::{NewRemedy, UpdateRemedy};
use zhengwu_domain::validation;
use zhengwu_persistence::requests as repo;

use super::view::remedy_dto;
use super::visible;
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, AtField};
use crate::idem::{Created, Idem};
use crate::routes::requests::dto::RemedyDto;
use crate::state::AppState;

const ENTITY: &str = "disclosure_request";

/// Records a remedy; 201 with it (replayed under the same key).
pub async fn add_remedy(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    id: DisclosureRequestId,
    cmd: NewRemedy,
) -> AppResult<Created> {
    actor.require(OFFICERS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (r, org) = visible(c, actor, id, true).await?;
        cmd.check_dates(r.received_on, app.today())?;
        let m = repo::Remedy {
            id: Uuid::now_v7(),
            request_id: r.id.0,
            kind: cmd.kind.as_str().to_owned(),
            filed_on: cmd.filed_on,
            outcome: cmd.outcome.as_str().to_owned(),
            decided_on: cmd.decided_on,
            note: cmd.note.clone(),
            version: 1,
        };
        repo::insert_remedy(c, &m).await?;
        let d = remedy_dto(m);
        let (action, path) = ("disclosure_request.remedy", Some(&org.path));
        audit
            .record(c, action, ENTITY, r.id, path, None::<&()>, Some(&d))
            .await?;
        idem.finish(c, &d, None).await
    })
    .await
}

/// The audit record before an outcome is updated.
#[derive(Serialize)]
struct Outcome {
    outcome: String,
}

/// Updates the outcome of a remedy (404 for one not of this application).
pub async fn update_remedy(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    remedy_id: Uuid,
    cmd: UpdateRemedy,
) -> AppResult<RemedyDto> {
    actor.require(OFFICERS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (r, org) = visible(c, actor, id, true).await?;
        let m = repo::remedies_of(c, r.id)
            .await?
            .into_iter()
            .find(|m| m.id == remedy_id)
            .ok_or_else(|| ApiError::not_found("remedy"))?;
        if let Some(decided) = cmd.decided_on {
            validation::event_date(decided, Some((m.filed_on, "the filing")), app.today())
                .at("/decided_on")?;
        }
        let outcome = cmd.outcome.as_str();
        let note = cmd.note.as_deref();
        let updated = repo::update_remedy(c, remedy_id, outcome, cmd.decided_on, note).await?;
        let d = remedy_dto(updated);
        let before = Outcome { outcome: m.outcome };
        let (action, path) = ("disclosure_request.remedy_update", Some(&org.path));
        audit
            .record(c, action, ENTITY, r.id, path, Some(&before), Some(&d))
            .await?;
        Ok(d)
    })
    .await
}
