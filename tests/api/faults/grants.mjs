// Fault-loop steps: micro-venture grants.
import assert from 'node:assert/strict';

// The rounds the steps below need, each driven to its phase once, without a fault. Rounds whose
// voting must open or close during the run get dates a few seconds ahead (their proposals are
// submitted before then), and the set-up waits for those dates on the real clock rather than move
// the server's.
function grantWorld(ctx) {
  if (!ctx.grantWorld) ctx.grantWorld = buildWorld(ctx);
  return ctx.grantWorld;
}

async function buildWorld(ctx) {
  const { admin, C } = ctx;
  const orgs = (await admin.get(`${C}/organisations?limit=100`)).data.items;
  assert.ok(orgs.length > 0, 'the demo has organisations');
  const people = (await admin.get(`${C}/people?limit=20`)).data.items;
  assert.ok(people.length >= 8, 'the demo has people');
  const rep = await ctx.user('org_rep');
  // The rep proposes for every organisation of the demo, so staff link them to each.
  for (const o of orgs) await ctx.ok(admin.post(`${C}/organisations/${o.id}/reps`, { account_id: rep.id }), 'a rep\'s link');
  const t0 = ctx.now();
  const soon = t0 + 15; // submissions of the short rounds close then, and their voting opens a second later
  const far = t0 + 30 * 86400;
  const longDates = { submission_ends: far, voting_opens: far + 86400, voting_closes: far + 2 * 86400 };
  const round = async (name, dates, extra = {}) => ctx.ok(admin.post(`${C}/grant-rounds`,
    { name: `故障${name}${ctx.next()}`, budget_fen: 1000000, max_award_fen: 100000, ...dates, ...extra }), `a round (${name})`);
  const propose = async (r, n) => {
    r.props = [];
    for (let i = 0; i < n; i++) {
      const k = ctx.next();
      r.props.push((await ctx.ok(rep.post(`${C}/grant-rounds/${r.id}/proposals`, { organisation_id: orgs[k % orgs.length].id,
        title: `故障项目${k}`, summary: '故障注入测试的项目', requested_fen: 10000, budget_lines: [{ item: '活动经费', fen: 10000 }] }), 'a proposal')).id);
    }
    return r;
  };
  const phase = (r, to) => ctx.ok(admin.post(`${C}/grant-rounds/${r.id}/phase`, { phase: to }), `round ${r.id} to ${to}`);
  const eligible = async (r) => { for (const p of r.props) await ctx.ok(admin.post(`${C}/grant-rounds/${r.id}/proposals/${p}/eligibility`, { eligible: true }), 'eligible'); };

  // Short rounds first: their proposals must be in before `soon`.
  const shortOpen = { submission_ends: soon, voting_opens: soon + 1, voting_closes: far };
  const shortClosed = { submission_ends: soon, voting_opens: soon + 1, voting_closes: soon + 2 };
  const voting = await propose(await round('投票', shortOpen), 2);
  const publish = [];
  for (let m = 0; m < 4; m++) publish.push(await propose(await round('公示', shortClosed), 1));
  const notice = await propose(await round('异议', shortClosed), 2);
  const funded = await propose(await round('资助', shortClosed, { min_expert: 0 }), 5);
  assert.ok(ctx.now() < soon, 'the short rounds\' proposals were submitted before their deadline');
  for (const r of [voting, ...publish, notice, funded]) {
    await phase(r, 'eligibility');
    await eligible(r);
    await phase(r, 'voting');
  }

  // Rounds with far dates, each in the phase its steps need.
  const submission = await propose(await round('申报', longDates), 1);
  const elig = await propose(await round('资格', longDates), 4);
  await phase(elig, 'eligibility');
  const scoring = await propose(await round('评审', longDates), 2);
  await phase(scoring, 'eligibility');
  await eligible(scoring);
  await phase(scoring, 'scoring');

  // Money for the tranches (from the bank account the rounds pay from).
  await ctx.ok(admin.post(`${C}/fund/donations`, { amount_fen: 200000, method: 'bank', donor_name: '故障测试', donor_kind: 'organisation', memo: '微创投故障测试' }), 'a donation');
  const checker = await ctx.user('staff');
  const resident = await ctx.user('resident');

  // Voting opens in the short rounds, and closes in those to publish.
  while (ctx.now() < soon + 3) await new Promise((ok) => setTimeout(ok, 250));
  for (const r of [notice, funded]) {
    const res = await ctx.ok(admin.post(`${C}/grant-rounds/${r.id}/results/publish`), `publish round ${r.id}`);
    assert.ok(res.items.every((x) => x.funded || r !== funded), 'every proposal of the funded round is funded');
  }
  await phase(funded, 'funded');
  return { orgs, people, rep, checker, resident, voting, publish, notice, funded, submission, elig, scoring, longDates };
}

