// Fault-loop steps: sessions, districts, towns, communities and the registry (people, compounds…).
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
    op: 'POST /api/v1/communities/{community_id}/people/import',
    prepare: (ctx) => ({ k: ctx.next() }),
    send: (ctx, p) => (h) => ctx.admin.req('POST', `${ctx.C}/people/import`, {
      body: `姓名,手机号,小区\r\n导入甲${p.k},13800000001,丰华花苑\r\n导入乙${p.k},13800000002,文华花园\r\n`,
      headers: { 'Content-Type': 'text/csv', ...h },
    }),
  },
];
