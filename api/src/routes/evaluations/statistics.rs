//! Evaluation measures (好差评统计) for staff and the public summary (好差评结果公开).

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::evaluation::{EvaluationLevel, EvaluationMeasures};
use zhengwu_domain::ids::OrganizationId;

use crate::app::evaluations::measures as app;
pub use crate::app::evaluations::measures::EvaluationGroupBy;
use crate::app::statistics::{Group, Period};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

// ------------------------------------------------------------------ statistics

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationStatsQuery {
    /// The organisation whose subtree is counted; your scope when absent.
    pub org: Option<Uuid>,
    /// First day of evaluation counted.
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    /// Last day of evaluation counted (at most 3 years after `from`).
    #[param(example = "2025-10-31")]
    pub to: NaiveDate,
    #[param(example = "org")]
    pub group_by: EvaluationGroupBy,
}

/// Evaluations per level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelCounts {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub dissatisfied: u64,
    pub very_dissatisfied: u64,
}

impl From<&EvaluationMeasures> for LevelCounts {
    fn from(m: &EvaluationMeasures) -> Self {
        use EvaluationLevel as L;
        Self {
            very_satisfied: m.count(L::VerySatisfied),
            satisfied: m.count(L::Satisfied),
            basically_satisfied: m.count(L::BasicallySatisfied),
            dissatisfied: m.count(L::Dissatisfied),
            very_dissatisfied: m.count(L::VeryDissatisfied),
        }
    }
}

/// The evaluation measures of one group. Annulled evaluations (an appeal was upheld) count
/// only in `annulled`. Rates are fractions (0.8 = 80%), absent when the denominator is zero.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationMeasuresDto {
    /// Evaluations given in the period, not annulled.
    pub evaluations: u64,
    pub by_level: LevelCounts,
    /// 满意率 = (very_satisfied + satisfied + basically_satisfied) ÷ evaluations.
    pub satisfaction_rate: Option<f64>,
    /// Bad reviews (差评): dissatisfied + very_dissatisfied.
    pub bad_reviews: u64,
    /// Bad reviews whose rectification reached rectified or explained (or later).
    pub rectified: u64,
    /// 整改率 = rectified ÷ bad_reviews.
    pub rectification_rate: Option<f64>,
    /// Bad reviews whose applicant was called back (called_back or closed).
    pub called_back: u64,
    /// 回访率 = called_back ÷ bad_reviews.
    pub callback_rate: Option<f64>,
    /// Evaluations annulled after an upheld appeal.
    pub annulled: u64,
}

impl From<&EvaluationMeasures> for EvaluationMeasuresDto {
    fn from(m: &EvaluationMeasures) -> Self {
        Self {
            evaluations: m.total,
            by_level: m.into(),
            satisfaction_rate: m.satisfaction_rate(),
            bad_reviews: m.bad,
            rectified: m.rectified,
            rectification_rate: m.rectification_rate(),
            called_back: m.called_back,
            callback_rate: m.callback_rate(),
            annulled: m.annulled,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationGroup {
    /// The id of the organisation, hall, window or staff member; absent for evaluations
    /// without one (e.g. no window).
    pub key: Option<Uuid>,
    pub label: String,
    #[serde(flatten)]
    pub measures: EvaluationMeasuresDto,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: EvaluationGroupBy,
    pub groups: Vec<EvaluationGroup>,
    pub total: EvaluationMeasuresDto,
}

impl From<&Group<EvaluationMeasures>> for EvaluationGroup {
    fn from(g: &Group<EvaluationMeasures>) -> Self {
        Self {
            key: g.key,
            label: g.label.clone(),
            measures: (&g.measures).into(),
        }
    }
}

impl From<&Group<EvaluationMeasures>> for PublicOrgSummary {
    fn from(g: &Group<EvaluationMeasures>) -> Self {
        Self {
            organization_id: g.key.unwrap_or_default(),
            name: g.label.clone(),
            measures: (&g.measures).into(),
        }
    }
}

/// Evaluation measures (好差评统计) for a period of evaluation days, grouped by
/// organisation, hall, window or staff member: evaluations per level, the satisfaction
/// rate (满意率: the first three levels ÷ all evaluations not annulled), bad reviews, the
/// rectification rate (整改率: bad reviews whose rectification reached rectified or
/// explained or later ÷ bad reviews) and the callback rate (回访率: called back or closed ÷
/// bad reviews). Supervisors, administrators and reviewers, within their scope.
#[utoipa::path(operation_id = "getEvaluationStatistics",
    tag = "statistics", security(("bearer" = [])), params(EvaluationStatsQuery),
    responses((status = 200, body = EvaluationStatistics)))]
#[get("/statistics/evaluations")]
pub async fn evaluation_statistics(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<EvaluationStatsQuery>,
) -> ApiResult<HttpResponse> {
    let period = Period::parse(q.from, q.to)?;
    let org = q.org.map(OrganizationId);
    let stats = app::statistics(&state, &auth.actor(), org, period, q.group_by).await?;
    Ok(HttpResponse::Ok().json(EvaluationStatistics {
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        groups: stats.groups.iter().map(EvaluationGroup::from).collect(),
        total: (&stats.total).into(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicSummaryQuery {
    /// The organisation whose subtree is summarised; all when absent.
    pub org: Option<Uuid>,
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    /// At most 3 years after `from`.
    #[param(example = "2025-12-31")]
    pub to: NaiveDate,
}

/// What the public sees of one organisation's evaluations: counts only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicMeasures {
    pub evaluations: u64,
    pub by_level: LevelCounts,
    /// (very_satisfied + satisfied + basically_satisfied) ÷ evaluations.
    pub satisfaction_rate: Option<f64>,
    pub bad_reviews: u64,
    /// Bad reviews rectified or explained (or further).
    pub rectified: u64,
}

impl From<&EvaluationMeasures> for PublicMeasures {
    fn from(m: &EvaluationMeasures) -> Self {
        Self {
            evaluations: m.total,
            by_level: m.into(),
            satisfaction_rate: m.satisfaction_rate(),
            bad_reviews: m.bad,
            rectified: m.rectified,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOrgSummary {
    pub organization_id: Uuid,
    pub name: String,
    #[serde(flatten)]
    pub measures: PublicMeasures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicEvaluationSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub organizations: Vec<PublicOrgSummary>,
    pub total: PublicMeasures,
}

/// The public summary of evaluations (好差评结果公开) per organisation and in total: counts
/// per level, the satisfaction rate, bad reviews and how many were rectified. No personal
/// data and no texts; annulled evaluations and those of classified cases are left out.
#[utoipa::path(operation_id = "getPublicEvaluationSummary",
    tag = "evaluations", params(PublicSummaryQuery),
    responses((status = 200, body = PublicEvaluationSummary)))]
#[get("/public/evaluations/summary")]
pub async fn public_evaluation_summary(
    state: web::Data<AppState>,
    q: web::Query<PublicSummaryQuery>,
) -> ApiResult<HttpResponse> {
    let period = Period::parse(q.from, q.to)?;
    let summary = app::public_summary(&state, q.org.map(OrganizationId), period).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(PublicEvaluationSummary {
            from: q.from,
            to: q.to,
            organizations: summary.groups.iter().map(PublicOrgSummary::from).collect(),
            total: (&summary.total).into(),
        }))
}
