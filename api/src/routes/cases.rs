//! Cases (办件): application, intake, processing, decision, delivery, the trail and the
//! public progress lookup.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, Role};
use zhengwu_domain::calendar::{Calendar, ClockReading, StoredDeadline};
use zhengwu_domain::services::{
    self as rules, CaseAction, CaseClock, CaseKind, CaseState, Decision, MatterState, Pause,
    SpecialProcedure,
};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::cases::{self as repo, Case, SubmittedMaterial};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::{Conn, DbError, Found, calendar, matters, orgs, users};

use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope, SubjectKind};
use crate::deadlines;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

const CLERKS: &[Role] = &[Role::Clerk];
const HANDLERS: &[Role] = &[Role::Clerk, Role::Reviewer];
const APPROVERS: &[Role] = &[Role::Reviewer, Role::OrgAdmin];

// ------------------------------------------------------------------ bodies

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialIn {
    /// The name of one of the matter's materials.
    #[schema(example = "居民身份证")]
    pub name: String,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 20)]
    pub copies: u32,
}

fn one() -> u32 {
    1
}

/// The applicant, when a clerk applies on someone's behalf at a window.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseApplicantIn {
    #[schema(example = "张三")]
    pub name: String,
    pub applicant_type: ApplicantType,
    pub phone: Option<String>,
    /// The applicant's account, if registered (they can then follow the case).
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "matter_ids": ["01941f29-7c00-7004-8000-000000000001"], "channel": "web",
    "materials": [{"name": "建筑工程施工许可证申请表", "copies": 1}]
}))]
pub struct CreateCase {
    /// One matter; several make a parallel-approval project (并联审批) with a sub-case each.
    #[schema(min_items = 1, max_items = 20)]
    pub matter_ids: Vec<Uuid>,
    /// `web` or `mobile` for applicants online; `window` or `post` for clerks.
    pub channel: CaseChannel,
    /// Clerks: the window of intake.
    pub window_id: Option<Uuid>,
    /// Clerks: whom the case is for. Applicants apply for themselves.
    pub applicant: Option<CaseApplicantIn>,
    #[serde(default)]
    pub materials: Vec<MaterialIn>,
    /// Required for a parallel-approval project.
    pub project_name: Option<String>,
    /// Green channel for key investment projects (绿色通道).
    #[serde(default)]
    pub green_channel: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseChannel {
    Window,
    Web,
    Mobile,
    Post,
}

impl CaseChannel {
    fn as_str(self) -> &'static str {
        match self {
            CaseChannel::Window => "window",
            CaseChannel::Web => "web",
            CaseChannel::Mobile => "mobile",
            CaseChannel::Post => "post",
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "材料齐全，予以受理"}))]
pub struct NoteIn {
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "申请事项不属于本机关职权范围，请向不动产登记中心申请"}))]
pub struct CaseReasonIn {
    #[schema(example = "申请事项不属于本机关职权范围")]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialProblem {
    Missing,
    Defective,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingItem {
    /// One of the matter's materials.
    pub material: String,
    pub problem: MaterialProblem,
    pub note: Option<String>,
}

/// A one-time notice (一次性告知): everything missing or defective, at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"material": "施工合同", "problem": "missing"}]}))]
pub struct NotifyMissingIn {
    #[schema(min_items = 1)]
    pub items: Vec<MissingItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"materials": [{"name": "建设工程规划许可证", "copies": 1}]}))]
pub struct ResubmitIn {
    pub materials: Vec<MaterialIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"assignee_id": "01941f29-7c00-7002-8000-000000000013"}))]
pub struct AssignIn {
    pub assignee_id: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "审核", "opinion": "材料齐全，符合法定条件，建议准予许可。"}))]
pub struct StepIn {
    /// 审核, 决定, …
    pub name: String,
    pub opinion: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"procedure": "expert_review", "reason": "需组织专家评审", "expected_end": "2026-12-04"}))]
pub struct SuspendIn {
    pub procedure: SpecialProcedure,
    pub reason: String,
    pub expected_end: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"working_days": 5, "reason": "需补充征求消防部门意见，经负责人批准延长"}))]
pub struct CaseExtendIn {
    /// Working days added; the total may not exceed the statutory limit plus its legal extension.
    #[schema(minimum = 1)]
    pub working_days: u32,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approved", "result_number": "历下建施〔2026〕0158号"}))]
pub struct DecideIn {
    pub decision: Decision,
    /// Required when denied.
    pub reason: Option<String>,
    /// The result document's number; required when approved.
    pub result_number: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"method": "window"}))]
pub struct DeliverIn {
    /// `window`, `post`, `electronic`, …
    pub method: String,
    /// The day it was delivered (default today): not before the decision, not in the future.
    pub delivered_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"name": "工本费", "amount_fen": 1000}]}))]
