//! What each action does to a case beyond its state: the outcome, the clock, notices,
//! steps, pauses and fees. The table has already allowed the action.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;
use zhengwu_domain::calendar::StoredDeadline;
use zhengwu_domain::cases::{
    self as rules, CaseCommand, Charge, DecideCase, Delivery, Extension, MissingMaterial,
    ReviewStep, SubmittedMaterial, Suspension, check_step_taker,
};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::UserId;
use zhengwu_domain::validation;
use zhengwu_persistence::cases::{self as repo, Case, Outcome};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::{Conn, calendar, matters, orgs, supervision, users};

use super::super::events::{EventData, FlaggedFee};
use super::super::view::{calendar_around, clock_of};
use super::super::{Actor, AppResult};
use crate::deadlines;
use crate::error::{ApiError, AtField};
use crate::state::AppState;

/// Where and when an action is taken.
pub(super) struct At<'a> {
    pub app: &'a AppState,
    pub actor: &'a Actor,
    pub org: &'a orgs::Organization,
    pub now: DateTime<Utc>,
    pub day: NaiveDate,
}

impl At<'_> {
    fn by(&self) -> AppResult<Uuid> {
        self.actor.id.ok_or_else(ApiError::internal)
    }
}

/// What an action recorded: the note and data of its line in the trail.
pub(super) struct Done {
    pub note: Option<String>,
    pub data: EventData,
}

impl Done {
    fn data(data: EventData) -> Self {
        Done { note: None, data }
    }

    fn note(note: Option<String>) -> Self {
        Done {
            note,
            data: EventData::Nothing {},
        }
    }
}

pub(super) async fn apply(
    c: &mut Conn,
    at: &At<'_>,
    case: &mut Case,
    outcome: &mut Outcome,
    cmd: &CaseCommand,
) -> AppResult<Done> {
    match cmd {
        CaseCommand::Accept(note) => accept(c, at, case, outcome, note).await,
        CaseCommand::Refuse(reason) => {
            outcome.refusal_reason = Some(reason.clone());
            Ok(Done::note(Some(reason.clone())))
        }
        CaseCommand::NotifyMissing(items) => notify(c, at, case, items).await,
        CaseCommand::Resubmit(materials) => resubmit(c, case, materials).await,
        CaseCommand::Assign(assignee) => assign(c, at, case, *assignee).await,
        CaseCommand::Step(s) => step(c, at, case, s).await,
        CaseCommand::Suspend(s) => suspend(c, at, case, s).await,
        CaseCommand::Resume(note) => {
            let pauses = repo::pauses_of(c, case.id).await?;
            if let Some(p) = pauses.iter().find(|p| p.end_on.is_none()) {
                repo::end_pause(c, case.id, p.seq, at.day).await?;
            }
            Ok(Done::note(note.clone()))
        }
        CaseCommand::Extend(x) => extend(c, at, case, outcome, x).await,
        CaseCommand::Decide(d) => decide(c, at, case, outcome, d).await,
        CaseCommand::Deliver(d) => deliver(at, case, outcome, d),
        CaseCommand::Charge(items) => charge(c, at, case, items).await,
    }
}

/// The names of the materials the case's matter version lists.
async fn listed_materials(c: &mut Conn, case: &Case) -> AppResult<Vec<String>> {
    Ok(match matter_of(c, case).await? {
        Some(v) => v.content.materials.into_iter().map(|m| m.name).collect(),
        None => Vec::new(),
    })
}

async fn matter_of(c: &mut Conn, case: &Case) -> AppResult<Option<matters::MatterVersion>> {
    Ok(match (case.matter_id, case.matter_version) {
        (Some(m), Some(v)) => Some(matters::get_version(c, m, v).await?),
        _ => None,
    })
}

/// The notice window of the organisation's supervision rules, in working days.
async fn notice_window(c: &Conn, at: &At<'_>) -> AppResult<u32> {
    let (rules_in_force, _) = supervision::rules_at(c, at.org.path.as_str()).await?;
    Ok(rules_in_force.notice_window_days)
}

