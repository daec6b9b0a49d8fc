//! The transitions of an application's clock: one use case per action, all through one
//! [`transition`]: load what the actor may see and lock it, check If-Match, let
//! [`REQUEST_FLOW`] decide, apply the action's effect, keep the reply date, save, trail
//! and audit.

use chrono::{Datelike, NaiveDate};
use diesel_async::AsyncConnection;
use serde::Serialize;
use zhengwu_domain::calendar::{Calendar, DeadlineBasis, StoredDeadline};
use zhengwu_domain::codes::Code;
use zhengwu_domain::events::{ApplicationEventData, EventData, EventType};
use zhengwu_domain::ids::DisclosureRequestId;
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::requests::commands::{
    self as cmd, Consult, Extend, FeeBasis, RecordOpinion, Reply, RequestCorrection, StopKind,
    SubmitCorrection,
};
use zhengwu_domain::requests::{
    self as rules, FeeMethod, REQUEST_FLOW, ReplyType, RequestAction, RequestFacts, RequestState,
};
use zhengwu_domain::validation::RuleViolation;
use zhengwu_persistence::Conn;
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::requests::{self as repo, Request};

use super::view::view;
use super::{calendar_from, clock_of, keep_reply_due, visible};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::outbox::{self, Change};
use crate::routes::requests::dto::RequestDto;
use crate::state::AppState;

/// One correction notice within 7 working days of receipt; the clock stops.
pub async fn request_correction(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    cmd: RequestCorrection,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::RequestCorrection(cmd)).await
}

/// The correction arrives: the clock counts again from today.
pub async fn submit_correction(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    cmd: SubmitCorrection,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::SubmitCorrection(cmd)).await
}

/// The correction deadline passed without a correction: deemed withdrawn.
pub async fn close_lapsed(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::CloseLapsed).await
}

/// A third party or another agency is consulted; the clock stops.
pub async fn consult(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    cmd: Consult,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::Consult(cmd)).await
}

/// The consulted party's opinion arrives; the clock runs again.
pub async fn record_opinion(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    cmd: RecordOpinion,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::Opinion(cmd)).await
}

/// The one extension of the reply limit.
pub async fn extend(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    cmd: Extend,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::Extend(cmd)).await
}

/// A fee notice; the clock stops until it is paid.
pub async fn fee_notice(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    basis: FeeBasis,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::FeeNotice(basis)).await
}

/// The fee was paid; the clock runs again.
pub async fn fee_paid(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::FeePaid).await
}

/// The reply, late or not.
pub async fn reply(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    cmd: Reply,
) -> AppResult<RequestDto> {
    transition(app, actor, id, expect, Effect::Reply(cmd)).await
}

/// What an action does besides moving the state.
enum Effect {
    RequestCorrection(RequestCorrection),
    SubmitCorrection(SubmitCorrection),
    CloseLapsed,
    Consult(Consult),
    Opinion(RecordOpinion),
    Extend(Extend),
    FeeNotice(FeeBasis),
    FeePaid,
    Reply(Reply),
}

impl Effect {
    fn action(&self) -> RequestAction {
        match self {
            Effect::RequestCorrection(_) => RequestAction::RequestCorrection,
            Effect::SubmitCorrection(_) => RequestAction::SubmitCorrection,
            Effect::CloseLapsed => RequestAction::LapseCorrection,
            Effect::Consult(_) => RequestAction::Consult,
            Effect::Opinion(_) => RequestAction::ReceiveOpinion,
            Effect::Extend(_) => RequestAction::Extend,
            Effect::FeeNotice(_) => RequestAction::NoticeFee,
            Effect::FeePaid => RequestAction::PayFee,
            Effect::Reply(_) => RequestAction::Reply,
        }
    }
}

/// The data of an action's trail entry.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Data {
    Nothing {},
    Correction {
        correction_due: NaiveDate,
    },
    Consulted {
        kind: StopKind,
        party: String,
        due_on: Option<NaiveDate>,
    },
    Extended {
        working_days: u32,
        applicant_notified: bool,
    },
    Fee {
        method: FeeMethod,
        amount_fen: i64,
        due: Option<NaiveDate>,
    },
    Replied {
        reply_type: ReplyType,
        late: bool,
    },
}

