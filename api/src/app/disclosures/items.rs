//! Drafting, reading, editing and masking an item, and its trail.

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, EDITORS, ItemState, NonDisclosureGround, Validity,
};
use zhengwu_domain::ids::{DisclosureItemId, OrganizationId};
use zhengwu_domain::pii;
use zhengwu_persistence::disclosure::{self as repo, ItemFields};
use zhengwu_persistence::{Conn, DbError, orgs};

use super::{actor_id, fields, publish_due, staff_item, view};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::routes::disclosures::views::{
    DisclosureDto, DisclosureTrail, DisclosureTrailEntry, DisclosureView, MaskResult,
};
use crate::state::AppState;

/// A new draft: whose catalogue it belongs to and its fields as sent.
pub struct DraftItem {
    pub organization_id: OrganizationId,
    pub fields: ItemFields,
}

/// Changes to a draft: each field present replaces the stored one; `Some(None)` clears an
/// optional field. The kind and the interpreted policy do not change.
#[derive(Debug, Default)]
pub struct ItemChanges {
    pub category_id: Option<Uuid>,
    pub issuing_organization_id: Option<Uuid>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub content_format: Option<ContentFormat>,
    pub doc_number: Option<Option<String>>,
    pub subject_terms: Option<Vec<String>>,
    pub formed_on: Option<NaiveDate>,
    pub attribute: Option<Attribute>,
    pub non_disclosure_ground: Option<Option<NonDisclosureGround>>,
    pub channels: Option<Vec<Channel>>,
    pub validity: Option<Validity>,
    pub cadence: Option<Cadence>,
}

impl ItemChanges {
    /// The fields after the changes, before they are parsed.
    fn apply(self, old: ItemFields) -> ItemFields {
        ItemFields {
            issuing_organization_id: self
                .issuing_organization_id
                .unwrap_or(old.issuing_organization_id),
            category_id: self.category_id.unwrap_or(old.category_id),
            kind: old.kind,
            interprets_id: old.interprets_id,
            title: self.title.unwrap_or(old.title),
            summary: self.summary.unwrap_or(old.summary),
            content: self.content.unwrap_or(old.content),
            content_format: self.content_format.unwrap_or(old.content_format),
            doc_number: self.doc_number.unwrap_or(old.doc_number),
            subject_terms: self.subject_terms.unwrap_or(old.subject_terms),
            formed_on: self.formed_on.unwrap_or(old.formed_on),
            attribute: self.attribute.unwrap_or(old.attribute),
            non_disclosure_ground: self
                .non_disclosure_ground
                .unwrap_or(old.non_disclosure_ground),
            channels: self.channels.unwrap_or(old.channels),
            validity: self.validity.unwrap_or(old.validity),
            cadence: self.cadence.unwrap_or(old.cadence),
        }
    }
}

/// Draft an item (disclosure officers of the organisation).
pub async fn create(
    app: &AppState,
    actor: &Actor,
    idem: Idem,
    cmd: DraftItem,
) -> AppResult<Created> {
    actor.require(EDITORS)?;
    let fields = fields::parse(cmd.fields, app.today())?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = org_in_scope(c, actor, cmd.organization_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        fields::check_refs(c, org.id, &fields, None).await?;
        let id = DisclosureItemId(Uuid::now_v7());
        let due = publish_due(c, id, fields.formed_on).await?;
        let new = repo::NewItem {
            id: id.0,
            organization_id: org.id,
            fields,
            publish_due: due,
            author_id: actor_id(actor)?,
        };
        let item = repo::insert_item(c, &new).await?;
        let created = view::working(app, c, item).await?;
        let after = Some(&created.content);
        audit
            .record(
                c,
                "disclosure.create",
                "disclosure",
                id.0,
                Some(&org.path),
                None::<&()>,
                after,
            )
            .await?;
        idem.finish(c, &created, format!("/api/v1/disclosures/{id}", id = id.0))
            .await
    })
    .await
}

