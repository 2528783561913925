// Security findings in the micro-venture grants module (issue #11), each from outside, as the
// tester or an attacker would see it:
//   H2  a proposal PATCH skipped create's budget-line checks, and a report on a line without `item`
//       crashed the server (strcmp on NULL) for every community;
//   L6  budget lines whose int64 sum wraps to the amount requested, negative lines and lines above
//       10^12 fen;
//   M6  an org rep proposed, edited, attached and reported in any organisation's name;
//   L5  a reviewer scored their own proposal, or their organisation's;
//   info attachments read through another round's path, by reviewers of other rounds, not by their
//       own organisation; uploads after the deadline; voting-code guessing without a throttle or a
//       trace; stored JSON trusted elsewhere (a round's rubric, a paper ballot's choices).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, assertCleanExit, account as accountOf } from './harness.mjs';

let srv, admin, C, orgs, orgA, orgB, orgC, round, repA, repB;
const account = (login, role) => accountOf(srv, login, role);
const link = (org, who) => admin.post(`${C}/organisations/${org.id}/reps`, { account_id: who.id });
const unlink = (org, who) => admin.req('DELETE', `${C}/organisations/${org.id}/reps/${who.id}`);
const now = () => Math.floor(Date.now() / 1000);
const pdf = (k) => Buffer.concat([Buffer.from(`%PDF-1.4\n% ${k}\n`), Buffer.alloc(1200, 32)]);
const alive = async () => assert.equal((await fetch(`${srv.base}/healthz`)).status, 200, `the server is down: ${srv.stderr().slice(-2000)}`);

