// Module 6, micro-venture grants: phase rules, conflict exclusion, hidden scores, the formula on a
// worked example, selection within the budget with ties, single-use codes, the 50-vote race, ballot
// secrecy, closing at the deadline, and tranches through the fund ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, assertCleanExit, account as accountOf } from './harness.mjs';

let srv, admin, C, round, orgs, reviewers = [], props = [];
const pub = () => new Client(srv.base);
const account = (login, role) => accountOf(srv, login, role);

before(async () => {
  srv = await startServer({ residents: 30 });
  admin = new Client(srv.base);
  await admin.login('admin', srv.password);
  C = `/api/v1/communities/${srv.communityId}`;
  orgs = (await admin.get(`${C}/organisations?limit=100`)).data.items;
});
after(async () => { if (srv) assertCleanExit(assert, await srv.stop()); });

test('the demo: the finished round the article tells of, and one open for voting', async () => {
  const rounds = (await pub().get(`${C}/grant-rounds`)).data.items;
  assert.ok(rounds.some((r) => r.phase === 'closed'));
  const voting = rounds.find((r) => r.phase === 'voting');
  assert.ok(voting);
  const done = rounds.find((r) => r.phase === 'closed');
  const res = await pub().get(`${C}/grant-rounds/${done.id}/results`);
  assert.equal(res.status, 200);
  const funded = res.data.items.filter((x) => x.funded).map((x) => x.organisation_name).sort();
  assert.deepEqual(funded, ['丰华花苑业主委员会', '文华花园业主委员会', '雍翠华府业主委员会'].sort());
  for (const x of res.data.items) for (const k of ['expert_score', 'votes', 'final_score', 'award_fen']) assert.equal(typeof x[k], 'number');
  const reports = await admin.get(`${C}/grant-rounds/${done.id}/reports`);
  assert.equal(reports.data.items.length, 3);
  assert.ok(reports.data.items.every((x) => x.status === 'accepted' && x.final));
  const open = await pub().get(`${C}/grant-rounds/${voting.id}/proposals`);
  assert.ok(open.data.items.length >= 3);
  assert.ok(open.data.items[0].title && open.data.items[0].organisation_name);
});

