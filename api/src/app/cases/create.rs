//! Applying: an applicant online, or a clerk at a window for someone. Several matters make
//! a parallel-approval project with a sub-case each.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, Role};
use zhengwu_domain::cases::{self as rules, APPLICANTS, Application, SubmittedMaterial};
use zhengwu_domain::codes::Code;
use zhengwu_domain::events::EventType;
use zhengwu_domain::ids::CaseId;
use zhengwu_domain::services::{CaseKind, MatterState};
use zhengwu_persistence::cases::{self as repo, Case};
use zhengwu_persistence::matters::{Matter, MatterVersion};
use zhengwu_persistence::{Conn, DbError, Found, matters, orgs, users, windows};

use super::events::{AppliedAudit, EventData};
use super::secret::{new_password, password_hash};
use super::transition::report;
use super::view::{CaseView, view_of};
use super::{Actor, AppResult, number_prefix};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// The answer to an application: the case, and its query password shown once.
pub struct Applied {
    pub view: CaseView,
    pub query_password: String,
}

/// Who the case is for.
struct Applicant {
    id: Option<Uuid>,
    name: String,
    kind: ApplicantType,
    phone: Option<String>,
}

/// What every case of one application shares.
struct Shared<'a> {
    actor: &'a Actor,
    cmd: &'a Application,
    applicant: Applicant,
    materials: Vec<SubmittedMaterial>,
    password_hash: Vec<u8>,
    now: DateTime<Utc>,
    day: NaiveDate,
}

/// Apply. `present` gives the answer's representation, which a retry with the same
/// Idempotency-Key gets again.
pub async fn create<B: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: Application,
    present: impl Fn(Applied) -> B + Send + Sync,
) -> AppResult<Created> {
    actor.require(APPLICANTS)?;
    cmd.check_for(actor.is_applicant())?;
    let password = new_password();
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let applicant = applicant_of(c, actor, &cmd).await?;
        check_window(c, actor, &cmd).await?;
        let versions = matters_of(c, &cmd).await?;
        let listed: Vec<String> = versions
            .iter()
            .flat_map(|(_, v)| v.content.materials.iter().map(|m| m.name.clone()))
            .collect();
        rules::check_listed(&listed, &cmd.materials, "/materials")?;
        let shared = Shared {
            actor,
            cmd: &cmd,
            applicant,
            materials: cmd.materials.clone(),
            password_hash: password_hash(&password),
            now: app.clock.now(),
            day: app.today(),
        };
        let created = if let [(m, v)] = versions.as_slice() {
            insert_single(c, &audit, &shared, m, v).await?
        } else {
            insert_project(c, &audit, &shared, &versions).await?
        };
        let id = created.id;
        let view = view_of(app, c, created).await?;
        let body = present(Applied {
            view,
            query_password: password.clone(),
        });
        idem.finish(c, &body, format!("/api/v1/cases/{id}")).await
    })
    .await
}

/// Applicants apply for themselves; a clerk names the applicant, whose account (if given)
/// is an applicant's.
async fn applicant_of(c: &mut Conn, actor: &Actor, cmd: &Application) -> AppResult<Applicant> {
    if actor.is_applicant() {
        let me = users::get(c, actor.id.ok_or_else(ApiError::internal)?).await?;
        return Ok(Applicant {
            id: Some(me.id),
            name: me.display_name,
            kind: me.applicant_type.ok_or_else(ApiError::internal)?,
            phone: me.phone,
        });
    }
    let a = cmd.applicant.clone().ok_or_else(ApiError::internal)?;
    if let Some(uid) = a.user_id {
        let ok = users::get(c, uid.0)
            .await
            .found()?
            .is_some_and(|u| u.role == Role::Applicant);
        if !ok {
            return Err(ApiError::field(
                "/applicant/user_id",
                Code::ReferenceNotFound,
                "no such applicant account",
            ));
        }
    }
    Ok(Applicant {
        id: a.user_id.map(|u| u.0),
        name: a.name,
        kind: a.applicant_type,
        phone: a.phone,
    })
}

/// The window of intake is active and in a hall of the actor's scope.
async fn check_window(c: &mut Conn, actor: &Actor, cmd: &Application) -> AppResult<()> {
    let Some(w) = cmd.window_id else {
        return Ok(());
    };
    let ok = match windows::get(c, w.0).await.found()? {
        Some(win) => win.active && actor.sees(&orgs::get(c, win.hall_id).await?.path),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "/window_id",
            Code::ReferenceNotFound,
            "no such active window in your scope",
        ))
    }
}

