// Security issue #11, class test: where every client value goes. Every route of the route table
// (taken from `linli openapi`, so a new route is covered without editing this file) gets hostile
// values in each of its body fields, query parameters and path parameters — path-like strings,
// NUL, CR/LF (raw and percent-encoded), a 1 MB string or a 100,000-element array (one huge value
// per route), INT64_MAX, INT64_MIN, 2^63, -1, 1e308 and every wrong JSON type — sent by the global
// admin (who passes every permission check, so the handler is reached) and by a plain resident.
// The other fields of the body are valid, and path parameters are real ids of the demo community.
// It proves: no answer is a 5xx; the server keeps answering after every route; no answer carries a
// header line a value injected (nor CR/LF in any header); the access log stays one line per request;
// no answer holds the secret key, /etc/passwd, the server's environment or the database file; and
// after the run every stored file reference is `sha256:` and 64 lowercase hex characters, or NULL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, account, assertCleanExit, idWithCheck, BACKEND } from './harness.mjs';

// Routes not sent hostile values, and why. Everything else in the OpenAPI document is.
const SKIPS = {
  'DELETE /api/v1/session': 'logout: ends the caller\'s session, and with it the rest of the run',
};
// POST /api/v1/session (login) is run last: failed logins count against 127.0.0.1's rate limit.
const LAST = new Set(['POST /api/v1/session']);

const I64MAX = '9223372036854775807', I64MIN = '-9223372036854775808', I64OVER = '9223372036854775808';
// Raw JSON numbers JSON.stringify cannot write: a marker string, replaced in the body text.
const rawNum = (t) => `\u0001RAW${t}\u0001`;
const toJson = (v) => JSON.stringify(v).replace(/"\\u0001RAW([^"\\]*)\\u0001"/g, '$1');

const HOSTILE_STRINGS = [
  '../../secret.key', '/proc/self/environ', 'sha256:../../linli.db', '/etc/passwd', `sha256:${'../'.repeat(20)}etc/passwd`,
  'a\u0000b', 'a\r\nX-Injected: 1', '%0d%0aX-Injected:%201', 'a\nX-Injected: 1', '', '%s%s%s%n', '\'; DROP TABLE accounts; --',
];
// The values for a body field: every hostile text for a text field and every number for a number
// field; of the others, a few of each kind (a wrong type is refused whatever it holds), so that the
// walk stays within its time.
const NUMBERS = [rawNum(I64MAX), rawNum(I64MIN), rawNum(I64OVER), -1, 0, rawNum('1e308'), rawNum('-1e308'), 1.5];
const WRONG = [true, null, [], {}];
const ITEMS = [[null], [{}], ['../../secret.key'], [rawNum(I64MAX)], HOSTILE_STRINGS.slice(5, 9)];
function hostileValues(s) {
  const few = [HOSTILE_STRINGS[0], HOSTILE_STRINGS[5], HOSTILE_STRINGS[6]];
  const out = [...(s.type === 'string' || !s.type ? HOSTILE_STRINGS : few), ...(s.type === 'integer' ? NUMBERS : [rawNum(I64MAX), -1, rawNum('1e308')]), ...WRONG];
  if (s.type === 'array') out.push(...ITEMS);
  if (s.type === 'object') out.push({ '../../x': 'a\r\nX-Injected: 1' }, { a: rawNum(I64OVER) }, { a: { b: [null] } });
  return out;
}
const HOSTILE_QUERY = [
  ...HOSTILE_STRINGS.map(encodeURIComponent), '%0d%0aX-Injected:%201', '%00', I64MAX, I64MIN, I64OVER, '-1', '1e308', 'abc', '1.5',
  'x'.repeat(8000),
];
const HOSTILE_PATH = ['..%2f..%2fsecret.key', '%2e%2e', 'a%00b', 'a%0d%0aX-Injected:%201', I64MAX, I64OVER, '-1', '0', '1e308', 'abc'];
const HUGE_STRING = 'x'.repeat(1000000);
const HUGE_ARRAY = Array.from({ length: 100000 }, (_, i) => i + 1);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);

let srv, admin, resident, spec, ids, secret;
const failures = [];
let requests = 0;

