// The authorization matrix from outside: every endpoint of the OpenAPI document × every role (and
// nobody, and staff of another community) against tests/api/authz-matrix.json, the table of who may
// call what, kept in the repo and reviewed like code. A refusal is 401 (nobody) or 403 `forbidden`;
// anything else (2xx, 404, 409, 415, 422, or a 403 that names a business rule) means the caller got
// past authorization. Bodies are `{}`, so validation stops allowed writes before they change anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, assertCleanExit } from './harness.mjs';

const ROLES = ['staff', 'social_worker', 'volunteer', 'resident', 'org_rep', 'reviewer', 'reporter', 'editor', 'district_admin', 'admin'];
const matrix = JSON.parse(readFileSync(new URL('./authz-matrix.json', import.meta.url), 'utf8'));
let srv, doc, clients = {}, other, B;

before(async () => {
  srv = await startServer({ residents: 10 });
  const admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  clients.admin = admin;
  doc = (await admin.get('/api/v1/openapi.json')).data;
  const district = (await admin.get('/api/v1/towns')).data.items[0].district_id;
  const town = (await admin.get('/api/v1/towns')).data.items[0].id;
  B = (await admin.post('/api/v1/communities', { name: '矩阵测试社区', town_id: town })).data.id;
  for (const role of ROLES.filter((r) => r !== 'admin')) {
    const pw = join(srv.dir, `pw-${role}`);
    writeFileSync(pw, `pass-${role}-123\n`);
    const extra = role === 'district_admin' ? ['--district', String(district)] : ['--community', String(srv.communityId)];
    const r = srv.cli(['user', 'add', '--login', `m-${role}`, '--password-file', pw, '--role', role, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    const c = new Client(srv.base);
    assert.equal((await c.login(`m-${role}`, `pass-${role}-123`)).status, 200);
    clients[role] = c;
  }
  const pw = join(srv.dir, 'pw-other');
  writeFileSync(pw, 'pass-other-123\n');
  assert.equal(srv.cli(['user', 'add', '--login', 'm-other', '--password-file', pw, '--role', 'staff', '--community', String(B)]).status, 0);
  other = new Client(srv.base);
  await other.login('m-other', 'pass-other-123');
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

const operations = () => {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) ops.push({ method: method.toUpperCase(), path, op });
  return ops;
};

test('the table in the repo is the server\'s own matrix', () => {
  const live = {};
  for (const { method, path, op } of operations()) live[`${method} ${path}`] = op.security && op.security.length === 0 ? 'public' : op['x-roles'].slice().sort();
  assert.deepEqual(live, matrix, 'regenerate tests/api/authz-matrix.json only after reviewing who may call what');
});

function url(path, community) {
  return path.replace('{community_id}', String(community)).replace(/\{serial\}/, '1-2026-000001').replace(/\{[a-z_]+\}/g, '999999');
}

async function call(client, method, path) {
  const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
  const headers = body ? { 'Content-Type': 'application/json' } : {};
  return client.req(method, path, { body, headers });
}

const refused = (r) => r.status === 401 || (r.status === 403 && r.data?.error?.code === 'forbidden');

test('every endpoint × every role: allowed roles get past authorization, the others are refused', async () => {
  const problems = [];
  for (const { method, path } of operations()) {
    if (`${method} ${path}` === 'DELETE /api/v1/session' || `${method} ${path}` === 'POST /api/v1/session') continue;
    const rule = matrix[`${method} ${path}`];
    const anon = await call(new Client(srv.base), method, url(path, srv.communityId));
    if (rule === 'public') {
      if (refused(anon)) problems.push(`${method} ${path}: public, but nobody got ${anon.status}`);
      continue;
    }
    if (anon.status !== 401) problems.push(`${method} ${path}: nobody got ${anon.status}, not 401`);
    for (const role of ROLES) {
      const r = await call(clients[role], method, url(path, srv.communityId));
      const allowed = rule.includes(role) || (role === 'admin' && rule.includes('admin'));
      if (allowed && refused(r)) problems.push(`${method} ${path}: ${role} may, but got ${r.status} ${r.data?.error?.code}`);
      if (!allowed && !refused(r)) problems.push(`${method} ${path}: ${role} may not, but got ${r.status}`);
    }
    // Staff of another community are refused everything of this one.
    if (path.includes('{community_id}')) {
      const r = await call(other, method, url(path, srv.communityId));
      if (!refused(r)) problems.push(`${method} ${path}: staff of community ${B} got ${r.status}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('a new session id at every login (no fixation), and the cookie is HttpOnly and SameSite', async () => {
  const c = new Client(srv.base);
  await c.login('m-staff', 'pass-staff-123');
  const first = c.cookie;
  await c.login('m-staff', 'pass-staff-123');
  assert.notEqual(c.cookie, first);
  const r = await new Client(srv.base).post('/api/v1/session', { login: 'm-staff', password: 'pass-staff-123' }, { headers: { Cookie: 'linli_session=attacker-chosen' } });
  assert.doesNotMatch(r.headers.get('set-cookie'), /attacker-chosen/);
  assert.match(r.headers.get('set-cookie'), /HttpOnly; SameSite=Lax/);
});
