// Security issue #11, finding C1: a wish's paper_photo let staff read any file the server could
// read. These tests hold the fix: a client never sets a stored file reference; a reference is
// exactly "sha256:" and 64 lowercase hex characters, checked when stored (by the database too) and
// when read; files are opened only inside their community's attachment folder, links never
// followed, and a file whose bytes are not what its name says is not served. Also: `make run` does
// not leave the admin password in the data folder, and `linli rekey` re-seals every sealed value
// (and recomputes every keyed hash) under a new key in one transaction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  readFileSync, writeFileSync, existsSync, symlinkSync, unlinkSync, linkSync, renameSync, readdirSync, statSync, lstatSync,
  mkdtempSync, rmSync, copyFileSync, mkdirSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, Client, assertCleanExit, account, BIN, BACKEND } from './harness.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
let srv, admin, C, A;
const png = (fill, n = 600) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(n, fill)]);
const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const wish = (extra = {}) => ({ category: 'goods', urgency: 'blue', title: '一台电风扇', story: '家里的电风扇坏了，夏天很热。',
  beneficiary_name: '黄伯', estimated_fen: 9000, consent: true, ...extra });
let serials = 0;
async function paperWish(c = admin, base = C) {
  const w = await c.post(`${base}/wishes`, wish({ source: 'paper', paper_serial: `SEC-${++serials}` }));
  assert.equal(w.status, 201, w.text);
  return w.data.id;
}
const upload = (c, base, id, bytes) => c.req('POST', `${base}/wishes/${id}/form-photo`, { body: bytes, headers: { 'Content-Type': 'image/png' } });
const photo = (id, c = admin, base = C) => c.get(`${base}/wishes/${id}/form-photo`);
const q = (s) => `'${s.replace(/'/g, "''")}'`;

// Runs a write as a row written before the reference check existed: the database's own check (a
// trigger on SQLite, a CHECK constraint on PostgreSQL) is lifted for it and put back.
function unguarded(sql, sqliteTrigger, pgConstraint, pgTable) {
  if (BACKEND === 'sqlite') {
    const trig = srv.sql(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = '${sqliteTrigger}'`);
    srv.sql(trig ? `DROP TRIGGER ${sqliteTrigger}; ${sql}; ${trig};` : `${sql};`);
  } else {
    const def = srv.sql(`SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '${pgConstraint}'`).replace(/ NOT VALID$/, '');
    srv.sql(def ? `BEGIN; ALTER TABLE ${pgTable} DROP CONSTRAINT ${pgConstraint}; ${sql}; ALTER TABLE ${pgTable} ADD CONSTRAINT ${pgConstraint} ${def} NOT VALID; COMMIT;` : sql);
  }
}
const plant = (id, ref, cid = A) => unguarded(`UPDATE wishes SET paper_photo = ${q(ref)} WHERE community_id = ${cid} AND id = ${id}`,
  'wishes_paper_photo_ref_update', 'wishes_paper_photo_ref', 'wishes');

// Empties every planted reference again (a row with one would not pass PostgreSQL's CHECK on its
// next update), as the migration did for the rows it found.
const unplant = () => srv.sql(`UPDATE wishes SET paper_photo = NULL WHERE paper_photo IS NOT NULL AND NOT (length(paper_photo) = 71 `
  + `AND substr(paper_photo, 1, 7) = 'sha256:' AND ltrim(substr(paper_photo, 8), '0123456789abcdef') = '')`);

before(async () => {
  srv = await startServer({ residents: 30 });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  A = srv.communityId;
  C = `/api/v1/communities/${A}`;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('a client never sets paper_photo: any value in a create body is refused on the field and nothing is stored', async () => {
  const member = await account(srv, 'sec.member', 'resident');
  const count = () => srv.sql(`SELECT count(*) FROM wishes WHERE community_id = ${A}`);
  const n0 = count();
  const refs = ['sha256:../../secret.key', 'sha256:../../linli.db', '/proc/self/environ', 'forms/wx-001.jpg', `sha256:${'a'.repeat(64)}`];
  for (const [who, c, extra] of [['member', member, {}], ['staff', admin, { source: 'paper', paper_serial: 'SEC-REFUSED' }]]) {
    for (const ref of refs) {
      const r = await c.post(`${C}/wishes`, wish({ ...extra, paper_photo: ref }));
      assert.equal(r.status, 422, `${who} ${ref}: ${r.status} ${r.text}`);
      assert.equal(r.data.error.code, 'validation_failed');
      assert.ok(r.data.error.fields.paper_photo, `${who} ${ref}: ${r.text}`);
    }
  }
  assert.equal(count(), n0, 'no wish was stored');
  assert.equal(srv.sql(`SELECT count(*) FROM wishes WHERE paper_photo IS NOT NULL AND paper_photo NOT LIKE 'sha256:%'`), '0');
  assert.equal(srv.sql(`SELECT count(*) FROM wishes WHERE paper_photo LIKE '%/%' OR paper_photo LIKE '%..%'`), '0');
});

test('the database itself refuses a stored reference that is not sha256: and 64 lowercase hex characters', async () => {
  const id = await paperWish();
  for (const ref of ['sha256:../../secret.key', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha256:${'a'.repeat(65)}`, 'forms/x.jpg', '']) {
    assert.throws(() => srv.sql(`UPDATE wishes SET paper_photo = ${q(ref)} WHERE community_id = ${A} AND id = ${id}`), /paper_photo/,
      `the database stored ${JSON.stringify(ref)}`);
  }
  srv.sql(`UPDATE wishes SET paper_photo = 'sha256:${'0'.repeat(64)}' WHERE community_id = ${A} AND id = ${id}`);
  srv.sql(`UPDATE wishes SET paper_photo = NULL WHERE community_id = ${A} AND id = ${id}`);
});