/// AL Art.32: after a one-time notice later than the notice window the application
/// counts as accepted on the day it was received.
async fn accept(
    c: &mut Conn,
    at: &At<'_>,
    case: &mut Case,
    outcome: &mut Outcome,
    note: &Option<String>,
) -> AppResult<Done> {
    let tz = at.app.config.timezone;
    // The notices, the rules and the calendar are read together (one round trip).
    let (notices, window, cal) = futures_util::future::try_join3(
        async { Ok::<_, ApiError>(repo::notices_of(c, case.id).await?) },
        notice_window(c, at),
        async { Ok(calendar::calendar_for(c, case.received_on.year(), at.day.year()).await?) },
    )
    .await?;
    let first_notice = notices
        .first()
        .map(|n| n.at.with_timezone(&tz).date_naive());
    let on = rules::accepted_on(&cal, case.received_on, first_notice, at.day, window);
    case.accepted_on = Some(on);
    outcome.accepted_at = Some(at.now);
    let data = if on != at.day {
        EventData::AcceptedOnReceipt {
            accepted_on: on,
            notice_on: first_notice,
            counted_from_receipt: true,
        }
    } else {
        EventData::Nothing {}
    };
    Ok(Done {
        note: note.clone(),
        data,
    })
}

/// AL Art.32 (and Art.82: working days): a notice later than the window after receipt is
/// a supervision finding, and the case counts as accepted on receipt.
async fn notify(
    c: &mut Conn,
    at: &At<'_>,
    case: &Case,
    items: &[MissingMaterial],
) -> AppResult<Done> {
    let listed = listed_materials(c, case).await?;
    rules::check_notice_listed(&listed, items)?;
    let stored = serde_json::to_value(items).map_err(|_| ApiError::internal())?;
    let notice = repo::Notice {
        case_id: case.id.0,
        round: case.submission_round,
        items: stored,
        at: at.now,
        by_id: at.by()?,
    };
    repo::insert_notice(c, &notice).await?;
    let cal = calendar::calendar_for(c, case.received_on.year(), at.day.year()).await?;
    let window = notice_window(c, at).await?;
    let (days_after, late) =
        zhengwu_domain::supervision::notice_delay(&cal, case.received_on, at.day, window);
    Ok(Done::data(EventData::Notified {
        items: items.to_vec(),
        working_days_after_receipt: days_after,
        late,
    }))
}

async fn resubmit(
    c: &mut Conn,
    case: &mut Case,
    materials: &[SubmittedMaterial],
) -> AppResult<Done> {
    let listed = listed_materials(c, case).await?;
    rules::check_listed(&listed, materials, "/materials")?;
    case.submitted_materials = materials.to_vec();
    case.submission_round += 1;
    Ok(Done::note(None))
}

/// The assignee is an active staff member of the handling organisation's subtree.
async fn assign(c: &mut Conn, at: &At<'_>, case: &mut Case, assignee: UserId) -> AppResult<Done> {
    let ok = match users::get(c, assignee.0).await {
        Ok(u) if u.active && u.role.is_staff() => match u.organization_id {
            Some(o) => at.org.path.contains(&orgs::get(c, o).await?.path),
            None => false,
        },
        _ => false,
    };
    if !ok {
        return Err(ApiError::field(
            "/assignee_id",
            Code::ReferenceNotFound,
            "no active staff member of the handling organisation",
        ));
    }
    case.assignee_id = Some(assignee.0);
    Ok(Done::data(EventData::Assigned {
        assignee_id: assignee.0,
    }))
}

async fn step(c: &mut Conn, at: &At<'_>, case: &Case, s: &ReviewStep) -> AppResult<Done> {
    let recorded = repo::steps_of(c, case.id).await?;
    let by = at.by()?;
    check_step_taker(recorded.last().map(|p| UserId(p.actor_id)), UserId(by))?;
    let seq = recorded.len() as i32 + 1;
    let row = repo::Step {
        case_id: case.id.0,
        seq,
        name: s.name.clone(),
        actor_id: by,
        opinion: s.opinion.clone(),
        at: at.now,
    };
    repo::insert_step(c, &row).await?;
    Ok(Done {
        note: Some(s.opinion.clone()),
        data: EventData::Step {
            step: s.name.clone(),
            seq,
        },
    })
}

