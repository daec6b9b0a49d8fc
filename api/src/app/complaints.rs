//! Complaints and reports (投诉举报) about an organisation, a window or a staff member:
//! submission by the public and applicants, the public progress lookup, and the handling
//! by the organisation above the one complained about (accept → handle → reply → close, or
//! not accepted, or referred to discipline inspection).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::codes::Code;
use zhengwu_domain::complaints::{
    COMPLAINT_FLOW, ComplaintAction, ComplaintCategory, ComplaintKind, ComplaintState, HANDLERS,
    complained_about, handling_organisation,
};
use zhengwu_domain::events::{ComplaintEventData, EventData, EventType};
use zhengwu_domain::ids::{CaseId, ComplaintId, OrganizationId, UserId, WindowId};
use zhengwu_domain::orders::AccountabilityKind;
use zhengwu_persistence::complaints::{self as repo, Complaint, ComplaintFilter, Readers};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::orders::{Accountability, insert_accountability};
use zhengwu_persistence::{Conn, DbError, cases, orgs, supervision, windows};

use crate::app::cases::{new_password, password_hash, password_matches};
use crate::app::orders::{staff_of, who};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::outbox::{self, Change};
use crate::state::AppState;

/// How to reach the complainant, checked and trimmed; never public.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A complaint to file, parsed.
pub struct NewComplaint {
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    pub organization: OrganizationId,
    pub window: Option<WindowId>,
    pub staff: Option<UserId>,
    pub case: Option<CaseId>,
    pub text: String,
    pub name: Option<String>,
    pub contact: Option<Contact>,
}

/// A complaint as the caller may see it: `handler` tells whether the caller handles it
/// (else: its complainant, who does not see the internal findings).
pub struct ComplaintView {
    pub complaint: Complaint,
    pub handler: bool,
    pub years_without_calendar: Vec<i32>,
    /// Given once, at submission.
    pub query_code: Option<String>,
}

pub struct ComplaintList {
    pub org: Option<OrganizationId>,
    pub state: Option<ComplaintState>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<ComplaintId>,
    pub limit: i64,
}

async fn view(conn: &mut Conn, complaint: Complaint, handler: bool) -> AppResult<ComplaintView> {
    let years_without_calendar = crate::deadlines::flags_of(conn, complaint.id).await?;
    Ok(ComplaintView {
        complaint,
        handler,
        years_without_calendar,
        query_code: None,
    })
}

fn reference(pointer: &str, message: &'static str) -> ApiError {
    ApiError::field(pointer, Code::ReferenceNotFound, message)
}