/// The trail entry of an action: its note and data.
struct Trail {
    note: Option<String>,
    data: Data,
}

impl Trail {
    fn data(data: Data) -> Self {
        Trail { note: None, data }
    }

    fn note(note: String) -> Self {
        Trail {
            note: Some(note),
            data: Data::Nothing {},
        }
    }

    fn nothing() -> Self {
        Trail::data(Data::Nothing {})
    }
}

/// The audit record before an action.
#[derive(Serialize)]
struct Before {
    state: RequestState,
    due_date: Option<NaiveDate>,
}

/// The audit record after an action.
#[derive(Serialize)]
struct After<'a> {
    state: RequestState,
    due_date: Option<NaiveDate>,
    data: &'a Data,
}

/// What an action's effect works with.
struct Step<'a> {
    actor: &'a Actor,
    day: NaiveDate,
    cal: Calendar,
    stops: Vec<repo::Stop>,
}

async fn transition(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
    expect: &IfMatch,
    effect: Effect,
) -> AppResult<RequestDto> {
    let action = effect.action();
    actor.require(REQUEST_FLOW.roles(action))?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut r, org) = visible(c, actor, id, true).await?;
        expect.check(r.version)?;
        let day = app.today();
        let facts = RequestFacts::of(r.correction_due, r.corrected_on, day);
        let next = REQUEST_FLOW.decide(r.state, action, actor.role, &facts)?;
        let before = Before {
            state: r.state,
            due_date: r.due_date,
        };
        let step = Step {
            actor,
            day,
            cal: calendar_from(c, r.received_on).await?,
            stops: repo::stops_of(c, id).await?,
        };
        let trail = apply(&step, c, &mut r, effect).await?;
        r.state = next;
        let stops = repo::stops_of(c, id).await?;
        let reading = clock_of(&r, &stops).read(&step.cal, day).ok();
        r.due_date = keep_reply_due(c, id, reading).await?.or(r.due_date);
        let saved = repo::save(c, &r).await?;
        let data = serde_json::to_value(&trail.data).map_err(|_| ApiError::internal())?;
        let (now, note) = (app.clock.now(), trail.note.as_deref());
        repo::add_event(c, id, now, actor.id, action.as_str(), note, data).await?;
        let event = match (action, &trail.data) {
            (RequestAction::Extend, _) => Some((EventType::ApplicationExtended, None)),
            (_, Data::Replied { reply_type, .. }) => {
                Some((EventType::ApplicationReplied, Some(*reply_type)))
            }
            _ => None,
        };
        if let Some((event, reply_type)) = event {
            report(c, now, event, &saved, &org.path, reply_type).await?;
        }
        let after = After {
            state: saved.state,
            due_date: saved.due_date,
            data: &trail.data,
        };
        let (name, path) = (format!("disclosure_request.{action}"), Some(&org.path));
        let kind = "disclosure_request";
        audit
            .record(c, &name, kind, id, path, Some(&before), Some(&after))
            .await?;
        view(app, c, saved).await
    })
    .await
}

/// Writes a domain event about the application (as it is after the change) to the outbox.
pub(super) async fn report(
    c: &mut Conn,
    at: chrono::DateTime<chrono::Utc>,
    event: EventType,
    r: &Request,
    path: &OrgPath,
    reply_type: Option<ReplyType>,
) -> AppResult<()> {
    let data = EventData::Application(ApplicationEventData {
        application_id: r.id.0,
        number: r.number.clone(),
        organization_id: r.organization_id.0,
        state: r.state,
        received_on: r.received_on,
        due_date: r.due_date,
        reply_type,
    });
    let change = Change {
        event,
        collection: "disclosure-requests",
        id: r.id.0,
        org: (r.organization_id.0, path),
        owner: r.applicant_id.map(|u| u.0),
        data,
    };
    outbox::emit(c, at, change).await
}