test('a round moves through its phases; actions outside their phase are refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const bad = await admin.post(`${C}/grant-rounds`, { name: 'x', budget_fen: 100, submission_ends: now + 10, voting_opens: now + 5, voting_closes: now + 20 });
  assert.equal(bad.status, 422);
  const r = await admin.post(`${C}/grant-rounds`, { name: '测试轮次', budget_fen: 1000000, max_award_fen: 600000, submission_ends: now + 3600,
    voting_opens: now + 2 * 86400, voting_closes: now + 3 * 86400, min_expert: 60 });
  assert.equal(r.status, 201, r.text);
  round = r.data;
  assert.equal(round.phase, 'submission');
  assert.equal((await pub().get(`${C}/grant-rounds/${round.id}/proposals`)).status, 403, 'not public before voting');
  const rep = await account('rep1', 'org_rep');
  const orgA = orgs.find((o) => o.name === '丰华花苑业主委员会'), orgB = orgs.find((o) => o.name === '文华花园业主委员会'), orgC = orgs.find((o) => o.name === '雍翠华府业主委员会');
  // An org rep acts only for the organisations staff link them to: rep1 represents those the tests below use.
  for (const org of new Set([orgA, orgB, orgC, orgs[0], orgs[1], orgs[2], orgs.find((o) => o.kind === 'owners_committee')]))
    assert.equal((await admin.post(`${C}/organisations/${org.id}/reps`, { account_id: rep.id })).status, 201);
  const over = await rep.post(`${C}/grant-rounds/${round.id}/proposals`, { organisation_id: orgA.id, title: 'x', summary: 'x', requested_fen: 700000 });
  assert.equal(over.status, 422);
  const sum = await rep.post(`${C}/grant-rounds/${round.id}/proposals`, { organisation_id: orgA.id, title: 'x', summary: 'x', requested_fen: 500000,
    budget_lines: [{ item: '材料', fen: 100 }] });
  assert.equal(sum.data.error.fields.requested_fen, '预算明细之和须等于申请金额');
  for (const [org, fen, title] of [[orgA, 500000, '书画培训'], [orgB, 400000, '430课堂'], [orgC, 400000, '健康促进'], [orgA, 100000, '不合格的']]) {
    const p = await rep.post(`${C}/grant-rounds/${round.id}/proposals`, { organisation_id: org.id, title, summary: `${title}项目`, requested_fen: fen,
      budget_lines: [{ item: '活动经费', fen }] });
    assert.equal(p.status, 201, p.text);
    props.push(p.data);
  }
  // Eligibility only in its phase.
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[0].id}/eligibility`, { eligible: true })).status, 409);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/phase`, { phase: 'eligibility' })).status, 200);
  assert.equal((await rep.post(`${C}/grant-rounds/${round.id}/proposals`, { organisation_id: orgA.id, title: '迟到', summary: 'x', requested_fen: 1 })).status, 409);
  for (const p of props.slice(0, 3)) assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/eligibility`, { eligible: true })).status, 200);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[3].id}/eligibility`, { eligible: false })).status, 422);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[3].id}/eligibility`, { eligible: false, reason: '重复申报' })).status, 200);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/phase`, { phase: 'eligibility' })).status, 409, 'only forward');
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/phase`, { phase: 'submission' })).status, 422, 'never back to submission');
});

test('reviewers: a conflict excludes; scores are hidden from other reviewers until scoring closes', async () => {
  for (const login of ['expert1', 'expert2']) {
    const c = await account(login, 'reviewer');
    reviewers.push(c);
    assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/reviewers`, { account_id: c.id })).status, 201);
  }
  const [e1, e2] = reviewers;
  const score = (c, p, s) => c.post(`${C}/grant-rounds/${round.id}/proposals/${p.id}/scores`, { scores: s, comment: '好' });
  assert.equal((await score(e1, props[0], { need: 8, feasibility: 8, participation: 8, budget: 8 })).status, 409, 'not in the scoring phase yet');
  await admin.post(`${C}/grant-rounds/${round.id}/phase`, { phase: 'scoring' });
  const outOfRange = await score(e1, props[0], { need: 11, feasibility: 8, participation: 8, budget: 8 });
  assert.equal(outOfRange.status, 422);
  assert.ok(outOfRange.data.error.fields['scores.need']);
  // Worked example: weights 30/30/20/20, max 10 each.
  //   e1 on A: 9,8,7,10 → 27+24+14+20 = 85;   e2 on A: 7,7,7,7 → 70;   mean 77.5
  //   e1 on B: 8,8,8,8 → 80;                  e2 declares a conflict on B → B's expert score 80
  //   e1 on C: 5,5,5,5 → 50;                  e2 on C: 6,6,6,6 → 60;   mean 55 (< 60: never funded)
  assert.equal((await score(e1, props[0], { need: 9, feasibility: 8, participation: 7, budget: 10 })).data.total, 85);
  assert.equal((await score(e2, props[0], { need: 7, feasibility: 7, participation: 7, budget: 7 })).data.total, 70);
  assert.equal((await score(e1, props[1], { need: 8, feasibility: 8, participation: 8, budget: 8 })).data.total, 80);
  assert.equal((await e2.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/conflict`, { reason: '住在该小区' })).status, 201);
  assert.equal((await score(e2, props[1], { need: 1, feasibility: 1, participation: 1, budget: 1 })).data.error.code, 'conflict_declared');
  await score(e1, props[2], { need: 5, feasibility: 5, participation: 5, budget: 5 });
  await score(e2, props[2], { need: 6, feasibility: 6, participation: 6, budget: 6 });
  assert.equal((await score(e1, props[3], { need: 5, feasibility: 5, participation: 5, budget: 5 })).data.error.code, 'not_eligible');
  const seen = (await e2.get(`${C}/grant-rounds/${round.id}/reviews`)).data.items;
  assert.ok(seen.every((x) => x.reviewer_id === e2.id || x.total === null), 'others\' scores hidden');
  const staffView = (await admin.get(`${C}/grant-rounds/${round.id}/reviews`)).data;
  assert.equal(staffView.missing, 0);
  assert.equal((await reviewers[0].post(`${C}/grant-rounds/${round.id}/proposals/${props[0].id}/scores`, { scores: {} }, {})).status, 422);
});

let codes;
test('voting: single-use codes, verified residents only, one vote per person even with 50 at once', async () => {
  const now = Math.floor(Date.now() / 1000);
  await admin.post(`${C}/grant-rounds/${round.id}/phase`, { phase: 'voting' });
  const resident = await account('voter1', 'resident');
  assert.equal((await resident.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[0].id] })).data.error.code, 'voting_closed', 'before voting opens');
  srv.setClock(2 * 86400 + 60);
  assert.equal((await resident.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[0].id] })).status, 403, 'unverified');
  const c = await admin.post(`${C}/grant-rounds/${round.id}/voting-codes`, { count: 30 });
  assert.equal(c.status, 201);
  codes = c.data.codes;
  assert.equal(new Set(codes).size, 30);
  const red = await resident.post(`${C}/voting-codes/redeem`, { code: codes[0] });
  assert.equal(red.status, 200, red.text);
  const other = await account('voter2', 'resident');
  assert.equal((await other.post(`${C}/voting-codes/redeem`, { code: codes[0] })).status, 409, 'a used code');
  assert.equal((await other.post(`${C}/voting-codes/redeem`, { code: 'NOPE123456' })).status, 404);
  assert.equal((await resident.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[3].id] })).status, 422, 'not on the ballot');
  assert.equal((await resident.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[0].id, props[1].id] })).status, 422, 'single rule');
  // 50 identical votes at the same moment count once.
  const rs = await Promise.all(Array.from({ length: 50 }, () => resident.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[1].id] })));
  assert.equal(rs.filter((x) => x.status === 201).length, 1);
  assert.equal(rs.filter((x) => x.status === 409).length, 49);
  // Staff link an account to a person seen in person.
  const person = (await admin.get(`${C}/people?limit=1`)).data.items[0];
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/voters`, { account_id: other.id, person_id: person.id })).status, 201);
  assert.equal((await other.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[1].id] })).status, 201);
  assert.deepEqual((await other.get(`${C}/grant-rounds/${round.id}/my-vote`)).data, { verified: true, voted: true });
  // Eight more households for A: A has 8 votes, B has 2.
  for (let i = 1; i <= 8; i++) {
    const v = await account(`hh${i}`, 'resident');
    await v.post(`${C}/voting-codes/redeem`, { code: codes[i] });
    assert.equal((await v.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[0].id] })).status, 201);
  }
  const live = await pub().get(`${C}/grant-rounds/${round.id}/live`);
  assert.match(live.headers.get('content-type'), /text\/event-stream/);
  const data = JSON.parse(/data: (.*)/.exec(live.text)[1]);
  assert.equal(data.voters, 10);
  assert.equal(data.items.find((x) => x.proposal_id === props[0].id).votes, 8);
  // The OpenAPI document says what the stream is: text/event-stream, not JSON (issue #12, item 10).
  const ok = (await pub().get('/api/v1/openapi.json')).data.paths['/api/v1/communities/{community_id}/grant-rounds/{round_id}/live'].get.responses['200'];
  assert.deepEqual(Object.keys(ok.content), ['text/event-stream']);
  // A paper ballot at the office: keyed in by one staff member, counted when another checks it.
  const people = (await admin.get(`${C}/people?limit=3`)).data.items;
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/paper-ballots`, { serial: 'P-001', person_id: person.id, proposal_ids: [props[0].id] })).status, 409,
    'the person voted online already');
  const keyed = await admin.post(`${C}/grant-rounds/${round.id}/paper-ballots`, { serial: 'P-002', person_id: people[2].id, proposal_ids: [props[2].id] });
  assert.equal(keyed.status, 201, keyed.text);
  const again = await admin.post(`${C}/grant-rounds/${round.id}/paper-ballots`, { serial: 'P-002', person_id: people[1].id, proposal_ids: [props[2].id] });
  assert.equal(again.status, 409, 'a serial keyed in already is a conflict');
  assert.equal(again.data.error.code, 'conflict');
  assert.equal(again.data.error.fields.serial, '该编号已录入');
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/paper-ballots/P-002/check`, { confirm: true })).data.error.code, 'own_keying');
  const checker = await account('staff2', 'staff');
  assert.equal((await checker.post(`${C}/grant-rounds/${round.id}/paper-ballots/P-002/check`, { confirm: true })).data.status, 'counted');
  assert.equal((await checker.post(`${C}/grant-rounds/${round.id}/paper-ballots/P-002/check`, { confirm: true })).status, 409);
  const paperRow = srv.sql(`SELECT COALESCE(choices, 'erased') FROM grant_paper WHERE serial = 'P-002'`);
  assert.equal(paperRow, 'erased', 'a counted paper ballot keeps no choices beside the person');
  // Voting closes exactly at its deadline by the server's clock.
  srv.setClock(3 * 86400);
  const late = await account('late', 'resident');
  await late.post(`${C}/voting-codes/redeem`, { code: codes[20] });
  assert.equal((await late.post(`${C}/grant-rounds/${round.id}/votes`, { proposal_ids: [props[0].id] })).data.error.code, 'voting_closed');
});