async fn suspend(c: &mut Conn, at: &At<'_>, case: &Case, s: &Suspension) -> AppResult<Done> {
    let pauses = repo::pauses_of(c, case.id).await?;
    let record = repo::PauseRecord {
        seq: pauses.len() as i32 + 1,
        procedure: s.procedure,
        reason: s.reason.clone(),
        start_on: at.day,
        expected_end: s.expected_end,
        end_on: None,
    };
    repo::start_pause(c, case.id, &record).await?;
    Ok(Done {
        note: Some(s.reason.clone()),
        data: EventData::Suspended {
            procedure: s.procedure,
            expected_end: s.expected_end,
        },
    })
}

/// Once, within the statutory limit plus its legal extension, before the due date.
async fn extend(
    c: &mut Conn,
    at: &At<'_>,
    case: &mut Case,
    outcome: &mut Outcome,
    x: &Extension,
) -> AppResult<Done> {
    let clock = clock_of(c, case, at.day).await?.clock;
    clock.check_extension(x.working_days).at("/working_days")?;
    let cal = calendar_around(c, clock.accepted_on).await?;
    clock
        .check_extension_in_time(&cal, at.day)
        .map_err(|v| ApiError::conflict(v.code, v.message))?;
    case.extension_days = x.working_days;
    outcome.extension_reason = Some(x.reason.clone());
    Ok(Done {
        note: Some(x.reason.clone()),
        data: EventData::Extended {
            working_days: x.working_days,
        },
    })
}

/// The decision starts the delivery deadline (AL Art.44).
async fn decide(
    c: &mut Conn,
    at: &At<'_>,
    case: &mut Case,
    outcome: &mut Outcome,
    d: &DecideCase,
) -> AppResult<Done> {
    case.decided_on = Some(at.day);
    let delivery = Target::of(StoredDeadline::CaseDelivery, case.id.0);
    let counted = deadlines::count(c, delivery, rules::delivery_due(at.day)).await?;
    outcome.delivery_due = Some(counted.due_date);
    outcome.decision = Some(d.decision.as_str().to_owned());
    outcome.decision_reason = d.reason.clone();
    outcome.result_number = d.result_number.clone();
    outcome.decided_at = Some(at.now);
    Ok(Done::data(EventData::Decided {
        decision: d.decision,
        result_number: d.result_number.clone(),
    }))
}

/// Delivered not before the decision and not in the future; late after its due date.
fn deliver(at: &At<'_>, case: &Case, outcome: &mut Outcome, d: &Delivery) -> AppResult<Done> {
    let decided = case.decided_on.map(|on| (on, "the decision"));
    let on = validation::event_date(d.delivered_on.unwrap_or(at.day), decided, at.day)
        .at("/delivered_on")?;
    outcome.delivered_on = Some(on);
    outcome.delivered_at = Some(at.now);
    outcome.delivery_method = Some(d.method.clone());
    Ok(Done::data(EventData::Delivered {
        method: d.method.clone(),
        delivered_on: on,
        delivery_due: outcome.delivery_due,
        late: rules::delivered_late(outcome.delivery_due, outcome.delivered_on),
    }))
}

/// Every fee is recorded; one outside the matter's list or above its standard is flagged.
async fn charge(c: &mut Conn, at: &At<'_>, case: &Case, items: &[Charge]) -> AppResult<Done> {
    let fees = matter_of(c, case)
        .await?
        .map(|v| v.content.fees)
        .unwrap_or_default();
    let mut anomalies = Vec::new();
    for it in items {
        let standard = fees
            .iter()
            .find(|f| f.name == it.name)
            .map(|f| f.standard_fen);
        let anomaly = rules::fee_anomaly(standard, it.amount_fen);
        if let Some(a) = anomaly {
            anomalies.push(FlaggedFee {
                item: it.name.clone(),
                anomaly: a,
            });
        }
        let fee = repo::Fee {
            id: Uuid::now_v7(),
            case_id: case.id.0,
            item_name: it.name.clone(),
            amount_fen: it.amount_fen,
            anomaly: anomaly.map(str::to_owned),
            at: at.now,
            by_id: at.by()?,
        };
        repo::insert_fee(c, &fee).await?;
    }
    Ok(Done::data(EventData::Charged {
        items: items.len(),
        anomalies,
    }))
}
