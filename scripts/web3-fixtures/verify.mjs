// Checks, with @solana/web3.js, the transactions Lanes signed in
// sdk/tests/fixtures/lanes_signed.json (written by the Rust test
// `lanes_signed_fixture_is_current` in sdk/tests/web3_conformance.rs):
//
// * each decodes with `Transaction.from`;
// * its signatures verify (`verifySignatures()`; for an entry marked
//   `fully_signed: false`, the present ones verify and the absent ones are the
//   ones expected to be absent);
// * it re-serializes to exactly the bytes Lanes wrote, and its message to the
//   message bytes Lanes recorded;
// * web3's view of it (fee payer, signatures, account keys) is the one Lanes
//   recorded.
//
// And the v0 transactions in sdk/tests/fixtures/lanes_signed_v0.json (written by
// `lanes_signed_v0_fixture_is_current` in sdk/tests/web3_v0_conformance.rs):
//
// * each decodes with `VersionedTransaction.deserialize` as version 0 and
//   re-serializes to exactly Lanes' bytes (message too);
// * its static keys and address table lookups are the ones Lanes recorded, and
//   web3's `getAccountKeys` resolves the lookups against the recorded tables
//   to the addresses Lanes loaded; `TransactionMessage.decompile` accepts it;
// * every present signature verifies by its static key over the message
//   bytes (Node's own ed25519, since web3.js 1.x has no v0 verifier), the
//   absent ones are the recorded ones, and web3.js signing the same message
//   with the same keypairs gives the same signatures and bytes.
//
// Exits 1 if any check fails.
//
//   npm ci && node verify.mjs

import { createPublicKey, verify as ed25519Verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AddressLookupTableAccount,
  Keypair,
  Message,
  PublicKey,
  Transaction,
  TransactionMessage,
  VersionedMessage,
  VersionedTransaction,
} from '@solana/web3.js';

const here = dirname(fileURLToPath(import.meta.url));
const path = join(here, '..', '..', 'sdk', 'tests', 'fixtures', 'lanes_signed.json');
const web3Version = JSON.parse(
  readFileSync(join(here, 'node_modules', '@solana', 'web3.js', 'package.json'), 'utf8'),
).version;
const fixture = JSON.parse(readFileSync(path, 'utf8'));
const pathV0 = join(here, '..', '..', 'sdk', 'tests', 'fixtures', 'lanes_signed_v0.json');
const fixtureV0 = JSON.parse(readFileSync(pathV0, 'utf8'));

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
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

let failures = 0;
function check(name, ok, what) {
  if (!ok) {
    failures += 1;
    console.log(`FAIL ${name}: ${what}`);
  }
  return ok;
}

console.log(`@solana/web3.js ${web3Version}: checking ${fixture.transactions.length} Lanes-signed transactions`);
for (const entry of fixture.transactions) {
  const name = entry.name;
  const wire = Buffer.from(entry.wire_base64, 'base64');
  let tx;
  try {
    tx = Transaction.from(wire);
  } catch (e) {
    check(name, false, `Transaction.from threw: ${e.message}`);
    continue;
  }
  const fullySigned = entry.fully_signed !== false;
  let ok = true;
  ok &= check(name, tx.verifySignatures(fullySigned) === true, `verifySignatures(${fullySigned}) is false`);
  if (!fullySigned) {
    // Not all signed: the absent ones must be exactly those recorded as null.
    const absent = tx.signatures.map((s) => s.signature === null);
    const expected = entry.signatures.map((s) => s === null);
    ok &= check(name, JSON.stringify(absent) === JSON.stringify(expected), 'absent signatures differ');
    ok &= check(name, tx.verifySignatures(true) === false, 'verifySignatures(true) should be false when partly signed');
  }
  // Byte comparison without web3's own signature check (done above), so a bad
  // signature is reported as such rather than thrown from serialize().
  const reserialized = tx.serialize({ requireAllSignatures: false, verifySignatures: false });
  ok &= check(name, Buffer.compare(reserialized, wire) === 0, 're-serialization differs from the Lanes bytes');
  if (ok) {
    // And the checked path a client takes before sending succeeds.
    try {
      tx.serialize({ requireAllSignatures: fullySigned, verifySignatures: true });
    } catch (e) {
      ok &= check(name, false, `serialize() with verification threw: ${e.message}`);
    }
  }
  const message = Buffer.from(entry.message_base64, 'base64');
  ok &= check(name, Buffer.compare(tx.serializeMessage(), message) === 0, 'serializeMessage differs from the Lanes message bytes');
  ok &= check(name, Buffer.compare(Message.from(message).serialize(), message) === 0, 'Message.from(...).serialize() differs');
  ok &= check(name, tx.feePayer?.toBase58() === entry.account_keys[0], 'fee payer differs');
  const sigs = tx.signatures.map((s) => (s.signature ? base58(s.signature) : null));
  ok &= check(name, JSON.stringify(sigs) === JSON.stringify(entry.signatures), 'signatures differ');
  const keys = Message.from(message).accountKeys.map((k) => k.toBase58());
  ok &= check(name, JSON.stringify(keys) === JSON.stringify(entry.account_keys), 'account keys differ');
  if (ok) {
    console.log(
      `ok   ${name}: ${wire.length} bytes, ${tx.signatures.length} signature(s)${fullySigned ? '' : ' (partly signed)'}, ` +
        `${tx.instructions.length} instruction(s), byte-identical`,
    );
  }
}
// --- v0 -----------------------------------------------------------------------

