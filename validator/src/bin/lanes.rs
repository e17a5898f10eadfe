//! `lanes`: drive a Lanes node from the shell, in the style of Solana's
//! CLI (`lanes_validator::cli` holds the commands; `docs/cli.md` the guide).
//!
//! Never: panic on what a user types or a node answers — every failure is
//! one line on stderr and a non-zero exit status.

fn main() {
    std::process::exit(lanes_validator::cli::main());
}
