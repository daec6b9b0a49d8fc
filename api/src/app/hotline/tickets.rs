//! Taking tickets, and reading them as the hotline, the department or the caller sees them.

use chrono::{Datelike, NaiveDate};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::hotline::commands::{Intake, NewTicket, TicketForm};
use zhengwu_domain::hotline::flow::{HOTLINE_SIDE, OPERATORS, VIEWERS};
use zhengwu_domain::hotline::{TicketAction, TicketKind, TicketState};
use zhengwu_domain::ids::{OrganizationId, TicketId, UserId};
use zhengwu_persistence::hotline::{self as repo, Ticket, TicketEvent};
use zhengwu_persistence::{Conn, DbError, orgs, supervision};

use super::referenced_org;
use crate::app::cases::{new_password, password_hash};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// A ticket as its reader may see it.
pub struct TicketView {
    pub ticket: Ticket,
    /// Read as hotline staff: with the caller's name and contact.
    pub hotline_staff: bool,
    /// Years without a loaded holiday schedule its deadlines were counted across.
    pub years_without_calendar: Vec<i32>,
    /// Given once, when the ticket is taken.
    pub query_code: Option<String>,
}

/// The trail entry of a ticket being taken.
#[derive(Serialize)]
struct Received<'a> {
    channel: &'a str,
}

/// The audit record of a ticket being taken.
#[derive(Serialize)]
struct Taken<'a> {
    number: &'a str,
    kind: &'a str,
}

/// Take a ticket: an operator from a call, a message or a web form, or the public online.
/// `render` gives the answer, which the idempotency key keeps.
pub async fn create<D: Serialize + Send + Sync>(
    app: &AppState,
    actor: Option<&Actor>,
    idem: &Idem,
    form: TicketForm,
    render: impl Fn(TicketView) -> D + Sync,
) -> AppResult<Created> {
    let operator = actor.filter(|a| a.has_role(OPERATORS));
    if actor.is_some_and(|a| a.role.is_staff() && operator.is_none()) {
        return Err(ApiError::forbidden(
            "tickets are taken by hotline operators or submitted by the public",
        ));
    }
    let intake = Intake {
        signed_in: actor.is_some(),
        operator: operator.is_some(),
        operator_org: operator.and_then(|a| a.org),
    };
    let cmd = NewTicket::parse(form, intake)?;
    let code = new_password();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let visible = |p: &_| operator.is_none_or(|a| a.sees(p));
        let center = referenced_org(
            c,
            cmd.center,
            visible,
            "/center_id",
            "no such hotline centre",
        )
        .await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let t = new_ticket(c, app, actor, &cmd, &center, &code).await?;
        repo::insert_ticket(c, &t).await?;
        record_intake(c, app, actor, &t, &center).await?;
        let location = format!("/api/v1/hotline/tickets/{}", t.id);
        let view = TicketView {
            ticket: t,
            hotline_staff: operator.is_some(),
            years_without_calendar: Vec::new(),
            query_code: Some(code.clone()),
        };
        idem.finish(c, &render(view), location).await
    })
    .await
}

/// The first step of the ticket's trail, and the audit event of a signed-in taker.
async fn record_intake(
    c: &mut Conn,
    app: &AppState,
    actor: Option<&Actor>,
    t: &Ticket,
    center: &orgs::Organization,
) -> AppResult<()> {
    let data = serde_json::to_value(Received {
        channel: &t.channel,
    })
    .unwrap_or_default();
    let (id, by) = (TicketId(t.id), actor.and_then(|a| a.id));
    repo::add_event(c, id, t.received_at, by, "receive", None, data).await?;
    if let Some(a) = actor {
        let taken = Taken {
            number: &t.number,
            kind: &t.kind,
        };
        let (action, kind) = ("hotline_ticket.receive", "hotline_ticket");
        let path = Some(&center.path);
        AuditCtx::new(app, a.clone())
            .record(c, action, kind, t.id, path, None::<&()>, Some(&taken))
            .await?;
    }
    Ok(())
}

