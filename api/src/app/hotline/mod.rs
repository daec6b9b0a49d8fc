//! Use cases of the 12345 hotline: tickets (工单) from intake to callback, their steps,
//! the public lookup and answers, the statistics, and the knowledge base (知识库).

use zhengwu_domain::codes::Code;
pub mod knowledge;
pub mod public;
pub mod steps;
pub mod tickets;

use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::pii;
use zhengwu_persistence::orgs::{self, Organization};
use zhengwu_persistence::{Conn, DbError};

use crate::app::AppResult;
use crate::error::ApiError;

/// A text with the personal data found in it masked.
pub fn masked(text: &str) -> String {
    pii::mask(text, &pii::scan(text))
}

/// The organisation named at `pointer` when `visible` holds for it; otherwise the field
/// names nothing (422 `reference.not_found`).
async fn referenced_org(
    conn: &mut Conn,
    id: OrganizationId,
    visible: impl FnOnce(&OrgPath) -> bool,
    pointer: &str,
    message: &str,
) -> AppResult<Organization> {
    match orgs::get(conn, id.0).await {
        Ok(o) if visible(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => {
            Err(ApiError::field(pointer, Code::ReferenceNotFound, message))
        }
        Err(e) => Err(e.into()),
    }
}
