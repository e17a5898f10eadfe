// What both examples (web3js.mjs and kit.mjs) share and no Solana library
// gives: where the node is, what the steps move, the bundled WASM token
// program's address and account layout, and how a step is printed.
//
// The token program has no published JavaScript client: its instructions are
// encoded by hand in each example (programs/token/src/instruction.rs: a borsh
// enum, one byte for the variant, then the fields), its accounts decoded here
// (programs/token/src/state.rs).
//
// Never: reach any node but LANES_RPC_URL's (default: the local validator of
// ./scripts/run.sh, on loopback), or wait without a bound.

import { pathToFileURL } from 'node:url';

/** The node's JSON-RPC URL: `LANES_RPC_URL`, or ./scripts/run.sh's. */
export const RPC_URL = process.env.LANES_RPC_URL || 'http://127.0.0.1:8899';

/** Its PubSub URL: `LANES_WS_URL`, or ws:// on the RPC port + 1, where Solana's clients look. */
export const WS_URL = process.env.LANES_WS_URL || websocketUrl(RPC_URL);

function websocketUrl(rpcUrl) {
    const url = new URL(rpcUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (url.port) url.port = String(Number(url.port) + 1);
    return url.toString();
}

/** How long any one wait may take (a confirmation, a history read). */
export const WAIT_MS = 60_000;

/** What the steps move: the same amounts as the Rust example (examples/clients/rust). */
export const AIRDROP_LAMPORTS = 2_000_000_000; // 2 SOL from the faucet to a fresh payer
export const TRANSFER_LAMPORTS = 100_000_000; // 0.1 SOL to a fresh recipient
export const DECIMALS = 6;
export const MINTED = 1_000_000_000n; // 1,000 tokens into the payer's token account
export const TOKENS_SENT = 250_000_000n; // 250 of them to the recipient's

/** The bundled token program (lanes_token::ID). */
export const TOKEN_PROGRAM = 'LanesToken111111111111111111111111111111111';
/** state.rs: Mint::LEN and TokenAccount::LEN, the accounts' data sizes. */
export const MINT_LEN = 76;
export const TOKEN_ACCOUNT_LEN = 147;

/** The variant index of each token instruction the examples send (instruction.rs). */
export const TokenInstruction = { InitializeMint: 0, InitializeAccount: 1, MintTo: 2, TransferChecked: 10 };

/** A token account's fields from its data: mint at byte 0, owner at 32, amount (u64 LE) at 64. */
export function decodeTokenAccount(data) {
    const bytes = Uint8Array.from(data);
    if (bytes.length !== TOKEN_ACCOUNT_LEN) {
        throw new Error(`not a token account: ${bytes.length} bytes, not ${TOKEN_ACCOUNT_LEN}`);
    }
    return {
        mint: bytes.slice(0, 32),
        owner: bytes.slice(32, 64),
        amount: new DataView(bytes.buffer).getBigUint64(64, true),
    };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Call `fetchOnce` until it gives something other than null, for at most WAIT_MS. */
export async function waitFor(what, fetchOnce) {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
        const found = await fetchOnce();
        if (found != null) return found;
        if (Date.now() > deadline) throw new Error(`${what}: nothing within ${WAIT_MS} ms`);
        await sleep(200);
    }
}

/**
 * A landed step as both examples report it, from getTransaction's answer
 * (its `meta`, as both libraries give it) and who paid the fee: printed
 * through `log` and added to `steps`. Throws if the transaction failed.
 */
export function recordStep(log, steps, { name, signature, feePayer, meta }) {
    if (meta.err) throw new Error(`${name}: ${signature} landed but failed: ${JSON.stringify(meta.err)}`);
    const step = { name, signature, feePayer: String(feePayer), fee: BigInt(meta.fee), logs: meta.logMessages ?? [] };
    printStep(log, step);
    steps.push(step);
}

/** Print a step: its signature, fee and logs. */
function printStep(log, step) {
    log(`\n${step.name}`);
    log(`   signature  ${step.signature}`);
    log(`   fee        ${step.fee} lamports, paid by ${step.feePayer}`);
    log('   logs');
    for (const line of step.logs) log(`     ${line}`);
}

/** Print one balance line: `who`'s lamports, or a token account's units. */
export function printBalance(log, who, address, amount, unit = 'lamports') {
    log(`   ${who.padEnd(10)} ${address}: ${amount} ${unit}`);
}

/**
 * When the module at `moduleUrl` is the script node was started with, run
 * `run`: the report on stdout; an error on stderr, with the program logs a
 * library attached to it, and exit status 1.
 */
export async function runAsScript(moduleUrl, run) {
    if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
    try {
        await run({ log: console.log });
        process.exit(0);
    } catch (error) {
        console.error(`error: ${error?.message ?? error}`);
        if (/fetch failed|ECONNREFUSED/.test(`${error?.message} ${error?.cause?.code}`)) {
            console.error(`  cannot reach ${RPC_URL}: is a node running there? (./scripts/run.sh starts one)`);
        }
        for (const line of error?.logs ?? error?.context?.logs ?? []) console.error(`  ${line}`);
        process.exit(1);
    }
}
