// @solana/web3.js 1.x against a running Lanes node, as a Solana developer
// writes it: an airdrop, a transfer, then a token mint, two token accounts,
// a mint and a token transfer through Lanes' WASM token program, with
// instructions built by hand. Each step prints its signature, fee, the
// balances it changed and its logs (getTransaction).
//
//     node web3js.mjs              # ./scripts/run.sh's node, or LANES_RPC_URL
//
// `run()` is what examples.test.mjs calls. Never: wait without a bound (every
// confirmation is bounded by its blockhash's life, history reads by WAIT_MS).

import {
    Connection,
    Keypair,
    PublicKey,
    SystemProgram,
    Transaction,
    TransactionInstruction,
    sendAndConfirmTransaction,
} from '@solana/web3.js';
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
    WS_URL,
    decodeTokenAccount,
    printBalance,
    recordStep,
    runAsScript,
    waitFor,
} from './lanes.mjs';

const tokenProgram = new PublicKey(TOKEN_PROGRAM);

// The token program's instructions, as its processor reads them: the
// variant's byte, then the fields (u64 little-endian, a public key's 32
// bytes, an Option as a 0/1 byte and the value).

function initializeMint(mint, decimals, mintAuthority) {
    const data = Buffer.alloc(35);
    data.writeUInt8(TokenInstruction.InitializeMint, 0);
    data.writeUInt8(decimals, 1);
    mintAuthority.toBuffer().copy(data, 2);
    data.writeUInt8(0, 34); // freeze authority: None
    return new TransactionInstruction({
        programId: tokenProgram,
        keys: [{ pubkey: mint, isSigner: false, isWritable: true }],
        data,
    });
}

function initializeAccount(account, mint, owner) {
    return new TransactionInstruction({
        programId: tokenProgram,
        keys: [
            { pubkey: account, isSigner: false, isWritable: true },
            { pubkey: mint, isSigner: false, isWritable: false },
            { pubkey: owner, isSigner: false, isWritable: false },
        ],
        data: Buffer.from([TokenInstruction.InitializeAccount]),
    });
}

function mintTo(mint, destination, mintAuthority, amount) {
    const data = Buffer.alloc(9);
    data.writeUInt8(TokenInstruction.MintTo, 0);
    data.writeBigUInt64LE(amount, 1);
    return new TransactionInstruction({
        programId: tokenProgram,
        keys: [
            { pubkey: mint, isSigner: false, isWritable: true },
            { pubkey: destination, isSigner: false, isWritable: true },
            { pubkey: mintAuthority, isSigner: true, isWritable: false },
        ],
        data,
    });
}

function transferChecked(source, mint, destination, owner, amount, decimals) {
    const data = Buffer.alloc(10);
    data.writeUInt8(TokenInstruction.TransferChecked, 0);
    data.writeBigUInt64LE(amount, 1);
    data.writeUInt8(decimals, 9);
    return new TransactionInstruction({
        programId: tokenProgram,
        keys: [
            { pubkey: source, isSigner: false, isWritable: true },
            { pubkey: mint, isSigner: false, isWritable: false },
            { pubkey: destination, isSigner: false, isWritable: true },
            { pubkey: owner, isSigner: true, isWritable: false },
        ],
        data,
    });
}

/** The system program creates `account` (rent-exempt, owned by the token program) for `space` bytes. */
async function createTokenProgramAccount(connection, payer, account, space) {
    return SystemProgram.createAccount({
        fromPubkey: payer.publicKey,
        newAccountPubkey: account.publicKey,
        lamports: await connection.getMinimumBalanceForRentExemption(space),
        space,
        programId: tokenProgram,
    });
}

/**
 * Every step against the node at `rpcUrl`, reported through `log`; what it
 * did: the addresses it made and each step's signature, fee and logs.
 */
