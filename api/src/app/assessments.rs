//! Use cases of assessments.
