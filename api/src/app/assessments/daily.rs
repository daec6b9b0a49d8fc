//! Daily assessments (日考核) of a window or a staff member: one per subject and day, the
//! score 100 plus the points of its items; corrected with If-Match.

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::assessment::{self as rules, Item, SubjectKind};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{AssessmentId, OrganizationId};
use zhengwu_domain::org::OrgKind;
use zhengwu_persistence::assessments::{self as repo, Assessment, AssessmentRow, StoredItem};
use zhengwu_persistence::{Conn, DbError, Found, orgs};

use super::{ParseOn, READERS, Record, WRITERS, duplicate, roster, visible_hall};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, AtField};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// A daily assessment to record, parsed: items checked, note trimmed, day not in the future.
pub struct NewAssessment {
    pub hall: OrganizationId,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub day: NaiveDate,
    pub items: Vec<StoredItem>,
    pub note: Option<String>,
}

/// A correction, parsed: the items and note replace the previous ones.
pub struct AssessmentCorrection {
    pub items: Vec<StoredItem>,
    pub note: Option<String>,
}

/// A daily assessment with its subject read.
pub struct AssessmentView {
    pub assessment: Assessment,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
}

impl AssessmentView {
    fn of(assessment: Assessment) -> AppResult<Self> {
        let (subject_kind, subject_id) = assessment.row.subject()?;
        Ok(Self {
            assessment,
            subject_kind,
            subject_id,
        })
    }
}

/// The daily score: 100 plus the points of the items.
fn score_of(items: &[StoredItem]) -> i32 {
    let items: Vec<Item> = items
        .iter()
        .map(|i| Item {
            dimension: i.dimension,
            points: i.points,
        })
        .collect();
    rules::daily_score(&items)
}

/// The hall named in a body: one the actor sees (422 at `/hall_id` otherwise).
async fn hall_of_body(
    c: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    match orgs::get(c, id.0).await.found()? {
        Some(o) if o.kind == OrgKind::Hall && actor.sees(&o.path) => Ok(o),
        _ => Err(ApiError::field(
            "/hall_id",
            Code::ReferenceNotFound,
            "no such hall in your scope",
        )),
    }
}

/// Checks that the subject is a window of the hall or a staff member of one of its windows.
async fn check_subject(c: &mut Conn, hall: OrganizationId, cmd: &NewAssessment) -> AppResult<()> {
    let (ws, staff) = roster(c, hall).await?;
    let (in_hall, message) = match cmd.subject_kind {
        SubjectKind::Window => (
            ws.iter().any(|w| w.id == cmd.subject_id),
            "not a window of this hall",
        ),
        SubjectKind::Staff => (
            staff.iter().any(|s| s.user_id == cmd.subject_id),
            "not a staff member of a window of this hall",
        ),
    };
    if in_hall {
        Ok(())
    } else {
        Err(ApiError::field(
            "/subject_id",
            Code::AssessmentNotInHall,
            message,
        ))
    }
}

/// Record the daily assessment of a window or a staff member (supervisors and organisation
/// administrators); a second one for the subject and day is a 409 naming the first.
pub async fn create<T>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    input: impl ParseOn<NewAssessment>,
) -> AppResult<Created>
where
    T: Serialize + From<AssessmentView> + Send + Sync,
{
    actor.require(WRITERS)?;
    let cmd = input.parse_on(app.today())?;
    let by = actor.id.ok_or_else(ApiError::internal)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let hall = hall_of_body(c, actor, cmd.hall).await?;
        check_subject(c, cmd.hall, &cmd).await?;
        let (kind, subject) = (cmd.subject_kind, cmd.subject_id);
        if let Some(id) = repo::assessment_of(c, kind, subject, cmd.day).await? {
            return Err(duplicate(Record::Assessment, Some(id)));
        }
        let a = Assessment {
            row: AssessmentRow {
                id: Uuid::now_v7(),
                hall_id: hall.id,
                subject_kind: kind.as_str().to_owned(),
                window_id: (kind == SubjectKind::Window).then_some(subject),
                user_id: (kind == SubjectKind::Staff).then_some(subject),
                day: cmd.day,
                score: score_of(&cmd.items),
                note: cmd.note.clone(),
                assessed_by: by,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            items: cmd.items.clone(),
        };
        let id = a.row.id;
        repo::insert_assessment(c, &a).await.map_err(|e| match e {
            DbError::Conflict { .. } => duplicate(Record::Assessment, None),
            e => e.into(),
        })?;
        let d = T::from(AssessmentView::of(a)?);
        audit
            .record(
                c,
                "assessment.create",
                "assessment",
                id,
                Some(&hall.path),
                None::<&()>,
                Some(&d),
            )
            .await?;
        idem.finish(c, &d, format!("/api/v1/assessments/{id}"))
            .await
    })
    .await
}

