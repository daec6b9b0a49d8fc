//! Daily assessments (日考核): the bodies, the answers and the handlers.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::assessment::{self as rules, Dimension, MAX_ITEMS, SubjectKind};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{AssessmentId, OrganizationId};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::assessments::StoredItem;

use crate::app::assessments::daily::{
    self as app, AssessmentCorrection, AssessmentSearch, AssessmentView, NewAssessment,
};
use crate::app::assessments::{ParseOn, parse_note};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// A bonus of 1 to 10 or a penalty of −1 to −10 points (never 0).
fn points_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let range = |lo: i32, hi: i32| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int32,
            )))
            .minimum(Some(lo))
            .maximum(Some(hi))
    };
    utoipa::openapi::Schema::OneOf(
        OneOfBuilder::new()
            .item(range(1, 10))
            .item(range(-10, -1))
            .build(),
    )
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub dimension: Dimension,
    /// A bonus of 1 to 10 or a penalty of −1 to −10.
    #[schema(example = -2, schema_with = points_schema)]
    pub points: i32,
    /// Why: required.
    #[schema(example = "窗口桌面杂乱，未按要求摆放标识牌")]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "hall_id": "01941f29-7c00-7001-8000-000000000005", "subject_kind": "window",
    "subject_id": "01941f29-7c00-7003-8000-000000000001", "day": "2026-12-04",
    "items": [
        {"dimension": "attitude", "points": 2, "reason": "群众书面表扬，耐心解答"},
        {"dimension": "environment", "points": -1, "reason": "窗口桌面杂乱"}
    ]
}))]
pub struct AssessmentIn {
    pub hall_id: Uuid,
    pub subject_kind: SubjectKind,
    /// A window of the hall, or a staff member of one of its windows.
    pub subject_id: Uuid,
    /// Up to today, by the server's clock in the local time zone.
    pub day: NaiveDate,
    /// Up to 20 items; none means a day without findings (score 100).
    #[serde(default)]
    pub items: Vec<ItemIn>,
    pub note: Option<String>,
}

