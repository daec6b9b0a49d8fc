//! Applications for disclosure (依申请公开) with the statutory clock (OGI Art.30–34).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::{self, ApplicantType, LegalPersonKind, Role};
use zhengwu_domain::calendar::{Calendar, DeadlineBasis, StoredDeadline};
use zhengwu_domain::requests::{
    self as rules, ClockStop, DeliveryMethod, FeeMethod, ReplyType, RequestAction, RequestChannel,
    RequestClock, RequestState, RequestedForm,
};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::requests::{self as repo, Request};
use zhengwu_persistence::{Conn, DbError, Found, calendar, orgs, users};

use crate::audit_ctx::AuditCtx;
use crate::auth::{Principal, Scope, SubjectKind};
use crate::deadlines;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
const APPROVERS: &[Role] = &[Role::Reviewer, Role::OrgAdmin];

// ------------------------------------------------------------------ bodies

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// The applicant, when an officer registers a letter, visit or fax.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestApplicantIn {
    pub name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000006",
    "description": "2025年历下区老旧小区改造项目的资金使用明细", "purpose": "了解所在小区改造资金使用情况",
    "requested_form": "electronic", "delivery_method": "email", "channel": "online",
    "contact": {"email": "zhang.san@example.com"}
}))]
pub struct CreateRequest {
    /// The organisation asked.
    pub organization_id: Uuid,
    pub description: String,
    pub purpose: Option<String>,
    pub requested_form: RequestedForm,
    pub delivery_method: DeliveryMethod,
    /// `online` for applicants; `letter`, `in_person` or `fax` registered by an officer.
    pub channel: RequestChannel,
    pub contact: Contact,
    /// Officers: the applicant of a letter, visit or fax.
    pub applicant: Option<RequestApplicantIn>,
    /// Officers: the day the application was handed in or sent (default today; not in the
    /// future).
    pub submitted_on: Option<NaiveDate>,
    /// Letters: the day the post was signed for (from `submitted_on` to today).
    pub signed_on: Option<NaiveDate>,
    /// Faxes: the day both sides confirmed (from `submitted_on` to today).
    pub confirmed_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": "请明确所需信息的项目名称和时间范围", "correction_due": "2027-12-31"}))]
pub struct CorrectionIn {
    /// Everything to correct, in one notice.
    pub items: String,
    /// The deadline for the correction; without a correction by then the application is
    /// deemed withdrawn.
    pub correction_due: NaiveDate,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "申请公开2025年历下区老旧小区改造项目的资金安排明细"}))]
pub struct SubmitCorrectionIn {
    /// The corrected description, if it changes.
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "third_party", "party": "济南某某置业有限公司"}))]
pub struct ConsultIn {
    /// `third_party` (OGI Art.32) or `agency` (Art.34).
    pub kind: ConsultKind,
    /// Who is consulted.
    pub party: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsultKind {
    ThirdParty,
    Agency,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opinion": "第三方书面回复：不同意公开合同中的商业报价部分"}))]
pub struct OpinionIn {
    pub opinion: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"working_days": 15, "reason": "所需信息涉及多个科室，需汇总核实，经机关负责人同意延长"}))]
pub struct RequestExtendIn {
    /// At most 20 working days, once (OGI Art.33).
    #[schema(minimum = 1, maximum = 20)]
    pub working_days: u32,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"method": "by_volume", "pages": 150}))]
pub struct FeeNoticeIn {
    pub method: FeeMethod,
    /// By volume: the pages of the reply.
    pub pages: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reply_type": "disclosed", "text": "经查，现将您申请的信息提供如下……",
    "provided_items": [{"description": "老旧小区改造资金明细表"}]}))]
pub struct RequestReplyIn {
    pub reply_type: ReplyType,
    pub text: String,
    /// For `unable_not_held`: the agency that holds the information.
    pub responsible_agency: Option<String>,
    /// For disclosed and partially disclosed: what was provided (disclosure items or files).
    #[serde(default)]
    pub provided_items: Vec<ProvidedItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvidedItem {
    pub disclosure_id: Option<Uuid>,
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "reconsideration", "filed_on": "2026-11-02", "note": "申请人不服答复，向市人民政府申请行政复议"
}))]
pub struct RemedyIn {
    pub kind: RemedyKind,
    /// Not before the application was received, not in the future.
    pub filed_on: NaiveDate,
    #[serde(default = "pending")]
    pub outcome: RemedyOutcome,
    /// Not before the filing, not in the future.
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

fn pending() -> RemedyOutcome {
    RemedyOutcome::Pending
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "upheld", "decided_on": "2026-11-30", "note": "复议决定维持原答复"}))]
pub struct RemedyUpdate {
    pub outcome: RemedyOutcome,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    Reconsideration,
    LitigationDirect,
    LitigationAfterReconsideration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyOutcome {
    Upheld,
    Corrected,
    Other,
    Pending,
}

fn kind_str(k: RemedyKind) -> &'static str {
    match k {
        RemedyKind::Reconsideration => "reconsideration",
        RemedyKind::LitigationDirect => "litigation_direct",
        RemedyKind::LitigationAfterReconsideration => "litigation_after_reconsideration",
    }
}

