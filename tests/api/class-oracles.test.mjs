// Class test of issue #11: oracles. Every endpoint that answers whether a secret value exists is in
// ORACLES below and is (a) throttled — after N failures 429 with Retry-After; (b) audited or logged;
// (c) answers the same for an existing and a non-existing value (status and body), and takes about
// as long (medians of 15 tries each, within 3x or 20 ms: robust on a loaded machine). Requests that
// must come from distinct client addresses are sent from 127.0.0.N (all of 127/8 is loopback).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, Client, account, assertCleanExit } from './harness.mjs';

const ORACLES = [
  { endpoint: 'POST /api/v1/session', secret: 'an account\'s password (and whether a login exists)',
    throttle: 'per login 5 then 1, 2, 4… s, 10 → 15 min; per address 20 / 50', record: 'access log (401)', same: '401 bad_credentials for unknown login and wrong password' },
  { endpoint: 'POST /communities/{id}/people/unmask', secret: 'whether a whole phone or ID number is in the registry',
    throttle: 'per account 20 number searches, then waits', record: 'audit_log action search (without the number)',
    same: 'by design a search answers what it finds, to people.unmask holders only (staff, admin)' },
  { endpoint: 'GET /api/v1/certificates/{serial}[?k=]', secret: 'a certificate\'s key', throttle: 'per address 20 in 15 min, then waits',
    record: 'access log', same: '{"valid":false} for a wrong key and an unknown serial, byte for byte' },
  { endpoint: 'POST /communities/{id}/voting-codes/redeem', secret: 'a household voting code',
    throttle: 'per account 5 then slower, 10 → 15 min; per address 20 / 50', record: 'audit_log redeem_code_failed (hash prefix, never the code)',
    same: 'unknown 404 not_found; a used code 409 code_used on purpose (the household must learn its code was taken); the throttle bounds guessing' },
  { endpoint: 'GET /communities/{id}/volunteers/{id}/calendar.ics?token=', secret: 'a keyed token over the volunteer id',
    throttle: 'none needed: the token is a MAC checked before any look-up, nothing stored is consulted', record: 'access log',
    same: '404 not_found for an unknown volunteer and a wrong token' },
];