/// A correction of a daily assessment: the items and note replace the previous ones.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "items": [{"dimension": "discipline", "points": -3, "reason": "上班时间玩手机"}]
}))]
pub struct AssessmentChange {
    #[serde(default)]
    pub items: Vec<ItemIn>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: Uuid,
    pub hall_id: Uuid,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub day: NaiveDate,
    /// The daily score: 100 plus the points of the items.
    #[schema(example = 101)]
    pub score: i32,
    pub items: Vec<ItemIn>,
    pub note: Option<String>,
    pub assessed_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AssessmentView> for AssessmentDto {
    fn from(v: AssessmentView) -> Self {
        let (row, items) = (v.assessment.row, v.assessment.items);
        Self {
            id: row.id,
            hall_id: row.hall_id,
            subject_kind: v.subject_kind,
            subject_id: v.subject_id,
            day: row.day,
            score: row.score,
            items: items
                .into_iter()
                .map(|i| ItemIn {
                    dimension: i.dimension,
                    points: i.points,
                    reason: i.reason,
                })
                .collect(),
            note: row.note,
            assessed_by: row.assessed_by,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn answer(v: AssessmentView) -> HttpResponse {
    let d = AssessmentDto::from(v);
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// Validates the items: dimension (by the schema), points in range, a reason.
fn check_items(e: &mut Errors, items: &[ItemIn]) -> Vec<StoredItem> {
    if items.len() > MAX_ITEMS {
        e.push(
            "items",
            RuleViolation::new(
                Code::AssessmentTooManyItems,
                format!("at most {MAX_ITEMS} items a day"),
            ),
        );
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| {
            let points = e.check(&format!("items/{i}/points"), rules::check_points(it.points));
            let reason = e.check(
                &format!("items/{i}/reason"),
                validation::text(&it.reason, 500),
            );
            Some(StoredItem {
                dimension: it.dimension,
                points: points?,
                reason: reason?,
            })
        })
        .collect()
}

impl ParseOn<NewAssessment> for AssessmentIn {
    fn parse_on(self, today: NaiveDate) -> ApiResult<NewAssessment> {
        let mut e = Errors::new();
        e.check("day", validation::event_date(self.day, None, today));
        let items = check_items(&mut e, &self.items);
        let note = parse_note(&mut e, self.note.as_deref());
        e.finish()?;
        Ok(NewAssessment {
            hall: OrganizationId(self.hall_id),
            subject_kind: self.subject_kind,
            subject_id: self.subject_id,
            day: self.day,
            items,
            note,
        })
    }
}

impl ParseOn<AssessmentCorrection> for AssessmentChange {
    fn parse_on(self, _today: NaiveDate) -> ApiResult<AssessmentCorrection> {
        let mut e = Errors::new();
        let items = check_items(&mut e, &self.items);
        let note = parse_note(&mut e, self.note.as_deref());
        e.finish()?;
        Ok(AssessmentCorrection { items, note })
    }
}

/// Record the daily assessment of a window or a staff member (supervisors and organisation
/// administrators). The score is 100 plus the points of the items.
///
/// One assessment per subject and day: a second one is a 409 whose `context.id` names the
/// existing one, to correct with `PUT /assessments/{id}`.
#[utoipa::path(operation_id = "createAssessment",
    tag = "assessment", security(("bearer" = [])), request_body = AssessmentIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = AssessmentDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The subject is already assessed for the day (`assessment.duplicate`)")))]
#[post("/assessments")]
pub async fn create_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<AssessmentIn>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let input = body.into_inner_value();
    let created = app::create::<AssessmentDto>(&state, &auth.actor(), &idem, input).await?;
    Ok(created.into_response())
}

/// Read a daily assessment.
#[utoipa::path(operation_id = "getAssessment",
    tag = "assessment", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = AssessmentDto, headers(("ETag" = String)))))]
#[get("/assessments/{id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(answer(
        app::get(&state, &auth.actor(), AssessmentId(*id)).await?,
    ))
}

/// Correct a daily assessment: its items and note are replaced (send `If-Match`).
#[utoipa::path(operation_id = "amendAssessment",
    tag = "assessment", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = AssessmentChange, responses((status = 200, body = AssessmentDto)))]
#[put("/assessments/{id}")]
pub async fn amend_assessment(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AssessmentChange>,
) -> ApiResult<HttpResponse> {
    let (actor, id, input) = (auth.actor(), AssessmentId(*id), body.into_inner_value());
    let v = app::amend::<AssessmentDto>(&state, &actor, id, &if_match, input).await?;
    Ok(answer(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    #[param(example = "01941f29-7c00-7001-8000-000000000005")]
    pub hall: Uuid,
    #[param(example = "2026-11-01")]
    pub from: NaiveDate,
    /// At most 366 days after `from`.
    #[param(example = "2026-11-30")]
    pub to: NaiveDate,
}

/// The daily assessments of a hall in a period, with their items.
#[utoipa::path(operation_id = "listAssessments",
    tag = "assessment", security(("bearer" = [])), params(AssessmentQuery, PageParams),
    responses((status = 200, body = Page<AssessmentDto>),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such hall in your scope")))]
#[get("/assessments")]
pub async fn list_assessments(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AssessmentQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let search = AssessmentSearch {
        hall: OrganizationId(q.hall),
        from: q.from,
        to: q.to,
        after: page.after_uuid()?.map(AssessmentId),
        limit: limit + 1,
    };
    let rows = app::list(&state, &auth.actor(), search).await?;
    let page = Page::from_rows(
        rows,
        limit,
        |v| v.assessment.row.id.to_string(),
        AssessmentDto::from,
    );
    Ok(page_response(&req, page))
}
