//! Use cases of matters.