test('form-photo refuses a stored reference that is not well formed; the key and the database are never served', async () => {
  const key = readFileSync(join(srv.dir, 'secret.key'));
  const db = BACKEND === 'sqlite' ? readFileSync(join(srv.dir, 'linli.db')).subarray(0, 16) : null;
  // The community's folder exists once anything was uploaded, as on any server in use.
  assert.equal((await upload(admin, C, await paperWish(), png(1))).status, 200);
  const id = await paperWish();
  const bad = ['sha256:../../secret.key', 'sha256:../../linli.db', `sha256:${'../'.repeat(12)}proc/self/environ`, 'sha256:/etc/passwd',
    `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha256:${'a'.repeat(64)}/`, `sha256:./${'a'.repeat(62)}`, 'forms/wx-001.jpg', 'sha256:'];
  for (const ref of bad) {
    plant(id, ref);
    const r = await photo(id);
    assert.ok(!r.buf.includes(key.subarray(0, 32)), `${ref}: the secret key was served`);
    if (db) assert.ok(!r.buf.includes(db), `${ref}: the database was served`);
    assert.equal(r.status, 409, `${ref}: ${r.status} ${r.text.slice(0, 100)}`);
    assert.equal(r.data.error.code, 'file_ref_invalid');
    assert.match(r.data.error.message, /\S/);
  }
  plant(id, `sha256:${'b'.repeat(64)}`);
  const none = await photo(id);
  assert.equal(none.status, 404, 'well formed, but nothing was uploaded under it');
  plant(id, 'sha256:../../secret.key');
  const en = new Client(srv.base, 'en');
  await en.login('admin', srv.password);
  const said = await en.get(`${C}/wishes/${id}/form-photo`);
  assert.equal(said.status, 409);
  assert.match(said.data.error.message, /reference to this file is not valid/);
  assert.match((await photo(id)).data.error.message, /存储记录无效/);
  unplant();
});

