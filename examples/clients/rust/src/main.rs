//! `lanes-example-client [--url URL]`: the example's steps against a
//! running node (default `./scripts/run.sh`'s, `http://127.0.0.1:8899`),
//! the report on stdout. A thin shell around [`lanes_example_client::run`]:
//! it parses the flag and turns an error into a message (with the failed
//! transaction's logs, when the node sent them) and exit status 1.

use clap::Parser;
use lanes_example_client::{run, Error, DEFAULT_URL};
use std::process::ExitCode;

/// Airdrop, transfer, create a token mint and accounts, mint and transfer
/// tokens on a running Lanes node, printing each step's logs.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The node's JSON-RPC URL (or `localhost`).
    #[arg(long, short = 'u', default_value = DEFAULT_URL)]
    url: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args.url, &mut std::io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let Error::Client(client) = &err {
                for line in client.logs() {
                    eprintln!("  {line}");
                }
            }
            ExitCode::FAILURE
        }
    }
}
