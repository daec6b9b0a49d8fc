//! Use cases of orders.