test('a real upload round-trips: stored as its SHA-256 in the community folder, mode 0600, once', async () => {
  const id = await paperWish();
  const bytes = png(3);
  const up = await upload(admin, C, id, bytes);
  assert.equal(up.status, 200, up.text);
  assert.equal(up.data.paper_photo, `sha256:${sha(bytes)}`);
  const file = join(srv.dir, 'attachments', String(A), sha(bytes));
  const st = lstatSync(file);
  assert.ok(st.isFile());
  assert.equal(st.mode & 0o777, 0o600);
  const back = await photo(id);
  assert.equal(back.status, 200);
  assert.equal(back.headers.get('content-type'), 'image/png');
  assert.ok(back.buf.equals(bytes));
  const again = await upload(admin, C, await paperWish(), bytes);
  assert.equal(again.data.paper_photo, up.data.paper_photo, 'the same bytes are one file');
  assert.deepEqual(readdirSync(join(srv.dir, 'attachments', String(A))).filter((n) => !/^[0-9a-f]{64}$/.test(n)), [], 'no temporary file left');
  const audit = srv.sql(`SELECT after_json FROM audit_log WHERE community_id = ${A} AND action = 'photo' AND entity_id = '${id}'`);
  assert.match(audit, new RegExp(sha(bytes)));
});

test('a symbolic link, a hard link or other bytes put in the attachment folder are not followed or served', async () => {
  const keyPath = join(srv.dir, 'secret.key');
  const key = readFileSync(keyPath);
  const id = await paperWish();
  const bytes = png(7);
  assert.equal((await upload(admin, C, id, bytes)).status, 200);
  const dir = join(srv.dir, 'attachments', String(A));
  const file = join(dir, sha(bytes));
  renameSync(file, `${file}.kept`);
  const refused = async (what) => {
    const r = await photo(id);
    assert.ok(!r.buf.includes(key.subarray(0, 32)), `${what}: the secret key was served`);
    assert.equal(r.status, 409, `${what}: ${r.status} ${r.text.slice(0, 100)}`);
    assert.equal(r.data.error.code, 'file_damaged');
  };
  symlinkSync(keyPath, file);
  await refused('a symbolic link to secret.key');
  unlinkSync(file);
  linkSync(keyPath, file);
  await refused('a hard link to secret.key');
  unlinkSync(file);
  writeFileSync(file, png(8));
  await refused('other bytes under the name');
  unlinkSync(file);
  renameSync(`${file}.kept`, file);
  assert.ok((await photo(id)).buf.equals(bytes));

  // The community's folder replaced by a link to another folder: nothing is read through it.
  const moved = join(srv.dir, 'moved-attachments');
  renameSync(dir, moved);
  symlinkSync(moved, dir);
  await refused('the community folder a symbolic link');
  unlinkSync(dir);
  renameSync(moved, dir);
  assert.equal((await photo(id)).status, 200);

  // An upload does not write through a link planted under the name its bytes will have.
  const next = png(9);
  const outside = join(srv.dir, 'outside-target');
  writeFileSync(outside, 'untouched');
  symlinkSync(outside, join(dir, sha(next)));
  const id2 = await paperWish();
  const up = await upload(admin, C, id2, next);
  assert.equal(up.status, 200, up.text);
  assert.equal(readFileSync(outside, 'utf8'), 'untouched');
  assert.ok(lstatSync(join(dir, sha(next))).isFile(), 'the link was replaced by the file');
  assert.ok((await photo(id2)).buf.equals(next));
});

