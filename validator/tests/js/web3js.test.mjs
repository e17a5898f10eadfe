// @solana/web3.js 1.x, unchanged, against a running lanes-validator: what a
// user's script does with a local Solana node. Run by
// validator/tests/npm_clients.rs (LANES_RPC_URL, LANES_WS_URL).
//
// The tests run in order and share a funded payer and a token mint. Those
// that do not need the WebSocket confirm by polling getSignatureStatuses, so
// a broken PubSub fails only the tests that use it.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
    AddressLookupTableProgram,
    Connection,
    Keypair,
    LAMPORTS_PER_SOL,
    NONCE_ACCOUNT_LENGTH,
    NonceAccount,
    PublicKey,
    SendTransactionError,
    SystemProgram,
    Transaction,
    TransactionInstruction,
    TransactionMessage,
    VersionedTransaction,
    sendAndConfirmTransaction,
} from '@solana/web3.js';
import { getBase58Decoder } from '@solana/kit';
import {
    MINT_LEN,
    RPC_URL,
    TEST_OPTIONS,
    TOKEN_ACCOUNT_LEN,
    TOKEN_PROGRAM,
    WAIT_MS,
    WASM_LOADER,
    WS_URL,
    decodeTokenAccount,
    initializeAccountData,
    initializeMintData,
    mintToData,
    notifiedAfter,
    sleep,
    transferData,
    within,
} from './support.mjs';

const bs58 = (bytes) => getBase58Decoder().decode(bytes);
const connection = new Connection(RPC_URL, { commitment: 'confirmed', wsEndpoint: WS_URL });
// web3.js 1.x reuses a blockhash for 30 s (BLOCKHASH_CACHE_TIMEOUT_MS), but
// a blockhash lives 150 slots: 7.5 s at the 50 ms slots this suite runs the
// node with (60 s at Solana's 400 ms). Without this, a transaction sent 7.5 s
// after the first would carry an expired blockhash and never land. It is
// the switch web3.js's own tests use; each send then waits for a new one.
connection._disableBlockhashCaching = true;
const tokenProgram = new PublicKey(TOKEN_PROGRAM);

/** Wait (bounded) until `signature` is confirmed, by polling getSignatureStatuses; its status. */
async function pollConfirmed(signature) {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
        const { value } = await connection.getSignatureStatuses([signature]);
        const status = value[0];
        if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) {
            return status;
        }
        if (Date.now() > deadline) throw new Error(`${signature} not confirmed within ${WAIT_MS} ms: ${JSON.stringify(status)}`);
        await sleep(100);
    }
}

/** Send (with preflight) and wait by polling; the signature, after checking it succeeded. */
async function sendAndPoll(transaction, signers) {
    const signature = await connection.sendTransaction(transaction, signers);
    const status = await pollConfirmed(signature);
    assert.equal(status.err, null, `${signature} failed: ${JSON.stringify(status.err)}`);
    return signature;
}

async function fund(pubkey, lamports) {
    const signature = await connection.requestAirdrop(pubkey, lamports);
    const status = await pollConfirmed(signature);
    assert.equal(status.err, null);
    return signature;
}

function tokenInstruction(keys, data) {
    return new TransactionInstruction({ programId: tokenProgram, keys, data: Buffer.from(data) });
}

/** Create (system program) and initialize (token program) a token account of `mint` for `owner`. */
async function createTokenAccount(payer, mint, owner) {
    const account = Keypair.generate();
    const lamports = await connection.getMinimumBalanceForRentExemption(TOKEN_ACCOUNT_LEN);
    const transaction = new Transaction().add(
        SystemProgram.createAccount({
            fromPubkey: payer.publicKey,
            newAccountPubkey: account.publicKey,
            lamports,
            space: TOKEN_ACCOUNT_LEN,
            programId: tokenProgram,
        }),
        tokenInstruction(
            [
                { pubkey: account.publicKey, isSigner: false, isWritable: true },
                { pubkey: mint, isSigner: false, isWritable: false },
                { pubkey: owner, isSigner: false, isWritable: false },
            ],
            initializeAccountData(),
        ),
    );
    await sendAndPoll(transaction, [payer, account]);
    return account.publicKey;
}

