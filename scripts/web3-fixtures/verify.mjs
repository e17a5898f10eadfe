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
// Exits 1 if any check fails.
//
//   npm ci && node verify.mjs

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Message, Transaction } from '@solana/web3.js';

const here = dirname(fileURLToPath(import.meta.url));
const path = join(here, '..', '..', 'sdk', 'tests', 'fixtures', 'lanes_signed.json');
const web3Version = JSON.parse(
  readFileSync(join(here, 'node_modules', '@solana', 'web3.js', 'package.json'), 'utf8'),
).version;
const fixture = JSON.parse(readFileSync(path, 'utf8'));

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
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all Lanes-signed transactions verified by @solana/web3.js');
