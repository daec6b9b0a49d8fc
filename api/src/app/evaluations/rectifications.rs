//! Rectifications (整改) of bad reviews: reading, listing and the steps of the workflow
//! (verify → rectify | explain → call back → close; annulled by an upheld appeal).

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::evaluation::{
    AppealState, EvaluationLevel, RECTIFICATION_FLOW, RectificationAction, RectificationFacts,
    RectificationState,
};
use zhengwu_domain::events::{EventData, EventType, RectificationEventData};
use zhengwu_domain::ids::{EvaluationId, OrganizationId, RectificationId};
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::workflow::Refusal;
use zhengwu_persistence::evaluations::{
    self as repo, Evaluation, Rectification, RectificationFilter,
};
use zhengwu_persistence::{Conn, DbError, orgs};

use crate::app::orders::who;
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::outbox::{self, Change};
use crate::state::AppState;

/// A step of a rectification with what it carries (each text trimmed and checked).
pub enum RectificationStep {
    Verify { findings: String },
    Rectify { measures: String },
    Explain { explanation: String },
    Callback { satisfied: bool, note: String },
    Close { note: Option<String> },
}

impl RectificationStep {
    fn action(&self) -> RectificationAction {
        match self {
            RectificationStep::Verify { .. } => RectificationAction::Verify,
            RectificationStep::Rectify { .. } => RectificationAction::Rectify,
            RectificationStep::Explain { .. } => RectificationAction::Explain,
            RectificationStep::Callback { .. } => RectificationAction::Callback,
            RectificationStep::Close { .. } => RectificationAction::Close,
        }
    }
}

/// A rectification with what its answer shows of the review and the case.
pub struct RectificationView {
    pub rectification: Rectification,
    pub state: RectificationState,
    pub case_id: Uuid,
    pub case_number: String,
    pub evaluation_level: EvaluationLevel,
    pub evaluation_text: Option<String>,
    pub years_without_calendar: Vec<i32>,
}

pub struct RectificationList {
    pub org: Option<OrganizationId>,
    pub state: Option<RectificationState>,
    pub after: Option<RectificationId>,
    pub limit: i64,
}

fn state_of(r: &Rectification) -> AppResult<RectificationState> {
    RectificationState::parse(&r.state).ok_or_else(ApiError::internal)
}

/// The views of rectifications, in three queries whatever their number.
async fn views(conn: &mut Conn, rows: Vec<Rectification>) -> AppResult<Vec<RectificationView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.evaluation_id).collect();
    let evaluations: HashMap<Uuid, Evaluation> = repo::get_evaluations(conn, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let case_ids: Vec<Uuid> = evaluations.values().map(|e| e.case_id).collect();
    let numbers: HashMap<Uuid, String> = repo::case_numbers(conn, &case_ids)
        .await?
        .into_iter()
        .collect();
    let own: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut years = crate::deadlines::flags(conn, &own).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let e = evaluations
            .get(&r.evaluation_id)
            .ok_or_else(ApiError::internal)?;
        out.push(RectificationView {
            state: state_of(&r)?,
            case_id: e.case_id,
            case_number: numbers.get(&e.case_id).cloned().unwrap_or_default(),
            evaluation_level: EvaluationLevel::parse(&e.level).ok_or_else(ApiError::internal)?,
            evaluation_text: e.text.clone(),
            years_without_calendar: years.remove(&r.id).unwrap_or_default(),
            rectification: r,
        });
    }
    Ok(out)
}

async fn view(conn: &mut Conn, r: Rectification) -> AppResult<RectificationView> {
    views(conn, vec![r])
        .await?
        .pop()
        .ok_or_else(ApiError::internal)
}

/// The rectification and the path of its organisation, if the actor's scope sees it (else
/// 404).
async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: RectificationId,
    for_update: bool,
) -> AppResult<(Rectification, OrgPath)> {
    let r = match repo::get_rectification(conn, id, for_update).await {
        Ok(r) => r,
        Err(DbError::NotFound) => return Err(ApiError::not_found("rectification")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, r.organization_id).await?;
    if !actor.sees(&org.path) {
        return Err(ApiError::not_found("rectification"));
    }
    Ok((r, org.path))
}

/// One rectification: staff whose scope sees the evaluated organisation.
pub async fn get(
    app: &AppState,
    actor: &Actor,
    id: RectificationId,
) -> AppResult<RectificationView> {
    if !actor.role.is_staff() {
        return Err(ApiError::not_found("rectification"));
    }
    let mut conn = app.conn().await?;
    let (r, _) = visible(&mut conn, actor, id, false).await?;
    view(&mut conn, r).await
}

/// The rectifications of the actor's scope (or of the requested subtree), oldest first:
/// `limit` rows at most.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    q: RectificationList,
) -> AppResult<Vec<RectificationView>> {
    if !actor.role.is_staff() {
        return Err(ApiError::forbidden("rectifications are for staff"));
    }
    let mut conn = app.conn().await?;
    let filter = RectificationFilter {
        scope: crate::app::narrowed(&conn, actor.scope(), q.org).await?,
        state: q.state,
        after: q.after,
        limit: q.limit,
    };
    let rows = repo::list_rectifications(&mut conn, &filter).await?;
    views(&mut conn, rows).await
}

#[derive(Serialize)]
struct StateOf {
    state: RectificationState,
}

/// What a step carries besides its note, as the audit log keeps it.
#[derive(Default, Serialize)]
struct StepData<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measures: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    satisfied: Option<bool>,
}

#[derive(Serialize)]
struct StepRecord<'a> {
    state: RectificationState,
    note: Option<&'a str>,
    data: StepData<'a>,
}

