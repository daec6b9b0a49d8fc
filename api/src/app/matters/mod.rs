//! Service matters: registering and changing them, their publication workflow, the
//! catalogue search and the public service guide.

use zhengwu_domain::codes::Code;
mod content;
mod guide;

use diesel_async::AsyncConnection;
use serde::Serialize;
use zhengwu_domain::ids::{MatterId, OrganizationId, WindowId};
use zhengwu_domain::matters::{self as rules, Edit, MATTER_FLOW, MatterAction, Revision};
use zhengwu_domain::matters::{ON_GUIDE, VersionEffect};
use zhengwu_domain::services::{MatterState, MatterTransition, MatterType, ServiceObject};
use zhengwu_persistence::matters::{self as repo, Matter};
use zhengwu_persistence::{Conn, DbError, Found, orgs};

pub use self::content::{CheckedContent, ContentChanges, parse_code, parse_content};
use crate::app::{Actor, AppResult, Scope};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::pagination::{Page, PageParams, encode_cursor};
use crate::routes::disclosures::views::Highlight;
use crate::routes::matters::dto::{
    MatterContentDto, MatterDto, MatterSummary, MatterVersionList, ServiceGuide,
};
use crate::state::AppState;
use zhengwu_persistence::search::engine::MatterQuery;

/// A matter to register, parsed.
#[derive(Debug)]
pub struct NewMatter {
    pub organization_id: OrganizationId,
    pub basic_code: String,
    pub implementation_code: String,
    pub content: CheckedContent,
}

/// A search of the catalogue.
#[derive(Debug, Default)]
pub struct MatterSearch {
    /// The working versions (staff) rather than the published guides; by default, the
    /// working view for staff and the public one for everyone else.
    pub working: Option<bool>,
    pub org: Option<OrganizationId>,
    /// With `org`: its whole subtree.
    pub include_sub: bool,
    pub matter_type: Option<MatterType>,
    pub service_object: Option<ServiceObject>,
    pub online: Option<bool>,
    pub entered_hall: Option<bool>,
    pub window: Option<WindowId>,
    pub state: Option<MatterState>,
    pub q: Option<String>,
}

/// Register a matter (a draft) in a visible organisation's catalogue.
pub async fn create(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    input: impl TryInto<NewMatter, Error = ApiError>,
) -> AppResult<Created> {
    actor.require(rules::EDITORS)?;
    let cmd: NewMatter = input.try_into()?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = visible_org(c, actor, cmd.organization_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        content::check_windows(c, &cmd.content).await?;
        let id = MatterId::new();
        let new = repo::NewMatter {
            id,
            organization_id: cmd.organization_id,
            basic_code: cmd.basic_code,
            implementation_code: cmd.implementation_code,
        };
        let m = repo::insert_matter(c, &new, cmd.content.get()).await?;
        let created = view(c, m).await?;
        audit
            .record(
                c,
                "service_matter.create",
                "service_matter",
                id.0,
                Some(&org.path),
                None::<&()>,
                Some(&created),
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/service-matters/{id}"))
            .await
    })
    .await
}

/// A matter's working version, for the staff who see its organisation.
pub async fn get(app: &AppState, actor: &Actor, id: MatterId) -> AppResult<MatterDto> {
    let mut conn = app.conn().await?;
    let (m, _) = staff_matter(&mut conn, actor, id, false).await?;
    view(&mut conn, m).await
}