/// The organisation of a new item, when the actor may see it.
async fn org_in_scope(
    conn: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    match orgs::get(conn, id.0).await {
        Ok(o) if actor.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::field(
            "/organization_id",
            Code::ReferenceNotFound,
            "no such organisation in your scope",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The working copy, for staff who may see the item.
pub async fn working(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
) -> AppResult<DisclosureDto> {
    if actor.id.is_none() {
        return Err(ApiError::unauthorized("the working view needs a token"));
    }
    let mut conn = app.conn().await?;
    let (item, _) = staff_item(&mut conn, actor, id, false).await?;
    view::working(app, &mut conn, item).await
}

/// The current published version, as anyone sees it; a draft or withdrawn item does not
/// exist here.
pub async fn public(app: &AppState, id: DisclosureItemId) -> AppResult<DisclosureView> {
    let published = app
        .shared_read(async |c| repo::published_view(c, id).await)
        .await?
        .ok_or_else(|| ApiError::not_found("disclosure item"))?;
    Ok(DisclosureView::Public(Box::new(
        view::published_disclosure(published),
    )))
}

/// Edit a draft.
pub async fn update(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
    expect: &IfMatch,
    changes: ItemChanges,
) -> AppResult<DisclosureDto> {
    actor.require(EDITORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (item, org) = staff_item(c, actor, id, true).await?;
        expect.check(item.version)?;
        let detail = format!(
            "an item that is {} cannot be edited; only drafts can",
            item.state
        );
        super::ensure_editable(&item, detail)?;
        let old = item.fields.clone();
        let f = fields::parse(changes.apply(old.clone()), app.today())?;
        fields::check_refs(c, org.id, &f, Some(old.category_id)).await?;
        let due = publish_due(c, id, f.formed_on).await?;
        let saved = repo::update_item(c, id, &f, due).await?;
        let after = view::working(app, c, saved).await?;
        let before = view::content_dto(item.organization_id, &old);
        audit
            .record(
                c,
                "disclosure.update",
                "disclosure",
                id.0,
                Some(&org.path),
                Some(&before),
                Some(&after.content),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// What a masking records.
#[derive(Serialize)]
struct Masked {
    masked: usize,
}

/// Replace the personal data in a draft's title, summary and content with masked forms.
pub async fn mask(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
    expect: &IfMatch,
) -> AppResult<MaskResult> {
    actor.require(EDITORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (item, org) = staff_item(c, actor, id, true).await?;
        expect.check(item.version)?;
        let detail = format!("an item that is {} cannot be edited", item.state);
        super::ensure_editable(&item, detail)?;
        let mut f = item.fields.clone();
        let mut masked = 0;
        for text in [&mut f.title, &mut f.summary, &mut f.content] {
            let found = pii::scan(text);
            masked += found.len();
            *text = pii::mask(text, &found);
        }
        let saved = repo::update_item(c, id, &f, item.publish_due).await?;
        let after = Masked { masked };
        audit
            .record(
                c,
                "disclosure.mask",
                "disclosure",
                id.0,
                Some(&org.path),
                None::<&()>,
                Some(&after),
            )
            .await?;
        let item = view::working(app, c, saved).await?;
        Ok(MaskResult { item, masked })
    })
    .await
}

/// The trail of an item (staff who may see it), as the audit log records it.
pub async fn timeline(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
) -> AppResult<DisclosureTrail> {
    let mut conn = app.conn().await?;
    let (item, _) = staff_item(&mut conn, actor, id, false).await?;
    let events =
        zhengwu_persistence::audit::of_entity(&mut conn, "disclosure", &item.id.to_string(), 1000)
            .await?;
    let text = |v: &Option<serde_json::Value>, key: &str| {
        v.as_ref()
            .and_then(|a| a.get(key))
            .and_then(|n| n.as_str())
            .map(str::to_owned)
    };
    let entries = events
        .into_iter()
        .map(|e| DisclosureTrailEntry {
            at: e.occurred_at,
            action: e
                .action
                .strip_prefix("disclosure.")
                .unwrap_or(&e.action)
                .to_owned(),
            actor_id: e.actor_id,
            state: text(&e.after, "state").and_then(|s| ItemState::parse(&s)),
            note: text(&e.after, "note").or_else(|| text(&e.after, "reason")),
        })
        .collect();
    Ok(DisclosureTrail {
        item_id: item.id,
        state: item.state,
        entries,
    })
}
