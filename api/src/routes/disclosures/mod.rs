//! Disclosure items (政府信息): drafting, review, publication with version filing,
//! de-identification, attachments, search and the public reading API.
//!
//! The handlers extract the request, call one use case of [`crate::app::disclosures`] and
//! answer with its result.

pub mod attachments;
pub mod dto;
pub mod history;
pub mod items;
pub mod search;
pub mod views;
pub mod workflow;

use actix_web::HttpResponse;
use actix_web::HttpResponseBuilder;
use actix_web::http::header;

pub use self::attachments::*;
pub use self::dto::View;
pub use self::history::*;
pub use self::items::*;
pub use self::search::*;
pub use self::workflow::*;
use crate::app::Actor;
use crate::auth::MaybePrincipal;
use crate::extract::etag;

/// The caller as the use cases see it: the public when not signed in.
fn actor_of(auth: &MaybePrincipal) -> Actor {
    auth.0.as_ref().map_or_else(Actor::anonymous, |p| p.actor())
}

/// 200 with the ETag of a version.
fn with_etag(v: i32) -> HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::ETAG, etag(v)));
    res
}
