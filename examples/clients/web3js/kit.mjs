// @solana/kit (with @solana-program/system) against a running Lanes node:
// the same steps as web3js.mjs — an airdrop, a transfer, a token mint, two
// token accounts, a mint and a token transfer through Lanes' WASM token
// program — written the Kit way: signers, pipe()d legacy transaction
// messages, and the token instructions' data laid out with Kit's codecs.
// Each step prints its signature, fee, the balances it changed and its logs.
//
//     node kit.mjs                 # ./scripts/run.sh's node, or LANES_RPC_URL
//
// `run()` is what examples.test.mjs calls. Never: wait without a bound (every
// call that waits gets an AbortSignal of WAIT_MS; history reads are bounded too).

import {
    AccountRole,
    airdropFactory,
    appendTransactionMessageInstructions,
    createSolanaRpc,
    createSolanaRpcSubscriptions,
    createTransactionMessage,
    generateKeyPairSigner,
    getAddressEncoder,
    getBase64Encoder,
    getOptionEncoder,
    getSignatureFromTransaction,
    getStructEncoder,
    getU64Encoder,
    getU8Encoder,
    lamports,
    none,
    pipe,
    sendAndConfirmTransactionFactory,
    setTransactionMessageFeePayerSigner,
    setTransactionMessageLifetimeUsingBlockhash,
    signTransactionMessageWithSigners,
} from '@solana/kit';
import { getCreateAccountInstruction, getTransferSolInstruction } from '@solana-program/system';
import {
    AIRDROP_LAMPORTS,
    DECIMALS,
    MINTED,
    MINT_LEN,
    RPC_URL,
    TOKENS_SENT,
    TOKEN_ACCOUNT_LEN,
    TOKEN_PROGRAM,
    TRANSFER_LAMPORTS,
    TokenInstruction,
    WAIT_MS,
    WS_URL,
    decodeTokenAccount,
    printBalance,
    recordStep,
    runAsScript,
    waitFor,
} from './lanes.mjs';

/** Every Kit call that waits is given this: aborted after WAIT_MS. */
const bounded = () => AbortSignal.timeout(WAIT_MS);

// The token program's instructions: Kit instructions with each account's
// role (a signer's meta carries its signer, so signing finds it) and data
// from Kit's codecs — the borsh layout the program reads.

const initializeMintData = getStructEncoder([
    ['instruction', getU8Encoder()],
    ['decimals', getU8Encoder()],
    ['mintAuthority', getAddressEncoder()],
    ['freezeAuthority', getOptionEncoder(getAddressEncoder())],
]);
const amountData = getStructEncoder([
    ['instruction', getU8Encoder()],
    ['amount', getU64Encoder()],
]);
const checkedAmountData = getStructEncoder([
    ['instruction', getU8Encoder()],
    ['amount', getU64Encoder()],
    ['decimals', getU8Encoder()],
]);

const writable = (address) => ({ address, role: AccountRole.WRITABLE });
const readonly = (address) => ({ address, role: AccountRole.READONLY });
const readonlySigner = (signer) => ({ address: signer.address, role: AccountRole.READONLY_SIGNER, signer });

function initializeMint(mint, decimals, mintAuthority) {
    return {
        programAddress: TOKEN_PROGRAM,
        accounts: [writable(mint)],
        data: initializeMintData.encode({
            instruction: TokenInstruction.InitializeMint,
            decimals,
            mintAuthority,
            freezeAuthority: none(),
        }),
    };
}

function initializeAccount(account, mint, owner) {
    return {
        programAddress: TOKEN_PROGRAM,
        accounts: [writable(account), readonly(mint), readonly(owner)],
        data: Uint8Array.of(TokenInstruction.InitializeAccount),
    };
}

function mintTo(mint, destination, mintAuthority, amount) {
    return {
        programAddress: TOKEN_PROGRAM,
        accounts: [writable(mint), writable(destination), readonlySigner(mintAuthority)],
        data: amountData.encode({ instruction: TokenInstruction.MintTo, amount }),
    };
}

function transferChecked(source, mint, destination, owner, amount, decimals) {
    return {
        programAddress: TOKEN_PROGRAM,
        accounts: [writable(source), readonly(mint), writable(destination), readonlySigner(owner)],
        data: checkedAmountData.encode({ instruction: TokenInstruction.TransferChecked, amount, decimals }),
    };
}

/**
 * Every step against the node at `rpcUrl`, reported through `log`; what it
 * did: the addresses it made and each step's signature, fee and logs.
 */
