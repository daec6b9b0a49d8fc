//! The zhengwu domain: the meaning of the records, free of I/O.
//!
//! Values are parsed, not validated: a [`DivisionCode`](org::DivisionCode) or a
//! [`CreditCode`](org::CreditCode) can only exist when it is well formed, and every state
//! machine answers an illegal transition with a typed error.

pub mod access;
pub mod account;
pub mod assessment;
pub mod calendar;
pub mod cases;
pub mod codes;
pub mod complaints;
pub mod disclosure;
pub mod enums;
pub mod evaluation;
pub mod events;
pub mod hotline;
pub mod ids;
pub mod matters;
pub mod orders;
pub mod org;
pub mod participation;
pub mod pii;
pub mod report;
pub mod requests;
pub mod services;
pub mod supervision;
pub mod validation;
pub mod workflow;

pub use enums::{EnumInfo, all_enums};
