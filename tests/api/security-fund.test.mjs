// Security findings of the community fund (issue #11: M2, M3, M4), each as the outside penetration
// test found it, run against a real server on SQLite and on PostgreSQL:
// - M2: an amount near INT64_MAX broke the fund for good (every sum overflowed: the fund page, the
//   home page, the reports and payouts answered 500). Every money field is capped at 10^12 fen, no
//   posting takes an account past the ledger's limits, and a database that already holds such an
//   amount (written before the cap) keeps working: the entry is named and left out of every sum.
// - M3: the two-person rule could be switched off by the person it binds (raise the threshold, pay
//   alone, put it back). A change that weakens it waits for another staff member (202); the
//   threshold has a maximum; payouts that each stay under the threshold but together pass it in one
//   China day wait for approval too.
// - M4: reversals skipped the approval and the balance check (a donation reversed after a payout
//   took the cash to −900,000 fen). A reversal that takes money out is checked and approved as a
//   payout is, also when it races payouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, Client, account, assertCleanExit, BACKEND } from './harness.mjs';

const MAX_FEN = 1e12; // MONEY_MAX_FEN: ¥10 billion
const THRESHOLD_MAX = 1e8; // the threshold's maximum: ¥1,000,000
const DAY = 86400;

let srv, admin, staff2, staff3, C, day = 0;
before(async () => {
  srv = await startServer({ residents: 20, serveArgs: ['--threads', '4'] });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
  staff2 = await account(srv, 'secstaff2', 'staff');
  staff3 = await account(srv, 'secstaff3', 'staff');
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

const pub = () => new Client(srv.base);
const fund = async () => (await pub().get(`${C}/fund`)).data;
const acct = (f, code) => f.accounts.find((a) => a.code === code).balance_fen;
const settings = async () => (await admin.get(`${C}/fund/settings`)).data;
const put = (who, json) => who.req('PUT', `${C}/fund/settings`, { json });
// Each test starts on a China day of its own (the server's clock moves forward), so that the daily
// rule of split payments counts only what that test paid.
const newDay = () => srv.setClock(++day * DAY);
const audits = (entity) => srv.sql(`SELECT action FROM audit_log WHERE community_id = ${srv.communityId} AND entity = '${entity}' ORDER BY seq`)
  .split('\n').filter(Boolean);

// A weakening change of the settings as the rule now wants it: asked by the admin, approved by as
// many other staff members as the rule in force asks.
async function settle(json) {
  const r = await put(admin, json);
  if (r.status === 200) return r.data;
  assert.equal(r.status, 202, r.text);
  let a;
  for (const who of [staff2, staff3]) {
    a = await who.post(`${C}/fund/settings/changes/${r.data.pending.id}/approve`);
    assert.equal(a.status, 200, a.text);
    if (a.data.status === 'applied') break;
  }
  assert.equal(a.data.status, 'applied', a.text);
  return settings();
}

test('M3: raising the threshold waits for another staff member (202); until then the rule holds', async () => {
  newDay();
  const s0 = await settings();
  assert.deepEqual([s0.threshold_fen, s0.approvals_needed], [50000, 1]);
  assert.equal((await admin.post(`${C}/fund/donations`, { amount_fen: 1000000, method: 'bank', donor_name: '测试' })).status, 201);
  const bal0 = (await fund()).balance_fen;
  // The attack: raise the threshold to 900,000 fen and pay 900,000 alone.
  const raise = await put(admin, { threshold_fen: 900000, approvals_needed: 1 });
  assert.equal(raise.status, 202, raise.text);
  assert.equal(raise.data.threshold_fen, 50000, 'the rule does not change before the approval');
  assert.equal(raise.data.pending.threshold_fen, 900000);
  assert.equal(raise.data.pending.requested_by_login, 'admin');
  const shown = await settings();
  assert.equal(shown.threshold_fen, 50000);
  assert.equal(shown.pending.id, raise.data.pending.id, 'the pending change shows in GET settings');
  const pay = await admin.post(`${C}/fund/disbursements`, { amount_fen: 900000, from: 'bank', expense: 'activities', memo: '一人支出' });
  assert.equal(pay.status, 202, 'still a request for approval');
  assert.equal((await fund()).balance_fen, bal0, 'nothing paid');
  // Nobody approves their own change; another staff member does, and then it holds.
  const own = await admin.post(`${C}/fund/settings/changes/${raise.data.pending.id}/approve`);
  assert.equal(own.status, 403);
  assert.equal(own.data.error.code, 'own_settings_change');
  assert.equal((await settings()).threshold_fen, 50000);
  const ok = await staff2.post(`${C}/fund/settings/changes/${raise.data.pending.id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.data.status, 'applied');
  const s1 = await settings();
  assert.equal(s1.threshold_fen, 900000);
  assert.equal(s1.pending, null);
  assert.equal((await staff2.post(`${C}/fund/settings/changes/${raise.data.pending.id}/approve`)).data.error.code, 'settings_change_closed');
  assert.deepEqual(audits('fund_settings_change'), ['request', 'approve']);
  assert.deepEqual(audits('fund_settings'), ['update']);
  // Lowering the threshold only tightens the rule: it applies at once.
  const back = await put(admin, { threshold_fen: 50000, approvals_needed: 1 });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.data.threshold_fen, 50000);
  assert.equal((await staff2.post(`${C}/fund/requests/${pay.data.id}/reject`)).status, 200);
});

test('M3: fewer approvals waits too; a tightening applies at once; a new change replaces the pending one', async () => {
  newDay();
  const two = await put(admin, { threshold_fen: 50000, approvals_needed: 2 });
  assert.equal(two.status, 200, `more approvals: at once: ${two.text}`);
  assert.equal(two.data.approvals_needed, 2);
  const one = await put(staff3, { threshold_fen: 50000, approvals_needed: 1 });
  assert.equal(one.status, 202, one.text);
  assert.equal(one.data.approvals_needed, 2);
  assert.equal(one.data.pending.approvals_required, 2, 'as many approvals as the rule in force asks');
  const a1 = await staff2.post(`${C}/fund/settings/changes/${one.data.pending.id}/approve`);
  assert.equal(a1.status, 200, a1.text);
  assert.equal(a1.data.status, 'pending');
  assert.equal((await staff2.post(`${C}/fund/settings/changes/${one.data.pending.id}/approve`)).data.error.code, 'settings_already_approved');
  assert.equal((await settings()).approvals_needed, 2, 'one approval of two is not enough');
  const a2 = await admin.post(`${C}/fund/settings/changes/${one.data.pending.id}/approve`);
  assert.equal(a2.data.status, 'applied', a2.text);
  assert.equal((await settings()).approvals_needed, 1);
  // Lower threshold and fewer approvals at once is still a weakening.
  await put(admin, { threshold_fen: 50000, approvals_needed: 2 });
  assert.equal((await put(admin, { threshold_fen: 40000, approvals_needed: 1 })).status, 202);
  await settle({ threshold_fen: 50000, approvals_needed: 1 });
  // A second change replaces the first; rejected, nothing changes.
  const c1 = await put(admin, { threshold_fen: 60000, approvals_needed: 1 });
  const c2 = await put(admin, { threshold_fen: 70000, approvals_needed: 1 });
  assert.equal(c2.status, 202);
  assert.notEqual(c2.data.pending.id, c1.data.pending.id);
  const stale = await staff2.post(`${C}/fund/settings/changes/${c1.data.pending.id}/approve`);
  assert.equal(stale.status, 409);
  assert.equal(stale.data.error.code, 'settings_change_closed');
  assert.equal((await admin.post(`${C}/fund/settings/changes/${c2.data.pending.id}/reject`)).data.error.code, 'own_settings_change');
  const rej = await staff2.post(`${C}/fund/settings/changes/${c2.data.pending.id}/reject`);
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.data.status, 'rejected');
  const s = await settings();
  assert.deepEqual([s.threshold_fen, s.approvals_needed, s.pending], [50000, 1, null]);
  assert.equal((await staff2.post(`${C}/fund/settings/changes/999999/approve`)).status, 404);
});

test('M3: the threshold has a maximum of ¥1,000,000 (10^8 fen)', async () => {
  const before = await settings();
  for (const t of [THRESHOLD_MAX + 1, MAX_FEN, 9e18]) {
    const r = await put(admin, { threshold_fen: t, approvals_needed: 1 });
    assert.equal(r.status, 422, `${t}: ${r.text}`);
    assert.ok(r.data.error.fields.threshold_fen, `${t}: the field is named`);
  }
  assert.equal((await put(admin, { threshold_fen: 50000, approvals_needed: 0 })).status, 422);
  assert.deepEqual(await settings(), before, 'nothing changed');
  const top = await put(admin, { threshold_fen: THRESHOLD_MAX, approvals_needed: 1 });
  assert.equal(top.status, 202, top.text);
  assert.equal((await staff2.post(`${C}/fund/settings/changes/${top.data.pending.id}/reject`)).status, 200);
});

test('M3: split payments: the payout that takes a requester\'s or a payee\'s day past the threshold waits for approval', async () => {
  newDay();
  assert.equal((await settings()).threshold_fen, 50000);
  const pay = (who, amount, payee) => who.post(`${C}/fund/disbursements`, { amount_fen: amount, from: 'bank', expense: 'activities', memo: '拆分支出', payee });
  const b0 = (await fund()).balance_fen;
  const p1 = await pay(admin, 30000, '甲公司');
  assert.equal(p1.status, 201, p1.text);
  const p2 = await pay(admin, 30000, '乙公司');
  assert.equal(p2.status, 202, `the same requester, 60,000 in one day: ${p2.text}`);
  assert.equal(p2.data.rule, 'daily_total');
  const p3 = await pay(staff2, 30000, '甲公司');
  assert.equal(p3.status, 202, `the same payee, 60,000 in one day: ${p3.text}`);
  assert.equal(p3.data.rule, 'daily_total');
  const p4 = await pay(staff2, 20000, '丙公司');
  assert.equal(p4.status, 201, p4.text);
  assert.equal((await fund()).balance_fen, b0 - 50000);
  const q = (await admin.get(`${C}/fund/requests?status=pending`)).data.items;
  assert.deepEqual(q.filter((x) => [p2.data.id, p3.data.id].includes(x.id)).map((x) => x.rule), ['daily_total', 'daily_total']);
  // A payout above the threshold on its own is a request for that reason.
  const big = await pay(staff3, 50001, '丁公司');
  assert.equal(big.data.rule, 'threshold');
  // The next China day starts afresh.
  newDay();
  assert.equal((await pay(admin, 30000, '甲公司')).status, 201);
  // An approved request is not money paid alone: it does not count.
  const ok = await staff3.post(`${C}/fund/requests/${p2.data.id}/approve`);
  assert.equal(ok.data.status, 'posted', ok.text);
  assert.equal((await pay(admin, 20000, '戊公司')).status, 201);
  assert.equal((await admin.post(`${C}/fund/requests/${p3.data.id}/reject`)).data.status, 'rejected');
  assert.equal((await admin.post(`${C}/fund/requests/${big.data.id}/reject`)).data.status, 'rejected');
});

test('M4: a reversal that would take the cash below zero is refused: 409 insufficient_funds', async () => {
  newDay();
  const d = await admin.post(`${C}/fund/donations`, { amount_fen: 900000, method: 'cash', donor_name: '大额现金' });
  assert.equal(d.status, 201, d.text);
  // All the cash paid out (approved by a second staff member, as the rule wants).
  const cash = acct(await fund(), '1001');
  const q = await admin.post(`${C}/fund/disbursements`, { amount_fen: cash, from: 'cash', expense: 'wishes', memo: '现金全部支出' });
  assert.equal(q.status, 202, q.text);
  assert.equal((await staff2.post(`${C}/fund/requests/${q.data.id}/approve`)).data.status, 'posted');
  const f0 = await fund();
  assert.equal(acct(f0, '1001'), 0);
  const r = await admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: '捐赠录入错误' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'insufficient_funds');
  const f1 = await fund();
  assert.equal(acct(f1, '1001'), 0, 'the cash stays at zero');
  assert.equal(f1.entries, f0.entries, 'nothing posted');
  assert.equal(Number(srv.sql(`SELECT count(*) FROM fund_requests WHERE community_id = ${srv.communityId} AND reverses_seq = ${d.data.seq}`)), 0, 'no request left');
});

test('M4: a reversal above the threshold that takes money out waits for another staff member; one that puts money back does not', async () => {
  newDay();
  const d = await admin.post(`${C}/fund/donations`, { amount_fen: 60000, method: 'bank', donor_name: '误录' });
  const b0 = (await fund()).balance_fen;
  const r = await admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: '重复录入' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.data.kind, 'reversal');
  assert.equal(r.data.reverses_seq, d.data.seq);
  assert.equal(r.data.amount_fen, 60000);
  assert.equal(r.data.status, 'pending');
  assert.equal((await fund()).balance_fen, b0, 'nothing reversed before the approval');
  const again = await staff2.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: '再次冲正' });
  assert.equal(again.status, 409);
  assert.equal(again.data.error.code, 'reversal_pending');
  const own = await admin.post(`${C}/fund/requests/${r.data.id}/approve`);
  assert.equal(own.data.error.code, 'own_request');
  const ok = await staff2.post(`${C}/fund/requests/${r.data.id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.data.status, 'posted');
  const e = (await admin.get(`${C}/fund/entries/${ok.data.entry_seq}`)).data;
  assert.equal(e.kind, 'reversal');
  assert.equal(e.reverses_seq, d.data.seq);
  assert.deepEqual(e.postings.map((p) => p.amount_fen), d.data.postings.map((p) => -p.amount_fen));
  assert.equal((await fund()).balance_fen, b0 - 60000);
  assert.equal((await admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: '第三次' })).data.error.code, 'already_reversed');
  // A payout reversed puts the money back: at once, whatever its size.
  const p = await admin.post(`${C}/fund/disbursements`, { amount_fen: 60000, from: 'bank', expense: 'activities', memo: '付错了' });
  assert.equal((await staff2.post(`${C}/fund/requests/${p.data.id}/approve`)).data.status, 'posted');
  const paid = (await admin.get(`${C}/fund/requests?limit=500`)).data.items.find((x) => x.id === p.data.id).entry_seq;
  const b1 = (await fund()).balance_fen;
  const back = await admin.post(`${C}/fund/entries/${paid}/reverse`, { reason: '退回' });
  assert.equal(back.status, 201, back.text);
  assert.equal((await fund()).balance_fen, b1 + 60000);
  // A small one posts at once; a request whose money left meanwhile is refused at its approval.
  const small = await admin.post(`${C}/fund/donations`, { amount_fen: 1000, method: 'cash' });
  assert.equal((await admin.post(`${C}/fund/entries/${small.data.seq}/reverse`, { reason: '小额' })).status, 201);
  const big = await admin.post(`${C}/fund/donations`, { amount_fen: 70000, method: 'cash' });
  const rq = await admin.post(`${C}/fund/entries/${big.data.seq}/reverse`, { reason: '大额' });
  assert.equal(rq.status, 202, rq.text);
  const cash = acct(await fund(), '1001');
  const drain = await admin.post(`${C}/fund/disbursements`, { amount_fen: cash, from: 'cash', expense: 'wishes', memo: '现金支出' });
  assert.equal((await staff3.post(`${C}/fund/requests/${drain.data.id}/approve`)).data.status, 'posted');
  const late = await staff2.post(`${C}/fund/requests/${rq.data.id}/approve`);
  assert.equal(late.status, 409, late.text);
  assert.equal(late.data.error.code, 'insufficient_funds');
  assert.equal(acct(await fund(), '1001'), 0);
  assert.equal((await pub().get(`${C}/fund/verify`)).data.ok, true);
});

test('M4: reversals and payouts at once never take the cash below zero', async () => {
  newDay();
  await settle({ threshold_fen: THRESHOLD_MAX, approvals_needed: 1 });
  const cid = srv.communityId;
  for (let k = 0; k < 15; k++) {
    const cash0 = acct(await fund(), '1001');
    if (cash0 > 0) {
      const q = await admin.post(`${C}/fund/disbursements`, { amount_fen: cash0, from: 'cash', expense: 'wishes', memo: `清零${k}` });
      assert.equal(q.status, 201, q.text);
    }
    const d = await admin.post(`${C}/fund/donations`, { amount_fen: 20000 + k, method: 'cash', donor_name: '竞争' });
    assert.equal(d.status, 201, d.text);
    const cash = acct(await fund(), '1001');
    const amounts = [9000, 8000, 7000];
    // The reversal goes first, in the middle or last: whichever commits first, the others see it.
    const sends = amounts.map((a, i) => () => admin.post(`${C}/fund/disbursements`, { amount_fen: a, from: 'cash', expense: 'wishes', memo: `竞争${k}-${i}` })
      .then((res) => ({ amount: a, res })));
    sends.splice(k % 4, 0, () => admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: `竞争${k}` }).then((res) => ({ amount: 20000 + k, res })));
    const rs = await Promise.all(sends.map((f) => f()));
    const after = acct(await fund(), '1001');
    const msg = `trial ${k + 1}: cash ${cash}, ${rs.map((r) => `${r.amount}→${r.res.status}`).join(' ')}, left ${after}`;
    for (const r of rs) {
      assert.ok(r.res.status === 201 || (r.res.status === 409 && r.res.data.error.code === 'insufficient_funds'), `${msg}: ${r.res.text}`);
    }
    assert.ok(after >= 0, msg);
    assert.equal(rs.filter((r) => r.res.status === 201).reduce((s, r) => s + r.amount, 0), cash - after, `${msg}: what left is what was posted`);
  }
  const lowest = Number(srv.sql(`SELECT min(run) FROM (SELECT sum(sum(amount_fen)) OVER (ORDER BY entry_seq) AS run FROM fund_postings
    WHERE community_id = ${cid} AND account = '1001' GROUP BY entry_seq) AS x`));
  assert.ok(lowest >= 0, `the cash was never below zero (lowest ${lowest})`);
  await settle({ threshold_fen: 50000, approvals_needed: 1 });
});