// Real ids of the demo community, by the name of the parameter or field that holds one.
function demoIds() {
  const A = srv.communityId;
  const one = (sql) => { try { return srv.sql(sql) || '1'; } catch { return '1'; } };
  const m = {
    community_id: String(A),
    district_id: one('SELECT min(id) FROM districts'),
    town_id: one('SELECT min(id) FROM towns'),
    compound_id: one(`SELECT min(id) FROM compounds WHERE community_id = ${A}`),
    person_id: one(`SELECT min(id) FROM people WHERE community_id = ${A}`),
    volunteer_id: one(`SELECT min(id) FROM volunteers WHERE community_id = ${A}`),
    training_id: one(`SELECT min(id) FROM trainings WHERE community_id = ${A}`),
    activity_id: one(`SELECT min(id) FROM activities WHERE community_id = ${A}`),
    shift_id: one(`SELECT max(id) FROM shifts WHERE community_id = ${A}`),
    hour_id: one(`SELECT min(id) FROM hour_records WHERE community_id = ${A}`),
    seq: one(`SELECT max(seq) FROM fund_entries WHERE community_id = ${A}`),
    wish_id: one(`SELECT min(id) FROM wishes WHERE community_id = ${A}`),
    campaign_id: one(`SELECT min(id) FROM wish_campaigns WHERE community_id = ${A}`),
    round_id: one(`SELECT min(round_id) FROM grant_proposals WHERE community_id = ${A}`),
    organisation_id: one(`SELECT min(id) FROM organisations WHERE community_id = ${A}`),
    report_id: one(`SELECT min(id) FROM grant_reports WHERE community_id = ${A}`),
    team_id: one(`SELECT min(id) FROM vol_teams WHERE community_id = ${A}`),
    account_id: String(resident.id),
  };
  m.proposal_id = one(`SELECT min(id) FROM grant_proposals WHERE community_id = ${A} AND round_id = ${m.round_id}`);
  m.certificate_id = one(`SELECT min(id) FROM vol_certificates WHERE community_id = ${A}`);
  m.serial = one(`SELECT min(serial) FROM vol_certificates WHERE community_id = ${A}`);
  m.attachment_id = one(`SELECT min(id) FROM grant_attachments WHERE community_id = ${A}`);
  m.objection_id = one(`SELECT min(id) FROM grant_objections WHERE community_id = ${A}`);
  m.request_id = one(`SELECT min(id) FROM fund_requests WHERE community_id = ${A}`);
  m.change_id = one(`SELECT min(id) FROM fund_settings_changes WHERE community_id = ${A}`);
  return m;
}

// A valid value for a body field of this schema, so that the hostile one next to it is what is judged.
function validValue(name, s) {
  if (s.enum) return s.enum[0];
  if (name in ids && s.type === 'integer') return Number(ids[name]);
  const plural = { team_ids: 'team_id', volunteer_ids: 'volunteer_id', proposal_ids: 'proposal_id', ids: 'hour_id' }[name];
  if (plural) return [Number(ids[plural])];
  switch (s.type) {
    case 'string':
      if (name === 'phone') return '13800138000';
      if (name === 'id_number') return idWithCheck('44060619800101001');
      if (/(_on|^deadline|^from|^to)$/.test(name)) return '2026-06-01';
      return '测试'.slice(0, s.maxLength || 2);
    case 'integer': {
      // Times in UTC seconds, in the order the routes want them (a shift starts before it ends, …).
      const days = { held_at: 20, cancel_deadline: 29, starts_at: 30, ends_at: 30.1, submission_ends: 30, voting_opens: 40, voting_closes: 50 }[name];
      if (days) return Math.floor(Date.now() / 1000 + 86400 * days);
      if (name === 'birth_year') return 1990;
      return Math.max(1, s.minimum || 0);
    }
    case 'boolean': return false;
    case 'array': return s.items?.enum ? [s.items.enum[0]] : [];
    case 'object': return {};
    default: return null;
  }
}

// The operations of the OpenAPI document: method, path, its parameters and its JSON body schema.
function operations() {
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content || {};
      const type = Object.keys(content)[0] || null;
      ops.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, params: op.parameters || [], type,
        schema: content['application/json']?.schema || null });
    }
  }
  return ops;
}

const secretMarks = () => {
  const raw = readFileSync(join(srv.dir, 'secret.key'));
  const text = raw.toString('utf8').trim();
  return [text, raw.toString('hex'), raw.toString('base64')].filter((s) => s.length >= 16);
};