export async function run({ rpcUrl = RPC_URL, wsUrl = WS_URL, log = console.log } = {}) {
    const connection = new Connection(rpcUrl, { commitment: 'confirmed', wsEndpoint: wsUrl });
    log(`Node: ${rpcUrl} (${(await connection.getVersion())['solana-core']}), @solana/web3.js`);
    const payer = Keypair.generate();
    const recipient = Keypair.generate();
    const steps = [];
    const step = async (name, signature) => {
        const tx = await waitFor(`getTransaction ${signature}`, () =>
            connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 }),
        );
        const feePayer = tx.transaction.message.staticAccountKeys[0].toBase58();
        recordStep(log, steps, { name, signature, feePayer, meta: tx.meta });
    };
    /** A transaction of `instructions` paid by the payer and signed by it and `signers`, sent and confirmed. */
    const send = async (instructions, signers = []) =>
        sendAndConfirmTransaction(connection, new Transaction().add(...instructions), [payer, ...signers]);
    const lamports = async (who, key) => printBalance(log, who, key.toBase58(), await connection.getBalance(key));
    const tokens = async (who, key) => {
        const { amount } = decodeTokenAccount((await connection.getAccountInfo(key)).data);
        printBalance(log, who, `token account ${key.toBase58()}`, amount, `units (${DECIMALS} decimals)`);
    };

    // 1. Lamports from the node's faucet, confirmed over the WebSocket
    //    (signatureSubscribe) with the blockhash strategy.
    const blockhash = await connection.getLatestBlockhash();
    const airdrop = await connection.requestAirdrop(payer.publicKey, AIRDROP_LAMPORTS);
    const confirmed = await connection.confirmTransaction({ signature: airdrop, ...blockhash }, 'confirmed');
    if (confirmed.value.err) throw new Error(`the airdrop failed: ${JSON.stringify(confirmed.value.err)}`);
    await step('Airdrop 2 SOL to a fresh payer', airdrop);
    await lamports('payer', payer.publicKey);

    // 2. A system transfer.
    await step(
        'Transfer 0.1 SOL to a fresh recipient',
        await send([
            SystemProgram.transfer({
                fromPubkey: payer.publicKey,
                toPubkey: recipient.publicKey,
                lamports: TRANSFER_LAMPORTS,
            }),
        ]),
    );
    await lamports('payer', payer.publicKey);
    await lamports('recipient', recipient.publicKey);

    // 3. A mint: created by the system program, initialized by the token program.
    const mint = Keypair.generate();
    await step(
        'Create a token mint (6 decimals, the payer its authority)',
        await send(
            [
                await createTokenProgramAccount(connection, payer, mint, MINT_LEN),
                initializeMint(mint.publicKey, DECIMALS, payer.publicKey),
            ],
            [mint],
        ),
    );
    log(`   mint       ${mint.publicKey.toBase58()}`);

    // 4. A token account each for the payer and the recipient, in one transaction.
    const payerAccount = Keypair.generate();
    const recipientAccount = Keypair.generate();
    await step(
        'Create token accounts for the payer and the recipient',
        await send(
            [
                await createTokenProgramAccount(connection, payer, payerAccount, TOKEN_ACCOUNT_LEN),
                initializeAccount(payerAccount.publicKey, mint.publicKey, payer.publicKey),
                await createTokenProgramAccount(connection, payer, recipientAccount, TOKEN_ACCOUNT_LEN),
                initializeAccount(recipientAccount.publicKey, mint.publicKey, recipient.publicKey),
            ],
            [payerAccount, recipientAccount],
        ),
    );
    await tokens('payer', payerAccount.publicKey);
    await tokens('recipient', recipientAccount.publicKey);

    // 5. Mint 1,000 tokens into the payer's account.
    await step(
        'Mint 1000 tokens to the payer',
        await send([mintTo(mint.publicKey, payerAccount.publicKey, payer.publicKey, MINTED)]),
    );
    await tokens('payer', payerAccount.publicKey);

    // 6. Send 250 of them to the recipient's account.
    await step(
        'Transfer 250 tokens to the recipient',
        await send([
            transferChecked(
                payerAccount.publicKey,
                mint.publicKey,
                recipientAccount.publicKey,
                payer.publicKey,
                TOKENS_SENT,
                DECIMALS,
            ),
        ]),
    );
    await tokens('payer', payerAccount.publicKey);
    await tokens('recipient', recipientAccount.publicKey);

    return {
        payer: payer.publicKey.toBase58(),
        recipient: recipient.publicKey.toBase58(),
        mint: mint.publicKey.toBase58(),
        payerTokenAccount: payerAccount.publicKey.toBase58(),
        recipientTokenAccount: recipientAccount.publicKey.toBase58(),
        steps,
    };
}

await runAsScript(import.meta.url, run);
