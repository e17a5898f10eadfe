//! Ingest: what happens to a batch of transactions before anything is
//! locked or executed — structural checks and precomputed lock sets
//! ([`sanitize`]), then signature verification on all cores
//! ([`sigverify`]). Nothing here reads account state.

pub mod sanitize;
pub mod sigverify;
