//! The query password of a case (and of tickets and complaints): shown once, stored hashed.

use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn password_hash(p: &str) -> Vec<u8> {
    Sha256::digest(p.as_bytes()).to_vec()
}

/// Whether a query password matches its stored hash, compared in constant time.
pub fn password_matches(stored: &[u8], given: &str) -> bool {
    stored.len() == 32
        && stored
            .iter()
            .zip(password_hash(given))
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}