test('ballot secrecy: nothing joins a voter to a choice', async () => {
  const api = (await pub().get('/api/v1/openapi.json')).data;
  // The database keeps who voted and what was chosen apart, with random ballot ids and no times.
  const cols = srv.db.startsWith('sqlite:') ? srv.sql("SELECT group_concat(name) FROM pragma_table_info('grant_ballots')")
    : srv.sql("SELECT string_agg(column_name, ',') FROM information_schema.columns WHERE table_name = 'grant_ballots'");
  for (const forbidden of ['account', 'voter', 'person', 'at', 'created']) assert.ok(!cols.split(',').some((c) => c.includes(forbidden)), cols);
  // No endpoint answers with a voter and a choice together: the audit row of a vote has no choice.
  const audit = srv.sql("SELECT after_json FROM audit_log WHERE action = 'vote' LIMIT 1");
  assert.equal(audit, '');
  assert.ok(!Object.entries(api.paths).some(([p, ops]) => /ballot/.test(p) && ops.get), 'no endpoint reads ballots');
});

test('results: the formula on the worked example, selection within the budget, published for the public', async () => {
  assert.equal((await pub().get(`${C}/grant-rounds/${round.id}/results`)).status, 403, 'not before publication');
  // final = 70% × expert + 30% × public, public = votes / most votes × 100
  //   A: expert 77.5, votes 8 → public 100 → final 54.25 + 30 = 84.25
  //   B: expert 80,   votes 2 → public 25  → final 56 + 7.5   = 63.5
  //   C: expert 55,   votes 1 (paper) → public 12.5 → final 38.5 + 3.75 = 42.25 (expert below 60: not funded)
  // Budget 1,000,000: A (500,000) funded, B (400,000) funded; 100,000 left.
  const pubd = await admin.post(`${C}/grant-rounds/${round.id}/results/publish`);
  assert.equal(pubd.status, 200, pubd.text);
  const res = (await pub().get(`${C}/grant-rounds/${round.id}/results`)).data;
  const byTitle = Object.fromEntries(res.items.map((x) => [x.title, x]));
  assert.equal(byTitle['书画培训'].expert_score, 77.5);
  assert.equal(byTitle['书画培训'].public_score, 100);
  assert.equal(byTitle['书画培训'].final_score, 84.25);
  assert.equal(byTitle['430课堂'].final_score, 63.5);
  assert.equal(byTitle['健康促进'].final_score, 42.25);
  assert.deepEqual(res.items.map((x) => x.title), ['书画培训', '430课堂', '健康促进']);
  assert.deepEqual(res.items.map((x) => x.funded), [true, true, false]);
  assert.equal(byTitle['书画培训'].award_fen, 500000);
  assert.deepEqual(byTitle['书画培训'].reviewer_scores.sort(), [70, 85], 'each reviewer\'s score is shown');
  assert.deepEqual(byTitle['430课堂'].reviewer_scores, [80], 'the reviewer with a conflict is excluded');
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/results/publish`)).status, 409);
  // During the public notice residents object; staff answer in public.
  const resident = await account('objector', 'resident');
  const o = await resident.post(`${C}/grant-rounds/${round.id}/objections`, { proposal_id: props[1].id, text: '预算中的场地费偏高' });
  assert.equal(o.status, 201, o.text);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/objections/${o.data.id}/answer`, { answer: '场地费已核实，为康乐活动室水电费分摊' })).status, 200);
  const list = (await pub().get(`${C}/grant-rounds/${round.id}/objections`)).data.items;
  assert.equal(list[0].answer, '场地费已核实，为康乐活动室水电费分摊');
  assert.equal(list[0].account_id, undefined);
});

