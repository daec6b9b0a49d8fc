//! The disclosure assessment (政务公开考核评议): per organisation of a subtree, how timely
//! its disclosure is — proactive items overdue for publication or published late, applications
//! replied late, forwarded topic requests and leader messages unanswered after their feedback
//! deadline, and the response time of the echo wall.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::assessment::DisclosureFindings;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::OrgKind;

use crate::app::disclosure_assessment as app;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureAssessmentQuery {
    /// The organisation whose subtree is assessed.
    #[param(example = "01941f29-7c00-7001-8000-000000000001")]
    pub org: Uuid,
    /// Up to the current year.
    #[param(example = 2026)]
    #[param(minimum = 2008)]
    pub year: i32,
}

/// The findings of one organisation, or the totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Findings {
    /// Proactive items due in the year, past their due date (OGI Art.26: 20 working days
    /// after forming) and not published on the day of evaluation.
    pub overdue_unpublished: u64,
    /// Proactive items due in the year and published after their due date.
    pub published_late: u64,
    /// Replies to applications in the year given after the statutory deadline.
    pub late_replies: u64,
    /// Topic requests and leader messages forwarded to it, past their feedback deadline
    /// (限时反馈) and not answered.
    pub unanswered_past_due: u64,
    /// Messages it answered in the year.
    pub answered_messages: u64,
    /// Mean calendar days from submission to answer of those messages (回音壁 response time).
    pub mean_response_days: Option<f64>,
}

impl From<&DisclosureFindings> for Findings {
    fn from(f: &DisclosureFindings) -> Self {
        Self {
            overdue_unpublished: f.overdue_unpublished,
            published_late: f.published_late,
            late_replies: f.late_replies,
            unanswered_past_due: f.unanswered_past_due,
            answered_messages: f.answered_messages,
            mean_response_days: f.mean_response_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationFindings {
    pub organization_id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    #[serde(flatten)]
    pub findings: Findings,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureAssessment {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub year: i32,
    /// The day of evaluation: today for the current year, 31 December for a past one.
    pub as_of: NaiveDate,
    /// Every organisation of the subtree, in tree order.
    pub organizations: Vec<OrganizationFindings>,
    pub totals: Findings,
}

/// The disclosure assessment (考核评议) of an organisation's subtree for a year, computed
/// from the records: proactive items overdue for publication or published late,
/// applications replied late, forwarded topic requests and leader messages unanswered past
/// their feedback deadline, and the echo wall's mean response time. Supervisors and
/// administrators, within their scope.
#[utoipa::path(operation_id = "getDisclosureAssessment",
    tag = "assessment", security(("bearer" = [])), params(DisclosureAssessmentQuery),
    responses((status = 200, body = DisclosureAssessment),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such organisation in your scope")))]
#[get("/supervision/disclosure-assessment")]
pub async fn disclosure_assessment(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<DisclosureAssessmentQuery>,
) -> ApiResult<HttpResponse> {
    let org = OrganizationId(q.org);
    let found = app::assess(&state, &auth.actor(), org, q.year).await?;
    Ok(HttpResponse::Ok().json(found))
}
