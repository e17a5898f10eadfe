// Keeps the explorer open in headless chromium for a while, as a user
// watching a node under load would: the dashboard in one tab (live over
// PubSub, its stats polled each second) and, in another, the newest slot's
// lanes chart reloaded every 2 s. For the serving-cost measurement in
// docs/benchmarks.md; not a test.
//
//   node explorer.viewer.mjs http://127.0.0.1:8899/ SECONDS [dashboard]
// (`dashboard`: the dashboard alone, no slot views)
import { chromium } from 'playwright-core';

const [base, seconds = '30', mode = 'both'] = process.argv.slice(2);
const url = base.replace(/\/$/, '');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 950 } });
const dashboard = await context.newPage();
await dashboard.goto(url + '/');
const end = Date.now() + Number(seconds) * 1000;
let views = 0;
const slots = mode === 'dashboard' ? null : await context.newPage();
if (slots) await slots.goto(url + '/');
while (slots && Date.now() < end) {
  const slot = await slots.evaluate(async () => {
    const r = await fetch('/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSlot', params: [] }) });
    return (await r.json()).result;
  }).catch(() => null);
  if (slot === null) break; // the node is gone
  await slots.evaluate((s) => (location.hash = `#/slot/${s}`), slot);
  await slots.waitForFunction(() => document.getElementById('view').dataset.ready === 'true', null, { timeout: 30_000 }).catch(() => {});
  views++;
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
while (Date.now() < end && !slots) await new Promise((resolve) => setTimeout(resolve, 500));
console.log(`explorer viewer: ${views} slot views over ${seconds} s, the dashboard open throughout`);
await browser.close();
