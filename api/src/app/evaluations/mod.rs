//! Use cases of evaluations (好差评): so far the rectifications of bad reviews (整改).

pub mod rectifications;
