//! Use cases of disclosures.
