// Fault-loop steps: micro-wishes.
import assert from 'node:assert/strict';

// What the wish steps share, made once without a fault: a compound, a campaign, and a resident who
// submits wishes online (and confirms them).
async function base(ctx) {
  if (!ctx.wishBase) {
    const k = ctx.next();
    const compound = await ctx.ok(ctx.admin.post(`${ctx.C}/compounds`, { name: `故障心愿小区${k}` }), 'a compound for the wishes');
    const campaign = await ctx.ok(ctx.admin.post(`${ctx.C}/wish-campaigns`, { title: `故障心愿活动${k}`, starts_on: '2026-01-01', ends_on: '2030-12-31', fulfil_days: 60 }), 'a campaign');
    ctx.wishBase = { compound: compound.id, campaign: campaign.id, resident: await ctx.user('resident') };
  }
  return ctx.wishBase;
}

const wishBody = (b, extra = {}) => ({
  category: 'goods', urgency: 'blue', title: '一台收音机', story: '独居长者，平时喜欢听粤剧，收音机坏了。',
  beneficiary_name: '周秀兰', address: '文华花园 5栋 801', contact: '13900001111', needs: '带粤剧频道的收音机',
  estimated_fen: 8000, deadline: '2030-12-31', consent: true, compound_id: b.compound, campaign_id: b.campaign, ...extra,
});

// A new wish brought, without a fault, as far as `stage`: submitted, verified, published, claimed,
// contacted or fulfilled. Keyed in from a paper form by staff, or submitted online by the resident.
async function wishAt(ctx, stage, { online = false, extra = {} } = {}) {
  const b = await base(ctx);
  const k = ctx.next();
  const C = ctx.C;
  const w = online
    ? await ctx.ok(b.resident.post(`${C}/wishes`, wishBody(b, extra)), 'a wish submitted online')
    : await ctx.ok(ctx.admin.post(`${C}/wishes`, wishBody(b, { source: 'paper', paper_serial: `WX-F${k}`, ...extra })), 'a wish from a paper form');
  const order = ['submitted', 'verified', 'published', 'claimed', 'contacted', 'fulfilled'];
  const upTo = order.indexOf(stage);
  assert.ok(upTo >= 0, stage);
  if (upTo >= 1) await ctx.ok(ctx.admin.post(`${C}/wishes/${w.id}/verify`, { method: 'phone', note: '已电话核实' }), 'the verification');
  if (upTo >= 2) await ctx.ok(ctx.admin.post(`${C}/wishes/${w.id}/decision`, { decision: 'publish' }), 'publishing');
  if (upTo >= 3) await ctx.ok(ctx.admin.post(`${C}/wishes/${w.id}/claims`, { pledge: true, donor_name: '冯先生', donor_kind: 'party_member' }), 'a claim');
  if (upTo >= 4) await ctx.ok(ctx.admin.post(`${C}/wishes/${w.id}/contact`), 'the contact');
  if (upTo >= 5) await ctx.ok(ctx.admin.post(`${C}/wishes/${w.id}/fulfil`, { kind: 'goods' }), 'the fulfilment');
  return { ...b, k, id: w.id };
}

// A few bytes that are a PNG to the server's sniffing (as in tests/api/wishes.test.mjs).
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 7)]);

