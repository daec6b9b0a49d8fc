//! The steps of a ticket: one use case each, sharing one transition ([`step`]) that loads
//! the ticket the actor acts on, checks `If-Match`, lets [`TICKET_FLOW`] decide, applies the
//! step's effect, saves, and records the trail and the audit event.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::codes::Code;
use zhengwu_domain::events::{EventData, EventType, TicketEventData};
use zhengwu_domain::hotline::commands::{
    CallbackTicket, CloseTicket, DecideExtension, DispatchTicket, MergeTicket, PendingExtension,
    ReplyTicket, RequestExtension, ReturnTicket,
};
use zhengwu_domain::hotline::flow::{TICKET_FLOW, TicketFacts, by_department, decide_ticket};
use zhengwu_domain::hotline::{TicketAction, TicketKind, TicketLimits, TicketState, Urgency};
use zhengwu_domain::ids::{OrganizationId, TicketId};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::hotline::{self as repo, Ticket};
use zhengwu_persistence::orgs::{self, Organization};
use zhengwu_persistence::{Conn, DbError, supervision};

use super::referenced_org;
use super::tickets::{TicketView, audit_action};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::outbox::{self, Change};
use crate::state::AppState;

/// A step with its parsed command.
enum Step {
    Dispatch(DispatchTicket),
    Return(ReturnTicket),
    RequestExtension(RequestExtension),
    DecideExtension(DecideExtension),
    Reply(ReplyTicket),
    Callback(CallbackTicket),
    Close(CloseTicket),
    Merge(MergeTicket),
}

impl Step {
    fn action(&self) -> TicketAction {
        match self {
            Step::Dispatch(_) => TicketAction::Dispatch,
            Step::Return(_) => TicketAction::Return,
            Step::RequestExtension(_) => TicketAction::RequestExtension,
            Step::DecideExtension(_) => TicketAction::DecideExtension,
            Step::Reply(_) => TicketAction::Reply,
            Step::Callback(_) => TicketAction::Callback,
            Step::Close(_) => TicketAction::Close,
            Step::Merge(_) => TicketAction::Merge,
        }
    }

    fn note(&self) -> Option<&str> {
        match self {
            Step::Dispatch(x) => x.note.as_deref(),
            Step::Return(x) => Some(&x.reason),
            Step::RequestExtension(x) => Some(&x.reason),
            Step::DecideExtension(x) => x.note.as_deref(),
            Step::Reply(x) => Some(&x.reply),
            Step::Callback(x) => x.note.as_deref(),
            Step::Close(x) => x.note.as_deref(),
            Step::Merge(x) => x.note.as_deref(),
        }
    }

    fn facts(&self, t: &Ticket, today: NaiveDate) -> TicketFacts {
        TicketFacts {
            today,
            due_date: t.due_date,
            extension_pending: t.extension_request.is_some(),
            approving: matches!(self, Step::DecideExtension(x) if x.approved),
            satisfied: !matches!(self, Step::Callback(x) if !x.satisfied),
        }
    }
}

/// What a step records in the ticket's trail (`data`).
#[derive(Serialize)]
#[serde(untagged)]
enum StepData {
    Dispatched {
        organization_id: Uuid,
        due_date: NaiveDate,
    },
    Returned {
        organization_id: Option<Uuid>,
        returns: i32,
    },
    ExtensionRequested(PendingExtension),
    ExtensionDecided {
        approved: bool,
        days: u32,
        due_date: Option<NaiveDate>,
    },
    Replied {
        public: bool,
        on_time: bool,
    },
    CalledBack {
        satisfied: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        due_date: Option<NaiveDate>,
    },
    Closed {},
    Merged {
        into: Uuid,
        number: String,
    },
}

#[derive(Serialize)]
struct Absorbed<'a> {
    ticket: Uuid,
    number: &'a str,
}

#[derive(Serialize)]
struct Before {
    state: TicketState,
}

#[derive(Serialize)]
struct After<'a> {
    state: TicketState,
    note: Option<&'a str>,
    data: &'a StepData,
}

