//! Use cases of cases.