function mintToInstruction(mint, destination, authority, amount) {
    return tokenInstruction(
        [
            { pubkey: mint, isSigner: false, isWritable: true },
            { pubkey: destination, isSigner: false, isWritable: true },
            { pubkey: authority, isSigner: true, isWritable: false },
        ],
        mintToData(amount),
    );
}

// Shared by the tests below: a funded payer, a mint it controls (created in
// `before` over polling only), and the token accounts the tests make.
const payer = Keypair.generate();
const mint = Keypair.generate();
let confirmedTransfer; // a signature the history tests read back

before(async () => {
    await fund(payer.publicKey, 10 * LAMPORTS_PER_SOL);
    const lamports = await connection.getMinimumBalanceForRentExemption(MINT_LEN);
    const transaction = new Transaction().add(
        SystemProgram.createAccount({
            fromPubkey: payer.publicKey,
            newAccountPubkey: mint.publicKey,
            lamports,
            space: MINT_LEN,
            programId: tokenProgram,
        }),
        tokenInstruction(
            [{ pubkey: mint.publicKey, isSigner: false, isWritable: true }],
            initializeMintData(6, payer.publicKey.toBytes()),
        ),
    );
    await sendAndPoll(transaction, [payer, mint]);
});

test('requestAirdrop, confirmed with the blockhash strategy (signatureSubscribe)', TEST_OPTIONS, async () => {
    const alice = Keypair.generate();
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    const signature = await connection.requestAirdrop(alice.publicKey, 2 * LAMPORTS_PER_SOL);
    const result = await within(
        'confirmTransaction (blockhash strategy)',
        connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed'),
    );
    assert.equal(result.value.err, null);
    assert.ok(result.context.slot > 0);
    assert.equal(await connection.getBalance(alice.publicKey), 2 * LAMPORTS_PER_SOL);
});

test('requestAirdrop, confirmed by polling getSignatureStatuses', TEST_OPTIONS, async () => {
    const bob = Keypair.generate();
    const signature = await connection.requestAirdrop(bob.publicKey, LAMPORTS_PER_SOL);
    const status = await pollConfirmed(signature);
    assert.equal(status.err, null);
    assert.ok(status.slot > 0);
    assert.equal(await connection.getBalance(bob.publicKey), LAMPORTS_PER_SOL);
    const finalized = await connection.getBalance(bob.publicKey, 'finalized');
    assert.equal(finalized, LAMPORTS_PER_SOL, 'confirmed = finalized on one node');
});

test('SystemProgram.transfer with sendAndConfirmTransaction, then getBalance', TEST_OPTIONS, async () => {
    const recipient = Keypair.generate().publicKey;
    const before = await connection.getBalance(payer.publicKey);
    const transaction = new Transaction().add(
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 5_000_000 }),
    );
    const signature = await within(
        'sendAndConfirmTransaction',
        sendAndConfirmTransaction(connection, transaction, [payer]),
    );
    confirmedTransfer = signature;
    assert.equal(await connection.getBalance(recipient), 5_000_000);
    assert.equal(await connection.getBalance(payer.publicKey), before - 5_000_000 - 5_000, 'amount and one signature fee');
});

test('getAccountInfo of the bundled token program', TEST_OPTIONS, async () => {
    const info = await connection.getAccountInfo(tokenProgram);
    assert.ok(info, 'the token program exists at genesis');
    assert.equal(info.executable, true);
    assert.ok(info.owner.equals(new PublicKey(WASM_LOADER)), `owner ${info.owner.toBase58()}`);
    assert.ok(info.lamports > 0);
    assert.ok(Buffer.isBuffer(info.data) && info.data.length > 0, 'the program account holds its code');
    const missing = await connection.getAccountInfo(Keypair.generate().publicKey);
    assert.equal(missing, null);
    // jsonParsed: an account no parser knows comes back raw (base64), as from Agave.
    const parsed = await connection.getParsedAccountInfo(tokenProgram);
    assert.ok(Buffer.isBuffer(parsed.value.data) && parsed.value.data.equals(info.data));
});