test('awards are paid in tranches through the fund ledger, under its two-person rule', async () => {
  await admin.post(`${C}/fund/donations`, { amount_fen: 1000000, method: 'bank', donor_name: '龙江镇', donor_kind: 'organisation', memo: '微创投专项资金' });
  const f0 = (await pub().get(`${C}/fund`)).data;
  // A higher threshold waits for another staff member's approval (docs/fund.md).
  const raise = await admin.req('PUT', `${C}/fund/settings`, { json: { threshold_fen: 1000000, approvals_needed: 1 } });
  assert.equal(raise.status, 202, raise.text);
  const second = await account('fundcheck', 'staff');
  assert.equal((await second.post(`${C}/fund/settings/changes/${raise.data.pending.id}/approve`)).data.status, 'applied');
  const first = await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/payments`, { tranche: 'first' });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.data.amount_fen, 280000); // 70% of 400,000
  assert.equal(first.data.postings[0].account, '5102');
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/payments`, { tranche: 'first' })).status, 409);
  await admin.req('PUT', `${C}/fund/settings`, { json: { threshold_fen: 50000, approvals_needed: 1 } });
  const early = await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/payments`, { tranche: 'final' });
  assert.equal(early.status, 409, 'the rest waits for the accepted final report');
  assert.equal(early.data.error.code, 'final_report_missing');
  const rep = new Client(srv.base);
  await rep.login('rep1', 'pass-rep1-123');
  const fr = await rep.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/reports`,
    { period: '全年', activities: '430课堂全年', participants: 40, spending: { '活动经费': 400000 }, final: true });
  await admin.post(`${C}/grant-rounds/${round.id}/reports/${fr.data.id}/review`, { decision: 'accept' });
  const final = await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/payments`, { tranche: 'final' });
  assert.equal(final.status, 202, 'above the threshold: waits for a second staff member');
  assert.equal(final.data.amount_fen, 120000);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/proposals/${props[2].id}/payments`, { tranche: 'first' })).status, 409, 'not funded');
  const f1 = (await pub().get(`${C}/fund`)).data;
  assert.equal(f1.balance_fen, f0.balance_fen - 280000);
  assert.equal(srv.cli(['ledger', 'verify']).status, 0);
});

