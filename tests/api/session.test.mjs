// Accounts and sessions: login, the cookie's flags, who am I, CSRF on every change, logout,
// throttled failed logins, and the CLI that manages accounts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, assertCleanExit } from './harness.mjs';

let srv;
// The tests' requests come from 127.0.0.1, named here as the HTTPS proxy in front of linli.
before(async () => { srv = await startServer({ residents: 20, serveArgs: ['--trust-proxy', '127.0.0.1'] }); });
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('login sets an HttpOnly, SameSite=Lax session cookie and returns a CSRF token', async () => {
  const c = new Client(srv.base);
  const r = await c.login('admin', srv.password);
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^linli_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.doesNotMatch(cookie, /Secure/);
  assert.ok(r.data.csrf_token.length >= 24);
  assert.deepEqual(r.data.account.global_roles, ['admin']);
  const me = await c.get('/api/v1/session');
  assert.equal(me.status, 200);
  assert.equal(me.data.account.login, 'admin');
  assert.equal(me.data.csrf_token, r.data.csrf_token);
});

test('behind an HTTPS proxy named by --trust-proxy the cookie is Secure', async () => {
  const c = new Client(srv.base);
  const r = await c.post('/api/v1/session', { login: 'admin', password: srv.password }, { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.match(r.headers.get('set-cookie'), /; Secure/);
});

test('a wrong password is 401 and says so', async () => {
  const r = await new Client(srv.base).login('admin', 'nope-nope');
  assert.equal(r.status, 401);
  assert.equal(r.data.error.code, 'bad_credentials');
  assert.equal(r.data.error.message, '账号或密码不正确');
});

test('a change without the CSRF token is refused with 403', async () => {
  const c = new Client(srv.base);
  await c.login('admin', srv.password);
  const path = `/api/v1/communities/${srv.communityId}/compounds`;
  const r = await c.post(path, { name: '测试小区一' }, { csrf: false });
  assert.equal(r.status, 403);
  assert.equal(r.data.error.code, 'csrf_failed');
  const wrong = await c.post(path, { name: '测试小区一' }, { csrf: false, headers: { 'X-CSRF-Token': 'x'.repeat(32) } });
  assert.equal(wrong.status, 403);
  const ok = await c.post(path, { name: '测试小区一' });
  assert.equal(ok.status, 201);
});

test('logout ends the session', async () => {
  const c = new Client(srv.base);
  await c.login('admin', srv.password);
  const old = c.cookie;
  assert.equal((await c.req('DELETE', '/api/v1/session')).status, 204);
  c.cookie = old; // even a kept copy of the cookie no longer works
  assert.equal((await c.get('/api/v1/session')).status, 401);
});

test('repeated failed logins are slowed, then refused with 429', async () => {
  const c = new Client(srv.base);
  for (let i = 0; i < 5; i++) assert.equal((await c.login('mallory', 'wrong-pass')).status, 401);
  const r = await c.login('mallory', 'wrong-pass');
  assert.equal(r.status, 429);
  assert.equal(r.data.error.code, 'rate_limited');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
});

test('linli user add / passwd / roles manage accounts', async () => {
  const pw = join(srv.dir, 'staff-pw');
  writeFileSync(pw, 'staff-pass-123\n');
  const add = srv.cli(['user', 'add', '--login', 'li.staff', '--password-file', pw, '--role', 'staff', '--community', String(srv.communityId)]);
  assert.equal(add.status, 0, add.stderr);
  const c = new Client(srv.base);
  const r = await c.login('li.staff', 'staff-pass-123');
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.account.roles, [{ community_id: srv.communityId, role: 'staff' }]);
  const dup = srv.cli(['user', 'add', '--login', 'li.staff', '--password-file', pw, '--role', 'staff', '--community', String(srv.communityId)]);
  assert.notEqual(dup.status, 0);
  const badRole = srv.cli(['user', 'add', '--login', 'x', '--password-file', pw, '--role', 'boss', '--community', '1']);
  assert.notEqual(badRole.status, 0);
  assert.match(badRole.stderr, /no role "boss"/);
  writeFileSync(pw, 'new-staff-pass-456\n');
  assert.equal(srv.cli(['user', 'passwd', '--login', 'li.staff', '--password-file', pw]).status, 0);
  assert.equal((await new Client(srv.base).login('li.staff', 'staff-pass-123')).status, 401);
  assert.equal((await new Client(srv.base).login('li.staff', 'new-staff-pass-456')).status, 200);
  const roles = srv.cli(['user', 'roles', '--login', 'li.staff', '--grant', 'social_worker', '--community', String(srv.communityId)]);
  assert.equal(roles.status, 0, roles.stderr);
  assert.match(roles.stdout, /social_worker in community/);
});

test('every subcommand answers --help', () => {
  for (const cmd of ['serve', 'init', 'migrate', 'user', 'audit', 'backup', 'version']) {
    const r = srv.cli([cmd, '--help']);
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, /usage/);
  }
  const unknown = srv.cli(['serve', '--colour', 'red']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown option --colour/);
});

test('init refuses to run twice on one database', () => {
  const r = srv.cli(['init', '--admin-password-file', join(srv.dir, 'pw')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /already initialised/);
});
