// The security findings about people search, login throttling and timing, forged GETs, sessions and
// search escaping (issue #11: H1, M1, L1, L3, L11 and the LIKE wildcards), each as an attacker or a
// user would notice it. Requests that must come from distinct client addresses are sent from
// 127.0.0.N (Linux routes the whole 127/8 to the loopback interface).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startServer, Client, account, assertCleanExit, idWithCheck, BIN } from './harness.mjs';

let srv, admin, staff, sw, district, C, person;
const PHONE = '13923456789';
const IDN = idWithCheck('44060619560314302'); // born 1956, a woman (2 is even)

before(async () => {
  srv = await startServer({ residents: 30 });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
  staff = await account(srv, 'sec.staff', 'staff');
  sw = await account(srv, 'sec.sw', 'social_worker');
  const districtId = (await admin.get('/api/v1/towns')).data.items[0].district_id;
  const pw = join(srv.dir, 'pw-district');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(pw, 'pass-district-123\n');
  assert.equal(srv.cli(['user', 'add', '--login', 'sec.district', '--password-file', pw, '--role', 'district_admin',
    '--district', String(districtId)]).status, 0);
  district = new Client(srv.base);
  assert.equal((await district.login('sec.district', 'pass-district-123')).status, 200);
  const r = await staff.post(`${C}/people`, { name: '梁秀英', phone: PHONE, id_number: IDN });
  assert.equal(r.status, 201, r.text);
  person = r.data;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

// One request from a chosen loopback address (fetch cannot choose its source address).
function from(ip, method, path, { json, headers = {}, base = srv.base } = {}) {
  const u = new URL(base);
  const body = json === undefined ? undefined : JSON.stringify(json);
  const h = { ...headers };
  if (body !== undefined) { h['Content-Type'] = 'application/json'; h['Content-Length'] = Buffer.byteLength(body); }
  return new Promise((ok, fail) => {
    const rq = http.request({ host: u.hostname, port: u.port, method, path, localAddress: ip, headers: h, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({
        status: res.statusCode, headers: res.headers, text,
        data: (res.headers['content-type'] || '').startsWith('application/json') ? JSON.parse(text) : null,
      }));
    });
    rq.on('error', fail);
    if (body !== undefined) rq.write(body);
    rq.end();
  });
}
const loginFrom = (ip, login, password, opts = {}) => from(ip, 'POST', '/api/v1/session', { json: { login, password }, ...opts });
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const auditRows = (action) => Number(srv.sql(`SELECT count(*) FROM audit_log WHERE community_id = ${srv.communityId} AND action = '${action}'`));
const auditCount = () => Number(srv.sql('SELECT count(*) FROM audit_log'));

// A second `linli serve` on the same database with other options; resolves to { base, stop }.
async function serveAlso(args, env = {}) {
  const root = resolve(new URL('../..', import.meta.url).pathname);
  const proc = spawn(BIN, ['serve', ...args, '--web-dir', join(root, 'web/dist')], { env: { ...srv.env, ...env } });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal, stderr: err })));
  const base = await new Promise((ok, fail) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /serving on http:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) ok(`http://127.0.0.1:${m[1]}`);
    });
    proc.on('exit', (code) => fail(new Error(`linli serve ${args.join(' ')} exited (${code}): ${err}`)));
  });
  return { base, async stop() { proc.kill('SIGTERM'); return exited; } };
}

// ---- H1: exact phone and ID number searches ----