/// The organisation complained about, with the window, the staff member and the case named
/// checked against it (and the case against the complainant).
async fn complained_of(
    conn: &mut Conn,
    cmd: &NewComplaint,
    submitter: Option<Uuid>,
) -> AppResult<orgs::Organization> {
    let org = match orgs::get(conn, cmd.organization.0).await {
        Ok(o) => o,
        Err(DbError::NotFound) => {
            return Err(reference("/organization_id", "no such organisation"));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(w) = cmd.window {
        let ok = match windows::get(conn, w.0).await {
            Ok(w) => org.path.contains(&orgs::get(conn, w.hall_id).await?.path),
            Err(DbError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !ok {
            return Err(reference("/window_id", "no window of that organisation"));
        }
    }
    if let Some(s) = cmd.staff
        && !staff_of(conn, s, &org.path).await?
    {
        return Err(reference(
            "/staff_id",
            "no staff member of that organisation",
        ));
    }
    if let Some(k) = cmd.case {
        let own = match cases::get_case(conn, zhengwu_domain::ids::CaseId(k.0)).await {
            Ok(case) => case.applicant_id.is_some() && case.applicant_id == submitter,
            Err(DbError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !own {
            return Err(reference("/case_id", "no case of yours"));
        }
    }
    Ok(org)
}

/// What is known of a complaint when it is received.
struct Received {
    id: Uuid,
    number: String,
    submitter: Option<Uuid>,
    code_hash: Vec<u8>,
    day: NaiveDate,
    at: DateTime<Utc>,
    due: NaiveDate,
}

fn new_complaint(cmd: NewComplaint, r: Received) -> Complaint {
    Complaint {
        id: r.id,
        number: r.number,
        kind: cmd.kind.as_str().to_owned(),
        category: cmd.category.as_str().to_owned(),
        complainant_id: r.submitter,
        complainant_name: cmd.name,
        contact: serde_json::to_value(&cmd.contact).unwrap_or_default(),
        organization_id: cmd.organization.0,
        window_id: cmd.window.map(|w| w.0),
        staff_id: cmd.staff.map(|s| s.0),
        case_id: cmd.case.map(|k| k.0),
        text: cmd.text,
        query_code_hash: r.code_hash,
        received_on: r.day,
        received_at: r.at,
        acceptance_due: r.due,
        state: ComplaintState::Submitted.as_str().to_owned(),
        handler_id: None,
        decided_at: None,
        decision_reason: None,
        findings: None,
        reply: None,
        replied_at: None,
        referral_note: None,
        closed_at: None,
        version: 1,
    }
}

#[derive(Serialize)]
struct SubmitRecord<'a> {
    number: &'a str,
    category: &'a str,
}

/// Files a complaint: anyone but staff accounts (the anonymous actor for the public). The
/// decision to accept is due within the organisation's acceptance days. `T` is the answer
/// as stored for a retry with the same key; it carries the query code, given only here.
pub async fn submit<T>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewComplaint,
) -> AppResult<Created>
where
    T: Serialize + From<ComplaintView> + Send + Sync,
{
    let signed_in = actor.id.is_some();
    if signed_in && actor.role.is_staff() {
        return Err(ApiError::forbidden(
            "complaints come from the public and applicants, not staff accounts",
        ));
    }
    let submitter = actor.id;
    let now = app.clock.now();
    let day = app.today();
    let code = new_password();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = complained_of(c, &cmd, submitter).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (rules, _) = supervision::rules_at(c, org.path.as_str()).await?;
        let id = Uuid::now_v7();
        let target = Target::of(StoredDeadline::ComplaintAcceptance, id);
        let basis = DeadlineBasis::after(day, rules.complaint_acceptance_days);
        let due = crate::deadlines::count(c, target, basis).await?.due_date;
        let serial = supervision::next_serial(c, "complaint", day.year()).await?;
        let received = Received {
            id,
            number: format!("TS{}-{serial:04}", day.year()),
            submitter,
            code_hash: password_hash(&code),
            day,
            at: now,
            due,
        };
        let k = new_complaint(cmd, received);
        repo::insert_complaint(c, &k).await?;
        if signed_in {
            let record = SubmitRecord {
                number: &k.number,
                category: &k.category,
            };
            AuditCtx::new(app, actor.clone())
                .record(
                    c,
                    "complaint.submit",
                    "complaint",
                    k.id,
                    Some(&handling_organisation(&org.path)),
                    None::<&()>,
                    Some(&record),
                )
                .await?;
        }
        let mut v = view(c, k, false).await?;
        v.query_code = Some(code.clone());
        let location = format!("/api/v1/complaints/{id}");
        idem.finish(c, &T::from(v), location).await
    })
    .await
}

/// Complaints: handlers see those about organisations of their scope (not those about
/// themselves or their own organisation); an applicant sees their own. `limit` rows at most.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    q: ComplaintList,
) -> AppResult<Vec<ComplaintView>> {
    let user = UserId(who(actor)?);
    let mut conn = app.conn().await?;
    let handler = !actor.is_applicant();
    let readers = if handler {
        actor.require(HANDLERS)?;
        Readers::Handler {
            scope: crate::app::narrowed(&conn, actor.scope(), q.org).await?,
            not_about: user,
            not_about_orgs: actor.org_path.as_ref().map(|p| p.ids()).unwrap_or_default(),
        }
    } else {
        Readers::Complainant(user)
    };
    let f = ComplaintFilter {
        readers,
        state: q.state,
        received_from: q.from,
        received_to: q.to,
        after: q.after,
        limit: q.limit,
    };
    let rows = repo::list_complaints(&mut conn, &f).await?;
    let ids: Vec<Uuid> = rows.iter().map(|k| k.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|complaint| ComplaintView {
            years_without_calendar: years.remove(&complaint.id).unwrap_or_default(),
            complaint,
            handler,
            query_code: None,
        })
        .collect())
}

