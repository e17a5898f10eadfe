// Writes sdk/tests/fixtures/web3js.json (and the fuzz seed corpus
// sdk/fuzz/corpus/transaction_from_wire/web3-*): transactions, PDAs, seed-derived
// addresses and a keypair file, all produced by @solana/web3.js from fixed
// inputs, so Lanes' Rust tests can check they agree with a real Solana client
// byte for byte without running node.
//
// Everything is deterministic: keypairs come from fixed 32-byte seeds
// (`Keypair.fromSeed(new Uint8Array(32).fill(n))`), blockhashes are fixed, and
// ed25519 signing is deterministic, so re-running this gives the same file.
//
//   npm ci && node generate.mjs

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComputeBudgetProgram,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from '@solana/web3.js';

const here = dirname(fileURLToPath(import.meta.url));
const outPath = join(here, '..', '..', 'sdk', 'tests', 'fixtures', 'web3js.json');
const web3Version = JSON.parse(
  readFileSync(join(here, 'node_modules', '@solana', 'web3.js', 'package.json'), 'utf8'),
).version;

// --- small helpers -----------------------------------------------------------

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58 (Bitcoin alphabet), written here to avoid depending on a transitive package. */
function base58(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = BASE58_ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const filled = (n) => new Uint8Array(32).fill(n);

/** The keypair whose 32-byte secret seed is `n` repeated. */
function kp(n) {
  return Keypair.fromSeed(filled(n));
}

/** A fixed address that is not (necessarily) anyone's key: `n` repeated. */
function addr(n) {
  return new PublicKey(filled(n));
}

/** A fixed blockhash: `n` repeated, base58. */
function blockhash(n) {
  return base58(filled(n));
}

function describeInstruction(ix, lanesBuilder) {
  const out = {
    program_id: ix.programId.toBase58(),
    accounts: ix.keys.map((k) => ({
      pubkey: k.pubkey.toBase58(),
      is_signer: k.isSigner,
      is_writable: k.isWritable,
    })),
    data_base64: b64(ix.data),
  };
  if (lanesBuilder) out.lanes_builder = lanesBuilder;
  return out;
}

/**
 * Build a transaction from `instructions` (each `{ ix, lanes }`), paid by
 * `payer`, signed by `signers` (Keypairs; `partialSigners` sign first and the
 * rest are left for `completeWith`), and describe it.
 */
function recordTx({ name, description, payer, recent, instructions, signers, leaveUnsigned = [] }) {
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: recent });
  for (const { ix } of instructions) tx.add(ix);
  const signing = signers.filter((s) => !leaveUnsigned.includes(s));
  if (leaveUnsigned.length === 0) {
    tx.sign(...signing);
  } else {
    tx.partialSign(...signing);
  }
  const message = tx.compileMessage();
  const messageBytes = tx.serializeMessage();
  const wire = tx.serialize({ requireAllSignatures: leaveUnsigned.length === 0, verifySignatures: true });
  const entry = {
    name,
    description,
    signer_seeds_hex: signers.map((s) => hex(s.secretKey.slice(0, 32))),
    signer_pubkeys: signers.map((s) => s.publicKey.toBase58()),
    fee_payer: payer.publicKey.toBase58(),
    recent_blockhash: recent,
    instructions: instructions.map(({ ix, lanes }) => describeInstruction(ix, lanes)),
    header: {
      num_required_signatures: message.header.numRequiredSignatures,
      num_readonly_signed_accounts: message.header.numReadonlySignedAccounts,
      num_readonly_unsigned_accounts: message.header.numReadonlyUnsignedAccounts,
    },
    account_keys: message.accountKeys.map((k) => k.toBase58()),
    message_base64: b64(messageBytes),
    signatures: tx.signatures.map((s) => (s.signature ? base58(s.signature) : null)),
    fully_signed: leaveUnsigned.length === 0,
    wire_base64: b64(wire),
  };
  if (leaveUnsigned.length > 0) {
    // Complete it, as a second party would, and record the result too.
    tx.partialSign(...leaveUnsigned);
    const completed = tx.serialize();
    entry.completed = {
      signatures: tx.signatures.map((s) => base58(s.signature)),
      wire_base64: b64(completed),
    };
  }
  return entry;
}

// --- the keys ----------------------------------------------------------------

const payer = kp(1);
const alice = kp(2);
const newAccount = kp(3);
const base = kp(4);
const signerA = kp(5);
const signerRoA = kp(6);
const signerRoB = kp(7);
const cosigner = kp(8);
const keyfileKp = kp(9);
const customProgram = kp(0x50).publicKey;
const otherProgram = addr(0x51);
const tokenProgram = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');

