// Module 4, the fund ledger: the public page, double entry refused unless balanced, append-only at
// the store, reversals, the SHA-256 chain (recomputed here as a browser would), the two-person rule,
// idempotent retries, restricted money, no balance below zero, the rules document and reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, account, assertCleanExit } from './harness.mjs';

let srv, admin, staff2, staff3, C;
before(async () => {
  srv = await startServer({ residents: 20 });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
  const pw = join(srv.dir, 'pw-s2');
  writeFileSync(pw, 'second-staff-1\n');
  assert.equal(srv.cli(['user', 'add', '--login', 'staff2', '--password-file', pw, '--role', 'staff', '--community', String(srv.communityId)]).status, 0);
  staff2 = new Client(srv.base);
  await staff2.login('staff2', 'second-staff-1');
  staff3 = await account(srv, 'staff3', 'staff');
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

const pub = () => new Client(srv.base);

// A change of the settings: one that weakens the two-person rule waits for other staff members'
// approval (202), given here by staff2 (and staff3 when two are needed).
async function settle(json) {
  const r = await admin.req('PUT', `${C}/fund/settings`, { json });
  if (r.status === 200) return;
  assert.equal(r.status, 202, r.text);
  for (const who of [staff2, staff3]) {
    const a = await who.post(`${C}/fund/settings/changes/${r.data.pending.id}/approve`);
    assert.equal(a.status, 200, a.text);
    if (a.data.status === 'applied') return;
  }
  assert.fail('the change was not applied');
}
const balance = async () => (await pub().get(`${C}/fund`)).data.balance_fen;

// The chain as any browser recomputes it (docs/fund.md).
async function verifyChain() {
  const items = (await pub().get(`${C}/fund/entries?limit=500`)).data.items;
  let prev = '0'.repeat(64);
  for (const e of items) {
    const lines = e.postings.map((p) => `${p.account} ${p.amount_fen} ${p.earmark}\n`).join('');
    const text = `${e.seq}\n${e.at}\n${e.kind}\n${e.memo}\n${e.donor}\n${e.receipt_no ?? ''}\n${e.reverses_seq ?? ''}\n${lines}${prev}`;
    const h = createHash('sha256').update(text, 'utf8').digest('hex');
    if (e.prev_hash !== prev || e.hash !== h) return e.seq;
    prev = h;
  }
  return 0;
}

test('the public fund page: a little over 4,000 yuan, every entry with its hash', async () => {
  const f = await pub().get(`${C}/fund`);
  assert.equal(f.status, 200);
  assert.equal(f.data.balance_fen, 412650);
  assert.ok(f.data.series.length > 5);
  assert.ok(f.data.income.some((x) => x.code === '4102' && x.fen > 0), 'bazaar share');
  const e = await pub().get(`${C}/fund/entries`);
  assert.equal(e.data.total, 14);
  for (const x of e.data.items) {
    assert.match(x.hash, /^[0-9a-f]{64}$/);
    assert.match(x.prev_hash, /^[0-9a-f]{64}$/);
    assert.ok(x.postings.length >= 2);
    assert.equal(x.postings.reduce((s, p) => s + p.amount_fen, 0), 0);
  }
  assert.equal(await verifyChain(), 0);
  assert.equal((await pub().get(`${C}/fund/verify`)).data.ok, true);
  const rules = await pub().get(`${C}/fund/rules`);
  assert.match(rules.data.html, /<h1>文华社区“微心愿”公益基金管理制度<\/h1>/);
  assert.equal((await admin.get(C)).data.stats.fund_balance_fen, 412650);
});

test('donations: cash into the balance, in kind kept apart, donors masked in public', async () => {
  const b0 = await balance();
  const d = await admin.post(`${C}/fund/donations`, { amount_fen: 20000, method: 'wechat', donor_name: '张小明', donor_kind: 'party_member' });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.data.donor, '张**');
  assert.equal(d.data.donor_name, '张小明');
  assert.match(d.data.receipt_no, /\S/);
  assert.equal(await balance(), b0 + 20000);
  const anon = await admin.post(`${C}/fund/donations`, { amount_fen: 100, method: 'cash', donor_name: '李四', anonymous: true });
  assert.equal(anon.data.donor, '匿名');
  const org = await admin.post(`${C}/fund/donations`, { amount_fen: 100, method: 'bank', donor_name: '龙江明理律师事务所', donor_kind: 'organisation' });
  assert.equal(org.data.donor, '龙江明理律师事务所');
  const f0 = (await pub().get(`${C}/fund`)).data;
  const kind = await admin.post(`${C}/fund/donations`, { amount_fen: 19800, method: 'in_kind', item: '血压计', donor_name: '王五' });
  assert.equal(kind.status, 201);
  const f1 = (await pub().get(`${C}/fund`)).data;
  assert.equal(f1.balance_fen, f0.balance_fen, 'in kind does not change the cash balance');
  assert.equal(f1.in_kind_fen, f0.in_kind_fen + 19800);
  const publicEntry = (await pub().get(`${C}/fund/entries?limit=500`)).data.items.find((x) => x.seq === d.data.seq);
  assert.equal(publicEntry.donor_name, undefined);
  assert.equal((await pub().get(`${C}/fund/entries/${d.data.seq}`)).status, 401);
  const bad = await admin.post(`${C}/fund/donations`, { amount_fen: -5, method: 'cash' });
  assert.equal(bad.status, 422);
  assert.equal((await admin.post(`${C}/fund/donations`, { amount_fen: 5, method: 'in_kind' })).data.error.fields.item, '必填');
});

test('the home page balance, the fund page and the ledger pages follow each new entry (all are kept by the chain head)', async () => {
  for (const amount of [700, 1300]) {
    const home0 = (await admin.get(C)).data.stats.fund_balance_fen;
    const total0 = (await pub().get(`${C}/fund/entries?limit=1`)).data.total;
    // Read twice, so that the second read is the kept answer (src/core/vcache.h).
    const fund0 = (await pub().get(`${C}/fund`)).data;
    assert.deepEqual((await pub().get(`${C}/fund`)).data, fund0);
    const last0 = (await pub().get(`${C}/fund/entries?limit=500&offset=${total0 - 1}`)).data;
    assert.equal(last0.items.length, 1);
    assert.equal(home0, await balance());
    const d = await admin.post(`${C}/fund/donations`, { amount_fen: amount, method: 'cash', donor_name: '赵六' });
    assert.equal(d.status, 201, d.text);
    assert.equal((await admin.get(C)).data.stats.fund_balance_fen, home0 + amount);
    const e = (await pub().get(`${C}/fund/entries?limit=1`)).data;
    assert.equal(e.total, total0 + 1);
    assert.equal(e.total, d.data.seq);
    const fund1 = (await pub().get(`${C}/fund`)).data;
    assert.equal(fund1.balance_fen, fund0.balance_fen + amount);
    assert.equal(fund1.entries, d.data.seq);
    assert.notEqual(fund1.head_hash, fund0.head_hash);
    assert.equal(fund1.series.at(-1).balance_fen, fund0.series.at(-1).balance_fen + amount);
    const last1 = (await pub().get(`${C}/fund/entries?limit=500&offset=${total0 - 1}`)).data;
    assert.equal(last1.total, total0 + 1);
    assert.deepEqual(last1.items.map((x) => x.seq), [total0, total0 + 1]);
    assert.equal(last1.items[1].amount_fen, amount);
  }
  // Each language has its own page (account names).
  const en = await new Client(srv.base, 'en').get(`${C}/fund`);
  assert.ok(en.data.accounts.some((a) => a.name !== a.name_zh), 'English account names');
});

test('the store refuses an entry that does not balance, and any update or delete', async () => {
  const seq = (await pub().get(`${C}/fund`)).data.entries + 1;
  const cid = srv.communityId;
  assert.throws(() => srv.sql(`BEGIN; INSERT INTO fund_postings VALUES (${cid}, ${seq}, 1, '1001', 500, ''); INSERT INTO fund_postings VALUES (${cid}, ${seq}, 2, '4101', -400, ''); ` +
    `INSERT INTO fund_entries (community_id, seq, at, kind, memo, created_by, prev_hash, hash) VALUES (${cid}, ${seq}, 0, 'donation', 'x', 'x', 'x', 'x'); COMMIT;`), /balance/);
  // Postings alone, without their entry, never commit.
  assert.throws(() => srv.sql(`INSERT INTO fund_postings VALUES (${cid}, ${seq}, 1, '1001', 500, '')`), /FOREIGN KEY|foreign key/);
  assert.throws(() => srv.sql(`UPDATE fund_postings SET amount_fen = 1 WHERE community_id = ${cid} AND entry_seq = 1`), /append-only/);
  assert.throws(() => srv.sql(`DELETE FROM fund_entries WHERE community_id = ${cid} AND seq = 1`), /append-only/);
  assert.equal(await verifyChain(), 0);
});

test('a correction is a reversing entry that points at the original', async () => {
  const d = await admin.post(`${C}/fund/donations`, { amount_fen: 3000, method: 'cash', donor_name: '录错的人' });
  const b = await balance();
  const r = await admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: '金额录入错误' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.reverses_seq, d.data.seq);
  assert.equal(r.data.kind, 'reversal');
  assert.deepEqual(r.data.postings.map((p) => p.amount_fen), d.data.postings.map((p) => -p.amount_fen));
  assert.equal(await balance(), b - 3000);
  assert.equal((await admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: 'again' })).status, 409);
  assert.equal((await admin.post(`${C}/fund/entries/${r.data.seq}/reverse`, { reason: 'undo' })).status, 409);
});

