// What both client test files share: the node's URLs from the environment,
// bounded waits, and the token program's instruction encoding (borsh, read
// from programs/token/src/instruction.rs and state.rs), written by hand as a
// user of a WASM program without a published client library would.
//
// Not a test file itself (node --test runs only *.test.mjs here).

/** Every wait is bounded by this, so a broken node fails fast rather than hangs. */
export const WAIT_MS = 20_000;
/** A node:test option for each test: a little more than the waits inside it. */
export const TEST_OPTIONS = { timeout: 3 * WAIT_MS };

export const RPC_URL = required('LANES_RPC_URL');
export const WS_URL = required('LANES_WS_URL');

function required(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: validator/tests/npm_clients.rs starts a node and sets it`);
    }
    return value;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within(what, promise, ms = WAIT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        clearTimeout(timer);
    }
}

/**
 * Wait (bounded) for a subscription's notification. A subscription is set up
 * asynchronously, so the action that should cause a notification may reach
 * the node before the subscription does: `trigger` runs at once and again
 * every `every` ms until `notified` settles (each run must change what is
 * watched). Returns what `notified` resolved to.
 */
export async function notifiedAfter(what, notified, trigger, { every = 2_000, ms = WAIT_MS } = {}) {
    let settled = false;
    const result = within(what, notified, ms).finally(() => {
        settled = true;
    });
    const retrigger = (async () => {
        while (!settled) {
            await trigger();
            const deadline = Date.now() + every;
            while (!settled && Date.now() < deadline) await sleep(50);
        }
    })();
    try {
        return await result;
    } finally {
        settled = true;
        await retrigger.catch(() => {});
    }
}

export const TOKEN_PROGRAM = 'LanesToken111111111111111111111111111111111';
export const WASM_LOADER = 'LanesWasmLoader1111111111111111111111111111';
/** state.rs: Mint::LEN and TokenAccount::LEN. */
export const MINT_LEN = 76;
export const TOKEN_ACCOUNT_LEN = 147;

function u64le(amount) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(amount), true);
    return bytes;
}

/** TokenInstruction::InitializeMint { decimals, mint_authority, freeze_authority: None }: accounts [w] mint. */
export function initializeMintData(decimals, mintAuthorityBytes) {
    return Uint8Array.from([0, decimals, ...mintAuthorityBytes, 0]);
}

/** TokenInstruction::InitializeAccount: accounts [w] account, [r] mint, [r] owner. */
export function initializeAccountData() {
    return Uint8Array.from([1]);
}

/** TokenInstruction::MintTo { amount }: accounts [w] mint, [w] destination, [r, s] mint authority. */
export function mintToData(amount) {
    return Uint8Array.from([2, ...u64le(amount)]);
}

/** TokenInstruction::Transfer { amount }: accounts [w] source, [w] destination, [r, s] owner. */
export function transferData(amount) {
    return Uint8Array.from([3, ...u64le(amount)]);
}

/** A token account's data: mint at byte 0, owner at 32, amount at 64 (state.rs). */
export function decodeTokenAccount(data) {
    const bytes = Uint8Array.from(data);
    return {
        mint: bytes.subarray(0, 32),
        owner: bytes.subarray(32, 64),
        amount: new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(64, true),
        state: bytes[72],
    };
}