test('a call into the WASM token program built by hand, then getProgramAccounts with memcmp', TEST_OPTIONS, async () => {
    const owner = Keypair.generate();
    const account = await createTokenAccount(payer, mint.publicKey, owner.publicKey);
    await sendAndPoll(new Transaction().add(mintToInstruction(mint.publicKey, account, payer.publicKey, 1_234_567)), [payer]);

    const raw = await connection.getAccountInfo(account);
    assert.ok(raw.owner.equals(tokenProgram));
    assert.equal(raw.data.length, TOKEN_ACCOUNT_LEN);
    const state = decodeTokenAccount(raw.data);
    assert.deepEqual(Buffer.from(state.mint), mint.publicKey.toBuffer());
    assert.deepEqual(Buffer.from(state.owner), owner.publicKey.toBuffer());
    assert.equal(state.amount, 1_234_567n);

    // Every token account of this mint: the mint's key at offset 0.
    const byMint = await connection.getProgramAccounts(tokenProgram, {
        filters: [{ dataSize: TOKEN_ACCOUNT_LEN }, { memcmp: { offset: 0, bytes: mint.publicKey.toBase58() } }],
    });
    assert.deepEqual(
        byMint.map(({ pubkey }) => pubkey.toBase58()),
        [account.toBase58()],
    );
    assert.ok(byMint[0].account.owner.equals(tokenProgram));
    assert.deepEqual(byMint[0].account.data, raw.data);

    // Every token account of this owner: the owner's key at offset 32.
    const byOwner = await connection.getProgramAccounts(tokenProgram, {
        filters: [{ memcmp: { offset: 32, bytes: owner.publicKey.toBase58() } }],
        dataSlice: { offset: 64, length: 8 },
    });
    assert.equal(byOwner.length, 1);
    assert.ok(byOwner[0].pubkey.equals(account));
    assert.equal(byOwner[0].account.data.readBigUInt64LE(0), 1_234_567n);

    // The mint itself, by size.
    const mints = await connection.getProgramAccounts(tokenProgram, { filters: [{ dataSize: MINT_LEN }] });
    assert.ok(mints.some(({ pubkey }) => pubkey.equals(mint.publicKey)));
});

/** An owner with an empty token account, and a transfer of one token out of it. */
/** What a rejection was, whatever it is (web3.js rejects with plain objects too). */
function describe(value) {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try {
        return `${Object.prototype.toString.call(value)} ${JSON.stringify(value)}`;
    } catch {
        return String(value);
    }
}

async function overdraft() {
    const owner = Keypair.generate();
    await fund(owner.publicKey, LAMPORTS_PER_SOL);
    const source = await createTokenAccount(payer, mint.publicKey, owner.publicKey);
    const destination = await createTokenAccount(payer, mint.publicKey, payer.publicKey);
    // More than the source holds (nothing): TokenError::InsufficientFunds = Custom(0).
    const overdraw = () =>
        new Transaction().add(
            tokenInstruction(
                [
                    { pubkey: source, isSigner: false, isWritable: true },
                    { pubkey: destination, isSigner: false, isWritable: true },
                    { pubkey: owner.publicKey, isSigner: true, isWritable: false },
                ],
                transferData(1),
            ),
        );
    return { owner, overdraw };
}

test('a failing transaction refused by preflight: SendTransactionError with the program logs', TEST_OPTIONS, async () => {
    const { owner, overdraw } = await overdraft();
    // The simulation's logs come with the error.
    const refused = await connection.sendTransaction(overdraw(), [owner]).then(
        () => assert.fail('preflight should refuse an overdraft'),
        (error) => error,
    );
    assert.ok(refused instanceof SendTransactionError, `${refused}`);
    assert.ok(Array.isArray(refused.logs) && refused.logs.length > 0, 'logs on the error');
    const logs = await refused.getLogs(connection);
    assert.ok(logs.some((line) => line.startsWith(`Program ${TOKEN_PROGRAM} invoke [1]`)), logs.join('\n'));
    assert.ok(logs.some((line) => line.includes(`Program ${TOKEN_PROGRAM} failed`)), logs.join('\n'));
    assert.match(refused.message, /custom program error: 0x0/);
});