// Checks one answer; a problem goes into failures (the run goes on, and reports them all at the end).
const reached = new Map(); // route → the statuses the admin's answers had
function judge(what, r) {
  requests++;
  const m = /^admin (\S+ \S+) /.exec(what);
  if (m && !r.error) (reached.get(m[1]) || reached.set(m[1], new Set()).get(m[1])).add(r.status);
  if (r.error) return void failures.push(`${what}: no answer (${r.error})`);
  if (r.status >= 500) failures.push(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
  for (const [k, v] of r.headers) {
    if (/injected/i.test(k) || /[\r\n]/.test(v) || /X-Injected/i.test(v)) failures.push(`${what}: header ${k}: ${JSON.stringify(v)}`);
  }
  const body = r.buf.toString('latin1');
  for (const s of [...secret, 'root:x:0:0', 'LINLI_TEST_CLOCK_FILE=', `LINLI_DB=${srv.db}`, 'SQLite format 3']) {
    if (body.includes(s)) failures.push(`${what}: the answer holds ${s.slice(0, 24)}…`);
  }
}

async function send(c, method, url, { text, type, buf } = {}) {
  const headers = {};
  let body;
  if (text !== undefined) { headers['Content-Type'] = type || 'application/json'; body = text; }
  if (buf !== undefined) { headers['Content-Type'] = type || 'application/octet-stream'; body = buf; }
  try {
    return await c.req(method, url, { body, headers });
  } catch (e) {
    return { error: e.cause?.code || e.message };
  }
}

// Runs the jobs (functions returning promises) at most `width` at a time.
async function pool(jobs, width = 4) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) await jobs[next++]();
  }));
}

// Routes of a grant round walked a second time in a round that takes submissions, where the
// proposal routes reach their handlers' checks (the demo round is past them) — but not these,
// whose valid body would move that round on, out of submissions, for the rest of the walk.
const SECOND_PASS_SKIPS = {
  'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/phase': 'would end the round\'s submissions',
  'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/results/publish': 'would end the round\'s submissions',
};
let ids2;

// Every hostile request of one route, for one caller; path parameters from idmap.
function routeJobs(op, who, c, idmap = ids) {
  const jobs = [];
  const fillPath = (path, over = {}) => path.replace(/\{(\w+)\}/g, (_, n) => (n in over ? over[n] : idmap[n] ?? '1'));
  const url = fillPath(op.path);
  const tag = `${who} ${op.key}`;
  const add = (what, method, u, o) => jobs.push(async () => judge(`${tag} ${what}`, await send(c, method, u, o)));
  const props = op.schema?.properties || {};
  const base = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(k, s)]));
  const hasBody = op.type !== null;
  const bodyWith = (k, v) => toJson({ ...base, [k]: v });
  // The valid body itself, then each field hostile in turn.
  if (op.type === 'application/json') {
    add('valid body', op.method, url, { text: toJson(base) });
    for (const k of Object.keys(props)) for (const v of hostileValues(props[k])) add(`${k}=${toJson(v).slice(0, 40)}`, op.method, url, { text: bodyWith(k, v) });
    // An unknown field with a hostile name, and a body that is no object.
    add('unknown field', op.method, url, { text: toJson({ ...base, '../../secret.key': '/proc/self/environ' }) });
    for (const t of ['[]', '"../../secret.key"', I64MAX, 'null', '{"a":"\\u0000"}', '{']) add(`body ${t}`, op.method, url, { text: t });
    if (who === 'admin') {
      const str = Object.keys(props).find((k) => props[k].type === 'string');
      const arr = Object.keys(props).find((k) => props[k].type === 'array');
      if (str) add(`${str}=<1 MB>`, op.method, url, { text: bodyWith(str, HUGE_STRING) });
      else if (arr) add(`${arr}=<100k items>`, op.method, url, { text: bodyWith(arr, HUGE_ARRAY) });
      else add('<1 MB body>', op.method, url, { text: toJson({ x: HUGE_STRING }) });
    }
  } else if (hasBody) {
    // A CSV or a file: hostile bytes as the whole body.
    for (const s of HOSTILE_STRINGS) add(`body ${JSON.stringify(s)}`, op.method, url, { buf: Buffer.from(s), type: op.type === 'text/csv' ? 'text/csv' : 'image/png' });
    add('csv CR/LF', op.method, url, { buf: Buffer.from('name,phone\r\n"a\r\nX-Injected: 1",../../secret.key\r\n/proc/self/environ,\u0000\r\n'), type: 'text/csv' });
    add('png named like a path', op.method, url, { buf: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('../../secret.key')]), type: 'image/png' });
    if (who === 'admin') add('<1 MB body>', op.method, url, { buf: Buffer.alloc(1000000, 0x41), type: op.type });
  } else {
    add('as listed', op.method, url);
  }
  // Query parameters, each hostile in turn (and one no route declares).
  const query = op.params.filter((p) => p.in === 'query').map((p) => p.name);
  // A valid body with them: the JSON one, a small CSV, or a PNG for a file upload.
  const baseBody = op.type === 'application/json' ? { text: toJson(base) } : op.type === 'text/csv' ? { buf: Buffer.from('name\n测试\n'), type: 'text/csv' }
    : op.type ? { buf: PNG, type: 'image/png' } : undefined;
  for (const q of query) {
    for (const v of HOSTILE_QUERY) add(`?${q}=${v.slice(0, 30)}`, op.method, `${url}?${q}=${v}`, baseBody);
  }
  for (const v of ['..%2f..%2fsecret.key', 'a%00b', '%0d%0aX-Injected:%201']) add(`?${v}=${v}`, op.method, `${url}?${v}=${v}`, baseBody);
  // A list's CSV and XLSX downloads with hostile search values: the file and its headers.
  if (who === 'admin' && query.includes('format')) {
    for (const f of ['csv', 'xlsx']) {
      for (const q of query.filter((x) => !['format', 'limit', 'offset'].includes(x))) {
        for (const v of ['../../secret.key', 'a\u0000b', 'a\r\nX-Injected: 1'].map(encodeURIComponent).concat('%0d%0aX-Injected:%201')) {
          add(`?format=${f}&${q}=${v.slice(0, 30)}`, op.method, `${url}?format=${f}&${q}=${v}`, baseBody);
        }
      }
    }
  }
  // Path parameters other than the community, each hostile in turn.
  for (const p of op.params.filter((x) => x.in === 'path' && x.name !== 'community_id')) {
    for (const v of HOSTILE_PATH) add(`{${p.name}}=${v}`, op.method, fillPath(op.path, { [p.name]: v }), baseBody);
  }
  return jobs;
}