test('another community\'s upload is never served through this community\'s wish', async () => {
  const town = (await admin.get('/api/v1/towns')).data.items[0];
  const created = await admin.post('/api/v1/communities', { name: '东华社区', town_id: town.id, population: 12000 });
  assert.equal(created.status, 201, created.text);
  const B = created.data.id, CB = `/api/v1/communities/${B}`;
  const pw = join(srv.dir, 'pw-sec-b');
  writeFileSync(pw, 'staff-of-b-123\n');
  assert.equal(srv.cli(['user', 'add', '--login', 'sec.staff.b', '--password-file', pw, '--role', 'staff', '--community', String(B)]).status, 0);
  const staffB = new Client(srv.base);
  assert.equal((await staffB.login('sec.staff.b', 'staff-of-b-123')).status, 200);
  const idB = await paperWish(staffB, CB);
  const bytesB = png(11);
  assert.equal((await upload(staffB, CB, idB, bytesB)).status, 200);
  assert.ok((await photo(idB, staffB, CB)).buf.equals(bytesB));

  const idA = await paperWish();
  plant(idA, `sha256:${sha(bytesB)}`);
  assert.equal((await photo(idA)).status, 404, 'B\'s file is not in A\'s folder');
  for (const ref of [`sha256:../${B}/${sha(bytesB)}`, `sha256:..%2f${B}%2f${sha(bytesB)}`]) {
    plant(idA, ref);
    const r = await photo(idA);
    assert.ok(!r.buf.equals(bytesB), `${ref}: B's upload was served in A`);
    assert.equal(r.status, 409, `${ref}: ${r.status}`);
  }
  assert.equal((await photo(idA, staffB, C)).status, 403, 'staff of B may not read A\'s wishes at all');
  unplant();
});

test('a grant attachment whose stored SHA-256 is not 64 hex characters is refused, never opened', async () => {
  const key = readFileSync(join(srv.dir, 'secret.key'));
  const prop = srv.sql(`SELECT round_id, id FROM grant_proposals WHERE community_id = ${A} ORDER BY id LIMIT 1`).split('|');
  assert.equal(prop.length, 2, 'the demo has a proposal');
  const [round, pid] = prop;
  const insert = (id, hex) => `INSERT INTO grant_attachments (community_id, id, proposal_id, name, content_type, size_bytes, sha256, uploaded_by, uploaded_at) `
    + `VALUES (${A}, ${id}, ${pid}, 'x.pdf', 'application/pdf', 10, ${q(hex)}, 1, 0)`;
  assert.throws(() => srv.sql(insert(990001, '../../secret.key')), /sha256/, 'the database refuses it');
  let n = 990001;
  for (const hex of ['../../secret.key', '../../linli.db', `${'../'.repeat(12)}proc/self/environ`, 'A'.repeat(64), `sha256:${'a'.repeat(64)}`]) {
    unguarded(insert(++n, hex), 'grant_attachments_sha256_insert', 'grant_attachments_sha256', 'grant_attachments');
    const r = await admin.get(`${C}/grant-rounds/${round}/proposals/${pid}/attachments/${n}`);
    assert.ok(!r.buf.includes(key.subarray(0, 32)), `${hex}: the secret key was served`);
    assert.equal(r.status, 409, `${hex}: ${r.status} ${r.text.slice(0, 100)}`);
    assert.equal(r.data.error.code, 'file_ref_invalid');
  }
  const pdf = Buffer.from('%PDF-1.4 the budget\n');
  const up = await admin.req('POST', `${C}/grant-rounds/${round}/proposals/${pid}/attachments?name=${encodeURIComponent('预算.pdf')}`,
    { body: pdf, headers: { 'Content-Type': 'application/pdf' } });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.data.sha256, sha(pdf));
  const back = await admin.get(`${C}/grant-rounds/${round}/proposals/${pid}/attachments/${up.data.id}`);
  assert.equal(back.status, 200);
  assert.ok(back.buf.equals(pdf));
  srv.sql(`DELETE FROM grant_attachments WHERE community_id = ${A} AND id > 990000 AND id <= ${n}`);
});

// ---- make run: the admin password is shown once and not kept in the data folder ----

async function freePort() {
  return new Promise((ok) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); }); });
}