test('M2: a money field above 10^12 fen is refused with the field named', async () => {
  const n0 = (await fund()).entries;
  for (const [path, body] of [
    ['donations', { amount_fen: MAX_FEN + 1, method: 'bank' }],
    ['donations', { amount_fen: 9223372036854775807n.toString(), method: 'bank' }],
    ['disbursements', { amount_fen: MAX_FEN + 1, from: 'bank', expense: 'wishes', memo: 'x' }],
  ]) {
    const text = JSON.stringify(body).replace('"9223372036854775807"', '9223372036854775807');
    const r = await admin.req('POST', `${C}/fund/${path}`, { body: text, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 422, `${path} ${text}: ${r.text}`);
    assert.ok(r.data.error.fields.amount_fen, 'the field is named');
  }
  assert.equal((await fund()).entries, n0);
});

test('M2: no posting takes an account past ¥10 billion, nor its turnover past ¥10 trillion; the fund keeps working', async () => {
  newDay();
  const f0 = await fund();
  const room = MAX_FEN - Math.max(-acct(f0, '4101'), acct(f0, '1002'), f0.balance_fen);
  const over = await admin.post(`${C}/fund/donations`, { amount_fen: MAX_FEN, method: 'bank', donor_name: '巨额' });
  assert.equal(over.status, 409, over.text);
  assert.equal(over.data.error.code, 'ledger_limit');
  assert.equal((await fund()).entries, f0.entries, 'nothing posted');
  const full = await admin.post(`${C}/fund/donations`, { amount_fen: room, method: 'bank', donor_name: '巨额' });
  assert.equal(full.status, 201, full.text);
  const one = await admin.post(`${C}/fund/donations`, { amount_fen: 1, method: 'bank' });
  assert.equal(one.status, 409, one.text);
  assert.equal(one.data.error.code, 'ledger_limit');
  const f1 = await fund();
  assert.equal(f1.balance_fen, f0.balance_fen + room);
  assert.equal((await admin.get(C)).data.stats.fund_balance_fen, f1.balance_fen, 'the home numbers');
  const year = new Date(Date.now() + day * DAY * 1000 + 8 * 3600 * 1000).getUTCFullYear();
  const rep = await admin.get(`${C}/fund/report?year=${year}`);
  assert.equal(rep.status, 200, rep.text);
  assert.ok(rep.data.items.find((x) => x.code === '1002').debit_fen >= room);
  const pay = await admin.post(`${C}/fund/disbursements`, { amount_fen: 100, from: 'bank', expense: 'wishes', memo: '照常支出' });
  assert.equal(pay.status, 201, pay.text);
  // The big one reversed (above the threshold: approved by a second staff member): room again.
  const rv = await admin.post(`${C}/fund/entries/${full.data.seq}/reverse`, { reason: '测试后冲回' });
  assert.equal(rv.status, 202, rv.text);
  assert.equal((await staff2.post(`${C}/fund/requests/${rv.data.id}/approve`)).data.status, 'posted');
  assert.equal((await fund()).balance_fen, f0.balance_fen - 100);
  // The turnover: an account's debits (or credits) in all may not pass 10^15 fen, so that no sum
  // of postings can overflow. Near the limit (set by hand), a donation is refused.
  const cid = srv.communityId;
  const debit = srv.sql(`SELECT debit_fen FROM fund_balances WHERE community_id = ${cid} AND account = '1001'`);
  srv.sql(`UPDATE fund_balances SET debit_fen = 1000000000000000 - 50 WHERE community_id = ${cid} AND account = '1001'`);
  const turn = await admin.post(`${C}/fund/donations`, { amount_fen: 100, method: 'cash' });
  assert.equal(turn.status, 409, turn.text);
  assert.equal(turn.data.error.code, 'ledger_limit');
  srv.sql(`UPDATE fund_balances SET debit_fen = ${debit} WHERE community_id = ${cid} AND account = '1001'`);
  assert.equal((await admin.post(`${C}/fund/donations`, { amount_fen: 100, method: 'cash' })).status, 201);
  // An account already past its limit (a database written before the limits): entries that take it
  // farther are refused, those that bring it back towards zero post, and the rest of the fund works.
  const bank = srv.sql(`SELECT balance_fen FROM fund_balances WHERE community_id = ${cid} AND account = '1002'`);
  srv.sql(`UPDATE fund_balances SET balance_fen = 1000000000005 WHERE community_id = ${cid} AND account = '1002'`);
  assert.equal((await admin.post(`${C}/fund/donations`, { amount_fen: 100, method: 'bank' })).data.error.code, 'ledger_limit');
  assert.equal((await admin.post(`${C}/fund/disbursements`, { amount_fen: 100, from: 'bank', expense: 'wishes', memo: '回落' })).status, 201);
  assert.equal((await admin.post(`${C}/fund/donations`, { amount_fen: 100, method: 'in_kind', item: '文具' })).status, 201);
  srv.sql(`UPDATE fund_balances SET balance_fen = ${bank} - 100 WHERE community_id = ${cid} AND account = '1002'`);
  // The database refuses such a posting too, whoever writes it.
  const seq = (await fund()).entries + 1;
  assert.throws(() => srv.sql(`BEGIN; INSERT INTO fund_postings VALUES (${cid}, ${seq}, 1, '1001', 1000000000001, ''); ` +
    `INSERT INTO fund_postings VALUES (${cid}, ${seq}, 2, '4101', -1000000000001, ''); COMMIT;`), /range|check|constraint/i);
});

// Last: it leaves an entry of 9223372036854775807 fen in the ledger.
test('M2: a ledger that already holds an amount near INT64_MAX keeps working: the entry is named and left out of every sum', async () => {
  newDay();
  const cid = srv.communityId, f0 = await fund();
  // Written as a database made before the cap holds it: the range check of the database (added with
  // the cap) set aside, the entry chained properly (the chain still verifies).
  if (BACKEND === 'sqlite') srv.sql('DROP TRIGGER IF EXISTS fund_postings_in_range');
  else srv.sql('ALTER TABLE fund_postings DROP CONSTRAINT IF EXISTS fund_postings_in_range');
  const seq = f0.entries + 1, at = Math.floor(Date.now() / 1000), big = '9223372036854775807';
  const lines = `1002 ${big} \n4101 -${big} \n`;
  const text = `${seq}\n${at}\ndonation\n攻击\n匿名\nR-atk\n\n${lines}${f0.head_hash}`;
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  srv.sql(`BEGIN; INSERT INTO fund_postings VALUES (${cid}, ${seq}, 1, '1002', ${big}, ''); INSERT INTO fund_postings VALUES (${cid}, ${seq}, 2, '4101', -${big}, ''); ` +
    `INSERT INTO fund_entries (community_id, seq, at, kind, memo, donor, receipt_no, method, created_by, prev_hash, hash) ` +
    `VALUES (${cid}, ${seq}, ${at}, 'donation', '攻击', '匿名', 'R-atk', 'bank', 'admin', '${f0.head_hash}', '${hash}'); ` +
    `UPDATE fund_heads SET seq = ${seq}, hash = '${hash}' WHERE community_id = ${cid}; COMMIT;`);
  // Then one fen more, as in the finding.
  const d = await admin.post(`${C}/fund/donations`, { amount_fen: 1, method: 'bank' });
  assert.equal(d.status, 201, d.text);
  const f1 = await pub().get(`${C}/fund`);
  assert.equal(f1.status, 200, `the fund page: ${f1.text.slice(0, 300)}`);
  assert.equal(f1.data.balance_fen, f0.balance_fen + 1, 'the amount past the cap is not counted');
  assert.equal(acct(f1.data, '1002'), acct(f0, '1002') + 1);
  assert.deepEqual(f1.data.excluded_entries, [seq], 'and the entry is named');
  const home = await admin.get(C);
  assert.equal(home.status, 200, home.text);
  assert.equal(home.data.stats.fund_balance_fen, f0.balance_fen + 1);
  const year = new Date(Date.now() + day * DAY * 1000 + 8 * 3600 * 1000).getUTCFullYear();
  assert.equal((await admin.get(`${C}/fund/report?year=${year}`)).status, 200);
  assert.equal((await admin.get(`${C}/fund/report?year=${year}&format=xlsx`)).status, 200);
  const entries = await pub().get(`${C}/fund/entries?limit=5&offset=${seq - 2}`);
  assert.equal(entries.status, 200);
  assert.equal(entries.data.items.find((x) => x.seq === seq).excluded, true);
  assert.match(entries.text, /9223372036854775807/, 'the postings are shown as written (the chain needs them)');
  assert.equal((await pub().get(`${C}/fund/verify`)).data.ok, true);
  const pay = await admin.post(`${C}/fund/disbursements`, { amount_fen: 100, from: 'bank', expense: 'wishes', memo: '照常支出' });
  assert.equal(pay.status, 201, pay.text);
  // The money past the cap cannot be spent: the bank holds what it held.
  const fake = await admin.post(`${C}/fund/disbursements`, { amount_fen: acct(f1.data, '1002') + 1, from: 'bank', expense: 'wishes', memo: '不能花假钱' });
  assert.equal(fake.status, 409, fake.text);
  assert.equal(fake.data.error.code, 'insufficient_funds');
  // Reversing it cannot help and is refused plainly; nothing breaks.
  const rv = await admin.post(`${C}/fund/entries/${seq}/reverse`, { reason: '冲正' });
  assert.equal(rv.status, 409, rv.text);
  assert.equal(rv.data.error.code, 'ledger_limit');
  assert.equal((await pub().get(`${C}/fund`)).status, 200);
  assert.equal(srv.cli(['ledger', 'verify']).status, 0);
});