test('a transaction failing on chain: sendAndConfirmTransaction throws, getLogs() reads the ledger', TEST_OPTIONS, async () => {
    const { owner, overdraw } = await overdraft();
    // Preflight skipped: it fails on chain, and getLogs() reads the logs back
    // with getTransaction.
    const transaction = overdraw();
    const onChain = await within(
        'sendAndConfirmTransaction (failing)',
        sendAndConfirmTransaction(connection, transaction, [owner], { skipPreflight: true }).then(
            () => assert.fail('the overdraft should fail on chain'),
            (error) => error,
        ),
    );
    // web3.js's confirmation races a signature notification against one
    // getSignatureStatus made after subscribing: when the notification wins
    // it throws a SendTransactionError; when the status call sees the failed
    // status first (likely once a node reports it at `processed`, as Agave
    // does), web3.js rejects with the status's bare `err` object. Both are
    // web3.js's own answers to the same node response.
    let signature;
    let chainLogs;
    if (onChain instanceof SendTransactionError) {
        signature = onChain.signature;
        chainLogs = await onChain.getLogs(connection);
    } else {
        assert.deepEqual(onChain, { InstructionError: [0, { Custom: 0 }] }, describe(onChain));
        signature = getBase58Decoder().decode(transaction.signature);
        // Seen at `processed`: wait (bounded) until the ledger holds it.
        let fetched = null;
        for (let tries = 0; fetched === null && tries < 100; tries += 1) {
            fetched = await connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
            if (fetched === null) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        chainLogs = fetched?.meta?.logMessages ?? [];
    }
    assert.ok(chainLogs.length > 0, 'getLogs() from the ledger');
    assert.ok(chainLogs.some((line) => line.includes(`Program ${TOKEN_PROGRAM} failed`)), chainLogs.join('\n'));
    const failed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.deepEqual(failed.meta.err, { InstructionError: [0, { Custom: 0 }] });
    assert.equal(failed.meta.fee, 5_000, 'the fee is charged');
});

test('getTransaction and getSignaturesForAddress of a confirmed transfer', TEST_OPTIONS, async () => {
    // Its own transfer (polled), so this does not depend on the WebSocket.
    const recipient = Keypair.generate().publicKey;
    const signature = await sendAndPoll(
        new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 3_000_000 })),
        [payer],
    );

    const got = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.ok(got, 'found in the ledger');
    assert.equal(got.version, 'legacy');
    assert.ok(got.slot > 0 && typeof got.blockTime === 'number');
    assert.equal(got.meta.err, null);
    assert.equal(got.meta.fee, 5_000);
    assert.ok(Array.isArray(got.meta.logMessages) && got.meta.logMessages.length > 0, 'logMessages');
    assert.ok(got.meta.logMessages.includes('Program 11111111111111111111111111111111 success'), got.meta.logMessages.join('\n'));
    const keys = got.transaction.message.staticAccountKeys.map((key) => key.toBase58());
    assert.deepEqual(keys, [payer.publicKey.toBase58(), recipient.toBase58(), SystemProgram.programId.toBase58()]);
    assert.equal(got.meta.postBalances[1], 3_000_000);
    assert.equal(got.transaction.signatures[0], signature);

    // The legacy call: no version asked for.
    const legacy = await connection.getTransaction(signature);
    assert.equal(legacy.meta.fee, 5_000);
    assert.equal(legacy.transaction.message.accountKeys[1].toBase58(), recipient.toBase58());

    const history = await connection.getSignaturesForAddress(recipient);
    assert.equal(history.length, 1);
    assert.equal(history[0].signature, signature);
    assert.equal(history[0].err, null);
    assert.equal(history[0].slot, got.slot);
    assert.ok(['confirmed', 'finalized'].includes(history[0].confirmationStatus));
    const payerHistory = await connection.getSignaturesForAddress(payer.publicKey, { limit: 2 });
    assert.equal(payerHistory.length, 2);
    assert.equal(payerHistory[0].signature, signature, 'newest first');
    if (confirmedTransfer) {
        const all = await connection.getSignaturesForAddress(payer.publicKey);
        assert.ok(all.some((entry) => entry.signature === confirmedTransfer), 'the sendAndConfirmTransaction transfer too');
    }
});

