//! Evaluating a decided case (好差评, "一事一评"), reading and listing evaluations, and the
//! department's appeal of a bad review (申诉复核) with a supervisor's decision.
//!
//! A parallel-approval project (并联审批) is evaluated through its sub-cases: each
//! department's part is a case of its own with its own applicant, organisation, window and
//! staff, and each is evaluated once. The project container itself is not evaluated.

use std::collections::HashMap;
use zhengwu_domain::codes::Code;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::evaluation::{
    self as rules, AppealState, EvaluationChannel, EvaluationLevel, RectificationState,
};
use zhengwu_domain::ids::{CaseId, EvaluationId, OrganizationId};
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::services::CaseState;
use zhengwu_persistence::cases::{self as case_repo, Case};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::evaluations::{self as repo, Appeal, Evaluation, Rectification};
use zhengwu_persistence::{Conn, DbError, orgs};

use crate::app::cases::visible_case;
use crate::app::evaluations::rectifications::{annul, report};
use crate::app::statistics::Period;
use crate::app::{Actor, AppResult, narrowed};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, AtField};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// Who appeals for the department: its administrators and reviewers, not the clerk evaluated.
const APPELLANTS: &[Role] = &[Role::OrgAdmin, Role::Reviewer];

/// An evaluation to give, as received: the text is checked (and trimmed) once the caller's
/// role is, since only applicants evaluate.
pub struct NewEvaluation {
    pub level: EvaluationLevel,
    pub channel: EvaluationChannel,
    pub text: Option<String>,
}

/// An evaluation as the caller may see it, with its case number, its rectification and
/// (for staff) the department's appeal.
pub struct EvaluationView {
    pub evaluation: Evaluation,
    pub level: EvaluationLevel,
    pub channel: EvaluationChannel,
    pub case_number: String,
    pub rectification: Option<(Rectification, RectificationState)>,
    pub appeal: Option<(Appeal, AppealState)>,
}

/// What an evaluation listing asks for.
pub struct EvaluationList {
    pub org: Option<OrganizationId>,
    pub level: Option<EvaluationLevel>,
    pub bad_only: bool,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<EvaluationId>,
    pub limit: i64,
}

fn parsed<T>(v: Option<T>) -> AppResult<T> {
    v.ok_or_else(ApiError::internal)
}

/// The views of evaluations, with their case numbers, rectifications and (for staff)
/// appeals, in three queries whatever their number.
async fn views(
    conn: &mut Conn,
    rows: Vec<Evaluation>,
    staff: bool,
) -> AppResult<Vec<EvaluationView>> {
    let ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
    let case_ids: Vec<Uuid> = rows.iter().map(|e| e.case_id).collect();
    let numbers: HashMap<Uuid, String> = repo::case_numbers(conn, &case_ids)
        .await?
        .into_iter()
        .collect();
    let mut rects: HashMap<Uuid, Rectification> = repo::rectifications_of(conn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.evaluation_id, r))
        .collect();
    let mut appeals: HashMap<Uuid, Appeal> = if staff {
        repo::appeals_of(conn, &ids)
            .await?
            .into_iter()
            .map(|a| (a.evaluation_id, a))
            .collect()
    } else {
        HashMap::new()
    };
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let rectification = match rects.remove(&e.id) {
            Some(r) => {
                let state = parsed(RectificationState::parse(&r.state))?;
                Some((r, state))
            }
            None => None,
        };
        let appeal = match appeals.remove(&e.id) {
            Some(a) => {
                let state = parsed(AppealState::parse(&a.state))?;
                Some((a, state))
            }
            None => None,
        };
        out.push(EvaluationView {
            level: parsed(EvaluationLevel::parse(&e.level))?,
            channel: parsed(EvaluationChannel::parse(&e.channel))?,
            case_number: numbers.get(&e.case_id).cloned().unwrap_or_default(),
            evaluation: e,
            rectification,
            appeal,
        });
    }
    Ok(out)
}

async fn view(conn: &mut Conn, e: Evaluation, staff: bool) -> AppResult<EvaluationView> {
    parsed(views(conn, vec![e], staff).await?.pop())
}

#[derive(Serialize)]
struct Given {
    level: EvaluationLevel,
    channel: EvaluationChannel,
}

#[derive(Serialize)]
struct GivenRecord {
    case_id: Uuid,
    level: EvaluationLevel,
    channel: EvaluationChannel,
}