before(async () => {
  srv = await startServer({ residents: 10, serveArgs: ['--threads', '4'] });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  resident = await account(srv, 'cv.resident', 'resident');
  const o = srv.cli(['openapi']);
  assert.equal(o.status, 0, o.stderr);
  spec = JSON.parse(o.stdout);
  secret = secretMarks();
  // A certificate, so that the routes of one are reached with a real id.
  const A = srv.communityId;
  const vol = srv.sql(`SELECT min(volunteer_id) FROM hour_records WHERE community_id = ${A} AND status = 'approved'`);
  if (vol) await admin.post(`/api/v1/communities/${A}/volunteers/${vol}/certificates`, { from: '2020-01-01', to: '2030-12-31' });
  ids = demoIds();
  // A round that takes submissions, with a proposal and an attachment (the second pass).
  const C = `/api/v1/communities/${A}`, now = Math.floor(Date.now() / 1000);
  const round = await admin.post(`${C}/grant-rounds`, { name: '第二轮', budget_fen: 1000000, submission_ends: now + 30 * 86400,
    voting_opens: now + 40 * 86400, voting_closes: now + 50 * 86400 });
  assert.equal(round.status, 201, round.text);
  const prop = await admin.post(`${C}/grant-rounds/${round.data.id}/proposals`, { organisation_id: Number(ids.organisation_id),
    title: '楼道微改造', summary: '楼道灯', requested_fen: 100 });
  assert.equal(prop.status, 201, prop.text);
  const att = await admin.req('POST', `${C}/grant-rounds/${round.data.id}/proposals/${prop.data.id}/attachments?name=plan.png`,
    { body: PNG, headers: { 'Content-Type': 'image/png' } });
  assert.equal(att.status, 201, att.text);
  ids2 = { ...ids, round_id: String(round.data.id), proposal_id: String(prop.data.id), attachment_id: String(att.data.id) };
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('every route, every client value: no 5xx, no injected header, no file outside the data folder, the server keeps answering', async () => {
  const ops = operations();
  assert.ok(ops.length > 100, `the OpenAPI document lists ${ops.length} operations`);
  const order = [...ops.filter((o) => !LAST.has(o.key)), ...ops.filter((o) => LAST.has(o.key))];
  const t0 = Date.now();
  let covered = 0;
  for (const op of order) {
    if (SKIPS[op.key]) continue;
    covered++;
    // Permission is checked before the body is read: where the resident is refused the route
    // with a valid request, every hostile value gets the same 403, so a few of them are enough.
    const props = op.schema?.properties || {};
    const probe = await send(resident, op.method, op.path.replace(/\{(\w+)\}/g, (_, n) => ids[n] ?? '1'), op.type === 'application/json'
      ? { text: toJson(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(k, s)]))) } : {});
    judge(`resident ${op.key} probe`, probe);
    let residentJobs = routeJobs(op, 'resident', resident);
    if (probe.status === 403) residentJobs = residentJobs.filter((_, i) => i % 10 === 0);
    await pool([...routeJobs(op, 'admin', admin), ...residentJobs]);
    if (op.path.includes('{round_id}') && !SECOND_PASS_SKIPS[op.key]) await pool(routeJobs(op, 'admin', admin, ids2));
    const h = await send(admin, 'GET', '/healthz');
    if (h.error || h.status !== 200 || srv.proc.exitCode !== null) {
      failures.push(`after ${op.key}: the server does not answer (${h.error || h.status}): ${srv.stderr().slice(-2000)}`);
      break;
    }
  }
  console.log(`# ${covered} routes, ${requests} requests, ${Math.round((Date.now() - t0) / 1000)} s; skipped: ${Object.keys(SKIPS).join(', ')}; `
    + `not walked twice: ${Object.keys(SECOND_PASS_SKIPS).join(', ')}`);
  // For the reader: routes where no admin request got past the handler's own checks (the hostile
  // values were still judged; these are the places a valid body of this file does not reach).
  const never = [...reached].filter(([, s]) => ![...s].some((x) => x < 300)).map(([k, s]) => `${k} (${[...s].sort().join(',')})`);
  console.log(`# no 2xx for the admin on ${never.length} routes:\n#   ${never.join('\n#   ')}`);
  // Both sessions outlived the run.
  assert.equal((await admin.get('/api/v1/session')).status, 200, 'the admin is still logged in');
  assert.equal((await resident.get('/api/v1/session')).status, 200, 'the resident is still logged in');
  assert.deepEqual(failures.slice(0, 60), [], `${failures.length} problems`);
});