const u64 = (v) => v.toString();
// The longest seed createWithSeed allows.
const SEED32 = 'seed-of-exactly-32-bytes-long-xy';
if (Buffer.byteLength(SEED32) !== 32) throw new Error('SEED32 must be 32 bytes');

// --- transactions ------------------------------------------------------------

const transactions = [];

{
  const lamports = 0x0123456789abcdefn;
  transactions.push(
    recordTx({
      name: 'transfer',
      description: 'SystemProgram.transfer with a lamport amount that uses all eight bytes',
      payer,
      recent: blockhash(0xb1),
      instructions: [
        {
          ix: SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: alice.publicKey, lamports }),
          lanes: { fn: 'transfer', from: payer.publicKey.toBase58(), to: alice.publicKey.toBase58(), lamports: u64(lamports) },
        },
      ],
      signers: [payer],
    }),
  );
}

{
  const lamports = 2_039_280n;
  const space = 165n;
  transactions.push(
    recordTx({
      name: 'create_account',
      description: 'SystemProgram.createAccount: the payer funds a new account that co-signs',
      payer,
      recent: blockhash(0xb2),
      instructions: [
        {
          ix: SystemProgram.createAccount({
            fromPubkey: payer.publicKey,
            newAccountPubkey: newAccount.publicKey,
            lamports: Number(lamports),
            space: Number(space),
            programId: tokenProgram,
          }),
          lanes: {
            fn: 'create_account',
            from: payer.publicKey.toBase58(),
            to: newAccount.publicKey.toBase58(),
            lamports: u64(lamports),
            space: u64(space),
            owner: tokenProgram.toBase58(),
          },
        },
      ],
      signers: [payer, newAccount],
    }),
  );
}

for (const [name, baseKp, seed] of [
  ['create_account_with_seed', base, 'lanes-vault'],
  ['create_account_with_seed_payer_is_base', payer, SEED32],
]) {
  const derived = await PublicKey.createWithSeed(baseKp.publicKey, seed, customProgram);
  const lamports = 1_000_000n;
  const space = 64n;
  const signers = baseKp === payer ? [payer] : [payer, baseKp];
  transactions.push(
    recordTx({
      name,
      description:
        baseKp === payer
          ? 'SystemProgram.createAccountWithSeed where the base is the funder (no separate base signer)'
          : 'SystemProgram.createAccountWithSeed with a base that is a read-only signer',
      payer,
      recent: blockhash(0xb3),
      instructions: [
        {
          ix: SystemProgram.createAccountWithSeed({
            fromPubkey: payer.publicKey,
            newAccountPubkey: derived,
            basePubkey: baseKp.publicKey,
            seed,
            lamports: Number(lamports),
            space: Number(space),
            programId: customProgram,
          }),
          lanes: {
            fn: 'create_account_with_seed',
            from: payer.publicKey.toBase58(),
            to: derived.toBase58(),
            base: baseKp.publicKey.toBase58(),
            seed,
            lamports: u64(lamports),
            space: u64(space),
            owner: customProgram.toBase58(),
          },
        },
      ],
      signers,
    }),
  );
}