#[derive(Serialize)]
struct OpenedRecord {
    evaluation_id: Uuid,
    state: RectificationState,
    due_date: NaiveDate,
    working_days: u32,
    skipped: Vec<NaiveDate>,
}

/// The actor's own case, locked (404 for any other).
async fn own_case(c: &mut Conn, actor: &Actor, case: CaseId) -> AppResult<Case> {
    let mine = |x: &Case| actor.user().is_some_and(|u| x.applicant_id == Some(u.0));
    match case_repo::get_case_for_update(c, case).await {
        Ok(x) if mine(&x) => Ok(x),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("case")),
        Err(e) => Err(e.into()),
    }
}

/// A case is evaluated once decided or delivered, and not as a project container.
fn evaluable(case: &Case) -> AppResult<()> {
    if case.matter_id.is_none() {
        return Err(ApiError::conflict(
            Code::EvaluationProjectContainer,
            "a parallel-approval project is evaluated through its sub-cases",
        ));
    }
    if !matches!(case.state, CaseState::Decided | CaseState::Delivered) {
        #[derive(Serialize)]
        struct StateOf {
            state: CaseState,
        }
        let message = format!(
            "a case is evaluated once it is decided, not while {}",
            case.state
        );
        return Err(ApiError::conflict(Code::EvaluationCaseNotDecided, message)
            .context_of(&StateOf { state: case.state }));
    }
    Ok(())
}

/// Evaluate a decided case: its applicant, once. The organisation, window and staff member
/// (the assignee, else the first contact) are recorded for the statistics; a bad review
/// opens a rectification due the organisation's limit in working days after the day of the
/// review.
pub async fn evaluate<T>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    case_id: CaseId,
    cmd: NewEvaluation,
) -> AppResult<Created>
where
    T: Serialize + From<EvaluationView> + Send + Sync,
{
    actor.require(&[Role::Applicant])?;
    let text = rules::evaluation_text(cmd.level, cmd.text.as_deref()).at("/text")?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let day = app.today();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let case = own_case(c, actor, case_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        evaluable(&case)?;
        if repo::evaluation_of_case(c, case_id).await?.is_some() {
            return Err(ApiError::conflict(
                Code::EvaluationAlreadyGiven,
                "the case has been evaluated; one evaluation per case",
            ));
        }
        let org = orgs::get(c, case.organization_id).await?;
        let row = Evaluation {
            id: Uuid::now_v7(),
            case_id: case_id.0,
            applicant_id: actor.id,
            organization_id: case.organization_id,
            window_id: case.window_id,
            staff_id: case.assignee_id.or(case.first_contact_id),
            level: cmd.level.as_str().to_owned(),
            channel: cmd.channel.as_str().to_owned(),
            text,
            evaluated_at: now,
            evaluated_on: day,
            annulled_at: None,
            version: 1,
        };
        repo::insert_evaluation(c, &row).await?;
        let given = Given {
            level: cmd.level,
            channel: cmd.channel,
        };
        let data = serde_json::to_value(&given).map_err(|_| ApiError::internal())?;
        case_repo::add_event(c, case_id, now, actor.id, "evaluate", None, data).await?;
        let record = GivenRecord {
            case_id: case_id.0,
            level: cmd.level,
            channel: cmd.channel,
        };
        audit
            .record(
                c,
                "evaluation.create",
                "evaluation",
                row.id,
                Some(&org.path),
                None::<&()>,
                Some(&record),
            )
            .await?;
        if cmd.level.is_bad() {
            open_rectification(c, &audit, &row, &org, day).await?;
        }
        let dto = T::from(view(c, row, false).await?);
        idem.finish(c, &dto, format!("/api/v1/cases/{case_id}/evaluation"))
            .await
    })
    .await
}

