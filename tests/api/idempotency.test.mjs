// Idempotency-Key on every POST that makes or does something (issue #12, item 2; server/idem.h): the
// same key and request again replay the first answer and do nothing twice; the same key with another
// body, path or account is 422 idempotency_mismatch (and shows nothing of the first); a refused
// request keeps no answer; tries with one key at once make one thing, and each gets its answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, assertCleanExit, account } from './harness.mjs';

let srv, admin, C;
const count = (name) => Number(srv.sql(`SELECT count(*) FROM organisations WHERE community_id = ${srv.communityId} AND name = '${name}'`));

before(async () => {
  srv = await startServer({ residents: 10, serveArgs: ['--threads', '4'] });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('the same key and body replay the first answer; another body, path or account is 422 idempotency_mismatch', async () => {
  const headers = { 'Idempotency-Key': 'org-0001' };
  const body = { name: '幂等测试队', kind: 'association' };
  const first = await admin.post(`${C}/organisations`, body, { headers });
  assert.equal(first.status, 201, first.text);
  const again = await admin.post(`${C}/organisations`, body, { headers });
  assert.equal(again.status, 201);
  assert.deepEqual(again.data, first.data);
  assert.equal(again.headers.get('idempotent-replay'), 'true');
  assert.equal(first.headers.get('idempotent-replay'), null);
  assert.equal(count('幂等测试队'), 1);
  const other = await admin.post(`${C}/organisations`, { ...body, name: '另一个队' }, { headers });
  assert.equal(other.status, 422);
  assert.equal(other.data.error.code, 'idempotency_mismatch');
  assert.equal(count('另一个队'), 0);
  const path = await admin.post(`${C}/venues`, { name: '幂等室', kind: 'activity_room' }, { headers });
  assert.equal(path.data.error.code, 'idempotency_mismatch');
  // Another account with the same key and body is another request: it never sees the first answer.
  const staff = await account(srv, 'idem-staff', 'staff');
  const theirs = await staff.post(`${C}/organisations`, body, { headers });
  assert.equal(theirs.status, 422, theirs.text);
  assert.equal(theirs.data.error.code, 'idempotency_mismatch');
  assert.ok(!theirs.text.includes(String(first.data.id)));
  assert.equal(count('幂等测试队'), 1);
});

test('a refused request keeps no answer: the key serves the corrected request', async () => {
  const headers = { 'Idempotency-Key': 'org-0002' };
  const bad = await admin.post(`${C}/organisations`, { name: '', kind: 'association' }, { headers });
  assert.equal(bad.status, 422);
  const good = await admin.post(`${C}/organisations`, { name: '改正后的队', kind: 'association' }, { headers });
  assert.equal(good.status, 201, good.text);
  assert.equal(good.headers.get('idempotent-replay'), null);
  assert.equal(count('改正后的队'), 1);
  const kept = srv.sql(`SELECT status FROM idempotency WHERE community_id = ${srv.communityId} AND idem_key = 'org-0002'`);
  assert.equal(kept, '201');
});

test('tries with one key at once make one thing, and each gets the first answer', async () => {
  const headers = { 'Idempotency-Key': 'org-0003' };
  const body = { name: '同时发送的队', kind: 'association' };
  const all = await Promise.all(Array.from({ length: 12 }, () => admin.post(`${C}/organisations`, body, { headers })));
  const ids = new Set();
  for (const r of all) {
    assert.ok(r.status === 201 || r.status === 503, `${r.status} ${r.text}`);
    if (r.status === 201) ids.add(r.data.id);
  }
  assert.equal(ids.size, 1, 'one organisation, one answer');
  assert.ok(all.filter((r) => r.status === 201).length >= 11, 'the others waited and replayed');
  assert.equal(count('同时发送的队'), 1);
});

test('every POST that makes or does something takes the key, and the OpenAPI document says so', async () => {
  const doc = (await admin.get('/api/v1/openapi.json')).data;
  const missing = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const op = ops.post;
    // Logging in, and the POSTs that only show something (unmasking, a wish's sealed details).
    if (!op || path === '/api/v1/session' || /\/(unmask|private)$/.test(path)) continue;
    if (!(op.parameters || []).some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) missing.push(path);
  }
  assert.deepEqual(missing, []);
});

test('a bad key is a field error and does nothing', async () => {
  for (const key of ['', 'x'.repeat(101), 'tab\there']) {
    const r = await admin.post(`${C}/organisations`, { name: '坏钥匙队', kind: 'association' }, { headers: { 'Idempotency-Key': key } });
    assert.equal(r.status, 422, JSON.stringify(key));
    assert.ok(r.data.error.fields['Idempotency-Key'], r.text);
  }
  assert.equal(count('坏钥匙队'), 0);
});
