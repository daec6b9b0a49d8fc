//! Evaluations (好差评), the rectifications of bad reviews (整改) and appeals (申诉复核).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::evaluation::{EvaluationLevel, RectificationState};
use zhengwu_domain::ids::{CaseId, EvaluationId, OrganizationId, RectificationId};

use crate::db::{Conn, DbError};
use crate::schema::{
    cases, evaluation_appeals, evaluations, organizations, rectifications, windows,
};
use crate::scope::{Scope, org_ids, path_pattern};

/// The working days an organisation has to settle a bad review: the supervision rules in
/// force at it (its own, an ancestor's, else the national default of 5).
pub async fn rectification_days(
    conn: &mut Conn,
    organization_id: OrganizationId,
) -> Result<u32, DbError> {
    let organization_id = organization_id.0;
    let org = crate::orgs::get(conn, organization_id).await?;
    Ok(crate::supervision::rules_at(conn, org.path.as_str())
        .await?
        .0
        .rectification_days)
}

/// The stored values of the bad levels.
fn bad_levels() -> Vec<&'static str> {
    EvaluationLevel::ALL
        .iter()
        .filter(|l| l.is_bad())
        .map(|l| l.as_str())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluations)]
pub struct Evaluation {
    pub id: Uuid,
    pub case_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub level: String,
    pub channel: String,
    pub text: Option<String>,
    pub evaluated_at: DateTime<Utc>,
    pub evaluated_on: NaiveDate,
    pub annulled_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn insert_evaluation(conn: &mut Conn, e: &Evaluation) -> Result<(), DbError> {
    diesel::insert_into(evaluations::table)
        .values(e)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_evaluation(
    conn: &mut Conn,
    id: EvaluationId,
    for_update: bool,
) -> Result<Evaluation, DbError> {
    let id = id.0;
    let q = evaluations::table.find(id).select(Evaluation::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

/// The evaluation of a case, if it was evaluated.
pub async fn evaluation_of_case(
    conn: &mut Conn,
    case_id: CaseId,
) -> Result<Option<Evaluation>, DbError> {
    let case_id = case_id.0;
    Ok(evaluations::table
        .filter(evaluations::case_id.eq(case_id))
        .select(Evaluation::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Annuls an evaluation (an appeal was upheld) or just counts a change to it.
pub async fn touch_evaluation(
    conn: &mut Conn,
    id: EvaluationId,
    annulled_at: Option<DateTime<Utc>>,
) -> Result<Evaluation, DbError> {
    let id = id.0;
    Ok(diesel::update(evaluations::table.find(id))
        .set((
            evaluations::annulled_at.eq(annulled_at),
            evaluations::version.eq(evaluations::version + 1),
        ))
        .returning(Evaluation::as_returning())
        .get_result(conn)
        .await?)
}

/// The case number of each case.
pub async fn case_numbers(
    conn: &mut Conn,
    case_ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(cases::table
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, cases::number))
        .load(conn)
        .await?)
}

#[derive(Debug, Clone)]
pub struct EvaluationFilter {
    /// Evaluations of organisations in this scope, or given at its halls' windows.
    pub within: Scope,
    /// Evaluations of organisations in this subtree (a requested `?org`).
    pub org_subtree: Option<Scope>,
    pub level: Option<EvaluationLevel>,
    pub bad_only: bool,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after_id: Option<Uuid>,
    pub limit: i64,
}

pub async fn list_evaluations(
    conn: &mut Conn,
    f: &EvaluationFilter,
) -> Result<Vec<Evaluation>, DbError> {
    let mut q = evaluations::table
        .select(Evaluation::as_select())
        .order(evaluations::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(pattern) = path_pattern(&f.within) {
        let inside = organizations::table
            .filter(organizations::path.like(pattern.clone()))
            .select(organizations::id);
        let halls = organizations::table
            .filter(organizations::path.like(pattern))
            .select(organizations::id);
        let at_windows = windows::table
            .filter(windows::hall_id.eq_any(halls))
            .select(windows::id.nullable());
        q = q.filter(
            evaluations::organization_id
                .eq_any(inside)
                .or(evaluations::window_id.eq_any(at_windows)),
        );
    }
    if let Some(inside) = f.org_subtree.as_ref().and_then(org_ids) {
        q = q.filter(evaluations::organization_id.eq_any(inside));
    }
    if let Some(l) = f.level {
        q = q.filter(evaluations::level.eq(l.as_str()));
    }
    if f.bad_only {
        q = q.filter(evaluations::level.eq_any(bad_levels()));
    }
    if let Some(d) = f.from {
        q = q.filter(evaluations::evaluated_on.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(evaluations::evaluated_on.le(d));
    }
    if let Some(a) = f.after_id {
        q = q.filter(evaluations::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rectifications, treat_none_as_null = true)]
pub struct Rectification {
    #[diesel(skip_update)]
    pub id: Uuid,
    #[diesel(skip_update)]
    pub evaluation_id: Uuid,
    #[diesel(skip_update)]
    pub organization_id: Uuid,
    #[diesel(skip_update)]
    pub responsible_id: Option<Uuid>,
    pub state: String,
    #[diesel(skip_update)]
    pub opened_on: NaiveDate,
    #[diesel(skip_update)]
    pub due_date: NaiveDate,
    pub findings: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<Uuid>,
    pub measures: Option<String>,
    pub explanation: Option<String>,
    pub handled_at: Option<DateTime<Utc>>,
    pub handled_by: Option<Uuid>,
    pub callback_satisfied: Option<bool>,
    pub callback_note: Option<String>,
    pub called_back_at: Option<DateTime<Utc>>,
    pub called_back_by: Option<Uuid>,
    pub close_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Uuid>,
    #[diesel(skip_update)]
    pub version: i32,
}

pub async fn insert_rectification(conn: &mut Conn, r: &Rectification) -> Result<(), DbError> {
    diesel::insert_into(rectifications::table)
        .values(r)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_rectification(
    conn: &mut Conn,
    id: RectificationId,
    for_update: bool,
) -> Result<Rectification, DbError> {
    let q = rectifications::table
        .find(id.0)
        .select(Rectification::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

/// The rectification of an evaluation (bad reviews have one).
pub async fn rectification_of(
    conn: &mut Conn,
    evaluation_id: EvaluationId,
    for_update: bool,
) -> Result<Option<Rectification>, DbError> {
    let evaluation_id = evaluation_id.0;
    let q = rectifications::table
        .filter(rectifications::evaluation_id.eq(evaluation_id))
        .select(Rectification::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await.optional()?
    } else {
        q.first(conn).await.optional()?
    })
}

/// The rectifications of the given evaluations.
pub async fn rectifications_of(
    conn: &mut Conn,
    evaluation_ids: &[Uuid],
) -> Result<Vec<Rectification>, DbError> {
    Ok(rectifications::table
        .filter(rectifications::evaluation_id.eq_any(evaluation_ids))
        .select(Rectification::as_select())
        .load(conn)
        .await?)
}

/// Stores the changes and counts a version.
pub async fn save_rectification(
    conn: &mut Conn,
    r: &Rectification,
) -> Result<Rectification, DbError> {
    Ok(diesel::update(rectifications::table.find(r.id))
        .set((r, rectifications::version.eq(rectifications::version + 1)))
        .returning(Rectification::as_returning())
        .get_result(conn)
        .await?)
}

#[derive(Debug, Clone)]
pub struct RectificationFilter {
    /// Rectifications of organisations in this scope.
    pub scope: Scope,
    pub state: Option<RectificationState>,
    pub after: Option<RectificationId>,
    pub limit: i64,
}

pub async fn list_rectifications(
    conn: &mut Conn,
    f: &RectificationFilter,
) -> Result<Vec<Rectification>, DbError> {
    let mut q = rectifications::table
        .select(Rectification::as_select())
        .order(rectifications::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(inside) = org_ids(&f.scope) {
        q = q.filter(rectifications::organization_id.eq_any(inside));
    }
    if let Some(s) = f.state {
        q = q.filter(rectifications::state.eq(s.as_str()));
    }
    if let Some(a) = f.after {
        q = q.filter(rectifications::id.gt(a.0));
    }
    Ok(q.load(conn).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = evaluation_appeals, treat_none_as_null = true)]
pub struct Appeal {
    #[diesel(skip_update)]
    pub evaluation_id: Uuid,
    pub state: String,
    #[diesel(skip_update)]
    pub reason: String,
    #[diesel(skip_update)]
    pub appealed_by: Uuid,
    #[diesel(skip_update)]
    pub appealed_at: DateTime<Utc>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub async fn insert_appeal(conn: &mut Conn, a: &Appeal) -> Result<(), DbError> {
    diesel::insert_into(evaluation_appeals::table)
        .values(a)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn appeal_of(
    conn: &mut Conn,
    evaluation_id: EvaluationId,
    for_update: bool,
) -> Result<Option<Appeal>, DbError> {
    let evaluation_id = evaluation_id.0;
    let q = evaluation_appeals::table
        .find(evaluation_id)
        .select(Appeal::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await.optional()?
    } else {
        q.first(conn).await.optional()?
    })
}

pub async fn appeals_of(conn: &mut Conn, evaluation_ids: &[Uuid]) -> Result<Vec<Appeal>, DbError> {
    Ok(evaluation_appeals::table
        .filter(evaluation_appeals::evaluation_id.eq_any(evaluation_ids))
        .select(Appeal::as_select())
        .load(conn)
        .await?)
}

pub async fn save_appeal(conn: &mut Conn, a: &Appeal) -> Result<(), DbError> {
    diesel::update(evaluation_appeals::table.find(a.evaluation_id))
        .set(a)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the statistics need of one evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StatRow {
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub hall_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub level: String,
    pub annulled_at: Option<DateTime<Utc>>,
    pub rectification_state: Option<String>,
}

/// The evaluations given in `from..=to` to organisations within the scope, with the hall of
/// their window and the state of their rectification. With `public_only`, annulled
/// evaluations and those of classified cases are left out.
pub async fn stat_rows(
    conn: &mut Conn,
    within: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    public_only: bool,
) -> Result<Vec<StatRow>, DbError> {
    let mut q = evaluations::table
        .inner_join(cases::table)
        .left_join(windows::table.on(evaluations::window_id.eq(windows::id.nullable())))
        .left_join(rectifications::table)
        .filter(evaluations::evaluated_on.between(from, to))
        .select((
            evaluations::organization_id,
            evaluations::window_id,
            windows::hall_id.nullable(),
            evaluations::staff_id,
            evaluations::level,
            evaluations::annulled_at,
            rectifications::state.nullable(),
        ))
        .into_boxed();
    if public_only {
        q = q
            .filter(evaluations::annulled_at.is_null())
            .filter(cases::classified.eq(false));
    }
    if let Some(inside) = org_ids(within) {
        q = q.filter(evaluations::organization_id.eq_any(inside));
    }
    Ok(q.load(conn).await?)
}

/// The evaluations with the given ids.
pub async fn get_evaluations(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Evaluation>, DbError> {
    Ok(evaluations::table
        .filter(evaluations::id.eq_any(ids))
        .select(Evaluation::as_select())
        .load(conn)
        .await?)
}
