//! Use cases of requests.