/// The assessment and its hall, when the actor sees the hall (404 otherwise).
async fn in_scope(
    c: &mut Conn,
    actor: &Actor,
    id: AssessmentId,
    for_update: bool,
) -> AppResult<(Assessment, orgs::Organization)> {
    let a = repo::get_assessment(c, id, for_update)
        .await
        .found()?
        .ok_or_else(|| ApiError::not_found("assessment"))?;
    let hall = orgs::get(c, a.row.hall_id).await?;
    if !actor.sees(&hall.path) {
        return Err(ApiError::not_found("assessment"));
    }
    Ok((a, hall))
}

/// A daily assessment.
pub async fn get(app: &AppState, actor: &Actor, id: AssessmentId) -> AppResult<AssessmentView> {
    actor.require(READERS)?;
    let mut conn = app.conn().await?;
    let (a, _) = in_scope(&mut conn, actor, id, false).await?;
    AssessmentView::of(a)
}

/// Correct a daily assessment: its items and note are replaced; the audit log keeps the
/// answer before and after.
pub async fn amend<T>(
    app: &AppState,
    actor: &Actor,
    id: AssessmentId,
    if_match: &IfMatch,
    input: impl ParseOn<AssessmentCorrection>,
) -> AppResult<AssessmentView>
where
    T: Serialize + From<AssessmentView> + Send + Sync,
{
    actor.require(WRITERS)?;
    let cmd = input.parse_on(app.today())?;
    let by = actor.id.ok_or_else(ApiError::internal)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (a, hall) = in_scope(c, actor, id, true).await?;
        if_match.check(a.row.version)?;
        let before = T::from(AssessmentView::of(a.clone())?);
        let changed = Assessment {
            row: AssessmentRow {
                score: score_of(&cmd.items),
                note: cmd.note.clone(),
                assessed_by: by,
                updated_at: now,
                ..a.row
            },
            items: cmd.items.clone(),
        };
        let saved = AssessmentView::of(repo::save_assessment(c, &changed).await?)?;
        let after = T::from(AssessmentView::of(saved.assessment.clone())?);
        audit
            .record(
                c,
                "assessment.amend",
                "assessment",
                id.0,
                Some(&hall.path),
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(saved)
    })
    .await
}

/// What a listing of daily assessments asks for: a hall the actor sees and a period of at
/// most 366 days.
pub struct AssessmentSearch {
    pub hall: OrganizationId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub after: Option<AssessmentId>,
    pub limit: i64,
}

/// The daily assessments of a hall in a period, with their items.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    s: AssessmentSearch,
) -> AppResult<Vec<AssessmentView>> {
    actor.require(READERS)?;
    zhengwu_domain::validation::period(s.from, s.to, 366).at("?to")?;
    let mut conn = app.conn().await?;
    let hall = visible_hall(&mut conn, actor, s.hall).await?;
    let after = s.after.map(|a| a.0);
    repo::list_assessments(
        &mut conn,
        OrganizationId(hall.id),
        s.from,
        s.to,
        after,
        s.limit,
    )
    .await?
    .into_iter()
    .map(AssessmentView::of)
    .collect()
}
