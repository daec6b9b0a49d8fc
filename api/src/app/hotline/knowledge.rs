//! The knowledge base (知识库): entries written by staff, reviewed by someone other than
//! their author, published to the public and to operators taking a call.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::hotline::commands::{EntryChanges, MAX_ENTRY_LINKS, NewEntry, check_validity};
use zhengwu_domain::hotline::flow::{
    ENTRY_FLOW, KB_AUTHORS, check_editable, check_reviewer, is_review,
};
use zhengwu_domain::hotline::{EntryAction, EntryState};
use zhengwu_domain::ids::{DisclosureItemId, KnowledgeEntryId, MatterId, OrganizationId, TicketId};
use zhengwu_domain::validation::{Errors, RuleViolation};
use zhengwu_persistence::hotline::{self as repo, Entry, EntryFilter};
use zhengwu_persistence::orgs::{self, Organization};
use zhengwu_persistence::search::engine::{EntryQuery, Highlighter};
use zhengwu_persistence::{Conn, DbError};

use super::{masked, referenced_org, tickets};
use crate::app::{Actor, AppResult, Scope};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

const KIND: &str = "knowledge_entry";

/// Every linked service matter and disclosure item exists; problems located by index.
async fn check_links(
    c: &mut Conn,
    matters: &[MatterId],
    items: &[DisclosureItemId],
) -> AppResult<()> {
    let mut e = Errors::new();
    for (i, m) in matters.iter().enumerate() {
        match zhengwu_persistence::matters::get_matter(c, m.0).await {
            Ok(_) => {}
            Err(DbError::NotFound) => e.push(
                &format!("matter_ids/{i}"),
                RuleViolation::new(Code::ReferenceNotFound, "no such service matter"),
            ),
            Err(x) => return Err(x.into()),
        }
    }
    for (i, d) in items.iter().enumerate() {
        match zhengwu_persistence::disclosure::get_item(
            c,
            zhengwu_domain::ids::DisclosureItemId(d.0),
        )
        .await
        {
            Ok(_) => {}
            Err(DbError::NotFound) => e.push(
                &format!("disclosure_ids/{i}"),
                RuleViolation::new(Code::ReferenceNotFound, "no such disclosure item"),
            ),
            Err(x) => return Err(x.into()),
        }
    }
    if matters.len() > MAX_ENTRY_LINKS || items.len() > MAX_ENTRY_LINKS {
        e.push(
            "matter_ids",
            RuleViolation::new(Code::ListTooLong, "at most 50 links of each kind"),
        );
    }
    Ok(e.finish()?)
}

fn ids<T: Copy>(v: &[T], raw: impl Fn(T) -> Uuid) -> Vec<Uuid> {
    v.iter().map(|x| raw(*x)).collect()
}

/// A new draft entry of `org`.
fn draft(app: &AppState, actor: &Actor, org: &Organization, question: String) -> Entry {
    let now = app.clock.now();
    Entry {
        id: Uuid::now_v7(),
        organization_id: org.id,
        question,
        answer: String::new(),
        matter_ids: vec![],
        disclosure_ids: vec![],
        valid_from: None,
        valid_to: None,
        state: EntryState::Draft.as_str().to_owned(),
        author_id: actor.id.unwrap_or_default(),
        reviewer_id: None,
        source_ticket_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Add a draft entry. `render` gives the answer, which the idempotency key keeps and the
/// audit event records.
pub async fn create<D: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewEntry,
    render: impl Fn(Entry) -> D + Sync,
) -> AppResult<Created> {
    actor.require(KB_AUTHORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let visible = |p: &_| actor.sees(p);
        let message = "no such organisation in your scope";
        let org = referenced_org(c, cmd.organization, visible, "/organization_id", message).await?;
        check_links(c, &cmd.matters, &cmd.disclosures).await?;
        let entry = Entry {
            answer: cmd.answer.clone(),
            matter_ids: ids(&cmd.matters, |m| m.0),
            disclosure_ids: ids(&cmd.disclosures, |d| d.0),
            valid_from: cmd.valid_from,
            valid_to: cmd.valid_to,
            ..draft(app, actor, &org, cmd.question.clone())
        };
        repo::insert_entry(c, &entry).await?;
        let id = entry.id;
        let body = render(entry);
        let path = Some(&org.path);
        audit
            .record(
                c,
                "knowledge_entry.create",
                KIND,
                id,
                path,
                None::<&()>,
                Some(&body),
            )
            .await?;
        idem.finish(c, &body, format!("/api/v1/knowledge-base/{id}"))
            .await
    })
    .await
}

#[derive(Serialize)]
struct FromTicket<'a, D> {
    ticket: &'a str,
    entry: &'a D,
}