async fn apply(s: &Step<'_>, c: &mut Conn, r: &mut Request, effect: Effect) -> AppResult<Trail> {
    match effect {
        Effect::RequestCorrection(x) => request_correction_effect(s, r, x),
        Effect::SubmitCorrection(x) => {
            r.corrected_on = Some(s.day);
            r.restarted_on = Some(s.day);
            if let Some(d) = x.description {
                r.description = d;
            }
            Ok(Trail::nothing())
        }
        Effect::CloseLapsed => {
            let lapsed = Reply {
                reply_type: ReplyType::OtherCorrectionOverdue,
                text: cmd::LAPSED_REPLY_TEXT.to_owned(),
                responsible_agency: None,
                provided_items: Vec::new(),
            };
            insert_reply(s, c, r.id, lapsed, false).await?;
            Ok(Trail::nothing())
        }
        Effect::Consult(x) => consult_effect(s, c, r.id, x).await,
        Effect::Opinion(x) => {
            end_open_stop(s, c, r.id, Some(&x.opinion)).await?;
            Ok(Trail::note(x.opinion))
        }
        Effect::Extend(x) => extend_effect(s, r, x),
        Effect::FeeNotice(basis) => fee_notice_effect(s, c, r, basis).await,
        Effect::FeePaid => {
            end_open_stop(s, c, r.id, None).await?;
            Ok(Trail::nothing())
        }
        Effect::Reply(x) => reply_effect(s, c, r, x).await,
    }
}

fn conflict(v: RuleViolation) -> ApiError {
    ApiError::conflict(v.code, v.message)
}

fn at(pointer: &'static str) -> impl Fn(RuleViolation) -> ApiError {
    move |v| ApiError::field(pointer, v.code, v.message)
}

fn request_correction_effect(
    s: &Step<'_>,
    r: &mut Request,
    x: RequestCorrection,
) -> AppResult<Trail> {
    let stops = &s.stops;
    clock_of(r, stops)
        .check_correction_notice(&s.cal, s.day)
        .map_err(conflict)?;
    cmd::check_correction_due(x.correction_due, s.day).map_err(at("/correction_due"))?;
    r.correction_due = Some(x.correction_due);
    Ok(Trail {
        note: Some(x.items),
        data: Data::Correction {
            correction_due: x.correction_due,
        },
    })
}

/// Opens a stop of the clock (a consultation or a fee) with its own deadline.
async fn start_stop(
    s: &Step<'_>,
    c: &mut Conn,
    id: DisclosureRequestId,
    kind: StopKind,
    party: Option<String>,
    working_days: u32,
) -> AppResult<Option<NaiveDate>> {
    let seq = s.stops.len() as i32 + 1;
    let deadline = match kind {
        StopKind::Fee => StoredDeadline::RequestFee,
        StopKind::ThirdParty | StopKind::Agency => StoredDeadline::RequestConsultation,
    };
    let target = Target {
        kind: deadline,
        object_id: id.0,
        seq,
    };
    let basis = DeadlineBasis::after(s.day, working_days);
    let due = Some(crate::deadlines::count(c, target, basis).await?.due_date);
    let stop = repo::Stop {
        request_id: id.0,
        seq,
        kind: kind.as_str().to_owned(),
        party,
        start_on: s.day,
        due_on: due,
        end_on: None,
        opinion: None,
    };
    repo::start_stop(c, &stop).await?;
    Ok(due)
}

/// Closes the stop that is open, if there is one.
async fn end_open_stop(
    s: &Step<'_>,
    c: &mut Conn,
    id: DisclosureRequestId,
    opinion: Option<&str>,
) -> AppResult<bool> {
    let Some(open) = s.stops.iter().find(|x| x.end_on.is_none()) else {
        return Ok(false);
    };
    repo::end_stop(c, id, open.seq, s.day, opinion).await?;
    Ok(true)
}