/// A complaint's progress by number and query code, for the complainant without an
/// account: the reason of a decision only when it was not accepted.
pub async fn lookup(app: &AppState, number: &str, code: &str) -> AppResult<Complaint> {
    let mut conn = app.read_conn().await?;
    let nothing =
        || ApiError::not_found("complaint").detail("no complaint with this number and code");
    let mut k = repo::find_complaint(&mut conn, number)
        .await?
        .ok_or_else(nothing)?;
    if !password_matches(&k.query_code_hash, code) {
        return Err(nothing());
    }
    if k.state != ComplaintState::NotAccepted.as_str() {
        k.decision_reason = None;
    }
    Ok(k)
}

/// Whether the actor is on the side a complaint is made against: the staff member
/// complained about, one staffing the window complained about, or a member of the
/// organisation complained about (or of one below it). Such an actor neither handles nor
/// reads it.
async fn is_subject(
    conn: &mut Conn,
    k: &Complaint,
    org: &orgs::Organization,
    actor: &Actor,
) -> AppResult<bool> {
    let user = actor.id;
    if user.is_some() && k.staff_id == user || complained_about(&org.path, actor.org_path.as_ref())
    {
        return Ok(true);
    }
    Ok(match k.window_id {
        Some(w) => windows::staff_of(conn, &[w])
            .await?
            .iter()
            .any(|s| Some(s.user_id) == user),
        None => false,
    })
}

