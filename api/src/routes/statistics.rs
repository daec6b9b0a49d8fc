//! Case statistics (办件统计) per organisation, hall, window, staff member or matter.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::services::CaseMeasures;

pub use crate::app::statistics::GroupBy;
use crate::app::statistics::{self as app, Period};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The organisation whose subtree is counted; your scope when absent.
    pub org: Option<Uuid>,
    /// First day of receipt counted.
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    /// Last day of receipt counted (at most 3 years after `from`).
    #[param(example = "2025-10-31")]
    pub to: NaiveDate,
    #[param(example = "org")]
    pub group_by: GroupBy,
}

/// The measures of one group. Rates are fractions (0.8 = 80%), absent when undefined.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Measures {
    /// Cases received in the period (projects of parallel approval count by their parts).
    pub received: u64,
    /// Of those, accepted (受理).
    pub accepted: u64,
    /// Refused (不予受理).
    pub refused: u64,
    /// Decided (办结), delivered or not.
    pub completed: u64,
    /// 办结率 = completed ÷ accepted.
    pub completion_rate: Option<f64>,
    /// 按时办结率 = completed on or before the due date ÷ completed.
    pub on_time_rate: Option<f64>,
    /// 当场办结率 = immediate cases decided on the day of acceptance ÷ immediate cases completed.
    pub on_the_spot_rate: Option<f64>,
    /// 提前办结率 = completed before the due date ÷ completed.
    pub early_completion_rate: Option<f64>,
    /// Mean working days from acceptance to decision, special procedures left out. A case
    /// whose one-time notice came later than the notice window was accepted on receipt (AL
    /// Art.32), and counts from then here and in the on-time rates.
    pub average_working_days_used: Option<f64>,
    /// Mean promised limit (with extension) of the completed cases.
    pub average_working_days_promised: Option<f64>,
}

impl From<&CaseMeasures> for Measures {
    fn from(m: &CaseMeasures) -> Self {
        Self {
            received: m.received,
            accepted: m.accepted,
            refused: m.refused,
            completed: m.completed,
            completion_rate: m.completion_rate(),
            on_time_rate: m.on_time_rate(),
            on_the_spot_rate: m.on_the_spot_rate(),
            early_completion_rate: m.early_rate(),
            average_working_days_used: m.average_working_days_used(),
            average_working_days_promised: m.average_limit_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Group {
    /// The id of the organisation, hall, window, staff member or matter; absent for
    /// cases without one (e.g. no window).
    pub key: Option<Uuid>,
    pub label: String,
    #[serde(flatten)]
    pub measures: Measures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub groups: Vec<Group>,
    pub total: Measures,
}

/// Case measures for a period, grouped: received, accepted, refused, completed, and the
/// completion (办结率), on-time (按时办结率), on-the-spot (当场办结率) and early-completion
/// rates, with the average working days used against those promised. Computed from the
/// records; supervisors and administrators, within their scope.
#[utoipa::path(operation_id = "getCaseStatistics",
    tag = "statistics", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = CaseStatistics)))]
#[get("/statistics/cases")]
pub async fn cases_statistics(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let period = Period::parse(q.from, q.to)?;
    let org = q.org.map(OrganizationId);
    let stats = app::cases(&state, &auth.actor(), org, period, q.group_by).await?;
    Ok(HttpResponse::Ok().json(CaseStatistics {
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        groups: stats.groups.iter().map(Group::from).collect(),
        total: (&stats.total).into(),
    }))
}

impl From<&app::Group<CaseMeasures>> for Group {
    fn from(g: &app::Group<CaseMeasures>) -> Self {
        Self {
            key: g.key,
            label: g.label.clone(),
            measures: (&g.measures).into(),
        }
    }
}