const pdf = (k) => Buffer.concat([Buffer.from(`%PDF-1.4\n% 故障 ${k}\n`), Buffer.alloc(1500, 32)]);
const report = (k, final = false) => ({ period: `第${k}期`, activities: `故障测试活动 ${k}`, participants: 12, spending: { '活动经费': 3000 }, photos: [], final });

export default [
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/voters',
    async setup(ctx) {
      const round = (await ctx.admin.get(`${ctx.C}/grant-rounds`)).data.items.find((r) => r.phase === 'voting');
      assert.ok(round, 'the demo has a round open for voting');
      const proposal = (await ctx.admin.get(`${ctx.C}/grant-rounds/${round.id}/proposals`)).data.items[0].id;
      const people = (await ctx.admin.get(`${ctx.C}/people?limit=10`)).data.items;
      ctx.grantVoting = { round: round.id, proposal, people, voters: [] };
      return ctx.grantVoting;
    },
    async prepare(ctx, m, g) {
      g.voters[m] = await ctx.user('resident');
      return { ...g, voter: g.voters[m], person: g.people[m].id };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${p.round}/voters`, { account_id: p.voter.id, person_id: p.person }),
    done: ['already_verified', 'conflict'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/votes',
    prepare: (ctx, m) => ({ ...ctx.grantVoting, voter: ctx.grantVoting.voters[m] }),
    send: (ctx, p) => ctx.json(p.voter, 'POST', `${ctx.C}/grant-rounds/${p.round}/votes`, { proposal_ids: [p.proposal] }),
    done: ['already_voted'],
    // Exactly one vote per voter, whatever failed on the way.
    end(ctx, _shared, modes) {
      const g = ctx.grantVoting;
      const ids = g.voters.map((v) => v.id).join(',');
      const voted = ctx.srv.sql(`SELECT count(*) FROM grant_voted v JOIN grant_voters g ON g.community_id = v.community_id AND g.round_id = v.round_id AND g.voter_key = v.voter_key WHERE v.round_id = ${g.round} AND g.account_id IN (${ids})`);
      assert.equal(voted, String(modes), 'one vote recorded for each voter');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds',
    setup: grantWorld,
    prepare: (ctx, m, w) => ({ k: ctx.next(), dates: w.longDates }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds`, { name: `故障轮次${p.k}`, budget_fen: 500000, max_award_fen: 100000,
      voting_rule: 'approval', approval_k: 2, pay_from: 'cash', ...p.dates }),
    check: (ctx, r) => { assert.equal(r.data.phase, 'submission'); assert.equal(r.data.voting_rule, 'approval'); },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/phase',
    async prepare(ctx, m) {
      const w = await grantWorld(ctx);
      return ctx.ok(ctx.admin.post(`${ctx.C}/grant-rounds`, { name: `故障换阶段${ctx.next()}`, budget_fen: 100000, ...w.longDates }), 'a round');
    },
    send: (ctx, round) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${round.id}/phase`, { phase: 'eligibility' }),
    done: ['phase_backwards'],
    async check(ctx, r, round) {
      assert.equal((await ctx.admin.get(`${ctx.C}/grant-rounds/${round.id}`)).data.phase, 'eligibility');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals',
    prepare: async (ctx) => ({ w: await grantWorld(ctx), k: ctx.next() }),
    send: (ctx, { w, k }) => ctx.json(w.rep, 'POST', `${ctx.C}/grant-rounds/${w.submission.id}/proposals`, { organisation_id: w.orgs[k % w.orgs.length].id,
      title: `故障申报${k}`, summary: '故障注入测试的申报', plan: '每月一次活动', beneficiaries: '小区居民', requested_fen: 20000,
      budget_lines: [{ item: '场地', fen: 5000 }, { item: '材料', fen: 15000 }] }),
    check: (ctx, r) => assert.equal(r.data.requested_fen, 20000),
  },
  {
    op: 'PATCH /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}',
    async prepare(ctx) {
      const w = await grantWorld(ctx);
      const k = ctx.next();
      const p = await ctx.ok(w.rep.post(`${ctx.C}/grant-rounds/${w.submission.id}/proposals`, { organisation_id: w.orgs[0].id, title: `初稿${k}`,
        summary: '初稿', requested_fen: 10000 }), 'a proposal to edit');
      return { w, k, p: p.id };
    },
    send: (ctx, { w, k, p }) => ctx.json(w.rep, 'PATCH', `${ctx.C}/grant-rounds/${w.submission.id}/proposals/${p}`,
      { title: `修改稿${k}`, requested_fen: 12000, budget_lines: [{ item: '活动经费', fen: 12000 }] }),
    check: (ctx, r, { k }) => { assert.equal(r.data.title, `修改稿${k}`); assert.equal(r.data.requested_fen, 12000); },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}/eligibility',
    prepare: async (ctx, m) => ({ w: await grantWorld(ctx), m }),
    send: (ctx, { w, m }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.elig.id}/proposals/${w.elig.props[m]}/eligibility`,
      m % 2 ? { eligible: false, reason: '重复申报' } : { eligible: true }),
    check: (ctx, r, { m }) => assert.equal(r.data.eligible, !(m % 2)),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}/conflict',
    async prepare(ctx) {
      const w = await grantWorld(ctx);
      const reviewer = await ctx.user('reviewer');
      await ctx.ok(ctx.admin.post(`${ctx.C}/grant-rounds/${w.scoring.id}/reviewers`, { account_id: reviewer.id }), 'a reviewer');
      return { w, reviewer };
    },
    send: (ctx, { w, reviewer }) => ctx.json(reviewer, 'POST', `${ctx.C}/grant-rounds/${w.scoring.id}/proposals/${w.scoring.props[1]}/conflict`, { reason: '住在该小区' }),
    async check(ctx, r, { w, reviewer }) {
      const mine = (await reviewer.get(`${ctx.C}/grant-rounds/${w.scoring.id}/reviews`)).data.items.find((x) => x.proposal_id === w.scoring.props[1]);
      assert.equal(mine.state, 'conflict');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}/scores',
    async prepare(ctx) {
      const w = await grantWorld(ctx);
      const reviewer = await ctx.user('reviewer');
      await ctx.ok(ctx.admin.post(`${ctx.C}/grant-rounds/${w.scoring.id}/reviewers`, { account_id: reviewer.id }), 'a reviewer');
      return { w, reviewer };
    },
    send: (ctx, { w, reviewer }) => ctx.json(reviewer, 'POST', `${ctx.C}/grant-rounds/${w.scoring.id}/proposals/${w.scoring.props[0]}/scores`,
      { scores: { need: 9, feasibility: 8, participation: 7, budget: 10 }, comment: '方案可行' }),
    check: (ctx, r) => assert.equal(r.data.total, 85),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}/payments',
    prepare: async (ctx, m) => ({ w: await grantWorld(ctx), m, k: ctx.next() }),
    send: (ctx, { w, m, k }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.funded.id}/proposals/${w.funded.props[m]}/payments`,
      { tranche: 'first' }, { 'Idempotency-Key': `grant-pay-${k}` }),
    done: ['tranche_paid'],
    async check(ctx, r, { w, m }) {
      if (r.status !== 409) assert.equal(r.data.amount_fen, 7000); // 70% of 10,000
      const again = await ctx.admin.post(`${ctx.C}/grant-rounds/${w.funded.id}/proposals/${w.funded.props[m]}/payments`, { tranche: 'first' });
      assert.equal(again.data?.error?.code, 'tranche_paid', 'the first tranche is paid once');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/reviewers',
    prepare: async (ctx) => ({ w: await grantWorld(ctx), reviewer: await ctx.user('reviewer') }),
    send: (ctx, { w, reviewer }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.submission.id}/reviewers`, { account_id: reviewer.id }),
    check: (ctx, r, { reviewer }) => assert.equal(r.data.account_id, reviewer.id),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/voting-codes',
    prepare: grantWorld,
    send: (ctx, w) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.voting.id}/voting-codes`, { count: 3 }),
    check: (ctx, r) => assert.equal(new Set(r.data.codes).size, 3),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/results/publish',
    prepare: async (ctx, m) => (await grantWorld(ctx)).publish[m],
    send: (ctx, round) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${round.id}/results/publish`),
    done: ['already_published'],
    async check(ctx, r, round) {
      const res = await ctx.admin.get(`${ctx.C}/grant-rounds/${round.id}/results`);
      assert.equal(res.data.published, true);
      assert.equal(res.data.items.length, 1);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/paper-ballots',
    prepare: async (ctx, m) => ({ w: await grantWorld(ctx), m, k: ctx.next() }),
    send: (ctx, { w, m, k }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.voting.id}/paper-ballots`,
      { serial: `F-${k}`, person_id: w.people[m].id, proposal_ids: [w.voting.props[m % 2]] }),
    // A keying that committed before its answer failed finds its serial taken on the next attempt (409).
    done: ['conflict'],
    check: (ctx, r, { w, k }) => assert.equal(ctx.srv.sql(`SELECT status FROM grant_paper WHERE round_id = ${w.voting.id} AND serial = 'F-${k}'`), 'pending'),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/paper-ballots/{serial}/check',
    async prepare(ctx, m) {
      const w = await grantWorld(ctx);
      const serial = `C-${ctx.next()}`;
      await ctx.ok(ctx.admin.post(`${ctx.C}/grant-rounds/${w.voting.id}/paper-ballots`, { serial, person_id: w.people[4 + m].id, proposal_ids: [w.voting.props[0]] }), 'a paper ballot');
      return { w, serial };
    },
    send: (ctx, { w, serial }) => ctx.json(w.checker, 'POST', `${ctx.C}/grant-rounds/${w.voting.id}/paper-ballots/${serial}/check`, { confirm: true }),
    done: ['already_checked'],
    // Counted once, whatever failed on the way; the paper row keeps no choices.
    check: (ctx, r, { w, serial }) => assert.equal(ctx.srv.sql(`SELECT status || '/' || COALESCE(choices, 'erased') FROM grant_paper WHERE round_id = ${w.voting.id} AND serial = '${serial}'`), 'counted/erased'),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/objections',
    prepare: async (ctx) => ({ w: await grantWorld(ctx), k: ctx.next() }),
    send: (ctx, { w, k }) => ctx.json(w.resident, 'POST', `${ctx.C}/grant-rounds/${w.notice.id}/objections`,
      { proposal_id: w.notice.props[0], text: `预算中的场地费偏高（${k}）` }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/objections/{objection_id}/answer',
    async prepare(ctx) {
      const w = await grantWorld(ctx);
      const o = await ctx.ok(w.resident.post(`${ctx.C}/grant-rounds/${w.notice.id}/objections`, { proposal_id: w.notice.props[1], text: '活动安排在工作日' }), 'an objection');
      return { w, o: o.id, k: ctx.next() };
    },
    send: (ctx, { w, o, k }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.notice.id}/objections/${o}/answer`,
      { answer: `已核实，周末另有一场（${k}）` }),
    async check(ctx, r, { w, o, k }) {
      const item = (await ctx.admin.get(`${ctx.C}/grant-rounds/${w.notice.id}/objections?limit=100`)).data.items.find((x) => x.id === o);
      assert.equal(item.answer, `已核实，周末另有一场（${k}）`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}/attachments',
    prepare: async (ctx) => ({ w: await grantWorld(ctx), k: ctx.next() }),
    send: (ctx, { w, k }) => (h) => w.rep.req('POST',
      `${ctx.C}/grant-rounds/${w.submission.id}/proposals/${w.submission.props[0]}/attachments?name=${encodeURIComponent(`预算${k}.pdf`)}`,
      { body: pdf(k), headers: { 'Content-Type': 'application/pdf', ...h } }),
    check: (ctx, r) => assert.equal(r.data.content_type, 'application/pdf'),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/proposals/{proposal_id}/reports',
    prepare: async (ctx) => ({ w: await grantWorld(ctx), k: ctx.next() }),
    send: (ctx, { w, k }) => ctx.json(w.rep, 'POST', `${ctx.C}/grant-rounds/${w.funded.id}/proposals/${w.funded.props[4]}/reports`, report(k)),
    check: (ctx, r) => assert.equal(r.data.status, 'submitted'),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/grant-rounds/{round_id}/reports/{report_id}/review',
    async prepare(ctx, m) {
      const w = await grantWorld(ctx);
      const filed = await ctx.ok(w.rep.post(`${ctx.C}/grant-rounds/${w.funded.id}/proposals/${w.funded.props[4]}/reports`, report(ctx.next(), m === 3)), 'a report');
      return { w, m, report: filed.id };
    },
    send: (ctx, { w, m, report: id }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/grant-rounds/${w.funded.id}/reports/${id}/review`,
      m % 2 ? { decision: 'accept' } : { decision: 'return', note: '请补充活动照片' }),
    done: ['report_closed'],
    check: (ctx, r, { w, m, report: id }) => assert.equal(ctx.srv.sql(`SELECT status FROM grant_reports WHERE id = ${id}`), m % 2 ? 'accepted' : 'returned'),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/organisations/{organisation_id}/reps',
    prepare: async (ctx) => ({ w: await grantWorld(ctx), who: await ctx.user('org_rep') }),
    send: (ctx, { w, who }) => ctx.json(ctx.admin, 'POST', `${ctx.C}/organisations/${w.orgs[0].id}/reps`, { account_id: who.id }),
    done: ['already_linked'],
    check: (ctx, r, { w, who }) => assert.equal(ctx.srv.sql(`SELECT count(*) FROM org_reps WHERE organisation_id = ${w.orgs[0].id} AND account_id = ${who.id}`), '1'),
  },
  {
    op: 'DELETE /api/v1/communities/{community_id}/organisations/{organisation_id}/reps/{account_id}',
    async prepare(ctx) {
      const w = await grantWorld(ctx);
      const who = await ctx.user('org_rep');
      await ctx.ok(ctx.admin.post(`${ctx.C}/organisations/${w.orgs[1].id}/reps`, { account_id: who.id }), 'a link to end');
      return { w, who };
    },
    send: (ctx, { w, who }) => ctx.json(ctx.admin, 'DELETE', `${ctx.C}/organisations/${w.orgs[1].id}/reps/${who.id}`),
    done: ['not_linked'],
    check: (ctx, r, { w, who }) => assert.equal(ctx.srv.sql(`SELECT count(*) FROM org_reps WHERE organisation_id = ${w.orgs[1].id} AND account_id = ${who.id}`), '0'),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/voting-codes/redeem',
    async prepare(ctx) {
      const w = await grantWorld(ctx);
      const { codes } = await ctx.ok(ctx.admin.post(`${ctx.C}/grant-rounds/${w.voting.id}/voting-codes`, { count: 1 }), 'a code');
      return { w, code: codes[0], voter: await ctx.user('resident') };
    },
    // As typed from the paper: lower case, in two groups.
    send: (ctx, { code, voter }) => ctx.json(voter, 'POST', `${ctx.C}/voting-codes/redeem`, { code: `${code.slice(0, 5)}-${code.slice(5)}`.toLowerCase() }),
    done: ['code_used'],
    async check(ctx, r, { w, voter }) {
      if (r.status !== 409) assert.equal(r.data.round_id, w.voting.id);
      assert.deepEqual((await voter.get(`${ctx.C}/grant-rounds/${w.voting.id}/my-vote`)).data, { verified: true, voted: false });
    },
  },
];
