// The Lanes explorer: one page, hash routes (#/, #/slot/N, #/tx/SIG,
// #/account/ADDR, #/program/ADDR, #/contention[/START-END]), built on this node's own JSON-RPC
// (POST /) and PubSub (WebSocket; /explorer/config.json says where).
// Hand-written, no library, nothing fetched from anywhere else.
'use strict';

(function () {
  const $view = document.getElementById('view');
  const $tooltip = document.getElementById('tooltip');
  const $conn = document.getElementById('conn');

  // What tests and the curious can read: the last render's timings.
  const api = { lastRender: null, config: null, route: null, renders: 0 };
  window.lanesExplorer = api;

  // ---------- helpers ----------

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const short = (s, n = 4) => (s && s.length > 2 * n + 3 ? s.slice(0, n) + '…' + s.slice(-n) : String(s));
  const fmtInt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));
  const fmtSol = (lamports) => (lamports / 1e9).toLocaleString('en-US', { maximumFractionDigits: 9 });
  const fmtPct = (x) => (Number.isFinite(x) ? (100 * x).toFixed(x < 0.01 && x > 0 ? 2 : 1) + ' %' : '—');
  function fmtNs(ns) {
    if (ns === null || ns === undefined) return '—';
    if (ns < 1e3) return ns.toFixed(0) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 2 : 1) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }
  function fmtTime(unix) {
    if (unix === null || unix === undefined) return '—';
    return new Date(unix * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
  }
  const link = (kind, id, text) => `<a class="mono" href="#/${kind}/${esc(id)}" title="${esc(id)}">${esc(text === undefined ? id : text)}</a>`;
  const addr = (a, n) => (a ? link('account', a, n ? short(a, n) : a) : '—');
  const sig = (s, n) => (s ? link('tx', s, n ? short(s, n) : s) : '—');
  const slotLink = (s) => link('slot', s, fmtInt(s));

  function b64ToBytes(text) {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const hex2 = (b) => (b < 16 ? '0' : '') + b.toString(16);

  class RpcError extends Error {
    constructor(error) {
      super(error.message);
      this.code = error.code;
      this.data = error.data;
    }
  }

  let rpcId = 0;
  async function rpc(method, params = []) {
    const response = await fetch('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    });
    const body = await response.json();
    if (body.error) throw new RpcError(body.error);
    return body.result;
  }

  // ---------- programs and their colours ----------

  const PALETTE = ['#0ea5e9', '#8b5cf6', '#f59e0b', '#10b981', '#ef4444', '#ec4899', '#14b8a6', '#6366f1', '#84cc16', '#f97316', '#06b6d4', '#a855f7'];
  const programNames = {};
  const programColours = {};
  function programName(id) {
    return programNames[id] || short(id, 5);
  }
  function programColour(id) {
    if (programColours[id]) return programColours[id];
    let h = 0;
    for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
    programColours[id] = PALETTE[4 + (h % (PALETTE.length - 4))];
    return programColours[id];
  }

  async function loadConfig() {
    const config = await (await fetch('/explorer/config.json')).json();
    api.config = config;
    const named = { system: 'System', token: 'Token', amm: 'AMM', lending: 'Lending', loader: 'Loader' };
    const colours = { system: '#64748b', token: '#0ea5e9', amm: '#8b5cf6', lending: '#f59e0b', loader: '#a16207' };
    for (const [key, id] of Object.entries(config.programs || {})) {
      programNames[id] = named[key] || key;
      programColours[id] = colours[key] || programColour(id);
    }
    programNames.ComputeBudget111111111111111111111111111111 = 'Compute Budget';
    programNames.AddressLookupTab1e1111111111111111111111111 = 'Lookup Table';
    document.getElementById('foot-version').textContent = `lanes ${config.version} · RPC ${config.rpc}`;
    return config;
  }

  // ---------- PubSub ----------

  const live = { slot: null, slots: [], listeners: new Set(), socket: null, connected: false };
  const RECENT_SLOTS = 40;

  function pubsubUrl(config) {
    const host = config.pubsub.host || location.hostname;
    const h = host.includes(':') ? `[${host}]` : host;
    return `ws://${h}:${config.pubsub.port}/`;
  }

  function connect(config, delay = 500) {
    let socket;
    try {
      socket = new WebSocket(pubsubUrl(config));
    } catch (e) {
      setTimeout(() => connect(config, Math.min(delay * 2, 10000)), delay);
      return;
    }
    live.socket = socket;
    const subscriptions = {};
    socket.onopen = () => {
      live.connected = true;
      $conn.textContent = 'live';
      $conn.className = 'conn on';
      socket.send(JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'slotSubscribe' },
        { jsonrpc: '2.0', id: 2, method: 'slotsUpdatesSubscribe' },
      ]));
      delay = 500;
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      for (const m of Array.isArray(message) ? message : [message]) {
        if (m.id !== undefined && m.result !== undefined) subscriptions[m.result] = m.id;
        if (m.method === 'slotNotification') {
          live.slot = m.params.result.slot;
          emit({ kind: 'slot', slot: live.slot });
        } else if (m.method === 'slotsUpdatesNotification' && m.params.result.type === 'frozen') {
          const u = m.params.result;
          const stats = u.stats || {};
          const entry = {
            slot: u.slot,
            timestamp: u.timestamp,
            ok: stats.numSuccessfulTransactions || 0,
            failed: stats.numFailedTransactions || 0,
          };
          live.slots.push(entry);
          if (live.slots.length > RECENT_SLOTS) live.slots.shift();
          emit({ kind: 'frozen', entry });
        }
      }
    };
    socket.onclose = () => {
      live.connected = false;
      $conn.textContent = 'reconnecting…';
      $conn.className = 'conn off';
      setTimeout(() => connect(config, Math.min(delay * 2, 10000)), delay);
    };
    socket.onerror = () => socket.close();
  }
  function emit(event) {
    for (const listener of live.listeners) listener(event);
  }

  // ---------- routing ----------

  let generation = 0;
  let cleanup = [];
  function onRoute() {
    for (const f of cleanup) f();
    cleanup = [];
    hideTooltip();
    const gen = ++generation;
    const hash = location.hash.replace(/^#\/?/, '');
    const [kind, ...rest] = hash.split('/');
    const arg = decodeURIComponent(rest.join('/'));
    api.route = { kind: kind || 'dashboard', arg };
    document.getElementById('nav-dashboard').classList.toggle('active', !kind);
    document.getElementById('nav-contention').classList.toggle('active', kind === 'contention');
    const page = { slot: slotPage, tx: txPage, account: accountPage, program: programPage, contention: contentionPage }[kind] || dashboardPage;
    $view.dataset.page = kind || 'dashboard';
    $view.dataset.ready = 'false';
    page(arg, () => gen === generation)
      .catch((e) => {
        if (gen === generation) $view.innerHTML = errorBox(e);
      })
      .finally(() => {
        if (gen === generation) {
          $view.dataset.ready = 'true';
          api.renders++;
        }
      });
  }
  function errorBox(e) {
    const code = e && e.code !== undefined ? ` (${e.code})` : '';
    return `<section class="card error"><h2>Could not load this page</h2><p>${esc(e && e.message ? e.message : e)}${esc(code)}</p></section>`;
  }

  // ---------- search ----------

  const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;
  async function search(query) {
    const q = query.trim();
    if (!q) return;
    if (/^\d+$/.test(q)) {
      location.hash = `#/slot/${q}`;
      return;
    }
    if (!BASE58.test(q)) {
      $view.innerHTML = errorBox(new Error(`“${q}” is neither a slot number, a signature nor an address`));
      return;
    }
    if (q.length > 50) {
      location.hash = `#/tx/${q}`;
      return;
    }
    let executable = false;
    try {
      const info = await rpc('getAccountInfo', [q, { encoding: 'base64', dataSlice: { offset: 0, length: 0 } }]);
      executable = !!(info.value && info.value.executable);
    } catch (e) {
      /* an invalid address: the account page says so */
    }
    location.hash = executable ? `#/program/${q}` : `#/account/${q}`;
  }
  document.getElementById('search').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('search-input');
    search(input.value).then(() => input.blur());
  });

  // ---------- dashboard ----------

  const STAGES = ['receive', 'verify', 'schedule', 'execute', 'commit', 'ledger', 'rpc', 'pubsub', 'other'];

  async function dashboardPage(_arg, current) {
    $view.innerHTML = `
      <section class="cards" id="dash-cards">
        ${card('dash-slot', 'Slot', '—', 'newest frozen slot, over the WebSocket')}
        ${card('dash-tps', 'TPS', '—', 'committed transactions a second, last 10 s')}
        ${card('dash-tx-count', 'Transactions', '—', 'committed since genesis')}
        ${card('dash-pending', 'Pending', '—', 'queued for the banking thread')}
        ${card('dash-failure', 'Failure rate', '—', 'failed / committed, last 40 slots')}
        ${card('dash-dropped', 'Dropped', '—', 'queue full / duplicates')}
      </section>
      <section class="grid2">
        <div class="card">
          <h2>Recent slots <span class="hint">transactions per frozen slot; click one for its lanes</span></h2>
          <div id="dash-slots" class="slot-strip"><p class="muted">Waiting for the next slot…</p></div>
          <table class="list compact" id="dash-slot-list"></table>
        </div>
        <div class="card">
          <h2>CPU per stage <span class="hint">cores busy, last interval (seconds since start in brackets)</span></h2>
          <div id="dash-cpu"></div>
        </div>
      </section>
      <section class="card">
        <h2>Node</h2>
        <dl class="kv" id="dash-node"></dl>
      </section>`;

    const history = []; // {t, count, failed}
    let lastCpu = null;
    let lastStats = null;

    const renderSlots = () => {
      const el = document.getElementById('dash-slots');
      if (!el || live.slots.length === 0) return;
      const max = Math.max(1, ...live.slots.map((s) => s.ok + s.failed));
      el.innerHTML = live.slots
        .map((s) => {
          const n = s.ok + s.failed;
          const h = Math.max(2, Math.round((60 * n) / max));
          const fh = n ? Math.round((h * s.failed) / n) : 0;
          return `<a class="slot-bar" href="#/slot/${s.slot}" data-slot="${s.slot}" title="slot ${s.slot}: ${n} transactions, ${s.failed} failed">
            <span class="bar-ok" style="height:${h - fh}px"></span><span class="bar-failed" style="height:${fh}px"></span></a>`;
        })
        .join('');
      const busy = live.slots.filter((s) => s.ok + s.failed > 0).slice(-6).reverse();
      document.getElementById('dash-slot-list').innerHTML =
        `<thead><tr><th>Recent slots with transactions</th><th class="num">Transactions</th><th class="num">Failed</th><th class="num">Frozen</th></tr></thead><tbody>` +
        (busy.length
          ? busy.map((s) => `<tr><td>${slotLink(s.slot)}</td><td class="num">${fmtInt(s.ok + s.failed)}</td><td class="num">${fmtInt(s.failed)}</td><td class="num muted">${new Date(s.timestamp).toLocaleTimeString('en-GB')}</td></tr>`).join('')
          : '<tr><td colspan="4" class="muted">none of the last slots held a transaction</td></tr>') +
        '</tbody>';
      const ok = live.slots.reduce((a, s) => a + s.ok, 0);
      const failed = live.slots.reduce((a, s) => a + s.failed, 0);
      setCard('dash-failure', ok + failed ? fmtPct(failed / (ok + failed)) : '0 %');
    };
    const onLive = (event) => {
      if (!current()) return;
      if (event.kind === 'slot') setCard('dash-slot', fmtInt(event.slot));
      if (event.kind === 'frozen') renderSlots();
    };
    live.listeners.add(onLive);
    cleanup.push(() => live.listeners.delete(onLive));
    if (live.slot !== null) setCard('dash-slot', fmtInt(live.slot));
    renderSlots();

    const poll = async () => {
      if (!current()) return;
      let stats;
      let cpu;
      try {
        [stats, cpu] = await Promise.all([rpc('lanesGetNodeStats'), rpc('lanesGetStageCpu')]);
      } catch (e) {
        return;
      }
      if (!current()) return;
      const now = performance.now();
      history.push({ t: now, count: stats.transactionCount });
      while (history.length > 2 && now - history[0].t > 10000) history.shift();
      const first = history[0];
      const tps = now > first.t ? ((stats.transactionCount - first.count) * 1000) / (now - first.t) : 0;
      if (live.slot === null) setCard('dash-slot', fmtInt(stats.finalizedSlot));
      setCard('dash-tps', history.length > 1 ? fmtInt(Math.round(tps)) : '…');
      setCard('dash-tx-count', fmtInt(stats.transactionCount));
      setCard('dash-pending', fmtInt(stats.pending));
      setCard('dash-dropped', `${fmtInt(stats.queueDropped)} / ${fmtInt(stats.deduplicated)}`);
      if (live.slots.length === 0 && stats.failedTransactionCount !== undefined) {
        setCard('dash-failure', fmtPct(stats.failedTransactionCount / Math.max(1, stats.transactionCount)));
      }
      document.getElementById('dash-node').innerHTML = [
        ['Working slot', fmtInt(stats.slot)],
        ['Finalized slot', slotLink(stats.finalizedSlot)],
        ['Failed since start', fmtInt(stats.failedTransactionCount)],
        ['UDP received / queued / garbage', `${fmtInt(stats.tpuReceived)} / ${fmtInt(stats.tpuQueued)} / ${fmtInt(stats.tpuGarbage)}`],
        ['Identity', addr(api.config.identity)],
        ['PubSub', esc(api.config.pubsub.address) + (live.connected ? ' <span class="pill ok">connected</span>' : ' <span class="pill warn">not connected</span>')],
      ]
        .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`)
        .join('');
      renderCpu(cpu, lastCpu);
      lastCpu = { cpu, t: now };
      lastStats = stats;
    };
    await poll();
    const timer = setInterval(poll, 1000);
    cleanup.push(() => clearInterval(timer));
    void lastStats;
  }

  function card(id, title, value, hint) {
    return `<div class="card stat"><div class="stat-title">${esc(title)}</div><div class="stat-value" id="${id}">${esc(value)}</div><div class="hint">${esc(hint)}</div></div>`;
  }
  function setCard(id, text) {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  function renderCpu(cpu, last) {
    const el = document.getElementById('dash-cpu');
    if (!el) return;
    const now = performance.now();
    const rates = {};
    for (const stage of STAGES) {
      rates[stage] = last ? Math.max(0, ((cpu[stage] || 0) - (last.cpu[stage] || 0)) / ((now - last.t) / 1000)) : null;
    }
    const max = Math.max(1, ...Object.values(rates).filter((r) => r !== null));
    el.innerHTML = `<table class="cpu">${STAGES.map((stage) => {
      const r = rates[stage];
      const w = r === null ? 0 : Math.round((100 * r) / max);
      return `<tr data-stage="${stage}"><th>${stage}</th><td class="cpu-bar"><span style="width:${w}%"></span></td>
        <td class="num">${r === null ? '…' : r.toFixed(2)}</td><td class="num muted">(${(cpu[stage] || 0).toFixed(2)} s)</td></tr>`;
    }).join('')}<tr class="total"><th>total</th><td></td><td></td><td class="num muted">(${(cpu.total || 0).toFixed(2)} s)</td></tr></table>`;
  }

  // ---------- slot: the lanes chart ----------

  const ROW_H = 26;
  const BAR_H = 18;
  const GUTTER = 78;
  const AXIS_H = 24;

  // lanesGetSlotLanes names accounts by their index in the answer's
  // `accounts`; the pages read the addresses themselves.
  async function slotLanes(params) {
    const lanes = await rpc('lanesGetSlotLanes', params);
    const name = (i) => lanes.accounts[i];
    for (const t of lanes.transactions) {
      t.program = t.program === null ? null : name(t.program);
      t.writable = t.writable.map(name);
      t.readonly = t.readonly.map(name);
      if (t.waitedOn) t.waitedOn.account = name(t.waitedOn.account);
    }
    return lanes;
  }

  async function slotPage(arg, current) {
    const slot = Number(arg);
    if (!Number.isSafeInteger(slot) || slot < 0) throw new Error(`not a slot number: ${arg}`);
    $view.innerHTML = `<section class="card"><h1>Slot ${fmtInt(slot)}</h1><p class="muted">Loading its lanes…</p></section>`;
    const t0 = performance.now();
    let lanes;
    try {
      lanes = await slotLanes([slot]);
    } catch (e) {
      if (!current()) return;
      $view.innerHTML = slotNav(slot) + errorBox(e);
      return;
    }
    if (!current()) return;
    const t1 = performance.now();
    renderSlot(lanes);
    const t2 = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const t3 = performance.now();
    showContention(lanes.contention);
    api.lastRender = {
      slot,
      transactions: lanes.transactions.length,
      fetchMs: t1 - t0,
      renderMs: t2 - t1,
      paintedMs: t3 - t1,
    };
  }

  // The slot's contention, ranked: lanesGetSlotLanes' `contention` (the same
  // accounts lanesGetContention ranks for this one slot), so a slot is read once.
  function showContention(accounts) {
    const el = document.getElementById('slot-contention');
    if (!el) return;
    if (!Array.isArray(accounts)) {
      el.remove();
      return;
    }
    el.innerHTML = `<h2>Contention <span class="hint">the accounts that serialized this slot, longest chain first; lost = the chain its writers force / wall time</span></h2>
      ${contentionTable(accounts, 'No transaction of this slot conflicted with another.')}`;
  }

  function contentionTable(accounts, none) {
    const rows = accounts
      .map((a) => `<tr><td>${addr(a.account, 6)}</td><td class="num">${fmtInt(a.transactions)}</td><td class="num">${fmtInt(a.writeLocked)} / ${fmtInt(a.readLocked)}</td><td class="num">${fmtInt(a.conflicts)}</td>
        <td class="num">${fmtNs(a.waitNs)}</td><td class="num">${fmtNs(a.chainNs)}</td><td class="lost"><span class="meter"><i style="width:${Math.round(100 * Math.min(1, a.lostParallelism))}%"></i></span>${fmtPct(a.lostParallelism)}</td></tr>`)
      .join('');
    return rows
      ? `<table class="list"><thead><tr><th>Account</th><th class="num">Transactions</th><th class="num">Write / read</th><th class="num">Conflicts</th><th class="num">Waited (sum)</th><th class="num">Chain</th><th>Parallelism lost</th></tr></thead><tbody>${rows}</tbody></table>`
      : `<p class="muted">${esc(none)}</p>`;
  }

  // #/contention or #/contention/START-END: the contention profiler over a
  // slot range (lanesGetContention; the newest 150 durable slots by default).
  async function contentionPage(arg, current) {
    const range = /^(\d+)-(\d+)$/.exec(arg || '');
    const config = range ? { startSlot: Number(range[1]), endSlot: Number(range[2]), limit: 25 } : { limit: 25 };
    $view.innerHTML = `<section class="card"><h1>Contention</h1><p class="muted">Profiling ${range ? `slots ${esc(arg)}` : 'the newest slots'}…</p></section>`;
    const report = await rpc('lanesGetContention', [config]);
    if (!current()) return;
    const form = `<form id="contention-range" class="inline"><label>slots <input name="start" type="number" min="0" value="${report.startSlot}"></label>
      <label>to <input name="end" type="number" min="0" value="${report.endSlot}"></label><button>Profile</button>
      <span class="hint">at most 5,000 slots; each is read from the ledger</span></form>`;
    $view.innerHTML = `<section class="card"><h1>Contention <span class="hint">slots ${fmtInt(report.startSlot)}–${fmtInt(report.endSlot)}</span></h1>${form}
      <div class="cards tight">
        ${miniStat('slots with transactions', fmtInt(report.slots), 'in the range', 'contention-slots')}
        ${miniStat('transactions', fmtInt(report.transactions), 'committed', 'contention-transactions')}
        ${miniStat('parallelism', report.parallelism.toFixed(2), 'busy worker time / wall time', 'contention-parallelism')}
        ${miniStat('wall time', fmtNs(report.wallNs), 'the slots\' execution, summed', 'contention-wall')}
        ${miniStat('critical paths', fmtNs(report.criticalPathNs), 'longest conflict chains, summed', 'contention-critical')}
      </div></section>
      <section class="card" id="range-contention"><h2>Accounts that serialized these slots <span class="hint">longest chain first; lost = its chain over the slots' wall time (docs/contract-guide.md §10)</span></h2>
      ${contentionTable(report.accounts, 'No transaction in these slots conflicted with another.')}</section>`;
    document.getElementById('contention-range').addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      location.hash = `#/contention/${Number(data.get('start'))}-${Number(data.get('end'))}`;
    });
  }

  function slotNav(slot) {
    return `<div class="crumbs"><a href="#/slot/${slot - 1}">← slot ${fmtInt(slot - 1)}</a><a href="#/slot/${slot + 1}">slot ${fmtInt(slot + 1)} →</a></div>`;
  }

  function renderSlot(lanes) {
    const txs = lanes.transactions;
    const workers = Math.max(1, lanes.workers);
    const programs = new Map();
    let failed = 0;
    for (const t of txs) {
      programs.set(t.program, (programs.get(t.program) || 0) + 1);
      if (t.err !== null && t.err !== undefined) failed++;
    }
    const critical = lanes.criticalPath || { ns: 0, transactions: 0, signatures: [] };
    let wall = Math.max(1, lanes.wallNs || 0);
    for (const t of txs) if (t.endNs > wall) wall = t.endNs;
    const legend = [...programs.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([p, n]) => `<span class="legend-item"><i style="background:${programColour(p)}"></i>${link('program', p, programName(p))} <span class="muted">${fmtInt(n)}</span></span>`)
      .join('');
    const chain = critical.signatures || [];
    const chainHtml = chain.length
      ? chain.slice(0, 12).map((s) => sig(s, 4)).join(' <span class="muted">→</span> ') +
        (Math.max(chain.length, critical.transactions || 0) > 12 ? ` <span class="muted">… ${fmtInt(Math.max(chain.length, critical.transactions || 0) - 12)} more</span>` : '')
      : '<span class="muted">no conflicts</span>';
    $view.innerHTML = `
      ${slotNav(lanes.slot)}
      <section class="card">
        <h1>Slot ${fmtInt(lanes.slot)}</h1>
        <div class="cards tight">
          ${miniStat('Parallelism', lanes.parallelism !== undefined ? lanes.parallelism.toFixed(2) + '×' : '—', `busy worker time / wall time, of ${workers} worker${workers > 1 ? 's' : ''}`, 'slot-parallelism')}
          ${miniStat('Longest chain of conflicts', `${fmtInt(critical.transactions)} tx · ${fmtNs(critical.ns)}`, `${fmtPct(critical.ns / wall)} of the wall time`, 'slot-critical')}
          ${miniStat('Transactions', fmtInt(txs.length), `${fmtInt(failed)} failed`, 'slot-count')}
          ${miniStat('Wall time', fmtNs(lanes.wallNs), `busy ${fmtNs(lanes.busyNs)}`, 'slot-wall')}
          ${miniStat('Block time', fmtTime(lanes.blockTime), '', 'slot-time')}
        </div>
        <p class="chain"><b>Longest chain:</b> ${chainHtml}</p>
      </section>
      <section class="card">
        <h2>Lanes <span class="hint">one row per worker, one bar per transaction, from its start to its end; hover for details, click to open</span></h2>
        <div class="legend">${legend || '<span class="muted">no transactions in this slot</span>'}
          <label class="toggle"><input type="checkbox" id="show-critical" checked> outline the longest chain</label></div>
        <div id="lanes" class="lanes"></div>
      </section>
      <section class="card" id="slot-contention"><h2>Contention <span class="hint">the accounts that serialized this slot</span></h2><p class="muted">Loading…</p></section>
      <section class="card">
        <h2>Transactions <span class="hint">in committed order${txs.length > 100 ? `, the first 100 of ${fmtInt(txs.length)}` : ''}</span></h2>
        ${slotTable(txs.slice(0, 100))}
      </section>`;
    drawLanes(document.getElementById('lanes'), lanes, wall, new Set(chain));
    document.getElementById('show-critical').addEventListener('change', (e) => api.redrawLanes(e.target.checked));
  }

  function miniStat(title, value, hint, id) {
    return `<div class="mini" id="${id}"><div class="stat-title">${esc(title)}</div><div class="mini-value">${esc(value)}</div><div class="hint">${esc(hint)}</div></div>`;
  }

  function slotTable(txs) {
    if (!txs.length) return '<p class="muted">None.</p>';
    return `<table class="list"><thead><tr><th>#</th><th>Signature</th><th>Program</th><th>Worker</th><th class="num">Start</th><th class="num">Duration</th><th class="num">CU</th><th>Waited on</th><th>Status</th></tr></thead><tbody>${txs
      .map(
        (t, i) => `<tr><td class="muted">${i}</td><td>${sig(t.signature, 8)}</td><td><i class="dot" style="background:${programColour(t.program)}"></i>${esc(programName(t.program))}</td>
        <td>${t.worker}</td><td class="num">${fmtNs(t.startNs)}</td><td class="num">${fmtNs(t.endNs - t.startNs)}</td><td class="num">${fmtInt(t.computeUnits)}</td>
        <td>${t.waitedOn ? `${addr(t.waitedOn.account, 4)} <span class="muted">until ${fmtNs(t.waitedOn.ns)}</span>` : '<span class="muted">—</span>'}</td>
        <td>${t.err === null || t.err === undefined ? '<span class="pill ok">ok</span>' : '<span class="pill bad">failed</span>'}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  }

  function niceStep(span, target) {
    const raw = span / target;
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
    return 10 * pow;
  }

  // The chart: bars drawn on a canvas (10,000 of them in a few
  // milliseconds), hover and highlights on a second canvas above it, and a
  // DOM a test can count: a .lane per worker (data-worker, data-bars: how
  // many bars it holds), the axis, and api.barBox(i) for where bar i is.
  function drawLanes(container, lanes, wall, criticalSet) {
    const txs = lanes.transactions;
    const workers = Math.max(1, lanes.workers);
    const width = Math.max(600, container.clientWidth || 1000);
    const plot = width - GUTTER - 36;
    const height = AXIS_H + workers * ROW_H + 6;
    const scale = plot / wall;
    const rows = [];
    for (let w = 0; w < workers; w++) rows.push([]);
    for (let i = 0; i < txs.length; i++) {
      const w = Math.min(Math.max(0, txs[i].worker | 0), workers - 1);
      rows[w].push(i);
    }
    for (const row of rows) row.sort((a, b) => txs[a].startNs - txs[b].startNs);
    const step = niceStep(wall, Math.max(2, Math.floor(plot / 110)));
    const ticks = [];
    for (let v = 0; v <= wall + 1e-9; v += step) {
      ticks.push(`<span class="tick-label" style="left:${(GUTTER + v * scale).toFixed(1)}px">${fmtNs(v)}</span>`);
    }
    const laneHtml = rows
      .map((bars, w) => `<div class="lane${w % 2 ? ' odd' : ''}" data-worker="${w}" data-bars="${bars.length}" style="top:${AXIS_H + w * ROW_H}px;height:${ROW_H}px"><span class="lane-label">worker ${w}</span></div>`)
      .join('');
    container.innerHTML = `<div class="lanes-chart" style="width:${width}px;height:${height}px" data-workers="${workers}" data-transactions="${txs.length}">
      ${laneHtml}<div class="axis">${ticks.join('')}</div><canvas class="bars"></canvas><canvas class="overlay"></canvas></div>`;
    const chart = container.firstElementChild;
    const [canvas, overlay] = chart.querySelectorAll('canvas');
    const ratio = window.devicePixelRatio || 1;
    for (const c of [canvas, overlay]) {
      c.width = Math.round(width * ratio);
      c.height = Math.round(height * ratio);
      c.style.width = width + 'px';
      c.style.height = height + 'px';
    }
    const barX = (t) => GUTTER + t.startNs * scale;
    const barW = (t) => Math.max(1, (t.endNs - t.startNs) * scale);
    const barY = (w) => AXIS_H + w * ROW_H + (ROW_H - BAR_H) / 2;

    const draw = (outlineCritical) => {
      const ctx = canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.strokeStyle = '#e2e8f0';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let v = 0; v <= wall + 1e-9; v += step) {
        const x = Math.round(GUTTER + v * scale) + 0.5;
        ctx.moveTo(x, AXIS_H - 4);
        ctx.lineTo(x, height);
      }
      ctx.stroke();
      // One fill per colour: bars grouped by (colour, failed).
      const groups = new Map();
      rows.forEach((row, w) => {
        for (const i of row) {
          const t = txs[i];
          const key = programColour(t.program) + (t.err !== null && t.err !== undefined ? '|f' : '');
          let list = groups.get(key);
          if (!list) groups.set(key, (list = []));
          list.push(barX(t), barY(w), barW(t));
        }
      });
      for (const [key, list] of groups) {
        const [colour, failed] = key.split('|');
        ctx.fillStyle = colour;
        ctx.globalAlpha = failed ? 0.45 : 1;
        // A pixel between bars wider than 3 px, so neighbours stay apart.
        for (let k = 0; k < list.length; k += 3) ctx.fillRect(list[k], list[k + 1], list[k + 2] > 3 ? list[k + 2] - 1 : list[k + 2], BAR_H);
      }
      ctx.globalAlpha = 1;
      if (outlineCritical && criticalSet.size) {
        ctx.strokeStyle = '#dc2626';
        ctx.lineWidth = 1.5;
        rows.forEach((row, w) => {
          for (const i of row) if (criticalSet.has(txs[i].signature)) ctx.strokeRect(barX(txs[i]), barY(w), barW(txs[i]), BAR_H);
        });
      }
    };
    draw(true);

    const bySignature = new Map();
    txs.forEach((t, i) => bySignature.set(t.signature, i));
    const outline = (i, colour, lineWidth) => {
      const t = txs[i];
      const w = Math.min(Math.max(0, t.worker | 0), workers - 1);
      const ctx = overlay.getContext('2d');
      ctx.strokeStyle = colour;
      ctx.lineWidth = lineWidth;
      ctx.strokeRect(barX(t), barY(w), barW(t), BAR_H);
    };
    const clearOverlay = () => {
      const ctx = overlay.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
    };
    // The bar under (x, y): its row from y, then a binary search by start
    // (a worker runs one transaction at a time); the bar containing x, or
    // else the nearest within 2 px.
    const hit = (x, y) => {
      const w = Math.floor((y - AXIS_H) / ROW_H);
      if (w < 0 || w >= workers) return -1;
      const top = barY(w);
      if (y < top - 2 || y > top + BAR_H + 2) return -1;
      const row = rows[w];
      let lo = 0;
      let hi = row.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (barX(txs[row[mid]]) <= x) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      const distance = (k) => {
        if (k < 0 || k >= row.length) return Infinity;
        const t = txs[row[k]];
        const x0 = barX(t);
        const x1 = x0 + barW(t);
        return x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      };
      const before = distance(found);
      const after = distance(found + 1);
      if (before === 0) return row[found];
      const best = before <= after ? found : found + 1;
      return Math.min(before, after) <= 2 ? row[best] : -1;
    };
    let hovered = -1;
    overlay.addEventListener('mousemove', (event) => {
      const box = overlay.getBoundingClientRect();
      const i = hit(event.clientX - box.left, event.clientY - box.top);
      overlay.style.cursor = i >= 0 ? 'pointer' : 'default';
      if (i !== hovered) {
        hovered = i;
        clearOverlay();
        if (i >= 0) {
          outline(i, '#0f172a', 2);
          const waited = txs[i].waitedOn;
          if (waited && bySignature.has(waited.signature)) outline(bySignature.get(waited.signature), '#f59e0b', 3);
        }
      }
      if (i >= 0) {
        chart.dataset.hovered = String(i);
        showTooltip(event, barTooltip(txs[i]));
      } else {
        delete chart.dataset.hovered;
        hideTooltip();
      }
    });
    overlay.addEventListener('mouseleave', () => {
      hovered = -1;
      clearOverlay();
      hideTooltip();
    });
    overlay.addEventListener('click', (event) => {
      const box = overlay.getBoundingClientRect();
      const i = hit(event.clientX - box.left, event.clientY - box.top);
      if (i >= 0) location.hash = `#/tx/${txs[i].signature}`;
    });
    api.redrawLanes = draw;
    // Where bar i is on the screen (its centre) and how wide, for tests and tools.
    api.barBox = (i) => {
      const t = txs[i];
      const box = overlay.getBoundingClientRect();
      const w = Math.min(Math.max(0, t.worker | 0), workers - 1);
      return { x: box.left + barX(t) + barW(t) / 2, y: box.top + barY(w) + BAR_H / 2, width: barW(t) };
    };
  }

  function barTooltip(t) {
    const writable = t.writable || [];
    const failed = t.err !== null && t.err !== undefined;
    return `<div class="tt-title mono">${esc(t.signature)}</div>
      <table class="tt">
        <tr><th>Program</th><td><i class="dot" style="background:${programColour(t.program)}"></i>${esc(programName(t.program))} <span class="muted mono">${esc(short(t.program, 6))}</span></td></tr>
        <tr><th>Worker</th><td>${t.worker} · ${fmtNs(t.startNs)} → ${fmtNs(t.endNs)} (${fmtNs(t.endNs - t.startNs)})</td></tr>
        <tr><th>Compute units</th><td>${fmtInt(t.computeUnits)} · fee ${fmtInt(t.fee)}</td></tr>
        <tr><th>Status</th><td>${failed ? `<span class="pill bad">failed</span> ${esc(JSON.stringify(t.err))}` : '<span class="pill ok">ok</span>'}</td></tr>
        <tr><th>Write-locked</th><td class="mono">${writable.length ? writable.slice(0, 8).map((a) => esc(short(a, 6))).join('<br>') + (writable.length > 8 ? `<br>… ${writable.length - 8} more` : '') : '—'}</td></tr>
        <tr><th>Waited on</th><td>${t.waitedOn ? `<span class="mono">${esc(short(t.waitedOn.account, 6))}</span>, held by <span class="mono">${esc(short(t.waitedOn.signature, 8))}</span><br>until ${fmtNs(t.waitedOn.ns)} (outlined in amber)` : '<span class="muted">nothing</span>'}</td></tr>
      </table>`;
  }

  function showTooltip(event, html) {
    $tooltip.innerHTML = html;
    $tooltip.hidden = false;
    const pad = 14;
    const w = $tooltip.offsetWidth;
    const h = $tooltip.offsetHeight;
    let x = event.clientX + pad;
    let y = event.clientY + pad;
    if (x + w > window.innerWidth - 8) x = event.clientX - w - pad;
    if (y + h > window.innerHeight - 8) y = event.clientY - h - pad;
    $tooltip.style.left = Math.max(8, x) + 'px';
    $tooltip.style.top = Math.max(8, y) + 'px';
  }
  function hideTooltip() {
    $tooltip.hidden = true;
  }

  // ---------- transaction ----------

  // The logs as the tree of calls: `invoke [n]` opens a node, `success` or
  // `failed` closes it, `consumed` is its compute units; every line is kept
  // in order (each a .log-line carrying its exact text).
  function logTree(lines) {
    const root = { children: [], depth: 0 };
    const stack = [root];
    const invoke = /^Program (\S+) invoke \[(\d+)\]$/;
    const consumed = /^Program (\S+) consumed (\d+) of (\d+) compute units$/;
    const success = /^Program (\S+) success$/;
    const failed = /^Program (\S+) failed: (.*)$/;
    for (const line of lines) {
      const top = stack[stack.length - 1];
      let m;
      if ((m = invoke.exec(line))) {
        const node = { program: m[1], depth: Number(m[2]), line, children: [], status: 'running', units: null };
        top.children.push(node);
        stack.push(node);
      } else if ((m = consumed.exec(line)) && top.program === m[1]) {
        top.units = Number(m[2]);
        top.children.push({ line, kind: 'consumed' });
      } else if ((m = success.exec(line)) && top.program === m[1] && stack.length > 1) {
        top.status = 'ok';
        top.children.push({ line, kind: 'success' });
        stack.pop();
      } else if ((m = failed.exec(line)) && top.program === m[1] && stack.length > 1) {
        top.status = 'failed';
        top.children.push({ line, kind: 'failed' });
        stack.pop();
      } else {
        top.children.push({ line, kind: line.startsWith('Program log: ') ? 'log' : line.startsWith('Program return: ') ? 'return' : 'other' });
      }
    }
    const render = (nodes) =>
      `<ul class="log-tree">${nodes
        .map((n) => {
          if (n.children === undefined) return `<li class="log-line ${n.kind}" data-line="${esc(n.line)}">${esc(n.line)}</li>`;
          const status = n.status === 'ok' ? '<span class="pill ok">success</span>' : n.status === 'failed' ? '<span class="pill bad">failed</span>' : '<span class="pill warn">no result</span>';
          return `<li class="call depth-${n.depth}"><div class="call-head"><i class="dot" style="background:${programColour(n.program)}"></i><b>${esc(programName(n.program))}</b>
            <span class="mono muted">${esc(short(n.program, 6))}</span> ${status} ${n.units !== null ? `<span class="muted">${fmtInt(n.units)} CU</span>` : ''}
            <span class="muted">depth ${n.depth}</span></div>
            <ul class="log-tree"><li class="log-line invoke" data-line="${esc(n.line)}">${esc(n.line)}</li></ul>${render(n.children)}</li>`;
        })
        .join('')}</ul>`;
    return render(root.children);
  }

  async function txPage(signature, current) {
    $view.innerHTML = `<section class="card"><h1>Transaction</h1><p class="mono">${esc(signature)}</p><p class="muted">Loading…</p></section>`;
    const tx = await rpc('getTransaction', [signature, { encoding: 'json', maxSupportedTransactionVersion: 0 }]);
    if (!current()) return;
    if (!tx) {
      $view.innerHTML = `<section class="card error"><h1>Transaction not found</h1><p class="mono">${esc(signature)}</p>
        <p>No durable transaction has this signature (it may still be in flight, or be older than the ledger keeps).</p></section>`;
      return;
    }
    const [lanes, profile] = await Promise.all([
      slotLanes([tx.slot, { signature, contention: 0 }]).catch(() => null),
      rpc('lanesProfileTransaction', [signature]).catch(() => null),
    ]);
    if (!current()) return;
    const lane = lanes && lanes.transactions ? lanes.transactions.find((t) => t.signature === signature) : null;
    const meta = tx.meta || {};
    const message = tx.transaction.message;
    const header = message.header;
    const loaded = meta.loadedAddresses || { writable: [], readonly: [] };
    const keys = [...message.accountKeys, ...(loaded.writable || []), ...(loaded.readonly || [])];
    const staticCount = message.accountKeys.length;
    const writableLoaded = (loaded.writable || []).length;
    const flags = keys.map((k, i) => {
      const signer = i < header.numRequiredSignatures;
      let writable;
      if (i < staticCount) {
        writable = signer ? i < header.numRequiredSignatures - header.numReadonlySignedAccounts : i < staticCount - header.numReadonlyUnsignedAccounts;
      } else {
        writable = i < staticCount + writableLoaded;
      }
      return { signer, writable, loaded: i >= staticCount };
    });
    const ok = meta.err === null || meta.err === undefined;
    const pre = meta.preBalances || [];
    const post = meta.postBalances || [];
    const accountRows = keys
      .map((k, i) => {
        const delta = (post[i] || 0) - (pre[i] || 0);
        const badges = [flags[i].signer ? '<span class="pill">signer</span>' : '', flags[i].writable ? '<span class="pill w">writable</span>' : '<span class="pill ro">read-only</span>', flags[i].loaded ? '<span class="pill">lookup</span>' : ''].join(' ');
        return `<tr data-account="${esc(k)}"><td class="muted">${i}</td><td>${addr(k)}${programNames[k] ? ` <span class="muted">${esc(programNames[k])}</span>` : ''}</td><td>${badges}</td>
          <td class="num">${fmtSol(pre[i] || 0)}</td><td class="num">${fmtSol(post[i] || 0)}</td>
          <td class="num ${delta > 0 ? 'up' : delta < 0 ? 'down' : 'muted'}">${delta === 0 ? '0' : (delta > 0 ? '+' : '') + fmtSol(delta)}</td></tr>`;
      })
      .join('');
    const instructions = message.instructions
      .map((ix, i) => {
        const program = keys[ix.programIdIndex];
        return `<tr><td class="muted">${i}</td><td><i class="dot" style="background:${programColour(program)}"></i>${link('program', program, programName(program))}</td>
          <td>${ix.accounts.map((a) => addr(keys[a], 4)).join(', ')}</td><td class="mono wrap">${esc(ix.data.length > 80 ? ix.data.slice(0, 80) + '…' : ix.data)}</td></tr>`;
      })
      .join('');
    const waited = lane && lane.waitedOn
      ? `${addr(lane.waitedOn.account, 6)}, held by ${sig(lane.waitedOn.signature, 8)} until ${fmtNs(lane.waitedOn.ns)} into the slot`
      : lane ? '<span class="muted">nothing</span>' : '—';
    $view.innerHTML = `
      <section class="card">
        <h1>Transaction ${ok ? '<span class="pill ok" id="tx-status">success</span>' : '<span class="pill bad" id="tx-status">failed</span>'}</h1>
        <p class="mono big-id">${esc(signature)}</p>
        <dl class="kv">
          <dt>Status</dt><dd>${ok ? 'Success' : `Failed: <code>${esc(JSON.stringify(meta.err))}</code>`}</dd>
          <dt>Slot</dt><dd>${slotLink(tx.slot)} <span class="muted">${fmtTime(tx.blockTime)}</span></dd>
          <dt>Worker</dt><dd id="tx-worker">${lane ? `worker ${lane.worker} · ${fmtNs(lane.startNs)} → ${fmtNs(lane.endNs)} (${fmtNs(lane.endNs - lane.startNs)}) into the slot` : '<span class="muted">not known</span>'}</dd>
          <dt>Waited on</dt><dd>${waited}</dd>
          <dt>Fee</dt><dd id="tx-fee">${fmtInt(meta.fee)} lamports <span class="muted">(${fmtSol(meta.fee || 0)} SOL)</span></dd>
          <dt>Compute units</dt><dd id="tx-cu">${fmtInt(meta.computeUnitsConsumed)}</dd>
          <dt>Version</dt><dd>${esc(tx.version === undefined ? 'legacy' : tx.version)}</dd>
          <dt>Recent blockhash</dt><dd class="mono">${esc(message.recentBlockhash)}</dd>
          <dt>Signers</dt><dd>${tx.transaction.signatures.map((s) => sig(s, 8)).join(', ')}</dd>
        </dl>
      </section>
      <section class="card">
        <h2>Accounts <span class="hint">balances in SOL, before and after</span></h2>
        <table class="list" id="tx-accounts"><thead><tr><th>#</th><th>Address</th><th></th><th class="num">Before</th><th class="num">After</th><th class="num">Change</th></tr></thead><tbody>${accountRows}</tbody></table>
        ${profileHtml(profile)}
      </section>
      <section class="card">
        <h2>Instructions</h2>
        <table class="list"><thead><tr><th>#</th><th>Program</th><th>Accounts</th><th>Data (base58)</th></tr></thead><tbody>${instructions}</tbody></table>
      </section>
      <section class="card">
        <h2>Logs <span class="hint">as the tree of cross-program invocations</span></h2>
        <div id="tx-logs">${(meta.logMessages || []).length ? logTree(meta.logMessages) : '<p class="muted">No log lines.</p>'}</div>
      </section>`;
  }

  // Account data before and after, when lanesProfileTransaction answers
  // with it (its shape read loosely: {accounts: [{address|pubkey, before,
  // after}]}, data as base64 or [base64, "base64"]).
  function profileHtml(profile) {
    if (!profile || typeof profile !== 'object') return '<p class="muted" id="tx-data-note">Account data before and after: not available from this node (lanesProfileTransaction).</p>';
    if (profile.dataRecorded === false) {
      return `<p class="muted" id="tx-data-note">Account data before and after: ${esc(profile.note || 'not recorded for a landed transaction')} (lanesProfileTransaction).</p>`;
    }
    const accounts = profile.accounts || (profile.value && profile.value.accounts) || [];
    const bytes = (d) => {
      if (!d) return null;
      const data = d.data !== undefined ? d.data : d;
      if (Array.isArray(data)) return b64ToBytes(data[0]);
      if (typeof data === 'string') return b64ToBytes(data);
      return null;
    };
    const rows = accounts
      .map((a) => {
        const before = bytes(a.before || a.pre);
        const after = bytes(a.after || a.post);
        if (!before && !after) return '';
        const address = a.address || a.pubkey || a.key;
        return `<div class="diff"><h3>${addr(address)}</h3>${hexDiff(before || new Uint8Array(), after || new Uint8Array())}</div>`;
      })
      .filter(Boolean);
    if (!rows.length) return '<p class="muted" id="tx-data-note">No account data changed (lanesProfileTransaction).</p>';
    return `<h2>Account data <span class="hint">bytes that changed are highlighted</span></h2>${rows.join('')}`;
  }

  function hexDiff(before, after) {
    const len = Math.min(Math.max(before.length, after.length), 1024);
    let changed = false;
    let out = '';
    for (let row = 0; row < len; row += 16) {
      let b = '';
      let a = '';
      for (let i = row; i < Math.min(row + 16, len); i++) {
        const x = i < before.length ? hex2(before[i]) : '  ';
        const y = i < after.length ? hex2(after[i]) : '  ';
        const diff = x !== y;
        changed = changed || diff;
        b += diff ? `<del>${x}</del> ` : x + ' ';
        a += diff ? `<ins>${y}</ins> ` : y + ' ';
      }
      out += `<tr><td class="muted">${row.toString(16).padStart(4, '0')}</td><td>${b}</td><td>${a}</td></tr>`;
    }
    if (!changed) return '<p class="muted">Data unchanged.</p>';
    return `<table class="hex diff-table"><thead><tr><th></th><th>before</th><th>after</th></tr></thead><tbody>${out}</tbody></table>`;
  }

  // ---------- account ----------

  function hexDump(bytes, limit) {
    const len = Math.min(bytes.length, limit);
    const rows = [];
    for (let row = 0; row < len; row += 16) {
      let h = '';
      let text = '';
      for (let i = row; i < Math.min(row + 16, len); i++) {
        h += hex2(bytes[i]) + (i % 8 === 7 ? '  ' : ' ');
        text += bytes[i] >= 32 && bytes[i] < 127 ? String.fromCharCode(bytes[i]) : '·';
      }
      rows.push(`<tr><td class="muted">${row.toString(16).padStart(6, '0')}</td><td>${h}</td><td class="ascii">${esc(text)}</td></tr>`);
    }
    return `<table class="hex">${rows.join('')}</table>`;
  }

  const ADDRESS_FIELDS = /^(mint|owner|delegate|closeAuthority|mintAuthority|freezeAuthority|mintA|mintB|vaultA|vaultB|lpMint|market|vault|shareMint|collateralVault|priceFeed|reserve|admin|oracle|authority)$/;
  const TYPE_NAMES = { mint: 'Token mint', tokenAccount: 'Token account', pool: 'AMM pool', market: 'Lending market', reserve: 'Lending reserve', obligation: 'Lending obligation', priceFeed: 'Price feed', program: 'Program', buffer: 'Program buffer', closed: 'Closed program', uninitialized: 'Uninitialized' };

  const FIELD_ORDER = ['mint', 'owner', 'amount', 'state', 'delegate', 'delegatedAmount', 'closeAuthority', 'supply', 'decimals', 'isInitialized', 'mintAuthority', 'freezeAuthority',
    'mintA', 'mintB', 'reserveA', 'reserveB', 'feeBps', 'vaultA', 'vaultB', 'lpMint', 'lpSupply', 'market', 'reserve', 'price', 'positions', 'admin', 'oracle', 'authority', 'deployedSlot', 'codeLen', 'codeHash'];
  const fieldRank = (k) => {
    const i = FIELD_ORDER.indexOf(k);
    return i < 0 ? FIELD_ORDER.length : i;
  };
  function decodedTable(decoded, extra) {
    const entries = Object.entries(decoded).sort((a, b) => fieldRank(a[0]) - fieldRank(b[0]) || a[0].localeCompare(b[0]));
    const rows = entries.map(([k, v]) => {
      let value;
      if (v === null) value = '<span class="muted">none</span>';
      else if (ADDRESS_FIELDS.test(k) && typeof v === 'string') value = addr(v);
      else if (Array.isArray(v)) value = v.length ? v.map((p) => `<div class="nested">${decodedTable(p)}</div>`).join('') : '<span class="muted">none</span>';
      else if (typeof v === 'number') value = fmtInt(v) + (extra && extra[k] ? ` <span class="muted">${esc(extra[k])}</span>` : '');
      else value = esc(v);
      return `<dt>${esc(k)}</dt><dd data-field="${esc(k)}">${value}</dd>`;
    });
    return `<dl class="kv">${rows.join('')}</dl>`;
  }

  async function accountPage(address, current) {
    $view.innerHTML = `<section class="card"><h1>Account</h1><p class="mono">${esc(address)}</p><p class="muted">Loading…</p></section>`;
    const [decoded, info, signatures] = await Promise.all([
      rpc('lanesDecodeAccount', [address]),
      rpc('getAccountInfo', [address, { encoding: 'base64' }]),
      rpc('getSignaturesForAddress', [address, { limit: 25 }]).catch(() => []),
    ]);
    if (!current()) return;
    const account = decoded.value;
    if (!account) {
      $view.innerHTML = `<section class="card"><h1>Account</h1><p class="mono big-id">${esc(address)}</p><p>No account at this address (no lamports).</p></section>${signaturesCard(signatures)}`;
      return;
    }
    const data = info.value ? b64ToBytes(info.value.data[0]) : new Uint8Array();
    let extra = null;
    if (account.type === 'tokenAccount' && account.decoded) {
      try {
        const mint = (await rpc('lanesDecodeAccount', [account.decoded.mint])).value;
        if (mint && mint.decoded && mint.decoded.decimals !== undefined) {
          const d = mint.decoded.decimals;
          const amount = account.decoded.amount;
          extra = { amount: `= ${(amount / Math.pow(10, d)).toLocaleString('en-US', { maximumFractionDigits: d })} (${d} decimals)` };
        }
      } catch (e) {
        /* the amount alone */
      }
    }
    if (!current()) return;
    const kind = account.type ? TYPE_NAMES[account.type] || account.type : null;
    const LIMIT = 4096;
    $view.innerHTML = `
      <section class="card">
        <h1>${kind ? esc(kind) : 'Account'} ${account.executable ? `<a class="pill w" href="#/program/${esc(address)}">program view →</a>` : ''}</h1>
        <p class="mono big-id">${esc(address)}</p>
        <dl class="kv">
          <dt>Balance</dt><dd id="account-balance">${fmtSol(account.lamports)} SOL <span class="muted">(${fmtInt(account.lamports)} lamports)</span></dd>
          <dt>Owner</dt><dd>${addr(account.owner)} ${programNames[account.owner] ? `<span class="muted">${esc(programNames[account.owner])}</span>` : ''}</dd>
          <dt>Executable</dt><dd>${account.executable ? 'yes' : 'no'}</dd>
          <dt>Data</dt><dd>${fmtInt(account.space)} bytes</dd>
        </dl>
      </section>
      ${account.decoded ? `<section class="card" id="account-decoded" data-type="${esc(account.type)}"><h2>${esc(kind)} <span class="hint">decoded with the ${esc(account.program)} program's own state type</span></h2>${decodedTable(account.decoded, extra)}</section>` : ''}
      <section class="card">
        <h2>Data <span class="hint">hex${data.length > LIMIT ? `, the first ${fmtInt(LIMIT)} of ${fmtInt(data.length)} bytes` : ''}</span></h2>
        ${data.length ? hexDump(data, LIMIT) : '<p class="muted">No data.</p>'}
      </section>
      ${signaturesCard(signatures)}`;
  }

  function signaturesCard(signatures) {
    const rows = (signatures || [])
      .map((s) => `<tr><td>${sig(s.signature, 10)}</td><td>${slotLink(s.slot)}</td><td>${s.err ? '<span class="pill bad">failed</span>' : '<span class="pill ok">ok</span>'}</td><td class="muted">${fmtTime(s.blockTime)}</td></tr>`)
      .join('');
    return `<section class="card"><h2>Recent transactions <span class="hint">newest first, at most 25</span></h2>
      ${rows ? `<table class="list" id="account-signatures"><thead><tr><th>Signature</th><th>Slot</th><th>Status</th><th>Time</th></tr></thead><tbody>${rows}</tbody></table>` : '<p class="muted">None in the ledger.</p>'}</section>`;
  }

  // ---------- program ----------

  async function programPage(address, current) {
    $view.innerHTML = `<section class="card"><h1>Program</h1><p class="mono">${esc(address)}</p><p class="muted">Reading the newest slots…</p></section>`;
    const stats = await rpc('lanesGetProgramStats', [address, { slots: 300 }]);
    if (!current()) return;
    const account = stats.account;
    const loader = account && account.loader;
    const avg = stats.calls ? stats.computeUnits / stats.calls : 0;
    const deployments = stats.deployments
      .map((d) => `<tr><td>${esc(d.instruction)}</td><td>${slotLink(d.slot)}</td><td>${d.signature ? sig(d.signature, 10) : '<span class="muted">at genesis</span>'}</td></tr>`)
      .join('');
    const calls = stats.recentCalls
      .slice(0, 20)
      .map((c) => `<tr><td>${sig(c.signature, 10)}</td><td>${slotLink(c.slot)}</td><td>${c.depth === 1 ? 'top level' : `CPI, depth ${c.depth}`}</td><td class="num">${c.computeUnits === null ? '—' : fmtInt(c.computeUnits)}</td><td>${c.ok ? '<span class="pill ok">ok</span>' : '<span class="pill bad">failed</span>'}</td></tr>`)
      .join('');
    $view.innerHTML = `
      <section class="card">
        <h1><i class="dot big" style="background:${programColour(address)}"></i>${esc(programNames[address] || 'Program')}</h1>
        <p class="mono big-id">${addr(address)}</p>
        <dl class="kv">
          <dt>Executable</dt><dd>${account ? (account.executable ? 'yes' : 'no') : '<span class="muted">no such account</span>'}</dd>
          ${loader ? `<dt>Upgrade authority</dt><dd>${loader.authority ? addr(loader.authority) : '<span class="muted">none (immutable)</span>'}</dd>
          <dt>Deployed at slot</dt><dd>${slotLink(loader.deployedSlot)}</dd><dt>Code</dt><dd>${fmtInt(loader.codeLen)} bytes of WASM · hash <span class="mono">${esc(short(loader.codeHash, 8))}</span></dd>` : ''}
          ${account ? `<dt>Owner</dt><dd>${addr(account.owner)} <span class="muted">${esc(programNames[account.owner] || '')}</span></dd>` : ''}
        </dl>
      </section>
      <section class="cards">
        ${card('program-calls', 'Calls', fmtInt(stats.calls), `slots ${fmtInt(stats.range.first)}–${fmtInt(stats.range.last)}${stats.truncated ? ' (older left out)' : ''}`)}
        ${card('program-cu', 'Compute units', fmtInt(stats.computeUnits), 'all its calls, their CPIs included')}
        ${card('program-avg', 'CU per call', stats.calls ? fmtInt(Math.round(avg)) : '—', 'mean over the range')}
        ${card('program-failed', 'Failed transactions', fmtInt(stats.failedTransactions), 'among those that called it')}
      </section>
      <section class="grid2">
        <div class="card"><h2>Calls per slot</h2>${slotChart(stats, (s) => s.calls, 'calls', '#0ea5e9')}</div>
        <div class="card"><h2>Compute units per call <span class="hint">mean in each slot</span></h2>${slotChart(stats, (s) => (s.calls ? s.computeUnits / s.calls : 0), 'CU per call', '#8b5cf6')}</div>
      </section>
      <section class="card"><h2>Deployments</h2>${deployments ? `<table class="list" id="program-deployments"><thead><tr><th>Instruction</th><th>Slot</th><th>Transaction</th></tr></thead><tbody>${deployments}</tbody></table>` : '<p class="muted">None found (builtins are part of the node).</p>'}</section>
      <section class="card"><h2>Recent calls <span class="hint">newest first</span></h2>${calls ? `<table class="list"><thead><tr><th>Transaction</th><th>Slot</th><th>Call</th><th class="num">CU</th><th>Status</th></tr></thead><tbody>${calls}</tbody></table>` : '<p class="muted">No calls in the range.</p>'}</section>`;
  }

  function slotChart(stats, value, label, colour) {
    const width = 520;
    const height = 160;
    const left = 54;
    const bottom = 22;
    const first = stats.range.first;
    const last = Math.max(stats.range.last, first + 1);
    const points = stats.slots.map((s) => ({ slot: s.slot, v: value(s) }));
    if (!points.length) return '<p class="muted">No calls in the range.</p>';
    const max = Math.max(1, ...points.map((p) => p.v));
    const plotW = width - left - 8;
    const plotH = height - bottom - 8;
    const bw = Math.max(1, plotW / (last - first + 1) - 0.5);
    const bars = points
      .map((p) => {
        const x = left + ((p.slot - first) / (last - first + 1)) * plotW;
        const h = (p.v / max) * plotH;
        return `<rect x="${x.toFixed(1)}" y="${(8 + plotH - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${colour}"><title>slot ${p.slot}: ${fmtInt(Math.round(p.v))} ${label}</title></rect>`;
      })
      .join('');
    const axis = `<line class="tick" x1="${left}" x2="${width - 8}" y1="${8 + plotH}" y2="${8 + plotH}"/>
      <text class="tick-label" x="${left - 6}" y="14" text-anchor="end">${fmtInt(Math.round(max))}</text>
      <text class="tick-label" x="${left - 6}" y="${8 + plotH}" text-anchor="end">0</text>
      <text class="tick-label" x="${left}" y="${height - 4}">slot ${fmtInt(first)}</text>
      <text class="tick-label" x="${width - 8}" y="${height - 4}" text-anchor="end">slot ${fmtInt(last)}</text>`;
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%">${axis}${bars}</svg>`;
  }

  // ---------- start ----------

  async function start() {
    try {
      const config = await loadConfig();
      connect(config);
    } catch (e) {
      $conn.textContent = 'no config';
      $conn.className = 'conn off';
      api.config = { programs: {}, pubsub: { address: '?' }, identity: '' };
    }
    window.addEventListener('hashchange', onRoute);
    onRoute();
  }
  start();
})();
