//! Registering an application: online by its applicant, or by a disclosure officer for a
//! letter, visit or fax (OGI Art.31 fixes the received date).

use diesel_async::AsyncConnection;
use serde::Serialize;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind, Role};
use zhengwu_domain::codes::Code;
use zhengwu_domain::events::EventType;
use zhengwu_domain::ids::{DisclosureRequestId, UserId};
use zhengwu_domain::requests::commands::{Intake, NewRequest};
use zhengwu_domain::requests::{OFFICERS, RequestChannel, RequestState};
use zhengwu_persistence::requests::{self as repo, Request};
use zhengwu_persistence::{Conn, DbError, Found, orgs, users};

use super::view::view;
use super::{calendar_from, clock_of, keep_reply_due};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// Who the application is of.
struct Applicant {
    id: Option<UserId>,
    name: String,
    kind: ApplicantType,
    legal_person_kind: Option<LegalPersonKind>,
}

/// The trail entry of a receipt.
#[derive(Serialize)]
struct Received {
    channel: RequestChannel,
    received_on: chrono::NaiveDate,
}

/// The audit record of a registration.
#[derive(Serialize)]
struct Registered<'a> {
    number: &'a str,
    received_on: chrono::NaiveDate,
}

/// Registers an application; 201 with its view (replayed under the same key).
pub async fn create(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewRequest,
) -> AppResult<Created> {
    let online = actor.is_applicant();
    if !online {
        actor.require(OFFICERS)?;
    }
    let intake = cmd.intake(online, app.today())?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = organisation(c, actor, &cmd, online).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let applicant = applicant(c, actor, &cmd).await?;
        let r = register(app, c, actor, &org, &cmd, intake, applicant).await?;
        let received = EventType::ApplicationReceived;
        super::actions::report(c, audit.at, received, &r, &org.path, None).await?;
        let id = r.id;
        let out = view(app, c, r).await?;
        let after = Registered {
            number: &out.number,
            received_on: intake.received_on,
        };
        let (kind, path) = ("disclosure_request", Some(&org.path));
        let action = "disclosure_request.create";
        audit
            .record(c, action, kind, id, path, None::<&()>, Some(&after))
            .await?;
        idem.finish(c, &out, format!("/api/v1/disclosure-requests/{id}"))
            .await
    })
    .await
}

/// The organisation asked: an applicant may ask any, an officer registers for those of
/// their scope (422 `reference.not_found` otherwise, as for one that does not exist).
async fn organisation(
    c: &mut Conn,
    actor: &Actor,
    cmd: &NewRequest,
    online: bool,
) -> AppResult<orgs::Organization> {
    match orgs::get(c, cmd.organization_id.0).await {
        Ok(o) if online || actor.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::field(
            "/organization_id",
            Code::ReferenceNotFound,
            "no such organisation",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The applicant: the account applying online, or the one the officer names (an account
/// named must be an applicant's).
async fn applicant(c: &mut Conn, actor: &Actor, cmd: &NewRequest) -> AppResult<Applicant> {
    let Some(named) = &cmd.applicant else {
        let me = users::get(c, actor.id.ok_or_else(ApiError::internal)?).await?;
        return Ok(Applicant {
            id: Some(UserId(me.id)),
            name: me.display_name,
            kind: me.applicant_type.ok_or_else(ApiError::internal)?,
            legal_person_kind: me.legal_person_kind,
        });
    };
    if let Some(u) = named.account
        && users::get(c, u.0)
            .await
            .found()?
            .is_none_or(|x| x.role != Role::Applicant)
    {
        return Err(ApiError::field(
            "/applicant/user_id",
            Code::ReferenceNotFound,
            "no such applicant account",
        ));
    }
    Ok(Applicant {
        id: named.account,
        name: named.name.clone(),
        kind: named.applicant_type,
        legal_person_kind: named.legal_person_kind,
    })
}

/// Numbers, stores and starts the clock of the application, with its first trail entry.
async fn register(
    app: &AppState,
    c: &mut Conn,
    actor: &Actor,
    org: &orgs::Organization,
    cmd: &NewRequest,
    intake: Intake,
    who: Applicant,
) -> AppResult<Request> {
    let received = intake.received_on;
    let (prefix, counter) = crate::app::cases::number_prefix(c, org).await?;
    let serial = repo::next_serial(c, counter.into(), received).await?;
    let mut r = Request {
        id: DisclosureRequestId::new(),
        number: format!("YSQ{prefix}{}{serial:04}", received.format("%Y%m%d")),
        organization_id: cmd.organization_id,
        applicant_id: who.id,
        applicant_name: who.name,
        applicant_type: who.kind,
        legal_person_kind: who.legal_person_kind,
        contact: serde_json::to_value(&cmd.contact).map_err(|_| ApiError::internal())?,
        description: cmd.description.clone(),
        purpose: cmd.purpose.clone(),
        requested_form: cmd.requested_form,
        delivery_method: cmd.delivery_method,
        channel: cmd.channel,
        submitted_on: intake.submitted_on,
        received_on: received,
        state: RequestState::Received,
        restarted_on: None,
        correction_due: None,
        corrected_on: None,
        extension_days: 0,
        due_date: None,
        fee_method: None,
        fee_fen: None,
        fee_due: None,
        created_by: actor.id,
        version: 1,
        created_at: app.clock.now(),
        receipt_seq: 0,
    };
    let cal = calendar_from(c, received).await?;
    let reading = clock_of(&r, &[]).read(&cal, received).ok();
    r.due_date = keep_reply_due(c, r.id, reading).await?;
    let r = repo::insert(c, &r).await?;
    let data = Received {
        channel: cmd.channel,
        received_on: received,
    };
    let data = serde_json::to_value(&data).map_err(|_| ApiError::internal())?;
    let now = app.clock.now();
    repo::add_event(c, r.id, now, actor.id, "receive", None, data).await?;
    Ok(r)
}