test('H1: an exact phone or ID number search is refused (403) to roles without people.unmask', async () => {
  for (const c of [sw, district]) {
    for (const q of [PHONE, IDN, '+86 139 2345 6789', IDN.toLowerCase()]) {
      const r = await c.get(`${C}/people?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 403, `${c.login_ || 'district'} q=${q}: ${r.text}`);
      assert.equal(r.data.error.code, 'search_forbidden');
    }
    // A part of a number matches names only: it finds nobody, whatever the numbers are.
    const part = await c.get(`${C}/people?q=${PHONE.slice(0, 7)}`);
    assert.equal(part.status, 200);
    assert.equal(part.data.total, 0);
  }
});

test('H1: for roles without unmask the masks leave nothing to rebuild the number from', async () => {
  const masked = (await sw.get(`${C}/people/${person.id}`)).data;
  assert.equal(masked.phone, '*******6789');
  assert.equal(masked.id_number, '44' + '*'.repeat(16));
  assert.equal(masked.birth_year, 1956);
  assert.equal(masked.gender, 'F');
  for (const p of (await sw.get(`${C}/people?limit=50`)).data.items) {
    if (p.phone) assert.match(p.phone, /^\*{7}\d{4}$/);
    if (p.id_number) assert.match(p.id_number, /^\d\d\*{16}$/);
  }
  // Staff, who may unmask anyway, keep the usual mask.
  const forStaff = (await staff.get(`${C}/people/${person.id}`)).data;
  assert.equal(forStaff.phone, '139****6789');
  assert.equal(forStaff.id_number, IDN.slice(0, 4) + '*'.repeat(10) + IDN.slice(14));
});

test('H1: staff search an exact number by POST …/people/unmask; it is audited without the number', async () => {
  const before = auditCount();
  const onGet = await staff.get(`${C}/people?q=${PHONE}`);
  assert.equal(onGet.status, 400, 'a GET never searches numbers (it would have to be audited)');
  assert.equal(onGet.data.error.code, 'use_post');
  assert.equal(auditCount(), before);
  const searches = auditRows('search');
  for (const q of [PHONE, IDN]) {
    const r = await staff.post(`${C}/people/unmask`, { q });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.total, 1);
    assert.equal(r.data.items[0].id, person.id);
    assert.equal(r.data.items[0].phone, PHONE);
    assert.equal(r.data.items[0].id_number, IDN);
  }
  assert.equal(auditRows('search'), searches + 2);
  const rows = srv.sql(`SELECT after_json FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 2`);
  assert.doesNotMatch(rows, new RegExp(`${PHONE}|${IDN.slice(6, 14)}|${PHONE.slice(3, 7)}`), 'no number in clear in the audit log');
  const last = JSON.parse(rows.split('\n')[0]);
  assert.equal(last.by, 'id_number');
  assert.deepEqual(last.people, [person.id]);
  // A number nobody has is audited too (probing is what the log is for).
  assert.equal((await staff.post(`${C}/people/unmask`, { q: '13000000000' })).data.total, 0);
  assert.equal(auditRows('search'), searches + 3);
  // The social worker is refused the POST as well, and nothing is audited.
  const refused = await sw.post(`${C}/people/unmask`, { q: PHONE });
  assert.equal(refused.status, 403);
  assert.equal(auditRows('search'), searches + 3);
});

test('H1: exact number searches are throttled per account (429 with Retry-After)', async () => {
  const hunter = await account(srv, 'sec.hunter', 'staff');
  const codes = [];
  for (let i = 0; i < 21; i++) {
    const r = await hunter.post(`${C}/people/unmask`, { q: `1390000${String(i).padStart(4, '0')}` });
    codes.push(r.status);
    if (r.status === 429) {
      assert.equal(r.data.error.code, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
    }
  }
  assert.deepEqual(codes.slice(0, 20), Array(20).fill(200));
  assert.equal(codes[20], 429, 'the 21st search in a row waits');
  // A search by name is not a number search and is not throttled; another account is not slowed.
  assert.equal((await hunter.post(`${C}/people/unmask`, { q: '梁' })).status, 200);
  assert.equal((await staff.post(`${C}/people/unmask`, { q: PHONE })).status, 200);
});

// ---- M1: the login throttle's counters cannot be evicted ----

// The slot the old table gave a key: djb2 into 4,096 slots.
function djb2Slot(key) {
  let h = 5381n;
  for (const b of Buffer.from(key)) h = (h * 33n + BigInt(b)) & 0xffffffffffffffffn;
  return Number(h % 4096n);
}

test('M1: failed logins for other names cannot push out an account\'s counter', async () => {
  await account(srv, 'sec.victim', 'resident');
  const slot = djb2Slot('login:sec.victim');
  const names = [];
  for (let i = 0; names.length < 24; i++) if (djb2Slot(`login:m${i}`) === slot) names.push(`m${i}`);
  // Ten wrong guesses, each waiting out the slow-down after the fifth: the account is then locked
  // for 15 minutes.
  for (let wrong = 0; wrong < 10;) {
    const r = await loginFrom('127.0.0.5', 'sec.victim', 'wrong-guess');
    if (r.status === 429) await sleep(1000 * Number(r.headers['retry-after']) + 50);
    else { assert.equal(r.status, 401, r.text); wrong++; }
  }
  const locked = await loginFrom('127.0.0.6', 'sec.victim', 'pass-sec.victim-123');
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.headers['retry-after']) > 800);
  // Made-up names that land in the victim's slots of the old table (djb2), each from its own
  // address (so the per-address counter does not stop them).
  for (let i = 0; i < names.length; i += 4)
    await Promise.all(names.slice(i, i + 4).map((n, j) => loginFrom(`127.0.1.${10 + i + j}`, n, 'x')));
  const r = await loginFrom('127.0.0.6', 'sec.victim', 'pass-sec.victim-123');
  assert.equal(r.status, 429, 'the victim\'s counter is still there: even the right password waits');
  assert.ok(Number(r.headers['retry-after']) > 800);
});

// ---- L1: login timing does not tell which accounts exist ----

test('L1: a login for an unknown account takes as long as a wrong password', async () => {
  await account(srv, 'sec.timing', 'resident');
  const time = async (login) => {
    const t0 = process.hrtime.bigint();
    const r = await loginFrom('127.0.0.7', login, 'wrong-password');
    assert.equal(r.status, 401);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const known = [], unknown = [];
  for (let i = 0; i < 4; i++) {
    known.push(await time('sec.timing'));
    unknown.push(await time(`nobody-${i}`));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  assert.ok(median(unknown) > 0.5 * median(known), `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`);
});

// ---- L3: no GET has a side effect; unmasking and sealed views are POSTs with the CSRF token ----

test('L3: GET ?unmask=1 no longer unmasks or audits; POST …/people/unmask does, with the CSRF token', async () => {
  const before = auditCount();
  for (const path of [`${C}/people?unmask=1&format=csv`, `${C}/people/${person.id}?unmask=1`]) {
    const r = await staff.get(path);
    assert.equal(r.status, 400, `${path}: ${r.status}`);
    assert.equal(r.data.error.code, 'use_post');
    assert.doesNotMatch(r.text, new RegExp(PHONE));
  }
  assert.equal(auditCount(), before, 'a GET writes nothing');
  // A forged cross-site form post carries the cookie at most, never the token.
  for (const path of [`${C}/people/unmask`, `${C}/people/${person.id}/unmask`]) {
    const forged = await staff.req('POST', path, { json: {}, csrf: false });
    assert.equal(forged.status, 403);
    assert.equal(forged.data.error.code, 'csrf_failed');
  }
  assert.equal(auditCount(), before);
  const unmasks = auditRows('unmask');
  const one = await staff.req('POST', `${C}/people/${person.id}/unmask`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.data.phone, PHONE);
  assert.equal(one.data.id_number, IDN);
  assert.equal(typeof one.data.needy === 'boolean' || one.data.needy === null, true);
  const csv = await staff.post(`${C}/people/unmask`, { format: 'csv' });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /filename="people\.csv"/);
  assert.match(csv.text, new RegExp(IDN));
  const page = await staff.post(`${C}/people/unmask`, { limit: 5, offset: 0 });
  assert.equal(page.data.items.length, 5);
  assert.equal(page.data.total, 31);
  assert.equal(auditRows('unmask'), unmasks + 3);
  assert.equal((await staff.req('POST', `${C}/people/999999/unmask`)).status, 404);
  assert.equal(auditRows('unmask'), unmasks + 3, 'nobody shown, nothing audited');
  // Roles without unmask are refused the POSTs as they were the GETs.
  assert.equal((await sw.req('POST', `${C}/people/${person.id}/unmask`)).status, 403);
  assert.equal((await sw.get(`${C}/people?unmask=1`)).data.error.code, 'unmask_forbidden');
});

test('L3: a wish\'s sealed details are shown by POST …/wishes/{id}/private, audited; the GET never shows them', async () => {
  const w = await staff.post(`${C}/wishes`, {
    category: 'goods', urgency: 'blue', title: '一台收音机', story: '独居长者想听粤剧。', estimated_fen: 8000, consent: true,
    source: 'paper', paper_serial: 'SEC-1', beneficiary_name: '周秀兰', address: '5栋801', contact: '13900001111',
  });
  assert.equal(w.status, 201, w.text);
  const before = auditCount();
  const get = await staff.get(`${C}/wishes/${w.data.id}?private=1`);
  assert.equal(get.status, 400);
  assert.equal(get.data.error.code, 'use_post');
  assert.doesNotMatch(get.text, /周秀兰/);
  assert.equal(auditCount(), before);
  const forged = await staff.req('POST', `${C}/wishes/${w.data.id}/private`, { csrf: false });
  assert.equal(forged.status, 403);
  assert.equal(auditCount(), before);
  const shown = await staff.req('POST', `${C}/wishes/${w.data.id}/private`);
  assert.equal(shown.status, 200, shown.text);
  assert.equal(shown.data.private.beneficiary_name, '周秀兰');
  assert.equal(shown.data.id, w.data.id);
  assert.equal(auditCount(), before + 1);
  assert.equal((await staff.req('POST', `${C}/wishes/999999/private`)).status, 404);
  assert.equal(auditCount(), before + 1);
});

// ---- L11: sessions ----

test('L11: logging in again replaces the old session', async () => {
  const c = new Client(srv.base);
  await c.login('sec.staff', 'pass-sec.staff-123');
  const old = c.cookie;
  const again = await c.login('sec.staff', 'pass-sec.staff-123');
  assert.equal(again.status, 200);
  assert.notEqual(c.cookie, old);
  assert.equal((await c.get('/api/v1/session')).status, 200);
  const stale = new Client(srv.base);
  stale.cookie = old;
  assert.equal((await stale.get('/api/v1/session')).status, 401, 'the cookie replaced is dead');
});

test('L11: a password change ends the account\'s sessions', async () => {
  const a = await account(srv, 'sec.pw', 'staff');
  const b = new Client(srv.base);
  assert.equal((await b.login('sec.pw', 'pass-sec.pw-123')).status, 200);
  assert.equal((await a.get('/api/v1/session')).status, 200, 'a second login elsewhere leaves the first alone');
  assert.equal((await b.get('/api/v1/session')).status, 200);
  const { writeFileSync } = await import('node:fs');
  const pw = join(srv.dir, 'pw-new');
  writeFileSync(pw, 'a-new-password-1\n');
  const r = srv.cli(['user', 'passwd', '--login', 'sec.pw', '--password-file', pw]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await a.get('/api/v1/session')).status, 401);
  assert.equal((await b.get('/api/v1/session')).status, 401);
  assert.match(r.stdout, /2 sessions ended/);
  assert.equal((await new Client(srv.base).login('sec.pw', 'a-new-password-1')).status, 200);
});

test('L11: the cookie is Secure when linli listens beyond loopback; X-Forwarded-Proto counts only from --trust-proxy', async () => {
  // On loopback, a client's own X-Forwarded-Proto is not believed.
  const lied = await new Client(srv.base).post('/api/v1/session', { login: 'admin', password: srv.password },
    { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(lied.status, 200);
  assert.doesNotMatch(lied.headers.get('set-cookie'), /Secure/);
  const wide = await serveAlso(['--listen', '0.0.0.0:0']);
  try {
    const r = await new Client(wide.base).login('admin', srv.password);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie'), /; Secure/);
  } finally { assertCleanExit(assert, await wide.stop()); }
  const proxied = await serveAlso(['--listen', '127.0.0.1:0', '--trust-proxy', '127.0.0.9']);
  try {
    const viaProxy = await loginFrom('127.0.0.9', 'admin', srv.password, { base: proxied.base, headers: { 'X-Forwarded-Proto': 'https' } });
    assert.equal(viaProxy.status, 200);
    assert.match(viaProxy.headers['set-cookie'][0], /; Secure/);
    const notProxy = await loginFrom('127.0.0.8', 'admin', srv.password, { base: proxied.base, headers: { 'X-Forwarded-Proto': 'https' } });
    assert.doesNotMatch(notProxy.headers['set-cookie'][0], /Secure/);
    // Behind the proxy, the address that counts for the login throttle is the client's, not the proxy's.
    for (let i = 0; i < 25; i++) {
      const f = await loginFrom('127.0.0.9', `ghost${i}`, 'x', { base: proxied.base, headers: { 'X-Forwarded-For': `203.0.113.${i}` } });
      assert.equal(f.status, 401, `client ${i} behind the proxy: ${f.status}`);
    }
  } finally { assertCleanExit(assert, await proxied.stop()); }
  const bad = srv.cli(['serve', '--trust-proxy', 'not-an-address']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--trust-proxy/);
});

test('L11: serve --help describes the idle and absolute session limits and --trust-proxy', () => {
  const r = srv.cli(['serve', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--session-idle-minutes N/);
  assert.match(r.stdout, /--session-hours N/);
  assert.match(r.stdout, /--trust-proxy ADDR/);
});

// ---- "%" and "_" in search text ----

test('% and _ in search text match themselves, not everything', async () => {
  const lists = [`${C}/people`, `${C}/compounds`, `${C}/venues`, `${C}/organisations`, `${C}/staff`, `${C}/volunteers`,
    `${C}/activities`, '/api/v1/communities'];
  for (const path of lists) {
    const all = await admin.get(`${path}?limit=1`);
    assert.equal(all.status, 200, path);
    assert.ok(all.data.total > 0, `${path} has rows`);
    for (const q of ['%', '_', '%%', '\\', '\\%']) {
      const r = await admin.get(`${path}?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, `${path}?q=${q}: ${r.text}`);
      assert.equal(r.data.total, 0, `${path}?q=${q} matched ${r.data.total}`);
    }
  }
  const odd = await admin.post(`${C}/compounds`, { name: '百分之百_小区%' });
  assert.equal(odd.status, 201);
  for (const q of ['%', '_', '百分之百_', '_小区%']) {
    const r = await admin.get(`${C}/compounds?q=${encodeURIComponent(q)}`);
    assert.deepEqual(r.data.items.map((x) => x.name), ['百分之百_小区%'], q);
  }
  // The same in the POST search.
  assert.equal((await staff.post(`${C}/people/unmask`, { q: '%' })).data.total, 0);
});

