// Faults inside the process, in the manner of SQLite's own malloc and I/O-error tests. The server
// runs with LINLI_TEST_FAULTS=1, so a request may carry `X-Linli-Fault: alloc=N` (the Nth allocation
// of the request fails: linli's own, jansson's and SQLite's) or `io=N` (the Nth file operation of
// SQLite fails, through a shim VFS), once or with ",persistent" from then on (src/core/fault.h).
//
// Every write endpoint of the OpenAPI document has a step in tests/api/faults/*.mjs: a valid request
// (and what it needs, made beforehand without a fault). For each step and each mode, N = 1, 2, …
// until the write succeeds; every failed attempt must answer a clean 5xx in the error envelope, the
// server must keep running, and the database must stay whole: PRAGMA integrity_check is ok (SQLite),
// the ledger balances entry by entry, and at the end of each loop the ledger's and the audit's hash
// chains verify, and no write is kept under a 5xx answer (a retry finding it done fails the suite).
// A write endpoint without a step fails the suite.
//
// While writing steps: LINLI_FAULT_STEPS=grants (a module file's name, comma-separated) and
// LINLI_FAULT_MODES=alloc run a part; the coverage check runs only on the whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { startServer, Client, BACKEND, assertCleanExit } from './harness.mjs';
import { DbShell, makeContext } from './faults/context.mjs';

process.env.LINLI_TEST_FAULTS = '1';
// Running out of memory in the request arena jumps to the router's recovery point (arena_on_oom):
// JSON a handler held at that moment is not freed. That leak is the known price of the jump, so
// this server alone runs without LeakSanitizer; every other suite keeps it on.
process.env.ASAN_OPTIONS = `${process.env.ASAN_OPTIONS || ''}:detect_leaks=0`;
const ALL_MODES = BACKEND === 'sqlite' ? ['alloc', 'alloc,persistent', 'io', 'io,persistent'] : ['alloc', 'alloc,persistent'];
const MODES = process.env.LINLI_FAULT_MODES ? ALL_MODES.filter((m) => process.env.LINLI_FAULT_MODES.split(' ').includes(m)) : ALL_MODES;
const ONLY = process.env.LINLI_FAULT_STEPS ? process.env.LINLI_FAULT_STEPS.split(',') : null;
let srv, admin, db, ctx;
const figures = { checks: 0, unchanged: 0, attempts: 0, loops: 0, longest: 0, longestAt: '', committedThen500: 0 };

before(async () => {
  srv = await startServer({ residents: 30 });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  db = new DbShell(srv.db);
  ctx = await makeContext(srv, admin);
});
after(async () => {
  db?.close();
  if (srv) assertCleanExit(assert, await srv.stop());
});

function faultSpec(mode, n) {
  const [kind, persistent] = mode.split(',');
  return `${kind}=${n}${persistent ? ',persistent' : ''}`;
}

// The database is whole: SQLite's own check, and no ledger entry out of balance or without postings.
// PRAGMA integrity_check reads the committed database; when nothing was committed since the last
// check (PRAGMA data_version, seen from the checker's own connection, is unchanged) and the main file
// was not written (a checkpoint), it would read the very same bytes, so it is counted and skipped.
let lastSeen = '';
async function assertWhole(where) {
  let integrity = false;
  if (BACKEND === 'sqlite') {
    const st = statSync(srv.db.slice(7), { bigint: true });
    const seen = `${await db.query('PRAGMA data_version;')}/${st.size}/${st.mtimeNs}`;
    integrity = seen !== lastSeen;
    lastSeen = seen;
    if (integrity) figures.checks++; else figures.unchanged++;
  }
  const out = (await db.query(`${integrity ? 'PRAGMA integrity_check;\n' : ''}` +
    'SELECT count(*) FROM (SELECT community_id, entry_seq FROM fund_postings GROUP BY community_id, entry_seq HAVING sum(amount_fen) <> 0) x;\n' +
    'SELECT count(*) FROM fund_entries e WHERE NOT EXISTS (SELECT 1 FROM fund_postings p WHERE p.community_id = e.community_id AND p.entry_seq = e.seq);\n' +
    'SELECT count(*) FROM audit_log;')).split('\n');
  if (integrity) assert.equal(out.shift(), 'ok', `integrity_check after ${where}`);
  assert.equal(out[0], '0', `an entry out of balance after ${where}`);
  assert.equal(out[1], '0', `an entry without postings after ${where}`);
  return Number(out[2]); // the audit rows: every write writes one
}