// Runs scripts/run.sh on data until the server it starts says where it serves; then stops it.
async function makeRun(data, tmp) {
  const port = await freePort();
  const proc = spawn('bash', [join(root, 'scripts/run.sh'), data, `127.0.0.1:${port}`],
    { cwd: root, env: { ...process.env, LINLI_BIN: BIN, TMPDIR: tmp, LINLI_DB: '', LINLI_DATA_DIR: '', LINLI_SECRET_KEY_FILE: '' } });
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`make run did not start: ${out}${err}`)), 120000);
    const look = () => { if (/serving on http/.test(out)) { clearTimeout(timer); ok(); } };
    proc.stdout.on('data', look);
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`make run exited (${code}): ${out}${err}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  return { out, base, stop: async () => { proc.kill('SIGTERM'); const r = await exited; return { ...r, stderr: err }; } };
}

const filesUnder = (dir) => readdirSync(dir, { recursive: true }).map((n) => join(dir, n)).filter((p) => statSync(p).isFile());

test('make run shows the admin password once and keeps it nowhere in the data folder; a second run says how to log in', async () => {
  const work = mkdtempSync(join(tmpdir(), 'linli-makerun-'));
  const data = join(work, 'data'), tmp = join(work, 'tmp');
  mkdirSync(tmp);
  try {
    const first = await makeRun(data, tmp);
    const m = /password:\s+(\S+)/.exec(first.out);
    assert.ok(m, first.out);
    const password = m[1];
    assert.ok(password.length >= 12, first.out);
    const c = new Client(first.base);
    assert.equal((await c.login('admin', password)).status, 200, 'the password shown logs in');
    assertCleanExit(assert, await first.stop());
    for (const f of filesUnder(data)) assert.ok(!readFileSync(f).includes(Buffer.from(password)), `${f} holds the admin password`);
    assert.ok(!existsSync(join(data, 'admin-password.txt')));
    assert.deepEqual(readdirSync(tmp), [], 'no password file left in TMPDIR either');

    const second = await makeRun(data, tmp);
    assert.doesNotMatch(second.out, new RegExp(password), 'not shown again');
    assert.match(second.out, /admin/);
    assert.match(second.out, /user passwd/, 'says how to set a new password');
    assertCleanExit(assert, await second.stop());

    // A data folder from an older make run: its password file is shown this last time, then deleted.
    writeFileSync(join(data, 'admin-password.txt'), `${password}\n`, { mode: 0o600 });
    const third = await makeRun(data, tmp);
    assert.match(third.out, new RegExp(password));
    assert.match(third.out, /deleted/);
    assert.ok(!existsSync(join(data, 'admin-password.txt')), 'the old password file is deleted');
    assertCleanExit(assert, await third.stop());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// ---- linli rekey ----

const keyFile = () => join(srv.dir, 'secret.key');
const sealedNow = () => srv.sql(`SELECT phone_enc || '|' || id_enc || '|' || needy_enc FROM people WHERE community_id = ${A} AND phone_enc IS NOT NULL ORDER BY id LIMIT 1`);
let person, snapshot, claimedWish, vol, cert, round;

test('rekey: the data it will re-seal, read under the old key', async () => {
  person = (await admin.get(`${C}/people?limit=100&unmask=1`)).data.items.find((p) => p.phone && p.id_number && p.needy !== null && p.needy !== undefined);
  assert.ok(person, 'a demo person with phone, ID number and needy flag');
  const one = await admin.get(`${C}/people/${person.id}?unmask=1`);
  const wishes = (await admin.get(`${C}/wishes/manage?limit=200`)).data.items;
  const priv = await admin.get(`${C}/wishes/${wishes[wishes.length - 1].id}?private=1`);
  assert.ok(priv.data.private && priv.data.private.beneficiary_name);
  const donation = await admin.post(`${C}/fund/donations`, { amount_fen: 5000, method: 'cash', donor_name: '张小明' });
  assert.equal(donation.status, 201, donation.text);
  const open = (await admin.get(`${C}/wishes?status=published&limit=50`)).data.items[0];
  assert.ok(open, 'a published wish to claim');
  claimedWish = open.id;
  assert.equal((await admin.post(`${C}/wishes/${claimedWish}/claims`, { pledge: true, donor_name: '冯先生' })).status, 201);
  vol = await admin.post(`${C}/volunteers`, { name: '李阿姨', birth_year: 1958, for_someone: true, phone: '13700001234', id_number: person.id_number });
  assert.equal(vol.status, 201, vol.text);
  assert.equal((await admin.post(`${C}/volunteers/${vol.data.id}/decision`, { decision: 'approve' })).status, 200);
  const year = new Date().getFullYear();
  const h = await admin.post(`${C}/hours/entries`, { volunteer_id: vol.data.id, served_on: `${year}-01-06`, minutes: 120, description: '整理档案', reason: '纸质签到表补录' });
  assert.equal(h.status, 201, h.text);
  cert = await admin.post(`${C}/volunteers/${vol.data.id}/certificates`, { from: `${year}-01-01`, to: `${year}-12-31` });
  assert.equal(cert.status, 201, cert.text);
  round = (await admin.get(`${C}/grant-rounds`)).data.items[0];
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/voting-codes`, { count: 3 })).status, 201);
  snapshot = {
    person: { phone: one.data.phone, id_number: one.data.id_number, needy: one.data.needy },
    wish: { id: priv.data.id, private: priv.data.private },
    donation: { seq: donation.data.seq, donor_name: donation.data.donor_name },
    cert: (await new Client(srv.base).get(`/api/v1/certificates/${cert.data.serial}`)).data,
  };
  assert.equal(snapshot.cert.status, 'valid');
  for (const t of ['people WHERE phone_enc IS NOT NULL', 'people WHERE id_enc IS NOT NULL', 'people WHERE needy_enc IS NOT NULL',
    'volunteers WHERE phone_enc IS NOT NULL', 'volunteers WHERE id_enc IS NOT NULL', 'wishes', 'wish_claims WHERE donor_name_enc IS NOT NULL',
    'fund_entries WHERE donor_private IS NOT NULL', 'vol_certificates', 'grant_codes']) {
    assert.ok(Number(srv.sql(`SELECT count(*) FROM ${t}`)) > 0, `something to re-seal in ${t}`);
  }
});