fn outcome_str(o: RemedyOutcome) -> &'static str {
    match o {
        RemedyOutcome::Upheld => "upheld",
        RemedyOutcome::Corrected => "corrected",
        RemedyOutcome::Other => "other",
        RemedyOutcome::Pending => "pending",
    }
}

// ------------------------------------------------------------------ responses

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestClockDto {
    /// The day the 20 working days count from (receipt, or the correction's arrival).
    pub counting_from: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub extension_working_days: u32,
    pub working_days_used: u32,
    pub working_days_paused: u32,
    pub working_days_left: Option<i64>,
    /// Why the clock does not run, if it does not.
    pub stopped_for: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyDto {
    pub reply_type: ReplyType,
    pub text: String,
    pub responsible_agency: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub provided_items: serde_json::Value,
    pub replied_on: NaiveDate,
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyDto {
    pub id: Uuid,
    pub kind: String,
    pub filed_on: NaiveDate,
    pub outcome: String,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StopDto {
    pub kind: String,
    pub party: Option<String>,
    pub start_on: NaiveDate,
    /// The other side's deadline (15 working days) or the fee's.
    pub due_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub opinion: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestDto {
    pub id: Uuid,
    pub number: String,
    pub organization_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    #[schema(value_type = Object)]
    pub contact: serde_json::Value,
    pub description: String,
    pub purpose: Option<String>,
    pub requested_form: RequestedForm,
    pub delivery_method: DeliveryMethod,
    pub channel: RequestChannel,
    pub submitted_on: NaiveDate,
    pub received_on: NaiveDate,
    pub state: RequestState,
    pub correction_due: Option<NaiveDate>,
    pub corrected_on: Option<NaiveDate>,
    /// Awaiting a correction whose deadline has passed (视为放弃), as of today.
    pub deemed_withdrawn: bool,
    pub clock: RequestClockDto,
    pub stops: Vec<StopDto>,
    pub fee_method: Option<FeeMethod>,
    pub fee_fen: Option<i64>,
    pub fee_due: Option<NaiveDate>,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub reply: Option<ReplyDto>,
    pub remedies: Vec<RemedyDto>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestTimelineEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestTimeline {
    pub request_id: Uuid,
    pub state: RequestState,
    pub clock: RequestClockDto,
    pub entries: Vec<RequestTimelineEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeeQuote {
    pub method: FeeMethod,
    /// In fen.
    pub amount_fen: i64,
    /// By case: which application of the month this is.
    pub nth_in_month: Option<u32>,
    pub pages: Option<u32>,
}

// ------------------------------------------------------------------ helpers

async fn calendar_from(conn: &mut Conn, from: NaiveDate) -> ApiResult<Calendar> {
    Ok(calendar::calendar_for(conn, from.year(), from.year() + 2).await?)
}

fn clock_of(r: &Request, stops: &[repo::Stop]) -> RequestClock {
    RequestClock {
        received_on: r.received_on,
        restarted_on: r.restarted_on,
        awaiting_correction: r.state == RequestState::AwaitingCorrection,
        stops: stops
            .iter()
            .map(|s| ClockStop {
                start: s.start_on,
                end: s.end_on,
            })
            .collect(),
        extension_days: r.extension_days,
    }
}

async fn read_clock(
    conn: &mut Conn,
    r: &Request,
    stops: &[repo::Stop],
    until: NaiveDate,
) -> ApiResult<RequestClockDto> {
    let clock = clock_of(r, stops);
    let cal = calendar_from(conn, r.received_on).await?;
    let reading = clock
        .read(&cal, until)
        .map_err(|e| ApiError::unprocessable("request.clock", e.to_string()))?;
    let stopped_for = match r.state {
        RequestState::AwaitingCorrection => Some("awaiting_correction".to_owned()),
        _ => stops
            .iter()
            .find(|s| s.end_on.is_none())
            .map(|s| s.kind.clone()),
    };
    Ok(RequestClockDto {
        counting_from: clock.start(),
        due_date: reading.due_date,
        extension_working_days: r.extension_days,
        working_days_used: reading.working_days_used,
        working_days_paused: reading.working_days_paused,
        working_days_left: reading.working_days_left,
        stopped_for,
    })
}

async fn dto(state: &AppState, conn: &mut Conn, r: Request) -> ApiResult<RequestDto> {
    let stops = repo::stops_of(conn, r.id).await?;
    let answered = repo::reply_of(conn, r.id).await?;
    let until = answered
        .as_ref()
        .map_or_else(|| state.today(), |x| x.replied_on);
    let clock = read_clock(conn, &r, &stops, until).await?;
    let remedies = repo::remedies_of(conn, r.id)
        .await?
        .into_iter()
        .map(|m| RemedyDto {
            id: m.id,
            kind: m.kind,
            filed_on: m.filed_on,
            outcome: m.outcome,
            decided_on: m.decided_on,
            note: m.note,
            version: m.version,
        })
        .collect();
    let reply_dto = match answered {
        Some(x) => Some(ReplyDto {
            reply_type: x.reply_type()?,
            text: x.reply_text,
            responsible_agency: x.responsible_agency,
            provided_items: x.provided_items,
            replied_on: x.replied_on,
            late: x.late,
        }),
        None => None,
    };
    let years_without_calendar = crate::deadlines::flags_of(conn, r.id).await?;
    let deemed = r.state == RequestState::AwaitingCorrection
        && r.correction_due
            .is_some_and(|d| rules::deemed_withdrawn(d, r.corrected_on, state.today()));
    Ok(RequestDto {
        id: r.id,
        number: r.number,
        organization_id: r.organization_id,
        applicant_id: r.applicant_id,
        applicant_name: r.applicant_name,
        applicant_type: r.applicant_type,
        legal_person_kind: r.legal_person_kind,
        contact: r.contact,
        description: r.description,
        purpose: r.purpose,
        requested_form: r.requested_form,
        delivery_method: r.delivery_method,
        channel: r.channel,
        submitted_on: r.submitted_on,
        received_on: r.received_on,
        state: r.state,
        correction_due: r.correction_due,
        corrected_on: r.corrected_on,
        deemed_withdrawn: deemed,
        clock,
        stops: stops
            .into_iter()
            .map(|s| StopDto {
                kind: s.kind,
                party: s.party,
                start_on: s.start_on,
                due_on: s.due_on,
                end_on: s.end_on,
                opinion: s.opinion,
            })
            .collect(),
        fee_method: r.fee_method,
        fee_fen: r.fee_fen,
        fee_due: r.fee_due,
        years_without_calendar,
        reply: reply_dto,
        remedies,
        version: r.version,
    })
}

/// The application, if the caller may see it: its applicant, or staff in scope.
async fn visible(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Request, orgs::Organization)> {
    let found = if for_update {
        repo::get_for_update(conn, id).await
    } else {
        repo::get(conn, id).await
    };
    let r = match found {
        Ok(r) => r,
        Err(DbError::NotFound) => return Err(ApiError::not_found("application")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, r.organization_id).await?;
    let own = auth.kind == SubjectKind::User && r.applicant_id == Some(auth.id);
    let staff = auth.role.is_staff() && auth.sees(&org.path);
    if !own && !staff {
        return Err(ApiError::not_found("application"));
    }
    Ok((r, org))
}

fn illegal(e: rules::IllegalRequestAction) -> ApiError {
    ApiError::conflict("request.illegal_transition", e.to_string())
        .context(serde_json::json!({"state": e.from, "action": e.action}))
}

fn text(field: &str, v: &str, max: usize) -> ApiResult<String> {
    validation::text(v, max).map_err(|e| ApiError::field(field, e.code, e.message))
}

/// Which application of its calendar month, in order of receipt, `r` is for its applicant.
async fn nth_in_month(conn: &mut Conn, applicant: Uuid, r: &Request) -> ApiResult<u32> {
    let first = r.received_on.with_day(1).unwrap_or(r.received_on);
    let all = repo::receipts_of_applicant(conn, applicant, first, r.received_on).await?;
    Ok(rules::nth_in_month(r.receipt(), &all))
}

/// The reply date a reading of the clock gives, recorded as a stored deadline.
async fn keep_reply_due(
    conn: &mut Conn,
    id: Uuid,
    reading: Option<rules::RequestReading>,
) -> ApiResult<Option<NaiveDate>> {
    let Some((r, due)) = reading.and_then(|r| r.due_date.map(|d| (r, d))) else {
        return Ok(None);
    };
    let target = Target::of(StoredDeadline::RequestReply, id);
    zhengwu_persistence::deadlines::keep(conn, &target, &r.basis, due, &r.years_without_schedule)
        .await?;
    Ok(Some(due))
}

// ------------------------------------------------------------------ create

/// Apply for disclosure: online by a registered applicant, or registered by a disclosure
/// officer for a letter, visit or fax with the facts that fix the received date (OGI Art.31).
#[utoipa::path(operation_id = "createDisclosureRequest",
    tag = "disclosure requests", security(("bearer" = [])), request_body = CreateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = RequestDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not an officer or an applicant, or an applicant set a field reserved to \
officers (`applicant`, `submitted_on`, `signed_on`, `confirmed_on`; `errors[]` names it)")))]
#[post("/disclosure-requests")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateRequest>,
) -> ApiResult<HttpResponse> {
    let b = &body.value;
    crate::writers::check("createDisclosureRequest", Some(&auth), &body)?;
    let online = auth.role == Role::Applicant;
    if !online {
        auth.require(OFFICERS)?;
    }
    let day = state.today();
    let mut e = Errors::new();
    e.check("description", validation::text(&b.description, 5000));
    e.check_opt("purpose", b.purpose.as_deref(), |p| {
        validation::text(p, 1000)
    });
    e.check_opt(
        "contact/phone",
        b.contact.phone.as_deref(),
        validation::phone,
    );
    e.check_opt(
        "contact/email",
        b.contact.email.as_deref(),
        validation::email,
    );
    e.check_opt("contact/address", b.contact.address.as_deref(), |a| {
        validation::text(a, 300)
    });
    match (online, b.channel) {
        (true, RequestChannel::Online)
        | (false, RequestChannel::Letter | RequestChannel::InPerson | RequestChannel::Fax) => {}
        (true, _) => e.push(
            "channel",
            RuleViolation::new("request.channel", "applicants apply online"),
        ),
        (false, _) => e.push(
            "channel",
            RuleViolation::new(
                "request.channel",
                "officers register letters, visits and faxes",
            ),
        ),
    }
    if !online {
        match &b.applicant {
            None => e.push(
                "applicant",
                RuleViolation::new("field.required_when", "name the applicant"),
            ),
            Some(a) => {
                e.check("applicant/name", validation::text(&a.name, 100));
                e.check(
                    "applicant/legal_person_kind",
                    account::applicant_kind(a.applicant_type, a.legal_person_kind),
                );
            }
        }
    }
    let received = if online {
        Some(day)
    } else {
        e.check(
            "submitted_on",
            validation::event_date(b.submitted_on.unwrap_or(day), None, day),
        )
        .and_then(|submitted| {
            e.check(
                "received_on",
                rules::received_on(b.channel, submitted, b.signed_on, b.confirmed_on, day),
            )
        })
    };
    e.finish()?;
    let submitted = if online {
        day
    } else {
        b.submitted_on.unwrap_or(day)
    };
    let received = received.ok_or_else(ApiError::internal)?;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let st = &state;
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = match orgs::get(c, b.organization_id).await {
            Ok(o) if online || auth.sees(&o.path) => o,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/organization_id",
                    "reference.not_found",
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (applicant_id, name, kind, lp) = if online {
            let me = users::get(c, auth.id).await?;
            (
                Some(me.id),
                me.display_name,
                me.applicant_type.ok_or_else(ApiError::internal)?,
                me.legal_person_kind,
            )
        } else {
            let a = b.applicant.clone().ok_or_else(ApiError::internal)?;
            if let Some(u) = a.user_id
                && users::get(c, u)
                    .await
                    .found()?
                    .is_none_or(|x| x.role != Role::Applicant)
            {
                return Err(ApiError::field(
                    "/applicant/user_id",
                    "reference.not_found",
                    "no such applicant account",
                ));
            }
            (
                a.user_id,
                a.name.trim().to_owned(),
                a.applicant_type,
                a.legal_person_kind,
            )
        };
        let (prefix, counter) = crate::routes::cases::number_prefix(c, &org).await?;
        let serial = repo::next_serial(c, counter, received).await?;
        let number = format!("YSQ{prefix}{}{serial:04}", received.format("%Y%m%d"));
        let mut r = Request {
            id: Uuid::now_v7(),
            number,
            organization_id: org.id,
            applicant_id,
            applicant_name: name,
            applicant_type: kind,
            legal_person_kind: lp,
            contact: serde_json::to_value(&b.contact).map_err(|_| ApiError::internal())?,
            description: b.description.trim().to_owned(),
            purpose: b.purpose.clone(),
            requested_form: b.requested_form,
            delivery_method: b.delivery_method,
            channel: b.channel,
            submitted_on: submitted,
            received_on: received,
            state: RequestState::Received,
            restarted_on: None,
            correction_due: None,
            corrected_on: None,
            extension_days: 0,
            due_date: None,
            fee_method: None,
            fee_fen: None,
            fee_due: None,
            created_by: Some(auth.id),
            version: 1,
            created_at: st.clock.now(),
            receipt_seq: 0,
        };
        let cal = calendar_from(c, received).await?;
        r.due_date = keep_reply_due(c, r.id, clock_of(&r, &[]).read(&cal, received).ok()).await?;
        let r = repo::insert(c, &r).await?;
        repo::add_event(
            c,
            r.id,
            st.clock.now(),
            Some(auth.id),
            "receive",
            None,
            serde_json::json!({"channel": b.channel, "received_on": received}),
        )
        .await?;
        let id = r.id;
        let out = dto(st, c, r).await?;
        audit
            .record(
                c,
                "disclosure_request.create",
                "disclosure_request",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&serde_json::json!({"number": out.number, "received_on": received})),
            )
            .await?;
        idem.finish(c, &out, format!("/api/v1/disclosure-requests/{id}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

// ------------------------------------------------------------------ actions

enum Act {
    RequestCorrection(CorrectionIn),
    SubmitCorrection(SubmitCorrectionIn),
    CloseLapsed,
    Consult(ConsultIn),
    Opinion(OpinionIn),
    Extend(RequestExtendIn),
    FeeNotice(FeeNoticeIn),
    FeePaid,
    Reply(RequestReplyIn),
}

impl Act {
    fn action(&self) -> RequestAction {
        match self {
            Act::RequestCorrection(_) => RequestAction::RequestCorrection,
            Act::SubmitCorrection(_) => RequestAction::SubmitCorrection,
            Act::CloseLapsed => RequestAction::LapseCorrection,
            Act::Consult(_) => RequestAction::Consult,
            Act::Opinion(_) => RequestAction::ReceiveOpinion,
            Act::Extend(_) => RequestAction::Extend,
            Act::FeeNotice(_) => RequestAction::NoticeFee,
            Act::FeePaid => RequestAction::PayFee,
            Act::Reply(_) => RequestAction::Reply,
        }
    }

    fn roles(&self) -> &'static [Role] {
        match self {
            Act::Extend(_) => APPROVERS,
            Act::SubmitCorrection(_) | Act::FeePaid => &[Role::DisclosureOfficer, Role::Applicant],
            _ => OFFICERS,
        }
    }
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
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (mut r, org) = visible(c, auth, id, true).await?;
            if auth.role == Role::Applicant && r.applicant_id != Some(auth.id) {
                return Err(ApiError::not_found("application"));
            }
            if_match.check(r.version)?;
            let before = serde_json::json!({"state": r.state, "due_date": r.due_date});
            let next = r.state.apply(a.action()).map_err(illegal)?;
            let day = state.today();
            let now = state.clock.now();
            let cal = calendar_from(c, r.received_on).await?;
            let stops = repo::stops_of(c, id).await?;
            let mut note = None;
            let mut data = serde_json::json!({});
            match &a {
                Act::RequestCorrection(x) => {
                    clock_of(&r, &stops).check_correction_notice(&cal, day).map_err(|v| ApiError::conflict(v.code, v.message))?;
                    if x.correction_due <= day {
                        return Err(ApiError::field("/correction_due", "date.past", "the deadline is after today"));
                    }
                    r.correction_due = Some(x.correction_due);
                    note = Some(text("/items", &x.items, 2000)?);
                    data = serde_json::json!({"correction_due": x.correction_due});
                }
                Act::SubmitCorrection(x) => {
                    if r.correction_due.is_some_and(|d| rules::deemed_withdrawn(d, None, day)) {
                        return Err(ApiError::conflict("request.correction_lapsed", "the correction deadline has passed; the application is deemed withdrawn"));
                    }
                    r.corrected_on = Some(day);
                    r.restarted_on = Some(day);
                    if let Some(d) = &x.description {
                        r.description = text("/description", d, 5000)?;
                    }
                }
                Act::CloseLapsed => {
                    if !r.correction_due.is_some_and(|d| rules::deemed_withdrawn(d, r.corrected_on, day)) {
                        return Err(ApiError::conflict("request.correction_not_lapsed", "the correction deadline has not passed"));
                    }
                    repo::insert_reply(c, &repo::ReplyRow {
                        request_id: id,
                        reply_type: ReplyType::OtherCorrectionOverdue.as_str().to_owned(),
                        reply_text: "申请人无正当理由逾期不补正，视为放弃申请。".to_owned(),
                        responsible_agency: None,
                        provided_items: serde_json::json!([]),
                        replied_on: day,
                        late: false,
                        replied_by: Some(auth.id),
                    })
                    .await?;
                }
                Act::Consult(x) => {
                    let seq = stops.len() as i32 + 1;
                    let kind = StoredDeadline::RequestConsultation;
                    let target = Target { kind, object_id: id, seq };
                    let basis = DeadlineBasis::after(day, rules::CONSULTATION_WORKING_DAYS);
                    let due = Some(deadlines::count(c, target, basis).await?.due_date);
                    let kind = match x.kind { ConsultKind::ThirdParty => "third_party", ConsultKind::Agency => "agency" };
                    let party = Some(text("/party", &x.party, 200)?);
                    let stop = repo::Stop {
                        request_id: id,
                        seq,
                        kind: kind.to_owned(),
                        party,
                        start_on: day,
                        due_on: due,
                        end_on: None,
                        opinion: None,
                    };
                    repo::start_stop(c, &stop).await?;
                    data = serde_json::json!({"kind": kind, "party": x.party, "due_on": due});
                }
                Act::Opinion(x) => {
                    let open = stops.iter().find(|s| s.end_on.is_none()).ok_or_else(ApiError::internal)?;
                    let opinion = text("/opinion", &x.opinion, 5000)?;
                    repo::end_stop(c, id, open.seq, day, Some(&opinion)).await?;
                    note = Some(opinion);
                }
                Act::FeePaid => {
                    let open = stops.iter().find(|s| s.end_on.is_none()).ok_or_else(ApiError::internal)?;
                    repo::end_stop(c, id, open.seq, day, None).await?;
                }
                Act::Extend(x) => {
                    let clock = clock_of(&r, &stops);
                    clock
                        .check_extension(x.working_days)
                        .map_err(|v| ApiError::field("/working_days", v.code, v.message))?;
                    clock
                        .check_extension_in_time(&cal, day)
                        .map_err(|v| ApiError::conflict(v.code, v.message))?;
                    r.extension_days = x.working_days;
                    note = Some(text("/reason", &x.reason, 1000)?);
                    data = serde_json::json!({"working_days": x.working_days, "applicant_notified": true});
                }
                Act::FeeNotice(x) => {
                    let amount = match (x.method, x.pages) {
                        (FeeMethod::ByVolume, Some(p)) => rules::fee_by_volume(p),
                        (FeeMethod::ByVolume, None) => return Err(ApiError::field("/pages", "field.required_when", "a fee by volume counts the pages")),
                        (FeeMethod::ByCase, _) => match r.applicant_id {
                            Some(a) => rules::fee_by_case(nth_in_month(c, a, &r).await?),
                            None => return Err(ApiError::field("/method", "fee.by_case_needs_account", "a fee by case counts a registered applicant's applications")),
                        },
                    };
                    if r.fee_method.is_some() {
                        return Err(ApiError::conflict("request.fee_twice", "one fee per application, by case or by volume, never both"));
                    }
                    if amount == 0 {
                        return Err(ApiError::unprocessable("request.fee_free", "the calculator gives no fee for this application"));
                    }
                    let seq = stops.len() as i32 + 1;
                    let target = Target { kind: StoredDeadline::RequestFee, object_id: id, seq };
                    let basis = DeadlineBasis::after(day, rules::FEE_PAYMENT_WORKING_DAYS);
                    let due = Some(deadlines::count(c, target, basis).await?.due_date);
                    r.fee_method = Some(x.method);
                    r.fee_fen = Some(amount);
                    r.fee_due = due;
                    let stop = repo::Stop {
                        request_id: id,
                        seq,
                        kind: "fee".to_owned(),
                        party: None,
                        start_on: day,
                        due_on: due,
                        end_on: None,
                        opinion: None,
                    };
                    repo::start_stop(c, &stop).await?;
                    data = serde_json::json!({"method": x.method, "amount_fen": amount, "due": due});
                }
                Act::Reply(x) => {
                    let mut e = Errors::new();
                    e.check("text", validation::text(&x.text, 20_000));
                    if x.reply_type.needs_agency() && x.responsible_agency.as_deref().is_none_or(|s| s.trim().is_empty()) {
                        e.push("responsible_agency", RuleViolation::new("field.required_when", "name the agency that holds the information"));
                    }
                    if x.reply_type.provides_information() && x.provided_items.is_empty() {
                        e.push("provided_items", RuleViolation::new("list.empty", "list what is provided"));
                    }
                    if r.state == RequestState::AwaitingFee {
                        let lapsed = r.fee_due.is_some_and(|d| day > d);
                        if x.reply_type != ReplyType::OtherUnpaidFee || !lapsed {
                            e.push("reply_type", RuleViolation::new(
                                "request.fee_pending",
                                "while a fee is due the only reply is other_unpaid_fee, after its deadline",
                            ));
                        }
                    }
                    e.finish()?;
                    let reading = clock_of(&r, &stops).read(&cal, day).map_err(|e| ApiError::unprocessable("request.clock", e.to_string()))?;
                    let late = reading.due_date.is_some_and(|d| day > d);
                    if let Some(open) = stops.iter().find(|s| s.end_on.is_none()) {
                        repo::end_stop(c, id, open.seq, day, None).await?;
                    }
                    repo::insert_reply(c, &repo::ReplyRow {
                        request_id: id,
                        reply_type: x.reply_type.as_str().to_owned(),
                        reply_text: x.text.trim().to_owned(),
                        responsible_agency: x.responsible_agency.clone(),
                        provided_items: serde_json::to_value(&x.provided_items).map_err(|_| ApiError::internal())?,
                        replied_on: day,
                        late,
                        replied_by: Some(auth.id),
                    })
                    .await?;
                    data = serde_json::json!({"reply_type": x.reply_type, "late": late});
                }
            }
            r.state = next;
            let stops = repo::stops_of(c, id).await?;
            let reading = clock_of(&r, &stops).read(&cal, day).ok();
            r.due_date = keep_reply_due(c, id, reading).await?.or(r.due_date);
            let saved = repo::save(c, &r).await?;
            let action = a.action();
            repo::add_event(c, id, now, Some(auth.id), action.as_str(), note.as_deref(), data.clone()).await?;
            audit.record(c, &format!("disclosure_request.{action}"), "disclosure_request", id, Some(&org.path), Some(&before), Some(&serde_json::json!({"state": saved.state, "due_date": saved.due_date, "data": data}))).await?;
            dto(state, c, saved).await
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(out.version)))
        .json(out))
}

macro_rules! request_action {
    ($name:ident, $path:literal, $op:literal, $body:ty, $doc:literal, |$b:ident| $make:expr) => {
        #[doc = $doc]
        #[utoipa::path(operation_id = $op, tag = "disclosure requests", security(("bearer" = [])),
            params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
            request_body = $body,
            responses((status = 200, body = RequestDto),
            (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
             description = "Not allowed now; `context.state` names the state")))]
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
            act(&state, &auth, *id, &if_match, $make).await
        }
    };
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct Empty {}

request_action!(
    request_correction,
    "/disclosure-requests/{id}/request-correction",
    "requestDisclosureRequestCorrection",
    CorrectionIn,
    "One correction notice (补正) within 7 working days of receipt; the clock stops until the correction arrives (OGI Art.30).",
    |b| Act::RequestCorrection(b)
);
request_action!(
    submit_correction,
    "/disclosure-requests/{id}/submit-correction",
    "submitDisclosureRequestCorrection",
    SubmitCorrectionIn,
    "The correction arrives: the 20 working days count again from today.",
    |b| Act::SubmitCorrection(b)
);
request_action!(
    close_lapsed,
    "/disclosure-requests/{id}/close-lapsed",
    "closeLapsedDisclosureRequest",
    Empty,
    "Close an application whose correction deadline passed without a correction (视为放弃; reply other_correction_overdue).",
    |_b| Act::CloseLapsed
);
request_action!(
    consult,
    "/disclosure-requests/{id}/consult",
    "consultOnDisclosureRequest",
    ConsultIn,
    "Consult a third party (Art.32) or another agency (Art.34): 15 working days for them, not counted in the reply limit.",
    |b| Act::Consult(b)
);
request_action!(
    record_opinion,
    "/disclosure-requests/{id}/opinion",
    "recordDisclosureRequestOpinion",
    OpinionIn,
    "Record the consulted party's opinion; the clock runs again.",
    |b| Act::Opinion(b)
);
request_action!(
    extend,
    "/disclosure-requests/{id}/extend",
    "extendDisclosureRequest",
    RequestExtendIn,
    "Extend the reply limit once, by at most 20 working days, with a reason (approvers; the \
     applicant is notified); decided on or before the due date (409 after it).",
    |b| Act::Extend(b)
);
request_action!(
    fee_notice,
    "/disclosure-requests/{id}/fee-notice",
    "sendDisclosureRequestFeeNotice",
    FeeNoticeIn,
    "Send a fee notice with the amount from the calculator; the clock stops until paid (OGI Art.42).",
    |b| Act::FeeNotice(b)
);
request_action!(
    fee_paid,
    "/disclosure-requests/{id}/fee-paid",
    "recordDisclosureRequestFeePaid",
    Empty,
    "The fee was paid; the clock runs again.",
    |_b| Act::FeePaid
);
request_action!(
    reply,
    "/disclosure-requests/{id}/reply",
    "replyToDisclosureRequest",
    RequestReplyIn,
    "Reply with its type and ground (the annual report's rows); a late reply is allowed and recorded as late.",
    |b| Act::Reply(b)
);

// ------------------------------------------------------------------ reading

/// Read an application: its applicant, or staff in scope.
#[utoipa::path(operation_id = "getDisclosureRequest",
    tag = "disclosure requests", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RequestDto)))]