pub struct ChargeIn {
    #[schema(min_items = 1)]
    pub items: Vec<ChargeItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeItem {
    /// A fee item of the matter's version (anything else is recorded and flagged).
    pub name: String,
    #[schema(minimum = 1)]
    pub amount_fen: i64,
}

// ------------------------------------------------------------------ responses

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockDto {
    pub accepted_on: Option<NaiveDate>,
    /// `None` before acceptance and while a special procedure runs.
    pub due_date: Option<NaiveDate>,
    pub limit_working_days: u32,
    pub extension_working_days: u32,
    pub working_days_used: u32,
    pub working_days_paused: u32,
    /// Negative when overdue.
    pub working_days_left: Option<i64>,
    pub paused: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: Uuid,
    #[schema(example = "3701022026112200017")]
    pub number: String,
    pub parent_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub matter_version: Option<i32>,
    pub matter_name: Option<String>,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub applicant_id: Option<Uuid>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub applicant_phone: Option<String>,
    pub project_name: Option<String>,
    pub channel: String,
    pub materials: Vec<MaterialOut>,
    pub state: CaseState,
    pub case_kind: CaseKind,
    pub statutory_days: u32,
    pub promised_days: u32,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub submission_round: i32,
    pub clock: ClockDto,
    pub refusal_reason: Option<String>,
    pub extension_reason: Option<String>,
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
    pub result_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    /// The last day to deliver the decision: 10 working days after it (AL Art.44).
    pub delivery_due: Option<NaiveDate>,
    /// The day the decision was delivered.
    pub delivered_on: Option<NaiveDate>,
    /// Delivered after `delivery_due`.
    pub delivered_late: bool,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub delivery_method: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub first_contact_id: Option<Uuid>,
    pub green_channel: bool,
    /// A fee outside the list or above its standard was charged.
    pub fee_anomaly: bool,
    /// Sub-cases of a parallel-approval project.
    pub sub_cases: Vec<SubCase>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MaterialOut {
    pub name: String,
    pub copies: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubCase {
    pub id: Uuid,
    pub number: String,
    pub organization_id: Uuid,
    pub state: CaseState,
    pub due_date: Option<NaiveDate>,
}

/// The answer to an application: the case, and its query password shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedCase {
    #[serde(flatten)]
    pub case: CaseDto,
    /// For the public progress lookup; not stored in readable form.
    #[schema(example = "7K4Q9X2M")]
    pub query_password: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseTimelineEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Timeline {
    pub case_id: Uuid,
    pub number: String,
    pub state: CaseState,
    pub clock: ClockDto,
    pub entries: Vec<CaseTimelineEntry>,
}

/// What the public sees of a case: no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCase {
    pub number: String,
    pub matter_name: Option<String>,
    pub state: CaseState,
    /// The last step recorded, or the state's label.
    pub current_step: String,
    pub received_on: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub decision: Option<Decision>,
    pub decided_on: Option<NaiveDate>,
}

// ------------------------------------------------------------------ helpers

pub(crate) fn password_hash(p: &str) -> Vec<u8> {
    Sha256::digest(p.as_bytes()).to_vec()
}

/// Whether a query password matches its stored hash, compared in constant time.
pub(crate) fn password_matches(stored: &[u8], given: &str) -> bool {
    stored.len() == 32
        && stored
            .iter()
            .zip(password_hash(given))
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

pub(crate) fn new_password() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

async fn calendar_around(conn: &mut Conn, from: NaiveDate) -> ApiResult<Calendar> {
    Ok(calendar::calendar_for(conn, from.year(), from.year() + 2).await?)
}

async fn clock_of(conn: &mut Conn, c: &Case, today: NaiveDate) -> ApiResult<Clock> {
    let pauses = repo::pauses_of(conn, c.id).await?;
    let cal = match c.accepted_on {
        Some(accepted) => Some(calendar_around(conn, accepted).await?),
        None => None,
    };
    clock_reading(c, &pauses, cal.as_ref(), today)
}

/// A case's clock, its representation and, once accepted, its reading.
struct Clock {
    clock: CaseClock,
    dto: ClockDto,
    reading: Option<ClockReading>,
}

/// The clock of a case from its special procedures and, once accepted, the calendar
/// around its acceptance.
fn clock_reading(
    c: &Case,
    pauses: &[repo::PauseRecord],
    cal: Option<&Calendar>,
    today: NaiveDate,
) -> ApiResult<Clock> {
    let clock = CaseClock {
        accepted_on: c.accepted_on.unwrap_or(c.received_on),
        promised_days: c.promised_days,
        statutory_days: c.statutory_days,
        extension_days: c.extension_days,
        pauses: pauses
            .iter()
            .map(|p| Pause {
                start: p.start_on,
                end: p.end_on,
            })
            .collect(),
    };
    let mut reading = None;
    let dto = match c.accepted_on {
        None => ClockDto {
            accepted_on: None,
            due_date: None,
            limit_working_days: c.promised_days,
            extension_working_days: c.extension_days,
            working_days_used: 0,
            working_days_paused: 0,
            working_days_left: None,
            paused: false,
        },
        Some(accepted) => {
            let cal = cal.ok_or_else(ApiError::internal)?;
            let until = c.decided_on.unwrap_or(today);
            let r = clock
                .read(cal, until)
                .map_err(|e| ApiError::unprocessable("case.clock", e.to_string()))?;
            let dto = ClockDto {
                accepted_on: Some(accepted),
                due_date: r.due_date,
                limit_working_days: c.promised_days,
                extension_working_days: c.extension_days,
                working_days_used: r.working_days_used,
                working_days_paused: r.working_days_paused,
                working_days_left: r.working_days_left,
                paused: c.state == CaseState::Suspended,
            };
            reading = Some(r);
            dto
        }
    };
    Ok(Clock {
        clock,
        dto,
        reading,
    })
}

async fn case_dto(state: &AppState, conn: &mut Conn, c: Case) -> ApiResult<CaseDto> {
    let mut dtos = case_dtos(state, conn, vec![c]).await?;
    dtos.pop().ok_or_else(ApiError::internal)
}

/// The representations of a page of cases: what each shows beside the case is loaded for
/// the whole page at once, and one calendar serves every case accepted in the same year.
async fn case_dtos(state: &AppState, conn: &mut Conn, cases: Vec<Case>) -> ApiResult<Vec<CaseDto>> {
    let mut extras = repo::extras_of(conn, &cases).await?;
    let today = state.today();
    let mut calendars: HashMap<i32, Calendar> = HashMap::new();
    let mut dtos = Vec::with_capacity(cases.len());
    for c in cases {
        let outcome = extras
            .outcomes
            .remove(&c.id)
            .ok_or_else(|| ApiError::not_found("case"))?;
        let cal = match c.accepted_on {
            Some(accepted) => {
                if let std::collections::hash_map::Entry::Vacant(e) =
                    calendars.entry(accepted.year())
                {
                    e.insert(calendar_around(conn, accepted).await?);
                }
                calendars.get(&accepted.year())
            }
            None => None,
        };
        let pauses = extras.pauses.remove(&c.id).unwrap_or_default();
        let clock = clock_reading(&c, &pauses, cal, today)?.dto;
        let matter_name = match (c.matter_id, c.matter_version) {
            (Some(m), Some(v)) => Some(
                extras
                    .matter_names
                    .get(&(m, v))
                    .cloned()
                    .ok_or_else(|| ApiError::not_found("service matter version"))?,
            ),
            _ => None,
        };
        let sub_cases = extras
            .children
            .remove(&c.id)
            .unwrap_or_default()
            .into_iter()
            .map(|s| SubCase {
                id: s.id,
                number: s.number,
                organization_id: s.organization_id,
                state: s.state,
                due_date: s.due_date,
            })
            .collect();
        let fee_anomaly = extras.fee_anomalies.contains(&c.id);
        dtos.push(CaseDto {
            id: c.id,
            number: c.number,
            parent_id: c.parent_id,
            matter_id: c.matter_id,
            matter_version: c.matter_version,
            matter_name,
            organization_id: c.organization_id,
            window_id: c.window_id,
            applicant_id: c.applicant_id,
            applicant_name: c.applicant_name,
            applicant_type: c.applicant_type,
            applicant_phone: c.applicant_phone,
            project_name: c.project_name,
            channel: c.channel,
            materials: c
                .submitted_materials
                .into_iter()
                .map(|m| MaterialOut {
                    name: m.name,
                    copies: m.copies,
                })
                .collect(),
            state: c.state,
            case_kind: c.case_kind,
            statutory_days: c.statutory_days,
            promised_days: c.promised_days,
            received_at: c.received_at,
            received_on: c.received_on,
            submission_round: c.submission_round,
            clock,
            refusal_reason: outcome.refusal_reason.clone(),
            extension_reason: outcome.extension_reason.clone(),
            decision: outcome.decision()?,
            decision_reason: outcome.decision_reason.clone(),
            result_number: outcome.result_number.clone(),
            decided_on: c.decided_on,
            delivery_due: outcome.delivery_due,
            delivered_on: outcome.delivered_on,
            delivered_late: rules::delivered_late(outcome.delivery_due, outcome.delivered_on),
            years_without_calendar: extras
                .years_without_calendar
                .remove(&c.id)
                .unwrap_or_default(),
            delivered_at: outcome.delivered_at,
            delivery_method: outcome.delivery_method.clone(),
            assignee_id: c.assignee_id,
            first_contact_id: c.first_contact_id,
            green_channel: c.green_channel,
            fee_anomaly,
            sub_cases,
            version: c.version,
        });
    }
    Ok(dtos)
}

/// The case, if the caller may see it: its applicant, or staff in scope.
pub(crate) async fn visible_case(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Case, orgs::Organization)> {
    let found = if for_update {
        repo::get_case_for_update(conn, id).await
    } else {
        repo::get_case(conn, id).await
    };
    let c = match found {
        Ok(c) => c,
        Err(DbError::NotFound) => return Err(ApiError::not_found("case")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, c.organization_id).await?;
    let own = auth.kind == SubjectKind::User && c.applicant_id == Some(auth.id);
    let staff =
        auth.role.is_staff() && (auth.sees(&org.path) || at_my_hall(conn, auth, &c).await?);
    if !own && !staff {
        return Err(ApiError::not_found("case"));
    }
    Ok((c, org))
}

/// Whether the case's window is in a hall of the caller's scope (一窗受理: the hall's
/// windows take in the departments' matters).
async fn at_my_hall(conn: &mut Conn, auth: &Principal, c: &Case) -> ApiResult<bool> {
    let Some(w) = c.window_id else {
        return Ok(false);
    };
    let window = zhengwu_persistence::windows::get(conn, w).await?;
    Ok(auth.sees(&orgs::get(conn, window.hall_id).await?.path))
}

/// The number prefix of cases and disclosure applications received by `org` (the
/// six-digit division code of the nearest organisation up the tree that has one) and the
/// organisation whose daily serial the number takes: the holder of that code, so that every
/// organisation sharing a prefix shares one serial and numbers never repeat (the root when
/// no organisation in the chain has a code).
pub(crate) async fn number_prefix(
    conn: &mut Conn,
    org: &orgs::Organization,
) -> ApiResult<(String, Uuid)> {
    let ids: Vec<Uuid> = org.path.ids().into_iter().map(|i| i.0).collect();
    let mut chain = orgs::get_many(conn, &ids).await?;
    chain.sort_by_key(|o| std::cmp::Reverse(o.path.as_str().len()));
    let coded = chain.iter().find_map(|o| {
        o.division_code
            .as_ref()
            .map(|d| (d.chars().take(6).collect(), o.id))
    });
    Ok(coded.unwrap_or_else(|| {
        let root = chain.last().map_or(org.id, |o| o.id);
        ("000000".to_owned(), root)
    }))
}

async fn next_number(
    conn: &mut Conn,
    org: &orgs::Organization,
    day: NaiveDate,
) -> ApiResult<String> {
    let (prefix, counter) = number_prefix(conn, org).await?;
    let serial = repo::next_serial(conn, counter, day).await?;
    Ok(rules::case_number(&prefix, day, serial as u32))
}

fn check_materials(
    listed: &[String],
    given: &[MaterialIn],
    base: &str,
) -> ApiResult<Vec<SubmittedMaterial>> {
    let mut e = Errors::new();
    for (i, m) in given.iter().enumerate() {
        if !listed.iter().any(|l| l == m.name.trim()) {
            e.push(
                &format!("{base}/{i}/name"),
                RuleViolation::new(
                    "material.not_in_matter",
                    "not one of the matter's materials",
                ),
            );
        }
        if !(1..=20).contains(&m.copies) {
            e.push(
                &format!("{base}/{i}/copies"),
                RuleViolation::new("range", "1 to 20 copies"),
            );
        }
    }
    e.finish()?;
    Ok(given
        .iter()
        .map(|m| SubmittedMaterial {
            name: m.name.trim().to_owned(),
            copies: m.copies,
        })
        .collect())
}

fn illegal(e: rules::IllegalCaseAction) -> ApiError {
    ApiError::conflict("case.illegal_transition", e.to_string())
        .context(serde_json::json!({"state": e.from, "action": e.action}))
}

// ------------------------------------------------------------------ application

/// Apply: an applicant online (`web`, `mobile`), or a clerk at a window for someone
/// (`window`, `post`). Several matters make a parallel-approval project with a sub-case
/// each. Answers the case number and a query password for the public lookup.
#[utoipa::path(operation_id = "createCase",
    tag = "cases", security(("bearer" = [])), request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = CreatedCase),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not a clerk or an applicant, or an applicant set a field reserved to \
staff (`window_id`, `applicant`, `green_channel`; `errors[]` names it)")))]
#[post("/cases")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateCase>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createCase", Some(&auth), &body)?;
    let b = &body.value;
    let applicant_mode = auth.role == Role::Applicant;
    if !applicant_mode {
        auth.require(CLERKS)?;
    }
    let mut e = Errors::new();
    match (applicant_mode, b.channel) {
        (true, CaseChannel::Web | CaseChannel::Mobile)
        | (false, CaseChannel::Window | CaseChannel::Post) => {}
        (true, _) => e.push(
            "channel",
            RuleViolation::new("case.channel", "applicants apply on web or mobile"),
        ),
        (false, _) => e.push(
            "channel",
            RuleViolation::new(
                "case.channel",
                "clerks take applications at a window or by post",
            ),
        ),
    }
    if b.matter_ids.is_empty() || b.matter_ids.len() > 20 {
        e.push(
            "matter_ids",
            RuleViolation::new("list.length", "1 to 20 matters"),
        );
    }
    if b.matter_ids.len() > 1 {
        e.check(
            "project_name",
            validation::text(b.project_name.as_deref().unwrap_or(""), 200),
        );
    }
    if !applicant_mode && b.applicant.is_none() {
        e.push(
            "applicant",
            RuleViolation::new("field.required_when", "a clerk names the applicant"),
        );
    }
    if let Some(a) = &b.applicant {
        e.check("applicant/name", validation::text(&a.name, 100));
        e.check_opt("applicant/phone", a.phone.as_deref(), validation::phone);
    }
    e.finish()?;
    let password = new_password();
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let st = &state;
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (applicant_id, applicant_name, applicant_type, phone) = if applicant_mode {
            let me = users::get(c, auth.id).await?;
            let t = me.applicant_type.ok_or_else(ApiError::internal)?;
            (Some(me.id), me.display_name, t, me.phone)
        } else {
            let a = b.applicant.clone().ok_or_else(ApiError::internal)?;
            if let Some(uid) = a.user_id {
                let ok = users::get(c, uid)
                    .await
                    .found()?
                    .is_some_and(|u| u.role == Role::Applicant);
                if !ok {
                    return Err(ApiError::field(
                        "/applicant/user_id",
                        "reference.not_found",
                        "no such applicant account",
                    ));
                }
            }
            (
                a.user_id,
                a.name.trim().to_owned(),
                a.applicant_type,
                a.phone,
            )
        };
        if let Some(w) = b.window_id {
            let ok = match zhengwu_persistence::windows::get(c, w).await.found()? {
                Some(win) => win.active && auth.sees(&orgs::get(c, win.hall_id).await?.path),
                None => false,
            };
            if !ok {
                return Err(ApiError::field(
                    "/window_id",
                    "reference.not_found",
                    "no such active window in your scope",
                ));
            }
        }
        let now = st.clock.now();
        let day = st.today();
        // Every matter must be published and accepting applications.
        let mut versions = Vec::new();
        for (i, mid) in b.matter_ids.iter().enumerate() {
            let m = match matters::get_matter(c, *mid).await {
                Ok(m) if m.state == MatterState::Published => m,
                Ok(_) | Err(DbError::NotFound) => {
                    return Err(ApiError::field(
                        &format!("/matter_ids/{i}"),
                        "case.matter_not_accepting",
                        "no published service matter accepting applications",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            let number = m.published_version.ok_or_else(ApiError::internal)?;
            let v = matters::get_version(c, m.id, number).await?;
            versions.push((m, v));
        }
        let listed: Vec<String> = versions
            .iter()
            .flat_map(|(_, v)| v.content.materials.iter().map(|m| m.name.clone()))
            .collect();
        let materials = check_materials(&listed, &b.materials, "/materials")?;
        let pw = password_hash(&password);
        let base =
            |id: Uuid,
             number: String,
             parent: Option<Uuid>,
             org: Uuid,
             matter: Option<(&matters::Matter, &matters::MatterVersion)>| {
                repo::NewCase {
                    id,
                    number,
                    parent_id: parent,
                    matter_id: matter.map(|(m, _)| m.id),
                    matter_version: matter.map(|(_, v)| v.number),
                    organization_id: org,
                    window_id: b.window_id.or_else(|| {
                        matter.and_then(|(_, v)| v.content.window_ids.first().copied())
                    }),
                    applicant_id,
                    applicant_name: applicant_name.clone(),
                    applicant_type,
                    applicant_phone: phone.clone(),
                    project_name: b.project_name.clone(),
                    channel: b.channel.as_str().to_owned(),
                    submitted_materials: materials.clone(),
                    query_password_hash: pw.clone(),
                    case_kind: matter.map_or(CaseKind::Promised, |(_, v)| v.content.case_kind),
                    statutory_days: matter.map_or(0, |(_, v)| v.content.statutory_days),
                    promised_days: matter.map_or(0, |(_, v)| v.content.promised_days),
                    received_at: now,
                    received_on: day,
                    first_contact_id: (!applicant_mode).then_some(auth.id),
                    green_channel: b.green_channel,
                    classified: matter.is_some_and(|(_, v)| v.content.classified),
                }
            };
        let created = if versions.len() == 1 {
            let (m, v) = &versions[0];
            let org = orgs::get(c, m.organization_id).await?;
            let id = Uuid::now_v7();
            let number = next_number(c, &org, day).await?;
            let case = repo::insert_case(c, &base(id, number, None, org.id, Some((m, v)))).await?;
            repo::add_event(
                c,
                id,
                now,
                Some(auth.id),
                "apply",
                None,
                serde_json::json!({"channel": b.channel}),
            )
            .await?;
            audit
                .record(
                    c,
                    "case.apply",
                    "case",
                    id,
                    Some(&org.path),
                    None::<&()>,
                    Some(&serde_json::json!({"number": case.number})),
                )
                .await?;
            case
        } else {
            // The project case belongs to the first matter's government level.
            let lead = orgs::get(c, versions[0].0.organization_id).await?;
            let parent_id = Uuid::now_v7();
            let number = next_number(c, &lead, day).await?;
            let mut parent = base(parent_id, number, None, lead.id, None);
            parent.window_id = b
                .window_id
                .or_else(|| versions[0].1.content.window_ids.first().copied());
            parent.case_kind = CaseKind::Promised;
            let project = repo::insert_case(c, &parent).await?;
            repo::add_event(
                c,
                parent_id,
                now,
                Some(auth.id),
                "apply",
                None,
                serde_json::json!({"parallel": versions.len()}),
            )
            .await?;
            for (m, v) in &versions {
                let org = orgs::get(c, m.organization_id).await?;
                let id = Uuid::now_v7();
                let number = next_number(c, &org, day).await?;
                repo::insert_case(c, &base(id, number, Some(parent_id), org.id, Some((m, v))))
                    .await?;
                repo::add_event(
                    c,
                    id,
                    now,
                    Some(auth.id),
                    "apply",
                    None,
                    serde_json::json!({"project": parent_id}),
                )
                .await?;
            }
            audit
                .record(
                    c,
                    "case.apply",
                    "case",
                    parent_id,
                    Some(&lead.path),
                    None::<&()>,
                    Some(
                        &serde_json::json!({"number": project.number, "sub_cases": versions.len()}),
                    ),
                )
                .await?;
            project
        };
        let id = created.id;
        let dto = case_dto(st, c, created).await?;
        idem.finish(
            c,
            &CreatedCase {
                case: dto,
                query_password: password.clone(),
            },
            format!("/api/v1/cases/{id}"),
        )
        .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

// ------------------------------------------------------------------ actions

/// One action on a case, with what it carries.
enum Act {
    /// With the official's note, if any.
    Accept(Option<String>),
    Refuse(String),
    NotifyMissing(Vec<MissingItem>),
    Resubmit(Vec<MaterialIn>),
    Assign(Uuid),
    Step(StepIn),
    Suspend(SuspendIn),
    /// With the official's note, if any.
    Resume(Option<String>),
    Extend(CaseExtendIn),
    Decide(DecideIn),
    Deliver(DeliverIn),
    Charge(Vec<ChargeItem>),
}

impl Act {
    fn name(&self) -> &'static str {
        match self {
            Act::Accept(_) => "accept",
            Act::Refuse(_) => "refuse",
            Act::NotifyMissing(_) => "notify_missing",
            Act::Resubmit(_) => "resubmit",
            Act::Assign(_) => "assign",
            Act::Step(_) => "step",
            Act::Suspend(_) => "suspend",
            Act::Resume(_) => "resume",
            Act::Extend(_) => "extend",
            Act::Decide(_) => "decide",
            Act::Deliver(_) => "deliver",
            Act::Charge(_) => "charge",
        }
    }

    fn action(&self) -> Option<CaseAction> {
        Some(match self {
            Act::Accept(_) => CaseAction::Accept,
            Act::Refuse(_) => CaseAction::Refuse,
            Act::NotifyMissing(_) => CaseAction::NotifyMissing,
            Act::Resubmit(_) => CaseAction::Resubmit,
            Act::Suspend(_) => CaseAction::Suspend,
            Act::Resume(_) => CaseAction::Resume,
            Act::Extend(_) => CaseAction::Extend,
            Act::Decide(_) => CaseAction::Decide,
            Act::Deliver(_) => CaseAction::Deliver,
            Act::Assign(_) | Act::Step(_) | Act::Charge(_) => return None,
        })
    }

    /// Who may do it (applicants may only resubmit their own case).
    fn roles(&self) -> &'static [Role] {
        match self {
            Act::Extend(_) => APPROVERS,
            Act::Decide(_) | Act::Step(_) => HANDLERS,
            Act::Assign(_) => &[Role::Clerk, Role::Reviewer, Role::OrgAdmin],
            Act::Resubmit(_) => &[Role::Clerk, Role::Applicant],
            _ => CLERKS,
        }
    }
}

fn text(field: &str, v: &str, max: usize) -> ApiResult<String> {
    validation::text(v, max).map_err(|e| ApiError::field(field, e.code, e.message))
}

/// An optional note: trimmed, at most 1,000 characters, not blank when given.
fn note_of(note: Option<String>) -> ApiResult<Option<String>> {
    note.map(|n| text("/note", &n, 1000)).transpose()
}

async fn act(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    a: Act,
) -> ApiResult<HttpResponse> {
    auth.require(a.roles())?;
    let audit = AuditCtx::new(state, auth.actor());
    let mut conn = state.conn().await?;
    let dto = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (mut case, org) = visible_case(c, auth, id, true).await?;
            if_match.check(case.version)?;
            if auth.role == Role::Applicant && case.applicant_id != Some(auth.id) {
                return Err(ApiError::not_found("case"));
            }
            if case.matter_id.is_none() && !matches!(a, Act::Assign(_)) {
                return Err(ApiError::conflict(
                    "case.project_container",
                    "a parallel-approval project is handled through its sub-cases",
                ));
            }
            let before = serde_json::json!({"state": case.state, "due_date": case.due_date});
            if let Some(action) = a.action() {
                case.state = case.state.apply(action).map_err(illegal)?;
            }
            let mut outcome = repo::outcome_of(c, id).await?;
            let now = state.clock.now();
            let day = state.today();
            let mut note: Option<String> = None;
            let mut data = serde_json::json!({});
            let matter = match (case.matter_id, case.matter_version) {
                (Some(m), Some(v)) => Some(matters::get_version(c, m, v).await?),
                _ => None,
            };
            let listed: Vec<String> = matter.iter().flat_map(|v| v.content.materials.iter().map(|m| m.name.clone())).collect();
            match &a {
                Act::Accept(n) => {
                    // AL Art.32: after a one-time notice later than the notice window the
                    // application counts as accepted on the day it was received.
                    let tz = state.config.timezone;
                    let notices = repo::notices_of(c, id).await?;
                    let first_notice =
                        notices.first().map(|n| n.at.with_timezone(&tz).date_naive());
                    let (rules_in_force, _) =
                        zhengwu_persistence::supervision::rules_at(c, org.path.as_str()).await?;
                    let window = rules_in_force.notice_window_days;
                    let cal = calendar::calendar_for(c, case.received_on.year(), day.year()).await?;
                    let on = rules::accepted_on(&cal, case.received_on, first_notice, day, window);
                    case.accepted_on = Some(on);
                    outcome.accepted_at = Some(now);
                    note.clone_from(n);
                    if on != day {
                        data = serde_json::json!({"accepted_on": on, "notice_on": first_notice,
                            "counted_from_receipt": true});
                    }
                }
                Act::Refuse(reason) => {
                    outcome.refusal_reason = Some(reason.clone());
                    note = Some(reason.clone());
                }
                Act::NotifyMissing(items) => {
                    if items.is_empty() {
                        return Err(ApiError::field("/items", "list.empty", "a notice lists everything missing or defective, at least one item"));
                    }
                    let mut e = Errors::new();
                    for (i, it) in items.iter().enumerate() {
                        if !listed.iter().any(|l| l == it.material.trim()) {
                            e.push(&format!("items/{i}/material"), RuleViolation::new("material.not_in_matter", "not one of the matter's materials"));
                        }
                    }
                    e.finish()?;
                    let existing = repo::notices_of(c, id).await?;
                    if existing.iter().any(|n| n.round == case.submission_round) {
                        return Err(ApiError::conflict(
                            "case.notice_already_sent",
                            "one notice per submission round: everything missing is told at once (一次性告知)",
                        ));
                    }
                    let items_json = serde_json::to_value(items).map_err(|_| ApiError::internal())?;
                    repo::insert_notice(c, &repo::Notice { case_id: id, round: case.submission_round, items: items_json.clone(), at: now, by_id: auth.id }).await?;
                    // AL Art.32 (and Art.82: working days): a notice later than the window after
                    // receipt is a supervision finding, and the case counts as accepted on receipt.
                    let cal = calendar::calendar_for(c, case.received_on.year(), day.year()).await?;
                    let window = zhengwu_persistence::supervision::rules_at(c, org.path.as_str()).await?.0.notice_window_days;
                    let (days_after, late) = zhengwu_domain::supervision::notice_delay(&cal, case.received_on, day, window);
                    data = serde_json::json!({"items": items_json, "working_days_after_receipt": days_after, "late": late});
                }
                Act::Resubmit(materials) => {
                    case.submitted_materials = check_materials(&listed, materials, "/materials")?;
                    case.submission_round += 1;
                }
                Act::Assign(assignee) => {
                    let ok = match users::get(c, *assignee).await {
                        Ok(u) if u.active && u.role.is_staff() => match u.organization_id {
                            Some(o) => org.path.contains(&orgs::get(c, o).await?.path),
                            None => false,
                        },
                        _ => false,
                    };
                    if !ok {
                        return Err(ApiError::field("/assignee_id", "reference.not_found", "no active staff member of the handling organisation"));
                    }
                    case.assignee_id = Some(*assignee);
                    data = serde_json::json!({"assignee_id": assignee});
                }
                Act::Step(s) => {
                    if !matches!(case.state, CaseState::Accepted) {
                        return Err(ApiError::conflict("case.illegal_transition", format!("steps are recorded on accepted cases, not {}", case.state))
                            .context(serde_json::json!({"state": case.state})));
                    }
                    let recorded = repo::steps_of(c, id).await?;
                    // 一审一核: the one who reviews a step is not the one who did the previous one.
                    if recorded.last().is_some_and(|p| p.actor_id == auth.id) {
                        return Err(ApiError::forbidden("the next step is taken by another staff member (一审一核)").with_code("case.same_actor"));
                    }
                    let seq = recorded.len() as i32 + 1;
                    repo::insert_step(c, &repo::Step { case_id: id, seq, name: s.name.clone(), actor_id: auth.id, opinion: s.opinion.clone(), at: now }).await?;
                    note = Some(s.opinion.clone());
                    data = serde_json::json!({"step": s.name, "seq": seq});
                }
                Act::Suspend(s) => {
                    let pauses = repo::pauses_of(c, id).await?;
                    repo::start_pause(c, id, &repo::PauseRecord {
                        seq: pauses.len() as i32 + 1,
                        procedure: s.procedure,
                        reason: s.reason.clone(),
                        start_on: day,
                        expected_end: s.expected_end,
                        end_on: None,
                    })
                    .await?;
                    note = Some(s.reason.clone());
                    data = serde_json::json!({"procedure": s.procedure, "expected_end": s.expected_end});
                }
                Act::Resume(n) => {
                    note.clone_from(n);
                    let pauses = repo::pauses_of(c, id).await?;
                    if let Some(p) = pauses.iter().find(|p| p.end_on.is_none()) {
                        repo::end_pause(c, id, p.seq, day).await?;
                    }
                }
                Act::Extend(x) => {
                    let clock = clock_of(c, &case, day).await?.clock;
                    clock
                        .check_extension(x.working_days)
                        .map_err(|v| ApiError::field("/working_days", v.code, v.message))?;
                    let cal = calendar_around(c, clock.accepted_on).await?;
                    clock
                        .check_extension_in_time(&cal, day)
                        .map_err(|v| ApiError::conflict(v.code, v.message))?;
                    case.extension_days = x.working_days;
                    outcome.extension_reason = Some(x.reason.clone());
                    note = Some(x.reason.clone());
                    data = serde_json::json!({"working_days": x.working_days});
                }
                Act::Decide(d) => {
                    match d.decision {
                        Decision::Approved if d.result_number.as_deref().is_none_or(|r| r.trim().is_empty()) => {
                            return Err(ApiError::field("/result_number", "field.required_when", "an approval names its result document"));
                        }
                        Decision::Denied if d.reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
                            return Err(ApiError::field("/reason", "field.required_when", "a denial gives its reasons"));
                        }
                        _ => {}
                    }
                    case.decided_on = Some(day);
                    let delivery = Target::of(StoredDeadline::CaseDelivery, id);
                    let counted = deadlines::count(c, delivery, rules::delivery_due(day)).await?;
                    outcome.delivery_due = Some(counted.due_date);
                    outcome.decision = Some(d.decision.as_str().to_owned());
                    outcome.decision_reason = d.reason.clone();
                    outcome.result_number = d.result_number.clone();
                    outcome.decided_at = Some(now);
                    data = serde_json::json!({"decision": d.decision, "result_number": d.result_number});
                }
                Act::Deliver(d) => {
                    let decided = case.decided_on.map(|on| (on, "the decision"));
                    let on = validation::event_date(d.delivered_on.unwrap_or(day), decided, day)
                        .map_err(|v| ApiError::field("/delivered_on", v.code, v.message))?;
                    outcome.delivered_on = Some(on);
                    outcome.delivered_at = Some(now);
                    outcome.delivery_method = Some(d.method.clone());
                    let late = rules::delivered_late(outcome.delivery_due, outcome.delivered_on);
                    data = serde_json::json!({"method": d.method, "delivered_on": on,
                        "delivery_due": outcome.delivery_due, "late": late});
                }
                Act::Charge(items) => {
                    if items.is_empty() {
                        return Err(ApiError::field("/items", "list.empty", "charge at least one item"));
                    }
                    let fees = matter.as_ref().map(|v| v.content.fees.clone()).unwrap_or_default();
                    let mut flagged = Vec::new();
                    for (i, it) in items.iter().enumerate() {
                        if it.amount_fen <= 0 {
                            return Err(ApiError::field(&format!("/items/{i}/amount_fen"), "money.positive", "a positive number of fen"));
                        }
                        let standard = fees.iter().find(|f| f.name == it.name.trim()).map(|f| f.standard_fen);
                        let anomaly = rules::fee_anomaly(standard, it.amount_fen);
                        if let Some(a) = anomaly {
                            flagged.push(serde_json::json!({"item": it.name, "anomaly": a}));
                        }
                        repo::insert_fee(c, &repo::Fee {
                            id: Uuid::now_v7(),
                            case_id: id,
                            item_name: it.name.trim().to_owned(),
                            amount_fen: it.amount_fen,
                            anomaly: anomaly.map(str::to_owned),
                            at: now,
                            by_id: auth.id,
                        })
                        .await?;
                    }
                    data = serde_json::json!({"items": items.len(), "anomalies": flagged});
                }
            }
            // The due date follows the clock: set at acceptance, moved by pauses and extensions.
            if case.accepted_on.is_some() && case.state != CaseState::Suspended {
                let reading = clock_of(c, &case, day).await?.reading;
                case.due_date = reading.as_ref().and_then(|r| r.due_date);
                if let (Some(r), Some(due)) = (reading, case.due_date) {
                    let target = Target::of(StoredDeadline::Case, id);
                    let years = &r.years_without_schedule;
                    zhengwu_persistence::deadlines::keep(c, &target, &r.basis, due, years).await?;
                }
            }
            let saved = repo::save(c, id, &repo::CaseChanges::of(&case)?, &outcome).await?;
            repo::add_event(c, id, now, Some(auth.id), a.name(), note.as_deref(), data.clone()).await?;
            if let (Act::Decide(_), Some(parent)) = (&a, saved.parent_id) {
                close_project_if_done(state, c, parent, now).await?;
            }
            let after = serde_json::json!({
                "state": saved.state, "due_date": saved.due_date, "note": note, "data": data
            });
            // The audit append takes the chain's lock until commit: it comes last, so that
            // concurrent transitions wait for one insert, not for this representation too.
            let dto = case_dto(state, c, saved).await?;
            audit.record(c, &format!("case.{}", a.name()), "case", id, Some(&org.path), Some(&before), Some(&after)).await?;
            Ok(dto)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto))
}

/// A project is decided when all its sub-cases are: approved when all were approved.
async fn close_project_if_done(
    state: &AppState,
    c: &mut Conn,
    parent: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let subs = repo::children_of(c, parent).await?;
    if !subs.iter().all(|s| s.state.closed()) {
        return Ok(());
    }
    let mut all_approved = true;
    for s in &subs {
        all_approved &= repo::outcome_of(c, s.id).await?.decision()? == Some(Decision::Approved);
    }
    let mut project = repo::get_case_for_update(c, parent).await?;
    if project.state.closed() {
        return Ok(());
    }
    project.state = CaseState::Decided;
    project.decided_on = Some(state.today());
    let mut outcome = repo::outcome_of(c, parent).await?;
    let decision = if all_approved {
        Decision::Approved
    } else {
        Decision::Denied
    };
    outcome.decision = Some(decision.as_str().to_owned());
    outcome.decided_at = Some(now);
    repo::save(c, parent, &repo::CaseChanges::of(&project)?, &outcome).await?;
    repo::add_event(
        c,
        parent,
        now,
        None,
        "decide",
        Some("all sub-cases decided"),
        serde_json::json!({"decision": decision}),
    )
    .await
    .map_err(Into::into)
}

macro_rules! case_action {
    ($name:ident, $path:literal, $op:literal, $body:ty, $doc:literal, |$b:ident| $make:expr) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "cases", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            request_body = $body,
            responses((status = 200, body = CaseDto),
            (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
             description = "Not allowed in the current state; `context.state` names it")))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            auth: Principal,
            id: web::Path<Uuid>,
            if_match: IfMatch,
            body: ApiJson<$body>,
        ) -> ApiResult<HttpResponse> {
            if crate::writers::rules_of($op).is_some() {
                crate::writers::check($op, Some(&auth), &body)?;
            }
            let $b = body.value;
            let a: ApiResult<Act> = $make;
            act(&state, &auth, *id, &if_match, a?).await
        }
    };
}