/// The complaint, its organisation and whether the actor handles it (else: its
/// complainant); 404 for anyone else.
async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: ComplaintId,
    for_update: bool,
) -> AppResult<(Complaint, orgs::Organization, bool)> {
    let k = match repo::get_complaint(conn, id, for_update).await {
        Ok(k) => k,
        Err(DbError::NotFound) => return Err(ApiError::not_found("complaint")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, k.organization_id).await?;
    // The subject of a complaint neither handles nor reads it (nor learns who complained).
    let handler = actor.has_role(HANDLERS)
        && actor.sees(&org.path)
        && !is_subject(conn, &k, &org, actor).await?;
    let own = actor.id.is_some() && k.complainant_id == actor.id;
    if !handler && !own {
        return Err(ApiError::not_found("complaint"));
    }
    Ok((k, org, handler))
}

/// One complaint: for its handlers, or its complainant.
pub async fn get(app: &AppState, actor: &Actor, id: ComplaintId) -> AppResult<ComplaintView> {
    let mut conn = app.conn().await?;
    let (k, _, handler) = visible(&mut conn, actor, id, false).await?;
    view(&mut conn, k, handler).await
}

/// The complaint locked for a step by one of its handlers: 403 for its subject (the staff
/// member or window complained about, the organisation complained about: handling goes to
/// the organisation above it), 404 for whoever else does not handle it.
async fn for_handling(
    conn: &mut Conn,
    actor: &Actor,
    id: ComplaintId,
) -> AppResult<(Complaint, orgs::Organization)> {
    let subject = match repo::get_complaint(conn, id, true).await {
        Ok(k) => {
            let org = orgs::get(conn, k.organization_id).await?;
            is_subject(conn, &k, &org, actor).await?
        }
        Err(DbError::NotFound) => return Err(ApiError::not_found("complaint")),
        Err(e) => return Err(e.into()),
    };
    if subject {
        return Err(
            ApiError::forbidden("the subject of a complaint cannot handle it")
                .with_code(Code::ComplaintSubjectCannotHandle),
        );
    }
    match visible(conn, actor, id, true).await? {
        (k, org, true) => Ok((k, org)),
        _ => Err(ApiError::not_found("complaint")),
    }
}

/// What a step changes in the complaint besides its state.
async fn apply(
    conn: &mut Conn,
    k: &mut Complaint,
    action: ComplaintAction,
    text: Option<String>,
    by: Uuid,
    app: &AppState,
) -> AppResult<()> {
    let now = app.clock.now();
    match action {
        ComplaintAction::Accept | ComplaintAction::Reject => {
            k.handler_id = Some(by);
            k.decided_at = Some(now);
            k.decision_reason = text;
        }
        ComplaintAction::Handle => k.findings = text,
        ComplaintAction::Reply => {
            k.reply = text;
            k.replied_at = Some(now);
        }
        ComplaintAction::Close => k.closed_at = Some(now),
        ComplaintAction::Refer => {
            let referral = Accountability {
                id: Uuid::now_v7(),
                kind: AccountabilityKind::ReferralToDisciplineInspection
                    .as_str()
                    .to_owned(),
                organization_id: k.organization_id,
                user_id: k.staff_id,
                order_id: None,
                complaint_id: Some(k.id),
                reason: text.clone().unwrap_or_default(),
                decided_on: app.today(),
                recorded_by: by,
                recorded_at: now,
            };
            insert_accountability(conn, &referral).await?;
            k.referral_note = text;
            k.closed_at = Some(now);
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct StateOf {
    state: ComplaintState,
}

#[derive(Serialize)]
struct StepRecord<'a> {
    state: ComplaintState,
    text: Option<&'a str>,
}

/// A step of the handling, the one way every step goes: the roles of the step, the
/// complaint locked for its handler, the version expected, the workflow's decision, the
/// step's effect, the audit event. `text` is the step's note or required text, parsed.
pub async fn step(
    app: &AppState,
    actor: &Actor,
    id: ComplaintId,
    expect: &IfMatch,
    action: ComplaintAction,
    text: Option<String>,
) -> AppResult<ComplaintView> {
    actor.require(COMPLAINT_FLOW.roles(action))?;
    let by = who(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut k, org) = for_handling(c, actor, id).await?;
        expect.check(k.version)?;
        let from = ComplaintState::parse(&k.state).ok_or_else(ApiError::internal)?;
        let next = COMPLAINT_FLOW.decide(from, action, actor.role, &())?;
        apply(c, &mut k, action, text.clone(), by, app).await?;
        k.state = next.as_str().to_owned();
        let saved = repo::save_complaint(c, &k).await?;
        let event = match action {
            ComplaintAction::Accept => Some(EventType::ComplaintAccepted),
            ComplaintAction::Reply => Some(EventType::ComplaintReplied),
            _ => None,
        };
        if let Some(event) = event {
            let handler = handling_organisation(&org.path);
            let handler_id = handler.ids().last().map_or(org.id, |o| o.0);
            let data = EventData::Complaint(ComplaintEventData {
                complaint_id: saved.id,
                number: saved.number.clone(),
                kind: ComplaintKind::parse(&saved.kind).ok_or_else(ApiError::internal)?,
                category: ComplaintCategory::parse(&saved.category)
                    .ok_or_else(ApiError::internal)?,
                state: next,
                organization_id: saved.organization_id,
            });
            let change = Change {
                event,
                collection: "complaints",
                id: saved.id,
                org: (handler_id, &handler),
                owner: saved.complainant_id,
                data,
            };
            outbox::emit(c, audit.at, change).await?;
        }
        let record = StepRecord {
            state: next,
            text: text.as_deref(),
        };
        audit
            .record(
                c,
                &format!("complaint.{action}"),
                "complaint",
                id,
                Some(&handling_organisation(&org.path)),
                Some(&StateOf { state: from }),
                Some(&record),
            )
            .await?;
        view(c, saved, true).await
    })
    .await
}

/// 403 unless the actor's role may take `action` on a complaint at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: ComplaintAction) -> AppResult<()> {
    crate::app::may(&COMPLAINT_FLOW, actor, action)
}