#[get("/disclosure-requests/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (r, _) = visible(&mut conn, &auth, *id, false).await?;
    let d = dto(&state, &mut conn, r).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

/// The clock's history: started, stopped, restarted, extended, replied.
#[utoipa::path(operation_id = "getDisclosureRequestTimeline",
    tag = "disclosure requests", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RequestTimeline)))]
#[get("/disclosure-requests/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (r, _) = visible(&mut conn, &auth, *id, false).await?;
    let stops = repo::stops_of(&mut conn, r.id).await?;
    let clock = read_clock(&mut conn, &r, &stops, state.today()).await?;
    let entries = repo::events_of(&mut conn, r.id)
        .await?
        .into_iter()
        .map(|e| RequestTimelineEntry {
            at: e.at,
            action: e.action,
            actor_id: e.actor_id,
            note: e.note,
            data: e.data,
        })
        .collect();
    Ok(HttpResponse::Ok().json(RequestTimeline {
        request_id: r.id,
        state: r.state,
        clock,
        entries,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub org: Option<Uuid>,
    pub state: Option<RequestState>,
    pub applicant_type: Option<ApplicantType>,
    pub due_before: Option<NaiveDate>,
    #[serde(default)]
    pub overdue: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

/// List applications: applicants their own, staff those of their scope.
#[utoipa::path(operation_id = "listDisclosureRequests",
    tag = "disclosure requests", security(("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = Page<RequestDto>)))]
#[get("/disclosure-requests")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let (within, applicant) = match auth.scope() {
        Scope::All => (None, None),
        Scope::Subtree(p) => (Some(p.as_str().to_owned()), None),
        Scope::Nothing if auth.role == Role::Applicant => (None, Some(auth.id)),
        Scope::Nothing => return Err(ApiError::forbidden("no organisation scope")),
    };
    let mut conn = state.conn().await?;
    let rows = repo::list(
        &mut conn,
        &repo::Filter {
            within,
            organization_id: q.org,
            applicant_id: applicant,
            applicant_type: q.applicant_type,
            state: q.state,
            due_before: q.due_before,
            overdue_on: q.overdue.then(|| state.today()),
            received_from: q.received_from,
            received_to: q.received_to,
            after_id: page.after_uuid()?,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for r in rows.into_iter().take(limit as usize) {
        items.push(dto(&state, &mut conn, r).await?);
    }
    let next_cursor = if more {
        items
            .last()
            .map(|r| crate::pagination::encode_cursor(&r.id.to_string()))
    } else {
        None
    };
    Ok(page_response(&req, Page { items, next_cursor }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    #[param(example = "by_case")]
    pub method: FeeMethod,
    /// By case: which application of the month (counting this one).
    #[param(example = 11)]
    pub nth: Option<u32>,
    /// By volume: pages of the reply.
    pub pages: Option<u32>,
}

/// The information-processing fee (国办函〔2020〕109号): by case (10 a month free, then
/// ¥100 each to 30, rising ¥100 per further 10) or by volume (30 pages free, then ¥10, ¥20,
/// ¥40 a page by band); never both.
#[utoipa::path(operation_id = "quoteDisclosureRequestFee",
    tag = "disclosure requests", params(QuoteQuery), responses((status = 200, body = FeeQuote)))]
#[get("/disclosure-requests/fee-quote")]
pub async fn fee_quote(q: web::Query<QuoteQuery>) -> ApiResult<HttpResponse> {
    let quote = match (q.method, q.nth, q.pages) {
        (FeeMethod::ByCase, Some(n), None) => FeeQuote {
            method: q.method,
            amount_fen: rules::fee_by_case(n),
            nth_in_month: Some(n),
            pages: None,
        },
        (FeeMethod::ByVolume, None, Some(p)) => FeeQuote {
            method: q.method,
            amount_fen: rules::fee_by_volume(p),
            nth_in_month: None,
            pages: Some(p),
        },
        (FeeMethod::ByCase, _, _) => {
            return Err(ApiError::field(
                "?nth",
                "fee.by_case",
                "by case: give nth (and not pages)",
            ));
        }
        (FeeMethod::ByVolume, _, _) => {
            return Err(ApiError::field(
                "?pages",
                "fee.by_volume",
                "by volume: give pages (and not nth)",
            ));
        }
    };
    Ok(HttpResponse::Ok().json(quote))
}

/// Record an administrative reconsideration or a lawsuit about an application.
#[utoipa::path(operation_id = "createDisclosureRequestRemedy",
    tag = "disclosure requests", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body = RemedyIn, responses((status = 201, body = RemedyDto)))]
#[post("/disclosure-requests/{id}/remedies")]
pub async fn add_remedy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: ApiJson<RemedyIn>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let b = &body.value;
    let day = state.today();
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (r, org) = visible(c, &auth, *id, true).await?;
        let mut e = Errors::new();
        let receipt = Some((r.received_on, "the application's receipt"));
        if let Some(filed) = e.check("filed_on", validation::event_date(b.filed_on, receipt, day))
            && let Some(decided) = b.decided_on
        {
            e.check(
                "decided_on",
                validation::event_date(decided, Some((filed, "the filing")), day),
            );
        }
        e.finish()?;
        let m = repo::Remedy {
            id: Uuid::now_v7(),
            request_id: r.id,
            kind: kind_str(b.kind).to_owned(),
            filed_on: b.filed_on,
            outcome: outcome_str(b.outcome).to_owned(),
            decided_on: b.decided_on,
            note: b.note.clone(),
            version: 1,
        };
        repo::insert_remedy(c, &m).await?;
        let d = RemedyDto {
            id: m.id,
            kind: m.kind,
            filed_on: m.filed_on,
            outcome: m.outcome,
            decided_on: m.decided_on,
            note: m.note,
            version: 1,
        };
        audit
            .record(
                c,
                "disclosure_request.remedy",
                "disclosure_request",
                r.id,
                Some(&org.path),
                None::<&()>,
                Some(&d),
            )
            .await?;
        idem.finish(c, &d, None).await
    })
    .await
    .map(crate::idem::Created::into_response)
}

