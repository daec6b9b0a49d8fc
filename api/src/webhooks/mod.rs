//! Webhook deliveries: the senders ([`deliver`]) and the HTTP they speak ([`send`]).

pub mod deliver;
pub mod send;