test('attachments are type-checked by their bytes; funded projects file reports that staff review', async () => {
  const rep = new Client(srv.base);
  await rep.login('rep1', 'pass-rep1-123');
  // Attachments are taken while the proposal may be edited: a round still taking submissions (by the
  // server's clock, which the voting test moved three days on).
  const t = Math.floor(Date.now() / 1000) + 30 * 86400;
  const open = (await admin.post(`${C}/grant-rounds`, { name: '附件轮次', budget_fen: 100000, submission_ends: t + 3600, voting_opens: t + 7200, voting_closes: t + 9000 })).data;
  const draft = (await rep.post(`${C}/grant-rounds/${open.id}/proposals`, { organisation_id: orgs[0].id, title: '带附件的申报', summary: 'x', requested_fen: 50000 })).data;
  const url = `${C}/grant-rounds/${open.id}/proposals/${draft.id}/attachments?name=${encodeURIComponent('预算.pdf')}`;
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 32)]);
  const up = await rep.req('POST', url, { body: pdf, headers: { 'Content-Type': 'application/pdf' } });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.data.content_type, 'application/pdf');
  const fake = await rep.req('POST', url, { body: Buffer.from('MZ this is an exe'), headers: { 'Content-Type': 'application/pdf' } });
  assert.equal(fake.status, 415);
  // Over 5 MiB: refused from the Content-Length alone, before the body is read.
  const { port } = new URL(srv.base);
  const answer = await new Promise((ok) => {
    const sock = net.connect(Number(port), '127.0.0.1', () => sock.write(`POST ${url} HTTP/1.1\r\nHost: x\r\nCookie: ${rep.cookie}\r\n` +
      `X-CSRF-Token: ${rep.csrf}\r\nContent-Type: application/pdf\r\nContent-Length: ${6 << 20}\r\n\r\n`));
    let out = '';
    sock.on('data', (d) => { out += d; if (out.includes('\r\n\r\n')) { sock.destroy(); ok(out); } });
    sock.on('error', () => ok(out));
    setTimeout(() => { sock.destroy(); ok(out); }, 3000);
  });
  assert.match(answer, /^HTTP\/1\.1 413/);
  const back = await admin.get(`${C}/grant-rounds/${open.id}/proposals/${draft.id}/attachments/${up.data.id}`);
  assert.equal(back.status, 200);
  assert.equal(back.buf.length, pdf.length);
  const report = { period: '第一季度', activities: '430课堂 48 次', participants: 36, spending: { '活动经费': 120000 } };
  assert.equal((await rep.post(`${C}/grant-rounds/${round.id}/proposals/${props[2].id}/reports`, report)).status, 409, 'not funded');
  assert.equal((await rep.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/reports`, { ...report, spending: { '别的': 1 } })).status, 422);
  const filed = await rep.post(`${C}/grant-rounds/${round.id}/proposals/${props[1].id}/reports`, report);
  assert.equal(filed.status, 201, filed.text);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/reports/${filed.data.id}/review`, { decision: 'return' })).status, 422);
  assert.equal((await admin.post(`${C}/grant-rounds/${round.id}/reports/${filed.data.id}/review`, { decision: 'accept' })).data.status, 'accepted');
  const list = (await admin.get(`${C}/grant-rounds/${round.id}/reports`)).data.items;
  assert.ok(list.some((x) => x.spending['活动经费'] === 120000));
});