/// Update the outcome of a reconsideration or lawsuit (upheld, corrected, other, pending).
#[utoipa::path(operation_id = "updateDisclosureRequestRemedy",
    tag = "disclosure requests", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("remedy_id" = Uuid, Path)),
    request_body = RemedyUpdate, responses((status = 200, body = RemedyDto)))]
#[patch("/disclosure-requests/{id}/remedies/{remedy_id}")]
pub async fn update_remedy(
    state: web::Data<AppState>,
    auth: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: ApiJson<RemedyUpdate>,
) -> ApiResult<HttpResponse> {
    auth.require(OFFICERS)?;
    let (id, remedy_id) = *path;
    let b = &body.value;
    let audit = AuditCtx::new(&state, auth.actor());
    let mut conn = state.conn().await?;
    let out = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (r, org) = visible(c, &auth, id, true).await?;
            let m = repo::remedies_of(c, r.id)
                .await?
                .into_iter()
                .find(|m| m.id == remedy_id)
                .ok_or_else(|| ApiError::not_found("remedy"))?;
            if let Some(decided) = b.decided_on {
                validation::event_date(decided, Some((m.filed_on, "the filing")), state.today())
                    .map_err(|v| ApiError::field("/decided_on", v.code, v.message))?;
            }
            let updated = repo::update_remedy(
                c,
                remedy_id,
                outcome_str(b.outcome),
                b.decided_on,
                b.note.as_deref(),
            )
            .await?;
            let d = RemedyDto {
                id: updated.id,
                kind: updated.kind,
                filed_on: updated.filed_on,
                outcome: updated.outcome,
                decided_on: updated.decided_on,
                note: updated.note,
                version: updated.version,
            };
            audit
                .record(
                    c,
                    "disclosure_request.remedy_update",
                    "disclosure_request",
                    r.id,
                    Some(&org.path),
                    Some(&serde_json::json!({"outcome": m.outcome})),
                    Some(&d),
                )
                .await?;
            Ok(d)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
