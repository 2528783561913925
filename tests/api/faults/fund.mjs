// Fault-loop steps: the charity fund.
export default [
  {
    op: 'POST /api/v1/communities/{community_id}/fund/donations',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/fund/donations`,
      { amount_fen: 1000 + p.k, method: 'cash', donor_name: '故障测试', memo: `故障 ${p.k}` }, { 'Idempotency-Key': `fault-${p.k}` }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/fund/disbursements',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/fund/disbursements`,
      { amount_fen: 10, from: 'cash', expense: 'wishes', memo: `故障 ${p.k}` }, { 'Idempotency-Key': `pay-${p.k}` }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/fund/entries/{seq}/reverse',
    async prepare(ctx) {
      const k = ctx.next();
      const d = await ctx.ok(ctx.admin.post(`${ctx.C}/fund/donations`, { amount_fen: 500 + k, method: 'cash', donor_name: '故障测试', memo: `待冲正 ${k}` }), 'a donation to reverse');
      return { k, seq: d.seq };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/fund/entries/${p.seq}/reverse`, { reason: `故障 ${p.k}` }),
    done: ['already_reversed'],
  },
];