test('the access log is one line per request: no raw CR or LF of a client value reached it', () => {
  const out = srv.log(), err = srv.stderr();
  assert.doesNotMatch(out, /\r/, 'no CR in the access log');
  assert.doesNotMatch(err, /\r/, 'no CR in the server\'s messages');
  // A path may hold spaces (escaped are only control characters), so the line is matched from both ends.
  const line = /^(linli: .*|[A-Z]+ \/.* \d{3} \d+ [\d.]+ms \S+( \(aborted\))?)$/;
  const bad = out.split('\n').filter((l) => l && !line.test(l));
  assert.deepEqual(bad.slice(0, 20), [], 'every line of the access log is a whole request');
  assert.ok(out.split('\n').filter((l) => / \d{3} \d+ [\d.]+ms /.test(l)).length >= requests, 'each request has its line');
  assert.doesNotMatch(out + err, /^X-Injected/im);
});

test('every stored file reference is sha256: and 64 lowercase hex, or NULL', () => {
  const ref = /^sha256:[0-9a-f]{64}$/;
  const cols = BACKEND === 'sqlite'
    ? srv.sql(`SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`).split('\n')
    : srv.sql(`SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'`).split('\n');
  const refCols = cols.filter((c) => /\.(\w*_photo|photos|\w*attachment\w*|sha256)$/.test(c));
  assert.ok(refCols.includes('wishes.paper_photo') && refCols.includes('grant_reports.photos'), refCols.join(' '));
  const bad = [];
  for (const c of refCols) {
    const [table, col] = c.split('.');
    const values = srv.sql(`SELECT DISTINCT ${col} FROM ${table} WHERE ${col} IS NOT NULL`).split('\n').filter(Boolean);
    for (const v of values) {
      if (col === 'sha256') { if (!/^[0-9a-f]{64}$/.test(v)) bad.push(`${c}: ${v.slice(0, 80)}`); continue; }
      if (col === 'photos') {
        // A JSON array of references (or attachment ids).
        let list;
        try { list = JSON.parse(v); } catch { bad.push(`${c}: not JSON: ${v.slice(0, 80)}`); continue; }
        if (!Array.isArray(list)) { bad.push(`${c}: not an array: ${v.slice(0, 80)}`); continue; }
        for (const x of list) if (!(Number.isSafeInteger(x) && x > 0) && !(typeof x === 'string' && ref.test(x))) bad.push(`${c}: ${JSON.stringify(x).slice(0, 80)}`);
        continue;
      }
      if (!ref.test(v)) bad.push(`${c}: ${v.slice(0, 80)}`);
    }
  }
  assert.deepEqual(bad.slice(0, 30), [], `${bad.length} stored references are not sha256 references`);
});