test('rekey refuses and changes nothing: unused voting codes, a sealed value that does not open', async () => {
  await srv.kill('SIGTERM');
  const key0 = readFileSync(keyFile(), 'utf8'), sealed0 = sealedNow();
  // Unused voting codes cannot be re-keyed (only their keyed hash is kept): refused unless voided.
  let r = srv.cli(['rekey']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /--void-unused-codes/);
  assert.equal(readFileSync(keyFile(), 'utf8'), key0);
  assert.equal(sealedNow(), sealed0);
  assert.ok(!existsSync(`${keyFile()}.new`));
  // A sealed value that does not open with the current key: the whole rekey is rolled back, naming it.
  const saved = srv.sql(`SELECT needy_enc FROM people WHERE community_id = ${A} AND id = ${person.id}`);
  srv.sql(`UPDATE people SET needy_enc = 'bm90IGEgc2VhbGVkIHZhbHVl' WHERE community_id = ${A} AND id = ${person.id}`);
  r = srv.cli(['rekey', '--void-unused-codes']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`people\\.needy_enc.*${person.id}`));
  assert.equal(readFileSync(keyFile(), 'utf8'), key0);
  assert.ok(!existsSync(`${keyFile()}.new`));
  assert.equal(srv.sql(`SELECT count(*) FROM grant_codes WHERE redeemed_by IS NULL`), '3', 'the codes were not voided');
  srv.sql(`UPDATE people SET needy_enc = ${q(saved)} WHERE community_id = ${A} AND id = ${person.id}`);
  assert.equal(sealedNow(), sealed0);
  assert.equal(srv.cli(['rekey', '--check']).status, 0);
  // fund_entries stays append-only: donor_private may change only inside rekey's transaction, and
  // nothing else even then.
  const seq = snapshot.donation.seq;
  assert.throws(() => srv.sql(`UPDATE fund_entries SET donor_private = 'x' WHERE community_id = ${A} AND seq = ${seq}`), /append-only/);
  assert.throws(() => srv.sql(`BEGIN; INSERT INTO rekey_marker (id) VALUES (1); UPDATE fund_entries SET memo = 'x', donor_private = 'x' `
    + `WHERE community_id = ${A} AND seq = ${seq}; COMMIT;`), /append-only/);
  assert.throws(() => srv.sql(`BEGIN; INSERT INTO rekey_marker (id) VALUES (1); DELETE FROM fund_entries WHERE community_id = ${A} AND seq = ${seq}; COMMIT;`), /append-only/);
  assert.equal(srv.sql('SELECT count(*) FROM rekey_marker'), '0');
  await srv.restart();
});