export default [
  {
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/claims',
    async setup(ctx) {
      return (await ctx.admin.get(`${ctx.C}/wishes?status=published&limit=100`)).data.items.map((w) => w.id);
    },
    // A fresh resident each mode: one donor account holds at most three open claims.
    prepare: async (ctx, m, wishes) => ({ wish: wishes[m], k: ctx.next(), donor: await ctx.user('resident') }),
    send: (ctx, p) => ctx.json(p.donor, 'POST', `${ctx.C}/wishes/${p.wish}/claims`, { pledge: true }, { 'Idempotency-Key': `claim-${p.k}` }),
  },
  {
    // The claimer lets a claimed wish go, with a reason.
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/claims/release',
    async prepare(ctx) {
      const p = await wishAt(ctx, 'published');
      const donor = await ctx.user('resident');
      await ctx.ok(donor.post(`${ctx.C}/wishes/${p.id}/claims`, { pledge: true }), 'a claim');
      return { ...p, donor };
    },
    send: (ctx, p) => ctx.json(p.donor, 'POST', `${ctx.C}/wishes/${p.id}/claims/release`, { reason: '家里有事，无法完成' }),
    done: ['no_active_claim'],
    async check(ctx, r, p) {
      const w = (await ctx.admin.get(`${ctx.C}/wishes/${p.id}`)).data;
      assert.equal(w.status, 'published');
      assert.equal(w.claims[0].status, 'released');
    },
  },
  {
    // Staff block a donor who holds a claim, releasing it.
    op: 'POST /api/v1/communities/{community_id}/wish-donors/{account_id}/block',
    async prepare(ctx) {
      const p = await wishAt(ctx, 'published');
      const donor = await ctx.user('resident');
      await ctx.ok(donor.post(`${ctx.C}/wishes/${p.id}/claims`, { pledge: true }), 'a claim');
      return { ...p, donor };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wish-donors/${p.donor.id}/block`, { reason: '多次认领不兑现', release_claims: true }),
    done: ['already_blocked'],
    async check(ctx, r, p) {
      assert.equal((await ctx.admin.get(`${ctx.C}/wishes/${p.id}`)).data.status, 'published');
      assert.equal((await p.donor.post(`${ctx.C}/wishes/${p.id}/claims`, { pledge: true })).data.error.code, 'donor_blocked');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/wish-donors/{account_id}/unblock',
    async prepare(ctx) {
      const donor = await ctx.user('resident');
      await ctx.ok(ctx.admin.post(`${ctx.C}/wish-donors/${donor.id}/block`, { reason: '待核实' }), 'a block');
      return { donor };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wish-donors/${p.donor.id}/unblock`, { reason: '已当面说明' }),
    done: ['not_blocked'],
    check(ctx, r) {
      if (r.status === 200) assert.equal(r.data.blocked, false);
    },
  },
  {
    // The claim limit, put back at the end. A raise waits for a second person: another staff member
    // asks for it first, the admin's PUT (the step) applies it.
    op: 'PUT /api/v1/communities/{community_id}/wish-settings',
    setup: async (ctx) => ({ before: await ctx.ok(ctx.admin.get(`${ctx.C}/wish-settings`), 'the wish settings'), asker: await ctx.user('staff') }),
    async prepare(ctx, m, { asker }) {
      const r = await asker.req('PUT', `${ctx.C}/wish-settings`, { json: { max_open_claims: 4 + m } });
      if (r.status !== 202) throw new Error(`a raise asked: ${r.status} ${r.text}`);
      return { m };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'PUT', `${ctx.C}/wish-settings`, { max_open_claims: 4 + p.m }),
    check(ctx, r, p) {
      assert.equal(r.data.max_open_claims, 4 + p.m);
    },
    async end(ctx, { before }) {
      await ctx.ok(ctx.admin.req('PUT', `${ctx.C}/wish-settings`, { json: { max_open_claims: before.max_open_claims } }), 'the wish settings put back');
    },
  },
  {
    // Staff key in a paper form.
    op: 'POST /api/v1/communities/{community_id}/wishes',
    setup: base,
    prepare: async (ctx, m) => ({ ...(await base(ctx)), k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes`,
      wishBody(p, { source: 'paper', paper_serial: `WX-N${p.k}` })),
    check(ctx, r, p) {
      assert.equal(r.data.status, 'submitted');
      assert.equal(r.data.paper_serial, `WX-N${p.k}`);
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/form-photo',
    prepare: (ctx) => wishAt(ctx, 'submitted'),
    send: (ctx, p) => (h) => ctx.admin.req('POST', `${ctx.C}/wishes/${p.id}/form-photo`, { body: png, headers: { 'Content-Type': 'image/png', ...h } }),
    check(ctx, r) {
      assert.match(r.data.paper_photo, /^sha256:[0-9a-f]{64}$/);
    },
  },
  {
    // The sealed details, shown and audited.
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/private',
    setup: (ctx) => wishAt(ctx, 'submitted'),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes/${p.id}/private`),
    check(ctx, r) {
      assert.equal(r.data.private.beneficiary_name, '周秀兰');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/verify',
    prepare: (ctx) => wishAt(ctx, 'submitted'),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes/${p.id}/verify`, { method: 'visit', note: '入户核实，情况属实' }),
    check(ctx, r) {
      assert.equal(r.data.verify_method, 'visit');
    },
  },
  {
    // Publishing, with the story and title corrected in the same step.
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/decision',
    prepare: (ctx) => wishAt(ctx, 'verified'),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes/${p.id}/decision`,
      { decision: 'publish', title: '一台能听粤剧的收音机', story: '独居长者，喜欢听粤剧，希望有一台收音机。' }),
    done: ['already_decided'],
    async check(ctx, r, p) {
      assert.equal((await ctx.admin.get(`${ctx.C}/wishes/${p.id}`)).data.status, 'published');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/contact',
    prepare: (ctx) => wishAt(ctx, 'claimed'),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes/${p.id}/contact`),
    check(ctx, r) {
      assert.ok(r.data.claims.some((c) => c.status === 'active' && c.contacted_at), 'the contact is recorded');
    },
  },
  {
    // Cash: a donation earmarked for the wish and the payout for it, both through the fund.
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/fulfil',
    prepare: (ctx) => wishAt(ctx, 'contacted', { extra: { category: 'cash', title: '交暖气费', story: '困难家庭需要补交一部分暖气费。', needs: '暖气费', estimated_fen: 5000 } }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wishes/${p.id}/fulfil`, { kind: 'cash', amount_fen: 5000, method: 'wechat' },
      { 'Idempotency-Key': `fulfil-${p.k}` }),
    done: ['no_active_claim'],
    async check(ctx, r, p) {
      assert.equal((await ctx.admin.get(`${ctx.C}/wishes/${p.id}`)).data.status, 'fulfilled');
      const posted = ctx.srv.sql(`SELECT count(DISTINCT entry_seq) FROM fund_postings WHERE community_id = ${ctx.srv.communityId} AND earmark = 'wish:${p.id}'`);
      assert.equal(posted, '2', 'the earmarked donation and the payout, once');
    },
  },
  {
    // The beneficiary, who submitted it online, confirms with a thank-you.
    op: 'POST /api/v1/communities/{community_id}/wishes/{wish_id}/confirm',
    prepare: (ctx) => wishAt(ctx, 'fulfilled', { online: true }),
    send: (ctx, p) => ctx.json(p.resident, 'POST', `${ctx.C}/wishes/${p.id}/confirm`, { thank_you: '谢谢好心人，天天都能听粤剧了！' }),
    done: ['wish_not_fulfilled'],
    async check(ctx, r, p) {
      assert.equal((await ctx.admin.get(`${ctx.C}/wishes/${p.id}`)).data.status, 'closed');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/wish-campaigns',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/wish-campaigns`,
      { title: `“微心愿 微公益”故障测试活动${p.k}`, starts_on: '2026-11-01', ends_on: '2026-12-31', fulfil_days: 30 }),
  },
];