/// When and by whom a step is taken.
struct Moment {
    now: DateTime<Utc>,
    today: NaiveDate,
}

fn json(data: &impl Serialize) -> AppResult<serde_json::Value> {
    serde_json::to_value(data).map_err(|e| {
        log::error!("cannot serialise a ticket step: {e}");
        ApiError::internal()
    })
}

fn deadline(t: &Ticket) -> Target {
    Target::of(StoredDeadline::Ticket, t.id)
}

/// The due date of a ticket from `start`, by the limits of the department at `org`.
async fn due_from(
    c: &mut Conn,
    t: &Ticket,
    org: &Organization,
    start: NaiveDate,
    days: impl FnOnce(&TicketLimits) -> u32,
) -> AppResult<NaiveDate> {
    let (rules, _) = supervision::rules_at(c, org.path.as_str()).await?;
    let basis = DeadlineBasis::after(start, days(&rules.ticket_limits));
    Ok(crate::deadlines::count(c, deadline(t), basis)
        .await?
        .due_date)
}

/// The ticket a step acts on, locked: the hotline acts on tickets of its centres, a
/// department on tickets it holds (404 for any other), with the acting organisation.
async fn acted_on(
    c: &mut Conn,
    actor: &Actor,
    id: TicketId,
    action: TicketAction,
) -> AppResult<(Ticket, Organization)> {
    let t = match repo::get_ticket(c, id, true).await {
        Ok(t) => t,
        Err(DbError::NotFound) => return Err(ApiError::not_found("ticket")),
        Err(e) => return Err(e.into()),
    };
    let acting = if by_department(action) {
        t.responsible_org_id
    } else {
        Some(t.center_id)
    };
    let Some(org) = acting else {
        return Err(ApiError::not_found("ticket"));
    };
    let org = orgs::get(c, org).await?;
    if !actor.sees(&org.path) {
        return Err(ApiError::not_found("ticket"));
    }
    Ok((t, org))
}

/// The one transition of a ticket.
async fn step(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    step: Step,
) -> AppResult<TicketView> {
    let action = step.action();
    actor.require(TICKET_FLOW.roles(action))?;
    if let Step::Merge(m) = &step {
        m.check_target(id)?;
    }
    let at = Moment {
        now: app.clock.now(),
        today: app.today(),
    };
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut t, org) = acted_on(c, actor, id, action).await?;
        expect.check(t.version)?;
        let from = TicketState::parse(&t.state).ok_or_else(ApiError::internal)?;
        let next = decide_ticket(from, action, actor.role, &step.facts(&t, at.today))?;
        let data = effect(c, actor, &at, &mut t, &org, &step).await?;
        t.state = next.as_str().to_owned();
        let saved = repo::save_ticket(c, &t).await?;
        let note = step.note().map(str::trim);
        let (name, trail) = (action.as_str(), json(&data)?);
        repo::add_event(c, id, at.now, actor.id, name, note, trail).await?;
        let after = After {
            state: next,
            note,
            data: &data,
        };
        let event = match next {
            _ if next == from && action != TicketAction::Dispatch => None,
            TicketState::Dispatched => Some(EventType::TicketDispatched),
            TicketState::Returned => Some(EventType::TicketReturned),
            TicketState::Replied => Some(EventType::TicketReplied),
            TicketState::Reopened => Some(EventType::TicketReopened),
            _ => None,
        };
        if let Some(event) = event {
            report(c, at.now, event, &saved, next).await?;
        }
        let (kind, path) = ("hotline_ticket", Some(&org.path));
        let before = Some(&Before { state: from });
        audit
            .record(
                c,
                &audit_action(action),
                kind,
                id,
                path,
                before,
                Some(&after),
            )
            .await?;
        let years = crate::deadlines::flags_of(c, saved.id).await?;
        Ok(TicketView {
            ticket: saved,
            hotline_staff: !by_department(action),
            years_without_calendar: years,
            query_code: None,
        })
    })
    .await
}