// ---- L11: idle and absolute limits, on a server whose session clock the test moves ----

test('L11: a session ends after 2 hours without a request; activity keeps it alive up to the absolute limit', async () => {
  const clock = join(srv.dir, 'session-clock');
  const { writeFileSync } = await import('node:fs');
  const setClock = (seconds) => writeFileSync(clock, String(seconds));
  setClock(0);
  const other = await serveAlso(['--listen', '127.0.0.1:0'], { LINLI_TEST_SESSION_CLOCK_FILE: clock });
  try {
    await account(srv, 'sec.idle', 'resident');
    await account(srv, 'sec.busy', 'resident');
    const [idle, busy] = [new Client(other.base), new Client(other.base)];
    assert.equal((await idle.login('sec.idle', 'pass-sec.idle-123')).status, 200);
    assert.equal((await busy.login('sec.busy', 'pass-sec.busy-123')).status, 200);
    setClock(90 * 60);
    assert.equal((await busy.get('/api/v1/session')).status, 200);
    setClock(2 * 3600 + 60);
    assert.equal((await idle.get('/api/v1/session')).status, 401, 'idle for 2 hours: gone');
    assert.equal((await busy.get('/api/v1/session')).status, 200, 'seen 31 minutes ago: alive');
    for (let h = 3; h < 12; h++) {
      setClock(h * 3600);
      assert.equal((await busy.get('/api/v1/session')).status, 200, `hour ${h}`);
    }
    setClock(12 * 3600 + 60);
    assert.equal((await busy.get('/api/v1/session')).status, 401, 'past the absolute 12 hours');
  } finally { assertCleanExit(assert, await other.stop()); }
});
