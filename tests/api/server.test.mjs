// The server from outside: health, the error envelope for every kind of failure, body limits,
// refused request smuggling, the OpenAPI document, static pages, and a clean stop on SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { startServer, Client, assertCleanExit, BACKEND } from './harness.mjs';

let srv, admin;
before(async () => {
  srv = await startServer();
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

function assertEnvelope(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.data.error.code, code);
  assert.ok(r.data.error.message.length > 0);
}

test('GET /healthz names the store', async () => {
  const r = await new Client(srv.base).get('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.data, { status: 'ok', store: BACKEND });
});

test('every failure answers the error envelope, in Chinese by default and English on request', async () => {
  const anon = new Client(srv.base);
  assertEnvelope(await anon.get('/api/v1/nothing'), 404, 'not_found');
  assertEnvelope(await anon.req('PUT', '/api/v1/session'), 405, 'method_not_allowed');
  const r401 = await anon.get(`/api/v1/communities/${srv.communityId}/people`);
  assertEnvelope(r401, 401, 'unauthorized');
  assert.equal(r401.data.error.message, '请先登录');
  const en = new Client(srv.base, 'en-US,en;q=0.9');
  const r401en = await en.get(`/api/v1/communities/${srv.communityId}/people`);
  assert.equal(r401en.data.error.message, 'Please log in first');
  assertEnvelope(await admin.req('POST', `/api/v1/communities/${srv.communityId}/compounds`,
    { body: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  assertEnvelope(await admin.req('POST', `/api/v1/communities/${srv.communityId}/compounds`,
    { body: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  assertEnvelope(await admin.get(`/api/v1/communities/999999/compounds`), 404, 'not_found');
  assertEnvelope(await admin.get(`/api/v1/communities/${srv.communityId}/compounds?limit=abc`), 422, 'validation_failed');
});

test('field errors name each bad field and change nothing', async () => {
  const path = `/api/v1/communities/${srv.communityId}/compounds`;
  const before = (await admin.get(path)).data.total;
  const r = await admin.post(path, { name: '', kind: 'castle', colour: 'red' });
  assertEnvelope(r, 422, 'validation_failed');
  assert.equal(r.data.error.fields.name, '必填');
  assert.equal(r.data.error.fields.kind, '不是可选的值');
  assert.equal(r.data.error.fields.colour, '不认识的字段');
  const en = new Client(srv.base, 'en');
  en.cookie = admin.cookie; en.csrf = admin.csrf;
  const r2 = await en.post(path, { name: 'x'.repeat(61) });
  assert.equal(r2.data.error.fields.name, 'Too long');
  assert.equal((await admin.get(path)).data.total, before);
});

test('a duplicate answers 409 with the field', async () => {
  const path = `/api/v1/communities/${srv.communityId}/compounds`;
  const r = await admin.post(path, { name: '丰华花苑' });
  assertEnvelope(r, 409, 'conflict');
  assert.ok(r.data.error.fields.name);
});

test('a body over the limit is refused with 413, from its Content-Length, before it is read', async () => {
  const out = await rawRequest(`POST /api/v1/communities/${srv.communityId}/compounds HTTP/1.1\r\nHost: x\r\n` +
    `Cookie: ${admin.cookie}\r\nX-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"name":"`);
  assert.match(out, /^HTTP\/1\.1 413/);
  assert.match(out, /"code":"payload_too_large"/);
  // A body that grows past the limit without a Content-Length (chunked) is cut off too.
  const chunk = 'x'.repeat(64 * 1024);
  let body = '';
  for (let i = 0; i < 20; i++) body += `${(chunk.length).toString(16)}\r\n${chunk}\r\n`;
  const out2 = await rawRequest(`POST /api/v1/communities/${srv.communityId}/compounds HTTP/1.1\r\nHost: x\r\n` +
    `Cookie: ${admin.cookie}\r\nX-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`);
  assert.match(out2, /^HTTP\/1\.1 413/);
});

function rawRequest(text) {
  const { port } = new URL(srv.base);
  return new Promise((ok, fail) => {
    const s = net.connect(Number(port), '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => { out += d; });
    s.on('end', () => ok(out));
    s.on('error', fail);
    setTimeout(() => { s.destroy(); ok(out); }, 3000);
  });
}

test('two Content-Length headers are refused with 400 and the connection closed', async () => {
  const out = await rawRequest('POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}');
  assert.match(out, /^HTTP\/1\.1 400/);
  assert.match(out, /"code":"bad_request"/);
});

test('the OpenAPI document describes every endpoint with its roles', async () => {
  const r = await new Client(srv.base).get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.data.openapi, '3.1.0');
  const people = r.data.paths['/api/v1/communities/{community_id}/people'];
  assert.ok(people.get && people.post);
  assert.deepEqual(people.get['x-roles'].sort(), ['admin', 'district_admin', 'social_worker', 'staff']);
  assert.ok(r.data.paths['/healthz'].get);
  assert.ok(Object.keys(r.data.paths).length >= 12);
});

test('built pages are served with ETag, gzip and a fallback to index.html', { skip: !existsSync(new URL('../../web/dist/index.html', import.meta.url)) }, async () => {
  const c = new Client(srv.base);
  const idx = await c.get('/registry/people', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(idx.status, 200);
  assert.match(idx.headers.get('content-type'), /text\/html/);
  assert.equal(idx.headers.get('cache-control'), 'no-cache');
  const etag = idx.headers.get('etag');
  assert.ok(etag);
  const again = await c.get('/', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const asset = /\/assets\/[^"]+\.js/.exec(idx.text)[0];
  const js = await c.get(asset, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control'), /immutable/);
  const missing = await c.get('/assets/nope.js');
  assert.equal(missing.status, 404);
});

test('an audit verify over everything done so far holds', async () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ok/);
});

test('one access-log line per request', async () => {
  await new Client(srv.base).get('/healthz?probe=1');
  await new Promise((ok) => setTimeout(ok, 100));
  assert.match(srv.log(), /GET \/healthz 200 \d+ [\d.]+ms -/);
});

test('docs/authorization.md is the current matrix', async () => {
  const { readFileSync } = await import('node:fs');
  const r = srv.cli(['permissions']);
  assert.equal(r.status, 0);
  const doc = readFileSync(new URL('../../docs/authorization.md', import.meta.url), 'utf8');
  assert.equal(doc, r.stdout, 'run: build/linli permissions > docs/authorization.md');
});
