// Fault-loop steps: sessions, districts, towns, communities and the registry (people, compounds…).
import assert from 'node:assert/strict';
import { Client, idWithCheck } from '../harness.mjs';

export default [
  {
    op: 'POST /api/v1/session',
    send: (ctx) => (h) => new Client(ctx.srv.base).req('POST', '/api/v1/session', { json: { login: 'admin', password: ctx.srv.password }, headers: h }),
  },
  {
    op: 'POST /api/v1/communities/{community_id}/compounds',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/compounds`, { name: `故障小区${p.k}` }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/people',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/people`,
      { name: `故障${p.k}`, phone: '13912340000', id_number: idWithCheck(`44060619800101${String(p.k % 100).padStart(2, '0')}1`) }),
    done: ['conflict'],
  },
  {
    // A page of people unmasked (audited). A search by a whole number is left out: every attempt of
    // the loop would count against the account's search throttle.
    op: 'POST /api/v1/communities/{community_id}/people/unmask',
    send: (ctx) => ctx.json(ctx.admin, 'POST', `${ctx.C}/people/unmask`, { limit: 5, offset: 2 }),
    check(ctx, r) {
      assert.equal(r.data.items.length, 5);
      assert.ok(r.data.items.every((p) => typeof p.needy === 'boolean' || p.needy === null));
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/people/{person_id}/unmask',
    setup: async (ctx) => ({ id: (await ctx.ok(ctx.admin.post(`${ctx.C}/people`, { name: '故障查看', phone: '13912340077' }), 'a person to unmask')).id }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/people/${p.id}/unmask`),
    check(ctx, r) {
      assert.equal(r.data.phone, '13912340077');
    },
  },
  {
    op: 'POST /api/v1/communities/{community_id}/people/import',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => (h) => ctx.admin.req('POST', `${ctx.C}/people/import`, {
      body: `姓名,手机号,小区\r\n导入甲${p.k},13800000001,丰华花苑\r\n导入乙${p.k},13800000002,文华花园\r\n`,
      headers: { 'Content-Type': 'text/csv', ...h },
    }),
  },
  {
    // Log out: each mode logs out a session of its own, made beforehand.
    op: 'DELETE /api/v1/session',
    prepare: async (ctx) => ({ client: await ctx.user('resident') }),
    send: (ctx, p) => ctx.json(p.client, 'DELETE', '/api/v1/session'),
    async check(ctx, r, p) {
      assert.equal(r.status, 204);
      assert.equal((await p.client.get('/api/v1/session')).status, 401, 'the session is gone');
    },
  },
  {
    op: 'POST /api/v1/districts',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', '/api/v1/districts', { name: `故障区${p.k}` }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/towns',
    async setup(ctx) {
      const d = await ctx.ok(ctx.admin.post('/api/v1/districts', { name: `故障上级区${ctx.next()}` }), 'a district for the towns');
      return { district: d.id };
    },
    prepare: (ctx, m, s) => ({ ...s, k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', '/api/v1/towns', { name: `故障镇${p.k}`, district_id: p.district }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/communities',
    async setup(ctx) {
      const d = await ctx.ok(ctx.admin.post('/api/v1/districts', { name: `故障社区区${ctx.next()}` }), 'a district');
      const t = await ctx.ok(ctx.admin.post('/api/v1/towns', { name: `故障社区镇${ctx.next()}`, district_id: d.id }), 'a town for the communities');
      return { town: t.id };
    },
    prepare: (ctx, m, s) => ({ ...s, k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', '/api/v1/communities', { name: `故障社区${p.k}`, town_id: p.town, population: 1000 + p.k }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/compounds/{compound_id}/buildings',
    async setup(ctx) {
      const c = await ctx.ok(ctx.admin.post(`${ctx.C}/compounds`, { name: `故障楼盘${ctx.next()}`, address: '文华路1号' }), 'a compound for the buildings');
      return { compound: c.id };
    },
    prepare: (ctx, m, s) => ({ ...s, k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/compounds/${p.compound}/buildings`, { name: `${p.k}栋`, floors: 18 }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/venues',
    async setup(ctx) {
      const c = await ctx.ok(ctx.admin.post(`${ctx.C}/compounds`, { name: `故障场地小区${ctx.next()}` }), 'a compound for the venues');
      return { compound: c.id };
    },
    prepare: (ctx, m, s) => ({ ...s, k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/venues`,
      { name: `故障活动室${p.k}`, kind: 'activity_room', compound_id: p.compound, address: `文华路${p.k}号` }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/organisations',
    async setup(ctx) {
      const c = await ctx.ok(ctx.admin.post(`${ctx.C}/compounds`, { name: `故障组织小区${ctx.next()}` }), 'a compound for the organisations');
      return { compound: c.id };
    },
    prepare: (ctx, m, s) => ({ ...s, k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/organisations`,
      { name: `故障业委会${p.k}`, kind: 'owners_committee', compound_id: p.compound, contact_name: '梁先生' }),
    done: ['conflict'],
  },
  {
    op: 'POST /api/v1/communities/{community_id}/staff',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => ctx.json(ctx.admin, 'POST', `${ctx.C}/staff`,
      { name: `社工${p.k}`, position: '社区社工', certificate_level: 'social_worker', certificate_no: `SW${p.k}` }),
  },
  {
    // A person of its own in each mode, moved into a compound and a building that the change creates.
    op: 'PATCH /api/v1/communities/{community_id}/people/{person_id}',
    async setup(ctx) {
      const c = await ctx.ok(ctx.admin.post(`${ctx.C}/compounds`, { name: `故障搬迁小区${ctx.next()}` }), 'a compound to move into');
      return { compound: c.id };
    },
    async prepare(ctx, m, s) {
      const k = ctx.next();
      const person = await ctx.ok(ctx.admin.post(`${ctx.C}/people`, { name: `待改${k}`, phone: '13912340001' }), 'a person to change');
      return { ...s, k, person: person.id };
    },
    send: (ctx, p) => ctx.json(ctx.admin, 'PATCH', `${ctx.C}/people/${p.person}`, {
      name: `已改${p.k}`, phone: '13912340002', gender: 'F', compound_id: p.compound, building_name: `${p.k}栋`, room: '2-1503',
      tags: ['elder', 'party_member'], needy: true,
    }),
    check(ctx, r, p) {
      assert.equal(r.data.name, `已改${p.k}`);
    },
  },
];
