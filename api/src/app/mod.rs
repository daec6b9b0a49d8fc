//! The application layer: one function per command or query of the API.
//!
//! A use case takes the [`Actor`], typed ids and parsed commands, and owns what a request
//! needs around the domain's decision: authorisation against the actor's [`Scope`], the
//! transaction, idempotency and the audit event. It knows nothing of HTTP requests; the
//! handlers in `routes` extract, call one use case and map its answer to a response.

use zhengwu_domain::codes::Code;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod calendars;
pub mod cases;
pub mod catalogue;
pub mod clients;
pub mod complaints;
pub mod disclosure_assessment;
pub mod disclosures;
pub mod evaluations;
pub mod events;
pub mod hotline;
pub mod matters;
pub mod orders;
pub mod orgs;
pub mod participation;
pub mod reports;
pub mod requests;
pub mod statistics;
pub mod supervision;
pub mod users;
pub mod webhooks;
pub mod windows;

use std::fmt::Display;

use serde::Serialize;
pub use zhengwu_domain::access::{Actor, Forbidden, Scope};
use zhengwu_domain::workflow::{Refusal, Workflow};

use zhengwu_domain::ids::OrganizationId;
use zhengwu_persistence::{Conn, orgs as org_repo};

use crate::error::ApiError;

pub type AppResult<T> = Result<T, ApiError>;

/// A request body parsed by the use case once the caller's role is checked, on the day it
/// is made (dates up to today are checked against it): a caller without the role hears 403
/// whatever the body says.
pub trait ParseOn<T> {
    fn parse_on(self, today: chrono::NaiveDate) -> AppResult<T>;
}

/// The first check of a workflow step, made before its body is parsed: 403 unless the
/// actor's role may take the action at all. The use case decides in full later (the role
/// again, the state, the guards, the actor's relation to the object); this only lets a
/// caller without the role hear 403 whatever the body says.
pub fn may<S, A, F>(flow: &Workflow<S, A, F>, actor: &Actor, action: A) -> AppResult<()>
where
    S: Copy + Eq,
    A: Copy + Eq,
{
    Ok(actor.require(flow.roles(action))?)
}

/// The organisations a list or a statistic covers: `scope` (the caller's, or everything for
/// a public view) narrowed to the subtree of `?org` when one is asked for. An organisation
/// outside the scope is answered as one that does not exist (422 at `?org`); a caller
/// without an organisation scope is refused (403). This is the one place a requested
/// subtree becomes a [`Scope`]; it never widens.
pub(crate) async fn narrowed(
    conn: &Conn,
    scope: Scope,
    org: Option<OrganizationId>,
) -> AppResult<Scope> {
    let unknown = || {
        ApiError::field(
            "?org",
            Code::ReferenceNotFound,
            "no such organisation in your scope",
        )
    };
    let requested = match org {
        Some(o) => Some(org_repo::path_of(conn, o.0).await?.ok_or_else(unknown)?),
        None => None,
    };
    match scope.narrow(requested.as_ref()) {
        Some(Scope::Nothing) => Err(ApiError::forbidden("no organisation scope")),
        Some(s) => Ok(s),
        None => Err(unknown()),
    }
}

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
                code,
                noun,
                action,
                state,
            } => ApiError::conflict(code, format!("cannot {action} a {noun} that is {state}"))
                .context(serde_json::json!({ "state": state, "action": action })),
            Refusal::Guard(v) => ApiError::conflict(v.code, v.message.into_owned()),
        }
    }
}
