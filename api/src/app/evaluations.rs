//! Use cases of evaluations.
