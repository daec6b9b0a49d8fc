//! Use cases of participation.