/// The row of a ticket just taken, numbered in the year's series.
async fn new_ticket(
    c: &mut Conn,
    app: &AppState,
    actor: Option<&Actor>,
    cmd: &NewTicket,
    center: &orgs::Organization,
    code: &str,
) -> AppResult<Ticket> {
    let day = app.today();
    let serial = supervision::next_serial(c, "hotline", day.year()).await?;
    let operator = actor.is_some_and(|a| a.has_role(OPERATORS));
    Ok(Ticket {
        id: Uuid::now_v7(),
        number: format!("RX{}{serial:06}", day.year()),
        kind: cmd.kind.as_str().to_owned(),
        urgency: cmd.urgency.as_str().to_owned(),
        channel: cmd.channel.as_str().to_owned(),
        subject: cmd.subject.clone(),
        description: cmd.description.clone(),
        location: cmd.location.clone(),
        caller_name: cmd.caller_name.clone(),
        caller_contact: serde_json::to_value(&cmd.caller_contact).unwrap_or_default(),
        classified: cmd.classified,
        public_answer: false,
        query_code_hash: password_hash(code),
        center_id: center.id,
        submitter_id: actor.filter(|_| !operator).and_then(|a| a.id),
        state: TicketState::Received.as_str().to_owned(),
        received_at: app.clock.now(),
        received_on: day,
        responsible_org_id: None,
        dispatched_on: None,
        due_date: None,
        return_count: 0,
        extension_days: 0,
        extension_request: None,
        reply: None,
        replied_at: None,
        callback_satisfied: None,
        reopen_count: 0,
        merged_into: None,
        closed_at: None,
        version: 1,
    })
}

/// Whether the actor sees a ticket, and whether as hotline staff (with the caller's data).
async fn access(conn: &mut Conn, actor: &Actor, t: &Ticket) -> AppResult<Option<bool>> {
    if actor.is_applicant() {
        let own = t.submitter_id.is_some() && t.submitter_id == actor.id;
        return Ok(own.then_some(false));
    }
    if !actor.has_role(VIEWERS) {
        return Ok(None);
    }
    let center = orgs::get(conn, t.center_id).await?;
    if actor.has_role(HOTLINE_SIDE) && actor.sees(&center.path) {
        return Ok(Some(true));
    }
    let department = match t.responsible_org_id {
        Some(o) => actor.sees(&orgs::get(conn, o).await?.path),
        None => false,
    };
    Ok(department.then_some(false))
}

/// A ticket the actor may see (404 otherwise), and whether as hotline staff.
pub(super) async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: TicketId,
) -> AppResult<(Ticket, bool)> {
    let t = match repo::get_ticket(conn, id, false).await {
        Ok(t) => t,
        Err(DbError::NotFound) => return Err(ApiError::not_found("ticket")),
        Err(e) => return Err(e.into()),
    };
    match access(conn, actor, &t).await? {
        Some(staff) => Ok((t, staff)),
        None => Err(ApiError::not_found("ticket")),
    }
}

/// What a list of tickets asks for.
#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub org: Option<OrganizationId>,
    pub state: Option<TicketState>,
    pub kind: Option<TicketKind>,
    pub responsible: Option<OrganizationId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<TicketId>,
    /// One more than the page, to know whether another follows.
    pub limit: i64,
}

/// Tickets taken by a centre of the actor's scope or dispatched to an organisation of it;
/// an applicant's own.
pub async fn list(app: &AppState, actor: &Actor, q: TicketQuery) -> AppResult<Vec<TicketView>> {
    let mut conn = app.conn().await?;
    let mut f = repo::TicketFilter {
        state: q.state,
        kind: q.kind,
        responsible: q.responsible,
        received_from: q.from,
        received_to: q.to,
        after: q.after.map(|a| a.0),
        limit: q.limit,
        ..Default::default()
    };
    let scope = if actor.is_applicant() {
        f.submitter = actor.id.map(UserId);
        crate::app::Scope::All
    } else {
        actor.require(VIEWERS)?;
        crate::app::narrowed(&conn, actor.scope(), q.org).await?
    };
    let rows = repo::list_tickets(&mut conn, &scope, &f).await?;
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    let hotline_staff = actor.has_role(HOTLINE_SIDE);
    Ok(rows
        .into_iter()
        .map(|t| TicketView {
            years_without_calendar: years.remove(&t.id).unwrap_or_default(),
            ticket: t,
            hotline_staff,
            query_code: None,
        })
        .collect())
}

/// One ticket.
pub async fn get(app: &AppState, actor: &Actor, id: TicketId) -> AppResult<TicketView> {
    let mut conn = app.conn().await?;
    let (t, staff) = visible(&mut conn, actor, id).await?;
    let years = crate::deadlines::flags_of(&mut conn, t.id).await?;
    Ok(TicketView {
        ticket: t,
        hotline_staff: staff,
        years_without_calendar: years,
        query_code: None,
    })
}

/// Every step of a ticket.
pub async fn timeline(app: &AppState, actor: &Actor, id: TicketId) -> AppResult<Vec<TicketEvent>> {
    let mut conn = app.conn().await?;
    let (t, _) = visible(&mut conn, actor, id).await?;
    Ok(repo::events_of(&mut conn, TicketId(t.id)).await?)
}

/// The action of a step, as the trail and the audit log name it.
pub(super) fn audit_action(action: TicketAction) -> String {
    format!("hotline_ticket.{action}")
}
