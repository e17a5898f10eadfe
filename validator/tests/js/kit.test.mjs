// @solana/kit (and @solana-program/system), unchanged, against a running
// lanes-validator: an airdrop and a transfer as kit's documentation writes
// them, a v0 transaction loading its recipient from a lookup table, and a
// transaction on a durable nonce.
// Run by validator/tests/npm_clients.rs (LANES_RPC_URL, LANES_WS_URL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    AccountRole,
    address,
    airdropFactory,
    appendTransactionMessageInstruction,
    appendTransactionMessageInstructions,
    compressTransactionMessageUsingAddressLookupTables,
    getAddressEncoder,
    getProgramDerivedAddress,
    getU32Encoder,
    getU64Encoder,
    createSolanaRpc,
    createSolanaRpcSubscriptions,
    createTransactionMessage,
    generateKeyPairSigner,
    getBase64EncodedWireTransaction,
    getBase64Encoder,
    getSignatureFromTransaction,
    isSolanaError,
    lamports,
    pipe,
    sendAndConfirmDurableNonceTransactionFactory,
    sendAndConfirmTransactionFactory,
    setTransactionMessageFeePayerSigner,
    setTransactionMessageLifetimeUsingBlockhash,
    setTransactionMessageLifetimeUsingDurableNonce,
    signTransactionMessageWithSigners,
    SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
    SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
} from '@solana/kit';
import {
    NonceState,
    fetchNonce,
    getAdvanceNonceAccountInstruction,
    getCreateAccountInstruction,
    getInitializeNonceAccountInstruction,
    getNonceSize,
    getTransferSolInstruction,
} from '@solana-program/system';
import { RPC_URL, TEST_OPTIONS, TOKEN_PROGRAM, WAIT_MS, WASM_LOADER, WS_URL } from './support.mjs';

const rpc = createSolanaRpc(RPC_URL);
const rpcSubscriptions = createSolanaRpcSubscriptions(WS_URL);
const airdrop = airdropFactory({ rpc, rpcSubscriptions });
const sendAndConfirmTransaction = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
const sendAndConfirmNonceTransaction = sendAndConfirmDurableNonceTransactionFactory({ rpc, rpcSubscriptions });
const SOL = 1_000_000_000n;

/** Every kit call that waits is given this: aborted (a failed test) after WAIT_MS. */
const bounded = () => AbortSignal.timeout(WAIT_MS);

test('getAccountInfo (base64) and getBalance of the bundled token program', TEST_OPTIONS, async () => {
    const token = address(TOKEN_PROGRAM);
    const { value: info, context } = await rpc.getAccountInfo(token, { encoding: 'base64' }).send({ abortSignal: bounded() });
    assert.ok(info, 'the token program exists at genesis');
    assert.equal(info.executable, true);
    assert.equal(info.owner, WASM_LOADER);
    assert.ok(typeof info.lamports === 'bigint' && info.lamports > 0n);
    assert.equal(info.rentEpoch, 18446744073709551615n, 'u64::MAX, exact as a bigint');
    const [data, encoding] = info.data;
    assert.equal(encoding, 'base64');
    const bytes = getBase64Encoder().encode(data);
    assert.ok(bytes.length > 0);
    assert.equal(BigInt(bytes.length), info.space);
    assert.ok(context.slot > 0n);

    const { value: balance } = await rpc.getBalance(token).send({ abortSignal: bounded() });
    assert.equal(balance, info.lamports);
    const nobody = await generateKeyPairSigner();
    const { value: missing } = await rpc.getAccountInfo(nobody.address, { encoding: 'base64' }).send({ abortSignal: bounded() });
    assert.equal(missing, null);
});

test('airdropFactory, then a transfer: pipe, getTransferSolInstruction, sendAndConfirmTransactionFactory', TEST_OPTIONS, async () => {
    const [alice, bob] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    const signature = await airdrop({
        commitment: 'confirmed',
        recipientAddress: alice.address,
        lamports: lamports(2n * SOL),
        abortSignal: bounded(),
    });
    assert.equal(typeof signature, 'string');
    const { value: funded } = await rpc.getBalance(alice.address, { commitment: 'confirmed' }).send({ abortSignal: bounded() });
    assert.equal(funded, 2n * SOL);

    const { value: latestBlockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send({ abortSignal: bounded() });
    const message = pipe(
        createTransactionMessage({ version: 'legacy' }),
        (m) => setTransactionMessageFeePayerSigner(alice, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(latestBlockhash, m),
        (m) => appendTransactionMessageInstruction(
            getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(250_000_000n) }),
            m,
        ),
    );
    const transaction = await signTransactionMessageWithSigners(message);
    await sendAndConfirmTransaction(transaction, { commitment: 'confirmed', abortSignal: bounded() });

    const { value: received } = await rpc.getBalance(bob.address, { commitment: 'confirmed' }).send({ abortSignal: bounded() });
    assert.equal(received, 250_000_000n);
    const { value: left } = await rpc.getBalance(alice.address, { commitment: 'confirmed' }).send({ abortSignal: bounded() });
    assert.equal(left, 2n * SOL - 250_000_000n - 5_000n, 'amount and one signature fee');

    const { value: statuses } = await rpc
        .getSignatureStatuses([getSignatureFromTransaction(transaction)])
        .send({ abortSignal: bounded() });
    assert.equal(statuses[0].err, null);
    assert.ok(['confirmed', 'finalized'].includes(statuses[0].confirmationStatus));

    const { value: account } = await rpc.getAccountInfo(bob.address, { encoding: 'base64' }).send({ abortSignal: bounded() });
    assert.equal(account.lamports, 250_000_000n);
    assert.equal(account.owner, '11111111111111111111111111111111');
    assert.deepEqual(account.data, ['', 'base64']);
    assert.equal(account.space, 0n);
});