test('a proposal is editable until the deadline; the phase moves on its date', async () => {
  srv.setClock(0);
  const now = Math.floor(Date.now() / 1000);
  const r = (await admin.post(`${C}/grant-rounds`, { name: '日期轮次', budget_fen: 100000, submission_ends: now + 600, voting_opens: now + 1200, voting_closes: now + 1800 })).data;
  const rep = new Client(srv.base);
  await rep.login('rep1', 'pass-rep1-123');
  const org = orgs.find((o) => o.kind === 'owners_committee');
  const p = await rep.post(`${C}/grant-rounds/${r.id}/proposals`, { organisation_id: org.id, title: '初稿', summary: 'x', requested_fen: 50000 });
  const e = await rep.req('PATCH', `${C}/grant-rounds/${r.id}/proposals/${p.data.id}`, { json: { title: '修改稿' } });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.data.title, '修改稿');
  const stranger = await account('rep2', 'org_rep');
  assert.equal((await stranger.req('PATCH', `${C}/grant-rounds/${r.id}/proposals/${p.data.id}`, { json: { title: '别人改' } })).status, 403);
  srv.setClock(700);
  assert.equal((await pub().get(`${C}/grant-rounds/${r.id}`)).data.phase, 'eligibility');
  assert.equal((await rep.req('PATCH', `${C}/grant-rounds/${r.id}/proposals/${p.data.id}`, { json: { title: '迟改' } })).status, 409);
  srv.setClock(0);
});