case_action!(
    accept,
    "/cases/{id}/accept",
    "acceptCase",
    NoteIn,
    "Accept (受理): the clock starts; the due date is the promised limit in working days (an \
     immediate case is due the same day). After a one-time notice later than the notice \
     window the case counts as accepted on receipt (AL Art.32).",
    |b| Ok(Act::Accept(note_of(b.note)?))
);
case_action!(
    refuse,
    "/cases/{id}/refuse",
    "refuseCase",
    CaseReasonIn,
    "Refuse to accept (不予受理), with the reason.",
    |b| Ok(Act::Refuse(text("/reason", &b.reason, 1000)?))
);
case_action!(
    notify_missing,
    "/cases/{id}/notify-missing",
    "notifyCaseMissingMaterials",
    NotifyMissingIn,
    "One-time notice (一次性告知) of every missing or defective material; one per submission round.",
    |b| Ok(Act::NotifyMissing(b.items))
);
case_action!(
    resubmit,
    "/cases/{id}/resubmit",
    "resubmitCaseMaterials",
    ResubmitIn,
    "Hand in the corrected materials (the applicant, or a clerk for them); a new submission round.",
    |b| Ok(Act::Resubmit(b.materials))
);
case_action!(
    assign,
    "/cases/{id}/assign",
    "assignCase",
    AssignIn,
    "Assign to a staff member of the handling organisation.",
    |b| Ok(Act::Assign(b.assignee_id))
);
case_action!(
    steps,
    "/cases/{id}/steps",
    "recordCaseStep",
    StepIn,
    "Record a review step (审核, 决定 …) with the opinion; consecutive steps are taken by different staff (一审一核).",
    |b| Ok(Act::Step(StepIn {
        name: text("/name", &b.name, 50)?,
        opinion: text("/opinion", &b.opinion, 2000)?
    }))
);
case_action!(
    suspend,
    "/cases/{id}/suspend",
    "suspendCase",
    SuspendIn,
    "Start a special procedure (听证, 招标, 拍卖, 检验检测检疫, 鉴定, 专家评审, 现场勘查): the clock stops (AL Art.45).",
    |b| Ok(Act::Suspend(SuspendIn {
        reason: text("/reason", &b.reason, 1000)?,
        ..b
    }))
);
case_action!(
    resume,
    "/cases/{id}/resume",
    "resumeCase",
    NoteIn,
    "End the special procedure: the paused working days are added to the due date.",
    |b| Ok(Act::Resume(note_of(b.note)?))
);
case_action!(
    extend,
    "/cases/{id}/extend",
    "extendCase",
    CaseExtendIn,
    "Extend the time limit once, with a reason, never beyond the statutory limit plus its \
     legal extension, decided on or before the due date (AL Art.42; 409 after it).",
    |b| Ok(Act::Extend(CaseExtendIn {
        reason: text("/reason", &b.reason, 1000)?,
        ..b
    }))
);
case_action!(
    decide,
    "/cases/{id}/decide",
    "decideCase",
    DecideIn,
    "Decide (办结): approved with the result document number, or denied with reasons.",
    |b| Ok(Act::Decide(b))
);
case_action!(
    deliver,
    "/cases/{id}/deliver",
    "deliverCase",
    DeliverIn,
    "Deliver the result (出件/送达), due within 10 working days of the decision (AL Art.44); \
     a later delivery is recorded as late.",
    |b| Ok(Act::Deliver(DeliverIn {
        method: text("/method", &b.method, 50)?,
        ..b
    }))
);
case_action!(
    charge,
    "/cases/{id}/charge",
    "chargeCase",
    ChargeIn,
    "Record what was charged per fee item; an item not in the matter's list or above its standard is recorded and flagged for supervision.",
    |b| Ok(Act::Charge(b.items))
);

