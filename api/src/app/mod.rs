//! The application layer: one function per command or query of the API.
//!
//! A use case takes the [`Actor`], typed ids and parsed commands, and owns what a request
//! needs around the domain's decision: authorisation against the actor's [`Scope`], the
//! transaction, idempotency and the audit event. It knows nothing of HTTP requests; the
//! handlers in `routes` extract, call one use case and map its answer to a response.

pub mod assessments;
pub mod auth;
pub mod calendars;
pub mod cases;
pub mod catalogue;
pub mod clients;
pub mod complaints;
pub mod disclosure_assessment;
pub mod disclosures;
pub mod evaluations;
pub mod hotline;
pub mod matters;
pub mod orders;
pub mod orgs;
pub mod participation;
pub mod requests;
pub mod supervision;
pub mod users;
pub mod windows;

use std::fmt::Display;

use serde::Serialize;
pub use zhengwu_domain::access::{Actor, Forbidden, Scope};
use zhengwu_domain::workflow::Refusal;

use crate::error::ApiError;

pub type AppResult<T> = Result<T, ApiError>;

impl From<Forbidden> for ApiError {
    fn from(f: Forbidden) -> Self {
        ApiError::forbidden(f.0.message.into_owned()).with_code(f.0.code)
    }
}

/// A workflow's refusal: 403 for the role, 409 for the state (with the state and action in
/// `context`), 409 with the guard's own code for a guard.
impl<S, A> From<Refusal<S, A>> for ApiError
where
    S: Display + Serialize,
    A: Display + Serialize,
{
    fn from(r: Refusal<S, A>) -> Self {
        match r {
            Refusal::Role { allowed, .. } => Forbidden::roles(allowed).into(),
            Refusal::State {
                workflow,
                noun,
                action,
                state,
            } => ApiError::conflict(
                &format!("{workflow}.illegal_transition"),
                format!("cannot {action} a {noun} that is {state}"),
            )
            .context(serde_json::json!({ "state": state, "action": action })),
            Refusal::Guard(v) => ApiError::conflict(v.code, v.message.into_owned()),
        }
    }
}