/// Turn a ticket's reply into a draft entry of the responsible organisation (personal data
/// masked).
pub async fn from_ticket<D: Serialize + Send + Sync>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    ticket: TicketId,
    render: impl Fn(Entry) -> D + Sync,
) -> AppResult<Created> {
    actor.require(KB_AUTHORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (t, _) = tickets::visible(c, actor, ticket).await?;
        let (Some(reply), Some(org_id)) = (t.reply.as_deref(), t.responsible_org_id) else {
            return Err(ApiError::conflict(
                Code::TicketNotReplied,
                "the ticket has no reply yet",
            ));
        };
        let org = orgs::get(c, org_id).await?;
        let entry = Entry {
            answer: masked(reply),
            source_ticket_id: Some(t.id),
            ..draft(app, actor, &org, masked(&t.subject))
        };
        repo::insert_entry(c, &entry).await?;
        let id = entry.id;
        let body = render(entry);
        let after = FromTicket {
            ticket: &t.number,
            entry: &body,
        };
        let path = Some(&org.path);
        audit
            .record(
                c,
                "knowledge_entry.create",
                KIND,
                id,
                path,
                None::<&()>,
                Some(&after),
            )
            .await?;
        idem.finish(c, &body, format!("/api/v1/knowledge-base/{id}"))
            .await
    })
    .await
}

/// What a search of the knowledge base asks for.
pub struct EntrySearch {
    pub q: Option<String>,
    pub org: Option<OrganizationId>,
    pub state: Option<EntryState>,
    pub offset: i64,
    /// One more than the page, to know whether another follows.
    pub limit: i64,
}

/// Without a token: published entries valid today; staff see every state in their scope.
/// Words are searched by the search engine, and the answer carries the means of marking
/// them in the entries' texts.
pub async fn search(
    app: &AppState,
    actor: Option<&Actor>,
    q: EntrySearch,
) -> AppResult<(Vec<Entry>, Option<Highlighter>)> {
    let words =
        q.q.as_deref()
            .filter(|t| zhengwu_persistence::search::tsquery(t).is_some());
    if let Some(text) = words {
        // The primary: the engine seals and reads its feed there.
        let mut conn = app.conn().await?;
        app.search.catch_up(&mut conn).await?;
        let mut eq = EntryQuery {
            q: text.to_owned(),
            organization_id: None,
            scope: Scope::All,
            state: None,
            valid_on: None,
            offset: usize::try_from(q.offset).unwrap_or(0),
            limit: usize::try_from(q.limit).unwrap_or(1),
        };
        match actor.filter(|a| a.has_role(KB_AUTHORS)) {
            Some(a) => {
                eq.state = q.state.map(|s| s.as_str().to_owned());
                eq.scope = crate::app::narrowed(&conn, a.scope(), q.org).await?;
            }
            None => {
                if q.state.is_some() {
                    return Err(ApiError::field("?state", Code::StaffOnly, "staff only"));
                }
                eq.state = Some(EntryState::Published.as_str().to_owned());
                eq.valid_on = Some(app.today());
                eq.organization_id = q.org.map(|o| o.0);
            }
        }
        let found = app.search.entries(&eq).await?;
        let rows = repo::entries_in_order(&mut conn, &found.ids).await?;
        return Ok((rows, Some(found.highlighter)));
    }
    let mut conn = app.read_conn().await?;
    let mut f = EntryFilter {
        q: q.q,
        offset: q.offset,
        limit: q.limit,
        ..Default::default()
    };
    let scope = match actor.filter(|a| a.has_role(KB_AUTHORS)) {
        Some(a) => {
            f.state = q.state;
            crate::app::narrowed(&conn, a.scope(), q.org).await?
        }
        None => {
            if q.state.is_some() {
                return Err(ApiError::field("?state", Code::StaffOnly, "staff only"));
            }
            f.valid_on = Some(app.today());
            f.organization_id = q.org;
            Scope::All
        }
    };
    Ok((repo::search_entries(&mut conn, &scope, &f).await?, None))
}

