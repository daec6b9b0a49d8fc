//! Storage of zhengwu on PostgreSQL: schema, repositories, pool and migrations.
//!
//! Repository functions take a connection, so callers compose them inside one transaction;
//! the audit event of a change is appended in the same transaction as the change.

pub mod assessments;
pub mod audit;
pub mod calendar;
pub mod case_stats;
pub mod cases;
pub mod clients;
pub mod complaints;
pub mod db;
pub mod deadlines;
pub mod disclosure;
pub mod evaluations;
pub mod hotline;
pub mod idempotency;
pub mod login_throttle;
pub mod matters;
pub mod orders;
pub mod orgs;
pub mod outbox;
pub mod participation;
pub mod reports;
pub mod requests;
pub mod schema;
pub mod scope;
pub mod search;
pub mod sql;
pub mod supervision;
#[cfg(feature = "test-kit")]
pub mod testkit;
pub mod tls;
pub mod tokens;
pub mod users;
pub mod webhooks;
pub mod windows;

pub use db::{Conn, DbError, Found, PgPool};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Reads an enumeration column; the schema's CHECK constraints make a failure a bug.
pub(crate) fn parse_col<T>(value: &str, parse: fn(&str) -> Option<T>) -> Result<T, DbError> {
    parse(value).ok_or_else(|| DbError::Other(format!("unexpected stored value {value:?}")))
}

pub(crate) fn parse_opt_col<T>(
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, DbError> {
    value.map(|v| parse_col(v, parse)).transpose()
}
