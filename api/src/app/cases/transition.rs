//! The actions on a case: one use case each, sharing one transition (load the visible
//! case and lock it, check If-Match, let the table decide, apply the action's effect,
//! persist, record the trail and the audit event).

mod effects;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use zhengwu_domain::calendar::StoredDeadline;
use zhengwu_domain::cases::Decision;
use zhengwu_domain::cases::{
    CASE_FLOW, CaseAction, CaseCommand, CaseFlowFacts, CaseState, Charge, DecideCase, Delivery,
    Extension, MissingMaterial, ReviewStep, SubmittedMaterial, Suspension, project_decision,
};
use zhengwu_domain::events::{CaseEventData, EventData, EventType};
use zhengwu_domain::ids::{CaseId, UserId};
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::cases::{self as repo, Case};
use zhengwu_persistence::deadlines::{self as kept, Target};
use zhengwu_persistence::{Conn, DbError, orgs};

use super::events::{After, Before, EventData as TrailData};
use super::view::{CaseView, ClockSources, clock_with_sources, view_after};
use super::{Actor, AppResult, visible_case};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::outbox::{self, Change};
use crate::state::AppState;

/// Accept (受理): the clock starts.
pub async fn accept(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    note: Option<String>,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Accept(note)).await
}

/// Refuse to accept (不予受理), with the reason.
pub async fn refuse(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    reason: String,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Refuse(reason)).await
}

/// One-time notice (一次性告知) of every missing or defective material.
pub async fn notify_missing(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    items: Vec<MissingMaterial>,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::NotifyMissing(items)).await
}

/// Hand in the corrected materials: a new submission round.
pub async fn resubmit(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    materials: Vec<SubmittedMaterial>,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Resubmit(materials)).await
}

/// Assign to a staff member of the handling organisation.
pub async fn assign(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    assignee: UserId,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Assign(assignee)).await
}

/// Record a review step (一审一核).
pub async fn step(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    step: ReviewStep,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Step(step)).await
}

/// Start a special procedure: the clock stops.
pub async fn suspend(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    s: Suspension,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Suspend(s)).await
}

/// End the special procedure.
pub async fn resume(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    note: Option<String>,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Resume(note)).await
}

/// Extend the time limit once.
pub async fn extend(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    x: Extension,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Extend(x)).await
}

/// Decide (办结); the last sub-case decided concludes its project.
pub async fn decide(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    d: DecideCase,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Decide(d)).await
}

/// Deliver the result.
pub async fn deliver(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    d: Delivery,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Deliver(d)).await
}

/// Record what was charged per fee item.
pub async fn charge(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    items: Vec<Charge>,
) -> AppResult<CaseView> {
    transition(app, actor, id, expect, CaseCommand::Charge(items)).await
}

/// The one transition every action takes.
async fn transition(
    app: &AppState,
    actor: &Actor,
    id: CaseId,
    expect: &IfMatch,
    cmd: CaseCommand,
) -> AppResult<CaseView> {
    let action = cmd.action();
    actor.require(CASE_FLOW.roles(action))?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        // The case, where it lies and its outcome in one round trip (the outcome is read
        // after the case's lock is taken, and dropped unseen if the case is not visible).
        let shared: &Conn = c;
        let ((mut case, org), mut outcome) =
            futures_util::future::try_join(visible_case(shared, actor, id, true), async {
                repo::outcome_of(shared, id).await.map_err(|e| match e {
                    DbError::NotFound => ApiError::not_found("case"),
                    e => e.into(),
                })
            })
            .await?;
        expect.check(case.version)?;
        let facts = facts_of(c, &case, action).await?;
        let before = Before {
            state: case.state,
            due_date: case.due_date,
        };
        case.state = CASE_FLOW.decide(case.state, action, actor.role, &facts)?;
        let at = effects::At {
            app,
            actor,
            org: &org,
            now: app.clock.now(),
            day: app.today(),
        };
        let done = effects::apply(c, &at, &mut case, &mut outcome, &cmd).await?;
        let sources = follow_clock(c, &at, &mut case).await?;
        let data = done.data.value()?;
        let note = done.note.as_deref();
        // The case, its outcome and the line of its trail are written together.
        let changes = repo::CaseChanges::of(&case)?;
        let ((saved, outcome), ()) = futures_util::future::try_join(
            repo::save(c, id, &changes, &outcome),
            repo::add_event(c, id, at.now, actor.id, action.as_str(), note, data),
        )
        .await?;
        if let (CaseAction::Decide, Some(parent)) = (action, saved.parent_id) {
            conclude_project(c, app, parent, at.now).await?;
        }
        let after = After {
            state: saved.state,
            due_date: saved.due_date,
            note,
            data: &done.data,
        };
        // The audit append takes the chain's lock until commit: it comes last, so that
        // concurrent transitions wait for one insert, not for this representation too.
        if let Some(event) = event_of(action) {
            let decision = outcome.decision()?;
            report(c, at.now, event, &saved, &org.path, decision).await?;
        }
        let view = view_after(app, c, saved, outcome, sources).await?;
        let name = format!("case.{action}");
        let path = Some(&org.path);
        audit
            .record(c, &name, "case", id, path, Some(&before), Some(&after))
            .await?;
        Ok(view)
    })
    .await
}