test('onAccountChange: a notification when an airdrop lands', TEST_OPTIONS, async () => {
    const watched = Keypair.generate().publicKey;
    let notify;
    const notified = new Promise((resolve) => (notify = resolve));
    const id = connection.onAccountChange(watched, (info, context) => notify({ info, context }), { commitment: 'confirmed' });
    try {
        let airdrops = 0;
        const { info, context } = await notifiedAfter('onAccountChange', notified, async () => {
            airdrops += 1;
            await connection.requestAirdrop(watched, LAMPORTS_PER_SOL);
        });
        assert.ok(info.lamports >= LAMPORTS_PER_SOL && info.lamports <= airdrops * LAMPORTS_PER_SOL, `${info.lamports}`);
        assert.ok(info.owner.equals(SystemProgram.programId));
        assert.equal(info.executable, false);
        assert.equal(info.data.length, 0);
        assert.ok(context.slot > 0);
    } finally {
        await within('removeAccountChangeListener', connection.removeAccountChangeListener(id));
    }
});

test('onLogs: the token program\'s logs for a mint', TEST_OPTIONS, async () => {
    const account = await createTokenAccount(payer, mint.publicKey, payer.publicKey);
    const sent = new Set();
    let notify;
    const notified = new Promise((resolve) => (notify = resolve));
    const id = connection.onLogs(
        tokenProgram,
        (logs, context) => {
            if (sent.has(logs.signature)) notify({ logs, context });
        },
        'confirmed',
    );
    try {
        const { logs, context } = await notifiedAfter('onLogs', notified, async () => {
            const transaction = new Transaction().add(mintToInstruction(mint.publicKey, account, payer.publicKey, 1));
            // A fresh blockhash each time, so each retry is a new transaction.
            sent.add(await connection.sendTransaction(transaction, [payer]));
        });
        assert.equal(logs.err, null);
        assert.ok(logs.logs.includes(`Program ${TOKEN_PROGRAM} invoke [1]`), logs.logs.join('\n'));
        assert.ok(logs.logs.includes(`Program ${TOKEN_PROGRAM} success`), logs.logs.join('\n'));
        assert.ok(context.slot > 0);
    } finally {
        await within('removeOnLogsListener', connection.removeOnLogsListener(id));
    }
});

test('onSignature: the signatureNotification itself, no polling behind it', TEST_OPTIONS, async () => {
    // confirmTransaction also asks getSignatureStatus once it has subscribed,
    // so it can succeed without a notification; onSignature cannot. Signed
    // here, subscribed before it is sent, and again after it landed (a
    // subscription to a signature already executed is answered at once).
    const recipient = Keypair.generate().publicKey;
    const { blockhash } = await connection.getLatestBlockhash();
    const transaction = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 2_000_000 }),
    );
    transaction.sign(payer);
    const signature = bs58(transaction.signature);
    const watch = () => {
        let notify;
        const notified = new Promise((resolve) => (notify = resolve));
        const id = connection.onSignature(signature, (result, context) => notify({ result, context }), 'confirmed');
        return { id, notified };
    };
    const before = watch();
    await connection.sendRawTransaction(transaction.serialize());
    try {
        const { result, context } = await within('onSignature (subscribed before sending)', before.notified);
        assert.equal(result.err, null);
        const status = await pollConfirmed(signature);
        assert.equal(context.slot, status.slot, 'notified for the slot it landed in');
    } catch (error) {
        // Notified subscriptions remove themselves; only a failed one is left.
        await connection.removeSignatureListener(before.id).catch(() => {});
        throw error;
    }
    const after = watch();
    try {
        const { result } = await within('onSignature (subscribed after it landed)', after.notified);
        assert.equal(result.err, null);
    } catch (error) {
        await connection.removeSignatureListener(after.id).catch(() => {});
        throw error;
    }
});