function assertChains(where) {
  const l = srv.cli(['ledger', 'verify']);
  assert.equal(l.status, 0, `ledger verify after ${where}: ${l.stdout}${l.stderr}`);
  const a = srv.cli(['audit', 'verify']);
  assert.equal(a.status, 0, `audit verify after ${where}: ${a.stdout}${a.stderr}`);
}

// Sends the request with the Nth operation failing, for N = 1, 2, … until it succeeds (2xx).
// Returns the successful answer.
async function untilSuccess(name, mode, send, { done = [] } = {}) {
  figures.loops++;
  let failed = false;
  let audited = await assertWhole(`${name} (${mode}) before its loop`);
  for (let n = 1; n < 5000; n++) {
    figures.attempts++;
    const r = await send({ 'X-Linli-Fault': faultSpec(mode, n) });
    // A write kept under a 5xx shows twice: the audit log grew after the failed attempt, or the next
    // attempt finds it done (409 with one of `done`). The router's commit point (server/router.c)
    // rolls back every answer of 500 or more, so the suite counts both and fails on any.
    const alreadyDone = failed && r.status === 409 && done.includes(r.data?.error?.code);
    if ((r.status >= 200 && r.status < 300) || alreadyDone) {
      if (n > figures.longest) { figures.longest = n; figures.longestAt = name; }
      if (alreadyDone) figures.committedThen500++;
      await assertWhole(`${name} (${mode}) succeeding at N=${n}`);
      return r;
    }
    assert.ok(r.status >= 500, `${name} with ${faultSpec(mode, n)}: ${r.status} ${r.text.slice(0, 300)}, not a 5xx; the server said: ${srv.stderr().slice(-600)}`);
    assert.ok(r.data && r.data.error && r.data.error.code, `${name} with ${faultSpec(mode, n)}: no error envelope: ${r.text.slice(0, 200)}`);
    failed = true;
    const now = await assertWhole(`${name} with ${faultSpec(mode, n)}`);
    if (now !== audited) {
      figures.committedThen500++; // the write (or some of it) was kept although it answered 5xx
      figures.keptAt ??= `${name} with ${faultSpec(mode, n)}: ${r.status} ${r.data?.error?.code}, ${now - audited} audit rows kept`;
      audited = now;
    }
  }
  assert.fail(`${name} (${mode}) never succeeded`);
}

// The steps, module by module, in file order.
async function loadSteps() {
  const dir = new URL('./faults/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'context.mjs').sort();
  const steps = [];
  for (const f of files) {
    const name = f.replace(/\.mjs$/, '');
    if (ONLY && !ONLY.includes(name)) continue;
    for (const s of (await import(new URL(f, dir))).default) steps.push({ ...s, module: name });
  }
  return steps;
}

test('every write endpoint has a step in the fault loop', { skip: ONLY ? 'a part only (LINLI_FAULT_STEPS)' : false }, async () => {
  const doc = (await admin.get('/api/v1/openapi.json')).data;
  const writes = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) if (method !== 'get') writes.push(`${method.toUpperCase()} ${path}`);
  }
  const covered = new Set((await loadSteps()).map((s) => s.op));
  assert.deepEqual(writes.filter((w) => !covered.has(w)), [], 'write endpoints without a step in tests/api/faults/');
  assert.deepEqual([...covered].filter((c) => !writes.includes(c)), [], 'steps for endpoints the document does not have');
});

test('each write fails cleanly at every allocation and file operation, until it succeeds', { timeout: 1200000 }, async (t) => {
  const steps = await loadSteps();
  const started = Date.now();
  for (const s of steps) s.shared = s.setup ? await s.setup(ctx) : undefined;
  for (const [m, mode] of MODES.entries()) {
    for (const s of steps) {
      const p = s.prepare ? await s.prepare(ctx, m, s.shared) : s.shared;
      const r = await untilSuccess(`${s.op} [${s.module}]`, mode, s.send(ctx, p, m), { done: s.done || [] });
      if (s.check) await s.check(ctx, r, p, m);
    }
    assertChains(`the steps in mode ${mode}`);
  }
  for (const s of steps) if (s.end) await s.end(ctx, s.shared, MODES.length);
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
  t.diagnostic(`${steps.length} steps × ${MODES.length} modes: ${figures.loops} loops, ${figures.attempts} attempts, each followed by the ledger checks; ${BACKEND === 'sqlite' ? `integrity_check run ${figures.checks} times, skipped ${figures.unchanged} times on an unchanged database; ` : ''}` +
    `longest loop N=${figures.longest} (${figures.longestAt}); ${figures.committedThen500} writes committed before a 500; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  assert.equal(figures.committedThen500, 0, `writes committed under a 5xx answer; the first: ${figures.keptAt}`);
});
