//! The integration tests: the real HTTP app on a real PostgreSQL, one database per test.
//!
//! One test binary for all areas, so that a build links the app once rather than once
//! per area (each link is about 140 MB of output).

mod assessments;
mod audit_checkpoints;
mod cases;
mod contract_examples;
mod disclosure;
mod evaluations;
mod faults;
mod foundation;
mod hotline;
mod http_semantics;
mod idempotency;
mod integrations;
mod login_throttle;
mod notes;
mod nul;
mod openapi;
mod outages;
mod participation;
mod requests;
mod services;
mod sessions;
mod supervision;
mod tls;
mod writers;