{
  // Several signers (writable and read-only), read-only and writable
  // non-signers, three programs, and a key used by two instructions with
  // different roles (its uses must be OR-ed together).
  const roA = addr(0x21);
  const roB = addr(0x22);
  const wr = addr(0x23);
  const custom = new TransactionInstruction({
    programId: customProgram,
    keys: [
      { pubkey: signerRoA.publicKey, isSigner: true, isWritable: false },
      { pubkey: signerA.publicKey, isSigner: true, isWritable: true },
      { pubkey: roA, isSigner: false, isWritable: false },
      { pubkey: wr, isSigner: false, isWritable: true },
      { pubkey: signerRoB.publicKey, isSigner: true, isWritable: false },
      { pubkey: roB, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
  });
  const second = new TransactionInstruction({
    programId: otherProgram,
    // roA again, now writable; signerRoB again, read-only.
    keys: [
      { pubkey: roA, isSigner: false, isWritable: true },
      { pubkey: signerRoB.publicKey, isSigner: true, isWritable: false },
      { pubkey: customProgram, isSigner: false, isWritable: false },
    ],
    data: Buffer.alloc(0),
  });
  transactions.push(
    recordTx({
      name: 'multi_instruction',
      description:
        'three instructions, four signers (two read-only), read-only and writable non-signers, a key whose roles are merged',
      payer,
      recent: blockhash(0xb4),
      instructions: [
        {
          ix: SystemProgram.transfer({ fromPubkey: signerA.publicKey, toPubkey: alice.publicKey, lamports: 42 }),
          lanes: { fn: 'transfer', from: signerA.publicKey.toBase58(), to: alice.publicKey.toBase58(), lamports: '42' },
        },
        { ix: custom },
        { ix: second },
      ],
      signers: [payer, signerA, signerRoA, signerRoB],
    }),
  );
}

{
  const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
  transactions.push(
    recordTx({
      name: 'custom_program_data',
      description: 'a custom program instruction with 100 bytes of data (one-byte compact-u16)',
      payer,
      recent: blockhash(0xb5),
      instructions: [
        {
          ix: new TransactionInstruction({
            programId: customProgram,
            keys: [
              { pubkey: alice.publicKey, isSigner: false, isWritable: true },
              { pubkey: addr(0x24), isSigner: false, isWritable: false },
            ],
            data,
          }),
        },
      ],
      signers: [payer],
    }),
  );
}

{
  // Data lengths 127, 128 (the first two-byte compact-u16) and 700.
  const bytes = (len, mul) => Buffer.from(Array.from({ length: len }, (_, i) => (i * mul + 3) & 0xff));
  transactions.push(
    recordTx({
      name: 'large_data',
      description: 'instructions with 127, 128 and 700 bytes of data, so compact-u16 lengths use one and two bytes',
      payer,
      recent: blockhash(0xb6),
      instructions: [127, 128, 700].map((len, i) => ({
        ix: new TransactionInstruction({
          programId: customProgram,
          keys: [{ pubkey: payer.publicKey, isSigner: true, isWritable: true }],
          data: bytes(len, 13 + i),
        }),
      })),
      signers: [payer],
    }),
  );
}

{
  const units = 345_678;
  const microLamports = 0x00ff_eedd_ccbb_aa99n;
  transactions.push(
    recordTx({
      name: 'compute_budget',
      description: 'ComputeBudgetProgram.setComputeUnitLimit and setComputeUnitPrice before a transfer',
      payer,
      recent: blockhash(0xb7),
      instructions: [
        {
          ix: ComputeBudgetProgram.setComputeUnitLimit({ units }),
          lanes: { fn: 'set_compute_unit_limit', units },
        },
        {
          ix: ComputeBudgetProgram.setComputeUnitPrice({ microLamports }),
          lanes: { fn: 'set_compute_unit_price', micro_lamports: u64(microLamports) },
        },
        {
          ix: SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: alice.publicKey, lamports: 1 }),
          lanes: { fn: 'transfer', from: payer.publicKey.toBase58(), to: alice.publicKey.toBase58(), lamports: '1' },
        },
      ],
      signers: [payer],
    }),
  );
}

{
  transactions.push(
    recordTx({
      name: 'partially_signed',
      description:
        'signed by the fee payer only (the co-signer slot is 64 zero bytes on the wire); `completed` is the same after the co-signer signs',
      payer,
      recent: blockhash(0xb8),
      instructions: [
        {
          ix: SystemProgram.transfer({ fromPubkey: cosigner.publicKey, toPubkey: payer.publicKey, lamports: 5000 }),
          lanes: { fn: 'transfer', from: cosigner.publicKey.toBase58(), to: payer.publicKey.toBase58(), lamports: '5000' },
        },
      ],
      signers: [payer, cosigner],
      leaveUnsigned: [cosigner],
    }),
  );
}

// --- program derived addresses -------------------------------------------------

const seedOf = (s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s));

function pdaCase(name, seeds, programId) {
  const bufs = seeds.map(seedOf);
  const [address, bump] = PublicKey.findProgramAddressSync(bufs, programId);
  return {
    name,
    seeds_hex: bufs.map(hex),
    program_id: programId.toBase58(),
    address: address.toBase58(),
    bump,
  };
}

const pdaPrograms = [customProgram, tokenProgram, SystemProgram.programId];
const findProgramAddress = [
  pdaCase('no seeds', [], customProgram),
  pdaCase('one string seed', ['vault'], customProgram),
  pdaCase('string and pubkey', ['escrow', alice.publicKey.toBytes()], customProgram),
  pdaCase('metadata style', ['metadata', tokenProgram.toBytes(), addr(0x31).toBytes()], tokenProgram),
  pdaCase('32-byte seed', [filled(0xee)], customProgram),
  pdaCase('empty seed', [new Uint8Array(0)], customProgram),
  pdaCase('u64 le seed', [new Uint8Array([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01])], SystemProgram.programId),
  pdaCase(
    'fifteen seeds',
    Array.from({ length: 15 }, (_, i) => `s${i}`),
    customProgram,
  ),
];