const LOOKUP_TABLE_PROGRAM = address('AddressLookupTab1e1111111111111111111111111');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');

/**
 * The lookup table program's create and extend instructions, built by hand
 * from Solana's layout (bincode: a u32 tag, then the fields), as a user
 * without @solana-program/address-lookup-table writes them (its releases
 * want @solana/kit 6, this package pins 8). The table is the program
 * address of [authority, recentSlot as u64 little-endian].
 */
async function createAndExtendLookupTable(authority, recentSlot, addresses) {
    const [table, bump] = await getProgramDerivedAddress({
        programAddress: LOOKUP_TABLE_PROGRAM,
        seeds: [getAddressEncoder().encode(authority.address), getU64Encoder().encode(recentSlot)],
    });
    const create = {
        programAddress: LOOKUP_TABLE_PROGRAM,
        accounts: [
            { address: table, role: AccountRole.WRITABLE },
            { address: authority.address, role: AccountRole.READONLY },
            { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
            { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
        ],
        data: Uint8Array.from([...getU32Encoder().encode(0), ...getU64Encoder().encode(recentSlot), bump]),
    };
    const extend = {
        programAddress: LOOKUP_TABLE_PROGRAM,
        accounts: [
            { address: table, role: AccountRole.WRITABLE },
            { address: authority.address, role: AccountRole.READONLY_SIGNER, signer: authority },
            { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
            { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
        ],
        data: Uint8Array.from([
            ...getU32Encoder().encode(2),
            ...getU64Encoder().encode(BigInt(addresses.length)),
            ...addresses.flatMap((a) => [...getAddressEncoder().encode(a)]),
        ]),
    };
    return { table, instructions: [create, extend] };
}

test('a v0 transaction through a lookup table: compressTransactionMessageUsingAddressLookupTables, getTransaction', TEST_OPTIONS, async () => {
    const [alice, bob] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    await airdrop({ commitment: 'confirmed', recipientAddress: alice.address, lamports: lamports(SOL), abortSignal: bounded() });

    // A recent slot (the node's slots are consecutive); create and extend in one transaction.
    const recentSlot = await rpc.getSlot({ commitment: 'confirmed' }).send({ abortSignal: bounded() });
    const { table, instructions } = await createAndExtendLookupTable(alice, recentSlot, [bob.address]);
    const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send({ abortSignal: bounded() });
    const setup = await signTransactionMessageWithSigners(pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(alice, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        (m) => appendTransactionMessageInstructions(instructions, m),
    ));
    await sendAndConfirmTransaction(setup, { commitment: 'confirmed', abortSignal: bounded() });
    const { value: created } = await rpc
        .getSignatureStatuses([getSignatureFromTransaction(setup)])
        .send({ abortSignal: bounded() });
    // Addresses appended in a slot are usable from the next one: wait a slot.
    const deadline = Date.now() + WAIT_MS;
    while ((await rpc.getSlot({ commitment: 'confirmed' }).send({ abortSignal: bounded() })) <= created[0].slot) {
        if (Date.now() > deadline) throw new Error(`no slot after ${created[0].slot} within ${WAIT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const { value: fresh } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send({ abortSignal: bounded() });
    const message = compressTransactionMessageUsingAddressLookupTables(
        pipe(
            createTransactionMessage({ version: 0 }),
            (m) => setTransactionMessageFeePayerSigner(alice, m),
            (m) => setTransactionMessageLifetimeUsingBlockhash(fresh, m),
            (m) => appendTransactionMessageInstruction(
                getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(300_000_000n) }),
                m,
            ),
        ),
        { [table]: [bob.address] },
    );
    assert.equal(message.instructions[0].accounts[1].lookupTableAddress, table, 'bob comes from the table');
    const transaction = await signTransactionMessageWithSigners(message);
    await sendAndConfirmTransaction(transaction, { commitment: 'confirmed', abortSignal: bounded() });
    const { value: received } = await rpc.getBalance(bob.address, { commitment: 'confirmed' }).send({ abortSignal: bounded() });
    assert.equal(received, 300_000_000n);

    const signature = getSignatureFromTransaction(transaction);
    const got = await rpc
        .getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 })
        .send({ abortSignal: bounded() });
    assert.equal(got.version, 0);
    assert.deepEqual(got.meta.loadedAddresses, { writable: [bob.address], readonly: [] });
    assert.deepEqual(got.transaction.message.addressTableLookups, [
        { accountKey: table, writableIndexes: [0], readonlyIndexes: [] },
    ]);
    assert.deepEqual(got.transaction.message.accountKeys, [alice.address, SYSTEM_PROGRAM]);
    // Without maxSupportedTransactionVersion: Solana's -32015.
    await assert.rejects(
        rpc.getTransaction(signature, { commitment: 'confirmed', encoding: 'json' }).send({ abortSignal: bounded() }),
        (err) => {
            assert.equal(err.context?.__code ?? err.context?.code, -32015, String(err));
            return true;
        },
    );
});

test('a durable nonce: @solana-program/system makes the account, fetchNonce, setTransactionMessageLifetimeUsingDurableNonce, sendAndConfirmDurableNonceTransactionFactory, a replay refused', TEST_OPTIONS, async () => {
    const [alice, bob, keeper, nonceAccount] = await Promise.all(
        [0, 1, 2, 3].map(() => generateKeyPairSigner()),
    );
    await airdrop({ commitment: 'confirmed', recipientAddress: alice.address, lamports: lamports(SOL), abortSignal: bounded() });

    // The nonce account, for keeper: created and initialized in one transaction.
    const space = BigInt(getNonceSize());
    const rent = await rpc.getMinimumBalanceForRentExemption(space).send({ abortSignal: bounded() });
    const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send({ abortSignal: bounded() });
    const setup = await signTransactionMessageWithSigners(pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(alice, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
        (m) => appendTransactionMessageInstructions([
            getCreateAccountInstruction({ payer: alice, newAccount: nonceAccount, lamports: rent, space, programAddress: SYSTEM_PROGRAM }),
            getInitializeNonceAccountInstruction({ nonceAccount: nonceAccount.address, nonceAuthority: keeper.address }),
        ], m),
    ));
    await sendAndConfirmTransaction(setup, { commitment: 'confirmed', abortSignal: bounded() });
    const { data: stored, programAddress: owner } = await fetchNonce(rpc, nonceAccount.address, { commitment: 'confirmed', abortSignal: bounded() });
    assert.equal(owner, SYSTEM_PROGRAM);
    assert.equal(stored.state, NonceState.Initialized);
    assert.equal(stored.authority, keeper.address);
    assert.equal(stored.lamportsPerSignature, 5_000n);

    // Signed now, beside the latest blockhash: the advance (keeper signs it)
    // first, then the transfer; Kit keeps an advance it is given first.
    const { value: beside } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send({ abortSignal: bounded() });
    const message = pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(alice, m),
        (m) => appendTransactionMessageInstructions([
            getAdvanceNonceAccountInstruction({ nonceAccount: nonceAccount.address, nonceAuthority: keeper }),
            getTransferSolInstruction({ source: alice, destination: bob.address, amount: lamports(300_000_000n) }),
        ], m),
        (m) => setTransactionMessageLifetimeUsingDurableNonce(
            { nonce: stored.blockhash, nonceAccountAddress: nonceAccount.address, nonceAuthorityAddress: keeper.address },
            m,
        ),
    );
    assert.equal(message.instructions.length, 2);
    const transaction = await signTransactionMessageWithSigners(message);
    assert.equal(transaction.lifetimeConstraint.nonce, stored.blockhash);

    // Sent once that blockhash has expired.
    const deadline = Date.now() + WAIT_MS;
    while ((await rpc.isBlockhashValid(beside.blockhash, { commitment: 'confirmed' }).send({ abortSignal: bounded() })).value) {
        if (Date.now() > deadline) throw new Error(`${beside.blockhash} still valid after ${WAIT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await sendAndConfirmNonceTransaction(transaction, { commitment: 'confirmed', abortSignal: bounded() });
    const { value: received } = await rpc.getBalance(bob.address, { commitment: 'confirmed' }).send({ abortSignal: bounded() });
    assert.equal(received, 300_000_000n);
    const { data: advanced } = await fetchNonce(rpc, nonceAccount.address, { commitment: 'confirmed', abortSignal: bounded() });
    assert.notEqual(advanced.blockhash, stored.blockhash, 'the nonce advanced');

    const signature = getSignatureFromTransaction(transaction);
    const got = await rpc
        .getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 })
        .send({ abortSignal: bounded() });
    assert.equal(got.version, 0);
    assert.equal(got.meta.err, null);
    assert.equal(got.meta.fee, 10_000n, 'alice and keeper signed');
    assert.equal(got.transaction.message.recentBlockhash, stored.blockhash);
    assert.equal(got.transaction.message.accountKeys[got.transaction.message.instructions[0].programIdIndex], SYSTEM_PROGRAM);

    // The same transaction again: preflight's simulation finds no such blockhash.
    await assert.rejects(
        rpc.sendTransaction(getBase64EncodedWireTransaction(transaction), { encoding: 'base64' }).send({ abortSignal: bounded() }),
        (err) => {
            assert.ok(isSolanaError(err, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE), String(err));
            assert.ok(isSolanaError(err.cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND), String(err.cause));
            return true;
        },
    );
});