async fn consult_effect(
    s: &Step<'_>,
    c: &mut Conn,
    id: DisclosureRequestId,
    x: Consult,
) -> AppResult<Trail> {
    let party = Some(x.party.clone());
    let days = rules::CONSULTATION_WORKING_DAYS;
    let due = start_stop(s, c, id, x.kind, party, days).await?;
    Ok(Trail::data(Data::Consulted {
        kind: x.kind,
        party: x.party,
        due_on: due,
    }))
}

fn extend_effect(s: &Step<'_>, r: &mut Request, x: Extend) -> AppResult<Trail> {
    let clock = clock_of(r, &s.stops);
    clock
        .check_extension(x.working_days)
        .map_err(at("/working_days"))?;
    clock
        .check_extension_in_time(&s.cal, s.day)
        .map_err(conflict)?;
    r.extension_days = x.working_days;
    Ok(Trail {
        note: Some(x.reason),
        data: Data::Extended {
            working_days: x.working_days,
            applicant_notified: true,
        },
    })
}

/// Which application of its calendar month, in order of receipt, `r` is for its
/// applicant; `None` without an account.
async fn nth_in_month(c: &mut Conn, r: &Request) -> AppResult<Option<u32>> {
    let Some(applicant) = r.applicant_id else {
        return Ok(None);
    };
    let first = r.received_on.with_day(1).unwrap_or(r.received_on);
    let all = repo::receipts_of_applicant(c, applicant, first, r.received_on).await?;
    Ok(Some(rules::nth_in_month(r.receipt(), &all)))
}

async fn fee_notice_effect(
    s: &Step<'_>,
    c: &mut Conn,
    r: &mut Request,
    basis: FeeBasis,
) -> AppResult<Trail> {
    let nth = match basis {
        FeeBasis::ByCase => nth_in_month(c, r).await?,
        FeeBasis::ByVolume { .. } => None,
    };
    let amount = cmd::fee_of(basis, nth).map_err(at("/method"))?;
    cmd::check_one_fee(r.fee_method).map_err(conflict)?;
    cmd::check_fee_due(amount).map_err(|v| ApiError::unprocessable(v.code, v.message))?;
    let days = rules::FEE_PAYMENT_WORKING_DAYS;
    let due = start_stop(s, c, r.id, StopKind::Fee, None, days).await?;
    r.fee_method = Some(basis.method());
    r.fee_fen = Some(amount);
    r.fee_due = due;
    Ok(Trail::data(Data::Fee {
        method: basis.method(),
        amount_fen: amount,
        due,
    }))
}

async fn reply_effect(s: &Step<'_>, c: &mut Conn, r: &Request, x: Reply) -> AppResult<Trail> {
    if r.state == RequestState::AwaitingFee {
        cmd::check_reply_while_fee_due(x.reply_type, r.fee_due, s.day)
            .map_err(at("/reply_type"))?;
    }
    let reading = clock_of(r, &s.stops)
        .read(&s.cal, s.day)
        .map_err(|e| ApiError::unprocessable(Code::RequestClock, e.to_string()))?;
    let late = reading.due_date.is_some_and(|d| s.day > d);
    end_open_stop(s, c, r.id, None).await?;
    let reply_type = x.reply_type;
    insert_reply(s, c, r.id, x, late).await?;
    Ok(Trail::data(Data::Replied { reply_type, late }))
}

async fn insert_reply(
    s: &Step<'_>,
    c: &mut Conn,
    id: DisclosureRequestId,
    reply: Reply,
    late: bool,
) -> AppResult<()> {
    let items = serde_json::to_value(&reply.provided_items).map_err(|_| ApiError::internal())?;
    let row = repo::ReplyRow {
        request_id: id.0,
        reply_type: reply.reply_type.as_str().to_owned(),
        reply_text: reply.text,
        responsible_agency: reply.responsible_agency,
        provided_items: items,
        replied_on: s.day,
        late,
        replied_by: s.actor.id,
    };
    repo::insert_reply(c, &row).await?;
    Ok(())
}