// Search deterministically for seeds whose bump is below 255 (and one below
// 253), so the bump loop itself is exercised, not only its first step.
const onCurveSeeds = [];
for (const want of [254, 252]) {
  for (let i = 0; ; i++) {
    const seed = `bump-search-${want}-${i}`;
    const [, bump] = PublicKey.findProgramAddressSync([seedOf(seed)], pdaPrograms[i % 3]);
    if (bump <= want) {
      findProgramAddress.push(pdaCase(`bump ${bump} (searched)`, [seed], pdaPrograms[i % 3]));
      // bump + 1 lands on the curve, so createProgramAddress must refuse it.
      onCurveSeeds.push({ seeds: [seedOf(seed), Buffer.from([bump + 1])], programId: pdaPrograms[i % 3] });
      break;
    }
  }
}

function cpaCase(name, seeds, programId) {
  const bufs = seeds.map(seedOf);
  const out = { name, seeds_hex: bufs.map(hex), program_id: programId.toBase58() };
  try {
    out.address = PublicKey.createProgramAddressSync(bufs, programId).toBase58();
    out.error = null;
  } catch (e) {
    out.address = null;
    out.error = e.message;
  }
  return out;
}

const createProgramAddress = [
  ...findProgramAddress.slice(0, 4).map((c) =>
    cpaCase(`${c.name} with its bump`, [...c.seeds_hex.map((h) => Buffer.from(h, 'hex')), Buffer.from([c.bump])], new PublicKey(c.program_id)),
  ),
  cpaCase('no bump', ['vault'], customProgram),
  ...onCurveSeeds.map((c, i) => cpaCase(`on curve ${i}`, c.seeds, c.programId)),
  cpaCase('seed of 33 bytes', [new Uint8Array(33).fill(7)], customProgram),
  cpaCase('second seed of 40 bytes', ['ok', new Uint8Array(40).fill(1)], customProgram),
];
for (const c of createProgramAddress) {
  if (c.name.startsWith('on curve') && c.error === null) throw new Error(`expected ${c.name} to be on the curve`);
}

// --- createWithSeed ----------------------------------------------------------

const createWithSeed = [];
for (const [baseKey, seed, owner] of [
  [base.publicKey, 'lanes-vault', customProgram],
  [payer.publicKey, '', SystemProgram.programId],
  [payer.publicKey, SEED32, customProgram],
  [alice.publicKey, 'stake:0', new PublicKey('Stake11111111111111111111111111111111111111')],
  [alice.publicKey, 'ünïcødé ✓', tokenProgram],
]) {
  createWithSeed.push({
    base: baseKey.toBase58(),
    seed,
    seed_len_bytes: Buffer.byteLength(seed, 'utf8'),
    owner: owner.toBase58(),
    address: (await PublicKey.createWithSeed(baseKey, seed, owner)).toBase58(),
  });
}

// --- keypair file -------------------------------------------------------------

const keypairFile = {
  seed_hex: hex(filled(9)),
  pubkey: keyfileKp.publicKey.toBase58(),
  // Exactly what `solana-keygen` writes: a JSON array of the 64 secret-key bytes.
  json: JSON.stringify(Array.from(keyfileKp.secretKey)),
};

// --- write --------------------------------------------------------------------

const fixture = {
  about:
    'Produced by scripts/web3-fixtures/generate.mjs with @solana/web3.js; do not edit by hand. Regenerate: cd scripts/web3-fixtures && npm ci && node generate.mjs',
  web3_version: web3Version,
  transactions,
  find_program_address: findProgramAddress,
  create_program_address: createProgramAddress,
  create_with_seed: createWithSeed,
  keypair_file: keypairFile,
};

mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(fixture, null, 2) + '\n');

// The fuzz target's seed corpus: the raw wire bytes of the transactions above.
const corpusDir = join(here, '..', '..', 'sdk', 'fuzz', 'corpus', 'transaction_from_wire');
mkdirSync(corpusDir, { recursive: true });
for (const t of transactions) {
  writeFileSync(join(corpusDir, `web3-${t.name}`), Buffer.from(t.wire_base64, 'base64'));
}
console.log(
  `wrote ${outPath}: ${transactions.length} transactions, ${findProgramAddress.length} findProgramAddress, ` +
    `${createProgramAddress.length} createProgramAddress, ${createWithSeed.length} createWithSeed (web3.js ${web3Version})`,
);