// ------------------------------------------------------------------ reading

/// Read a case: its applicant, or staff of the handling organisation's scope.
#[utoipa::path(operation_id = "getCase",
    tag = "cases", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseDto, headers(("ETag" = String)))))]
#[get("/cases/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (c, _) = visible_case(&mut conn, &auth, *id, false).await?;
    let dto = case_dto(&state, &mut conn, c).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto))
}

/// The trail of a case: every action with actor, time and note, and the clock.
#[utoipa::path(operation_id = "getCaseTimeline",
    tag = "cases", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Timeline)))]
#[get("/cases/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (c, _) = visible_case(&mut conn, &auth, *id, false).await?;
    let clock = clock_of(&mut conn, &c, state.today()).await?.dto;
    let entries = repo::events_of(&mut conn, c.id)
        .await?
        .into_iter()
        .map(|e| CaseTimelineEntry {
            at: e.at,
            action: e.action,
            actor_id: e.actor_id,
            note: e.note,
            data: e.data,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Timeline {
        case_id: c.id,
        number: c.number,
        state: c.state,
        clock,
        entries,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub org: Option<Uuid>,
    /// With `org`: its whole subtree.
    #[serde(default)]
    pub include_sub: bool,
    pub window: Option<Uuid>,
    pub matter: Option<Uuid>,
    pub state: Option<CaseState>,
    pub assignee: Option<Uuid>,
    pub due_before: Option<NaiveDate>,
    /// Open cases past their due date.
    #[serde(default)]
    pub overdue: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

/// List cases: applicants their own, staff those of their scope.
#[utoipa::path(operation_id = "listCases",
    tag = "cases", security(("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = Page<CaseDto>)))]
#[get("/cases")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let sub = match q.org {
        Some(o) if q.include_sub => match orgs::get(&mut conn, o).await {
            Ok(org) => Some(org.path.as_str().to_owned()),
            Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "?org",
                    "reference.not_found",
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        _ => None,
    };
    let (within, applicant) = match auth.scope() {
        Scope::All => (sub, None),
        Scope::Subtree(p) => (
            Some(match sub {
                Some(s) if s.starts_with(p.as_str()) => s,
                _ => p.as_str().to_owned(),
            }),
            None,
        ),
        Scope::Nothing if auth.role == Role::Applicant => (None, Some(auth.id)),
        Scope::Nothing => return Err(ApiError::forbidden("no organisation scope")),
    };
    let rows = repo::list(
        &mut conn,
        &repo::Filter {
            within,
            organization_id: if q.include_sub { None } else { q.org },
            applicant_id: applicant,
            window_id: q.window,
            matter_id: q.matter,
            state: q.state,
            assignee_id: q.assignee,
            due_before: q.due_before,
            overdue_on: q.overdue.then(|| state.today()),
            received_from: q.received_from,
            received_to: q.received_to,
            parent_id: None,
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let items = case_dtos(
        &state,
        &mut conn,
        rows.into_iter().take(limit as usize).collect(),
    )
    .await?;
    let next_cursor = if more {
        items
            .last()
            .map(|c| crate::pagination::encode_cursor(&c.id.to_string()))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The query password given at application.
    #[param(example = "DEMO0000")]
    pub password: String,
}

/// Public progress lookup (办件公开) by case number and query password: state, current
/// step, due date and decision, never personal data. Classified matters are not shown.
#[utoipa::path(operation_id = "lookupPublicCase",
    tag = "cases", params(("number" = String, Path), LookupQuery),
    responses((status = 200, body = PublicCase),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many lookups from this address")))]
#[get("/public/cases/{number}")]
pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
    q: web::Query<LookupQuery>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_lookup(&state, &req)?;
    let mut conn = state.read_conn().await?;
    let nothing = || ApiError::not_found("case").detail("no case with this number and password");
    let c = repo::find_by_number(&mut conn, &number)
        .await?
        .ok_or_else(nothing)?;
    if !password_matches(&c.query_password_hash, &q.password) || c.classified {
        return Err(nothing());
    }
    let recorded = repo::steps_of(&mut conn, c.id).await?;
    let outcome = repo::outcome_of(&mut conn, c.id).await?;
    let matter_name = match (c.matter_id, c.matter_version) {
        (Some(m), Some(v)) => Some(matters::version_name(&mut conn, m, v).await?),
        _ => c.project_name.clone(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PublicCase {
            number: c.number,
            matter_name,
            state: c.state,
            current_step: recorded
                .last()
                .map_or_else(|| c.state.label_zh().to_owned(), |s| s.name.clone()),
            received_on: c.received_on,
            due_date: c.due_date,
            decision: outcome.decision()?,
            decided_on: c.decided_on,
        }))
}