/// What a step changes on the ticket beyond its state.
async fn effect(
    c: &mut Conn,
    actor: &Actor,
    at: &Moment,
    t: &mut Ticket,
    org: &Organization,
    step: &Step,
) -> AppResult<StepData> {
    match step {
        Step::Dispatch(x) => dispatched(c, actor, at, t, x.organization).await,
        Step::Return(_) => returned(c, t).await,
        Step::RequestExtension(x) => {
            let pending = PendingExtension {
                days: x.days,
                reason: x.reason.clone(),
                requested_on: at.today,
            };
            t.extension_request = Some(json(&pending)?);
            Ok(StepData::ExtensionRequested(pending))
        }
        Step::DecideExtension(x) => extension_decided(c, at, t, x.approved).await,
        Step::Reply(x) => {
            t.reply = Some(x.reply.clone());
            t.replied_at = Some(at.now);
            t.public_answer = x.public && !t.classified;
            let on_time = t.due_date.is_none_or(|d| at.today <= d);
            Ok(StepData::Replied {
                public: t.public_answer,
                on_time,
            })
        }
        Step::Callback(x) => called_back(c, at, t, org, x.satisfied).await,
        Step::Close(_) => {
            t.closed_at = Some(at.now);
            Ok(StepData::Closed {})
        }
        Step::Merge(x) => merged(c, actor, at, t, x.into).await,
    }
}

/// 派单: the due date follows the kind's limit at the department.
async fn dispatched(
    c: &mut Conn,
    actor: &Actor,
    at: &Moment,
    t: &mut Ticket,
    to: OrganizationId,
) -> AppResult<StepData> {
    let visible = |p: &_| actor.sees(p);
    let message = "no such organisation in your scope";
    let target = referenced_org(c, to, visible, "/organization_id", message).await?;
    let kind = TicketKind::parse(&t.kind).ok_or_else(ApiError::internal)?;
    let urgency = Urgency::parse(&t.urgency).ok_or_else(ApiError::internal)?;
    let due = due_from(c, t, &target, at.today, |l| l.days(kind, urgency)).await?;
    t.responsible_org_id = Some(target.id);
    t.dispatched_on = Some(at.today);
    t.due_date = Some(due);
    t.extension_days = 0;
    t.extension_request = None;
    Ok(StepData::Dispatched {
        organization_id: target.id,
        due_date: due,
    })
}

/// 退单: back to the hotline, the deadline forgotten.
async fn returned(c: &mut Conn, t: &mut Ticket) -> AppResult<StepData> {
    let data = StepData::Returned {
        organization_id: t.responsible_org_id,
        returns: t.return_count + 1,
    };
    t.return_count += 1;
    t.responsible_org_id = None;
    t.dispatched_on = None;
    t.due_date = None;
    zhengwu_persistence::deadlines::forget(c, &deadline(t)).await?;
    t.extension_request = None;
    Ok(data)
}

async fn extension_decided(
    c: &mut Conn,
    at: &Moment,
    t: &mut Ticket,
    approved: bool,
) -> AppResult<StepData> {
    let request = t.extension_request.take();
    let days = request
        .as_ref()
        .and_then(|r| r.get("days"))
        .and_then(serde_json::Value::as_u64)
        .map_or(0, |d| u32::try_from(d).unwrap_or(0));
    if approved {
        let due = t.due_date.unwrap_or(at.today);
        let extended = crate::deadlines::extend(c, deadline(t), due, days).await?;
        t.due_date = Some(extended.due_date);
        t.extension_days += i32::try_from(days).unwrap_or(0);
    }
    Ok(StepData::ExtensionDecided {
        approved,
        days,
        due_date: t.due_date,
    })
}

