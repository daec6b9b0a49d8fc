//! Use cases of complaints.