test('onSlotChange: slots advance', TEST_OPTIONS, async () => {
    const slots = [];
    let notify;
    const two = new Promise((resolve) => (notify = resolve));
    const id = connection.onSlotChange((info) => {
        slots.push(info);
        if (slots.length === 2) notify();
    });
    try {
        await within('two onSlotChange notifications', two);
        for (const info of slots) {
            assert.equal(typeof info.slot, 'number');
            assert.equal(info.parent, info.slot - 1);
            assert.ok(info.root <= info.slot);
        }
        assert.ok(slots[1].slot > slots[0].slot, JSON.stringify(slots));
    } finally {
        await within('removeSlotChangeListener', connection.removeSlotChangeListener(id));
    }
});

// web3.js's getParsedTransaction validates Solana's parsed shape: account
// keys as {pubkey, signer, writable, source} and instructions as {program,
// programId, parsed} or {programId, accounts, data}.
test('getParsedTransaction', TEST_OPTIONS, async () => {
    const recipient = Keypair.generate().publicKey;
    const signature = await sendAndPoll(
        new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 1_000_000 })),
        [payer],
    );
    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.equal(parsed.meta.fee, 5_000);
    const keys = parsed.transaction.message.accountKeys;
    assert.ok(keys[0].pubkey.equals(payer.publicKey) && keys[0].signer && keys[0].writable);
    const [transfer] = parsed.transaction.message.instructions;
    assert.equal(transfer.program, 'system');
    assert.deepEqual(transfer.parsed, {
        type: 'transfer',
        info: { source: payer.publicKey.toBase58(), destination: recipient.toBase58(), lamports: 1_000_000 },
    });
});

test('a v0 transaction loading its recipient from a lookup table: AddressLookupTableProgram, compileToV0Message, getTransaction', TEST_OPTIONS, async () => {
    const authority = Keypair.generate();
    await fund(authority.publicKey, LAMPORTS_PER_SOL);
    const recipient = Keypair.generate().publicKey;
    // A recent slot, as web3.js's documentation picks it (the node's slots are consecutive).
    const recentSlot = await connection.getSlot();
    const [create, table] = AddressLookupTableProgram.createLookupTable({
        authority: authority.publicKey,
        payer: authority.publicKey,
        recentSlot,
    });
    const extend = AddressLookupTableProgram.extendLookupTable({
        lookupTable: table,
        authority: authority.publicKey,
        payer: authority.publicKey,
        addresses: [recipient],
    });
    const created = await sendAndPoll(new Transaction().add(create, extend), [authority]);
    // Addresses appended in a slot are usable from the next one: wait a slot.
    const { slot: extendedIn } = await pollConfirmed(created);
    const deadline = Date.now() + WAIT_MS;
    while ((await connection.getSlot()) <= extendedIn) {
        if (Date.now() > deadline) throw new Error(`no slot after ${extendedIn} within ${WAIT_MS} ms`);
        await sleep(20);
    }
    const { value: lookupTable } = await connection.getAddressLookupTable(table);
    assert.ok(lookupTable, 'the table exists');
    assert.deepEqual(lookupTable.state.addresses.map((a) => a.toBase58()), [recipient.toBase58()]);
    assert.ok(lookupTable.isActive());

    const { blockhash } = await connection.getLatestBlockhash();
    const message = new TransactionMessage({
        payerKey: authority.publicKey,
        recentBlockhash: blockhash,
        instructions: [SystemProgram.transfer({ fromPubkey: authority.publicKey, toPubkey: recipient, lamports: 2_000_000 })],
    }).compileToV0Message([lookupTable]);
    assert.equal(message.addressTableLookups.length, 1, 'the recipient comes from the table');
    assert.equal(message.staticAccountKeys.length, 2, 'payer and system program only');
    const transaction = new VersionedTransaction(message);
    transaction.sign([authority]);
    const signature = await connection.sendTransaction(transaction);
    const status = await pollConfirmed(signature);
    assert.equal(status.err, null);
    assert.equal(await connection.getBalance(recipient), 2_000_000);

    const got = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.equal(got.version, 0);
    assert.deepEqual(got.meta.loadedAddresses.writable.map((a) => a.toBase58()), [recipient.toBase58()]);
    assert.deepEqual(got.meta.loadedAddresses.readonly, []);
    const [lookup] = got.transaction.message.addressTableLookups;
    assert.ok(lookup.accountKey.equals(table));
    assert.deepEqual(lookup.writableIndexes, [0]);
    const keys = got.transaction.message.getAccountKeys({ accountKeysFromLookups: got.meta.loadedAddresses });
    assert.ok(keys.get(2).equals(recipient), 'the loaded key, after the static ones');
    assert.equal(got.meta.postBalances[2], 2_000_000);
    // Asked for without maxSupportedTransactionVersion: Solana's -32015.
    await assert.rejects(connection.getTransaction(signature), /maxSupportedTransactionVersion/);
    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    const loaded = parsed.transaction.message.accountKeys.find((k) => k.pubkey.equals(recipient));
    assert.equal(loaded.source, 'lookupTable');
    const history = await connection.getSignaturesForAddress(recipient);
    assert.deepEqual(history.map((h) => h.signature), [signature], 'found by its loaded address');
});