let srv, admin, C;
before(async () => {
  srv = await startServer({ residents: 20 });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

// One request from a chosen loopback address.
function from(ip, method, path, { json, headers = {} } = {}) {
  const u = new URL(srv.base);
  const body = json === undefined ? undefined : JSON.stringify(json);
  const h = { ...headers };
  if (body !== undefined) { h['Content-Type'] = 'application/json'; h['Content-Length'] = Buffer.byteLength(body); }
  return new Promise((ok, fail) => {
    const t0 = process.hrtime.bigint();
    const rq = http.request({ host: u.hostname, port: u.port, method, path, localAddress: ip, headers: h, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, text, ms: Number(process.hrtime.bigint() - t0) / 1e6,
        data: (res.headers['content-type'] || '').startsWith('application/json') ? JSON.parse(text) : null }));
    });
    rq.on('error', fail);
    if (body !== undefined) rq.write(body);
    rq.end();
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function assertSimilarTime(a, b, what) {
  const ma = median(a), mb = median(b);
  console.log(`timing ${what}: medians ${ma.toFixed(1)} ms and ${mb.toFixed(1)} ms (${a.length} and ${b.length} tries)`);
  assert.ok(Math.abs(ma - mb) <= 20 || Math.max(ma, mb) <= 3 * Math.min(ma, mb),
    `${what}: medians ${ma.toFixed(1)} ms and ${mb.toFixed(1)} ms`);
}
const shape = (d) => JSON.stringify(d, (k, v) => (k === 'message' ? typeof v : v));
const audits = (action) => Number(srv.sql(`SELECT count(*) FROM audit_log WHERE action = '${action}'`));
const retryAfter = (r) => Number(r.headers['retry-after']);
// The access log line is written after the answer is sent: wait for it (up to 5 s).
async function logged(re) {
  for (let i = 0; i < 50 && !re.test(srv.log()); i++) await new Promise((ok) => setTimeout(ok, 100));
  return srv.log();
}

test('the table: every oracle says what it guards, its throttle, its record and how its answers compare', () => {
  for (const o of ORACLES) for (const k of ['secret', 'throttle', 'record', 'same']) assert.ok(o[k], `${o.endpoint}: ${k}`);
});

// ---- login ----

test('login: unknown login and wrong password answer alike, in about the same time; then throttled', async () => {
  const known = [];
  for (let i = 0; i < 3; i++) known.push((await account(srv, `oracle-known${i}`)).login_);
  const tk = [], tu = [];
  let n = 0;
  for (let round = 0; round < 5; round++) {
    for (const login of known) {
      const a = await from(`127.0.4.${++n}`, 'POST', '/api/v1/session', { json: { login, password: 'wrong-password' } });
      const b = await from(`127.0.4.${++n}`, 'POST', '/api/v1/session', { json: { login: `oracle-nobody-${n}`, password: 'wrong-password' } });
      assert.equal(a.status, 401, a.text);
      assert.equal(b.status, 401, b.text);
      assert.equal(shape(a.data), shape(b.data), 'the same body');
      assert.equal(a.data.error.code, 'bad_credentials');
      tk.push(a.ms); tu.push(b.ms);
    }
  }
  assertSimilarTime(tk, tu, 'login: known vs unknown');
  // Throttled: a sixth failure in a row for one login waits.
  let held;
  for (let i = 0; i < 8 && !held; i++) {
    const r = await from('127.0.5.1', 'POST', '/api/v1/session', { json: { login: known[0], password: 'wrong-again' } });
    if (r.status === 429) held = r;
  }
  assert.ok(held, 'a run of failures is throttled');
  assert.equal(held.data.error.code, 'rate_limited');
  assert.ok(retryAfter(held) >= 1);
  // Logged: the access log has the failures.
  assert.match(await logged(/POST \/api\/v1\/session 401/), /POST \/api\/v1\/session 401/);
  assert.match(await logged(/POST \/api\/v1\/session 429/), /POST \/api\/v1\/session 429/);
});

// ---- exact number search ----

test('number search: audited without the number, throttled per account', async () => {
  const staff = await account(srv, 'oracle-staff', 'staff');
  const before = audits('search');
  const phone = '13987654321';
  const r = await staff.post(`${C}/people/unmask`, { q: phone });
  assert.equal(r.status, 200, r.text);
  assert.equal(audits('search'), before + 1, 'each number search is audited');
  assert.equal(srv.sql(`SELECT count(*) FROM audit_log WHERE action = 'search' AND (COALESCE(after_json, '') LIKE '%${phone}%' OR COALESCE(before_json, '') LIKE '%${phone}%')`), '0',
    'the audit row does not hold the number');
  let held;
  for (let i = 0; i < 25 && !held; i++) {
    const x = await staff.post(`${C}/people/unmask`, { q: `1398765${String(i).padStart(4, '0')}` });
    if (x.status === 429) held = x;
    else assert.equal(x.status, 200, x.text);
  }
  assert.ok(held, 'throttled');
  assert.equal(held.data.error.code, 'rate_limited');
  assert.ok(Number(held.headers.get('retry-after')) >= 1);
  // Who may not unmask cannot use it as an oracle at all.
  const sw = await account(srv, 'oracle-sw', 'social_worker');
  assert.equal((await sw.post(`${C}/people/unmask`, { q: phone })).status, 403);
});

// ---- certificate check ----

test('certificate check: a wrong key and an unknown serial answer the same bytes, in about the same time; then throttled', async () => {
  const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  const v = (await admin.get(`${C}/volunteers?status=approved&limit=1`)).data.items[0];
  const cert = await admin.post(`${C}/volunteers/${v.id}/certificates`, { from: `${year - 3}-01-01`, to: `${year}-12-31` });
  assert.equal(cert.status, 201, cert.text);
  const serial = cert.data.serial;
  const unknown = serial.replace(/\d+$/, (d) => String(Number(d) + 9000));
  const tk = [], tu = [], tn = [];
  for (let i = 0; i < 15; i++) {
    // A fresh address for each pair: the throttle is not what is measured here.
    const ip = `127.0.6.${i + 1}`;
    const a = await from(ip, 'GET', `/api/v1/certificates/${serial}?k=wrongkey${i}`);
    const b = await from(ip, 'GET', `/api/v1/certificates/${unknown}?k=wrongkey${i}`);
    const c = await from(ip, 'GET', `/api/v1/certificates/${unknown}`);
    assert.equal(a.status, 200);
    assert.equal(a.text, b.text, 'a wrong key reads as an unknown serial');
    assert.equal(a.text, '{"valid":false}');
    assert.equal(c.text, '{"valid":false}');
    tk.push(a.ms); tu.push(b.ms); tn.push(c.ms);
  }
  assertSimilarTime(tk, tu, 'certificate: wrong key vs unknown serial');
  // Without a key, a valid certificate says only {"valid":true}: no details.
  const plain = await from('127.0.6.100', 'GET', `/api/v1/certificates/${serial}`);
  assert.equal(plain.text, '{"valid":true}');
  let held;
  for (let i = 0; i < 30 && !held; i++) {
    const r = await from('127.0.6.200', 'GET', `/api/v1/certificates/${serial}?k=guess${i}`);
    if (r.status === 429) held = r;
  }
  assert.ok(held, 'guessing keys is throttled');
  assert.equal(held.data.error.code, 'rate_limited');
  assert.ok(retryAfter(held) >= 1);
  // Even the right key waits out the throttle (the look-up is not made).
  const right = cert.data.verify_token ?? cert.data.content?.verify_token;
  assert.ok(right, 'the issuer sees the key');
  assert.equal((await from('127.0.6.201', 'GET', `/api/v1/certificates/${serial}?k=${right}`)).status, 200, 'the key opens it from elsewhere');
  assert.equal((await from('127.0.6.200', 'GET', `/api/v1/certificates/${serial}?k=${right}`)).status, 429);
  assert.match(await logged(/GET \/api\/v1\/certificates\/\S+ 429/), /GET \/api\/v1\/certificates\/\S+ 429/, 'logged');
  assert.doesNotMatch(srv.log(), /wrongkey|guess\d/, 'the access log does not keep the keys tried');
});

// ---- voting codes ----

test('voting codes: failures audited (never the code), throttled per account; unknown and used codes answer by design', async () => {
  const round = (await admin.get(`${C}/grant-rounds?limit=100`)).data.items.find((x) => x.phase === 'voting');
  assert.ok(round, 'the demo has a round in voting');
  const codes = (await admin.post(`${C}/grant-rounds/${round.id}/voting-codes`, { count: 2 })).data.codes;
  const a = await account(srv, 'oracle-voter-a');
  const b = await account(srv, 'oracle-voter-b');
  const before = audits('redeem_code_failed');
  const unknown = await a.post(`${C}/voting-codes/redeem`, { code: 'ZZZZZZZZZZ' });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal((await b.post(`${C}/voting-codes/redeem`, { code: codes[0] })).status, 200);
  const used = await a.post(`${C}/voting-codes/redeem`, { code: codes[0] });
  assert.equal(used.status, 409, used.text);
  assert.equal(used.data.error.code, 'code_used');
  assert.equal(shape(Object.keys(unknown.data.error)), shape(Object.keys(used.data.error)), 'the same body shape');
  assert.equal(audits('redeem_code_failed'), before + 2, 'each failure is audited');
  const rows = srv.sql(`SELECT COALESCE(after_json, '') FROM audit_log WHERE action = 'redeem_code_failed'`);
  assert.doesNotMatch(rows, /ZZZZZZZZZZ/);
  assert.ok(!rows.includes(codes[0]), 'never the code in clear');
  let held;
  for (let i = 0; i < 12 && !held; i++) {
    const r = await a.post(`${C}/voting-codes/redeem`, { code: `NOPE${i}`.padEnd(10, 'X') });
    if (r.status === 429) held = r;
  }
  assert.ok(held, 'throttled');
  assert.equal(held.data.error.code, 'rate_limited');
  assert.ok(Number(held.headers.get('retry-after')) >= 1);
  // Held tries are not looked at: even a good code waits.
  assert.equal((await a.post(`${C}/voting-codes/redeem`, { code: codes[1] })).status, 429);
  // A used code and an unknown one take about as long (each account tries 4, under its throttle;
  // each try from an address of its own).
  const tUsed = [], tUnknown = [];
  let ip = 0;
  for (let k = 0; k < 8; k++) {
    const c = await account(srv, `oracle-timer${k}`);
    const as = (code) => from(`127.0.8.${++ip}`, 'POST', `${C}/voting-codes/redeem`, { json: { code }, headers: { Cookie: c.cookie, 'X-CSRF-Token': c.csrf } });
    for (let i = 0; i < 2; i++) {
      const u = await as(codes[0]);
      const x = await as(`UNKN${k}${i}`.padEnd(10, 'Q'));
      assert.deepEqual([u.status, x.status], [409, 404], `${u.text} ${x.text}`);
      tUsed.push(u.ms); tUnknown.push(x.ms);
    }
  }
  assertSimilarTime(tUsed, tUnknown, 'voting code: used vs unknown');
});

// ---- calendar tokens ----

test('calendar links: an unknown volunteer and a wrong token answer alike, in about the same time', async () => {
  const v = (await admin.get(`${C}/volunteers?status=approved&limit=1`)).data.items[0];
  const tk = [], tu = [];
  for (let i = 0; i < 15; i++) {
    const a = await from('127.0.7.1', 'GET', `${C}/volunteers/${v.id}/calendar.ics?token=wrong${i}`);
    const b = await from('127.0.7.1', 'GET', `${C}/volunteers/99999${i}/calendar.ics?token=wrong${i}`);
    assert.equal(a.status, 404);
    assert.equal(a.text, b.text);
    tk.push(a.ms); tu.push(b.ms);
  }
  assertSimilarTime(tk, tu, 'calendar: wrong token vs unknown volunteer');
});

// ---- no other check-by-secret endpoint ----

test('the OpenAPI document has no other public check-by-code endpoint than the table\'s', () => {
  const doc = JSON.parse(srv.cli(['openapi']).stdout);
  const known = ['/api/v1/session', '/api/v1/certificates/{serial}', '/api/v1/certificates/{serial}/qr.svg',
    '/api/v1/communities/{community_id}/voting-codes/redeem', '/api/v1/communities/{community_id}/volunteers/{volunteer_id}/calendar.ics',
    '/api/v1/communities/{community_id}/people/unmask', '/api/v1/communities/{community_id}/people/{person_id}/unmask',
    // staff-only checks of what staff keyed in (not secrets): a paper ballot by its printed serial
    '/api/v1/communities/{community_id}/grant-rounds/{round_id}/paper-ballots/{serial}/check',
    // a volunteer's own QR scan: a signed, expiring token for a shift, not a stored secret
    '/api/v1/communities/{community_id}/shifts/{shift_id}/scan',
    // the ledger's own check of its hash chain: no secret
    '/api/v1/communities/{community_id}/fund/verify',
    // staff record how they verified a wish; staff make voting codes (shown once, stored hashed)
    '/api/v1/communities/{community_id}/wishes/{wish_id}/verify',
    '/api/v1/communities/{community_id}/grant-rounds/{round_id}/voting-codes'];
  const found = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const params = Object.values(ops).flatMap((op) => (op && op.parameters) || []).map((p) => p.name);
    if (/(verify|check|redeem|unmask|token|code|serial|session|scan|\.ics)/i.test(path) || params.some((n) => /^(k|key|token|code)$/.test(n))) found.push(path);
  }
  assert.deepEqual(found.filter((p) => !known.includes(p)), [], 'an endpoint that checks a secret must be classified in ORACLES');
});
