//! The content fields of an item: parsed once (trimmed and checked) before they are stored,
//! and their references checked against the records.

use chrono::NaiveDate;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::disclosure::{self as rules, ItemKind};
use zhengwu_domain::ids::{CategoryId, DisclosureItemId};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::disclosure::{self as repo, ItemFields};
use zhengwu_persistence::{Conn, DbError, orgs};

use crate::app::AppResult;
use crate::error::ApiError;

/// The fields as they are stored: every text trimmed and within its length, the date not in
/// the future, the attribute with its ground, an interpretation with its policy. Field
/// errors name every field that is wrong.
pub fn parse(raw: ItemFields, today: NaiveDate) -> AppResult<ItemFields> {
    let mut e = Errors::new();
    e.check(
        "formed_on",
        validation::event_date(raw.formed_on, None, today),
    );
    let title = e.check("title", validation::text(&raw.title, 300));
    let summary = e.check("summary", validation::text(&raw.summary, 2000));
    let content = e.check("content", validation::text(&raw.content, 200_000));
    let doc_number = e.check_opt("doc_number", raw.doc_number.as_deref(), |d| {
        validation::text(d, 100)
    });
    let subject_terms = text_list(&mut e, "subject_terms", &raw.subject_terms);
    if let Err(v) = rules::check_attribute(raw.attribute, raw.non_disclosure_ground) {
        e.push("non_disclosure_ground", v);
    }
    if let Err(v) = rules::check_interprets(raw.kind, raw.interprets_id.as_ref()) {
        e.push("interprets_id", v);
    }
    e.finish()?;
    Ok(ItemFields {
        title: title.unwrap_or_default(),
        summary: summary.unwrap_or_default(),
        content: content.unwrap_or_default(),
        doc_number,
        subject_terms,
        ..raw
    })
}

fn text_list(e: &mut Errors, field: &str, entries: &[String]) -> Vec<String> {
    if entries.len() > 20 {
        e.push(
            field,
            RuleViolation::new(Code::ListTooLong, "at most 20 entries"),
        );
    }
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, t)| e.check(&format!("{field}/{i}"), validation::text(t, 30)))
        .collect()
}

fn missing(pointer: &str, message: &str) -> ApiError {
    ApiError::field(pointer, Code::ReferenceNotFound, message.to_owned())
}

/// Checks the references of an item's fields against the records: a category of the
/// organisation's catalogue (a retired one only if the item is in it already), an existing
/// issuing organisation, and a policy document for an interpretation.
pub async fn check_refs(
    conn: &mut Conn,
    organization_id: Uuid,
    f: &ItemFields,
    current_category: Option<Uuid>,
) -> AppResult<()> {
    match repo::get_category(conn, CategoryId(f.category_id)).await {
        Ok(c)
            if c.organization_id == organization_id
                && (!c.retired || current_category == Some(c.id)) => {}
        Ok(_) | Err(DbError::NotFound) => {
            let why = "no such active category in this organisation's catalogue";
            return Err(missing("/category_id", why));
        }
        Err(e) => return Err(e.into()),
    }
    match orgs::get(conn, f.issuing_organization_id).await {
        Ok(_) => {}
        Err(DbError::NotFound) => {
            return Err(missing("/issuing_organization_id", "no such organisation"));
        }
        Err(e) => return Err(e.into()),
    }
    let Some(p) = f.interprets_id else {
        return Ok(());
    };
    match repo::get_item(conn, DisclosureItemId(p)).await {
        Ok(policy) if policy.fields.kind == ItemKind::Document => Ok(()),
        Ok(_) | Err(DbError::NotFound) => Err(missing(
            "/interprets_id",
            "no such policy document to interpret",
        )),
        Err(e) => Err(e.into()),
    }
}
