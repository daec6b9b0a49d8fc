//! The summary of a week, month or quarter: the answers and the handler.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::assessment::{
    self as rules, AttendanceCounts, Dimension, Grade, Period, Standing,
};
use zhengwu_domain::ids::OrganizationId;

use crate::app::assessments::standings::{self as app, Nominee, PeriodStandings};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

/// Days of each attendance status; `uncovered` counts away days nobody covered.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct AttendanceCountsDto {
    pub present: u32,
    pub late: u32,
    pub left_early: u32,
    pub absent: u32,
    pub leave: u32,
    pub business_trip: u32,
    pub uncovered: u32,
}

impl From<&AttendanceCounts> for AttendanceCountsDto {
    fn from(a: &AttendanceCounts) -> Self {
        Self {
            present: a.present,
            late: a.late,
            left_early: a.left_early,
            absent: a.absent,
            leave: a.leave,
            business_trip: a.business_trip,
            uncovered: a.uncovered,
        }
    }
}

/// Σ points per dimension.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct DimensionTotals {
    pub attitude: i64,
    pub discipline: i64,
    pub environment: i64,
    pub handling: i64,
    pub skill: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectSummary {
    pub subject_id: Uuid,
    #[schema(example = "A01 综合受理窗口")]
    pub label: String,
    pub days_assessed: u32,
    /// Σ positive points.
    pub bonus: i64,
    /// Σ negative points (zero or less).
    pub penalty: i64,
    pub dimensions: DimensionTotals,
    /// Σ daily scores ÷ days assessed, two decimals; absent when not assessed.
    pub average_score: Option<f64>,
    /// Windows: the records filed at the window; staff: their own.
    pub attendance: AttendanceCountsDto,
    /// 1 is best; equal averages share a rank (1, 2, 2, 4); absent when not assessed.
    pub rank: Option<u32>,
    /// Quarters only.
    pub grade: Option<Grade>,
}

/// A candidate for red-flag window (红旗窗口) or service star (服务之星).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub subject_id: Uuid,
    pub label: String,
    pub average_score: Option<f64>,
}

/// The minimum average score of each grade.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct ThresholdsDto {
    #[schema(example = 95)]
    pub excellent: i32,
    #[schema(example = 85)]
    pub good: i32,
    #[schema(example = 70)]
    pub pass: i32,
}

impl From<Nominee> for Candidate {
    fn from(n: Nominee) -> Self {
        Self {
            subject_id: n.subject_id,
            label: n.label,
            average_score: n.average_score,
        }
    }
}

/// The red-flag window and service star candidates of the standings.
pub(crate) fn candidates(ps: &PeriodStandings) -> (Vec<Candidate>, Vec<Candidate>) {
    let (windows, staff) = ps.candidates();
    (
        windows.into_iter().map(Candidate::from).collect(),
        staff.into_iter().map(Candidate::from).collect(),
    )
}

pub(crate) fn subject_summary(s: &Standing, label: String) -> SubjectSummary {
    let t = &s.tally;
    SubjectSummary {
        subject_id: t.subject,
        label,
        days_assessed: t.days_assessed,
        bonus: t.bonus,
        penalty: t.penalty,
        dimensions: DimensionTotals {
            attitude: t.dimension(Dimension::Attitude),
            discipline: t.dimension(Dimension::Discipline),
            environment: t.dimension(Dimension::Environment),
            handling: t.dimension(Dimension::Handling),
            skill: t.dimension(Dimension::Skill),
        },
        average_score: t.average(),
        attendance: (&t.attendance).into(),
        rank: s.rank,
        grade: s.grade,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    #[param(example = "month")]
    pub period: Period,
    /// Any day of the period (weeks run Monday to Sunday).
    #[param(example = "2026-11-19")]
    pub date: NaiveDate,
    #[param(example = "01941f29-7c00-7001-8000-000000000005")]
    pub hall: Uuid,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub hall_id: Uuid,
    pub hall_name: String,
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The score of a day without items.
    #[schema(example = 100)]
    pub base_score: i32,
    /// Quarters only: the thresholds the grades were given by.
    pub grade_thresholds: Option<ThresholdsDto>,
    /// Ranked, best first; windows not assessed last.
    pub windows: Vec<SubjectSummary>,
    /// Ranked, best first; staff not assessed last.
    pub staff: Vec<SubjectSummary>,
    /// 红旗窗口: of the windows assessed with no absence, no uncovered away day and no
    /// discipline penalty, and an average of at least the `good` threshold, the best (all
    /// when tied).
    pub red_flag_candidates: Vec<Candidate>,
    /// 服务之星: the same rule among the staff.
    pub service_star_candidates: Vec<Candidate>,
}

/// The summary of a week, month or quarter for a hall: per window and per staff member the
/// days assessed, bonus and penalty totals, per-dimension totals, average daily score,
/// attendance and rank; quarterly grades (优秀/良好/合格/不合格); the red-flag window and
/// service star candidates.
#[utoipa::path(operation_id = "getAssessmentSummary",
    tag = "assessment", security(("bearer" = [])), params(SummaryQuery),
    responses((status = 200, body = AssessmentSummary),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such hall in your scope")))]
#[get("/assessments/summary")]
pub async fn assessment_summary(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    let hall = OrganizationId(q.hall);
    let sum = app::summary(&state, &auth.actor(), hall, q.period, q.date).await?;
    let (red_flag_candidates, service_star_candidates) = candidates(&sum.standings);
    let ps = &sum.standings;
    let t = ps.thresholds;
    Ok(HttpResponse::Ok().json(AssessmentSummary {
        hall_id: sum.hall.id,
        hall_name: sum.hall.name,
        period: sum.period,
        from: sum.from,
        to: sum.to,
        base_score: rules::BASE_SCORE,
        grade_thresholds: sum.graded.then_some(ThresholdsDto {
            excellent: t.excellent,
            good: t.good,
            pass: t.pass,
        }),
        windows: ps
            .windows
            .iter()
            .map(|(s, w)| subject_summary(s, PeriodStandings::window_label(w)))
            .collect(),
        staff: ps
            .staff
            .iter()
            .map(|(s, name)| subject_summary(s, name.clone()))
            .collect(),
        red_flag_candidates,
        service_star_candidates,
    }))
}