/// Opens the rectification of a bad review, due the organisation's limit in working days
/// after the day of the review.
async fn open_rectification(
    c: &mut Conn,
    audit: &AuditCtx,
    e: &Evaluation,
    org: &orgs::Organization,
    day: NaiveDate,
) -> AppResult<()> {
    let days = repo::rectification_days(c, OrganizationId(org.id)).await?;
    let id = Uuid::now_v7();
    let target = Target::of(StoredDeadline::Rectification, id);
    let due = crate::deadlines::count(c, target, DeadlineBasis::after(day, days)).await?;
    let r = Rectification {
        id,
        evaluation_id: e.id,
        organization_id: org.id,
        responsible_id: e.staff_id,
        state: RectificationState::Open.as_str().to_owned(),
        opened_on: day,
        due_date: due.due_date,
        findings: None,
        verified_at: None,
        verified_by: None,
        measures: None,
        explanation: None,
        handled_at: None,
        handled_by: None,
        callback_satisfied: None,
        callback_note: None,
        called_back_at: None,
        called_back_by: None,
        close_note: None,
        closed_at: None,
        closed_by: None,
        version: 1,
    };
    repo::insert_rectification(c, &r).await?;
    let opened = zhengwu_domain::events::EventType::RectificationOpened;
    report(c, audit.at, opened, &r, &org.path).await?;
    let record = OpenedRecord {
        evaluation_id: e.id,
        state: RectificationState::Open,
        due_date: r.due_date,
        working_days: days,
        skipped: due.skipped.iter().map(|s| s.date).collect(),
    };
    audit
        .record(
            c,
            "rectification.open",
            "rectification",
            r.id,
            Some(&org.path),
            None::<&()>,
            Some(&record),
        )
        .await
}

/// The evaluation of a case: for its applicant and for staff who may see the case.
pub async fn of_case(app: &AppState, actor: &Actor, case: CaseId) -> AppResult<EvaluationView> {
    let mut conn = app.conn().await?;
    let (case, _) = visible_case(&conn, actor, case, false).await?;
    let e = repo::evaluation_of_case(&mut conn, case.id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("evaluation").detail("the case has not been evaluated")
        })?;
    view(&mut conn, e, actor.role.is_staff()).await
}

/// An evaluation: for its applicant, or staff who may see its case.
pub async fn get(app: &AppState, actor: &Actor, id: EvaluationId) -> AppResult<EvaluationView> {
    let mut conn = app.conn().await?;
    let e = match repo::get_evaluation(&mut conn, id, false).await {
        Ok(e) => e,
        Err(DbError::NotFound) => return Err(ApiError::not_found("evaluation")),
        Err(e) => return Err(e.into()),
    };
    match visible_case(&conn, actor, CaseId(e.case_id), false).await {
        Ok(_) => view(&mut conn, e, actor.role.is_staff()).await,
        Err(err) if err.status == actix_web::http::StatusCode::NOT_FOUND => {
            Err(ApiError::not_found("evaluation"))
        }
        Err(err) => Err(err),
    }
}

/// Evaluations of the actor's scope (those of its organisations and those given at its
/// halls' windows), oldest first; annulled ones included. Staff only.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    q: EvaluationList,
) -> AppResult<Vec<EvaluationView>> {
    if !actor.role.is_staff() {
        return Err(ApiError::forbidden(
            "staff list evaluations; applicants read theirs on their cases",
        ));
    }
    if let (Some(f), Some(t)) = (q.from, q.to) {
        Period::parse(f, t)?;
    }
    let mut conn = app.conn().await?;
    let within = narrowed(&conn, actor.scope(), None).await?;
    let org_subtree = match q.org {
        Some(o) => Some(narrowed(&conn, within.clone(), Some(o)).await?),
        None => None,
    };
    let filter = repo::EvaluationFilter {
        within,
        org_subtree,
        level: q.level,
        bad_only: q.bad_only,
        from: q.from,
        to: q.to,
        after_id: q.after.map(|a| a.0),
        limit: q.limit,
    };
    let rows = repo::list_evaluations(&mut conn, &filter).await?;
    views(&mut conn, rows, true).await
}

/// The evaluation, locked, with its organisation, when the actor's scope sees it and the
/// If-Match holds.
async fn locked(
    c: &mut Conn,
    actor: &Actor,
    id: EvaluationId,
    if_match: &IfMatch,
) -> AppResult<(Evaluation, OrgPath)> {
    let e = match repo::get_evaluation(c, id, true).await {
        Ok(e) => e,
        Err(DbError::NotFound) => return Err(ApiError::not_found("evaluation")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(c, e.organization_id).await?;
    if !actor.sees(&org.path) {
        return Err(ApiError::not_found("evaluation"));
    }
    if_match.check(e.version)?;
    Ok((e, org.path))
}

#[derive(Serialize)]
struct AppealRecord<'a> {
    appeal: AppealState,
    reason: &'a str,
}

#[derive(Serialize)]
struct AppealDecisionBefore {
    appeal: AppealState,
    annulled: bool,
}

#[derive(Serialize)]
struct AppealDecisionAfter<'a> {
    appeal: AppealState,
    annulled: bool,
    reason: &'a str,
}

