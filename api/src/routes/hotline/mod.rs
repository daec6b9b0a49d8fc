//! The 12345 hotline (便民服务热线): tickets (工单) taken by operators or submitted online,
//! dispatched to the responsible department with a time limit by kind, returned (退单),
//! extended, replied, called back (回访) and reopened (重办), merged when duplicated; the
//! public progress lookup and public answers; the statistics; the knowledge base (知识库).

mod dto;
mod knowledge;
mod public;
mod tickets;

pub use dto::*;
pub use knowledge::*;
pub use public::*;
pub use tickets::*;
