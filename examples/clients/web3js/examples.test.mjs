// `npm test`: both examples against the node at LANES_RPC_URL (default
// ./scripts/run.sh's), each checked against what the node holds afterwards,
// read back with plain JSON-RPC (no client library between the check and
// the node): balances changed by exactly the amounts, rent and fees, token
// balances decoded from the accounts' data, every step landed with logs.
// validator/tests/client_examples.rs runs this against a node it starts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAddressDecoder } from '@solana/kit';
import {
    AIRDROP_LAMPORTS,
    MINTED,
    MINT_LEN,
    RPC_URL,
    TOKENS_SENT,
    TOKEN_ACCOUNT_LEN,
    TOKEN_PROGRAM,
    TRANSFER_LAMPORTS,
    WAIT_MS,
    decodeTokenAccount,
} from './lanes.mjs';
import { run as runWeb3js } from './web3js.mjs';
import { run as runKit } from './kit.mjs';

/** A little more than the waits of one example's six steps. */
const TEST_OPTIONS = { timeout: 3 * WAIT_MS };

/** One JSON-RPC call, bounded; its `result`. */
async function rpc(method, ...params) {
    const response = await fetch(RPC_URL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        signal: AbortSignal.timeout(WAIT_MS),
    });
    const body = await response.json();
    assert.equal(body.error, undefined, `${method}: ${JSON.stringify(body.error)}`);
    return body.result;
}

const balance = async (address) => BigInt((await rpc('getBalance', address, { commitment: 'confirmed' })).value);
const rent = async (space) => BigInt(await rpc('getMinimumBalanceForRentExemption', space));
const base58 = (bytes) => getAddressDecoder().decode(bytes);

async function tokenAccount(address) {
    const { value } = await rpc('getAccountInfo', address, { encoding: 'base64', commitment: 'confirmed' });
    assert.ok(value, `token account ${address} exists`);
    assert.equal(value.owner, TOKEN_PROGRAM, `${address} is the token program's`);
    const { mint, owner, amount } = decodeTokenAccount(Buffer.from(value.data[0], 'base64'));
    return { mint: base58(mint), owner: base58(owner), amount };
}

/** Run one example, capturing its report, and check the chain against what it says it did. */
async function runAndCheck(run) {
    const report = [];
    const summary = await run({ log: (line) => report.push(line) });
    const text = report.join('\n');

    // Six steps, each landed (confirmed, no error) with its logs in the report.
    assert.equal(summary.steps.length, 6, text);
    assert.equal(new Set(summary.steps.map((step) => step.signature)).size, 6, 'six distinct transactions');
    const { value: statuses } = await rpc('getSignatureStatuses', summary.steps.map((step) => step.signature));
    for (const [i, step] of summary.steps.entries()) {
        assert.equal(statuses[i]?.err, null, `${step.name}: ${JSON.stringify(statuses[i])}`);
        assert.ok(['confirmed', 'finalized'].includes(statuses[i].confirmationStatus), step.name);
        assert.ok(step.logs.length > 0, `${step.name} has logs`);
        assert.ok(text.includes(step.signature), `the report names ${step.signature}`);
        for (const line of step.logs) assert.ok(text.includes(line), `the report prints ${line}`);
    }
    // The token steps ran the WASM token program.
    for (const step of summary.steps.slice(2)) {
        assert.ok(step.logs.includes(`Program ${TOKEN_PROGRAM} success`), `${step.name}:\n${step.logs.join('\n')}`);
    }

    // Lamports: the recipient holds the transfer; the payer the airdrop less
    // the transfer, the rent of a mint and two token accounts, and its fees.
    assert.notEqual(summary.steps[0].feePayer, summary.payer, 'the faucet pays for the airdrop');
    const fees = summary.steps
        .filter((step) => step.feePayer === summary.payer)
        .reduce((sum, step) => sum + step.fee, 0n);
    assert.ok(fees > 0n);
    assert.equal(await balance(summary.recipient), BigInt(TRANSFER_LAMPORTS));
    const rentPaid = (await rent(MINT_LEN)) + 2n * (await rent(TOKEN_ACCOUNT_LEN));
    assert.equal(
        await balance(summary.payer),
        BigInt(AIRDROP_LAMPORTS) - BigInt(TRANSFER_LAMPORTS) - rentPaid - fees,
        'airdrop - transfer - rent - fees',
    );
    assert.equal(await balance(summary.mint), await rent(MINT_LEN), 'the mint is rent-exempt');

    // Tokens, decoded from the accounts' data: minted less sent, and sent.
    const payerTokens = await tokenAccount(summary.payerTokenAccount);
    const recipientTokens = await tokenAccount(summary.recipientTokenAccount);
    assert.deepEqual(payerTokens, { mint: summary.mint, owner: summary.payer, amount: MINTED - TOKENS_SENT });
    assert.deepEqual(recipientTokens, { mint: summary.mint, owner: summary.recipient, amount: TOKENS_SENT });
}

test('web3.js: airdrop, transfer, token mint, accounts, mint-to and transfer, with logs', TEST_OPTIONS, () =>
    runAndCheck(runWeb3js),
);

test('Kit: airdrop, transfer, token mint, accounts, mint-to and transfer, with logs', TEST_OPTIONS, () =>
    runAndCheck(runKit),
);