test('a knapsack ballot spends a fixed budget across proposals', async () => {
  srv.setClock(0);
  const now = Math.floor(Date.now() / 1000);
  const r = (await admin.post(`${C}/grant-rounds`, { name: '背包投票', budget_fen: 1000000, voting_rule: 'knapsack', knapsack_fen: 500000,
    submission_ends: now + 60, voting_opens: now + 120, voting_closes: now + 600 })).data;
  assert.equal(r.voting_rule, 'knapsack');
  const rep = new Client(srv.base);
  await rep.login('rep1', 'pass-rep1-123');
  const ps = [];
  for (const fen of [300000, 200000, 250000]) {
    const org = orgs[ps.length];
    ps.push((await rep.post(`${C}/grant-rounds/${r.id}/proposals`, { organisation_id: org.id, title: `项目${fen}`, summary: 'x', requested_fen: fen })).data);
  }
  srv.setClock(70);
  for (const p of ps) await admin.post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/eligibility`, { eligible: true });
  await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'scoring' });
  srv.setClock(130); // voting opens on its date
  const v = await account('knap', 'resident');
  const code = (await admin.post(`${C}/grant-rounds/${r.id}/voting-codes`, { count: 1 })).data.codes[0];
  await v.post(`${C}/voting-codes/redeem`, { code });
  const over = await v.post(`${C}/grant-rounds/${r.id}/votes`, { proposal_ids: [ps[0].id, ps[2].id] });
  assert.equal(over.status, 422);
  assert.equal(over.data.error.fields.proposal_ids, '所选项目的申请金额之和超过了每人的投票预算');
  assert.equal((await v.post(`${C}/grant-rounds/${r.id}/votes`, { proposal_ids: [ps[0].id, ps[1].id] })).status, 201);
  srv.setClock(0);
});

test('ties: equal final scores rank by expert score, then by the earlier submission; the budget decides the rest', async () => {
  srv.setClock(0);
  const now = Math.floor(Date.now() / 1000);
  const r = (await admin.post(`${C}/grant-rounds`, { name: '平局轮次', budget_fen: 500000, pay_from: 'cash',
    submission_ends: now + 60, voting_opens: now + 120, voting_closes: now + 600, expert_weight: 100, public_weight: 0 })).data;
  assert.equal(r.pay_from, 'cash');
  const rep = new Client(srv.base);
  await rep.login('rep1', 'pass-rep1-123');
  const ps = [];
  for (const title of ['先交的', '后交的', '分高的']) {
    ps.push((await rep.post(`${C}/grant-rounds/${r.id}/proposals`, { organisation_id: orgs[0].id, title, summary: 'x', requested_fen: 300000 })).data);
    await new Promise((ok) => setTimeout(ok, 1100)); // submission times one second apart
  }
  srv.setClock(70);
  for (const p of ps) await admin.post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/eligibility`, { eligible: true });
  await admin.post(`${C}/grant-rounds/${r.id}/reviewers`, { account_id: reviewers[0].id });
  await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'scoring' });
  const s = (p, v) => reviewers[0].post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/scores`, { scores: { need: v, feasibility: v, participation: v, budget: v } });
  await s(ps[0], 7);
  await s(ps[1], 7);
  await s(ps[2], 9);
  srv.setClock(700);
  const res = (await admin.get(`${C}/grant-rounds/${r.id}/results?preview=1`)).data;
  assert.deepEqual(res.items.map((x) => x.title), ['分高的', '先交的', '后交的']);
  assert.deepEqual(res.items.map((x) => x.funded), [true, false, false], 'the second 300,000 does not fit in what is left');
  srv.setClock(0);
});

test('a paper ballot is taken as soon as voting opens by its date, before anyone has looked at the round', async () => {
  const t = Math.floor(Date.now() / 1000);
  const r = (await admin.post(`${C}/grant-rounds`, { name: '纸质选票按日期', budget_fen: 100000, submission_ends: t + 600,
    voting_opens: t + 1200, voting_closes: t + 86400 })).data;
  const p = (await admin.post(`${C}/grant-rounds/${r.id}/proposals`, { organisation_id: orgs[0].id, title: '按日期开票', summary: '测试',
    requested_fen: 1000, budget_lines: [{ item: '场地', fen: 1000 }] })).data;
  assert.equal((await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'eligibility' })).status, 200);
  const colleague = await account('paper-date-staff', 'staff');
  assert.equal((await colleague.post(`${C}/grant-rounds/${r.id}/proposals/${p.id}/eligibility`, { eligible: true })).status, 200);
  assert.equal((await admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: 'scoring' })).status, 200);
  srv.setClock(1800); // voting opened by the clock; the stored phase still says scoring
  try {
    const person = (await admin.get(`${C}/people?limit=1`)).data.items[0];
    const keyed = await admin.post(`${C}/grant-rounds/${r.id}/paper-ballots`, { serial: 'DATE-1', person_id: person.id, proposal_ids: [p.id] });
    assert.equal(keyed.status, 201, keyed.text);
    assert.equal((await pub().get(`${C}/grant-rounds/${r.id}`)).data.phase, 'voting');
  } finally {
    srv.setClock(0);
  }
});
