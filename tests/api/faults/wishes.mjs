// Fault-loop steps: micro-wishes.
export default [
  {
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/claims',
    async setup(ctx) {
      return (await ctx.admin.get(`${ctx.C}/wishes?status=published&limit=100`)).data.items.map((w) => w.id);
    },
    prepare: (ctx, m, wishes) => ({ wish: wishes[m], k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes/${p.wish}/claims`, { pledge: true }, { 'Idempotency-Key': `claim-${p.k}` }),
  },
];