/// 回访: an unsatisfied caller reopens the ticket (重办) with the reopening limit again.
async fn called_back(
    c: &mut Conn,
    at: &Moment,
    t: &mut Ticket,
    org: &Organization,
    satisfied: bool,
) -> AppResult<StepData> {
    t.callback_satisfied = Some(satisfied);
    if satisfied {
        return Ok(StepData::CalledBack {
            satisfied,
            due_date: None,
        });
    }
    let holder = match t.responsible_org_id {
        Some(o) => orgs::get(c, o).await?,
        None => org.clone(),
    };
    let due = due_from(c, t, &holder, at.today, |l| l.reopened).await?;
    t.reopen_count += 1;
    t.dispatched_on = Some(at.today);
    t.due_date = Some(due);
    t.extension_days = 0;
    Ok(StepData::CalledBack {
        satisfied,
        due_date: Some(due),
    })
}

/// Into another ticket of the actor's centres, which records it in its trail.
async fn merged(
    c: &mut Conn,
    actor: &Actor,
    at: &Moment,
    t: &mut Ticket,
    into: TicketId,
) -> AppResult<StepData> {
    let unknown = || ApiError::field("/into", Code::ReferenceNotFound, "no such ticket");
    let target = match repo::get_ticket(c, into, false).await {
        Ok(o) => o,
        Err(DbError::NotFound) => return Err(unknown()),
        Err(e) => return Err(e.into()),
    };
    if !actor.sees(&orgs::get(c, target.center_id).await?.path) {
        return Err(unknown());
    }
    if target.state == TicketState::Merged.as_str() {
        let message = "that ticket was itself merged";
        return Err(ApiError::field("/into", Code::MergeIntoMerged, message));
    }
    t.merged_into = Some(target.id);
    t.closed_at = Some(at.now);
    t.due_date = None;
    zhengwu_persistence::deadlines::forget(c, &deadline(t)).await?;
    let absorbed = Absorbed {
        ticket: t.id,
        number: &t.number,
    };
    let data = json(&absorbed)?;
    repo::add_event(c, into, at.now, actor.id, "absorb", None, data).await?;
    Ok(StepData::Merged {
        into: target.id,
        number: target.number,
    })
}

/// 派单 to the responsible department (operators).
pub async fn dispatch(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: DispatchTicket,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::Dispatch(cmd)).await
}

/// 退单 (the department).
pub async fn return_ticket(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: ReturnTicket,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::Return(cmd)).await
}

/// Ask for more working days (the department).
pub async fn request_extension(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: RequestExtension,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::RequestExtension(cmd)).await
}

/// Approve or refuse the pending extension request (operators).
pub async fn decide_extension(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: DecideExtension,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::DecideExtension(cmd)).await
}

/// Reply (the department).
pub async fn reply(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: ReplyTicket,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::Reply(cmd)).await
}

/// 回访 (operators).
pub async fn callback(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: CallbackTicket,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::Callback(cmd)).await
}

/// 办结 (operators).
pub async fn close(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: CloseTicket,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::Close(cmd)).await
}

/// Merge a duplicate into another ticket (operators).
pub async fn merge(
    app: &AppState,
    actor: &Actor,
    id: TicketId,
    expect: &IfMatch,
    cmd: MergeTicket,
) -> AppResult<TicketView> {
    step(app, actor, id, expect, Step::Merge(cmd)).await
}

/// 403 unless the actor's role may take `action` on a ticket at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: TicketAction) -> AppResult<()> {
    crate::app::may(&TICKET_FLOW, actor, action)
}

/// Writes a domain event about the ticket (as it is after the step) to the outbox, for the
/// organisation handling it (the hotline centre when none is).
async fn report(
    c: &mut Conn,
    at: chrono::DateTime<chrono::Utc>,
    event: EventType,
    t: &Ticket,
    state: TicketState,
) -> AppResult<()> {
    let org = orgs::get(c, t.responsible_org_id.unwrap_or(t.center_id)).await?;
    let data = EventData::Ticket(TicketEventData {
        ticket_id: t.id,
        number: t.number.clone(),
        kind: TicketKind::parse(&t.kind).ok_or_else(ApiError::internal)?,
        state,
        organization_id: org.id,
        due_date: t.due_date,
    });
    let change = Change {
        event,
        collection: "hotline/tickets",
        id: t.id,
        org: (org.id, &org.path),
        owner: t.submitter_id,
        data,
    };
    outbox::emit(c, at, change).await
}
