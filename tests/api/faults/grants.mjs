// Fault-loop steps: micro-venture grants.
import assert from 'node:assert/strict';

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
];
