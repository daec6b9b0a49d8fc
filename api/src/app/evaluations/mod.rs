//! Use cases of evaluations (好差评): evaluating a case and appealing a review, the
//! rectifications of bad reviews (整改), and the measures.

pub mod measures;
pub mod rectifications;
pub mod reviews;