// A round that takes submissions for two hours.
async function openRound(name, extra = {}) {
  const t = now();
  const r = await admin.post(`${C}/grant-rounds`, { name, budget_fen: 5000000, max_award_fen: 1000000, submission_ends: t + 7200,
    voting_opens: t + 2 * 86400, voting_closes: t + 3 * 86400, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.data;
}
const propose = (who, r, org, fen = 50000, extra = {}) => who.post(`${C}/grant-rounds/${r.id}/proposals`,
  { organisation_id: org.id, title: `项目${fen}`, summary: '测试项目', requested_fen: fen, budget_lines: [{ item: '场地', fen }], ...extra });
const patch = (who, r, p, body) => who.req('PATCH', `${C}/grant-rounds/${r.id}/proposals/${p.id}`, { json: body });
// Sends a JSON text as it is (for integers JavaScript cannot hold exactly).
const raw = (who, method, path, text) => who.req(method, path, { body: text, headers: { 'Content-Type': 'application/json' } });
const audits = (action) => srv.sql(`SELECT count(*) FROM audit_log WHERE action = '${action}'`);

before(async () => {
  srv = await startServer({ residents: 30 });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
  orgs = (await admin.get(`${C}/organisations?limit=100`)).data.items;
  orgA = orgs.find((o) => o.name === '丰华花苑业主委员会');
  orgB = orgs.find((o) => o.name === '文华花园业主委员会');
  orgC = orgs.find((o) => o.name === '雍翠华府业主委员会');
  round = await openRound('安全测试轮次');
  repA = await account('sec-repA', 'org_rep');
  repB = await account('sec-repB', 'org_rep');
  // Asserted in the M6 test; the budget-line tests only need the proposals they make.
  repA.linked = await link(orgA, repA);
  repB.linked = await link(orgB, repB);
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

// ---- M6: an org rep acts only for the organisations they represent ----

test('M6: staff link an org rep to an organisation (audited); only then may the rep propose for it', async () => {
  assert.equal(repA.linked.status, 201, repA.linked.text);
  assert.deepEqual({ organisation_id: repA.linked.data.organisation_id, account_id: repA.linked.data.account_id }, { organisation_id: orgA.id, account_id: repA.id });
  assert.equal(audits('link_rep'), '2');
  // Who may be linked, to what, by whom.
  const resident = await account('sec-resident', 'resident');
  const notRep = await link(orgA, resident);
  assert.equal(notRep.status, 422);
  assert.ok(notRep.data.error.fields.account_id);
  assert.equal((await admin.post(`${C}/organisations/999999/reps`, { account_id: repA.id })).status, 404);
  assert.equal((await link(orgA, repA)).data.error.code, 'already_linked');
  assert.equal((await repA.post(`${C}/organisations/${orgB.id}/reps`, { account_id: repA.id })).status, 403, 'a rep cannot link themselves');
  assert.deepEqual((await admin.get(`${C}/organisations/${orgA.id}/reps`)).data.items.map((x) => x.account_id), [repA.id]);
  assert.deepEqual((await repA.get(`${C}/my-organisations`)).data.items.map((x) => x.id), [orgA.id]);
  // Proposing in another organisation's name is refused, and nothing is stored.
  const before = srv.sql(`SELECT count(*) FROM grant_proposals WHERE round_id = ${round.id}`);
  const foreign = await propose(repA, round, orgB);
  assert.equal(foreign.status, 403, foreign.text);
  assert.equal(foreign.data.error.code, 'not_representative');
  assert.equal(srv.sql(`SELECT count(*) FROM grant_proposals WHERE round_id = ${round.id}`), before);
  assert.equal((await propose(repA, round, orgA)).status, 201);
  // Staff keep acting for any organisation.
  assert.equal((await propose(admin, round, orgC)).status, 201);
});

test('M6: an edit, an attachment and a report are checked against the link too; a revoked link stops them', async () => {
  const p = (await propose(repA, round, orgA, 40000)).data;
  const byB = await patch(repB, round, p, { title: '别人改' });
  assert.equal(byB.status, 403);
  assert.equal(byB.data.error.code, 'not_representative');
  assert.equal((await patch(repA, round, p, { organisation_id: orgB.id })).data?.error?.code, 'not_representative', 'nor moved to another organisation');
  // Another representative of the same organisation may edit it.
  const repA2 = await account('sec-repA2', 'org_rep');
  assert.equal((await link(orgA, repA2)).status, 201);
  const e = await patch(repA2, round, p, { title: '同组织的另一位代表修改' });
  assert.equal(e.status, 200, e.text);
  const up = await repB.req('POST', `${C}/grant-rounds/${round.id}/proposals/${p.id}/attachments?name=x.pdf`, { body: pdf('B'), headers: { 'Content-Type': 'application/pdf' } });
  assert.equal(up.status, 403);
  assert.equal(up.data.error.code, 'not_representative');
  // Reports: the proposal funded as results_publish leaves it.
  srv.sql(`UPDATE grant_proposals SET funded = 1, award_fen = 40000 WHERE id = ${p.id}`);
  const report = { period: '第一季度', activities: '活动', participants: 10, spending: { '场地': 1000 } };
  const rb = await repB.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/reports`, report);
  assert.equal(rb.status, 403);
  assert.equal(rb.data.error.code, 'not_representative');
  assert.equal((await repA.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/reports`, report)).status, 201);
  // Revoked: the submitter no longer edits, attaches or reports.
  assert.equal((await unlink(orgA, repA)).status, 204);
  assert.equal(audits('unlink_rep'), '1');
  assert.equal((await unlink(orgA, repA)).data.error.code, 'not_linked');
  assert.equal((await patch(repA, round, p, { title: '撤销后' })).data?.error?.code, 'not_representative');
  assert.equal((await repA.req('POST', `${C}/grant-rounds/${round.id}/proposals/${p.id}/attachments?name=x.pdf`, { body: pdf('A'), headers: { 'Content-Type': 'application/pdf' } })).status, 403);
  assert.equal((await repA.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/reports`, report)).status, 403);
  assert.equal((await link(orgA, repA)).status, 201);
});

test('M6: before voting opens an org rep lists only their organisations\' proposals', async () => {
  assert.equal((await propose(repB, round, orgB)).status, 201);
  const again = (await repB.get(`${C}/grant-rounds/${round.id}/proposals`)).data.items;
  assert.ok(again.length > 0);
  assert.ok(again.every((x) => x.organisation_id === orgB.id), JSON.stringify(again.map((x) => x.organisation_name)));
  const staffView = (await admin.get(`${C}/grant-rounds/${round.id}/proposals`)).data.items;
  assert.ok(staffView.some((x) => x.organisation_id === orgA.id));
});

test('M6: `linli user add --role org_rep --org ID` makes the account and its link at once', async () => {
  const pw = join(srv.dir, 'pw-sec-cli');
  writeFileSync(pw, 'pass-sec-cli-123\n');
  const wrong = srv.cli(['user', 'add', '--login', 'sec-cli-x', '--password-file', pw, '--role', 'resident', '--org', String(orgC.id), '--community', String(srv.communityId)]);
  assert.equal(wrong.status, 2, '--org only with --role org_rep');
  const made = srv.cli(['user', 'add', '--login', 'sec-cli', '--password-file', pw, '--role', 'org_rep', '--org', String(orgC.id), '--community', String(srv.communityId)]);
  assert.equal(made.status, 0, made.stderr);
  const c = new Client(srv.base);
  assert.equal((await c.login('sec-cli', 'pass-sec-cli-123')).status, 200);
  assert.equal((await propose(c, round, orgC)).status, 201);
  assert.equal((await propose(c, round, orgA)).status, 403);
  const none = srv.cli(['user', 'add', '--login', 'sec-cli-y', '--password-file', pw, '--role', 'org_rep', '--org', '999999', '--community', String(srv.communityId)]);
  assert.notEqual(none.status, 0, 'no such organisation');
  assert.equal(srv.sql("SELECT count(*) FROM accounts WHERE login = 'sec-cli-y'"), '0', 'nothing made');
});

// ---- L5: a reviewer does not score their own or their organisation's proposal ----

test('L5: a reviewer cannot score a proposal they submitted or one of an organisation they represent', async () => {
  const r = await openRound('利益冲突轮次');
  const x = await account('sec-revX', 'reviewer');
  assert.equal(srv.cli(['user', 'roles', '--login', 'sec-revX', '--grant', 'org_rep', '--community', String(srv.communityId)]).status, 0);
  await link(orgB, x);
  const own = await propose(x, r, orgB, 30000);
  assert.equal(own.status, 201, own.text);
  await unlink(orgB, x); // only "submitted by them" is left
  await link(orgC, x);
  const ofOrg = (await propose(admin, r, orgC, 30000)).data;
  const free = (await propose(admin, r, orgA, 30000)).data;
  await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'eligibility' });
  // Another staff member rules on eligibility: nobody rules on a proposal they submitted (class-self-dealing).
  const elig = await account('sec-elig', 'staff');
  for (const p of [own.data, ofOrg, free]) assert.equal((await elig.post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/eligibility`, { eligible: true })).status, 200);
  await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'scoring' });
  assert.equal((await admin.post(`${C}/grant-rounds/${r.id}/reviewers`, { account_id: x.id })).status, 201);
  const score = (p) => x.post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/scores`, { scores: { need: 10, feasibility: 10, participation: 10, budget: 10 } });
  for (const p of [own.data, ofOrg]) {
    const s = await score(p);
    assert.equal(s.status, 403, s.text);
    assert.equal(s.data.error.code, 'review_conflict');
  }
  assert.equal((await score(free)).status, 200);
  assert.equal(srv.sql(`SELECT count(*) FROM grant_scores WHERE account_id = ${x.id}`), '1');
  // Staff see those two as conflicts, not as missing reviews.
  const view = (await admin.get(`${C}/grant-rounds/${r.id}/reviews`)).data;
  const state = Object.fromEntries(view.items.filter((i) => i.reviewer_id === x.id).map((i) => [i.proposal_id, i.state]));
  assert.deepEqual(state, { [own.data.id]: 'conflict', [ofOrg.id]: 'conflict', [free.id]: 'scored' });
  assert.equal(view.missing, 0);
});

// ---- attachments: the round of the path, who reads, when uploads are taken ----

test('attachments: read only through their own round, by reviewers of that round and by their organisation', async () => {
  const r = await openRound('附件轮次');
  const p = (await propose(repA, r, orgA)).data;
  const up = await repA.req('POST', `${C}/grant-rounds/${r.id}/proposals/${p.id}/attachments?name=plan.pdf`, { body: pdf('plan'), headers: { 'Content-Type': 'application/pdf' } });
  assert.equal(up.status, 201, up.text);
  const path = (rid) => `${C}/grant-rounds/${rid}/proposals/${p.id}/attachments/${up.data.id}`;
  assert.equal((await admin.get(path(r.id))).status, 200);
  assert.equal((await admin.get(path(round.id))).status, 404, 'another round\'s path');
  const other = await account('sec-revOther', 'reviewer');
  await admin.post(`${C}/grant-rounds/${round.id}/reviewers`, { account_id: other.id });
  const o = await other.get(path(r.id));
  assert.equal(o.status, 403, 'a reviewer of another round');
  assert.equal(o.data.error.code, 'attachment_forbidden');
  const mine = await account('sec-revMine', 'reviewer');
  await admin.post(`${C}/grant-rounds/${r.id}/reviewers`, { account_id: mine.id });
  assert.equal((await mine.get(path(r.id))).status, 200, 'a reviewer of the round');
  const own = await repA.get(path(r.id));
  assert.equal(own.status, 200, 'the organisation\'s own representative');
  assert.equal(own.buf.length, pdf('plan').length);
  assert.equal((await repB.get(path(r.id))).data.error.code, 'attachment_forbidden', 'another organisation\'s representative');
  assert.equal((await new Client(srv.base).get(path(r.id))).status, 401);
});

test('attachments: uploads only while the proposal may be edited (the submission phase, before its deadline)', async () => {
  const r = await openRound('附件截止轮次');
  const p = (await propose(repA, r, orgA)).data;
  const url = `${C}/grant-rounds/${r.id}/proposals/${p.id}/attachments?name=late.pdf`;
  const send = (who) => who.req('POST', url, { body: pdf('late'), headers: { 'Content-Type': 'application/pdf' } });
  assert.equal((await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'eligibility' })).status, 200);
  for (const who of [repA, admin]) {
    const late = await send(who);
    assert.equal(late.status, 409, late.text);
    assert.equal(late.data.error.code, 'outside_phase');
  }
  assert.equal(srv.sql(`SELECT count(*) FROM grant_attachments WHERE proposal_id = ${p.id}`), '0');
  // And through another open round's path, the proposal is not found.
  const q = (await propose(repA, round, orgA)).data;
  const r2 = await openRound('附件另一轮次');
  assert.equal((await repA.req('POST', `${C}/grant-rounds/${r2.id}/proposals/${q.id}/attachments?name=x.pdf`, { body: pdf('x'), headers: { 'Content-Type': 'application/pdf' } })).status, 404);
});

// ---- H2 and L6: one budget-line validation for create and edit ----

test('H2: PATCH checks budget lines as create does: without item, negative, zero or above 10^12 → 422, nothing stored', async () => {
  const p = (await propose(repA, round, orgA, 50000)).data;
  const stored = () => srv.sql(`SELECT budget_lines || '/' || requested_fen FROM grant_proposals WHERE id = ${p.id}`);
  const was = stored();
  const noItem = await patch(repA, round, p, { budget_lines: [{ fen: 50000 }], requested_fen: 50000 });
  assert.equal(noItem.status, 422, noItem.text);
  assert.ok(noItem.data.error.fields['budget_lines[0].item'], JSON.stringify(noItem.data.error.fields));
  const negative = await patch(repA, round, p, { budget_lines: [{ item: '场地', fen: -100 }, { item: '材料', fen: 50100 }], requested_fen: 50000 });
  assert.equal(negative.status, 422, negative.text);
  assert.equal(negative.data.error.fields['budget_lines[0].fen'], '金额不能为负');
  assert.equal((await patch(repA, round, p, { budget_lines: [{ item: '场地', fen: 0 }, { item: '材料', fen: 50000 }], requested_fen: 50000 })).status, 422);
  assert.equal((await patch(repA, round, p, { budget_lines: [{ item: '', fen: 50000 }], requested_fen: 50000 })).status, 422);
  assert.equal((await patch(repA, round, p, { budget_lines: ['场地'], requested_fen: 50000 })).status, 422);
  assert.equal((await patch(repA, round, p, { budget_lines: [{ item: '场地', fen: 25000 }, { item: '场地', fen: 25000 }], requested_fen: 50000 })).status, 422, 'an item twice');
  assert.equal((await patch(repA, round, p, { budget_lines: [{ item: '场地', fen: 50000, note: 'x' }], requested_fen: 50000 })).status, 422, 'a key that is not item or fen');
  const big = await patch(repA, round, p, { budget_lines: [{ item: '场地', fen: 10 ** 12 + 1 }], requested_fen: 50000 });
  assert.equal(big.status, 422);
  assert.equal(big.data.error.fields['budget_lines[0].fen'], '金额过大（最多 100 亿元）');
  const bigCreate = await propose(repA, round, orgA, 50000, { budget_lines: [{ item: '场地', fen: 10 ** 12 + 1 }] });
  assert.equal(bigCreate.status, 422);
  assert.equal(bigCreate.data.error.fields['budget_lines[0].fen'], '金额过大（最多 100 亿元）');
  // A null is a field left out, as validation takes it (found by fuzz_api: a null budget_lines was
  // passed on as present and answered 500, leaking the proposal's JSON).
  const nulled = await patch(repA, round, p, { budget_lines: null });
  assert.equal(nulled.status, 200, nulled.text);
  assert.deepEqual(nulled.data.budget_lines, JSON.parse(was.split('/')[0]));
  assert.notEqual((await propose(repA, round, orgA, 50000, { budget_lines: null })).status, 500);
  // A new amount is checked against the stored lines.
  assert.equal((await patch(repA, round, p, { requested_fen: 60000 })).data.error.fields.requested_fen, '预算明细之和须等于申请金额');
  assert.equal(stored(), was, 'nothing changed');
  const ok = await patch(repA, round, p, { budget_lines: [{ item: '场地', fen: 20000 }, { item: '材料', fen: 40000 }], requested_fen: 60000 });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.data.budget_lines, [{ item: '场地', fen: 20000 }, { item: '材料', fen: 40000 }]);
});

test('L6: lines whose int64 sum wraps round to the amount requested are refused, on create and on PATCH', async () => {
  const max = '9223372036854775807'; // 2^63 − 1: two of them and 50002 add up to 50000 modulo 2^64
  const lines = `[{"item":"a","fen":${max}},{"item":"b","fen":${max}},{"item":"c","fen":50002}]`;
  const path = `${C}/grant-rounds/${round.id}/proposals`;
  const created = await raw(repA, 'POST', path,
    `{"organisation_id":${orgA.id},"title":"回绕","summary":"x","requested_fen":50000,"budget_lines":${lines}}`);
  assert.equal(created.status, 422, created.text);
  assert.ok(created.data.error.fields['budget_lines[0].fen']);
  const p = (await propose(repA, round, orgA, 50000)).data;
  const patched = await raw(repA, 'PATCH', `${path}/${p.id}`, `{"requested_fen":50000,"budget_lines":${lines}}`);
  assert.equal(patched.status, 422, patched.text);
  assert.equal(srv.sql(`SELECT budget_lines FROM grant_proposals WHERE id = ${p.id}`), '[{"item":"场地","fen":50000}]');
  await alive();
});

test('H2: the crash: a report against stored lines without `item` (or not JSON) is refused, and the server lives', async () => {
  const p = (await propose(repA, round, orgA, 50000)).data;
  // Lines stored without item (as the PATCH did before the fix) or damaged since are refused, not trusted.
  const report = { period: '第一季度', activities: '活动', participants: 10, spending: { '场地': 100 } };
  for (const lines of ['[{"fen":50000}]', '[{"item":7,"fen":50000}]', '{"item":"场地"}', 'not json']) {
    srv.sql(`UPDATE grant_proposals SET budget_lines = '${lines}', funded = 1, award_fen = 50000 WHERE id = ${p.id}`);
    const r = await repA.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/reports`, report);
    assert.equal(r.status, 409, `${lines}: ${r.text}`);
    assert.equal(r.data.error.code, 'stored_data_invalid');
    await alive();
  }
  assert.equal(srv.sql(`SELECT count(*) FROM grant_reports WHERE proposal_id = ${p.id}`), '0');
  // And the tester's way in, the PATCH that stored such a line, is closed.
  srv.sql(`UPDATE grant_proposals SET budget_lines = '[{"item":"场地","fen":50000}]', funded = NULL WHERE id = ${p.id}`);
  assert.equal((await patch(repA, round, p, { budget_lines: [{ fen: 50000 }], requested_fen: 50000 })).status, 422);
  srv.sql(`UPDATE grant_proposals SET funded = 1 WHERE id = ${p.id}`);
  // Spending above 10^12 fen is refused with the field named.
  srv.sql(`UPDATE grant_proposals SET budget_lines = '[{"item":"场地","fen":50000}]' WHERE id = ${p.id}`);
  const big = await repA.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/reports`, { ...report, spending: { '场地': 10 ** 12 + 1 } });
  assert.equal(big.status, 422);
  assert.ok(big.data.error.fields.spending);
});

// ---- other stored JSON: a round's rubric, a paper ballot's choices ----

test('stored data: a damaged rubric is refused when scoring (no division by zero), and a new rubric is checked fully', async () => {
  const r = await openRound('细则损坏轮次');
  const p = (await propose(admin, r, orgA, 30000)).data;
  await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'eligibility' });
  await (await account('sec-elig2', 'staff')).post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/eligibility`, { eligible: true });
  await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'scoring' });
  const w = await account('sec-revW', 'reviewer');
  await admin.post(`${C}/grant-rounds/${r.id}/reviewers`, { account_id: w.id });
  for (const rubric of ['[{"key":"need","weight":100,"max":0}]', '[{"weight":100,"max":10}]', 'garbage']) {
    srv.sql(`UPDATE grant_rounds SET rubric = '${rubric}' WHERE id = ${r.id}`);
    const s = await w.post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/scores`, { scores: { need: 0 } });
    assert.equal(s.status, 409, `${rubric}: ${s.text}`);
    assert.equal(s.data.error.code, 'stored_data_invalid');
    await alive();
  }
  assert.equal(srv.sql(`SELECT count(*) FROM grant_scores WHERE proposal_id = ${p.id}`), '0');
  // Such a rubric is not taken in the first place: weights 1–100, maxima 1–1000, keys once.
  const bad = [
    [{ key: 'a', weight: 150, max: 10 }, { key: 'b', weight: -50, max: 10 }],
    [{ key: 'a', weight: 50, max: 10 ** 15 }, { key: 'b', weight: 50, max: 10 }],
    [{ key: 'a', weight: 50, max: 10 }, { key: 'a', weight: 50, max: 10 }],
    [{ key: '', weight: 100, max: 10 }],
  ];
  for (const rubric of bad) assert.equal((await admin.post(`${C}/grant-rounds`, { name: '细则', budget_fen: 100, submission_ends: now() + 10, voting_opens: now() + 20, voting_closes: now() + 30, rubric })).status, 422, JSON.stringify(rubric));
});

test('stored data: a paper ballot whose keyed choices are damaged is not counted', async () => {
  const voting = (await admin.get(`${C}/grant-rounds`)).data.items.find((x) => x.phase === 'voting');
  const choice = (await admin.get(`${C}/grant-rounds/${voting.id}/proposals`)).data.items[0].id;
  const person = (await admin.get(`${C}/people?limit=5`)).data.items[4].id;
  const keyed = await admin.post(`${C}/grant-rounds/${voting.id}/paper-ballots`, { serial: 'SEC-1', person_id: person, proposal_ids: [choice] });
  assert.equal(keyed.status, 201, keyed.text);
  srv.sql(`UPDATE grant_paper SET choices = 'oops' WHERE serial = 'SEC-1'`);
  const checker = await account('sec-staff2', 'staff');
  const c = await checker.post(`${C}/grant-rounds/${voting.id}/paper-ballots/SEC-1/check`, { confirm: true });
  assert.equal(c.status, 409, c.text);
  assert.equal(c.data.error.code, 'stored_data_invalid');
  assert.equal(srv.sql(`SELECT count(*) FROM grant_voted WHERE round_id = ${voting.id} AND voter_key = 'person:${person}'`), '0', 'the person is not marked as having voted');
});

// ---- voting codes: failures audited, redemption throttled ----

let voting, codes;
test('voting codes: each failed redemption is audited, without the code in clear', async () => {
  voting = (await admin.get(`${C}/grant-rounds`)).data.items.find((x) => x.phase === 'voting');
  codes = (await admin.post(`${C}/grant-rounds/${voting.id}/voting-codes`, { count: 5 })).data.codes;
  const a = await account('sec-guess1', 'resident');
  const before = Number(audits('redeem_code_failed'));
  const r = await a.post(`${C}/voting-codes/redeem`, { code: 'WRONGCODE1' });
  assert.equal(r.status, 404);
  assert.equal(r.data.error.code, 'code_unknown');
  const used = await account('sec-used', 'resident');
  assert.equal((await used.post(`${C}/voting-codes/redeem`, { code: codes[0] })).status, 200);
  // One's own code sent again (a retry after a lost answer) is no guess: used, but neither counted nor audited.
  assert.equal((await used.post(`${C}/voting-codes/redeem`, { code: codes[0] })).data.error.code, 'code_used');
  assert.equal(Number(audits('redeem_code_failed')), before + 1);
  assert.equal((await a.post(`${C}/voting-codes/redeem`, { code: codes[0] })).data.error.code, 'code_used');
  assert.equal(Number(audits('redeem_code_failed')), before + 2);
  const rows = srv.sql("SELECT after_json FROM audit_log WHERE action = 'redeem_code_failed'").split('\n');
  for (const row of rows) {
    assert.doesNotMatch(row, /WRONGCODE1/);
    assert.ok(!row.includes(codes[0]), 'the code is not kept in clear');
    assert.match(row, /"code_hash":"[0-9a-f]{16}"/);
  }
  assert.match(rows.join('\n'), /"reason":"code_used"/);
});

test('voting codes: failed redemptions are throttled per account (429 with Retry-After, even for a good code)', async () => {
  const a = await account('sec-guess2', 'resident');
  const fail = async (k) => {
    const r = await a.post(`${C}/voting-codes/redeem`, { code: `NOPE${k}000000`.slice(0, 10) });
    assert.equal(r.status, 404, `try ${k}: ${r.status} ${r.text}`);
  };
  const before = Number(audits('redeem_code_failed'));
  for (let k = 1; k <= 5; k++) await fail(k);
  // After the fifth failure each try waits 1, 2, 4 … whole seconds after the last (a wait of 1 s is
  // over in the second after next: src/auth/ratelimit.c).
  await srv.setClock(2);
  await fail(6);
  await srv.setClock(5);
  await fail(7);
  const held = await a.post(`${C}/voting-codes/redeem`, { code: codes[1] });
  assert.equal(held.status, 429, held.text);
  assert.equal(held.data.error.code, 'rate_limited');
  assert.ok(Number(held.headers.get('retry-after')) >= 1);
  assert.deepEqual((await a.get(`${C}/grant-rounds/${voting.id}/my-vote`)).data, { verified: false, voted: false }, 'the good code was not taken');
  assert.equal(Number(audits('redeem_code_failed')), before + 7, 'a refused try is not checked, so not audited');
});

test('voting codes: and per client address, across accounts', async () => {
  // 9 failures from this address so far (2 + 7); the address slows down after 20.
  for (let i = 0; i < 11; i++) {
    const who = await account(`sec-ip${i}`, 'resident');
    assert.equal((await who.post(`${C}/voting-codes/redeem`, { code: `ADDR${i}XXXXXX`.slice(0, 10) })).status, 404);
  }
  await srv.setClock(7);
  assert.equal((await (await account('sec-ip-a', 'resident')).post(`${C}/voting-codes/redeem`, { code: 'ADDRAXXXXX' })).status, 404);
  await srv.setClock(10);
  assert.equal((await (await account('sec-ip-b', 'resident')).post(`${C}/voting-codes/redeem`, { code: 'ADDRBXXXXX' })).status, 404);
  const fresh = await account('sec-ip-fresh', 'resident');
  const held = await fresh.post(`${C}/voting-codes/redeem`, { code: codes[2] });
  assert.equal(held.status, 429, held.text);
  assert.ok(Number(held.headers.get('retry-after')) >= 1);
});