test('rekey re-seals everything with a new key in one transaction; data reads the same, audit and ledger verify', async () => {
  await srv.kill('SIGTERM');
  const oldKey = join(srv.dir, 'old.key');
  copyFileSync(keyFile(), oldKey);
  const sealed0 = sealedNow();
  const idx0 = srv.sql(`SELECT phone_idx || '|' || id_idx FROM people WHERE community_id = ${A} AND id = ${person.id}`);
  const seal0 = srv.sql(`SELECT seal FROM vol_certificates WHERE community_id = ${A} AND serial = '${cert.data.serial}'`);
  const help = srv.cli(['rekey', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--new-key-file/);
  const r = srv.cli(['rekey', '--void-unused-codes']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.notEqual(readFileSync(keyFile(), 'utf8'), readFileSync(oldKey, 'utf8'), 'a new key');
  assert.equal(statSync(keyFile()).mode & 0o777, 0o600);
  assert.ok(!existsSync(`${keyFile()}.new`));
  assert.notEqual(sealedNow(), sealed0, 'sealed values changed');
  assert.notEqual(srv.sql(`SELECT phone_idx || '|' || id_idx FROM people WHERE community_id = ${A} AND id = ${person.id}`), idx0, 'look-up hashes recomputed');
  assert.notEqual(srv.sql(`SELECT seal FROM vol_certificates WHERE community_id = ${A} AND serial = '${cert.data.serial}'`), seal0, 'certificate seals recomputed');
  assert.equal(srv.sql(`SELECT count(*) FROM grant_codes WHERE redeemed_by IS NULL`), '0', 'unused codes voided');
  const row = srv.sql(`SELECT actor || ' ' || after_json FROM audit_log WHERE community_id = 0 AND action = 'rekey'`);
  assert.match(row, /^linli rekey /);
  assert.match(row, /"key_id"/);
  assert.doesNotMatch(row, new RegExp(readFileSync(keyFile(), 'utf8').trim()), 'the key is not in the audit log');
  for (const cmd of [['audit', 'verify'], ['ledger', 'verify'], ['rekey', '--check']]) {
    const v = srv.cli(cmd);
    assert.equal(v.status, 0, `${cmd.join(' ')}: ${v.stdout}${v.stderr}`);
  }
  const stale = srv.cli(['rekey', '--check', '--secret-key-file', oldKey]);
  assert.equal(stale.status, 1, 'the old key opens nothing');
  const refused = srv.cli(['serve', '--listen', '127.0.0.1:0', '--secret-key-file', oldKey], { timeout: 20000 });
  assert.equal(refused.status, 1, 'a server with the old key refuses to start');
  assert.match(refused.stderr, /key/);

  await srv.restart();
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  const one = await admin.get(`${C}/people/${person.id}?unmask=1`);
  assert.deepEqual({ phone: one.data.phone, id_number: one.data.id_number, needy: one.data.needy }, snapshot.person);
  const byPhone = await admin.get(`${C}/people?q=${person.phone}`);
  assert.ok(byPhone.data.items.some((p) => p.id === person.id), 'exact look-up by phone uses the new keyed hash');
  const dup = await admin.post(`${C}/people`, { name: '重复的人', id_number: person.id_number });
  assert.equal(dup.status, 409, 'the ID number is still unique under the new keyed hash');
  assert.deepEqual((await admin.get(`${C}/wishes/${snapshot.wish.id}?private=1`)).data.private, snapshot.wish.private);
  assert.equal((await admin.get(`${C}/fund/entries/${snapshot.donation.seq}`)).data.donor_name, snapshot.donation.donor_name);
  assert.deepEqual((await new Client(srv.base).get(`/api/v1/certificates/${cert.data.serial}`)).data, snapshot.cert);
  const cert2 = await admin.post(`${C}/volunteers/${vol.data.id}/certificates`, { from: `${new Date().getFullYear()}-01-01`, to: `${new Date().getFullYear()}-12-31` });
  assert.equal(cert2.status, 201);
  assert.match(JSON.stringify(cert2.data), /\*{4,}/, 'the volunteer\'s ID number opens (masked on the certificate)');
  const paid = await admin.post(`${C}/wishes/${claimedWish}/fulfil`, { kind: 'cash', amount_fen: 3000, method: 'cash' }, { headers: { 'Idempotency-Key': 'sec-rekey-1' } });
  assert.equal(paid.status, 200, paid.text);
  const entries = (await admin.get(`${C}/fund/entries?limit=500`)).data.items;
  const donationIn = entries.filter((e) => e.kind === 'donation').pop();
  assert.equal((await admin.get(`${C}/fund/entries/${donationIn.seq}`)).data.donor_name, '冯先生', 'the claim\'s donor name opens');
});

test('rekey interrupted after its commit: the server refuses to start until `linli rekey --recover` finishes it', async () => {
  await srv.kill('SIGTERM');
  const key0 = readFileSync(keyFile(), 'utf8');
  const crash = srv.cli(['rekey'], { env: { ...srv.env, LINLI_TEST_REKEY_STOP: 'committed' } });
  assert.notEqual(crash.status, 0, crash.stdout + crash.stderr);
  assert.ok(existsSync(`${keyFile()}.new`));
  assert.equal(readFileSync(keyFile(), 'utf8'), key0, 'the rename had not happened');
  const refused = srv.cli(['serve', '--listen', '127.0.0.1:0'], { timeout: 20000 });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /rekey --recover/);
  const rec = srv.cli(['rekey', '--recover']);
  assert.equal(rec.status, 0, rec.stdout + rec.stderr);
  assert.ok(!existsSync(`${keyFile()}.new`));
  assert.notEqual(readFileSync(keyFile(), 'utf8'), key0, 'the new key is in place');
  assert.equal(srv.cli(['rekey', '--check']).status, 0);
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
  await srv.restart();
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  const one = await admin.get(`${C}/people/${person.id}?unmask=1`);
  assert.equal(one.data.phone, snapshot.person.phone);
});

test('rekey interrupted before its commit: `linli rekey --recover` drops the unused new key', async () => {
  await srv.kill('SIGTERM');
  const key0 = readFileSync(keyFile(), 'utf8');
  writeFileSync(`${keyFile()}.new`, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
  const refused = srv.cli(['serve', '--listen', '127.0.0.1:0'], { timeout: 20000 });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /rekey --recover/);
  const rec = srv.cli(['rekey', '--recover']);
  assert.equal(rec.status, 0, rec.stdout + rec.stderr);
  assert.ok(!existsSync(`${keyFile()}.new`));
  assert.equal(readFileSync(keyFile(), 'utf8'), key0, 'the key in use is kept');
  await srv.restart();
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  assert.equal((await admin.get(`${C}/people/${person.id}?unmask=1`)).data.phone, snapshot.person.phone);
});

test('rekey --new-key-file takes a key made elsewhere', async () => {
  await srv.kill('SIGTERM');
  const made = join(srv.dir, 'made.key');
  writeFileSync(made, `${'3c'.repeat(32)}\n`, { mode: 0o600 });
  const r = srv.cli(['rekey', '--new-key-file', made]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(keyFile(), 'utf8').trim(), '3c'.repeat(32));
  const same = srv.cli(['rekey', '--new-key-file', made]);
  assert.equal(same.status, 2, 'the same key again is refused');
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
  await srv.restart();
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  assert.equal((await admin.get(`${C}/people/${person.id}?unmask=1`)).data.phone, snapshot.person.phone);
});