// An Ed25519 public key as SubjectPublicKeyInfo DER: this fixed prefix, then the 32 bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
function signatureVerifies(pubkey, message, signature) {
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, pubkey.toBuffer()]), format: 'der', type: 'spki' });
  return ed25519Verify(null, message, key, signature);
}
const isZero = (sig) => sig.every((b) => b === 0);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const U64_MAX = 0xffff_ffff_ffff_ffffn;

console.log(`@solana/web3.js ${web3Version}: checking ${fixtureV0.transactions.length} Lanes-signed v0 transactions`);
for (const entry of fixtureV0.transactions) {
  const name = entry.name;
  const wire = Buffer.from(entry.wire_base64, 'base64');
  const message = Buffer.from(entry.message_base64, 'base64');
  let tx;
  try {
    tx = VersionedTransaction.deserialize(wire);
  } catch (e) {
    check(name, false, `VersionedTransaction.deserialize threw: ${e.message}`);
    continue;
  }
  let ok = true;
  ok &= check(name, tx.version === 0, `version ${tx.version}, expected 0`);
  ok &= check(name, Buffer.compare(Buffer.from(tx.serialize()), wire) === 0, 're-serialization differs from the Lanes bytes');
  ok &= check(name, Buffer.compare(Buffer.from(tx.message.serialize()), message) === 0, 'message bytes differ');
  ok &= check(
    name,
    Buffer.compare(Buffer.from(VersionedMessage.deserialize(message).serialize()), message) === 0,
    'VersionedMessage.deserialize(...).serialize() differs',
  );
  const staticKeys = tx.message.staticAccountKeys;
  ok &= check(name, same(staticKeys.map((k) => k.toBase58()), entry.static_account_keys), 'static account keys differ');
  const lookups = tx.message.addressTableLookups.map((l) => ({
    account_key: l.accountKey.toBase58(),
    writable_indexes: Array.from(l.writableIndexes),
    readonly_indexes: Array.from(l.readonlyIndexes),
  }));
  ok &= check(name, same(lookups, entry.address_table_lookups), 'address table lookups differ');
  const tables = entry.lookup_tables.map(
    (t) =>
      new AddressLookupTableAccount({
        key: new PublicKey(t.key),
        state: {
          deactivationSlot: U64_MAX,
          lastExtendedSlot: 0,
          lastExtendedSlotStartIndex: 0,
          addresses: t.addresses.map((a) => new PublicKey(a)),
        },
      }),
  );
  try {
    const loaded = tx.message.getAccountKeys({ addressLookupTableAccounts: tables }).accountKeysFromLookups ?? {
      writable: [],
      readonly: [],
    };
    ok &= check(name, same(loaded.writable.map((k) => k.toBase58()), entry.loaded_writable), 'loaded writable differ');
    ok &= check(name, same(loaded.readonly.map((k) => k.toBase58()), entry.loaded_readonly), 'loaded read-only differ');
    const decompiled = TransactionMessage.decompile(tx.message, { addressLookupTableAccounts: tables });
    ok &= check(name, decompiled.payerKey.equals(staticKeys[0]), 'decompiled fee payer differs');
  } catch (e) {
    ok &= check(name, false, `resolving the lookups threw: ${e.message}`);
  }
  // Signatures: present ones verify, absent ones are the recorded absent ones.
  const sigs = tx.signatures.map((s) => (isZero(s) ? null : base58(s)));
  ok &= check(name, same(sigs, entry.signatures), 'signatures differ');
  const signed = Buffer.from(tx.message.serialize());
  tx.signatures.forEach((sig, i) => {
    if (!isZero(sig)) {
      ok &= check(name, signatureVerifies(staticKeys[i], signed, sig), `signature ${i} does not verify`);
    }
  });
  ok &= check(name, entry.fully_signed === sigs.every((s) => s !== null), 'fully_signed disagrees with the signatures');
  // web3.js signing the same message with the same keypairs gives the same transaction.
  const again = new VersionedTransaction(VersionedMessage.deserialize(message));
  again.sign(entry.signer_seeds_hex.map((h) => Keypair.fromSeed(Buffer.from(h, 'hex'))));
  ok &= check(name, Buffer.compare(Buffer.from(again.serialize()), wire) === 0, 'web3.js signing it gives other bytes');
  if (ok) {
    console.log(
      `ok   ${name}: ${wire.length} bytes, ${tx.signatures.length} signature(s)${entry.fully_signed ? '' : ' (partly signed)'}, ` +
        `${staticKeys.length} static + ${entry.loaded_writable.length + entry.loaded_readonly.length} loaded accounts ` +
        `from ${lookups.length} table(s), byte-identical`,
    );
  }
}

if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all Lanes-signed transactions verified by @solana/web3.js');