/// An entry the actor may see (the public: published ones), with its organisation and
/// whether the actor sees it as staff.
async fn visible(
    c: &mut Conn,
    actor: Option<&Actor>,
    id: KnowledgeEntryId,
    for_update: bool,
) -> AppResult<(Entry, Organization, bool)> {
    let e = match repo::get_entry(c, id, for_update).await {
        Ok(e) => e,
        Err(DbError::NotFound) => return Err(ApiError::not_found("knowledge entry")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(c, e.organization_id).await?;
    let staff = actor.is_some_and(|a| a.has_role(KB_AUTHORS) && a.sees(&org.path));
    if !staff && e.state != EntryState::Published.as_str() {
        return Err(ApiError::not_found("knowledge entry"));
    }
    Ok((e, org, staff))
}

/// The entry of staff in scope, locked (404 for anyone else).
async fn editable(
    c: &mut Conn,
    actor: &Actor,
    id: KnowledgeEntryId,
) -> AppResult<(Entry, Organization)> {
    match visible(c, Some(actor), id, true).await? {
        (e, org, true) => Ok((e, org)),
        _ => Err(ApiError::not_found("knowledge entry")),
    }
}

/// One entry.
pub async fn get(app: &AppState, actor: Option<&Actor>, id: KnowledgeEntryId) -> AppResult<Entry> {
    let mut conn = app.conn().await?;
    Ok(visible(&mut conn, actor, id, false).await?.0)
}

#[derive(Serialize)]
struct Edited<'a> {
    question: &'a str,
}

fn apply(entry: &mut Entry, ch: EntryChanges) {
    if let Some(q) = ch.question {
        entry.question = q;
    }
    if let Some(a) = ch.answer {
        entry.answer = a;
    }
    if let Some(m) = ch.matters {
        entry.matter_ids = ids(&m, |x| x.0);
    }
    if let Some(d) = ch.disclosures {
        entry.disclosure_ids = ids(&d, |x| x.0);
    }
    entry.valid_from = ch.valid_from.or(entry.valid_from);
    entry.valid_to = ch.valid_to.or(entry.valid_to);
}

/// Edit a draft entry.
pub async fn update(
    app: &AppState,
    actor: &Actor,
    id: KnowledgeEntryId,
    expect: &IfMatch,
    changes: EntryChanges,
) -> AppResult<Entry> {
    actor.require(KB_AUTHORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut entry, org) = editable(c, actor, id).await?;
        expect.check(entry.version)?;
        let state = EntryState::parse(&entry.state).ok_or_else(ApiError::internal)?;
        check_editable(state).map_err(|v| ApiError::conflict(v.code, v.message))?;
        apply(&mut entry, changes);
        let mut errs = Errors::new();
        check_validity(&mut errs, entry.valid_from, entry.valid_to);
        errs.finish()?;
        let matters: Vec<MatterId> = entry.matter_ids.iter().map(|m| MatterId(*m)).collect();
        let items: Vec<DisclosureItemId> = entry
            .disclosure_ids
            .iter()
            .map(|d| DisclosureItemId(*d))
            .collect();
        check_links(c, &matters, &items).await?;
        entry.updated_at = app.clock.now();
        let saved = repo::save_entry(c, &entry).await?;
        let after = Edited {
            question: &saved.question,
        };
        let path = Some(&org.path);
        audit
            .record(
                c,
                "knowledge_entry.update",
                KIND,
                saved.id,
                path,
                None::<&()>,
                Some(&after),
            )
            .await?;
        Ok(saved)
    })
    .await
}

#[derive(Serialize)]
struct StateOf {
    state: EntryState,
}

/// The one transition of an entry: [`ENTRY_FLOW`] decides; a review is not the author's.
async fn transition(
    app: &AppState,
    actor: &Actor,
    id: KnowledgeEntryId,
    expect: &IfMatch,
    action: EntryAction,
) -> AppResult<Entry> {
    actor.require(ENTRY_FLOW.roles(action))?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut entry, org) = editable(c, actor, id).await?;
        expect.check(entry.version)?;
        check_reviewer(action, actor.id == Some(entry.author_id))?;
        let from = EntryState::parse(&entry.state).ok_or_else(ApiError::internal)?;
        let next = ENTRY_FLOW.decide(from, action, actor.role, &())?;
        if is_review(action) {
            entry.reviewer_id = actor.id;
        }
        entry.state = next.as_str().to_owned();
        entry.updated_at = app.clock.now();
        let saved = repo::save_entry(c, &entry).await?;
        let (before, after) = (StateOf { state: from }, StateOf { state: next });
        let name = format!("knowledge_entry.{action}");
        audit
            .record(
                c,
                &name,
                KIND,
                id,
                Some(&org.path),
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(saved)
    })
    .await
}

/// Submit a draft for review.
pub async fn submit(
    app: &AppState,
    actor: &Actor,
    id: KnowledgeEntryId,
    expect: &IfMatch,
) -> AppResult<Entry> {
    transition(app, actor, id, expect, EntryAction::Submit).await
}

/// Publish a submitted entry (reviewers, not the author).
pub async fn publish(
    app: &AppState,
    actor: &Actor,
    id: KnowledgeEntryId,
    expect: &IfMatch,
) -> AppResult<Entry> {
    transition(app, actor, id, expect, EntryAction::Publish).await
}

/// Send a submitted entry back to draft (not the author).
pub async fn reject(
    app: &AppState,
    actor: &Actor,
    id: KnowledgeEntryId,
    expect: &IfMatch,
) -> AppResult<Entry> {
    transition(app, actor, id, expect, EntryAction::Reject).await
}

/// Retire a published entry.
pub async fn retire(
    app: &AppState,
    actor: &Actor,
    id: KnowledgeEntryId,
    expect: &IfMatch,
) -> AppResult<Entry> {
    transition(app, actor, id, expect, EntryAction::Retire).await
}
