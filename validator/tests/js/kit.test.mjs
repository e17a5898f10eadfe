// @solana/kit (and @solana-program/system), unchanged, against a running
// lanes-validator: an airdrop and a transfer as kit's documentation writes
// them. Run by validator/tests/npm_clients.rs (LANES_RPC_URL, LANES_WS_URL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    address,
    airdropFactory,
    appendTransactionMessageInstruction,
    createSolanaRpc,
    createSolanaRpcSubscriptions,
    createTransactionMessage,
    generateKeyPairSigner,
    getBase64Encoder,
    getSignatureFromTransaction,
    lamports,
    pipe,
    sendAndConfirmTransactionFactory,
    setTransactionMessageFeePayerSigner,
    setTransactionMessageLifetimeUsingBlockhash,
    signTransactionMessageWithSigners,
} from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';
import { RPC_URL, TEST_OPTIONS, TOKEN_PROGRAM, WAIT_MS, WASM_LOADER, WS_URL } from './support.mjs';

const rpc = createSolanaRpc(RPC_URL);
const rpcSubscriptions = createSolanaRpcSubscriptions(WS_URL);
const airdrop = airdropFactory({ rpc, rpcSubscriptions });
const sendAndConfirmTransaction = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
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

    // Lanes takes legacy messages only (no address lookup tables).
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
