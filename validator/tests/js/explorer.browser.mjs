// The explorer in a real headless browser (Debian's chromium, driven by
// playwright-core): run by validator/tests/explorer.rs against a validator
// it started and loaded, never by `node --test` on this directory (the name
// matches none of its patterns). Each page is loaded and its DOM checked
// against the node's own JSON-RPC; screenshots go to $SCREENSHOT_DIR; the
// render times are printed as `EXPLORER_RENDER {json}` lines, never
// asserted.
//
// Env: EXPLORER_URL (http://127.0.0.1:PORT/), LANES_SLOT (a slot of the
// load), LANES_SIGNATURE (a transaction of it), LANES_TOKEN_ACCOUNT with
// LANES_TOKEN_MINT, LANES_TOKEN_OWNER, LANES_TOKEN_AMOUNT (what the test
// wrote there), LANES_TOKEN_PROGRAM, SCREENSHOT_DIR, CHROMIUM (default
// /usr/bin/chromium).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} must be set`);
  return value;
};
const BASE = env('EXPLORER_URL').replace(/\/$/, '');
const SLOT = Number(env('LANES_SLOT'));
const SIGNATURE = env('LANES_SIGNATURE');
const TOKEN_ACCOUNT = env('LANES_TOKEN_ACCOUNT');
const TOKEN_PROGRAM = env('LANES_TOKEN_PROGRAM');
const SHOTS = env('SCREENSHOT_DIR');
const WAIT = 20_000;
/// A slot number no test node reaches: its lanes are answered by the test
/// (the synthetic 10,000-transaction slot).
const SYNTHETIC_SLOT = 987_654_321;
const SYNTHETIC_TRANSACTIONS = 10_000;
mkdirSync(SHOTS, { recursive: true });