/// Change a matter: a draft in place, a published matter as its next version.
pub async fn update(
    app: &AppState,
    actor: &Actor,
    id: MatterId,
    expect: &IfMatch,
    changes: ContentChanges,
) -> AppResult<MatterDto> {
    actor.require(rules::EDITORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (m, org) = staff_matter(c, actor, id, true).await?;
        expect.check(m.version)?;
        let working = repo::get_version(c, id.0, m.working_version).await?;
        let edit = rules::edit(
            m.state,
            working.published_at.is_some(),
            working.submitted_at.is_some(),
        )
        .map_err(|v| in_state(v, m.state))?;
        let old = MatterContentDto::from(working.content.clone());
        let content = changes.apply_to(working.content)?;
        content::check_windows(c, &content).await?;
        let number = match edit {
            Edit::NewVersion => m.working_version + 1,
            Edit::InPlace => m.working_version,
        };
        repo::put_version(c, id, number, content.get()).await?;
        let saved = repo::save_matter(c, id, m.state, number, m.published_version).await?;
        let after = view(c, saved).await?;
        audit
            .record(
                c,
                "service_matter.update",
                "service_matter",
                id.0,
                Some(&org.path),
                Some(&old),
                Some(&after),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// The state and published version before and after a step, in the audit log.
#[derive(Debug, Serialize)]
struct StepRecord<'a> {
    state: MatterState,
    published_version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Option<&'a str>>,
}

/// 403 unless the actor's role may take the transition at all (before its body is parsed).
pub fn may(actor: &Actor, t: MatterTransition) -> AppResult<()> {
    Ok(actor.require(rules::roles(t))?)
}

/// The one transition of the workflow: the table decides on the matter's state (and the
/// revision under way), then the step's effect on the working version is saved.
pub async fn step(
    app: &AppState,
    actor: &Actor,
    id: MatterId,
    expect: &IfMatch,
    t: MatterTransition,
    reason: Option<String>,
) -> AppResult<MatterDto> {
    actor.require(rules::roles(t))?;
    let reason = rules::reason(t, reason.as_deref())
        .map_err(|v| ApiError::field("/reason", v.code, "a reason is required"))?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (m, org) = staff_matter(c, actor, id, true).await?;
        expect.check(m.version)?;
        let working = repo::get_version(c, id.0, m.working_version).await?;
        let revision = Revision::of(
            m.published_version.is_some(),
            working.published_at.is_some(),
            working.submitted_at.is_some(),
        );
        let action = MatterAction::of(t, revision);
        let next = MATTER_FLOW.decide(m.state, action, actor.role, &())?;
        let published = apply_effect(c, app, actor, &m, action.effect()).await?;
        let saved = repo::save_matter(c, id, next, m.working_version, published).await?;
        let after = view(c, saved).await?;
        let before = StepRecord {
            state: m.state,
            published_version: m.published_version,
            reason: None,
        };
        let record = StepRecord {
            state: after.state,
            published_version: after.published_version,
            reason: Some(reason.as_deref()),
        };
        let action = format!("service_matter.{t}");
        let path = Some(&org.path);
        audit
            .record(
                c,
                &action,
                "service_matter",
                id.0,
                path,
                Some(&before),
                Some(&record),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// Marks the working version submitted or published; answers the published version.
async fn apply_effect(
    c: &mut Conn,
    app: &AppState,
    actor: &Actor,
    m: &Matter,
    effect: VersionEffect,
) -> AppResult<Option<i32>> {
    let id = MatterId(m.id);
    let now = app.clock.now();
    match effect {
        VersionEffect::None => Ok(m.published_version),
        VersionEffect::Submit => {
            repo::mark_submitted(c, id, m.working_version, now).await?;
            Ok(m.published_version)
        }
        VersionEffect::Publish => {
            let by = actor.id.ok_or_else(ApiError::internal)?;
            repo::mark_published(c, id, m.working_version, now, by).await?;
            Ok(Some(m.working_version))
        }
    }
}

/// The versions of a matter, for the staff who see it.
pub async fn versions(app: &AppState, actor: &Actor, id: MatterId) -> AppResult<MatterVersionList> {
    let mut conn = app.conn().await?;
    let (m, _) = staff_matter(&mut conn, actor, id, false).await?;
    let items = repo::versions_of(&mut conn, MatterId(m.id)).await?;
    Ok(MatterVersionList {
        items: items.into_iter().map(Into::into).collect(),
    })
}

/// The public guide of a published (or suspended) matter that is not classified.
pub async fn guide(app: &AppState, id: MatterId) -> AppResult<ServiceGuide> {
    let mut conn = app.read_conn().await?;
    let m = repo::get_matter(&mut conn, id.0)
        .await
        .found()?
        .ok_or_else(|| ApiError::not_found("service matter"))?;
    let published = m
        .published_version
        .filter(|_| ON_GUIDE.contains(&m.state))
        .ok_or_else(|| ApiError::not_found("service matter"))?;
    let v = repo::get_version(&mut conn, m.id, published).await?;
    if v.content.classified {
        return Err(ApiError::not_found("service matter"));
    }
    guide::assemble(&mut conn, m, v).await
}

/// Search the catalogue: the published guides, or (staff) the working versions inside
/// their scope, in id order. Words in the published guides are searched by the search
/// engine: best match first, paged by offset, each result with its words marked.
pub async fn list(
    app: &AppState,
    actor: Option<&Actor>,
    s: MatterSearch,
    page: &PageParams,
) -> AppResult<Page<MatterSummary>> {
    let limit = page.limit()?;
    let working = s
        .working
        .unwrap_or_else(|| actor.is_some_and(|a| a.role.is_staff()));
    let words =
        s.q.as_deref()
            .filter(|t| zhengwu_persistence::search::tsquery(t).is_some());
    if let (false, Some(text)) = (working, words) {
        return searched(app, &s, text, page, limit).await;
    }
    let after = page.after_uuid()?.map(MatterId);
    let mut conn = app.read_conn().await?;
    let scope = if working {
        staff_scope(actor)?
    } else {
        Scope::All
    };
    let requested = s.org.filter(|_| s.include_sub);
    let scope = crate::app::narrowed(&conn, scope, requested).await?;
    let filter = repo::Filter {
        public: !working,
        organization_id: s.org.filter(|_| !s.include_sub),
        matter_type: s.matter_type,
        service_object: s.service_object,
        online: s.online,
        entered_hall: s.entered_hall,
        window_id: s.window,
        state: s.state.filter(|_| working),
        q: s.q.filter(|t| !t.trim().is_empty()),
        after_id: after,
        limit: limit + 1,
    };
    let rows = repo::list(&mut conn, &scope, &filter).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |(m, _)| m.id.to_string(),
        |r| MatterSummary::from(&r),
    ))
}

/// A page of the engine's answer to words in the published guides.
async fn searched(
    app: &AppState,
    s: &MatterSearch,
    text: &str,
    page: &PageParams,
    limit: i64,
) -> AppResult<Page<MatterSummary>> {
    // The primary: the engine seals and reads its feed there.
    let mut conn = app.conn().await?;
    app.search.catch_up(&mut conn).await?;
    let scope = crate::app::narrowed(&conn, Scope::All, s.org.filter(|_| s.include_sub)).await?;
    let offset = page
        .after_parsed(|c| c.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()))?
        .unwrap_or(0);
    let q = MatterQuery {
        q: text.to_owned(),
        organization_id: s.org.filter(|_| !s.include_sub).map(|o| o.0),
        scope,
        matter_type: s.matter_type.map(|t| t.as_str().to_owned()),
        service_object: s.service_object.map(|o| o.as_str().to_owned()),
        online: s.online,
        entered_hall: s.entered_hall,
        window_id: s.window.map(|w| w.0),
        offset,
        limit: usize::try_from(limit + 1).unwrap_or(1),
    };
    let found = app.search.matters(&q).await?;
    let more = found.ids.len() as i64 > limit;
    let ids: Vec<uuid::Uuid> = found.ids.iter().take(limit as usize).copied().collect();
    let rows = repo::published_in_order(&mut conn, &ids).await?;
    let items = rows
        .iter()
        .map(|r| {
            let mut m = MatterSummary::from(r);
            m.highlight = Some(Highlight {
                title: found.highlighter.title(&r.1.content.name),
                fragment: found
                    .highlighter
                    .fragment(&[&r.1.content.conditions, &r.1.content.legal_basis]),
            });
            m
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: more.then(|| encode_cursor(&format!("o:{}", offset as i64 + limit))),
    })
}

/// The scope of the working view: staff only.
fn staff_scope(actor: Option<&Actor>) -> AppResult<Scope> {
    let actor = actor.ok_or_else(|| ApiError::unauthorized("the working view needs a token"))?;
    match actor.scope() {
        Scope::Nothing => Err(ApiError::forbidden("applicants see the public view")),
        scope => Ok(scope),
    }
}

/// The organisation a matter is registered in: one the actor sees (422 otherwise).
async fn visible_org(
    c: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    match orgs::get(c, id.0).await.found()? {
        Some(o) if actor.sees(&o.path) => Ok(o),
        _ => Err(ApiError::field(
            "/organization_id",
            Code::ReferenceNotFound,
            "no such organisation in your scope",
        )),
    }
}

/// The matter, if the actor is staff who may see it (404 otherwise).
async fn staff_matter(
    conn: &mut Conn,
    actor: &Actor,
    id: MatterId,
    for_update: bool,
) -> AppResult<(Matter, orgs::Organization)> {
    let found = if for_update {
        repo::get_matter_for_update(conn, id).await
    } else {
        repo::get_matter(conn, id.0).await
    };
    let m = match found {
        Ok(m) => m,
        Err(DbError::NotFound) => return Err(ApiError::not_found("service matter")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, m.organization_id).await?;
    if !actor.role.is_staff() || !actor.sees(&org.path) {
        return Err(ApiError::not_found("service matter"));
    }
    Ok((m, org))
}

/// A matter with its working version.
async fn view(conn: &mut Conn, m: Matter) -> AppResult<MatterDto> {
    let v = repo::get_version(conn, m.id, m.working_version).await?;
    Ok(MatterDto::from((m, v)))
}

/// A state refusal with the matter's state in `context`.
fn in_state(v: zhengwu_domain::validation::RuleViolation, state: MatterState) -> ApiError {
    #[derive(Serialize)]
    struct InState {
        state: MatterState,
    }
    let context = serde_json::to_value(InState { state }).unwrap_or_default();
    ApiError::conflict(v.code, v.message.into_owned()).context(context)
}
