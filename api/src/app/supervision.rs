//! Use cases of supervision.