/// Every matter must be published and accepting applications.
async fn matters_of(c: &mut Conn, cmd: &Application) -> AppResult<Vec<(Matter, MatterVersion)>> {
    let mut versions = Vec::new();
    for (i, mid) in cmd.matter_ids.iter().enumerate() {
        let m = match matters::get_matter(c, mid.0).await {
            Ok(m) if m.state == MatterState::Published => m,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    &format!("/matter_ids/{i}"),
                    Code::CaseMatterNotAccepting,
                    "no published service matter accepting applications",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let number = m.published_version.ok_or_else(ApiError::internal)?;
        let v = matters::get_version(c, m.id, number).await?;
        versions.push((m, v));
    }
    Ok(versions)
}

/// The number of a case received by `org` today.
async fn next_number(c: &mut Conn, org: &orgs::Organization, day: NaiveDate) -> AppResult<String> {
    let (prefix, counter) = number_prefix(c, org).await?;
    let serial = repo::next_serial(c, counter, day).await?;
    Ok(rules::case_number(&prefix, day, serial as u32))
}

/// A new case of the application: of one matter, or the project holding them.
fn new_case(
    s: &Shared<'_>,
    id: CaseId,
    number: String,
    parent: Option<CaseId>,
    org: Uuid,
    matter: Option<(&Matter, &MatterVersion)>,
) -> repo::NewCase {
    let content = matter.map(|(_, v)| &v.content);
    repo::NewCase {
        id,
        number,
        parent_id: parent,
        matter_id: matter.map(|(m, _)| m.id),
        matter_version: matter.map(|(_, v)| v.number),
        organization_id: org,
        window_id: s
            .cmd
            .window_id
            .map(|w| w.0)
            .or_else(|| content.and_then(|c| c.window_ids.first().copied())),
        applicant_id: s.applicant.id,
        applicant_name: s.applicant.name.clone(),
        applicant_type: s.applicant.kind,
        applicant_phone: s.applicant.phone.clone(),
        project_name: s.cmd.project_name.clone(),
        channel: s.cmd.channel.as_str().to_owned(),
        submitted_materials: s.materials.clone(),
        query_password_hash: s.password_hash.clone(),
        case_kind: content.map_or(CaseKind::Promised, |c| c.case_kind),
        statutory_days: content.map_or(0, |c| c.statutory_days),
        promised_days: content.map_or(0, |c| c.promised_days),
        received_at: s.now,
        received_on: s.day,
        first_contact_id: (!s.actor.is_applicant()).then_some(s.actor.id).flatten(),
        green_channel: s.cmd.green_channel,
        classified: content.is_some_and(|c| c.classified),
    }
}

async fn insert_single(
    c: &mut Conn,
    audit: &AuditCtx,
    s: &Shared<'_>,
    m: &Matter,
    v: &MatterVersion,
) -> AppResult<Case> {
    let org = orgs::get(c, m.organization_id).await?;
    let id = CaseId::new();
    let number = next_number(c, &org, s.day).await?;
    let case = repo::insert_case(c, &new_case(s, id, number, None, org.id, Some((m, v)))).await?;
    let data = EventData::Applied {
        channel: s.cmd.channel,
    };
    repo::add_event(c, id, s.now, s.actor.id, "apply", None, data.value()?).await?;
    report(c, s.now, EventType::CaseReceived, &case, &org.path, None).await?;
    let after = AppliedAudit {
        number: &case.number,
        sub_cases: None,
    };
    let path = Some(&org.path);
    audit
        .record(c, "case.apply", "case", id, path, None::<&()>, Some(&after))
        .await?;
    Ok(case)
}

/// The project case belongs to the first matter's government level; each matter gets a
/// sub-case at its own organisation.
async fn insert_project(
    c: &mut Conn,
    audit: &AuditCtx,
    s: &Shared<'_>,
    versions: &[(Matter, MatterVersion)],
) -> AppResult<Case> {
    let (first, first_version) = versions.first().ok_or_else(ApiError::internal)?;
    let lead = orgs::get(c, first.organization_id).await?;
    let parent_id = CaseId::new();
    let number = next_number(c, &lead, s.day).await?;
    let mut parent = new_case(s, parent_id, number, None, lead.id, None);
    parent.window_id = parent
        .window_id
        .or_else(|| first_version.content.window_ids.first().copied());
    let project = repo::insert_case(c, &parent).await?;
    let data = EventData::ProjectApplied {
        parallel: versions.len(),
    };
    repo::add_event(
        c,
        parent_id,
        s.now,
        s.actor.id,
        "apply",
        None,
        data.value()?,
    )
    .await?;
    for (m, v) in versions {
        let org = orgs::get(c, m.organization_id).await?;
        let id = CaseId::new();
        let number = next_number(c, &org, s.day).await?;
        let sub = new_case(s, id, number, Some(parent_id), org.id, Some((m, v)));
        let sub = repo::insert_case(c, &sub).await?;
        report(c, s.now, EventType::CaseReceived, &sub, &org.path, None).await?;
        let data = EventData::SubCaseApplied {
            project: parent_id.0,
        };
        repo::add_event(c, id, s.now, s.actor.id, "apply", None, data.value()?).await?;
    }
    report(
        c,
        s.now,
        EventType::CaseReceived,
        &project,
        &lead.path,
        None,
    )
    .await?;
    let after = AppliedAudit {
        number: &project.number,
        sub_cases: Some(versions.len()),
    };
    let path = Some(&lead.path);
    audit
        .record(
            c,
            "case.apply",
            "case",
            parent_id,
            path,
            None::<&()>,
            Some(&after),
        )
        .await?;
    Ok(project)
}
