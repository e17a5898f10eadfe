//! The lending program as deployed: the real WASM calling the real token
//! program through the harness. Supply, borrow, interest by slot,
//! liquidation with its bonus; every way a caller can cheat (a wrong vault,
//! a fake mint, a reserve or price feed of another market, someone else's
//! obligation, a missing signer); and property tests of the books.
//!
//! One test binary, a module per feature.

mod common;
mod interest;
mod liquidation;
mod properties;
mod refusals;
mod supply;
#[path = "../../../token/tests/support/token_fixture.rs"]
mod token_fixture;