impl<'a> StepRecord<'a> {
    fn of(step: &'a RectificationStep, state: RectificationState) -> Self {
        let mut r = StepRecord {
            state,
            note: None,
            data: StepData::default(),
        };
        match step {
            RectificationStep::Verify { findings } => r.data.findings = Some(findings),
            RectificationStep::Rectify { measures } => r.data.measures = Some(measures),
            RectificationStep::Explain { explanation } => {
                r.data.explanation = Some(explanation);
            }
            RectificationStep::Callback { satisfied, note } => {
                r.note = Some(note);
                r.data.satisfied = Some(*satisfied);
            }
            RectificationStep::Close { note } => r.note = note.as_deref(),
        }
        r
    }
}

/// What a step changes in the rectification besides its state.
fn apply(r: &mut Rectification, step: &RectificationStep, by: Uuid, app: &AppState) {
    let now = app.clock.now();
    match step {
        RectificationStep::Verify { findings } => {
            r.findings = Some(findings.clone());
            r.verified_at = Some(now);
            r.verified_by = Some(by);
        }
        RectificationStep::Rectify { measures } => {
            r.measures = Some(measures.clone());
            r.handled_at = Some(now);
            r.handled_by = Some(by);
        }
        RectificationStep::Explain { explanation } => {
            r.explanation = Some(explanation.clone());
            r.handled_at = Some(now);
            r.handled_by = Some(by);
        }
        RectificationStep::Callback { satisfied, note } => {
            r.callback_satisfied = Some(*satisfied);
            r.callback_note = Some(note.clone());
            r.called_back_at = Some(now);
            r.called_back_by = Some(by);
        }
        RectificationStep::Close { note } => {
            r.close_note = note.clone();
            r.closed_at = Some(now);
            r.closed_by = Some(by);
        }
    }
}

/// The facts the workflow's guards need.
async fn facts(conn: &mut Conn, r: &Rectification) -> AppResult<RectificationFacts> {
    let appeal = repo::appeal_of(conn, EvaluationId(r.evaluation_id), false).await?;
    Ok(RectificationFacts {
        appeal_pending: appeal.is_some_and(|a| a.state == AppealState::Pending.as_str()),
    })
}

/// A refusal of the workflow; a guard's names the state in `context`, as the state's does.
fn refused(
    r: Refusal<RectificationState, RectificationAction>,
    from: RectificationState,
) -> ApiError {
    match r {
        Refusal::Guard(v) => ApiError::conflict(v.code, v.message.into_owned())
            .context(serde_json::to_value(StateOf { state: from }).unwrap_or_default()),
        r => r.into(),
    }
}

/// A step of a rectification, the one way every step goes: the roles of the step, the
/// rectification visible and locked, the version expected, the workflow's decision on the
/// facts, the step's effect, the audit event.
pub async fn step(
    app: &AppState,
    actor: &Actor,
    id: RectificationId,
    expect: &IfMatch,
    step: RectificationStep,
) -> AppResult<RectificationView> {
    let action = step.action();
    actor.require(RECTIFICATION_FLOW.roles(action))?;
    let by = who(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut r, path) = visible(c, actor, id, true).await?;
        expect.check(r.version)?;
        let from = state_of(&r)?;
        let facts = facts(c, &r).await?;
        let next = RECTIFICATION_FLOW
            .decide(from, action, actor.role, &facts)
            .map_err(|e| refused(e, from))?;
        apply(&mut r, &step, by, app);
        r.state = next.as_str().to_owned();
        let saved = repo::save_rectification(c, &r).await?;
        if next == RectificationState::Closed {
            report(c, audit.at, EventType::RectificationClosed, &saved, &path).await?;
        }
        audit
            .record(
                c,
                &format!("rectification.{action}"),
                "rectification",
                id,
                Some(&path),
                Some(&StateOf { state: from }),
                Some(&StepRecord::of(&step, next)),
            )
            .await?;
        view(c, saved).await
    })
    .await
}

/// Writes a domain event about the rectification (as it is after the change) to the outbox.
pub(crate) async fn report(
    c: &mut Conn,
    at: chrono::DateTime<chrono::Utc>,
    event: EventType,
    r: &Rectification,
    path: &OrgPath,
) -> AppResult<()> {
    let data = EventData::Rectification(RectificationEventData {
        rectification_id: r.id,
        evaluation_id: r.evaluation_id,
        organization_id: r.organization_id,
        state: state_of(r)?,
        due_date: Some(r.due_date),
    });
    let change = Change {
        event,
        collection: "rectifications",
        id: r.id,
        org: (r.organization_id, path),
        owner: None,
        data,
    };
    outbox::emit(c, at, change).await
}

/// Annuls the rectification of an evaluation whose appeal was upheld, if it has one: the
/// system's step, inside the caller's transaction.
pub(crate) async fn annul(
    conn: &mut Conn,
    audit: &AuditCtx,
    evaluation: EvaluationId,
    path: &OrgPath,
) -> AppResult<()> {
    let Some(mut r) = repo::rectification_of(conn, evaluation, true).await? else {
        return Ok(());
    };
    let before = state_of(&r)?;
    let facts = RectificationFacts::default();
    let after = RECTIFICATION_FLOW.decide_as_system(before, RectificationAction::Annul, &facts)?;
    r.state = after.as_str().to_owned();
    repo::save_rectification(conn, &r).await?;
    audit
        .record(
            conn,
            "rectification.annul",
            "rectification",
            r.id,
            Some(path),
            Some(&StateOf { state: before }),
            Some(&StateOf { state: after }),
        )
        .await?;
    Ok(())
}

/// 403 unless the actor's role may take `action` on a rectification at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: RectificationAction) -> AppResult<()> {
    crate::app::may(&RECTIFICATION_FLOW, actor, action)
}