#[derive(Serialize)]
struct RectificationAt {
    rectification_state: Option<RectificationState>,
}

/// A reason or decision text at `pointer`: trimmed, 1 to 2000 characters.
fn reason_at(pointer: &str, v: &str) -> AppResult<String> {
    zhengwu_domain::validation::text(v, rules::MAX_RECTIFICATION_TEXT).at(pointer)
}

/// Appeal a bad review as malicious or mistaken: the evaluated organisation's administrators
/// and reviewers, once per evaluation, while its rectification is open.
pub async fn appeal(
    app: &AppState,
    actor: &Actor,
    id: EvaluationId,
    if_match: IfMatch,
    reason: String,
) -> AppResult<EvaluationView> {
    actor.require(APPELLANTS)?;
    let reason = reason_at("/reason", &reason)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (e, path) = locked(c, actor, id, &if_match).await?;
        let rect = repo::rectification_of(c, id, true).await?;
        let rect_at = match &rect {
            Some(r) => Some(parsed(RectificationState::parse(&r.state))?),
            None => None,
        };
        let level = parsed(EvaluationLevel::parse(&e.level))?;
        let existing = repo::appeal_of(c, id, true).await?;
        rules::may_appeal(level, rect_at, existing.is_some()).map_err(|v| {
            ApiError::conflict(v.code, v.message).context_of(&RectificationAt {
                rectification_state: rect_at,
            })
        })?;
        let a = Appeal {
            evaluation_id: id.0,
            state: AppealState::Pending.as_str().to_owned(),
            reason: reason.clone(),
            appealed_by: actor.id.ok_or_else(ApiError::internal)?,
            appealed_at: now,
            decision_reason: None,
            decided_by: None,
            decided_at: None,
        };
        repo::insert_appeal(c, &a).await?;
        let saved = repo::touch_evaluation(c, id, e.annulled_at).await?;
        let record = AppealRecord {
            appeal: AppealState::Pending,
            reason: &reason,
        };
        audit
            .record(
                c,
                "evaluation.appeal",
                "evaluation",
                id.0,
                Some(&path),
                None::<&()>,
                Some(&record),
            )
            .await?;
        view(c, saved, true).await
    })
    .await
}

/// Decide an appeal (supervisors whose scope sees the organisation): upheld annuls the
/// evaluation (it leaves the statistics and the public summary) and ends its rectification
/// as `annulled`; rejected lets the rectification go on.
pub async fn decide_appeal(
    app: &AppState,
    actor: &Actor,
    id: EvaluationId,
    if_match: IfMatch,
    upheld: bool,
    reason: String,
) -> AppResult<EvaluationView> {
    actor.require(&[Role::Supervisor])?;
    let reason = reason_at("/reason", &reason)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (e, path) = locked(c, actor, id, &if_match).await?;
        let Some(mut a) = repo::appeal_of(c, id, true).await? else {
            return Err(ApiError::conflict(
                Code::AppealNone,
                "the evaluation has not been appealed",
            ));
        };
        let from = parsed(AppealState::parse(&a.state))?;
        let next = rules::decide_appeal(from, upheld).map_err(|v| {
            ApiError::conflict(v.code, v.message).context_of(&AppealStateOf { state: from })
        })?;
        a.state = next.as_str().to_owned();
        a.decision_reason = Some(reason.clone());
        a.decided_by = actor.id;
        a.decided_at = Some(now);
        repo::save_appeal(c, &a).await?;
        let annulled_at = if upheld {
            annul(c, &audit, id, &path).await?;
            Some(now)
        } else {
            e.annulled_at
        };
        let saved = repo::touch_evaluation(c, id, annulled_at).await?;
        let before = AppealDecisionBefore {
            appeal: from,
            annulled: e.annulled_at.is_some(),
        };
        let after = AppealDecisionAfter {
            appeal: next,
            annulled: annulled_at.is_some(),
            reason: &reason,
        };
        audit
            .record(
                c,
                &format!("evaluation.appeal_{next}"),
                "evaluation",
                id.0,
                Some(&path),
                Some(&before),
                Some(&after),
            )
            .await?;
        view(c, saved, true).await
    })
    .await
}

#[derive(Serialize)]
struct AppealStateOf {
    state: AppealState,
}
