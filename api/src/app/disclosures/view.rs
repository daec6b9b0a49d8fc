//! The answers of the disclosure use cases, built from the stored records.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zhengwu_domain::disclosure::{ItemState, publication_overdue};
use zhengwu_domain::ids::{CategoryId, DisclosureItemId};
use zhengwu_domain::pii;
use zhengwu_persistence::disclosure::{self as repo, Item, ItemFields, Version};
use zhengwu_persistence::{Conn, orgs};

use crate::app::AppResult;
use crate::error::ApiError;
use crate::routes::disclosures::views::{
    AttachmentDto, ContentDto, DisclosureDto, DisclosureSummary, LinkDto, PiiFindingDto,
    PublishedDisclosure,
};
use crate::state::AppState;

pub fn attachment_dto(a: &repo::Attachment) -> AttachmentDto {
    AttachmentDto {
        id: a.id,
        filename: a.filename.clone(),
        content_type: a.content_type.clone(),
        size_bytes: a.size_bytes,
        sha256: a.sha256.clone(),
        url: attachment_url(a.item_id, a.id),
    }
}

fn attachment_url(item: Uuid, attachment: Uuid) -> String {
    format!("/api/v1/disclosures/{item}/attachments/{attachment}")
}

pub fn content_dto(organization_id: Uuid, f: &ItemFields) -> ContentDto {
    ContentDto {
        organization_id,
        issuing_organization_id: f.issuing_organization_id,
        category_id: f.category_id,
        kind: f.kind,
        interprets_id: f.interprets_id,
        title: f.title.clone(),
        summary: f.summary.clone(),
        content: f.content.clone(),
        content_format: f.content_format,
        doc_number: f.doc_number.clone(),
        subject_terms: f.subject_terms.clone(),
        formed_on: f.formed_on,
        attribute: f.attribute,
        non_disclosure_ground: f.non_disclosure_ground,
        channels: f.channels.clone(),
        validity: f.validity,
        cadence: f.cadence,
    }
}

pub fn is_overdue(item: &Item, today: NaiveDate) -> bool {
    let ever_published = item.first_published_at.is_some();
    publication_overdue(
        item.fields.attribute,
        ever_published,
        item.publish_due,
        today,
    )
}

fn finding(field: String, x: pii::Finding) -> PiiFindingDto {
    PiiFindingDto {
        kind: x.kind,
        field,
        offset: x.offset,
        length: x.length,
        masked: x.masked,
    }
}

/// Personal data in the title, summary and content.
pub fn findings_of(f: &ItemFields) -> Vec<PiiFindingDto> {
    [
        ("title", &f.title),
        ("summary", &f.summary),
        ("content", &f.content),
    ]
    .into_iter()
    .flat_map(|(field, text)| {
        pii::scan(text)
            .into_iter()
            .map(move |x| finding(field.to_owned(), x))
    })
    .collect()
}