async function rpc(method, params = []) {
  const response = await fetch(BASE + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

function step(name) {
  console.log(`# ${name}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // launch() gives the browser a fresh user-data directory of its own, removed on close.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: WAIT,
});
const failures = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 950 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') failures.push(`console error: ${m.text()}`);
  });
  // Nothing may be fetched from anywhere but the node itself.
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== BASE && !(url.protocol === 'ws:' && url.hostname === new URL(BASE).hostname)) {
      failures.push(`request off the node: ${r.url()}`);
    }
  });
  const ready = async () => {
    await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true');
  };
  const go = async (hash) => {
    await page.evaluate((h) => {
      document.getElementById('view').dataset.ready = 'false';
      location.hash = h;
    }, hash);
    await ready();
  };

  // ---- dashboard: live over the WebSocket ----
  step('dashboard');
  await page.goto(BASE + '/');
  await ready();
  await page.waitForSelector('#conn.on');
  const number = async (selector) => Number((await page.textContent(selector)).replace(/[^0-9]/g, ''));
  await page.waitForFunction(() => /\d/.test(document.getElementById('dash-tx-count').textContent));
  const slotBefore = await number('#dash-slot');
  const countBefore = await number('#dash-tx-count');
  // New transactions while the page watches: airdrops from the faucet.
  for (let i = 0; i < 3; i++) {
    const bytes = new Uint8Array(32).map(() => Math.floor(Math.random() * 256));
    // A random 32-byte address, base58 from the node's own view: any valid key will do.
    await rpc('requestAirdrop', [base58(bytes), 1_000_000 + i]);
  }
  await page.waitForFunction((before) => Number(document.getElementById('dash-slot').textContent.replace(/[^0-9]/g, '')) > before, slotBefore);
  await page.waitForFunction(
    (before) => Number(document.getElementById('dash-tx-count').textContent.replace(/[^0-9]/g, '')) >= before + 3,
    countBefore,
  );
  await page.waitForSelector('#dash-slots .slot-bar');
  await page.waitForFunction(() => !/…/.test(document.getElementById('dash-cpu').textContent));
  assert.equal(await page.locator('#dash-cpu tr[data-stage]').count(), 9, 'a CPU row per stage');
  assert.match(await page.textContent('#dash-pending'), /^\d[\d,]*$/);
  assert.match(await page.textContent('#dash-failure'), /%/);
  console.log(`dashboard: slot ${slotBefore} -> ${await number('#dash-slot')}, transactions ${countBefore} -> ${await number('#dash-tx-count')}`);
  await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });

  // ---- the slot's lanes ----
  step(`slot ${SLOT}`);
  await go(`#/slot/${SLOT}`);
  const lanes = await rpc('lanesGetSlotLanes', [SLOT]);
  const block = await rpc('getBlock', [SLOT, { transactionDetails: 'signatures', maxSupportedTransactionVersion: 0, rewards: false }]);
  assert.ok(lanes.transactions.length > 1, `slot ${SLOT} has transactions`);
  assert.equal(lanes.transactions.length, block.signatures.length, 'lanes and getBlock agree');
  // The chart's DOM: a .lane per worker saying how many bars it drew.
  const dom = await page.evaluate(() => {
    const chart = document.querySelector('#lanes .lanes-chart');
    const rows = [...chart.querySelectorAll('.lane')].map((row) => ({ worker: Number(row.dataset.worker), bars: Number(row.dataset.bars) }));
    return { workers: Number(chart.dataset.workers), transactions: Number(chart.dataset.transactions), rows };
  });
  assert.equal(dom.workers, lanes.workers);
  assert.equal(dom.rows.length, lanes.workers, 'a row per worker');
  assert.deepEqual(dom.rows.map((r) => r.worker), [...Array(lanes.workers).keys()]);
  const bars = dom.rows.reduce((a, r) => a + r.bars, 0);
  assert.equal(bars, block.signatures.length, 'a bar per transaction of the slot');
  assert.equal(dom.transactions, block.signatures.length);
  for (const row of dom.rows) {
    const expected = lanes.transactions.filter((t) => t.worker === row.worker).length;
    assert.equal(row.bars, expected, `worker ${row.worker}'s bars`);
  }
  assert.deepEqual(new Set(lanes.transactions.map((t) => t.signature)), new Set(block.signatures));
  const parallelismText = await page.textContent('#slot-parallelism');
  assert.ok(parallelismText.includes(lanes.parallelism.toFixed(2)), parallelismText);
  const criticalText = await page.textContent('#slot-critical');
  assert.ok(criticalText.includes(String(lanes.criticalPath.transactions)), criticalText);
  const realRender = await page.evaluate(() => window.lanesExplorer.lastRender);
  console.log(`EXPLORER_RENDER ${JSON.stringify({ kind: 'real', ...realRender, workers: lanes.workers })}`);
  // Hover a bar that waited, if any is wide enough to point at (a bar
  // narrower than a few pixels shares them with its neighbours), else the
  // widest: the tooltip names it, and what it waited on.
  const boxes = await page.evaluate((n) => Array.from({ length: n }, (_, i) => window.lanesExplorer.barBox(i)), lanes.transactions.length);
  const widest = boxes.reduce((best, b, i) => (b.width > boxes[best].width ? i : best), 0);
  const waitedIndex = lanes.transactions.findIndex((t, i) => t.waitedOn && boxes[i].width >= 4);
  const hoverIndex = waitedIndex >= 0 ? waitedIndex : widest;
  const box = boxes[hoverIndex];
  await page.mouse.move(box.x, box.y);
  await page.waitForSelector('#tooltip:not([hidden])');
  assert.equal(await page.getAttribute('#lanes .lanes-chart', 'data-hovered'), String(hoverIndex), 'the bar under the mouse is the one hovered');
  const tip = await page.textContent('#tooltip');
  const hovered = lanes.transactions[hoverIndex];
  assert.ok(tip.includes(hovered.signature), 'the tooltip names the signature');
  assert.ok(tip.includes(hovered.computeUnits.toLocaleString('en-US')), 'and its compute units');
  const firstWritable = lanes.accounts[hovered.writable[0]];
  assert.ok(tip.includes(firstWritable.slice(0, 6) + '…' + firstWritable.slice(-6)), 'and the accounts it write-locked, by address');
  if (hovered.waitedOn) assert.ok(tip.includes('held by'), 'and what it waited on');
  // The slot's contention, ranked as lanesGetContention ranks it.
  const contention = await rpc('lanesGetContention', [{ startSlot: SLOT, endSlot: SLOT, limit: 10 }]);
  await page.waitForFunction(() => !/Loading/.test(document.getElementById('slot-contention').textContent));
  const ranked = await page.evaluate(() => [...document.querySelectorAll('#slot-contention tbody tr td:first-child a')].map((a) => a.title));
  assert.deepEqual(ranked, contention.accounts.map((a) => a.account), 'the contention table is lanesGetContention');
  await page.screenshot({ path: join(SHOTS, 'slot.png') });
  await page.mouse.move(0, 0);

  // ---- the contention profiler over a slot range ----
  step('contention over the slots up to the load');
  const from = Math.max(0, SLOT - 20);
  await go(`#/contention/${from}-${SLOT}`);
  const rangeReport = await rpc('lanesGetContention', [{ startSlot: from, endSlot: SLOT, limit: 25 }]);
  const rangeRanked = await page.evaluate(() => [...document.querySelectorAll('#range-contention tbody tr td:first-child a')].map((a) => a.title));
  assert.deepEqual(rangeRanked, rangeReport.accounts.map((a) => a.account), 'the range table is lanesGetContention');
  assert.equal(await page.textContent('#contention-slots .mini-value'), rangeReport.slots.toLocaleString('en-US'));
  assert.ok(rangeReport.transactions >= lanes.transactions.length, 'the range holds the slot');
  await page.screenshot({ path: join(SHOTS, 'contention.png') });

  // ---- a transaction ----
  step(`transaction ${SIGNATURE}`);
  await go(`#/tx/${SIGNATURE}`);
  const tx = await rpc('getTransaction', [SIGNATURE, { encoding: 'json', maxSupportedTransactionVersion: 0 }]);
  const logLines = await page.evaluate(() => [...document.querySelectorAll('#tx-logs .log-line')].map((e) => e.dataset.line));
  assert.deepEqual(logLines, tx.meta.logMessages, "the page's log lines are getTransaction's, in order");
  const calls = await page.locator('#tx-logs li.call').count();
  assert.equal(calls, tx.meta.logMessages.filter((l) => / invoke \[\d+\]$/.test(l)).length, 'a tree node per invocation');
  assert.ok((await page.textContent('#tx-fee')).includes(tx.meta.fee.toLocaleString('en-US')));
  assert.ok((await page.textContent('#tx-cu')).includes(tx.meta.computeUnitsConsumed.toLocaleString('en-US')));
  const lane = (await rpc('lanesGetSlotLanes', [tx.slot])).transactions.find((t) => t.signature === SIGNATURE);
  assert.ok((await page.textContent('#tx-worker')).includes(`worker ${lane.worker}`));
  assert.equal(await page.locator('#tx-accounts tbody tr').count(), tx.transaction.message.accountKeys.length);
  await page.screenshot({ path: join(SHOTS, 'transaction.png'), fullPage: true });

  // ---- a token account, decoded ----
  step(`account ${TOKEN_ACCOUNT}`);
  await go(`#/account/${TOKEN_ACCOUNT}`);
  assert.equal(await page.getAttribute('#account-decoded', 'data-type'), 'tokenAccount');
  const field = async (name) => (await page.textContent(`#account-decoded dd[data-field="${name}"]`)).trim();
  assert.ok((await field('mint')).includes(env('LANES_TOKEN_MINT')) || (await page.getAttribute(`#account-decoded dd[data-field="mint"] a`, 'title')) === env('LANES_TOKEN_MINT'));
  assert.equal(await page.getAttribute('#account-decoded dd[data-field="owner"] a', 'title'), env('LANES_TOKEN_OWNER'));
  assert.ok((await field('amount')).startsWith(Number(env('LANES_TOKEN_AMOUNT')).toLocaleString('en-US')), await field('amount'));
  assert.ok(await page.locator('#account-signatures tbody tr').count() > 0, 'recent signatures listed');
  await page.screenshot({ path: join(SHOTS, 'account.png'), fullPage: true });

  // ---- the token program ----
  step(`program ${TOKEN_PROGRAM}`);
  await go(`#/program/${TOKEN_PROGRAM}`);
  const stats = await rpc('lanesGetProgramStats', [TOKEN_PROGRAM, { slots: 300 }]);
  assert.ok(stats.calls > 0, 'the token program was called');
  assert.equal(await number('#program-calls'), stats.calls);
  assert.ok((await page.textContent('#program-deployments')).includes('genesis'));
  await page.screenshot({ path: join(SHOTS, 'program.png'), fullPage: true });

  // ---- search ----
  step('search');
  const searchFor = async (query, expected) => {
    await page.fill('#search-input', query);
    await page.press('#search-input', 'Enter');
    await page.waitForFunction((h) => location.hash === h, expected);
    await ready();
  };
  await searchFor(String(SLOT), `#/slot/${SLOT}`);
  await searchFor(SIGNATURE, `#/tx/${SIGNATURE}`);
  await searchFor(TOKEN_ACCOUNT, `#/account/${TOKEN_ACCOUNT}`);
  await searchFor(TOKEN_PROGRAM, `#/program/${TOKEN_PROGRAM}`);

  // ---- 10,000 transactions in one slot: the page's own code on a synthetic answer ----
  step(`a synthetic slot of ${SYNTHETIC_TRANSACTIONS} transactions`);
  const synthetic = syntheticLanes(lanes, SYNTHETIC_SLOT, SYNTHETIC_TRANSACTIONS);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 0, result: synthetic });
  await page.route(`${BASE}/`, async (route) => {
    const request = route.request();
    const data = request.method() === 'POST' ? request.postDataJSON() : null;
    if (data && data.method === 'lanesGetSlotLanes' && data.params[0] === SYNTHETIC_SLOT) {
      await route.fulfill({ status: 200, contentType: 'application/json', body: body.replace('"id":0', `"id":${data.id}`) });
    } else {
      await route.continue();
    }
  });
  const runs = [];
  for (let run = 0; run < 5; run++) {
    await go('#/');
    await go(`#/slot/${SYNTHETIC_SLOT}`);
    const rows = await page.evaluate(() => [...document.querySelectorAll('#lanes .lane')].map((row) => Number(row.dataset.bars)));
    assert.equal(rows.length, synthetic.workers);
    assert.equal(rows.reduce((a, b) => a + b, 0), SYNTHETIC_TRANSACTIONS);
    runs.push(await page.evaluate(() => window.lanesExplorer.lastRender));
  }
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  console.log(
    `EXPLORER_RENDER ${JSON.stringify({ kind: 'synthetic', transactions: SYNTHETIC_TRANSACTIONS, workers: synthetic.workers, runs: runs.length, renderMsMedian: median('renderMs'), paintedMsMedian: median('paintedMs'), fetchMsMedian: median('fetchMs'), renderMs: runs.map((r) => +r.renderMs.toFixed(1)), paintedMs: runs.map((r) => +r.paintedMs.toFixed(1)) })}`,
  );
  await page.screenshot({ path: join(SHOTS, 'slot-10k.png'), fullPage: false });
  await page.unroute(`${BASE}/`);
  await context.close();
} finally {
  await browser.close();
}
assert.deepEqual(failures, [], 'no page errors, console errors, or requests off the node');
console.log('explorer: every page checked');

/// A slot of `count` transactions shaped like `real` (its programs and
/// accounts, named by index in its `accounts` table), spread over its
/// workers back to back, a tenth of them waiting on a lock, as
/// lanesGetSlotLanes would answer it.
function syntheticLanes(real, slot, count) {
  const workers = Math.max(2, real.workers);
  const programs = [...new Set(real.transactions.map((t) => t.program))];
  const accounts = [...new Set(real.transactions.flatMap((t) => t.writable))];
  const ends = new Array(workers).fill(0);
  const transactions = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < count; i++) {
    const worker = i % workers;
    const waited = i > workers && rand() < 0.1;
    const wait = waited ? Math.floor(2_000 + rand() * 8_000) : Math.floor(rand() * 500);
    const startNs = ends[worker] + wait;
    const endNs = startNs + Math.floor(8_000 + rand() * 30_000);
    ends[worker] = endNs;
    const account = accounts[i % accounts.length];
    transactions.push({
      signature: `Synth${String(i).padStart(6, '0')}${'1'.repeat(76)}`,
      worker,
      startNs,
      endNs,
      program: programs[i % programs.length],
      computeUnits: 1_000 + (i % 5_000),
      fee: 5_000,
      err: i % 97 === 0 ? { InstructionError: [0, { Custom: 1 }] } : null,
      writable: [account, accounts[(i + 1) % accounts.length]],
      readonly: [programs[i % programs.length]],
      waitedOn: waited ? { account, signature: `Synth${String(i - workers).padStart(6, '0')}${'1'.repeat(76)}`, ns: wait } : null,
    });
  }
  const wallNs = Math.max(...ends);
  const busyNs = transactions.reduce((a, t) => a + (t.endNs - t.startNs), 0);
  const chain = transactions.filter((t) => t.worker === 0).slice(0, 64).map((t) => t.signature);
  return {
    slot,
    blockTime: real.blockTime,
    workers,
    wallNs,
    busyNs,
    parallelism: busyNs / wallNs,
    criticalPath: { ns: Math.floor(wallNs * 0.6), transactions: Math.floor(count / workers), signatures: chain },
    accounts: real.accounts,
    transactions,
  };
}

function base58(bytes) {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}