test('money out above the threshold needs another staff member; nobody approves their own', async () => {
  const b = await balance();
  const small = await admin.post(`${C}/fund/disbursements`, { amount_fen: 30000, from: 'cash', expense: 'wishes', memo: '微心愿：轮椅', payee: '某供应商' });
  assert.equal(small.status, 201, small.text);
  assert.equal(await balance(), b - 30000);
  const big = await admin.post(`${C}/fund/disbursements`, { amount_fen: 60000, from: 'bank', expense: 'activities', memo: '社区营造培训' });
  assert.equal(big.status, 202);
  assert.equal(big.data.status, 'pending');
  assert.equal(await balance(), b - 30000, 'nothing posts before approval');
  const own = await admin.post(`${C}/fund/requests/${big.data.id}/approve`);
  assert.equal(own.status, 403);
  assert.equal(own.data.error.code, 'own_request');
  const ok = await staff2.post(`${C}/fund/requests/${big.data.id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.data.status, 'posted');
  assert.equal(await balance(), b - 90000);
  assert.equal((await staff2.post(`${C}/fund/requests/${big.data.id}/approve`)).status, 409);
  // Two approvals needed: one is not enough.
  assert.equal((await admin.req('PUT', `${C}/fund/settings`, { json: { threshold_fen: 50000, approvals_needed: 2 } })).status, 200, 'more approvals: at once');
  const two = await staff2.post(`${C}/fund/disbursements`, { amount_fen: 55000, from: 'bank', expense: 'activities', memo: '两人审批' });
  const a1 = await admin.post(`${C}/fund/requests/${two.data.id}/approve`);
  assert.equal(a1.data.status, 'pending');
  assert.equal(a1.data.approvals, 1);
  await settle({ threshold_fen: 50000, approvals_needed: 1 });
});

test('a retried request with the same Idempotency-Key posts once', async () => {
  const before = (await pub().get(`${C}/fund`)).data.entries;
  const body = { amount_fen: 777, method: 'cash', donor_name: '重试的人' };
  const headers = { 'Idempotency-Key': 'donation-2026-0001' };
  const r1 = await admin.post(`${C}/fund/donations`, body, { headers });
  const r2 = await admin.post(`${C}/fund/donations`, body, { headers });
  assert.equal(r1.status, 201);
  assert.equal(r2.status, 201);
  assert.equal(r2.data.seq, r1.data.seq);
  assert.equal(r2.headers.get('idempotent-replay'), 'true');
  assert.equal((await pub().get(`${C}/fund`)).data.entries, before + 1);
  const other = await admin.post(`${C}/fund/disbursements`, { amount_fen: 1, from: 'cash', expense: 'wishes', memo: 'x' }, { headers });
  assert.equal(other.status, 422);
  // A key is 1–100 printable ASCII characters; anything else is a field error, and nothing posts
  // (a byte past ASCII once made PostgreSQL answer 500).
  for (const [key, message] of [['', '必填'], ['x'.repeat(101), '内容过长'], ['tab\there', /ASCII/], ['caf\u00e9', /ASCII/]]) {
    const r = await admin.post(`${C}/fund/donations`, body, { headers: { 'Idempotency-Key': key } });
    assert.equal(r.status, 422, JSON.stringify(key));
    assert.match(r.data.error.fields['Idempotency-Key'], message instanceof RegExp ? message : new RegExp(message));
  }
  assert.equal((await pub().get(`${C}/fund`)).data.entries, before + 1);
  assert.equal((await admin.get(`${C}/fund/report?year=2024abc`)).status, 422);
});

test('restricted money is spent only on its purpose, and the balance never goes below zero', async () => {
  const f = (await pub().get(`${C}/fund`)).data;
  await admin.post(`${C}/fund/donations`, { amount_fen: f.balance_fen, method: 'bank', donor_name: '定向捐赠人', earmark: { type: 'wish', id: 42 } });
  const f2 = (await pub().get(`${C}/fund`)).data;
  assert.equal(f2.restricted_fen, f.balance_fen);
  assert.equal(f2.unrestricted_fen, f.balance_fen);
  const general = await admin.post(`${C}/fund/disbursements`, { amount_fen: f2.unrestricted_fen + 100, from: 'bank', expense: 'activities', memo: '超出非限定余额' });
  assert.equal(general.status, 409);
  assert.equal(general.data.error.code, 'insufficient_funds');
  const bad = await admin.post(`${C}/fund/donations`, { amount_fen: 1, method: 'cash', earmark: { type: 'dream', id: 1 } });
  assert.equal(bad.status, 422);
  // Concurrent payouts of 40% of the cash account each (under the approval threshold): two
  // succeed, and the balance never goes below zero.
  await settle({ threshold_fen: 1e8, approvals_needed: 1 });
  const cash = f2.accounts.find((a) => a.code === '1001').balance_fen;
  const each = Math.floor(cash * 0.4);
  const rs = await Promise.all(Array.from({ length: 5 }, (_, i) => admin.post(`${C}/fund/disbursements`, { amount_fen: each, from: 'cash', expense: 'wishes', memo: `并发支出${i}` })));
  assert.equal(rs.filter((r) => r.status === 201).length, 2, rs.map((r) => r.status).join(','));
  const after = (await pub().get(`${C}/fund`)).data.accounts.find((a) => a.code === '1001').balance_fen;
  assert.ok(after >= 0);
  assert.equal(after, cash - 2 * each);
});

test('rules are versioned; reports export as XLSX', async () => {
  const r = await admin.post(`${C}/fund/rules`, { markdown: '# 第二版\n\n<script>alert(1)</script>\n\n捐赠专款专用。' });
  assert.equal(r.status, 201);
  assert.equal(r.data.version, 2);
  assert.doesNotMatch(r.data.html, /<script>/);
  assert.equal(r.data.versions.length, 2);
  const year = new Date().getUTCFullYear();
  const rep = await admin.get(`${C}/fund/report?year=${year}`);
  assert.equal(rep.status, 200);
  assert.ok(rep.data.items.find((x) => x.code === '4101').credit_fen > 0);
  const x = await admin.get(`${C}/fund/report?year=2016&month=11&format=xlsx`);
  assert.equal(x.buf.subarray(0, 2).toString(), 'PK');
  assert.equal((await admin.get(`${C}/fund/report?year=2016&month=13`)).status, 422);
});

test('an amount edited in the database breaks the chain, and verification names the entry', async () => {
  assert.equal(srv.cli(['ledger', 'verify']).status, 0);
  const cid = srv.communityId;
  if (srv.db.startsWith('sqlite:')) srv.sql('DROP TRIGGER fund_postings_no_update');
  else srv.sql('DROP TRIGGER fund_postings_append_only ON fund_postings');
  srv.sql(`UPDATE fund_postings SET amount_fen = amount_fen * 10 WHERE community_id = ${cid} AND entry_seq = 3`);
  const r = srv.cli(['ledger', 'verify']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /entry 3/);
  const v = (await pub().get(`${C}/fund/verify`)).data;
  assert.equal(v.ok, false);
  assert.match(v.first_bad, /entry 3/);
  assert.equal(await verifyChain(), 3);
});
