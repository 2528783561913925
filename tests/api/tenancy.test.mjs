// Tenancy: a user of one community can neither read nor change another's rows; district roles read
// across the communities of their district; creating communities is for admin and district_admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, assertCleanExit } from './harness.mjs';

let srv, admin, A, B, staffB, personA;
before(async () => {
  srv = await startServer({ residents: 50 });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  A = srv.communityId;
  const town = (await admin.get('/api/v1/towns')).data.items[0];
  const created = await admin.post('/api/v1/communities', { name: '东华社区', town_id: town.id, population: 12000 });
  assert.equal(created.status, 201, created.text);
  B = created.data.id;
  const pw = join(srv.dir, 'pw-b');
  writeFileSync(pw, 'staff-of-b-123\n');
  assert.equal(srv.cli(['user', 'add', '--login', 'staff.b', '--password-file', pw, '--role', 'staff', '--community', String(B)]).status, 0);
  staffB = new Client(srv.base);
  assert.equal((await staffB.login('staff.b', 'staff-of-b-123')).status, 200);
  personA = (await admin.get(`/api/v1/communities/${A}/people?limit=1`)).data.items[0];
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('creating a community is for admin and district_admin, with a real town', async () => {
  // A new community's home page, before its fund has an entry (no fund chain yet), made and kept.
  for (let i = 0; i < 2; i++) {
    const home = await staffB.get(`/api/v1/communities/${B}`);
    assert.equal(home.status, 200, home.text);
    assert.equal(home.data.name, '东华社区');
    assert.equal(home.data.stats.fund_balance_fen, 0);
    assert.equal(home.data.stats.compounds, 0);
  }
  assert.equal((await staffB.post(`/api/v1/communities/${B}/compounds`, { name: '东华苑' })).status, 201);
  assert.equal((await staffB.get(`/api/v1/communities/${B}`)).data.stats.compounds, 1);
  const list = await admin.get('/api/v1/communities');
  assert.deepEqual(list.data.items.map((c) => c.name).sort(), ['东华社区', '文华社区'].sort());
  assert.equal((await staffB.post('/api/v1/communities', { name: '西华社区', town_id: 1 })).status, 403);
  const bad = await admin.post('/api/v1/communities', { name: '西华社区', town_id: 424242 });
  assert.equal(bad.status, 422);
  assert.equal(bad.data.error.fields.town_id, '找不到该镇街');
});

test("staff of B cannot read A's people, compounds or a person by id", async () => {
  for (const path of [`/api/v1/communities/${A}/people`, `/api/v1/communities/${A}/compounds`,
    `/api/v1/communities/${A}/people/${personA.id}`, `/api/v1/communities/${A}/staff`, `/api/v1/communities/${A}`]) {
    const r = await staffB.get(path);
    assert.equal(r.status, 403, path);
    assert.equal(r.data.error.code, 'forbidden');
  }
  // Through its own community's path, A's person simply does not exist.
  const viaB = await staffB.get(`/api/v1/communities/${B}/people/${personA.id}`);
  assert.equal(viaB.status, 404);
  assert.equal((await staffB.get(`/api/v1/communities/${B}/people`)).data.total, 0);
});

test("staff of B cannot change A's rows", async () => {
  assert.equal((await staffB.post(`/api/v1/communities/${A}/compounds`, { name: '偷建小区' })).status, 403);
  assert.equal((await staffB.req('POST', `/api/v1/communities/${A}/people/import`,
    { body: '姓名\r\n某人\r\n', headers: { 'Content-Type': 'text/csv' } })).status, 403);
  // B's own compound with A's compound id in a body: refused as unknown.
  const compoundA = (await admin.get(`/api/v1/communities/${A}/compounds?limit=1`)).data.items[0];
  const r = await staffB.post(`/api/v1/communities/${B}/people`, { name: '某人', compound_id: compoundA.id });
  assert.equal(r.status, 422);
  assert.equal(r.data.error.fields.compound_id, '找不到该小区');
  const own = await staffB.post(`/api/v1/communities/${B}/compounds`, { name: '东华花园' });
  assert.equal(own.status, 201);
  assert.equal((await admin.get(`/api/v1/communities/${A}/compounds?q=${encodeURIComponent('东华花园')}`)).data.total, 0);
});

test('a district admin reads across the district, masked, and changes nothing', async () => {
  const district = (await admin.get('/api/v1/towns')).data.items[0].district_id;
  const pw = join(srv.dir, 'pw-d');
  writeFileSync(pw, 'district-admin-1\n');
  const add = srv.cli(['user', 'add', '--login', 'shunde', '--password-file', pw, '--role', 'district_admin', '--district', String(district)]);
  assert.equal(add.status, 0, add.stderr);
  const d = new Client(srv.base);
  await d.login('shunde', 'district-admin-1');
  assert.equal((await d.get(`/api/v1/communities/${A}/compounds`)).status, 200);
  assert.equal((await d.get(`/api/v1/communities/${B}/compounds`)).status, 200);
  assert.equal((await d.get(`/api/v1/communities/${A}/people?unmask=1`)).status, 403);
  assert.equal((await d.post(`/api/v1/communities/${A}/compounds`, { name: '区里建的' })).status, 403);
});

test('admin creates districts and towns; others may not', async () => {
  const d = await admin.post('/api/v1/districts', { name: '南海区' });
  assert.equal(d.status, 201);
  const t = await admin.post('/api/v1/towns', { name: '桂城街道', district_id: d.data.id });
  assert.equal(t.status, 201);
  assert.equal((await admin.post('/api/v1/towns', { name: '桂城街道', district_id: d.data.id })).status, 409);
  assert.equal((await admin.post('/api/v1/towns', { name: '无区之镇', district_id: 987654 })).status, 422);
  assert.equal((await staffB.post('/api/v1/districts', { name: '禅城区' })).status, 403);
  const towns = (await new Client(srv.base).get('/api/v1/towns')).data.items.map((x) => x.name);
  assert.ok(towns.includes('桂城街道') && towns.includes('龙江镇'));
});

test('backup makes an online copy of a SQLite database; PostgreSQL is pointed at pg_dump', async () => {
  const out = join(srv.dir, 'backup.db');
  const r = srv.cli(['backup', '--out', out]);
  if (srv.db.startsWith('sqlite:')) {
    assert.equal(r.status, 0, r.stderr);
    const check = srv.cli(['audit', 'verify', '--db', `sqlite:${out}`]);
    assert.equal(check.status, 0, check.stderr);
    assert.equal(srv.cli(['backup', '--out', out]).status, 1); // never overwrites
  } else {
    assert.equal(r.status, 2);
    assert.match(r.stderr, /pg_dump/);
  }
  const m = srv.cli(['migrate']);
  assert.equal(m.status, 0);
  assert.match(m.stdout, /up to date/);
});