/// The domain event an action reports, if any.
fn event_of(action: CaseAction) -> Option<EventType> {
    Some(match action {
        CaseAction::Accept => EventType::CaseAccepted,
        CaseAction::Refuse => EventType::CaseRefused,
        CaseAction::Suspend => EventType::CaseSuspended,
        CaseAction::Resume => EventType::CaseResumed,
        CaseAction::Extend => EventType::CaseExtended,
        CaseAction::Decide => EventType::CaseDecided,
        CaseAction::Deliver => EventType::CaseDelivered,
        _ => return None,
    })
}

/// Writes a domain event about the case (as it is after the change) to the outbox.
pub(super) async fn report(
    c: &mut Conn,
    at: DateTime<Utc>,
    event: EventType,
    case: &Case,
    path: &OrgPath,
    decision: Option<Decision>,
) -> AppResult<()> {
    let data = EventData::Case(CaseEventData {
        case_id: case.id.0,
        number: case.number.clone(),
        organization_id: case.organization_id,
        matter_id: case.matter_id,
        project_id: case.parent_id.map(|p| p.0),
        state: case.state,
        received_on: case.received_on,
        accepted_on: case.accepted_on,
        due_date: case.due_date,
        decided_on: case.decided_on,
        decision,
    });
    let change = Change {
        event,
        collection: "cases",
        id: case.id.0,
        org: (case.organization_id, path),
        owner: case.applicant_id,
        data,
    };
    outbox::emit(c, at, change).await
}

/// What the table's guards need to know of the case.
async fn facts_of(c: &mut Conn, case: &Case, action: CaseAction) -> AppResult<CaseFlowFacts> {
    let notice_in_round = if action == CaseAction::NotifyMissing {
        let notices = repo::notices_of(c, case.id).await?;
        notices.iter().any(|n| n.round == case.submission_round)
    } else {
        false
    };
    Ok(CaseFlowFacts {
        is_project: case.matter_id.is_none(),
        notice_in_round,
    })
}

/// The due date follows the clock: set at acceptance, moved by pauses and extensions.
/// Returns what the clock was read from, when it was read (after the action's writes to
/// the special procedures).
async fn follow_clock(
    c: &mut Conn,
    at: &effects::At<'_>,
    case: &mut Case,
) -> AppResult<Option<ClockSources>> {
    if case.accepted_on.is_none() || case.state == CaseState::Suspended {
        return Ok(None);
    }
    let (clock, sources) = clock_with_sources(c, case, at.day).await?;
    let reading = clock.reading;
    case.due_date = reading.as_ref().and_then(|r| r.due_date);
    if let (Some(r), Some(due)) = (reading, case.due_date) {
        let target = Target::of(StoredDeadline::Case, case.id.0);
        let years = &r.years_without_schedule;
        kept::keep(c, &target, &r.basis, due, years).await?;
    }
    Ok(Some(sources))
}

/// A project is decided when all its sub-cases are: approved when all were approved.
async fn conclude_project(
    c: &mut Conn,
    app: &AppState,
    parent: CaseId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut subs = Vec::new();
    for s in repo::children_of(c, parent).await? {
        subs.push((s.state, repo::outcome_of(c, s.id).await?.decision()?));
    }
    let Some(decision) = project_decision(&subs) else {
        return Ok(());
    };
    let mut project = repo::get_case_for_update(c, parent).await?;
    let facts = CaseFlowFacts {
        is_project: true,
        notice_in_round: false,
    };
    let Ok(next) = CASE_FLOW.decide_as_system(project.state, CaseAction::Conclude, &facts) else {
        return Ok(());
    };
    project.state = next;
    project.decided_on = Some(app.today());
    let mut outcome = repo::outcome_of(c, parent).await?;
    outcome.decision = Some(decision.as_str().to_owned());
    outcome.decided_at = Some(now);
    let (saved, _) = repo::save(c, parent, &repo::CaseChanges::of(&project)?, &outcome).await?;
    let org = orgs::get(c, saved.organization_id).await?;
    report(
        c,
        now,
        EventType::CaseDecided,
        &saved,
        &org.path,
        Some(decision),
    )
    .await?;
    let data = TrailData::Concluded { decision }.value()?;
    let note = Some("all sub-cases decided");
    repo::add_event(c, parent, now, None, "decide", note, data).await?;
    Ok(())
}
