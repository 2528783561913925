// Money holds under every interleaving (issue #12, item 5): 1,000 trials of concurrent payouts and a
// reversal (twice) of the donation that paid for them, on each backend, through the router's commit
// point. Each trial starts with the cash at zero, takes in one donation, and then sends at once three
// payouts that together exceed it and two reversals of that donation, in a different order each
// time. Whatever commits first, the others see it: every answer is a success, 409
// insufficient_funds or 409 for the second reversal; the cash never goes below zero, what left the
// cash is exactly what the successes posted, an entry is reversed at most once, and at the end the
// cash's running balance over every posting was never below zero and both hash chains verify.
// LINLI_RACE_TRIALS=N runs fewer (while working on it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, account, assertCleanExit } from './harness.mjs';

const TRIALS = Number(process.env.LINLI_RACE_TRIALS || 1000);
let srv, admin, C;
const cash = async () => (await new Client(srv.base).get(`${C}/fund`)).data.accounts.find((a) => a.code === '1001').balance_fen;

before(async () => {
  srv = await startServer({ residents: 10, serveArgs: ['--threads', '4', '--quiet'] });
  admin = new Client(srv.base);
  assert.equal((await admin.login('admin', srv.password)).status, 200);
  C = `/api/v1/communities/${srv.communityId}`;
  // Payouts of any size in these trials go through at once (the two-person rule is the security
  // suite's; here the race is the point): the highest threshold, approved by two other staff.
  const r = await admin.req('PUT', `${C}/fund/settings`, { json: { threshold_fen: 1e8, approvals_needed: 1 } });
  if (r.status === 202) {
    for (const login of ['race2', 'race3']) {
      const a = await (await account(srv, login, 'staff')).post(`${C}/fund/settings/changes/${r.data.pending.id}/approve`);
      assert.equal(a.status, 200, a.text);
      if (a.data.status === 'applied') break;
    }
  }
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test(`${TRIALS} trials of payouts and reversals at once: the cash never goes below zero`, { timeout: 900000 }, async () => {
  const started = Date.now();
  const tally = { paid: 0, refused: 0, reversed: 0 };
  for (let k = 0; k < TRIALS; k++) {
    if (k % 200 === 0) srv.setClock((k / 200 + 1) * 86400); // a new day now and then (the daily split rule)
    const c0 = await cash();
    if (c0 > 0) assert.equal((await admin.post(`${C}/fund/disbursements`, { amount_fen: c0, from: 'cash', expense: 'wishes', memo: `清零${k}` })).status, 201);
    const gift = 20000 + (k % 97);
    const d = await admin.post(`${C}/fund/donations`, { amount_fen: gift, method: 'cash', donor_name: '竞争' });
    assert.equal(d.status, 201, d.text);
    const before = await cash();
    assert.equal(before, gift);
    const sends = [9000, 8000, 7000 + (k % 13)].map((a, i) => () =>
      admin.post(`${C}/fund/disbursements`, { amount_fen: a, from: 'cash', expense: 'wishes', memo: `竞争${k}-${i}` }).then((res) => ({ out: a, res })));
    for (let j = 0; j < 2; j++)
      sends.splice((k + 3 * j) % (sends.length + 1), 0, () =>
        admin.post(`${C}/fund/entries/${d.data.seq}/reverse`, { reason: `竞争${k}` }).then((res) => ({ out: gift, res, reversal: true })));
    const rs = await Promise.all(sends.map((f) => f()));
    const left = await cash();
    const msg = `trial ${k + 1}: cash ${before}, ${rs.map((r) => `${r.reversal ? 'R' : ''}${r.out}→${r.res.status}`).join(' ')}, left ${left}`;
    for (const r of rs) {
      const ok = r.res.status === 201 || (r.res.status === 409 && (r.res.data.error.code === 'insufficient_funds' || r.reversal));
      assert.ok(ok, `${msg}: ${r.res.text}`);
    }
    assert.ok(left >= 0, msg);
    assert.ok(rs.filter((r) => r.reversal && r.res.status === 201).length <= 1, `${msg}: reversed twice`);
    assert.equal(rs.filter((r) => r.res.status === 201).reduce((s, r) => s + r.out, 0), before - left, `${msg}: what left is what was posted`);
    tally.paid += rs.filter((r) => !r.reversal && r.res.status === 201).length;
    tally.reversed += rs.filter((r) => r.reversal && r.res.status === 201).length;
    tally.refused += rs.filter((r) => r.res.status === 409).length;
  }
  const lowest = Number(srv.sql(`SELECT min(run) FROM (SELECT sum(sum(amount_fen)) OVER (ORDER BY entry_seq) AS run FROM fund_postings
    WHERE community_id = ${srv.communityId} AND account = '1001' GROUP BY entry_seq) AS x`));
  assert.ok(lowest >= 0, `the cash was never below zero (lowest ${lowest})`);
  for (const what of ['ledger', 'audit']) {
    const v = srv.cli([what, 'verify']);
    assert.equal(v.status, 0, `${what} verify: ${v.stdout}${v.stderr}`);
  }
  assert.ok(tally.reversed > 0 && tally.paid > 0 && tally.refused > 0, `every outcome happened: ${JSON.stringify(tally)}`);
  console.log(`# ${TRIALS} trials: ${tally.paid} payouts, ${tally.reversed} reversals, ${tally.refused} refused; ${((Date.now() - started) / 1000).toFixed(0)} s`);
});