/** Wait (bounded) until `blockhash` is no longer valid: nothing carrying it could land any more. */
async function untilExpired(blockhash) {
    const deadline = Date.now() + WAIT_MS;
    while ((await connection.isBlockhashValid(blockhash)).value) {
        if (Date.now() > deadline) throw new Error(`${blockhash} still valid after ${WAIT_MS} ms`);
        await sleep(100);
    }
}

/** A nonce account for `authority`, created and funded by `funder` (SystemProgram.createNonceAccount); its key. */
async function createNonceAccount(funder, authority) {
    const nonceAccount = Keypair.generate();
    const lamports = await connection.getMinimumBalanceForRentExemption(NONCE_ACCOUNT_LENGTH);
    const create = SystemProgram.createNonceAccount({
        fromPubkey: funder.publicKey,
        noncePubkey: nonceAccount.publicKey,
        authorizedPubkey: authority,
        lamports,
    });
    await sendAndPoll(create, [funder, nonceAccount]);
    return nonceAccount.publicKey;
}

test('a durable nonce: createNonceAccount, getNonce, a nonceInfo transaction sent after its blockhash expired, confirmed by the nonce strategy, a replay refused', TEST_OPTIONS, async () => {
    const [owner, authority] = [Keypair.generate(), Keypair.generate()];
    await fund(owner.publicKey, LAMPORTS_PER_SOL);
    const noncePubkey = await createNonceAccount(owner, authority.publicKey);

    // Read back two ways: getNonce, and NonceAccount over the raw account.
    const { context: { slot: minContextSlot }, value: nonce } = await connection.getNonceAndContext(noncePubkey);
    assert.ok(nonce.authorizedPubkey.equals(authority.publicKey));
    assert.equal(nonce.feeCalculator.lamportsPerSignature, 5_000);
    assert.equal(typeof nonce.nonce, 'string');
    assert.equal((await connection.isBlockhashValid(nonce.nonce)).value, false, 'a nonce is never a blockhash');
    const info = await connection.getAccountInfo(noncePubkey);
    assert.ok(info.owner.equals(SystemProgram.programId));
    assert.equal(info.data.length, NONCE_ACCOUNT_LENGTH);
    assert.deepEqual(NonceAccount.fromAccountData(info.data), nonce);
    assert.deepEqual(await connection.getNonce(noncePubkey), nonce);

    // Signed now (web3.js puts the advance first and the nonce in recentBlockhash) ...
    const recipient = Keypair.generate().publicKey;
    const { blockhash: beside } = await connection.getLatestBlockhash();
    const transaction = new Transaction({
        feePayer: owner.publicKey,
        minContextSlot,
        nonceInfo: {
            nonce: nonce.nonce,
            nonceInstruction: SystemProgram.nonceAdvance({ noncePubkey, authorizedPubkey: authority.publicKey }),
        },
    }).add(SystemProgram.transfer({ fromPubkey: owner.publicKey, toPubkey: recipient, lamports: 2_000_000 }));
    transaction.sign(owner, authority);
    const wire = transaction.serialize();
    const message = VersionedTransaction.deserialize(wire).message;
    assert.equal(message.recentBlockhash, nonce.nonce);
    assert.equal(message.compiledInstructions.length, 2, 'the advance, then the transfer');
    assert.ok(message.staticAccountKeys[message.compiledInstructions[0].programIdIndex].equals(SystemProgram.programId));

    // ... sent once the blockhash it was signed beside has expired.
    await untilExpired(beside);
    const signature = await connection.sendRawTransaction(wire);
    const confirmed = await within(
        'confirmTransaction (durable nonce strategy)',
        connection.confirmTransaction(
            { minContextSlot, nonceAccountPubkey: noncePubkey, nonceValue: nonce.nonce, signature },
            'confirmed',
        ),
    );
    assert.equal(confirmed.value.err, null);
    assert.equal(await connection.getBalance(recipient), 2_000_000);
    const advanced = await connection.getNonce(noncePubkey);
    assert.notEqual(advanced.nonce, nonce.nonce, 'the nonce advanced');
    assert.ok(advanced.authorizedPubkey.equals(authority.publicKey));

    const got = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.equal(got.meta.err, null);
    assert.equal(got.meta.fee, 10_000, 'two signatures');
    assert.equal(got.transaction.message.recentBlockhash, nonce.nonce);
    assert.equal(got.version, 'legacy');

    // The same bytes again: the nonce has moved on, so preflight's
    // simulation finds no such blockhash, as Agave's does.
    const refused = await connection.sendRawTransaction(wire).then(
        () => assert.fail('a replay of a durable-nonce transaction should be refused'),
        (error) => error,
    );
    assert.ok(refused instanceof SendTransactionError, `${refused}`);
    assert.equal(refused.transactionError.message, 'Transaction simulation failed: Blockhash not found');
    assert.match(refused.message, /Blockhash not found/);
    assert.equal(await connection.getBalance(recipient), 2_000_000);
});