/// Personal data in the item and its text attachments.
pub async fn scan_all(
    state: &AppState,
    item: &Item,
    attachments: &[repo::Attachment],
) -> AppResult<Vec<PiiFindingDto>> {
    let mut out = findings_of(&item.fields);
    for a in attachments
        .iter()
        .filter(|a| crate::storage::is_text(&a.content_type))
    {
        let bytes = state.storage.get(&a.storage_key).await.map_err(|e| {
            log::error!("attachment {} unreadable: {e}", a.id);
            ApiError::internal()
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let field = format!("attachments/{}", a.id);
        out.extend(
            pii::scan(&text)
                .into_iter()
                .map(|x| finding(field.clone(), x)),
        );
    }
    Ok(out)
}

/// The working copy as staff see it.
pub async fn working(state: &AppState, conn: &mut Conn, item: Item) -> AppResult<DisclosureDto> {
    let attachments = repo::attachments_of(conn, DisclosureItemId(item.id)).await?;
    let interpretations = repo::interpretations_of(conn, DisclosureItemId(item.id))
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let overdue = is_overdue(&item, state.today());
    let years_without_calendar = crate::deadlines::flags_of(conn, item.id).await?;
    Ok(DisclosureDto {
        id: item.id,
        content: content_dto(item.organization_id, &item.fields),
        personal_data: findings_of(&item.fields),
        state: item.state,
        index_number: item.index_number,
        publish_due: item.publish_due,
        years_without_calendar,
        overdue,
        published_version: item.published_version,
        first_published_at: item.first_published_at,
        rejection_reason: item.rejection_reason,
        withdraw_reason: item.withdraw_reason,
        author_id: item.author_id,
        reviewer_id: item.reviewer_id,
        attachments: attachments.iter().map(attachment_dto).collect(),
        interpretations,
        version: item.version,
        created_at: item.created_at,
        updated_at: item.updated_at,
    })
}

/// A filed version with the names the public page shows.
pub async fn published_dto(conn: &mut Conn, v: Version) -> AppResult<PublishedDisclosure> {
    let org = orgs::get(conn, v.organization_id).await?;
    let category = repo::get_category(conn, CategoryId(v.fields.category_id)).await?;
    let interpretations = repo::interpretation_links(conn, DisclosureItemId(v.item_id)).await?;
    Ok(published_disclosure(repo::PublishedView {
        version: v,
        organization_name: org.name,
        category_name: category.name,
        interpretations,
    }))
}

/// An attachment as a filed version records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FiledAttachment {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

impl FiledAttachment {
    pub fn of(a: &repo::Attachment) -> Self {
        Self {
            id: a.id,
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            sha256: a.sha256.clone(),
        }
    }
}

/// The attachments of a filed version, each with its download address.
fn filed_attachments(item: Uuid, recorded: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut list = recorded.as_array().cloned().unwrap_or_default();
    for a in &mut list {
        let id = a.get("id").and_then(|i| i.as_str()).map(str::to_owned);
        if let (Some(id), Some(fields)) = (id, a.as_object_mut()) {
            let url = format!("/api/v1/disclosures/{item}/attachments/{id}");
            fields.insert("url".to_owned(), serde_json::Value::String(url));
        }
    }
    list
}

pub fn published_disclosure(view: repo::PublishedView) -> PublishedDisclosure {
    let v = view.version;
    PublishedDisclosure {
        id: v.item_id,
        number: v.number,
        index_number: v.index_number,
        content: content_dto(v.organization_id, &v.fields),
        organization_name: view.organization_name,
        category_name: view.category_name,
        published_at: v.published_at,
        attachments: filed_attachments(v.item_id, &v.attachments),
        interpretations: view
            .interpretations
            .into_iter()
            .map(|(id, title)| LinkDto { id, title })
            .collect(),
        current: v.is_current,
    }
}

pub fn public_summary(v: &Version) -> DisclosureSummary {
    DisclosureSummary {
        id: v.item_id,
        organization_id: v.organization_id,
        category_id: v.fields.category_id,
        kind: v.fields.kind,
        title: v.fields.title.clone(),
        summary: v.fields.summary.clone(),
        doc_number: v.fields.doc_number.clone(),
        index_number: Some(v.index_number.clone()),
        formed_on: v.fields.formed_on,
        attribute: v.fields.attribute,
        validity: v.fields.validity,
        state: ItemState::Published,
        published_at: Some(v.published_at),
        publish_due: None,
        overdue: None,
        highlight: None,
    }
}

pub fn staff_summary(i: &Item, today: NaiveDate) -> DisclosureSummary {
    DisclosureSummary {
        id: i.id,
        organization_id: i.organization_id,
        category_id: i.fields.category_id,
        kind: i.fields.kind,
        title: i.fields.title.clone(),
        summary: i.fields.summary.clone(),
        doc_number: i.fields.doc_number.clone(),
        index_number: i.index_number.clone(),
        formed_on: i.fields.formed_on,
        attribute: i.fields.attribute,
        validity: i.fields.validity,
        state: i.state,
        published_at: i.first_published_at,
        publish_due: Some(i.publish_due),
        overdue: Some(is_overdue(i, today)),
        highlight: None,
    }
}
