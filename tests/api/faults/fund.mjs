// Fault-loop steps: the charity fund.
import assert from 'node:assert/strict';

// The settings put back after a step that tightened them: a weakening, approved by p.approver.
async function putBack(ctx, p) {
  const r = await ctx.admin.req('PUT', `${ctx.C}/fund/settings`, { json: p.before });
  assert.ok(r.status === 200 || r.status === 202, `the settings put back: ${r.status} ${r.text}`);
  if (r.status === 202) await ctx.ok(p.approver.post(`${ctx.C}/fund/settings/changes/${r.data.pending.id}/approve`), 'the put back approved');
  const now = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
  assert.deepEqual([now.threshold_fen, now.approvals_needed], [p.before.threshold_fen, p.before.approvals_needed]);
}

// A pending change that weakens the rule (the threshold 100 fen higher), asked by the admin.
async function weakening(ctx, s) {
  const { threshold_fen, approvals_needed } = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
  const q = await ctx.admin.req('PUT', `${ctx.C}/fund/settings`, { json: { threshold_fen: threshold_fen + 100, approvals_needed } });
  assert.equal(q.status, 202, `a higher threshold waits for approval: ${q.text}`);
  return { ...s, id: q.data.pending.id, before: { threshold_fen, approvals_needed } };
}

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
  {
    // A payout above the threshold waits for another staff member: the admin asks, a staff member
    // approves. The money comes in first (a donation to the bank), so the fund keeps its cash.
    op: 'POST /api/v1/communities/{community_id}/fund/requests/{request_id}/approve',
    setup: async (ctx) => ({ approver: await ctx.user('staff') }),
    async prepare(ctx, m, s) {
      const k = ctx.next();
      const set = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
      const amount = set.threshold_fen + 1000 + k;
      await ctx.ok(ctx.admin.post(`${ctx.C}/fund/donations`, { amount_fen: amount, method: 'bank', donor_name: '故障测试', memo: `待审批 ${k}` }), 'a donation to pay from');
      const q = await ctx.admin.post(`${ctx.C}/fund/disbursements`, { amount_fen: amount, from: 'bank', expense: 'activities', memo: `社区营造培训 ${k}`, payee: '培训机构' });
      assert.equal(q.status, 202, `a payout above the threshold is a request: ${q.text}`);
      return { ...s, k, id: q.data.id, amount };
    },
    send: (ctx, p) => ctx.json(p.approver, 'POST', `${ctx.C}/fund/requests/${p.id}/approve`),
    done: ['request_closed'],
    async check(ctx, r, p) {
      if (r.status === 200) assert.equal(r.data.status, 'posted');
      const q = (await ctx.admin.get(`${ctx.C}/fund/requests?limit=100`)).data.items.find((x) => x.id === p.id);
      assert.equal(q.status, 'posted', 'the request posted once');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/fund/requests/{request_id}/reject',
    setup: async (ctx) => ({ approver: await ctx.user('staff') }),
    async prepare(ctx, m, s) {
      const k = ctx.next();
      const set = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
      const q = await ctx.admin.post(`${ctx.C}/fund/disbursements`, { amount_fen: set.threshold_fen + 1, from: 'bank', expense: 'activities', memo: `待驳回 ${k}` });
      assert.equal(q.status, 202, `a payout above the threshold is a request: ${q.text}`);
      return { ...s, k, id: q.data.id };
    },
    send: (ctx, p) => ctx.json(p.approver, 'POST', `${ctx.C}/fund/requests/${p.id}/reject`),
    done: ['request_closed'],
    async check(ctx, r, p) {
      const q = (await ctx.admin.get(`${ctx.C}/fund/requests?limit=100`)).data.items.find((x) => x.id === p.id);
      assert.equal(q.status, 'rejected');
    },
  },
  {
    // A real change of the settings, one that tightens the two-person rule (so it applies at once);
    // put back as soon as it succeeded, since the other steps pay out against the threshold. The put
    // back weakens the rule: it waits for another staff member, who approves it.
    op: 'PUT /api/v1/communities/{community_id}/fund/settings',
    setup: async (ctx) => ({ approver: await ctx.user('staff') }),
    async prepare(ctx, m, s) {
      const { threshold_fen, approvals_needed } = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
      const before = { threshold_fen, approvals_needed };
      return { ...s, before, after: { threshold_fen: threshold_fen - 100, approvals_needed } };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'PUT', `${ctx.C}/fund/settings`, p.after),
    async check(ctx, r, p) {
      assert.deepEqual([r.data.threshold_fen, r.data.approvals_needed], [p.after.threshold_fen, p.after.approvals_needed]);
      await putBack(ctx, p);
    },
  },
  {
    // A change that weakens the rule, asked by the admin and approved by another staff member; the
    // settings as they were put back afterwards (a tightening: at once).
    op: 'POST /api/v1/communities/{community_id}/fund/settings/changes/{change_id}/approve',
    setup: async (ctx) => ({ approver: await ctx.user('staff') }),
    prepare: (ctx, m, s) => weakening(ctx, s),
    send: (ctx, p) => ctx.json(p.approver, 'POST', `${ctx.C}/fund/settings/changes/${p.id}/approve`),
    done: ['settings_change_closed'],
    async check(ctx, r, p) {
      const now = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
      assert.equal(now.threshold_fen, p.before.threshold_fen + 100, 'the change applied once');
      await ctx.ok(ctx.admin.req('PUT', `${ctx.C}/fund/settings`, { json: p.before }), 'the settings put back');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/fund/settings/changes/{change_id}/reject',
    setup: async (ctx) => ({ approver: await ctx.user('staff') }),
    prepare: (ctx, m, s) => weakening(ctx, s),
    send: (ctx, p) => ctx.json(p.approver, 'POST', `${ctx.C}/fund/settings/changes/${p.id}/reject`),
    done: ['settings_change_closed'],
    async check(ctx, r, p) {
      const now = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/settings`), 'the settings');
      assert.deepEqual([now.threshold_fen, now.approvals_needed, now.pending], [p.before.threshold_fen, p.before.approvals_needed, null]);
    },
  },
  {
    // A new version of the rules; the text in force before is published again afterwards.
    op: 'POST /api/v1/communities/{community_id}/fund/rules',
    async prepare(ctx) {
      const before = await ctx.ok(ctx.admin.get(`${ctx.C}/fund/rules`), 'the rules');
      return { k: ctx.next(), before };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/fund/rules`,
      { markdown: `# 公益基金管理制度（修订 ${p.k}）\n\n1. 捐赠**专款专用**。\n2. 单笔支出超过限额须另一名工作人员审批。\n\n<script>alert(1)</script>\n` }),
    async check(ctx, r, p) {
      if (p.before.markdown) await ctx.ok(ctx.admin.post(`${ctx.C}/fund/rules`, { markdown: p.before.markdown }), 'the rules put back');
      assert.match(r.data?.html ?? '', new RegExp(`修订 ${p.k}`), `the new rules in the answer: ${r.status} ${r.text.slice(0, 300)}`);
      assert.doesNotMatch(r.data.html, /<script>/);
    },
  },
];
