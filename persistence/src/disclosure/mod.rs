//! Disclosure catalogue, guides, items, filed versions, attachments and index counters.

use crate::db::DbError;
use crate::parse_col;

/// The content columns of an item row or a filed-version row (they share their names).
macro_rules! item_fields {
    ($r:expr) => {
        ItemFields {
            issuing_organization_id: $r.issuing_organization_id,
            category_id: $r.category_id,
            kind: parse_col(&$r.kind, ItemKind::parse)?,
            interprets_id: $r.interprets_id,
            title: $r.title,
            summary: $r.summary,
            content: $r.content,
            content_format: parse_col(&$r.content_format, ContentFormat::parse)?,
            doc_number: $r.doc_number,
            subject_terms: $r.subject_terms,
            formed_on: $r.formed_on,
            attribute: parse_col(&$r.attribute, Attribute::parse)?,
            non_disclosure_ground: parse_opt_col(
                $r.non_disclosure_ground.as_deref(),
                NonDisclosureGround::parse,
            )?,
            channels: parse_list(&$r.channels, Channel::parse)?,
            validity: parse_col(&$r.validity, Validity::parse)?,
            cadence: parse_col(&$r.cadence, Cadence::parse)?,
        }
    };
}

fn parse_list<T>(values: &[String], parse: fn(&str) -> Option<T>) -> Result<Vec<T>, DbError> {
    values.iter().map(|v| parse_col(v, parse)).collect()
}

mod attachments;
mod catalogue;
mod items;
mod public;
mod versions;

pub use self::attachments::*;
pub use self::catalogue::*;
pub use self::items::*;
pub use self::public::*;
pub use self::versions::*;