test('a durable-nonce transaction whose second instruction fails still advances the nonce and pays its fee', TEST_OPTIONS, async () => {
    const [owner, authority] = [Keypair.generate(), Keypair.generate()];
    await fund(owner.publicKey, LAMPORTS_PER_SOL);
    const noncePubkey = await createNonceAccount(owner, authority.publicKey);
    const nonce = await connection.getNonce(noncePubkey);
    const before = await connection.getBalance(owner.publicKey);

    // A transfer of everything the owner has: the fee comes first, so it cannot.
    const transaction = new Transaction({
        feePayer: owner.publicKey,
        nonceInfo: {
            nonce: nonce.nonce,
            nonceInstruction: SystemProgram.nonceAdvance({ noncePubkey, authorizedPubkey: authority.publicKey }),
        },
    }).add(SystemProgram.transfer({ fromPubkey: owner.publicKey, toPubkey: Keypair.generate().publicKey, lamports: before }));
    transaction.sign(owner, authority);
    const wire = transaction.serialize();
    const preflight = await connection.sendRawTransaction(wire).then(
        () => assert.fail('preflight should see the transfer fail'),
        (error) => error,
    );
    assert.ok(preflight instanceof SendTransactionError, `${preflight}`);
    assert.match(preflight.message, /Error processing Instruction 1: custom program error: 0x1/);

    const signature = await connection.sendRawTransaction(wire, { skipPreflight: true });
    const status = await pollConfirmed(signature);
    assert.deepEqual(status.err, { InstructionError: [1, { Custom: 1 }] });
    assert.equal(await connection.getBalance(owner.publicKey), before - 10_000, 'only the fee');
    const advanced = await connection.getNonce(noncePubkey);
    assert.notEqual(advanced.nonce, nonce.nonce, 'advanced although the transaction failed');
    const got = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.equal(got.meta.fee, 10_000);
    assert.deepEqual(got.meta.err, { InstructionError: [1, { Custom: 1 }] });
    assert.ok(got.meta.logMessages.some((line) => line.startsWith('Transfer: insufficient lamports')), got.meta.logMessages.join('\n'));
});