export async function run({ rpcUrl = RPC_URL, wsUrl = WS_URL, log = console.log } = {}) {
    const rpc = createSolanaRpc(rpcUrl);
    const rpcSubscriptions = createSolanaRpcSubscriptions(wsUrl);
    const airdrop = airdropFactory({ rpc, rpcSubscriptions });
    const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
    const version = await rpc.getVersion().send({ abortSignal: bounded() });
    log(`Node: ${rpcUrl} (${version['solana-core']}), @solana/kit`);
    const [payer, recipient] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    const steps = [];

    const step = async (name, signature) => {
        const tx = await waitFor(`getTransaction ${signature}`, () =>
            rpc
                .getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' })
                .send({ abortSignal: bounded() }),
        );
        recordStep(log, steps, { name, signature, feePayer: tx.transaction.message.accountKeys[0], meta: tx.meta });
    };
    /** A legacy message of `instructions` paid by the payer, signed by every signer named in it, sent and confirmed. */
    const send = async (instructions) => {
        const { value: latestBlockhash } = await rpc.getLatestBlockhash().send({ abortSignal: bounded() });
        const message = pipe(
            createTransactionMessage({ version: 'legacy' }),
            (m) => setTransactionMessageFeePayerSigner(payer, m),
            (m) => setTransactionMessageLifetimeUsingBlockhash(latestBlockhash, m),
            (m) => appendTransactionMessageInstructions(instructions, m),
        );
        const transaction = await signTransactionMessageWithSigners(message);
        await sendAndConfirm(transaction, { commitment: 'confirmed', abortSignal: bounded() });
        return getSignatureFromTransaction(transaction);
    };
    const rent = async (space) =>
        rpc.getMinimumBalanceForRentExemption(BigInt(space)).send({ abortSignal: bounded() });
    const lamportsOf = async (who, address) => {
        const { value } = await rpc.getBalance(address).send({ abortSignal: bounded() });
        printBalance(log, who, address, value);
    };
    const tokens = async (who, address) => {
        const { value } = await rpc.getAccountInfo(address, { encoding: 'base64' }).send({ abortSignal: bounded() });
        const { amount } = decodeTokenAccount(getBase64Encoder().encode(value.data[0]));
        printBalance(log, who, `token account ${address}`, amount, `units (${DECIMALS} decimals)`);
    };

    // 1. Lamports from the node's faucet; airdropFactory confirms over the WebSocket.
    await step(
        'Airdrop 2 SOL to a fresh payer',
        await airdrop({
            commitment: 'confirmed',
            recipientAddress: payer.address,
            lamports: lamports(BigInt(AIRDROP_LAMPORTS)),
            abortSignal: bounded(),
        }),
    );
    await lamportsOf('payer', payer.address);

    // 2. A system transfer.
    await step(
        'Transfer 0.1 SOL to a fresh recipient',
        await send([
            getTransferSolInstruction({
                source: payer,
                destination: recipient.address,
                amount: lamports(BigInt(TRANSFER_LAMPORTS)),
            }),
        ]),
    );
    await lamportsOf('payer', payer.address);
    await lamportsOf('recipient', recipient.address);

    // 3. A mint: created by the system program, initialized by the token program.
    const mint = await generateKeyPairSigner();
    await step(
        'Create a token mint (6 decimals, the payer its authority)',
        await send([
            getCreateAccountInstruction({
                payer,
                newAccount: mint,
                lamports: await rent(MINT_LEN),
                space: MINT_LEN,
                programAddress: TOKEN_PROGRAM,
            }),
            initializeMint(mint.address, DECIMALS, payer.address),
        ]),
    );
    log(`   mint       ${mint.address}`);

    // 4. A token account each for the payer and the recipient, in one transaction.
    const [payerAccount, recipientAccount] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    const accountRent = await rent(TOKEN_ACCOUNT_LEN);
    const createTokenAccount = (account, owner) => [
        getCreateAccountInstruction({
            payer,
            newAccount: account,
            lamports: accountRent,
            space: TOKEN_ACCOUNT_LEN,
            programAddress: TOKEN_PROGRAM,
        }),
        initializeAccount(account.address, mint.address, owner),
    ];
    await step(
        'Create token accounts for the payer and the recipient',
        await send([
            ...createTokenAccount(payerAccount, payer.address),
            ...createTokenAccount(recipientAccount, recipient.address),
        ]),
    );
    await tokens('payer', payerAccount.address);
    await tokens('recipient', recipientAccount.address);

    // 5. Mint 1,000 tokens into the payer's account.
    await step('Mint 1000 tokens to the payer', await send([mintTo(mint.address, payerAccount.address, payer, MINTED)]));
    await tokens('payer', payerAccount.address);

    // 6. Send 250 of them to the recipient's account.
    await step(
        'Transfer 250 tokens to the recipient',
        await send([
            transferChecked(payerAccount.address, mint.address, recipientAccount.address, payer, TOKENS_SENT, DECIMALS),
        ]),
    );
    await tokens('payer', payerAccount.address);
    await tokens('recipient', recipientAccount.address);

    return {
        payer: payer.address,
        recipient: recipient.address,
        mint: mint.address,
        payerTokenAccount: payerAccount.address,
        recipientTokenAccount: recipientAccount.address,
        steps,
    };
}

await runAsScript(import.meta.url, run);
